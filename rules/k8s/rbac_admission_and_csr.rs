use super::super::helpers::RbacGrant;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A Role or ClusterRole that can change admission webhooks (`create`, `update`,
    /// `patch`, `delete` on `mutatingwebhookconfigurations` or
    /// `validatingwebhookconfigurations`) or approve certificate signing requests (`update`
    /// or `patch` on `certificatesigningrequests/approval`, or `approve` on `signers`).
    /// Built-in `system:` roles are not checked, nor namespaced Roles: these resources are
    /// cluster-scoped, and a Role's rules cannot grant them.
    ///
    /// A rule that grants everything (`*` verbs on `*` resources) is reported once by
    /// K8S-034 `rbac-escalation`, which names this consequence among the others.
    ///
    /// ## Why it matters
    /// A mutating webhook sees and can rewrite every object created in the cluster, Secrets
    /// included; deleting a validating webhook switches off a policy engine. Approving CSRs
    /// mints client certificates for any identity a signer accepts, such as nodes.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["admissionregistration.k8s.io"]
    ///     resources: ["mutatingwebhookconfigurations"]
    ///     verbs: ["create", "patch"]
    /// ```
    ///
    /// ## Use instead
    /// Only the component that owns a webhook manages it, limited with `resourceNames`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#control-admission-webhooks
    /// - https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization
    pub struct RbacAdmissionAndCsr {
        code: "K8S-037",
        name: "rbac-admission-and-csr",
        title: "RBAC role can change admission webhooks or approve certificates",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "rbac", "least-privilege"],
        severity: Severity::High,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_155").about("webhooks"), Peer::exact("CKV_K8S_156").about("csr")],
            trivy: &[Peer::exact("KSV-0114").about("webhooks")],
            kubescape: &[Peer::exact("C-0281").about("webhooks"), Peer::exact("C-0280").about("csr")],
            ..Equivalents::NONE
        },
        compliance: &["MITRE ATT&CK T1556"],
        references: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#control-admission-webhooks"],
    }
}

impl Check for RbacAdmissionAndCsr {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut found = Vec::new();
        RbacGrant {
            verbs: &["create", "update", "patch", "delete"],
            resources: &[
                "admissionregistration.k8s.io:mutatingwebhookconfigurations",
                "admissionregistration.k8s.io:validatingwebhookconfigurations",
            ],
            allows: "change admission webhooks",
            cluster_scoped: true,
            about: &[(
                "webhooks",
                &["create", "update", "patch", "delete"],
                &[
                    "admissionregistration.k8s.io:mutatingwebhookconfigurations",
                    "admissionregistration.k8s.io:validatingwebhookconfigurations",
                ],
            )],
        }
        .check(&Self::META, cx, &mut found);
        RbacGrant {
            verbs: &["update", "patch"],
            resources: &["certificates.k8s.io:certificatesigningrequests/approval"],
            allows: "approve certificate signing requests",
            cluster_scoped: true,
            about: &[(
                "csr",
                &["update", "patch"],
                &["certificates.k8s.io:certificatesigningrequests/approval"],
            )],
        }
        .check(&Self::META, cx, &mut found);
        RbacGrant {
            verbs: &["approve"],
            resources: &["certificates.k8s.io:signers"],
            allows: "approve certificates for a signer",
            cluster_scoped: true,
            about: &[("csr", &["approve"], &["certificates.k8s.io:signers"])],
        }
        .check(&Self::META, cx, &mut found);
        let mut seen = std::collections::HashSet::new();
        out.extend(found.into_iter().filter(|f| seen.insert((f.file, f.span))));
    }
}
