use crate::fix::Applicability;
use crate::model::Resource;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_ebs_volume` whose `encrypted` is `false` or unset (the provider default is
    /// `false`). A module that turns on `aws_ebs_encryption_by_default` has every new volume
    /// encrypted and is not flagged; account-level default encryption set up elsewhere cannot be
    /// seen from the module. Volumes created from a snapshot (`snapshot_id`) take its encryption and are
    /// not flagged.
    ///
    /// ## Why it matters
    /// An unencrypted volume and every snapshot taken from it hold the data in the clear; a
    /// shared or leaked snapshot exposes it.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_ebs_volume" "data" {
    ///   availability_zone = "eu-west-1a"
    ///   size              = 100
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ebs_volume" "data" {
    ///   availability_zone = "eu-west-1a"
    ///   size              = 100
    ///   encrypted         = true
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: Terraform replaces an existing volume to encrypt it (its data is lost unless restored from a snapshot).
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html
    pub struct EbsUnencrypted {
        code: "TF-AWS-012",
        name: "ebs-unencrypted",
        title: "EBS volume is not encrypted",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "ebs", "encryption"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_3")],
            trivy: &[Peer::exact("AWS-0026")],
            kics: &[Peer::exact("EBS Volume Encryption Disabled")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 2.2.1", "NIST 800-53 SC-28"],
        references: &["https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html"],
    }
}

const SETTING: Setting = Setting {
    types: &["aws_ebs_volume"],
    path: &["encrypted"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: Some(("true", Applicability::Unsafe)),
    skip: Some(from_snapshot),
};

fn from_snapshot(r: &Resource) -> bool {
    r.body.get("snapshot_id").is_some()
}

impl Check for EbsUnencrypted {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        if super::instance_volume_unencrypted::default_encryption(cx.resources) {
            return;
        }
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `encrypted = {}`", r.name, v.display()),
            None => format!(
                "{} leaves `encrypted` unset (the provider default is false)",
                r.name
            ),
        });
    }
}
