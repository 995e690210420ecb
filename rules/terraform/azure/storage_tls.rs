use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `azurerm_storage_account` with `min_tls_version` set to `TLS1_0` or `TLS1_1`. Unset is
    /// not flagged: the provider default has been `TLS1_2` since 3.0.
    ///
    /// ## Why it matters
    /// TLS 1.0 and 1.1 are deprecated (RFC 8996) and Azure Storage stops accepting them; allowing
    /// them keeps weak cipher suites available to a downgrade.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_storage_account" "data" {
    ///   name            = "exampledata"
    ///   min_tls_version = "TLS1_0"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_storage_account" "data" {
    ///   name            = "exampledata"
    ///   min_tls_version = "TLS1_2"
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: clients limited to TLS 1.0/1.1 can no longer connect.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/storage/common/transport-layer-security-configure-minimum-version
    pub struct StorageTls {
        code: "TF-AZURE-002",
        name: "storage-tls",
        title: "Storage account accepts TLS older than 1.2",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "storage", "encryption"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_44")],
            trivy: &[Peer::exact("AZU-0011")],
            kics: &[Peer::exact("Storage Account Not Using Latest TLS Encryption Version")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Azure Foundations 3.15", "NIST 800-53 SC-8"],
        references: &["https://learn.microsoft.com/azure/storage/common/transport-layer-security-configure-minimum-version"],
    }
}

const SETTING: Setting = Setting {
    types: &["azurerm_storage_account"],
    path: &["min_tls_version"],
    want: Want::OneOf {
        allowed: &["TLS1_2", "TLS1_3"],
        default: None,
    },
    fix: Some(("\"TLS1_2\"", Applicability::Unsafe)),
    skip: None,
};

impl Check for StorageTls {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!(
                "{} sets `min_tls_version = {}`: TLS older than 1.2 is accepted",
                r.name,
                v.display()
            ),
            None => format!("{} accepts old TLS", r.name),
        });
    }
}
