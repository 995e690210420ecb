use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_db_instance` or `aws_rds_cluster` whose `deletion_protection` is `false` or unset
    /// (the provider default is `false`).
    ///
    /// ## Why it matters
    /// Without deletion protection one `terraform destroy`, a renamed resource or a console click
    /// removes the database; with it, the deletion is refused until the flag is turned off on
    /// purpose.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_rds_cluster" "main" {
    ///   engine = "aurora-postgresql"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_rds_cluster" "main" {
    ///   engine              = "aurora-postgresql"
    ///   deletion_protection = true
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: `terraform destroy` of the database then fails until the flag is turned off again, which is the point but changes workflows (ephemeral test environments).
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeleteInstance.DeletionProtection
    pub struct RdsDeletionProtection {
        code: "TF-AWS-011",
        name: "rds-deletion-protection",
        title: "RDS database can be deleted without turning off protection",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "rds", "resilience"],
        severity: Severity::Low,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_293").about("instance"), Peer::exact("CKV_AWS_139").about("cluster")],
            trivy: &[Peer::exact("AWS-0177").about("instance"), Peer::exact("AWS-0343").about("cluster")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 CP-9"],
        references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeleteInstance.DeletionProtection"],
    }
}

const SETTING: Setting = Setting {
    types: &["aws_db_instance", "aws_rds_cluster"],
    path: &["deletion_protection"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: Some(("true", Applicability::Unsafe)),
    skip: None,
};

impl Check for RdsDeletionProtection {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let start = out.len();
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `deletion_protection = {}`", r.name, v.display()),
            None => format!(
                "{} leaves `deletion_protection` unset (the provider default is false)",
                r.name
            ),
        });
        for f in &mut out[start..] {
            f.about_type(&[
                ("aws_db_instance", "instance"),
                ("aws_rds_cluster", "cluster"),
            ]);
        }
    }
}
