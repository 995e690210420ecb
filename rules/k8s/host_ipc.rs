use super::super::helpers::ForbiddenPodFlag;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A pod spec (of any workload kind) with `hostIPC: true`.
    ///
    /// ## Why it matters
    /// With `hostIPC` the pod's containers read and write shared memory of every process on the node. It is a common step in escaping from a
    /// container to the node. The Pod Security Standards forbid it at the Baseline level.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostIPC: true
    /// ```
    ///
    /// ## Use instead
    /// Remove the setting, or set `hostIPC: false`. Node agents that truly need it belong in a
    /// dedicated namespace, with a suppression that gives the reason.
    ///
    /// ## Fix safety
    /// Unsafe: the pod loses access to the host's IPC namespace.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    /// - CIS Kubernetes Benchmark 5.2.3-5.2.5
    pub struct HostIpc {
        code: "K8S-004",
        name: "host-ipc",
        title: "Pod shares the host IPC namespace",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-baseline", "host-namespaces"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_18")],
            trivy: &[Peer::exact("KSV-0008")],
            kics: &[Peer::exact("Shared Host IPC Namespace")],
            kube_linter: &[Peer::exact("host-ipc")],
            polaris: &[Peer::exact("hostIPCSet")],
            kubescape: &[Peer::split("C-0038", "hostIPC: true (host-pid covers hostPID)")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Baseline: Host Namespaces", "NSA/CISA Kubernetes Hardening: pod security", "MITRE ATT&CK T1611"],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
    }
}

const FLAG: ForbiddenPodFlag = ForbiddenPodFlag {
    key: "hostIPC",
    shares: "the host's IPC namespace",
};

impl Check for HostIpc {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        FLAG.check(&Self::META, cx, out);
    }
}
