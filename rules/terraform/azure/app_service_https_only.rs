use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A web or function app (`azurerm_linux_web_app`, `azurerm_windows_web_app`,
    /// `azurerm_linux_function_app`, `azurerm_windows_function_app`, and the older `azurerm_app_service`
    /// and `azurerm_function_app`) whose `https_only` is `false` or unset (the provider default is
    /// `false`).
    ///
    /// ## Why it matters
    /// The app then answers on plain HTTP: cookies, tokens and form posts cross the network
    /// readable and modifiable by anyone on the path.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_linux_web_app" "web" {
    ///   name = "example-web"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_linux_web_app" "web" {
    ///   name       = "example-web"
    ///   https_only = true
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: HTTP requests are redirected to HTTPS; clients that cannot follow the redirect or speak TLS break.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/app-service/configure-ssl-bindings#enforce-https
    pub struct AppServiceHttpsOnly {
        code: "TF-AZURE-018",
        name: "app-service-https-only",
        title: "App Service accepts plain HTTP",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "app-service", "encryption"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_14")],
            trivy: &[Peer::partial("AZU-0072", "web apps only"), Peer::partial("AZU-0004", "function apps only")],
            kics: &[Peer::partial("Web App Accepting Traffic Other Than HTTPS", "web apps only")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Azure Foundations 9.2", "NIST 800-53 SC-8"],
        references: &["https://learn.microsoft.com/azure/app-service/configure-ssl-bindings#enforce-https"],
    }
}

const SETTING: Setting = Setting {
    types: &[
        "azurerm_app_service",
        "azurerm_linux_web_app",
        "azurerm_windows_web_app",
        "azurerm_function_app",
        "azurerm_linux_function_app",
        "azurerm_windows_function_app",
    ],
    path: &["https_only"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: Some(("true", Applicability::Unsafe)),
    skip: None,
};

impl Check for AppServiceHttpsOnly {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `https_only = {}`: it serves plain HTTP", r.name, v.display()),
            None => format!("{} leaves `https_only` unset (the provider default is false): it serves plain HTTP", r.name),
        });
    }
}
