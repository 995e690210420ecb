use crate::edit::replace_scalar;
use crate::fix::{Applicability, Fix};
use crate::k8s::each_pod_container;
use crate::k8s::pss::Version;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A container `securityContext.procMount` other than `Default` (that is, `Unmasked`).
    /// As in the Pod Security Standards Baseline level, from Kubernetes 1.35
    /// (`kubernetes-version`) pods in a user namespace (`hostUsers: false`) are exempt: the
    /// unmasked `/proc` belongs to their own namespace. (The Restricted level still forbids
    /// it there.)
    ///
    /// ## Why it matters
    /// The runtime masks and makes read-only parts of `/proc` (`/proc/kcore`,
    /// `/proc/sysrq-trigger`…) that expose the node's kernel. An unmasked `/proc` gives them
    /// back. The Pod Security Standards Baseline level forbids it.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   procMount: Unmasked
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   procMount: Default
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: nested container runtimes that need an unmasked `/proc` stop working.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub struct ProcMount {
        code: "K8S-014",
        name: "proc-mount",
        title: "Container has an unmasked /proc",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-baseline"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            trivy: &[Peer::exact("KSV-0027")],
            kics: &[Peer::exact("Container Runs Unmasked")],
            kube_linter: &[Peer::exact("unsafe-proc-mount")],
            polaris: &[Peer::exact("procMount")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Baseline: /proc Mount Type"],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
    }
}

impl Check for ProcMount {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let version = Version::of(cx.settings.kubernetes_version.as_deref());
        for (resource, pod, c) in each_pod_container(cx.resources) {
            if version.relaxes_user_namespace(pod) {
                continue;
            }
            let Some(value) = c.node.at(&["securityContext", "procMount"]) else {
                continue;
            };
            let Some(mode) = value.as_str() else { continue };
            if mode == "Default" {
                continue;
            }
            let fix = replace_scalar(cx.text(resource.file), value, "Default")
                .map(|e| Fix::new("Set `procMount: Default`", Applicability::Unsafe, vec![e]));
            out.push(
                Finding::on(
                    &Self::META,
                    resource,
                    value.span,
                    format!("{} {} mounts /proc `{mode}`", resource.name, c.describe()),
                )
                .in_container(&c.name, c.node.span)
                .with_origin(value, resource.file, "procMount")
                .with_fix(fix),
            );
        }
    }
}
