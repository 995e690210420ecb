use crate::fix::Applicability;
use crate::model::Resource;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A `google_compute_subnetwork` without a `log_config` block (flow logs are off unless it
    /// is present). Proxy-only, Private Service Connect and private NAT subnets, which do not
    /// support flow logs, are not flagged.
    ///
    /// ## Why it matters
    /// Flow logs are the record of which addresses talked to which, on what port: without them
    /// lateral movement and exfiltration from the subnet leave no network trace.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_compute_subnetwork" "app" {
    ///   name          = "app"
    ///   network       = google_compute_network.main.id
    ///   ip_cidr_range = "10.0.0.0/24"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "google_compute_subnetwork" "app" {
    ///   name          = "app"
    ///   network       = google_compute_network.main.id
    ///   ip_cidr_range = "10.0.0.0/24"
    ///
    ///   log_config {
    ///     aggregation_interval = "INTERVAL_5_SEC"
    ///     flow_sampling        = 0.5
    ///     metadata             = "INCLUDE_ALL_METADATA"
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: flow logs are billed by volume in Cloud Logging.
    ///
    /// ## References
    /// - https://cloud.google.com/vpc/docs/using-flow-logs
    pub struct VpcFlowLogs {
        code: "TF-GCP-019",
        name: "vpc-flow-logs",
        title: "VPC subnet has no flow logs",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "network", "logging"],
        severity: Severity::Low,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_26")],
            trivy: &[Peer::exact("GCP-0029")],
            ..Equivalents::NONE
        },
        compliance: &["CIS GCP Foundations 3.8", "NIST 800-53 AU-12"],
        references: &["https://cloud.google.com/vpc/docs/using-flow-logs"],
    }
}

const SETTING: Setting = Setting {
    types: &["google_compute_subnetwork"],
    path: &["log_config", "metadata"],
    want: Want::Present,
    fix: Some(("\"INCLUDE_ALL_METADATA\"", Applicability::Unsafe)),
    skip: Some(no_flow_logs),
};

/// Subnets that have flow logs configured, or whose `purpose` has none (proxy-only and
/// Private Service Connect subnets) or is not known before apply (a conditional on a variable):
/// which subnets a module creates is then not known either.
fn no_flow_logs(r: &Resource) -> bool {
    let purpose = r.body.get("purpose");
    r.body
        .get("log_config")
        .is_some_and(|c| !c.as_list().is_empty())
        || purpose.is_some_and(|p| p.is_unknown())
        || purpose
            .and_then(crate::model::Node::as_str)
            .is_some_and(|p| !matches!(p, "PRIVATE" | "PRIVATE_RFC_1918"))
}

impl Check for VpcFlowLogs {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `log_config` metadata to {}", r.name, v.display()),
            None => format!("{} has no `log_config`: its flow logs are off", r.name),
        });
    }
}
