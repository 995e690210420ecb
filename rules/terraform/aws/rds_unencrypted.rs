use crate::fix::Applicability;
use crate::model::Resource;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_db_instance` or `aws_rds_cluster` whose `storage_encrypted` is `false` or unset:
    /// the provider default is `false` (for a cluster with `engine_mode = "serverless"` it is
    /// `true`, so an unset value there is not flagged). Read replicas (`replicate_source_db`) and databases restored
    /// from a snapshot (`snapshot_identifier`) take the encryption of their source and are not
    /// flagged; Aurora instances (`aws_rds_cluster_instance`) are encrypted by their cluster.
    ///
    /// ## Why it matters
    /// Unencrypted storage exposes the data, its automated backups, snapshots and replicas to
    /// anyone who gets hold of a snapshot or the underlying volumes. Encryption can only be chosen
    /// when the database is created: adding it later means a snapshot copy and a restore.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "app" {
    ///   engine         = "postgres"
    ///   instance_class = "db.t4g.micro"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "app" {
    ///   engine            = "postgres"
    ///   instance_class    = "db.t4g.micro"
    ///   storage_encrypted = true
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: changing `storage_encrypted` on an existing database makes Terraform replace it (a new, empty database unless restored from an encrypted snapshot copy).
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html
    pub struct RdsUnencrypted {
        code: "TF-AWS-009",
        name: "rds-unencrypted",
        title: "RDS storage is not encrypted at rest",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "rds", "encryption"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_16").about("instance"), Peer::exact("CKV_AWS_96").about("cluster")],
            trivy: &[Peer::exact("AWS-0080").about("instance"), Peer::exact("AWS-0079").about("cluster")],
            kics: &[Peer::exact("RDS Storage Not Encrypted"), Peer::exact("RDS Database Cluster not Encrypted").about("cluster")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 2.3.1", "NIST 800-53 SC-28"],
        references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html"],
    }
}

const SETTING: Setting = Setting {
    types: &["aws_db_instance", "aws_rds_cluster"],
    path: &["storage_encrypted"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: Some(("true", Applicability::Unsafe)),
    skip: Some(inherits_encryption),
};

/// Replicas and restores take the encryption of their source; a cluster whose
/// `storage_encrypted` is unset is encrypted when its `engine_mode` is `serverless` (the
/// provider's default there is `true`) and may be when the mode is not known.
fn inherits_encryption(r: &Resource) -> bool {
    let copied = [
        "replicate_source_db",
        "snapshot_identifier",
        "replication_source_identifier",
    ]
    .iter()
    .any(|k| {
        r.body
            .get(k)
            .is_some_and(|v| !matches!(v.value, crate::model::Value::Null))
    });
    let unset = r
        .body
        .get("storage_encrypted")
        .is_none_or(|v| matches!(v.value, crate::model::Value::Null));
    let mode = r.body.get("engine_mode");
    let serverless_default = r.tf_type() == Some(("resource", "aws_rds_cluster"))
        && unset
        && mode.is_some_and(|m| {
            m.is_unknown()
                || m.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case("serverless"))
        });
    copied || serverless_default
}

impl Check for RdsUnencrypted {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let start = out.len();
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `storage_encrypted = {}`: its storage is not encrypted", r.name, v.display()),
            None => format!("{} leaves `storage_encrypted` unset (the provider default is false): its storage is not encrypted", r.name),
        });
        for f in &mut out[start..] {
            f.about_type(&[
                ("aws_db_instance", "instance"),
                ("aws_rds_cluster", "cluster"),
            ]);
        }
    }
}
