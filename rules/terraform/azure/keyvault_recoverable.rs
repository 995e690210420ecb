use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `azurerm_key_vault` whose `purge_protection_enabled` is `false` or unset (the provider
    /// default is `false`), or that sets the 2.x `soft_delete_enabled = false`.
    ///
    /// ## Why it matters
    /// Without purge protection a deleted vault or key can be purged at once — by an attacker
    /// with the right role or by a mistaken `terraform destroy` — and everything encrypted with those
    /// keys is lost for good.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_key_vault" "main" {
    ///   name     = "example-kv"
    ///   sku_name = "standard"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_key_vault" "main" {
    ///   name                     = "example-kv"
    ///   sku_name                 = "standard"
    ///   purge_protection_enabled = true
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: purge protection cannot be turned off again, and a deleted vault's name stays
    /// taken for the retention period (7–90 days).
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview
    pub struct KeyvaultRecoverable {
        code: "TF-AZURE-010",
        name: "keyvault-recoverable",
        title: "Key Vault can be purged or has soft delete off",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "keyvault", "backup"],
        severity: Severity::Medium,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_110").about("purge-protection"), Peer::exact("CKV_AZURE_42")],
            trivy: &[Peer::exact("AZU-0016").about("purge-protection")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Azure Foundations 8.5", "NIST 800-53 CP-9"],
        references: &["https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview"],
    }
}

const PURGE: Setting = Setting {
    types: &["azurerm_key_vault"],
    path: &["purge_protection_enabled"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: Some(("true", Applicability::Unsafe)),
    skip: None,
};

const SOFT_DELETE: Setting = Setting {
    types: &["azurerm_key_vault"],
    path: &["soft_delete_enabled"],
    want: Want::Bool {
        want: true,
        default: true,
    },
    fix: None,
    skip: None,
};

impl Check for KeyvaultRecoverable {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let start = out.len();
        PURGE.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `purge_protection_enabled = {}`: deleted keys can be purged at once", r.name, v.display()),
            None => format!("{} leaves `purge_protection_enabled` unset (the provider default is false): deleted keys can be purged at once", r.name),
        });
        for f in &mut out[start..] {
            f.add_about("purge-protection");
        }
        let start = out.len();
        SOFT_DELETE.report(&Self::META, cx, out, |r, _| {
            format!("{} sets `soft_delete_enabled = false`: deleted keys and secrets cannot be recovered", r.name)
        });
        for f in &mut out[start..] {
            f.add_about("soft-delete");
        }
    }
}
