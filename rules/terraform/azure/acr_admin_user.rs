use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `azurerm_container_registry` with `admin_enabled = true` (the provider default is
    /// `false`).
    ///
    /// ## Why it matters
    /// The admin account is one shared username and password with push and pull rights on the
    /// whole registry, not tied to any identity and not auditable per user; a leaked copy lets anyone
    /// push images that your clusters will run.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_container_registry" "main" {
    ///   name          = "exampleacr"
    ///   sku           = "Standard"
    ///   admin_enabled = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_container_registry" "main" {
    ///   name = "exampleacr"
    ///   sku  = "Standard"
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: clients logging in with the admin credentials (often CI or an App Service) must move to a managed identity or a scoped token first.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/container-registry/container-registry-authentication#admin-account
    pub struct AcrAdminUser {
        code: "TF-AZURE-021",
        name: "acr-admin-user",
        title: "Container registry admin user is enabled",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "acr", "authentication"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_137")],
            kics: &[Peer::exact("Admin User Enabled For Container Registry")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 IA-2", "NIST 800-53 AC-6"],
        references: &["https://learn.microsoft.com/azure/container-registry/container-registry-authentication#admin-account"],
    }
}

const SETTING: Setting = Setting {
    types: &["azurerm_container_registry"],
    path: &["admin_enabled"],
    want: Want::Bool {
        want: false,
        default: false,
    },
    fix: Some(("false", Applicability::Unsafe)),
    skip: None,
};

impl Check for AcrAdminUser {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!(
                "{} sets `admin_enabled = {}`: a shared admin password can push images",
                r.name,
                v.display()
            ),
            None => format!("{} enables the admin user", r.name),
        });
    }
}
