use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `azurerm_storage_account` with `https_traffic_only_enabled = false` (provider 4.x) or
    /// `enable_https_traffic_only = false` (3.x). Both default to `true`, so only an explicit `false`
    /// is flagged.
    ///
    /// ## Why it matters
    /// Requests over HTTP carry the shared key signature or SAS token and the data in clear
    /// text; anyone on the path can read them and replay the token.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_storage_account" "data" {
    ///   name                       = "exampledata"
    ///   resource_group_name        = azurerm_resource_group.main.name
    ///   location                   = "westeurope"
    ///   account_tier               = "Standard"
    ///   account_replication_type   = "LRS"
    ///   https_traffic_only_enabled = false
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_storage_account" "data" {
    ///   name                     = "exampledata"
    ///   resource_group_name      = azurerm_resource_group.main.name
    ///   location                 = "westeurope"
    ///   account_tier             = "Standard"
    ///   account_replication_type = "LRS"
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: clients that still use `http://` endpoints are refused.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/storage/common/storage-require-secure-transfer
    pub struct StorageHttpsOnly {
        code: "TF-AZURE-001",
        name: "storage-https-only",
        title: "Storage account accepts plain HTTP",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "storage", "encryption"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_3")],
            trivy: &[Peer::exact("AZU-0008")],
            kics: &[Peer::exact("Storage Account Not Forcing HTTPS")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Azure Foundations 3.1", "NIST 800-53 SC-8"],
        references: &["https://learn.microsoft.com/azure/storage/common/storage-require-secure-transfer"],
    }
}

const fn https_only(key: &'static [&'static str]) -> Setting {
    Setting {
        types: &["azurerm_storage_account"],
        path: key,
        want: Want::Bool {
            want: true,
            default: true,
        },
        fix: Some(("true", Applicability::Unsafe)),
        skip: None,
    }
}

const SETTINGS: [Setting; 2] = [
    https_only(&["https_traffic_only_enabled"]),
    https_only(&["enable_https_traffic_only"]),
];

impl Check for StorageHttpsOnly {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for setting in &SETTINGS {
            setting.report(&Self::META, cx, out, |r, value| {
                format!(
                    "{} sets `{} = {}`: it accepts plain HTTP",
                    r.name,
                    setting.path[0],
                    value.map(|v| v.display()).unwrap_or_default()
                )
            });
        }
    }
}
