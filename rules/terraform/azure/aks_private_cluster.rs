use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `azurerm_kubernetes_cluster` whose `private_cluster_enabled` is `false` or unset (the
    /// provider default is `false`): the API server has a public IP address. Authorized IP ranges
    /// (see `aks-api-authorized-ips`) narrow who may connect; a private cluster removes the public
    /// endpoint.
    ///
    /// ## Why it matters
    /// A public API endpoint is discoverable and attackable from anywhere; a private cluster is
    /// only reachable from its virtual network and peered networks.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_kubernetes_cluster" "main" {
    ///   name = "main"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_kubernetes_cluster" "main" {
    ///   name                    = "main"
    ///   private_cluster_enabled = true
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/private-clusters
    pub struct AksPrivateCluster {
        code: "TF-AZURE-015",
        name: "aks-private-cluster",
        title: "AKS cluster API server has a public endpoint",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "aks", "public-access"],
        severity: Severity::Low,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_115")],
            trivy: &[Peer::exact("AZU-0065")],
            kics: &[Peer::exact("AKS Private Cluster Disabled")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 SC-7"],
        references: &["https://learn.microsoft.com/azure/aks/private-clusters"],
    }
}

const SETTING: Setting = Setting {
    types: &["azurerm_kubernetes_cluster"],
    path: &["private_cluster_enabled"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: None,
    skip: None,
};

impl Check for AksPrivateCluster {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `private_cluster_enabled = {}`: its API server is public", r.name, v.display()),
            None => format!("{} leaves `private_cluster_enabled` unset (the provider default is false): its API server is public", r.name),
        });
    }
}
