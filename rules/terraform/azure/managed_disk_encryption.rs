use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `azurerm_managed_disk` whose `encryption_settings.enabled` is `false` (Azure Disk
    /// Encryption turned off). Every managed disk is encrypted at rest by the platform with a
    /// Microsoft-managed key whatever is written; this rule flags only the explicit opt-out of the
    /// guest-level encryption the block configures.
    ///
    /// ## Why it matters
    /// Azure Disk Encryption encrypts the volume inside the VM with keys in your Key Vault, so a
    /// copied VHD or snapshot is unreadable without them; turning it off leaves only the platform
    /// key, which anyone who can export the disk can use.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_managed_disk" "data" {
    ///   name = "data"
    ///
    ///   encryption_settings {
    ///     enabled = false
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_managed_disk" "data" {
    ///   name                   = "data"
    ///   disk_encryption_set_id = azurerm_disk_encryption_set.main.id
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/virtual-machines/disk-encryption-overview
    pub struct ManagedDiskEncryption {
        code: "TF-AZURE-017",
        name: "managed-disk-encryption",
        title: "Managed disk encryption settings turned off",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "compute", "encryption"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_2")],
            trivy: &[Peer::exact("AZU-0038")],
            kics: &[Peer::exact("Encryption On Managed Disk Disabled")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Azure Foundations 7.3", "NIST 800-53 SC-28"],
        references: &["https://learn.microsoft.com/azure/virtual-machines/disk-encryption-overview"],
    }
}

const SETTING: Setting = Setting {
    types: &["azurerm_managed_disk"],
    path: &["encryption_settings", "enabled"],
    want: Want::Bool {
        want: true,
        default: true,
    },
    fix: None,
    skip: None,
};

impl Check for ManagedDiskEncryption {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!(
                "{} sets encryption_settings `enabled = {}`",
                r.name,
                v.display()
            ),
            None => format!("{} turns encryption off", r.name),
        });
    }
}
