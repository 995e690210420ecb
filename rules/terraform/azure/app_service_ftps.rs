use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A web or function app whose `site_config.ftps_state` is `AllAllowed` (plain FTP and
    /// FTPS). For the older `azurerm_app_service` and `azurerm_function_app` an unset `ftps_state` is
    /// flagged too, since the platform default for them is `AllAllowed`; the newer `*_web_app` and
    /// `*_function_app` resources default to `Disabled`.
    ///
    /// ## Why it matters
    /// Plain FTP sends the deployment credentials and the application's code in clear text;
    /// anyone on the path can capture the credentials and deploy their own code.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_linux_web_app" "web" {
    ///   name = "example-web"
    ///
    ///   site_config {
    ///     ftps_state = "AllAllowed"
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
    ///     ftps_state = "Disabled"
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: deployments that use plain FTP stop working; FTPS clients are unaffected with `FtpsOnly`.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/app-service/deploy-ftp#enforce-ftps
    pub struct AppServiceFtps {
        code: "TF-AZURE-020",
        name: "app-service-ftps",
        title: "App Service allows plain FTP deployment",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "app-service", "encryption"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_78")],
            trivy: &[Peer::exact("AZU-0071")],
            kics: &[Peer::partial("App Service FTPS Enforce Disabled", "web apps only"), Peer::partial("Function App FTPS Enforce Disabled", "function apps only")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Azure Foundations 9.10", "NIST 800-53 SC-8"],
        references: &["https://learn.microsoft.com/azure/app-service/deploy-ftp#enforce-ftps"],
    }
}

const SETTINGS: [Setting; 2] = [
    Setting {
        types: &[
            "azurerm_linux_web_app",
            "azurerm_windows_web_app",
            "azurerm_linux_function_app",
            "azurerm_windows_function_app",
        ],
        path: &["site_config", "ftps_state"],
        want: Want::OneOf {
            allowed: &["FtpsOnly", "Disabled"],
            default: None,
        },
        fix: Some(("\"FtpsOnly\"", Applicability::Unsafe)),
        skip: None,
    },
    Setting {
        types: &["azurerm_app_service", "azurerm_function_app"],
        path: &["site_config", "ftps_state"],
        want: Want::OneOf {
            allowed: &["FtpsOnly", "Disabled"],
            default: Some("AllAllowed"),
        },
        fix: Some(("\"FtpsOnly\"", Applicability::Unsafe)),
        skip: None,
    },
];

impl Check for AppServiceFtps {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for setting in &SETTINGS {
            setting.report(&Self::META, cx, out, |r, value| match value {
                Some(v) => format!("{} sets `ftps_state = {}`: plain FTP is accepted", r.name, v.display()),
                None => format!("{} leaves `ftps_state` unset (the platform default is AllAllowed): plain FTP is accepted", r.name),
            });
        }
    }
}
