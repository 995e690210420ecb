use super::super::helpers::ForbiddenPodFlag;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A pod spec (of any workload kind) with `hostPID: true`.
    ///
    /// ## Why it matters
    /// With `hostPID` the pod's containers see every process on the node, read their environment (secrets included) through /proc and, with ptrace, inject code into them. It is a common step in escaping from a
    /// container to the node. The Pod Security Standards forbid it at the Baseline level.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostPID: true
    /// ```
    ///
    /// ## Use instead
    /// Remove the setting, or set `hostPID: false`. Node agents that truly need it belong in a
    /// dedicated namespace, with a suppression that gives the reason.
    ///
    /// ## Fix safety
    /// Unsafe: the pod loses access to the host's process namespace.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    /// - CIS Kubernetes Benchmark 5.2.3-5.2.5
    pub struct HostPid {
        code: "K8S-003",
        name: "host-pid",
        title: "Pod shares the host process namespace",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-baseline", "host-namespaces"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_17")],
            trivy: &[Peer::exact("KSV-0010")],
            kics: &[Peer::exact("Container Host Pid Is True"), Peer::exact("Shared Host PID Namespace")],
            kube_linter: &[Peer::exact("host-pid")],
            polaris: &[Peer::exact("hostPIDSet")],
            kubescape: &[Peer::split("C-0038", "hostPID: true (host-ipc covers hostIPC)")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Baseline: Host Namespaces", "NSA/CISA Kubernetes Hardening: pod security", "MITRE ATT&CK T1611"],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
    }
}

const FLAG: ForbiddenPodFlag = ForbiddenPodFlag {
    key: "hostPID",
    shares: "the host's process namespace",
};

impl Check for HostPid {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        FLAG.check(&Self::META, cx, out);
    }
}
