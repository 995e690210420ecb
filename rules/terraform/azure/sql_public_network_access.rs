use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `azurerm_mssql_server`, `azurerm_postgresql_server`, `azurerm_mysql_server` or
    /// `azurerm_mariadb_server` whose `public_network_access_enabled` is `true` or unset (the provider
    /// default is `true`).
    ///
    /// ## Why it matters
    /// With the public endpoint on, the server's firewall rules are all that stands between it
    /// and the internet, and one broad rule opens it. Private endpoints keep the server off the
    /// internet altogether.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_mssql_server" "main" {
    ///   name    = "example-sql"
    ///   version = "12.0"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_mssql_server" "main" {
    ///   name                          = "example-sql"
    ///   version                       = "12.0"
    ///   public_network_access_enabled = false
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: clients that reach the server over its public endpoint lose access until they use a private endpoint.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/azure-sql/database/connectivity-settings#deny-public-network-access
    pub struct SqlPublicNetworkAccess {
        code: "TF-AZURE-007",
        name: "sql-public-network-access",
        title: "Database server is reachable over its public endpoint",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "sql", "public-access"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_AZURE_113", "only SQL Server")],
            trivy: &[Peer::exact("AZU-0022")],
            kics: &[Peer::partial("MSSQL Server Public Network Access Enabled", "only SQL Server"), Peer::partial("MySQL Server Public Access Enabled", "only MySQL"), Peer::partial("MariaDB Server Public Network Access Enabled", "only MariaDB")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 SC-7"],
        references: &["https://learn.microsoft.com/azure/azure-sql/database/connectivity-settings#deny-public-network-access"],
    }
}

const SETTING: Setting = Setting {
    types: &[
        "azurerm_mssql_server",
        "azurerm_postgresql_server",
        "azurerm_mysql_server",
        "azurerm_mariadb_server",
    ],
    path: &["public_network_access_enabled"],
    want: Want::Bool {
        want: false,
        default: true,
    },
    fix: Some(("false", Applicability::Unsafe)),
    skip: None,
};

impl Check for SqlPublicNetworkAccess {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `public_network_access_enabled = {}`: its public endpoint is on", r.name, v.display()),
            None => format!("{} leaves `public_network_access_enabled` unset (the provider default is true): its public endpoint is on", r.name),
        });
    }
}
