use crate::k8s::each_pod;
use crate::k8s::pss::Version;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A pod `securityContext.sysctls` entry outside the safe set of the Pod Security
    /// Standards Baseline level, as of the Kubernetes release in `kubernetes-version` (the
    /// newest when unset): `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
    /// `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`,
    /// `net.ipv4.ip_unprivileged_port_start`; from 1.27 `net.ipv4.ip_local_reserved_ports`;
    /// from 1.29 `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
    /// `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`; from 1.32
    /// `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`; from 1.37
    /// `net.ipv4.tcp_slow_start_after_idle`, `net.ipv4.tcp_notsent_lowat`. Names are compared
    /// exactly, as Pod Security admission compares them: `kernel/shm_rmid_forced` is rejected
    /// by the cluster and reported here with the spelling it accepts.
    ///
    /// ## Why it matters
    /// Unsafe sysctls are not namespaced: setting one from a pod changes the kernel of the
    /// whole node for every other pod (memory limits, network stack behaviour), or exposes it.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   sysctls:
    ///     - name: kernel.msgmax
    ///       value: "65536"
    /// ```
    ///
    /// ## Use instead
    /// A node-level setting applied by the node's configuration, or a sysctl from the safe set.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub struct UnsafeSysctls {
        code: "K8S-016",
        name: "unsafe-sysctls",
        title: "Pod sets a sysctl outside the safe set",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-baseline"],
        severity: Severity::Medium,
        equivalents: Equivalents {
            trivy: &[Peer::exact("KSV-0026")],
            kics: &[Peer::exact("Cluster Allows Unsafe Sysctls")],
            kube_linter: &[Peer::exact("unsafe-sysctls")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Baseline: Sysctls"],
        references: &["https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/"],
    }
}

impl Check for UnsafeSysctls {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let version = cx.settings.kubernetes_version.as_deref();
        let policy = Version::of(version);
        for (resource, pod) in each_pod(cx.resources) {
            let sysctls = pod.spec.at(&["securityContext", "sysctls"]);
            for item in sysctls.map(|s| s.as_list()).unwrap_or_default() {
                let Some(name) = item.get("name") else {
                    continue;
                };
                let Some(text) = name.as_str() else { continue };
                if policy.safe_sysctl(text) {
                    continue;
                }
                out.push(
                    Finding::on(
                        &Self::META,
                        resource,
                        name.span,
                        message(&resource.name, text, version, policy),
                    )
                    .with_origin(name, resource.file, "the sysctl"),
                );
            }
        }
    }
}

/// The sysctl outside the safe set; a safe one written with slashes is named with the
/// spelling the cluster accepts.
fn message(resource: &str, sysctl: &str, setting: Option<&str>, policy: Version) -> String {
    let dotted = sysctl.replace('/', ".");
    if dotted != sysctl && policy.safe_sysctl(&dotted) {
        return format!(
            "{resource} sets the sysctl `{sysctl}`, which Pod Security admission rejects: the safe set spells it `{dotted}`"
        );
    }
    let release = match setting {
        Some(v) => format!(" in Kubernetes {v}"),
        None => String::new(),
    };
    format!("{resource} sets the sysctl `{sysctl}`, which is not in the safe set{release}")
}
