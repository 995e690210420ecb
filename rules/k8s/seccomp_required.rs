use crate::edit::yaml_set;
use crate::fix::{Applicability, Fix};
use crate::k8s::pss::{Change, Version};
use crate::k8s::{each_pod_container, effective};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A container with no seccomp profile: `seccompProfile.type` is set neither in its
    /// `securityContext` nor in the pod's. The pod's profile applies to every container that
    /// does not set its own. `Unconfined` is reported by `seccomp-unconfined`. As in the Pod
    /// Security Standards, the check applies from Kubernetes 1.19 (`kubernetes-version`), and
    /// pods with `spec.os.name: windows` are exempt from 1.25.
    ///
    /// ## Why it matters
    /// Without a profile, most runtimes run the container unconfined: every system call of the
    /// kernel is reachable. The Pod Security Standards Restricted level requires
    /// `RuntimeDefault` or `Localhost`.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: api
    ///       image: registry.example.com/api:1.4.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     seccompProfile:
    ///       type: RuntimeDefault
    ///   containers:
    ///     - name: api
    ///       image: registry.example.com/api:1.4.2
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a workload that makes a system call the default profile blocks fails.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tutorials/security/seccomp/
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    pub struct SeccompRequired {
        code: "K8S-022",
        name: "seccomp-required",
        title: "Container has no seccomp profile",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-restricted", "linux-hardening"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_31")],
            trivy: &[Peer::exact("KSV-0030")],
            kics: &[Peer::exact("Seccomp Profile Is Not Configured")],
            kubescape: &[Peer::exact("C-0210")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Restricted: Seccomp", "CIS Kubernetes 5.7.2"],
        references: &["https://kubernetes.io/docs/tutorials/security/seccomp/"],
    }
}

impl Check for SeccompRequired {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let version = Version::of(cx.settings.kubernetes_version.as_deref());
        if !version.has(Change::SeccompFields) {
            return;
        }
        for (resource, pod, c) in each_pod_container(cx.resources) {
            if version.exempts_windows(pod) {
                continue;
            }
            if effective(pod, c.node, &["seccompProfile", "type"]).is_some() {
                continue;
            }
            let edit = yaml_set(
                cx.text(resource.file),
                c.node,
                &["securityContext", "seccompProfile", "type"],
                "RuntimeDefault",
            );
            let fix = edit.map(|e| {
                Fix::new(
                    "Use the runtime's default seccomp profile",
                    Applicability::Unsafe,
                    vec![e],
                )
            });
            out.push(
                Finding::on(
                    &Self::META,
                    resource,
                    c.anchor_span(),
                    format!(
                        "{} {} has no seccomp profile, and neither has its pod",
                        resource.name,
                        c.describe()
                    ),
                )
                .in_container(&c.name, c.node.span)
                .with_fix(fix),
            );
        }
    }
}
