use crate::k8s::is_system;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A RoleBinding or ClusterRoleBinding that binds `cluster-admin`, or that binds any role
    /// to a subject that means "everyone" or "root": the groups `system:anonymous`,
    /// `system:unauthenticated`, `system:authenticated` and `system:masters`, or the user
    /// `system:anonymous`. Built-in `system:` bindings are not checked.
    ///
    /// ## Why it matters
    /// `cluster-admin` is every permission in the cluster. `system:authenticated` includes
    /// every service account and, on managed clusters, every holder of a cloud identity;
    /// `system:anonymous` and `system:unauthenticated` are anyone who can reach the API
    /// server; `system:masters` bypasses RBAC entirely and cannot be revoked.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}
    /// subjects:
    ///   - {kind: ServiceAccount, name: deployer, namespace: ci}
    /// ```
    ///
    /// ## Use instead
    /// A role with the permissions the subject needs, bound in the namespaces where it needs
    /// them, to a named user, group or service account.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles
    pub struct RbacBindingSubjects {
        code: "K8S-038",
        name: "rbac-binding-subjects",
        title: "Binding grants cluster-admin or binds everyone",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "rbac", "least-privilege"],
        severity: Severity::Critical,
        equivalents: Equivalents {
            trivy: &[Peer::exact("KSV-0111").about("cluster-admin"), Peer::exact("KSV-0122").about("system:anonymous"), Peer::exact("KSV-01011").about("system:authenticated"), Peer::exact("KSV-0123").about("system:masters")],
            kics: &[Peer::exact("Cluster Admin Rolebinding With Superuser Permissions").about("cluster-admin")],
            kube_linter: &[Peer::exact("cluster-admin-role-binding").about("cluster-admin")],
            polaris: &[Peer::exact("clusterrolebindingClusterAdmin").about("cluster-admin"), Peer::exact("rolebindingClusterAdminClusterRole").about("cluster-admin")],
            kubescape: &[Peer::exact("C-0185").about("cluster-admin"), Peer::exact("C-0262").about("system:anonymous"), Peer::exact("C-0265").about("system:authenticated"), Peer::exact("C-0246").about("system:masters")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Kubernetes 5.1.1", "MITRE ATT&CK T1078.004"],
        references: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege"],
    }
}

const EVERYONE: &[(&str, &str)] = &[
    ("system:anonymous", "anyone who can reach the API server"),
    (
        "system:unauthenticated",
        "anyone who can reach the API server",
    ),
    (
        "system:authenticated",
        "every authenticated identity, service accounts included",
    ),
    ("system:masters", "a group that bypasses RBAC"),
];

impl Check for RbacBindingSubjects {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for resource in cx.resources {
            if !matches!(
                resource.k8s_kind(),
                Some("RoleBinding" | "ClusterRoleBinding")
            ) || is_system(resource)
            {
                continue;
            }
            if let Some(name) = resource.body.at(&["roleRef", "name"]) {
                if name.as_str() == Some("cluster-admin") {
                    out.push(
                        Finding::on(
                            &Self::META,
                            resource,
                            name.span,
                            format!(
                                "{} grants cluster-admin, every permission in the cluster",
                                resource.name
                            ),
                        )
                        .about("cluster-admin"),
                    );
                }
            }
            for subject in resource
                .body
                .get("subjects")
                .map(|s| s.as_list())
                .unwrap_or_default()
            {
                let Some(name) = subject.get("name") else {
                    continue;
                };
                let Some(text) = name.as_str() else { continue };
                let Some((_, who)) = EVERYONE.iter().find(|(n, _)| *n == text) else {
                    continue;
                };
                out.push(
                    Finding::on(
                        &Self::META,
                        resource,
                        name.span,
                        format!("{} binds `{text}`: {who}", resource.name),
                    )
                    // Anonymous requests are the user `system:anonymous` in the group
                    // `system:unauthenticated`: the peers' anonymous-access checks cover both.
                    .about(if text == "system:unauthenticated" {
                        "system:anonymous"
                    } else {
                        text
                    }),
                );
            }
        }
    }
}
