use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `azurerm_linux_virtual_machine` or `azurerm_linux_virtual_machine_scale_set` with
    /// `disable_password_authentication = false` (the default is `true`), or an
    /// `azurerm_virtual_machine` whose `os_profile_linux_config.disable_password_authentication` is
    /// `false`.
    ///
    /// ## Why it matters
    /// SSH passwords can be guessed, phished and reused; keys cannot be brute-forced. A VM that
    /// accepts passwords on a reachable SSH port is a standing brute-force target.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_linux_virtual_machine" "app" {
    ///   name                            = "app"
    ///   admin_username                  = "azureuser"
    ///   admin_password                  = var.admin_password
    ///   disable_password_authentication = false
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_linux_virtual_machine" "app" {
    ///   name           = "app"
    ///   admin_username = "azureuser"
    ///
    ///   admin_ssh_key {
    ///     username   = "azureuser"
    ///     public_key = file("~/.ssh/id_ed25519.pub")
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/virtual-machines/linux/create-ssh-keys-detailed
    pub struct VmPasswordAuth {
        code: "TF-AZURE-016",
        name: "vm-password-auth",
        title: "Linux VM allows password authentication",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "compute", "authentication"],
        severity: Severity::High,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_1"), Peer::partial("CKV_AZURE_178", "requires an SSH key to be configured")],
            trivy: &[Peer::exact("AZU-0039")],
            kics: &[Peer::exact("Azure Instance Using Basic Authentication")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 IA-2"],
        references: &["https://learn.microsoft.com/azure/virtual-machines/linux/create-ssh-keys-detailed"],
    }
}

const SETTINGS: [Setting; 2] = [
    Setting {
        types: &[
            "azurerm_linux_virtual_machine",
            "azurerm_linux_virtual_machine_scale_set",
        ],
        path: &["disable_password_authentication"],
        want: Want::Bool {
            want: true,
            default: true,
        },
        fix: None,
        skip: None,
    },
    Setting {
        types: &["azurerm_virtual_machine"],
        path: &["os_profile_linux_config", "disable_password_authentication"],
        want: Want::Bool {
            want: true,
            default: true,
        },
        fix: None,
        skip: None,
    },
];

impl Check for VmPasswordAuth {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for setting in &SETTINGS {
            setting.report(&Self::META, cx, out, |r, _| {
                format!(
                    "{} sets `disable_password_authentication = false`: SSH accepts passwords",
                    r.name
                )
            });
        }
    }
}
