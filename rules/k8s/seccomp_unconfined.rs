use super::super::helpers::UnconfinedProfile;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// seccomp switched off: `seccompProfile.type: Unconfined` (or any type but
    /// `RuntimeDefault` and `Localhost`) in the pod's or a container's `securityContext`. As
    /// in the Pod Security Standards, with a `kubernetes-version` before 1.19 the legacy
    /// annotations are judged instead: `seccomp.security.alpha.kubernetes.io/pod` and
    /// `container.seccomp.security.alpha.kubernetes.io/<container>` must be
    /// `runtime/default`, `docker/default` or `localhost/<profile>`. From 1.19 only the fields
    /// are judged (the annotations are deprecated).
    ///
    /// A missing profile is the business of `seccomp-required` (Restricted level).
    ///
    /// In Terraform's Kubernetes provider a `seccomp_profile {}` block without `type` is
    /// flagged too: the provider defaults the type to `Unconfined`.
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
        let fields = crate::k8s::pss::Version::of(cx.settings.kubernetes_version.as_deref())
            .has(crate::k8s::pss::Change::SeccompFields);
        UnconfinedProfile {
            field: "seccompProfile",
            annotation_allowed: crate::k8s::pss::allowed_seccomp_annotation,
            fields,
            annotations: !fields,
            pod_annotation: Some("seccomp.security.alpha.kubernetes.io/pod"),
            container_annotation: "container.seccomp.security.alpha.kubernetes.io/",
            without: "a seccomp filter",
            what: "the seccomp profile",
        }
        .check(&Self::META, cx, out);
    }
}
