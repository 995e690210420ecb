use crate::edit::replace_scalar;
use crate::fix::{Applicability, Fix};
use crate::k8s::{each_container, Container};
use crate::model::{Node, Resource};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A container, init container or ephemeral container with
    /// `securityContext.privileged: true`, in any workload kind.
    ///
    /// ## Why it matters
    /// A privileged container has every Linux capability and access to all host devices; it
    /// is root on the node in all but name. Escaping to the node (and from there to the
    /// cluster) is trivial. The Pod Security Standards forbid it at the Baseline level.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   privileged: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   privileged: false
    ///   capabilities:
    ///     add: ["NET_ADMIN"]   # only what the workload needs
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the container loses host access it may rely on.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    /// - CIS Kubernetes Benchmark 5.2.2
    pub struct PrivilegedContainer {
        code: "K8S-001",
        name: "privileged-container",
        title: "Container runs privileged",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-baseline"],
        severity: Severity::Critical,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_16")],
            trivy: &[Peer::exact("KSV-0017")],
            kics: &[Peer::exact("Container Is Privileged")],
            kube_linter: &[Peer::exact("privileged-container")],
            polaris: &[Peer::exact("runAsPrivileged")],
            kubescape: &[Peer::exact("C-0057")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Baseline: Privileged Containers", "CIS Kubernetes 5.2.2", "NSA/CISA Kubernetes Hardening: non-root containers", "MITRE ATT&CK T1611"],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
    }
}

struct Privileged<'a> {
    resource: &'a Resource,
    container: Container<'a>,
    value: &'a Node,
}

impl Check for PrivilegedContainer {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for fact in detect(cx.resources) {
            let text = cx.text(fact.resource.file);
            out.push(
                Finding::on(
                    &Self::META,
                    fact.resource,
                    fact.value.span,
                    message(text, &fact),
                )
                .in_container(&fact.container.name, fact.container.node.span)
                .with_origin(fact.value, fact.resource.file, "privileged")
                .with_fix(fix(text, &fact)),
            );
        }
    }
}

fn detect(resources: &[Resource]) -> Vec<Privileged<'_>> {
    each_container(resources)
        .filter_map(|(resource, container)| {
            let value = container.node.at(&["securityContext", "privileged"])?;
            (value.as_bool() == Some(true)).then_some(Privileged {
                resource,
                container,
                value,
            })
        })
        .collect()
}

fn message(text: &str, f: &Privileged) -> String {
    format!(
        "{} {} runs privileged (`privileged: {}`)",
        f.resource.name,
        f.container.describe(),
        f.value.written(text)
    )
}

fn fix(text: &str, f: &Privileged) -> Option<Fix> {
    let edit = replace_scalar(text, f.value, "false")?;
    Some(Fix::new(
        "Set `privileged: false`",
        Applicability::Unsafe,
        vec![edit],
    ))
}
