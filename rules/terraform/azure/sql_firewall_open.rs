use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A database server firewall rule from `0.0.0.0` to `255.255.255.255`:
    /// `azurerm_mssql_firewall_rule`, `azurerm_sql_firewall_rule`, `azurerm_postgresql_firewall_rule`,
    /// `azurerm_postgresql_flexible_server_firewall_rule`, `azurerm_mysql_firewall_rule`,
    /// `azurerm_mysql_flexible_server_firewall_rule`, `azurerm_mariadb_firewall_rule`. The special
    /// `0.0.0.0`–`0.0.0.0` rule ("allow Azure services") is not this rule's subject.
    ///
    /// ## Why it matters
    /// Every address on the internet can then attempt to log in; the database password is the
    /// only protection left against brute force and credential stuffing.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_mssql_firewall_rule" "all" {
    ///   name             = "all"
    ///   server_id        = azurerm_mssql_server.main.id
    ///   start_ip_address = "0.0.0.0"
    ///   end_ip_address   = "255.255.255.255"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_mssql_firewall_rule" "office" {
    ///   name             = "office"
    ///   server_id        = azurerm_mssql_server.main.id
    ///   start_ip_address = "203.0.113.0"
    ///   end_ip_address   = "203.0.113.255"
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/azure-sql/database/firewall-configure
    pub struct SqlFirewallOpen {
        code: "TF-AZURE-006",
        name: "sql-firewall-open",
        title: "Database firewall rule allows the whole internet",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "sql", "public-access"],
        severity: Severity::Critical,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_11"), Peer::partial("CKV2_AZURE_34", "SQL Server firewall rules only; also flags wide ranges short of the whole internet")],
            trivy: &[Peer::exact("AZU-0029")],
            kics: &[Peer::exact("SQLServer Ingress From Any IP"), Peer::partial("Unrestricted SQL Server Access", "also flags wide ranges short of the whole internet; SQL Server only")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Azure Foundations 4.1.2", "NIST 800-53 SC-7"],
        references: &["https://learn.microsoft.com/azure/azure-sql/database/firewall-configure"],
    }
}

const TYPES: &[&str] = &[
    "azurerm_mssql_firewall_rule",
    "azurerm_sql_firewall_rule",
    "azurerm_postgresql_firewall_rule",
    "azurerm_postgresql_flexible_server_firewall_rule",
    "azurerm_mysql_firewall_rule",
    "azurerm_mysql_flexible_server_firewall_rule",
    "azurerm_mariadb_firewall_rule",
];

impl Check for SqlFirewallOpen {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx
            .resources
            .iter()
            .filter(|r| matches!(r.tf_type(), Some(("resource", t)) if TYPES.contains(&t)))
        {
            let ip = |k: &str| r.body.get(k).and_then(Node::as_str);
            if ip("start_ip_address") == Some("0.0.0.0")
                && ip("end_ip_address") == Some("255.255.255.255")
            {
                let span = r.body.get("end_ip_address").map_or(r.head, |n| n.span);
                out.push(Finding::on(
                    &Self::META,
                    r,
                    span,
                    format!(
                        "{} allows every address (0.0.0.0–255.255.255.255) to reach the database",
                        r.name
                    ),
                ));
            }
        }
    }
}
