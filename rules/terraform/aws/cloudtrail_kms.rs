use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_cloudtrail` without `kms_key_id`: the logs are then encrypted with S3-managed keys
    /// only (the default), which anyone with read access to the bucket can read.
    ///
    /// ## Why it matters
    /// With a KMS key, reading the audit trail needs both S3 access and `kms:Decrypt` on the key,
    /// and every decryption is itself logged.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_cloudtrail" "main" {
    ///   name           = "main"
    ///   s3_bucket_name = "audit-logs"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_cloudtrail" "main" {
    ///   name           = "main"
    ///   s3_bucket_name = "audit-logs"
    ///   kms_key_id     = aws_kms_key.trail.arn
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html
    pub struct CloudtrailKms {
        code: "TF-AWS-020",
        name: "cloudtrail-kms",
        title: "CloudTrail logs are not encrypted with a KMS key",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "cloudtrail", "encryption"],
        severity: Severity::Low,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_35")],
            trivy: &[Peer::exact("AWS-0015")],
            kics: &[Peer::exact("CloudTrail Log Files Not Encrypted With KMS")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 3.5", "NIST 800-53 SC-28"],
        references: &["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html"],
    }
}

const SETTING: Setting = Setting {
    types: &["aws_cloudtrail"],
    path: &["kms_key_id"],
    want: Want::Present,
    fix: None,
    skip: None,
};

impl Check for CloudtrailKms {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets an empty `kms_key_id` ({})", r.name, v.display()),
            None => format!(
                "{} has no `kms_key_id`: its logs are readable with bucket access alone",
                r.name
            ),
        });
    }
}
