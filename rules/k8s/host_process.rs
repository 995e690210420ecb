use crate::edit::replace_scalar;
use crate::fix::{Applicability, Fix};
use crate::k8s::each_pod;
use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A Windows HostProcess pod or container: `windowsOptions.hostProcess: true` in the pod's
    /// or a container's `securityContext`.
    ///
    /// ## Why it matters
    /// A HostProcess container runs directly on the Windows node, outside any container
    /// isolation, with the node's network and file system: it is the Windows equivalent of a
    /// privileged container with every host namespace. The Pod Security Standards Baseline
    /// level forbids it.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   windowsOptions:
    ///     hostProcess: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   windowsOptions:
    ///     runAsUserName: ContainerUser
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: node-management agents that need the host stop working.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/
    pub struct HostProcess {
        code: "K8S-008",
        name: "host-process",
        title: "Windows HostProcess container",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-baseline", "windows"],
        severity: Severity::Critical,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            trivy: &[Peer::exact("KSV-0103")],
            polaris: &[Peer::exact("hostProcess")],
            kubescape: &[Peer::exact("C-0202")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Baseline: HostProcess", "MITRE ATT&CK T1611"],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
    }
}

impl Check for HostProcess {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let path = ["securityContext", "windowsOptions", "hostProcess"];
        for (resource, pod) in each_pod(cx.resources) {
            let text = cx.text(resource.file);
            let report = |node: &Node, whom: String| {
                let fix = replace_scalar(text, node, "false")
                    .map(|e| Fix::new("Set `hostProcess: false`", Applicability::Unsafe, vec![e]));
                Finding::on(
                    &Self::META,
                    resource,
                    node.span,
                    format!(
                        "{} {whom} runs as a Windows HostProcess, outside container isolation",
                        resource.name
                    ),
                )
                .with_origin(node, resource.file, "hostProcess")
                .with_fix(fix)
            };
            if let Some(node) = pod.spec.at(&path).filter(|n| n.as_bool() == Some(true)) {
                out.push(report(node, "(every container)".into()));
            }
            for c in pod.containers {
                if let Some(node) = c.node.at(&path).filter(|n| n.as_bool() == Some(true)) {
                    out.push(report(node, c.describe()).in_container(&c.name, c.node.span));
                }
            }
        }
    }
}
