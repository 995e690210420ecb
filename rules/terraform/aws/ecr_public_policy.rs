use super::policy::report_public;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_ecr_repository_policy` with an `Allow` statement for the principal `*` and no
    /// condition that narrows who can use it (a source or principal account, organisation, ARN,
    /// VPC or VPC endpoint; not `Not…`/`…IfExists` operators). Public images belong in ECR Public (`aws_ecrpublic_repository`), which is not
    /// flagged.
    ///
    /// ## Why it matters
    /// Anyone can pull the images — with the code, configuration and sometimes secrets built into
    /// them — or, with push actions, replace them.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_ecr_repository_policy" "app" {
    ///   repository = aws_ecr_repository.app.name
    ///   policy = jsonencode({
    ///     Statement = [{ Effect = "Allow", Principal = "*", Action = ["ecr:BatchGetImage"] }]
    ///   })
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ecr_repository_policy" "app" {
    ///   repository = aws_ecr_repository.app.name
    ///   policy = jsonencode({
    ///     Statement = [{
    ///       Effect    = "Allow"
    ///       Principal = "*"
    ///       Action    = ["ecr:BatchGetImage"]
    ///       Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-abcdef1234" } }
    ///     }]
    ///   })
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html
    pub struct EcrPublicPolicy {
        code: "TF-AWS-024",
        name: "ecr-public-policy",
        title: "ECR repository policy grants access to anyone",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "ecr", "public-access"],
        severity: Severity::Critical,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_32")],
            trivy: &[Peer::exact("AWS-0032")],
            kics: &[Peer::exact("ECR Repository Is Publicly Accessible")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 AC-3"],
        references: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html"],
    }
}

impl Check for EcrPublicPolicy {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        report_public(
            &Self::META,
            cx,
            out,
            &["aws_ecr_repository_policy"],
            ("policy", "the repository policy"),
            &|_| false,
        );
    }
}
