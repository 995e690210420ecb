use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A `google_container_cluster` whose `private_cluster_config.enable_private_nodes` is
    /// `false` or unset (the provider default is `false`): every node gets a public IP address.
    ///
    /// ## Why it matters
    /// Nodes with public addresses are reachable from the internet on any port a firewall rule
    /// or a `NodePort`/`hostPort` opens, and pods egress from them directly. Private nodes reach the
    /// internet through Cloud NAT only.
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
    ///   private_cluster_config {
    ///     enable_private_nodes   = true
    ///     master_ipv4_cidr_block = "172.16.0.0/28"
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://cloud.google.com/kubernetes-engine/docs/concepts/private-cluster-concept
    pub struct GkePrivateNodes {
        code: "TF-GCP-010",
        name: "gke-private-nodes",
        title: "GKE nodes have public IP addresses",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "gke", "public-access"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_25"), Peer::partial("CKV_GCP_64", "also requires a private endpoint")],
            trivy: &[Peer::exact("GCP-0059")],
            kics: &[Peer::partial("Private Cluster Disabled", "also requires a private endpoint")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 SC-7"],
        references: &["https://cloud.google.com/kubernetes-engine/docs/concepts/private-cluster-concept"],
    }
}

const SETTING: Setting = Setting {
    types: &["google_container_cluster"],
    path: &["private_cluster_config", "enable_private_nodes"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: None,
    skip: None,
};

impl Check for GkePrivateNodes {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `enable_private_nodes = {}`: its nodes have public IP addresses", r.name, v.display()),
            None => format!("{} leaves `enable_private_nodes` unset (the provider default is false): its nodes have public IP addresses", r.name),
        });
    }
}
