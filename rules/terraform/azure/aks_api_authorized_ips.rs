use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::lookup;

crate::declare_rule! {
    /// ## What it flags
    /// A public `azurerm_kubernetes_cluster` (`private_cluster_enabled` unset or `false`) with no
    /// authorized IP ranges: `api_server_access_profile.authorized_ip_ranges` (3.x and later) and the
    /// 2.x `api_server_authorized_ip_ranges` both unset or empty.
    ///
    /// ## Why it matters
    /// The Kubernetes API is then reachable from the whole internet, leaving stolen credentials
    /// and API-server vulnerabilities as the only barrier.
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
    ///   name = "main"
    ///
    ///   api_server_access_profile {
    ///     authorized_ip_ranges = ["203.0.113.0/24"]
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges
    pub struct AksApiAuthorizedIps {
        code: "TF-AZURE-014",
        name: "aks-api-authorized-ips",
        title: "AKS API server accepts connections from any address",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "aks", "public-access"],
        severity: Severity::High,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_6")],
            trivy: &[Peer::exact("AZU-0041")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 SC-7"],
        references: &["https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges"],
    }
}

impl Check for AksApiAuthorizedIps {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx
            .resources
            .iter()
            .filter(|r| r.tf_type() == Some(("resource", "azurerm_kubernetes_cluster")))
        {
            if r.body
                .get("private_cluster_enabled")
                .and_then(Node::as_bool)
                == Some(true)
            {
                continue;
            }
            let ranges = [
                lookup(
                    &r.body,
                    &["api_server_access_profile", "authorized_ip_ranges"],
                ),
                r.body.get("api_server_authorized_ip_ranges"),
            ];
            if ranges
                .iter()
                .flatten()
                .any(|v| v.is_unknown() || !v.as_list().is_empty())
            {
                continue;
            }
            out.push(Finding::on(
                &Self::META,
                r,
                r.head,
                format!("{} has a public API server with no authorized IP ranges: it accepts connections from any address", r.name),
            ));
        }
    }
}
