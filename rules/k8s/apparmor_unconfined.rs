use super::super::helpers::UnconfinedProfile;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// AppArmor switched off: `appArmorProfile.type: Unconfined` (or any type but
    /// `RuntimeDefault` and `Localhost`) in the pod's or a container's `securityContext`
    /// (Kubernetes 1.30+), or an annotation
    /// `container.apparmor.security.beta.kubernetes.io/<container>` other than empty,
    /// `runtime/default` or `localhost/<profile>` (such as `unconfined`). As in the Pod
    /// Security Standards, both are judged whatever the `kubernetes-version`.
    ///
    /// ## Why it matters
    /// The runtime's default AppArmor profile blocks mounts, writes to `/proc` and `/sys` and
    /// other steps of known container escapes. `Unconfined` removes that layer. The Pod
    /// Security Standards Baseline level forbids it.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   appArmorProfile:
    ///     type: Unconfined
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   appArmorProfile:
    ///     type: RuntimeDefault
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a workload that needs an operation the default profile denies fails.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tutorials/security/apparmor/
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub struct AppArmorUnconfined {
        code: "K8S-012",
        name: "apparmor-unconfined",
        title: "AppArmor switched off",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-baseline", "linux-hardening"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            trivy: &[Peer::partial("KSV-0002", "also flags a container without any AppArmor profile; this rule flags only an explicit unconfined one")],
            kics: &[Peer::partial("Missing AppArmor Profile", "flags a missing profile; this rule flags only an explicit unconfined one")],
            kubescape: &[Peer::partial("C-0055", "Linux hardening: passes when any one of AppArmor, seccomp, SELinux or dropped capabilities is set")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Baseline: AppArmor", "CIS Kubernetes 5.7.2"],
        references: &["https://kubernetes.io/docs/tutorials/security/apparmor/"],
    }
}

impl Check for AppArmorUnconfined {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        UnconfinedProfile {
            field: "appArmorProfile",
            annotation_allowed: crate::k8s::pss::allowed_apparmor_annotation,
            fields: true,
            annotations: true,
            pod_annotation: None,
            container_annotation: "container.apparmor.security.beta.kubernetes.io/",
            without: "AppArmor confinement",
            what: "the AppArmor profile",
        }
        .check(&Self::META, cx, out);
    }
}
