use crate::fix::Applicability;
use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{lookup, Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A `google_sql_database_instance` with an authorized network of `0.0.0.0/0` (anyone may
    /// connect), or whose `settings.ip_configuration.ipv4_enabled` is `true` or unset (the provider
    /// default is `true`: the instance gets a public IPv4 address).
    ///
    /// ## Why it matters
    /// A database with a public address is one weak password or unpatched engine away from a
    /// breach, and `0.0.0.0/0` lets the whole internet try. Private IP (with the Cloud SQL Auth Proxy
    /// or Private Service Connect for clients outside the VPC) removes the exposure.
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
    ///       ipv4_enabled    = false
    ///       private_network = google_compute_network.main.id
    ///     }
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: clients that connect through the public address lose access; the instance
    /// also needs a `private_network` (and private services access) to stay reachable. The fix sets
    /// `ipv4_enabled = false` and is not offered for open authorized networks.
    ///
    /// ## References
    /// - https://cloud.google.com/sql/docs/mysql/configure-ip
    /// - https://cloud.google.com/sql/docs/mysql/authorize-networks
    pub struct SqlPublicIp {
        code: "TF-GCP-004",
        name: "sql-public-ip",
        title: "Cloud SQL instance has a public IP or is open to the internet",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "sql", "public-access"],
        severity: Severity::High,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_60").about("public-ip"), Peer::exact("CKV_GCP_11").about("authorized-network")],
            trivy: &[Peer::exact("GCP-0017")],
            kics: &[Peer::exact("SQL DB Instance Publicly Accessible")],
            ..Equivalents::NONE
        },
        compliance: &["CIS GCP Foundations 6.5", "CIS GCP Foundations 6.6", "NIST 800-53 SC-7"],
        references: &["https://cloud.google.com/sql/docs/mysql/configure-ip", "https://cloud.google.com/sql/docs/mysql/authorize-networks"],
    }
}

const PUBLIC_IP: Setting = Setting {
    types: &["google_sql_database_instance"],
    path: &["settings", "ip_configuration", "ipv4_enabled"],
    want: Want::Bool {
        want: false,
        default: true,
    },
    fix: Some(("false", Applicability::Unsafe)),
    skip: None,
};

impl Check for SqlPublicIp {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut open: Vec<&str> = Vec::new();
        for r in cx
            .resources
            .iter()
            .filter(|r| r.tf_type() == Some(("resource", "google_sql_database_instance")))
        {
            let networks = lookup(
                &r.body,
                &["settings", "ip_configuration", "authorized_networks"],
            );
            for n in networks.map(Node::as_list).unwrap_or_default() {
                if let Some(v) = n
                    .get("value")
                    .filter(|v| matches!(v.as_str(), Some("0.0.0.0/0" | "::/0")))
                {
                    open.push(r.name.as_str());
                    out.push(
                        Finding::on(
                            &Self::META,
                            r,
                            v.span,
                            format!(
                                "{} accepts connections from anywhere (authorized network `{}`)",
                                r.name,
                                v.display()
                            ),
                        )
                        .with_origin(v, r.file, "the network")
                        .about("authorized-network"),
                    );
                }
            }
        }
        for b in PUBLIC_IP.broken(cx.resources) {
            if open.contains(&b.resource.name.as_str()) {
                continue;
            }
            let message = match b.value {
                Some(_) => format!("{} sets `ipv4_enabled = true`: it has a public IP address", b.resource.name),
                None => format!("{} leaves `ipv4_enabled` unset (the provider default is true): it has a public IP address", b.resource.name),
            };
            out.push(
                PUBLIC_IP
                    .finding(&Self::META, cx, &b, message)
                    .about("public-ip"),
            );
        }
    }
}
