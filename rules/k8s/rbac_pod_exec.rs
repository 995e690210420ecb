use super::super::helpers::RbacGrant;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A Role or ClusterRole that allows running commands in or connecting to running pods
    /// and nodes: `pods/exec`, `pods/attach`, `pods/portforward` (`create` or `get`, which
    /// the WebSocket upgrade uses) and `nodes/proxy` (any verb). Built-in `system:` roles are
    /// not checked.
    ///
    /// A rule that grants everything (`*` verbs on `*` resources) is reported once by
    /// K8S-034 `rbac-escalation`, which names this consequence among the others.
    ///
    /// ## Why it matters
    /// `exec` and `attach` are a shell in someone else's container, with its service-account
    /// token and secrets; `portforward` reaches ports no Service exposes; `nodes/proxy` talks
    /// to the kubelet API, which runs commands in any pod on the node and bypasses audit
    /// logging of the API server.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods/exec"]
    ///     verbs: ["create"]
    /// ```
    ///
    /// ## Use instead
    /// Debug access through a break-glass role bound for a limited time, not a standing grant
    /// to a service account.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#nodes-proxy
    pub struct RbacPodExec {
        code: "K8S-035",
        name: "rbac-pod-exec",
        title: "RBAC role can exec into pods or proxy to nodes",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "rbac", "least-privilege"],
        severity: Severity::High,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV2_K8S_2", "only `create` on pods/exec and nodes/proxy")],
            trivy: &[Peer::exact("KSV-0053").about("exec"), Peer::exact("KSV-0054").about("attach"), Peer::exact("KSV-0047").about("nodes/proxy")],
            kics: &[Peer::exact("RBAC Roles with Exec Permission").about("exec"), Peer::exact("RBAC Roles with Attach Permission").about("attach"), Peer::exact("RBAC Roles with Port-Forwarding Permission").about("portforward")],
            kubescape: &[Peer::exact("C-0002").about("exec"), Peer::exact("C-0063").about("portforward")],
            ..Equivalents::NONE
        },
        compliance: &["MITRE ATT&CK T1609"],
        references: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#nodes-proxy"],
    }
}

impl Check for RbacPodExec {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut found = Vec::new();
        RbacGrant {
            verbs: &["create", "get"],
            resources: &["pods/exec", "pods/attach", "pods/portforward"],
            allows: "run commands in or connect to running pods",
            cluster_scoped: false,
            about: &[
                ("exec", &["create", "get"], &["pods/exec"]),
                ("attach", &["create", "get"], &["pods/attach"]),
                ("portforward", &["create", "get"], &["pods/portforward"]),
            ],
        }
        .check(&Self::META, cx, &mut found);
        RbacGrant {
            verbs: &[
                "get", "create", "update", "patch", "delete", "list", "watch",
            ],
            resources: &["nodes/proxy"],
            allows: "call the kubelet API through nodes/proxy",
            cluster_scoped: true,
            about: &[(
                "nodes/proxy",
                &[
                    "get", "create", "update", "patch", "delete", "list", "watch",
                ],
                &["nodes/proxy"],
            )],
        }
        .check(&Self::META, cx, &mut found);
        let mut seen = std::collections::HashSet::new();
        out.extend(found.into_iter().filter(|f| seen.insert((f.file, f.span))));
    }
}
