use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_opensearch_domain` or `aws_elasticsearch_domain` whose
    /// `encrypt_at_rest.enabled` is `false` or unset (the provider default is `false`).
    ///
    /// ## Why it matters
    /// Indices, logs, swap and automated snapshots of the domain are stored in the clear.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_opensearch_domain" "logs" {
    ///   domain_name = "logs"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_opensearch_domain" "logs" {
    ///   domain_name = "logs"
    ///
    ///   encrypt_at_rest {
    ///     enabled = true
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: on older engine versions enabling encryption replaces the domain.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/opensearch-service/latest/developerguide/encryption-at-rest.html
    pub struct OpensearchEncryption {
        code: "TF-AWS-027",
        name: "opensearch-encryption",
        title: "OpenSearch domain is not encrypted at rest",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "opensearch", "encryption"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_5")],
            trivy: &[Peer::exact("AWS-0048")],
            kics: &[Peer::exact("ElasticSearch Not Encrypted At Rest")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 SC-28"],
        references: &["https://docs.aws.amazon.com/opensearch-service/latest/developerguide/encryption-at-rest.html"],
    }
}

const SETTING: Setting = Setting {
    types: &["aws_opensearch_domain", "aws_elasticsearch_domain"],
    path: &["encrypt_at_rest", "enabled"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: Some(("true", Applicability::Unsafe)),
    skip: None,
};

impl Check for OpensearchEncryption {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!(
                "{} sets `encrypt_at_rest.enabled = {}`",
                r.name,
                v.display()
            ),
            None => format!(
                "{} is not encrypted at rest (`encrypt_at_rest.enabled` defaults to false)",
                r.name
            ),
        });
    }
}
