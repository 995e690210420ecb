use crate::k8s::{each_pod, minor_version};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A pod `securityContext.sysctls` entry outside the safe set of the Pod Security
    /// Standards Baseline level, as of the Kubernetes release in `kubernetes-version` (the
    /// newest when unset): `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
    /// `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`,
    /// `net.ipv4.ip_unprivileged_port_start`; from 1.27 `net.ipv4.ip_local_reserved_ports`;
    /// from 1.29 `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
    /// `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`.
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

/// (sysctl, first Kubernetes minor release where the Baseline level allows it)
const SAFE: &[(&str, u32)] = &[
    ("kernel.shm_rmid_forced", 0),
    ("net.ipv4.ip_local_port_range", 0),
    ("net.ipv4.tcp_syncookies", 0),
    ("net.ipv4.ping_group_range", 0),
    ("net.ipv4.ip_unprivileged_port_start", 0),
    ("net.ipv4.ip_local_reserved_ports", 27),
    ("net.ipv4.tcp_keepalive_time", 29),
    ("net.ipv4.tcp_fin_timeout", 29),
    ("net.ipv4.tcp_keepalive_intvl", 29),
    ("net.ipv4.tcp_keepalive_probes", 29),
];

/// Is the sysctl safe in the given release (`None`: the newest)?
pub fn safe(name: &str, minor: Option<u32>) -> bool {
    let name = name.replace('/', ".");
    SAFE.iter()
        .any(|(s, since)| *s == name && minor.is_none_or(|m| m >= *since))
}

impl Check for UnsafeSysctls {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let version = cx.settings.kubernetes_version.as_deref();
        let minor = minor_version(version);
        for (resource, pod) in each_pod(cx.resources) {
            let sysctls = pod.spec.at(&["securityContext", "sysctls"]);
            for item in sysctls.map(|s| s.as_list()).unwrap_or_default() {
                let Some(name) = item.get("name") else {
                    continue;
                };
                let Some(text) = name.as_str() else { continue };
                if safe(text, minor) {
                    continue;
                }
                let release = match version {
                    Some(v) => format!(" in Kubernetes {v}"),
                    None => String::new(),
                };
                out.push(
                    Finding::on(
                        &Self::META,
                        resource,
                        name.span,
                        format!(
                            "{} sets the sysctl `{text}`, which is not in the safe set{release}",
                            resource.name
                        ),
                    )
                    .with_origin(name, resource.file, "the sysctl"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe;

    #[test]
    fn versioned_allow_list() {
        assert!(safe("net.ipv4.tcp_keepalive_time", None));
        assert!(safe("net.ipv4.tcp_keepalive_time", Some(29)));
        assert!(!safe("net.ipv4.tcp_keepalive_time", Some(28)));
        assert!(safe("net.ipv4.ip_local_reserved_ports", Some(27)));
        assert!(!safe("net.ipv4.ip_local_reserved_ports", Some(26)));
        assert!(safe("kernel/shm_rmid_forced", Some(20)));
        assert!(!safe("kernel.msgmax", None));
    }
}
