use super::super::helpers::UnconfinedProfile;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// seccomp switched off: `seccompProfile.type: Unconfined` in the pod's or a container's
    /// `securityContext`, or the legacy annotations
    /// `seccomp.security.alpha.kubernetes.io/pod: unconfined` and
    /// `container.seccomp.security.alpha.kubernetes.io/<container>: unconfined`.
    ///
    /// A missing profile is the business of `seccomp-required` (Restricted level).
    ///
    /// ## Why it matters
    /// The runtime's default seccomp profile blocks some fifty system calls that containers
    /// never need and that most kernel exploits do (`keyctl`, `unshare`, `bpf`…).
    /// `Unconfined` hands the whole kernel surface to the container. The Pod Security
    /// Standards Baseline level forbids it.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   seccompProfile:
    ///     type: Unconfined
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   seccompProfile:
    ///     type: RuntimeDefault
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a workload that makes a blocked system call fails.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tutorials/security/seccomp/
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub struct SeccompUnconfined {
        code: "K8S-015",
        name: "seccomp-unconfined",
        title: "seccomp switched off",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-baseline", "linux-hardening"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_K8S_31", "requires RuntimeDefault; seccomp-required covers a missing profile, this rule an explicit Unconfined one")],
            trivy: &[Peer::exact("KSV-0104")],
            kics: &[Peer::partial("Seccomp Profile Is Not Configured", "requires a profile; seccomp-required covers a missing profile, this rule an explicit Unconfined one")],
            kubescape: &[Peer::partial("C-0210", "requires RuntimeDefault; this rule flags an explicit Unconfined profile")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Baseline: Seccomp", "CIS Kubernetes 5.7.2"],
        references: &["https://kubernetes.io/docs/tutorials/security/seccomp/"],
    }
}

impl Check for SeccompUnconfined {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        UnconfinedProfile {
            field: "seccompProfile",
            pod_annotation: Some("seccomp.security.alpha.kubernetes.io/pod"),
            container_annotation: "container.seccomp.security.alpha.kubernetes.io/",
            without: "a seccomp filter",
            what: "the seccomp profile",
        }
        .check(&Self::META, cx, out);
    }
}
