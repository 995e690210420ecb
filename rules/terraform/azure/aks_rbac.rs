use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `azurerm_kubernetes_cluster` with `role_based_access_control_enabled = false`
    /// (provider 3.x and later; default `true`) or a 2.x `role_based_access_control { enabled = false }`.
    ///
    /// ## Why it matters
    /// Without RBAC every authenticated identity — including every pod's service account — is
    /// effectively cluster administrator.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_kubernetes_cluster" "main" {
    ///   name                              = "main"
    ///   role_based_access_control_enabled = false
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_kubernetes_cluster" "main" {
    ///   name = "main"
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: changing it recreates the cluster.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/concepts-identity#kubernetes-rbac
    pub struct AksRbac {
        code: "TF-AZURE-012",
        name: "aks-rbac",
        title: "AKS cluster has Kubernetes RBAC turned off",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "aks", "access-control"],
        severity: Severity::High,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AZURE_5")],
            trivy: &[Peer::exact("AZU-0042")],
            kics: &[Peer::exact("AKS RBAC Disabled")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 AC-3"],
        references: &["https://learn.microsoft.com/azure/aks/concepts-identity#kubernetes-rbac"],
    }
}

const SETTINGS: [Setting; 2] = [
    Setting {
        types: &["azurerm_kubernetes_cluster"],
        path: &["role_based_access_control_enabled"],
        want: Want::Bool {
            want: true,
            default: true,
        },
        fix: Some(("true", Applicability::Unsafe)),
        skip: None,
    },
    Setting {
        types: &["azurerm_kubernetes_cluster"],
        path: &["role_based_access_control", "enabled"],
        want: Want::Bool {
            want: true,
            default: true,
        },
        fix: Some(("true", Applicability::Unsafe)),
        skip: None,
    },
];

impl Check for AksRbac {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for setting in &SETTINGS {
            setting.report(&Self::META, cx, out, |r, _| {
                format!(
                    "{} turns Kubernetes RBAC off: every identity acts as administrator",
                    r.name
                )
            });
        }
    }
}
