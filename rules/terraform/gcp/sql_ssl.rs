use crate::fix::Applicability;
use crate::model::Resource;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A `google_sql_database_instance` whose `settings.ip_configuration.ssl_mode` is
    /// `ALLOW_UNENCRYPTED_AND_ENCRYPTED`, or unset (that is the provider default) while the older
    /// `require_ssl` is not `true`.
    ///
    /// ## Why it matters
    /// Without enforced TLS, clients that do not ask for it send credentials and query results
    /// in clear text across the network; one misconfigured client is enough.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_sql_database_instance" "main" {
    ///   name             = "main"
    ///   database_version = "POSTGRES_15"
    ///
    ///   settings {
    ///     tier = "db-f1-micro"
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "google_sql_database_instance" "main" {
    ///   name             = "main"
    ///   database_version = "POSTGRES_15"
    ///
    ///   settings {
    ///     tier = "db-f1-micro"
    ///
    ///     ip_configuration {
    ///       ssl_mode = "ENCRYPTED_ONLY"
    ///     }
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: clients that connect without TLS are refused until they enable it.
    ///
    /// ## References
    /// - https://cloud.google.com/sql/docs/postgres/configure-ssl-instance
    pub struct SqlSsl {
        code: "TF-GCP-005",
        name: "sql-ssl",
        title: "Cloud SQL instance accepts unencrypted connections",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "sql", "encryption"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_6")],
            trivy: &[Peer::exact("GCP-0015")],
            kics: &[Peer::exact("SQL DB Instance With SSL Disabled")],
            ..Equivalents::NONE
        },
        compliance: &["CIS GCP Foundations 6.4", "NIST 800-53 SC-8"],
        references: &["https://cloud.google.com/sql/docs/postgres/configure-ssl-instance"],
    }
}

const SETTING: Setting = Setting {
    types: &["google_sql_database_instance"],
    path: &["settings", "ip_configuration", "ssl_mode"],
    want: Want::OneOf {
        allowed: &["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"],
        default: Some("ALLOW_UNENCRYPTED_AND_ENCRYPTED"),
    },
    fix: Some(("\"ENCRYPTED_ONLY\"", Applicability::Unsafe)),
    skip: Some(requires_ssl),
};

/// The deprecated `require_ssl = true` enforces TLS when `ssl_mode` is unset.
fn requires_ssl(r: &Resource) -> bool {
    crate::rules::terraform::setting::lookup(
        &r.body,
        &["settings", "ip_configuration", "require_ssl"],
    )
    .and_then(crate::model::Node::as_bool)
        == Some(true)
}

impl Check for SqlSsl {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `ssl_mode = {}`: unencrypted connections are accepted", r.name, v.display()),
            None => format!("{} leaves `ssl_mode` unset (the provider default is ALLOW_UNENCRYPTED_AND_ENCRYPTED): unencrypted connections are accepted", r.name),
        });
    }
}
