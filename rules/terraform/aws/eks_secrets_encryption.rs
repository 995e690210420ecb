use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_eks_cluster` without an `encryption_config` block. Since Kubernetes 1.28 EKS
    /// envelope-encrypts API data with an AWS-owned key by default; an `encryption_config` with your
    /// KMS key puts the key, its policy and its audit trail under your control.
    ///
    /// ## Why it matters
    /// With a customer-managed key, reading Secrets out of etcd needs `kms:Decrypt` on a key you
    /// can audit, restrict and revoke.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_eks_cluster" "main" {
    ///   name     = "main"
    ///   role_arn = aws_iam_role.eks.arn
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_eks_cluster" "main" {
    ///   name     = "main"
    ///   role_arn = aws_iam_role.eks.arn
    ///
    ///   encryption_config {
    ///     resources = ["secrets"]
    ///     provider {
    ///       key_arn = aws_kms_key.eks.arn
    ///     }
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html
    pub struct EksSecretsEncryption {
        code: "TF-AWS-021",
        name: "eks-secrets-encryption",
        title: "EKS cluster does not encrypt Secrets with a KMS key",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "eks", "encryption"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_58")],
            trivy: &[Peer::exact("AWS-0039")],
            kics: &[Peer::exact("EKS Cluster Encryption Disabled")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 SC-28"],
        references: &["https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html"],
    }
}

const SETTING: Setting = Setting {
    types: &["aws_eks_cluster"],
    path: &["encryption_config"],
    want: Want::Present,
    fix: None,
    skip: None,
};

impl Check for EksSecretsEncryption {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!(
                "{} has an empty `encryption_config` ({})",
                r.name,
                v.display()
            ),
            None => format!(
                "{} has no `encryption_config`: Secrets are not encrypted with a key you control",
                r.name
            ),
        });
    }
}
