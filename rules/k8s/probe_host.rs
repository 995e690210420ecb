use crate::k8s::each_container;
use crate::k8s::pss::{Change, Version};
use crate::rule::{Check, Context, Domain, Finding, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A probe or lifecycle handler that sends its request to another host:
    /// `httpGet.host` or `tcpSocket.host` set in `livenessProbe`, `readinessProbe`,
    /// `startupProbe`, or `lifecycle.postStart`/`preStop`. The Pod Security Standards
    /// Baseline level forbids it from Kubernetes 1.34; with an older `kubernetes-version` the
    /// rule is silent.
    ///
    /// No established scanner checks this.
    ///
    /// ## Why it matters
    /// The kubelet runs probes and handlers from the node, with the node's network identity:
    /// a `host` field turns it into a request forger that reaches anything the node can (cloud
    /// metadata endpoints, the API server, other nodes' kubelets).
    ///
    /// ## Example
    /// ```yaml
    /// livenessProbe:
    ///   httpGet:
    ///     host: 169.254.169.254
    ///     path: /latest/meta-data/
    ///     port: 80
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// livenessProbe:
    ///   httpGet:
    ///     path: /healthz
    ///     port: 8080
    /// ```
    /// (without `host`, the kubelet probes the pod's own IP).
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    /// - https://github.com/kubernetes/kubernetes/issues/99425
    pub struct ProbeHost {
        code: "K8S-017",
        name: "probe-host",
        title: "Probe or lifecycle handler targets another host",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-baseline", "network"],
        severity: Severity::Medium,
        compliance: &["PSS Baseline: Probes / Lifecycle Hooks (v1.34+)", "MITRE ATT&CK T1552.005"],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
    }
}

impl Check for ProbeHost {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        if !Version::of(cx.settings.kubernetes_version.as_deref()).has(Change::ProbeHost) {
            return;
        }
        let handlers: &[&[&str]] = &[
            &["livenessProbe"],
            &["readinessProbe"],
            &["startupProbe"],
            &["lifecycle", "postStart"],
            &["lifecycle", "preStop"],
        ];
        for (resource, c) in each_container(cx.resources) {
            for path in handlers {
                let Some(handler) = c.node.at(path) else {
                    continue;
                };
                for kind in ["httpGet", "tcpSocket"] {
                    let Some(host) = handler.at(&[kind, "host"]) else {
                        continue;
                    };
                    if host.display().is_empty() {
                        continue;
                    }
                    out.push(
                        Finding::on(
                            &Self::META,
                            resource,
                            host.span,
                            format!(
                                "{} {} sends its {} to `{}`, from the node's network",
                                resource.name,
                                c.describe(),
                                path.join("."),
                                host.display()
                            ),
                        )
                        .in_container(&c.name, c.node.span)
                        .with_origin(host, resource.file, "the host"),
                    );
                }
            }
        }
    }
}
