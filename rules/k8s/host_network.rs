use super::super::helpers::ForbiddenPodFlag;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A pod spec (of any workload kind) with `hostNetwork: true`.
    ///
    /// ## Why it matters
    /// With `hostNetwork` the pod's containers see and bind every interface of the node, reach services listening on localhost (the kubelet, cloud metadata proxies) and sniff traffic of other pods. It is a common step in escaping from a
    /// container to the node. The Pod Security Standards forbid it at the Baseline level.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    /// ```
    ///
    /// ## Use instead
    /// Remove the setting, or set `hostNetwork: false`. Node agents that truly need it belong in a
    /// dedicated namespace, with a suppression that gives the reason.
    ///
    /// ## Fix safety
    /// Unsafe: the pod loses access to the host's network namespace.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    /// - CIS Kubernetes Benchmark 5.2.3-5.2.5
    pub struct HostNetwork {
        code: "K8S-002",
        name: "host-network",
        title: "Pod shares the host network namespace",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-baseline", "host-namespaces"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_19")],
            trivy: &[Peer::exact("KSV-0009")],
            kics: &[Peer::exact("Shared Host Network Namespace")],
            kube_linter: &[Peer::exact("host-network")],
            polaris: &[Peer::exact("hostNetworkSet")],
            kubescape: &[Peer::exact("C-0041")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Baseline: Host Namespaces", "NSA/CISA Kubernetes Hardening: pod security", "MITRE ATT&CK T1611"],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
    }
}

const FLAG: ForbiddenPodFlag = ForbiddenPodFlag {
    key: "hostNetwork",
    shares: "the host's network namespace",
};

impl Check for HostNetwork {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        FLAG.check(&Self::META, cx, out);
    }
}
