use crate::k8s::policy_rules;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A Role or ClusterRole rule with `*` in `verbs`, `resources` or `apiGroups`. Built-in
    /// `system:` roles are not checked.
    ///
    /// ## Why it matters
    /// A wildcard grants everything that exists now and everything added later (new
    /// resources, custom resources, new verbs): `verbs: ["*"]` on `secrets` includes reading
    /// them all, `resources: ["*"]` includes `pods/exec` and RBAC objects themselves, which is
    /// cluster-admin by another name.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["*"]
    ///     resources: ["*"]
    ///     verbs: ["*"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["deployments"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
    pub struct RbacWildcard {
        code: "K8S-032",
        name: "rbac-wildcard",
        title: "RBAC rule grants `*`",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "rbac", "least-privilege"],
        severity: Severity::High,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_49")],
            trivy: &[Peer::partial("KSV-0044", "only `*` verbs together with `*` resources"), Peer::partial("KSV-0045", "only `*` in verbs"), Peer::partial("KSV-0046", "only `*` resources in a ClusterRole"), Peer::partial("KSV-0112", "only `*` resources in a namespaced Role")],
            kics: &[Peer::exact("RBAC Wildcard In Rule")],
            kube_linter: &[Peer::exact("wildcard-in-rules")],
            kubescape: &[Peer::exact("C-0187")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Kubernetes 5.1.3", "MITRE ATT&CK T1078.004"],
        references: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
    }
}

impl Check for RbacWildcard {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for resource in cx.resources {
            for rule in policy_rules(resource) {
                let Some((what, node)) = rule.wildcard() else {
                    continue;
                };
                out.push(
                    Finding::on(
                        &Self::META,
                        resource,
                        node.span,
                        format!(
                            "{} grants every {} (`*`)",
                            resource.name,
                            match what {
                                "verbs" => "verb",
                                "resources" => "resource",
                                _ => "API group",
                            }
                        ),
                    )
                    .within(rule.node.span),
                );
            }
        }
    }
}
