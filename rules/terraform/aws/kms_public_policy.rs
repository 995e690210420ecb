use super::policy::report_public;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A key policy (`policy` of `aws_kms_key` or `aws_kms_key_policy`) with an `Allow` statement
    /// for the principal `*` and no condition that narrows who can use it (a caller or source
    /// account, organisation, ARN, VPC, VPC endpoint or IP range, or `kms:ViaService`; not keys
    /// anyone can set, nor `Not…`/`…IfExists` operators), in any of the ways a policy can be
    /// written.
    ///
    /// ## Why it matters
    /// Anyone in any AWS account can then use the key — decrypt what it protects, or schedule its
    /// deletion, depending on the actions.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_kms_key" "data" {
    ///   policy = jsonencode({
    ///     Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "kms:*", Resource = "*" }]
    ///   })
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_kms_key" "data" {
    ///   policy = jsonencode({
    ///     Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" }, Action = "kms:*", Resource = "*" }]
    ///   })
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
    pub struct KmsPublicPolicy {
        code: "TF-AWS-017",
        name: "kms-public-policy",
        title: "KMS key policy grants access to anyone",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "kms", "public-access"],
        severity: Severity::Critical,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_33")],
            kics: &[Peer::partial("KMS Key With Vulnerable Policy", "also flags other weak key policy statements")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 AC-3", "NIST 800-53 SC-12"],
        references: &["https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html"],
    }
}

impl Check for KmsPublicPolicy {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        report_public(
            &Self::META,
            cx,
            out,
            &["aws_kms_key", "aws_kms_key_policy"],
            ("policy", "the key policy"),
            &|_| false,
        );
    }
}
