use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `azurerm_key_vault_secret` or `azurerm_key_vault_key` without `expiration_date`.
    ///
    /// ## Why it matters
    /// A credential without an end date lives until someone remembers to rotate it; an
    /// expiration date forces rotation and bounds how long a leaked value stays useful.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_key_vault_secret" "db" {
    ///   name         = "db-password"
    ///   value        = random_password.db.result
    ///   key_vault_id = azurerm_key_vault.main.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_key_vault_secret" "db" {
    ///   name            = "db-password"
    ///   value           = random_password.db.result
    ///   key_vault_id    = azurerm_key_vault.main.id
    ///   expiration_date = "2027-06-30T00:00:00Z"
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/key-vault/secrets/about-secrets
    pub struct KeyvaultExpiry {
        code: "TF-AZURE-011",
        name: "keyvault-expiry",
        title: "Key Vault secret or key has no expiration date",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "keyvault", "secrets"],
        severity: Severity::Low,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_41").about("secret"), Peer::exact("CKV_AZURE_40").about("key")],
            trivy: &[Peer::exact("AZU-0017").about("secret"), Peer::exact("AZU-0014").about("key")],
            kics: &[Peer::exact("Secret Expiration Not Set").about("secret"), Peer::exact("Key Expiration Not Set").about("key")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Azure Foundations 8.1", "CIS Azure Foundations 8.3", "NIST 800-53 IA-5"],
        references: &["https://learn.microsoft.com/azure/key-vault/secrets/about-secrets"],
    }
}

const EXPIRY: Setting = Setting {
    types: &["azurerm_key_vault_secret", "azurerm_key_vault_key"],
    path: &["expiration_date"],
    want: Want::Present,
    fix: None,
    skip: None,
};

impl Check for KeyvaultExpiry {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let start = out.len();
        EXPIRY.report(&Self::META, cx, out, |r, _| {
            format!(
                "{} has no `expiration_date`: it never has to be rotated",
                r.name
            )
        });
        for f in &mut out[start..] {
            f.about_type(&[
                ("azurerm_key_vault_secret", "secret"),
                ("azurerm_key_vault_key", "key"),
            ]);
        }
    }
}
