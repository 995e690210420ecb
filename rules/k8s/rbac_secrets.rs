use super::super::helpers::RbacGrant;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A Role or ClusterRole that allows reading Secrets: `get`, `list` or `watch` (or `*`)
    /// on `secrets` in the core API group. Built-in `system:` roles are not checked.
    ///
    /// A rule that grants everything (`*` verbs on `*` resources) is reported once by
    /// K8S-034 `rbac-escalation`, which names this consequence among the others.
    ///
    /// ## Why it matters
    /// Secrets hold service-account tokens, TLS keys and database passwords: read access to
    /// them in a namespace is access to everything those credentials open. `list` and
    /// `watch` return every Secret's contents, not just names.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["secrets"]
    ///     verbs: ["get", "list"]
    /// ```
    ///
    /// ## Use instead
    /// Mount the one Secret the workload needs as a volume or `secretKeyRef`; when the API
    /// really is needed, restrict the rule with `resourceNames`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets
    pub struct RbacSecrets {
        code: "K8S-033",
        name: "rbac-secrets",
        title: "RBAC role can read Secrets",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "rbac", "secrets"],
        severity: Severity::High,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV2_K8S_5")],
            trivy: &[Peer::partial("KSV-0041", "also flags writing Secrets, in ClusterRoles"), Peer::partial("KSV-0113", "also flags writing Secrets, in namespaced Roles")],
            kics: &[Peer::exact("Service Account Allows Access Secrets"), Peer::exact("RBAC Roles with Read Secrets Permissions"), Peer::partial("ServiceAccount Allows Access Secrets", "roles bound to service accounts only")],
            kube_linter: &[Peer::exact("access-to-secrets")],
            kubescape: &[Peer::exact("C-0015")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Kubernetes 5.1.2", "MITRE ATT&CK T1552.007"],
        references: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets"],
    }
}

impl Check for RbacSecrets {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        RbacGrant {
            verbs: &["get", "list", "watch"],
            resources: &["secrets"],
            allows: "read Secrets",
            cluster_scoped: false,
            about: &[],
        }
        .check(&Self::META, cx, out);
    }
}
