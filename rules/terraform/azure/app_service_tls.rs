use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A web or function app whose `site_config.minimum_tls_version` (or `min_tls_version` on
    /// `azurerm_app_service` / `azurerm_function_app`) is `1.0` or `1.1`. Unset is not flagged: the
    /// default is `1.2`.
    ///
    /// ## Why it matters
    /// TLS 1.0 and 1.1 are deprecated (RFC 8996) and keep weak cipher suites available to a
    /// downgrade.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_linux_web_app" "web" {
    ///   name = "example-web"
    ///
    ///   site_config {
    ///     minimum_tls_version = "1.0"
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_linux_web_app" "web" {
    ///   name = "example-web"
    ///
    ///   site_config {
    ///     minimum_tls_version = "1.2"
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: clients limited to TLS 1.0/1.1 can no longer connect.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/app-service/overview-tls
    pub struct AppServiceTls {
        code: "TF-AZURE-019",
        name: "app-service-tls",
        title: "App Service accepts TLS older than 1.2",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "app-service", "encryption"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_15")],
            trivy: &[Peer::exact("AZU-0006")],
            kics: &[Peer::exact("App Service Not Using Latest TLS Encryption Version"), Peer::partial("Function App Not Using Latest TLS Encryption Version", "function apps only")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Azure Foundations 9.3", "NIST 800-53 SC-8"],
        references: &["https://learn.microsoft.com/azure/app-service/overview-tls"],
    }
}

const fn tls(types: &'static [&'static str], path: &'static [&'static str]) -> Setting {
    Setting {
        types,
        path,
        want: Want::OneOf {
            allowed: &["1.2", "1.3"],
            default: None,
        },
        fix: Some(("\"1.2\"", Applicability::Unsafe)),
        skip: None,
    }
}

const SETTINGS: [Setting; 2] = [
    tls(
        &[
            "azurerm_linux_web_app",
            "azurerm_windows_web_app",
            "azurerm_linux_function_app",
            "azurerm_windows_function_app",
        ],
        &["site_config", "minimum_tls_version"],
    ),
    tls(
        &["azurerm_app_service", "azurerm_function_app"],
        &["site_config", "min_tls_version"],
    ),
];

impl Check for AppServiceTls {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for setting in &SETTINGS {
            setting.report(&Self::META, cx, out, |r, value| {
                format!(
                    "{} accepts TLS {} (`{}`): older than 1.2",
                    r.name,
                    value.map(|v| v.display()).unwrap_or_default(),
                    setting.path[1]
                )
            });
        }
    }
}
