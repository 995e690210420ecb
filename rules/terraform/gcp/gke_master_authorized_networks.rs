use crate::model::Resource;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A `google_container_cluster` without a `master_authorized_networks_config` block: its
    /// public control-plane endpoint accepts connections from any address. Clusters whose
    /// `private_cluster_config.enable_private_endpoint` is `true` have no public endpoint and are
    /// not flagged.
    ///
    /// ## Why it matters
    /// The Kubernetes API is then reachable by anyone who finds the address, leaving stolen
    /// credentials and API-server vulnerabilities as the only barrier.
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
    ///   name     = "main"
    ///   location = "europe-west1"
    ///
    ///   master_authorized_networks_config {
    ///     cidr_blocks {
    ///       cidr_block   = "203.0.113.0/24"
    ///       display_name = "office"
    ///     }
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks
    pub struct GkeMasterAuthorizedNetworks {
        code: "TF-GCP-009",
        name: "gke-master-authorized-networks",
        title: "GKE control plane accepts connections from any address",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "gke", "public-access"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_20")],
            trivy: &[Peer::exact("GCP-0061")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 SC-7"],
        references: &["https://cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks"],
    }
}

const SETTING: Setting = Setting {
    types: &["google_container_cluster"],
    path: &["master_authorized_networks_config"],
    want: Want::Present,
    fix: None,
    skip: Some(private_endpoint),
};

fn private_endpoint(r: &Resource) -> bool {
    crate::rules::terraform::setting::lookup(
        &r.body,
        &["private_cluster_config", "enable_private_endpoint"],
    )
    .and_then(crate::model::Node::as_bool)
        == Some(true)
}

impl Check for GkeMasterAuthorizedNetworks {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            // A `dynamic` block over an empty collection creates no block at all.
            Some(v) if v.as_list().is_empty() => format!("{} creates no `master_authorized_networks_config` (its `dynamic` block has nothing to iterate over): its control plane accepts connections from any address", r.name),
            Some(v) => format!("{} sets an empty `master_authorized_networks_config` ({})", r.name, v.display()),
            None => format!("{} has no `master_authorized_networks_config`: its control plane accepts connections from any address", r.name),
        });
    }
}
