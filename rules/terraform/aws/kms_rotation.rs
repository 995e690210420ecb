use crate::fix::Applicability;
use crate::model::Resource;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A symmetric encryption `aws_kms_key` whose `enable_key_rotation` is `false` or unset (the
    /// provider default is `false`). Asymmetric and HMAC keys, which KMS cannot rotate, are not
    /// flagged.
    ///
    /// ## Why it matters
    /// Automatic rotation limits how much data one key version protects and how long a leaked
    /// version stays useful. Old versions stay available for decryption, so rotating breaks
    /// nothing.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_kms_key" "data" {
    ///   description = "data"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_kms_key" "data" {
    ///   description         = "data"
    ///   enable_key_rotation = true
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Safe: KMS keeps every previous key version for decryption; nothing that uses the key changes.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
    pub struct KmsRotation {
        code: "TF-AWS-016",
        name: "kms-rotation",
        title: "KMS key is not rotated automatically",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "kms", "encryption"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_7")],
            trivy: &[Peer::exact("AWS-0065")],
            kics: &[Peer::exact("CMK Rotation Disabled")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 3.6", "NIST 800-53 SC-12"],
        references: &["https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html"],
    }
}

const SETTING: Setting = Setting {
    types: &["aws_kms_key"],
    path: &["enable_key_rotation"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: Some(("true", Applicability::Safe)),
    skip: Some(not_rotatable),
};

/// Asymmetric and HMAC keys cannot be rotated by KMS.
fn not_rotatable(r: &Resource) -> bool {
    let spec = r
        .body
        .get("customer_master_key_spec")
        .or_else(|| r.body.get("key_spec"))
        .and_then(|s| s.as_str());
    spec.is_some_and(|s| s != "SYMMETRIC_DEFAULT")
        || r.body.get("key_usage").and_then(|u| u.as_str()) == Some("GENERATE_VERIFY_MAC")
}

impl Check for KmsRotation {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `enable_key_rotation = {}`", r.name, v.display()),
            None => format!(
                "{} leaves `enable_key_rotation` unset (the provider default is false)",
                r.name
            ),
        });
    }
}
