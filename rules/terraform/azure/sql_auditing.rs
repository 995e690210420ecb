use crate::model::{Node, Resource};
use crate::rule::{
    Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, RuleMeta, Severity,
};
use crate::terraform::join::referenced;

crate::declare_rule! {
    /// ## What it flags
    /// An `azurerm_mssql_server` (or `azurerm_sql_server`) that no auditing configures: neither
    /// an inline `extended_auditing_policy` block nor an `azurerm_mssql_server_extended_auditing_policy`
    /// whose `server_id` references it; and an auditing policy whose `retention_in_days` is between
    /// 1 and 89 (`0`, the default, keeps the logs forever).
    ///
    /// ## Why it matters
    /// The audit log is the record of logins, permission changes and queries; without it — or
    /// with it expiring after a few weeks — a breach found months later cannot be traced.
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
    /// resource "azurerm_mssql_server_extended_auditing_policy" "main" {
    ///   server_id              = azurerm_mssql_server.main.id
    ///   log_monitoring_enabled = true
    ///   retention_in_days      = 90
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/azure-sql/database/auditing-overview
    pub struct SqlAuditing {
        code: "TF-AZURE-008",
        name: "sql-auditing",
        title: "SQL server auditing is off or keeps logs less than 90 days",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "sql", "logging"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_23").about("auditing"), Peer::exact("CKV_AZURE_24").about("retention")],
            trivy: &[Peer::exact("AZU-0027").about("auditing"), Peer::exact("AZU-0025").about("retention")],
            kics: &[Peer::exact("SQL Server Auditing Disabled").about("auditing"), Peer::exact("MSSQL Server Auditing Disabled").about("auditing"), Peer::exact("Small MSSQL Server Audit Retention").about("retention"), Peer::exact("Small MSSQL Audit Retention Period").about("retention")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Azure Foundations 4.1.1", "CIS Azure Foundations 4.1.6", "NIST 800-53 AU-2", "NIST 800-53 AU-11"],
        references: &["https://learn.microsoft.com/azure/azure-sql/database/auditing-overview"],
    }
}

const SERVERS: &[&str] = &["azurerm_mssql_server", "azurerm_sql_server"];

fn short_retention(meta: &'static RuleMeta, r: &Resource, policy: &Node, out: &mut Vec<Finding>) {
    if let Some(days) = policy
        .get("retention_in_days")
        .filter(|d| d.as_f64().is_some_and(|n| n > 0.0 && n < 90.0))
    {
        out.push(
            Finding::on(
                meta,
                r,
                days.span,
                format!(
                    "{} keeps audit logs {} days (`retention_in_days`), less than 90",
                    r.name,
                    days.display()
                ),
            )
            .with_origin(days, r.file, "the retention")
            .about("retention"),
        );
    }
}

impl Check for SqlAuditing {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx.resources {
            match r.tf_type() {
                Some(("resource", "azurerm_mssql_server_extended_auditing_policy")) => {
                    short_retention(&Self::META, r, &r.body, out);
                }
                Some(("resource", t)) if SERVERS.contains(&t) => {
                    if let Some(inline) = r
                        .body
                        .get("extended_auditing_policy")
                        .and_then(|p| p.as_list().first())
                    {
                        short_retention(&Self::META, r, inline, out);
                        continue;
                    }
                    let audited = cx.resources.iter().any(|p| {
                        p.tf_type()
                            == Some(("resource", "azurerm_mssql_server_extended_auditing_policy"))
                            && p.body
                                .get("server_id")
                                .and_then(|id| referenced(cx.resources, id, SERVERS))
                                .is_some_and(|s| s.name == r.name)
                    });
                    if !audited {
                        out.push(Finding::on(
                            &Self::META,
                            r,
                            r.head,
                            format!("{} has no auditing (no azurerm_mssql_server_extended_auditing_policy configures it)", r.name),
                        )
                        .about("auditing"));
                    }
                }
                _ => {}
            }
        }
    }
}
