use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `azurerm_kubernetes_cluster` whose `network_profile.network_policy` is unset (also
    /// when there is no `network_profile`): no network policy engine is installed.
    ///
    /// ## Why it matters
    /// Without an engine, `NetworkPolicy` objects are accepted and ignored: every pod reaches
    /// every other pod, so one compromised workload reaches the rest.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_kubernetes_cluster" "main" {
    ///   name = "main"
    ///
    ///   network_profile {
    ///     network_plugin = "azure"
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_kubernetes_cluster" "main" {
    ///   name = "main"
    ///
    ///   network_profile {
    ///     network_plugin = "azure"
    ///     network_policy = "cilium"
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/use-network-policies
    pub struct AksNetworkPolicy {
        code: "TF-AZURE-013",
        name: "aks-network-policy",
        title: "AKS cluster does not enforce network policies",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "aks", "network"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_7")],
            trivy: &[Peer::exact("AZU-0043")],
            kics: &[Peer::exact("AKS Network Policy Misconfigured")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 SC-7"],
        references: &["https://learn.microsoft.com/azure/aks/use-network-policies"],
    }
}

const SETTING: Setting = Setting {
    types: &["azurerm_kubernetes_cluster"],
    path: &["network_profile", "network_policy"],
    want: Want::Present,
    fix: None,
    skip: None,
};

impl Check for AksNetworkPolicy {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!(
                "{} sets an empty `network_policy` ({})",
                r.name,
                v.display()
            ),
            None => format!(
                "{} has no `network_policy`: network policies are not enforced",
                r.name
            ),
        });
    }
}
