use super::super::helpers::RbacGrant;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A Role or ClusterRole that lets its subjects grant themselves more: `escalate` or
    /// `bind` on roles and cluster roles, `impersonate` on users, groups or service accounts,
    /// or write access (`create`, `update`, `patch`) to roles, cluster roles and their
    /// bindings. Built-in `system:` roles are not checked. A rule that grants everything
    /// (`*` verbs on `*` resources) is reported here once, with what else it allows (reading
    /// Secrets, exec into pods, creating pods, for a ClusterRole changing admission webhooks):
    /// the other RBAC rules leave it to this one.
    ///
    /// ## Why it matters
    /// RBAC normally stops a subject from granting permissions it does not hold. `escalate`
    /// and `bind` lift that check; `impersonate` lets it act as anyone, including
    /// `system:masters`; writing bindings lets it bind itself to `cluster-admin`. Each is
    /// cluster-admin one request away.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["users", "groups"]
    ///     verbs: ["impersonate"]
    /// ```
    ///
    /// ## Use instead
    /// Give the subject the permissions it needs directly; reserve RBAC management to cluster
    /// administrators.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping
    pub struct RbacEscalation {
        code: "K8S-034",
        name: "rbac-escalation",
        title: "RBAC role can escalate its own privileges",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "rbac", "least-privilege"],
        severity: Severity::Critical,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_157").about("bind"), Peer::exact("CKV_K8S_158").about("escalate"), Peer::exact("CKV2_K8S_3").about("impersonate")],
            trivy: &[Peer::partial("KSV-0043", "only impersonation of privileged groups").about("impersonate"), Peer::partial("KSV-0050", "write access to RBAC roles and bindings").about("role-write"), Peer::partial("KSV-0051", "creating RoleBindings to a privileged role").about("role-write"), Peer::partial("KSV-0052", "creating ClusterRoleBindings to a privileged cluster role").about("role-write")],
            kics: &[Peer::exact("RBAC Roles Allow Privilege Escalation").about("bind-escalate"), Peer::exact("RBAC Roles with Impersonate Permission").about("impersonate")],
            kubescape: &[Peer::exact("C-0191").about("bind-escalate"), Peer::exact("C-0065").about("impersonate")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Kubernetes 5.1.8", "MITRE ATT&CK T1548"],
        references: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb"],
    }
}

const ROLES: &[&str] = &[
    "rbac.authorization.k8s.io:roles",
    "rbac.authorization.k8s.io:clusterroles",
];

impl Check for RbacEscalation {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let rbac = ROLES;
        let grants = [
            RbacGrant {
                verbs: &["escalate", "bind"],
                resources: rbac,
                allows: "grant permissions they do not hold",
                cluster_scoped: false,
                about: &[
                    ("bind-escalate", &["escalate", "bind"], ROLES),
                    ("bind", &["bind"], ROLES),
                    ("escalate", &["escalate"], ROLES),
                ],
            },
            RbacGrant {
                verbs: &["impersonate"],
                resources: &["users", "groups", "serviceaccounts"],
                allows: "impersonate other identities",
                cluster_scoped: false,
                about: &[(
                    "impersonate",
                    &["impersonate"],
                    &["users", "groups", "serviceaccounts"],
                )],
            },
            RbacGrant {
                verbs: &["create", "update", "patch"],
                resources: &[
                    "rbac.authorization.k8s.io:rolebindings",
                    "rbac.authorization.k8s.io:clusterrolebindings",
                    "rbac.authorization.k8s.io:roles",
                    "rbac.authorization.k8s.io:clusterroles",
                ],
                allows: "write RBAC roles or bindings",
                cluster_scoped: false,
                about: &[(
                    "role-write",
                    &["create", "update", "patch"],
                    &[
                        "rbac.authorization.k8s.io:rolebindings",
                        "rbac.authorization.k8s.io:clusterrolebindings",
                        "rbac.authorization.k8s.io:roles",
                        "rbac.authorization.k8s.io:clusterroles",
                    ],
                )],
            },
        ];
        // `*` on `*`: one finding here, the strongest consequence, naming the others (the
        // other RBAC rules leave such a rule to it; the wildcard rule reports the `*` itself).
        let mut found = Vec::new();
        super::super::helpers::everything_granted(&Self::META, cx, &mut found);
        for g in &grants {
            g.check(&Self::META, cx, &mut found);
        }
        // One finding per rule entry: the first reason found.
        let mut seen = std::collections::HashSet::new();
        out.extend(found.into_iter().filter(|f| seen.insert((f.file, f.span))));
    }
}
