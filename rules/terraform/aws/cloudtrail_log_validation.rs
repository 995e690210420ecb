use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_cloudtrail` whose `enable_log_file_validation` is `false` or unset (the provider
    /// default is `false`).
    ///
    /// ## Why it matters
    /// Without digest files nobody can prove that a log file was not modified or deleted after
    /// delivery — the first thing an intruder with S3 access would do.
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
    ///   name                       = "main"
    ///   s3_bucket_name             = "audit-logs"
    ///   enable_log_file_validation = true
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Safe: CloudTrail adds hourly digest files next to the logs.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html
    pub struct CloudtrailLogValidation {
        code: "TF-AWS-019",
        name: "cloudtrail-log-validation",
        title: "CloudTrail log file validation is off",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "cloudtrail", "logging"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_36")],
            trivy: &[Peer::exact("AWS-0016")],
            kics: &[Peer::exact("CloudTrail Log File Validation Disabled")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 3.2", "NIST 800-53 AU-9"],
        references: &["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html"],
    }
}

const SETTING: Setting = Setting {
    types: &["aws_cloudtrail"],
    path: &["enable_log_file_validation"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: Some(("true", Applicability::Safe)),
    skip: None,
};

impl Check for CloudtrailLogValidation {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!(
                "{} sets `enable_log_file_validation = {}`",
                r.name,
                v.display()
            ),
            None => format!(
                "{} leaves `enable_log_file_validation` unset (the provider default is false)",
                r.name
            ),
        });
    }
}
