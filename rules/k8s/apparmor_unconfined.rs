use crate::edit::replace_scalar;
use crate::fix::{Applicability, Fix};
use crate::k8s::{containers, each_pod, pod_annotations};
use crate::model::Node;
use crate::rule::{
    Context, Domain, Equivalents, Finding, FixAvailability, Rule, RuleMeta, Severity,
};

crate::declare_rule! {
    /// ## What it flags
    /// AppArmor switched off: `appArmorProfile.type: Unconfined` in the pod's or a container's
    /// `securityContext` (Kubernetes 1.30+), or the annotation
    /// `container.apparmor.security.beta.kubernetes.io/<container>: unconfined`.
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
            trivy: &["KSV-0002"],
            kics: &["Missing AppArmor Profile"],
            kubescape: &["C-0055"],
            ..Equivalents::NONE
        },
        compliance: &["PSS Baseline: AppArmor", "CIS Kubernetes 5.7.2"],
        references: &["https://kubernetes.io/docs/tutorials/security/apparmor/"],
    }
}

const ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

impl Rule for AppArmorUnconfined {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let field = ["securityContext", "appArmorProfile", "type"];
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
                    format!("{} {whom} runs without AppArmor confinement", resource.name),
                )
                .with_origin(node, resource.file, "the AppArmor profile")
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
                let Some(name) = e.key.strip_prefix(ANNOTATION) else {
                    continue;
                };
                if e.value.as_str() != Some("unconfined") {
                    continue;
                }
                let whom = format!("container \"{name}\"");
                let mut finding = report(&e.value, whom, "runtime/default");
                if let Some(c) = all.iter().find(|c| c.name == name) {
                    finding = finding.in_container(&c.name, c.node.span);
                }
                out.push(finding);
            }
        }
    }
}
