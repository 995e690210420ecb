use crate::edit::replace_scalar;
use crate::fix::{Applicability, Fix};
use crate::k8s::{containers, each_pod, pod_annotations};
use crate::model::Node;
use crate::rule::{
    Context, Domain, Equivalents, Finding, FixAvailability, Rule, RuleMeta, Severity,
};

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
            checkov: &["CKV_K8S_31"],
            trivy: &["KSV-0104"],
            kics: &["Seccomp Profile Is Not Configured"],
            kubescape: &["C-0210"],
            ..Equivalents::NONE
        },
        compliance: &["PSS Baseline: Seccomp", "CIS Kubernetes 5.7.2"],
        references: &["https://kubernetes.io/docs/tutorials/security/seccomp/"],
    }
}

impl Rule for SeccompUnconfined {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let field = ["securityContext", "seccompProfile", "type"];
        for (resource, pod) in each_pod(cx.resources) {
            let text = cx.text(resource.file);
            let report = |node: &Node, whom: String, replacement: &str| {
                let fix = replace_scalar(text, node, replacement).map(|e| {
                    Fix::new(
                        format!("Use the runtime's default profile (`{replacement}`)"),
                        Applicability::Unsafe,
                        vec![e],
                    )
                });
                Finding::on(
                    &Self::META,
                    resource,
                    node.span,
                    format!("{} {whom} runs without a seccomp filter", resource.name),
                )
                .with_origin(node, resource.file, "the seccomp profile")
                .with_fix(fix)
            };
            let unconfined = |n: &&Node| {
                n.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case("Unconfined"))
            };
            if let Some(node) = pod.spec.at(&field).filter(unconfined) {
                out.push(report(node, "(every container)".into(), "RuntimeDefault"));
            }
            let all = containers(pod.spec);
            for c in &all {
                if let Some(node) = c.node.at(&field).filter(unconfined) {
                    out.push(
                        report(node, c.describe(), "RuntimeDefault")
                            .in_container(&c.name, c.node.span),
                    );
                }
            }
            for e in pod_annotations(resource)
                .map(|a| a.entries())
                .unwrap_or_default()
            {
                if e.value.as_str() != Some("unconfined") {
                    continue;
                }
                if e.key == "seccomp.security.alpha.kubernetes.io/pod" {
                    out.push(report(
                        &e.value,
                        "(every container)".into(),
                        "runtime/default",
                    ));
                } else if let Some(name) = e
                    .key
                    .strip_prefix("container.seccomp.security.alpha.kubernetes.io/")
                {
                    let mut f =
                        report(&e.value, format!("container \"{name}\""), "runtime/default");
                    if let Some(c) = all.iter().find(|c| c.name == name) {
                        f = f.in_container(&c.name, c.node.span);
                    }
                    out.push(f);
                }
            }
        }
    }
}
