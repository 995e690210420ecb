use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_ecr_repository` whose `image_scanning_configuration.scan_on_push` is `false` or
    /// unset (the provider default is `false`). A registry-wide `aws_ecr_registry_scanning_configuration`
    /// with enhanced scanning supersedes the repository setting; disable the rule where that is in
    /// place.
    ///
    /// ## Why it matters
    /// Images pushed without a scan reach clusters with known vulnerabilities nobody was told
    /// about.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_ecr_repository" "app" {
    ///   name = "app"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ecr_repository" "app" {
    ///   name = "app"
    ///
    ///   image_scanning_configuration {
    ///     scan_on_push = true
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Safe: basic scanning is free and does not block pushes.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-basic.html
    pub struct EcrScanOnPush {
        code: "TF-AWS-022",
        name: "ecr-scan-on-push",
        title: "ECR repository does not scan images on push",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "ecr", "vulnerability-scanning"],
        severity: Severity::Low,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_163")],
            trivy: &[Peer::exact("AWS-0030")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 RA-5"],
        references: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-basic.html"],
    }
}

const SETTING: Setting = Setting {
    types: &["aws_ecr_repository"],
    path: &["image_scanning_configuration", "scan_on_push"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: Some(("true", Applicability::Safe)),
    skip: None,
};

impl Check for EcrScanOnPush {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `scan_on_push = {}`", r.name, v.display()),
            None => format!(
                "{} does not scan images on push (`scan_on_push` defaults to false)",
                r.name
            ),
        });
    }
}
