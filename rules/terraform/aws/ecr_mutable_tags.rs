use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_ecr_repository` whose `image_tag_mutability` is `MUTABLE` or unset (the provider
    /// default is `MUTABLE`).
    ///
    /// ## Why it matters
    /// With mutable tags, `app:1.4.2` can be replaced by a different image after it was reviewed,
    /// scanned and deployed; anyone with push rights can swap what a running cluster pulls next.
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
    ///   name                 = "app"
    ///   image_tag_mutability = "IMMUTABLE"
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: pipelines that push a moving tag (`latest`, `main`) start failing.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
    pub struct EcrMutableTags {
        code: "TF-AWS-023",
        name: "ecr-mutable-tags",
        title: "ECR repository allows tags to be overwritten",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "ecr", "supply-chain"],
        severity: Severity::Low,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_51")],
            trivy: &[Peer::exact("AWS-0031")],
            kics: &[Peer::exact("ECR Image Tag Not Immutable")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 CM-14"],
        references: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html"],
    }
}

const SETTING: Setting = Setting {
    types: &["aws_ecr_repository"],
    path: &["image_tag_mutability"],
    want: Want::OneOf {
        allowed: &["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"],
        default: Some("MUTABLE"),
    },
    fix: Some(("\"IMMUTABLE\"", Applicability::Unsafe)),
    skip: None,
};

impl Check for EcrMutableTags {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `image_tag_mutability = {}`", r.name, v.display()),
            None => format!(
                "{} leaves `image_tag_mutability` unset (the provider default is MUTABLE)",
                r.name
            ),
        });
    }
}
