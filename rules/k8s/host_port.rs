use crate::k8s::each_container;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A container port with a `hostPort` other than 0.
    ///
    /// ## Why it matters
    /// A host port binds the node's own network interface: the pod is reachable from outside
    /// the cluster's network policies, bypasses the Service layer, and pins the pod to nodes
    /// where the port is free. The Pod Security Standards Baseline level forbids it.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    ///   - containerPort: 8080
    ///     hostPort: 8080
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// ports:
    ///   - containerPort: 8080
    /// ```
    /// and a Service in front of the pods.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    /// - https://kubernetes.io/docs/concepts/configuration/overview/#services
    pub struct HostPort {
        code: "K8S-011",
        name: "host-port",
        title: "Container binds a port on the node",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-baseline", "network"],
        severity: Severity::Medium,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_26")],
            trivy: &[Peer::exact("KSV-0024")],
            kics: &[Peer::exact("Workload Host Port Not Specified")],
            polaris: &[Peer::exact("hostPortSet")],
            kubescape: &[Peer::exact("C-0044")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Baseline: Host Ports", "CIS Kubernetes 5.2.13"],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
    }
}

impl Check for HostPort {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (resource, c) in each_container(cx.resources) {
            for port in c.node.get("ports").map(|p| p.as_list()).unwrap_or_default() {
                let Some(host) = port.get("hostPort") else {
                    continue;
                };
                if host.as_f64().is_none_or(|p| p == 0.0) {
                    continue;
                }
                out.push(
                    Finding::on(
                        &Self::META,
                        resource,
                        host.span,
                        format!(
                            "{} {} binds port {} on the node",
                            resource.name,
                            c.describe(),
                            host.display()
                        ),
                    )
                    .in_container(&c.name, c.node.span)
                    .with_origin(host, resource.file, "hostPort"),
                );
            }
        }
    }
}
