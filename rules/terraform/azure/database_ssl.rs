use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// `azurerm_postgresql_server`, `azurerm_mysql_server` or `azurerm_mariadb_server` with
    /// `ssl_enforcement_enabled = false` or an `ssl_minimal_tls_version_enforced` of `TLS1_0`,
    /// `TLS1_1` or `TLSEnforcementDisabled`; and, for flexible servers, an
    /// `azurerm_postgresql_flexible_server_configuration` or `azurerm_mysql_flexible_server_configuration`
    /// setting `require_secure_transport` to `off` (flexible servers require TLS unless told
    /// otherwise).
    ///
    /// ## Why it matters
    /// Without enforced TLS, clients that do not ask for it send the database password and
    /// query results in clear text.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_postgresql_flexible_server_configuration" "tls" {
    ///   name      = "require_secure_transport"
    ///   server_id = azurerm_postgresql_flexible_server.main.id
    ///   value     = "off"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_postgresql_flexible_server" "main" {
    ///   name    = "example-pg"
    ///   version = "16"
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-ssl-tls
    pub struct DatabaseSsl {
        code: "TF-AZURE-009",
        name: "database-ssl",
        title: "PostgreSQL or MySQL server accepts unencrypted connections",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "sql", "encryption"],
        severity: Severity::High,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_AZURE_29", "only PostgreSQL single servers"), Peer::partial("CKV_AZURE_28", "only MySQL single servers")],
            trivy: &[Peer::exact("AZU-0020"), Peer::partial("AZU-0026", "only the minimum TLS version")],
            kics: &[Peer::partial("SSL Enforce Disabled", "only PostgreSQL single servers"), Peer::partial("MySQL SSL Connection Disabled", "only MySQL single servers")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Azure Foundations 4.3.1", "CIS Azure Foundations 4.4.1", "NIST 800-53 SC-8"],
        references: &["https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-ssl-tls"],
    }
}

const SERVERS: &[&str] = &[
    "azurerm_postgresql_server",
    "azurerm_mysql_server",
    "azurerm_mariadb_server",
];
const CONFIGS: &[&str] = &[
    "azurerm_postgresql_flexible_server_configuration",
    "azurerm_mysql_flexible_server_configuration",
];

impl Check for DatabaseSsl {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx.resources {
            match r.tf_type() {
                Some(("resource", t)) if SERVERS.contains(&t) => {
                    if let Some(v) = r
                        .body
                        .get("ssl_enforcement_enabled")
                        .filter(|v| v.as_bool() == Some(false))
                    {
                        out.push(
                            Finding::on(&Self::META, r, v.span, format!("{} sets `ssl_enforcement_enabled = false`: unencrypted connections are accepted", r.name))
                                .with_origin(v, r.file, "the value"),
                        );
                    }
                    if let Some(v) = r.body.get("ssl_minimal_tls_version_enforced").filter(|v| {
                        matches!(
                            v.as_str(),
                            Some("TLS1_0" | "TLS1_1" | "TLSEnforcementDisabled")
                        )
                    }) {
                        out.push(
                            Finding::on(
                                &Self::META,
                                r,
                                v.span,
                                format!(
                                    "{} sets `ssl_minimal_tls_version_enforced = {}`",
                                    r.name,
                                    v.display()
                                ),
                            )
                            .with_origin(v, r.file, "the value"),
                        );
                    }
                }
                Some(("resource", t)) if CONFIGS.contains(&t) => {
                    let name = r.body.get("name").and_then(Node::as_str);
                    let Some(v) = r
                        .body
                        .get("value")
                        .filter(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("off")))
                    else {
                        continue;
                    };
                    if name == Some("require_secure_transport") {
                        out.push(
                            Finding::on(&Self::META, r, v.span, format!("{} turns `require_secure_transport` off: unencrypted connections are accepted", r.name))
                                .with_origin(v, r.file, "the value"),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
