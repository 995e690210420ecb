use std::collections::HashMap;

use crate::k8s::{each_pod, network_policies, pod_labels, PolicyFact};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A workload whose pods no NetworkPolicy selects, in a namespace that the scan knows the
    /// policies of. This is a whole-set rule: it looks at every NetworkPolicy in the scanned
    /// files, not only the workload's own file, and it judges a namespace only when
    ///
    /// - the scan includes at least one NetworkPolicy for that namespace (so the namespace
    ///   uses policies, and this workload was left out), or
    /// - the configuration says the scanned set holds every policy:
    ///   `network-policies-complete = true`.
    ///
    /// A partial scan (one file, a pre-commit run, an editor buffer without the policies)
    /// therefore gives no false alarm. `podSelector: {}` selects every pod of its namespace;
    /// `matchLabels` and `matchExpressions` are evaluated against the pod template's labels.
    /// Workloads and policies without an explicit `metadata.namespace` are skipped: the
    /// namespace they land in is decided at apply time.
    ///
    /// ## Why it matters
    /// A pod that no policy selects accepts traffic from every pod in the cluster and can reach
    /// anything: one compromised workload anywhere can talk to it, and it can talk to the
    /// cloud metadata endpoint and the API server.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// metadata: {name: api, namespace: shop}
    /// spec:
    ///   podSelector: {matchLabels: {app: api}}
    /// ---
    /// kind: Deployment
    /// metadata: {name: worker, namespace: shop}
    /// spec:
    ///   template:
    ///     metadata: {labels: {app: worker}}
    /// ```
    ///
    /// ## Use instead
    /// A default-deny policy for the namespace (`podSelector: {}` with `policyTypes:
    /// [Ingress, Egress]`), and policies that allow what each workload needs.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies
    pub struct NetworkPolicyCoverage {
        code: "K8S-040",
        name: "network-policy-coverage",
        title: "No NetworkPolicy selects the workload's pods",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "network", "isolation"],
        severity: Severity::Medium,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV2_K8S_6")],
            kics: &[Peer::exact("Pod Misconfigured Network Policy")],
            kube_linter: &[Peer::exact("non-isolated-pod")],
            polaris: &[Peer::exact("missingNetworkPolicy")],
            kube_score: &[Peer::exact("pod-networkpolicy")],
            kubescape: &[Peer::exact("C-0260")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Kubernetes 5.3.2", "NSA/CISA Kubernetes Hardening: network separation"],
        references: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/"],
    }
}

impl Check for NetworkPolicyCoverage {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        // In a scan the set already holds this file's policies; alone, the file is the set.
        let own = network_policies(cx.resources);
        let policies: Vec<_> = if cx.set.gathered {
            cx.set.policies.iter().collect()
        } else {
            own.iter().collect()
        };
        // By namespace, so that each pod is compared with the policies of its own namespace
        // only.
        let mut by_namespace: HashMap<&str, Vec<&PolicyFact>> = HashMap::new();
        for p in policies {
            by_namespace
                .entry(p.namespace.as_str())
                .or_default()
                .push(p);
        }
        for (resource, _) in each_pod(cx.resources) {
            let Some(ns_node) = resource.body.at(&["metadata", "namespace"]) else {
                continue;
            };
            let Some(namespace) = ns_node.as_str() else {
                continue;
            };
            let in_namespace: &[&PolicyFact] =
                by_namespace.get(namespace).map_or(&[], Vec::as_slice);
            if in_namespace.is_empty() && !cx.settings.network_policies_complete {
                continue;
            }
            let labels = pod_labels(resource);
            if in_namespace.iter().any(|p| p.selector.matches(&labels)) {
                continue;
            }
            let shown: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let why =
                if in_namespace.is_empty() {
                    format!("namespace {namespace} has no NetworkPolicy")
                } else {
                    format!(
                    "none of the {} NetworkPolicies of namespace {namespace} selects its pods ({})",
                    in_namespace.len(),
                    if shown.is_empty() { "no labels".to_string() } else { shown.join(", ") }
                )
                };
            out.push(Finding::on(
                &Self::META,
                resource,
                resource.head,
                format!("{} is not isolated: {why}", resource.name),
            ));
        }
    }
}
