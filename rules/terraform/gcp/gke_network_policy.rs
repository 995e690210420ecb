use crate::model::Resource;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A `google_container_cluster` whose `network_policy.enabled` is `false` or unset (the
    /// provider default is `false`). Clusters on Dataplane V2 (`datapath_provider =
    /// "ADVANCED_DATAPATH"`) and Autopilot clusters enforce network policies anyway and are not
    /// flagged.
    ///
    /// ## Why it matters
    /// Without an enforcing dataplane, `NetworkPolicy` objects are accepted and ignored: every
    /// pod can reach every other pod, so one compromised workload can reach the databases and
    /// internal APIs of all the others.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_container_cluster" "main" {
    ///   name     = "main"
    ///   location = "europe-west1"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "google_container_cluster" "main" {
    ///   name              = "main"
    ///   location          = "europe-west1"
    ///   datapath_provider = "ADVANCED_DATAPATH"
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://cloud.google.com/kubernetes-engine/docs/how-to/network-policy
    pub struct GkeNetworkPolicy {
        code: "TF-GCP-011",
        name: "gke-network-policy",
        title: "GKE cluster does not enforce network policies",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "gke", "network"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_12")],
            trivy: &[Peer::exact("GCP-0056")],
            kics: &[Peer::exact("Network Policy Disabled")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 SC-7"],
        references: &["https://cloud.google.com/kubernetes-engine/docs/how-to/network-policy"],
    }
}

const SETTING: Setting = Setting {
    types: &["google_container_cluster"],
    path: &["network_policy", "enabled"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: None,
    skip: Some(enforced_anyway),
};

fn enforced_anyway(r: &Resource) -> bool {
    r.body
        .get("datapath_provider")
        .and_then(crate::model::Node::as_str)
        == Some("ADVANCED_DATAPATH")
        || r.body
            .get("enable_autopilot")
            .and_then(crate::model::Node::as_bool)
            == Some(true)
}

impl Check for GkeNetworkPolicy {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets network policy `enabled = {}`", r.name, v.display()),
            None => format!("{} does not enforce network policies (`network_policy` unset: the provider default is off)", r.name),
        });
    }
}
