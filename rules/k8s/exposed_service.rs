use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A Service that exposes pods outside the cluster network: `type: NodePort`,
    /// `type: LoadBalancer` (unless annotated as internal for AWS, GCP or Azure, or limited
    /// with `loadBalancerSourceRanges`), or any `externalIPs`.
    ///
    /// ## Why it matters
    /// A NodePort opens the port on every node's address, around ingress controllers, TLS
    /// termination and WAFs; a public load balancer puts the pods on the internet; and
    /// `externalIPs` lets whoever can create a Service capture traffic for any address
    /// (CVE-2020-8554).
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   type: NodePort
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   type: ClusterIP
    /// ```
    /// behind an Ingress or Gateway that terminates TLS.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types
    /// - https://github.com/kubernetes/kubernetes/issues/97076
    pub struct ExposedService {
        code: "K8S-039",
        name: "exposed-service",
        title: "Service exposes pods outside the cluster",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "network"],
        severity: Severity::Medium,
        equivalents: Equivalents {
            trivy: &[Peer::exact("KSV-0108").about("externalIPs")],
            kics: &[Peer::partial("Service With External Load Balancer", "also flags internal load balancers").about("LoadBalancer"), Peer::exact("Service Type is NodePort").about("NodePort")],
            kube_linter: &[Peer::partial("exposed-services", "flags NodePort and LoadBalancer, not externalIPs")],
            kube_score: &[Peer::partial("service-type", "flags NodePort only").about("NodePort")],
            ..Equivalents::NONE
        },
        compliance: &["CVE-2020-8554", "NSA/CISA Kubernetes Hardening: network separation"],
        references: &["https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types"],
    }
}

/// Annotations that make a cloud load balancer internal.
const INTERNAL: &[(&str, &[&str])] = &[
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        &["true", "0.0.0.0/0"],
    ),
    (
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        &["internal"],
    ),
    ("networking.gke.io/load-balancer-type", &["Internal"]),
    (
        "cloud.google.com/load-balancer-type",
        &["Internal", "internal"],
    ),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        &["true"],
    ),
];

impl Check for ExposedService {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for resource in cx
            .resources
            .iter()
            .filter(|r| r.k8s_kind() == Some("Service"))
        {
            let spec = resource.body.get("spec");
            if let Some(ty) = spec.and_then(|s| s.get("type")) {
                let annotations = resource.body.at(&["metadata", "annotations"]);
                let internal = INTERNAL.iter().any(|(key, values)| {
                    annotations
                        .and_then(|a| a.get(key))
                        .is_some_and(|v| values.contains(&v.display().as_str()))
                });
                let limited = spec
                    .and_then(|s| s.get("loadBalancerSourceRanges"))
                    .is_some_and(|r| !r.as_list().is_empty());
                let message = match ty.as_str() {
                    Some("NodePort") => Some("opens a port on every node (`type: NodePort`)"),
                    Some("LoadBalancer") if !internal && !limited => Some(
                        "is published through an external load balancer (`type: LoadBalancer`)",
                    ),
                    _ => None,
                };
                if let Some(m) = message {
                    out.push(
                        Finding::on(
                            &Self::META,
                            resource,
                            ty.span,
                            format!("{} {m}", resource.name),
                        )
                        .about(ty.as_str().unwrap_or_default()),
                    );
                }
            }
            if let Some(ips) = spec.and_then(|s| s.entry("externalIPs")) {
                if !ips.value.as_list().is_empty() {
                    out.push(Finding::on(
                        &Self::META,
                        resource,
                        ips.key_span,
                        format!("{} claims external IPs, which can intercept traffic for those addresses", resource.name),
                    )
                    .about("externalIPs"));
                }
            }
        }
    }
}
