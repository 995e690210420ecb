use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_cloudtrail` whose `is_multi_region_trail` is `false` or unset (the provider
    /// default is `false`).
    ///
    /// ## Why it matters
    /// Activity in the regions the trail does not cover goes unrecorded: attackers create
    /// resources in regions nobody watches precisely because of that.
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
    ///   name                  = "main"
    ///   s3_bucket_name        = "audit-logs"
    ///   is_multi_region_trail = true
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Safe: the trail records more; log volume (and S3 cost) grows with the activity in other regions.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html
    pub struct CloudtrailMultiRegion {
        code: "TF-AWS-018",
        name: "cloudtrail-multi-region",
        title: "CloudTrail trail records only one region",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "cloudtrail", "logging"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_67")],
            trivy: &[Peer::exact("AWS-0014")],
            kics: &[Peer::partial("CloudTrail Multi Region Disabled", "also requires include_global_service_events")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 3.1", "NIST 800-53 AU-2", "NIST 800-53 AU-12"],
        references: &["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html"],
    }
}

const SETTING: Setting = Setting {
    types: &["aws_cloudtrail"],
    path: &["is_multi_region_trail"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: Some(("true", Applicability::Safe)),
    skip: None,
};

impl Check for CloudtrailMultiRegion {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `is_multi_region_trail = {}`: other regions are not recorded", r.name, v.display()),
            None => format!("{} leaves `is_multi_region_trail` unset (the provider default is false): other regions are not recorded", r.name),
        });
    }
}
