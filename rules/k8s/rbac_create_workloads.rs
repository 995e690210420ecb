use super::super::helpers::RbacGrant;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A Role or ClusterRole that allows creating pods or the workloads that create them
    /// (`create` on pods, deployments, replicasets, statefulsets, daemonsets, jobs,
    /// cronjobs, replicationcontrollers). Built-in `system:` roles are not checked.
    ///
    /// A rule that grants everything (`*` verbs on `*` resources) is reported once by
    /// K8S-034 `rbac-escalation`, which names this consequence among the others.
    ///
    /// ## Why it matters
    /// Whoever creates a pod chooses its service account, its mounts and its image: in a
    /// namespace without an enforced Pod Security level that is every secret and token in the
    /// namespace, and a privileged pod on a node. Controllers and CI deployers need it; most
    /// subjects do not.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["deployments"]
    ///     verbs: ["create", "update"]
    /// ```
    ///
    /// ## Use instead
    /// Give deploy rights to the deployment pipeline's identity only, in namespaces that
    /// enforce a Pod Security level.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation
    pub struct RbacCreateWorkloads {
        code: "K8S-036",
        name: "rbac-create-workloads",
        title: "RBAC role can create pods or workloads",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "rbac", "least-privilege"],
        severity: Severity::Medium,
        equivalents: Equivalents {
            trivy: &[Peer::partial("KSV-0048", "also flags update and delete of workloads")],
            kics: &[Peer::exact("Permissive Access to Create Pods")],
            kube_linter: &[Peer::exact("access-to-create-pods")],
            kubescape: &[Peer::exact("C-0188")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Kubernetes 5.1.4"],
        references: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation"],
    }
}

impl Check for RbacCreateWorkloads {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        RbacGrant {
            verbs: &["create"],
            resources: &[
                "pods",
                "replicationcontrollers",
                "apps:deployments",
                "apps:replicasets",
                "apps:statefulsets",
                "apps:daemonsets",
                "batch:jobs",
                "batch:cronjobs",
            ],
            allows: "create pods, choosing their service account and mounts",
            cluster_scoped: false,
            about: &[],
        }
        .check(&Self::META, cx, out);
    }
}
