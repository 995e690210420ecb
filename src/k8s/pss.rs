//! The Pod Security Standards per policy version, as the upstream admission controller
//! (`k8s.io/pod-security-admission`, package `policy`) defines them: each control names the
//! release where a behaviour starts, and `kubernetes-version` picks the release rules judge
//! by. Every versioned difference of the Baseline and Restricted controls is in this file.

use crate::model::Node;

/// A behaviour of a Pod Security Standards control that starts at a policy version.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Change {
    /// Restricted `allowPrivilegeEscalation` must be `false` (the field exists from 1.8).
    AllowPrivilegeEscalation,
    /// Baseline seccomp judges the `seccompProfile` fields instead of the alpha annotations,
    /// and Restricted requires a profile (`seccompProfile_restricted`).
    SeccompFields,
    /// Restricted capabilities: drop `ALL`, add at most `NET_BIND_SERVICE`.
    CapabilitiesRestricted,
    /// Restricted `runAsUser` must not be 0.
    RunAsUser,
    /// Pods with `spec.os.name: windows` are exempt from the Restricted privilege-escalation,
    /// seccomp and capabilities controls.
    WindowsExempt,
    /// Baseline SELinux allows the type `container_engine_t`.
    SeLinuxContainerEngine,
    /// Baseline forbids a `host` in probes and lifecycle handlers.
    ProbeHost,
    /// Pods with `hostUsers: false` (a user namespace) skip Restricted `runAsNonRoot` and
    /// `runAsUser` and Baseline `procMount`; Restricted still forbids an unmasked `/proc`.
    UserNamespaceRelaxation,
}

/// The minor release of Kubernetes 1.x where each change starts.
pub(crate) const CHANGES: &[(Change, u32)] = &[
    (Change::AllowPrivilegeEscalation, 8),
    (Change::SeccompFields, 19),
    (Change::CapabilitiesRestricted, 22),
    (Change::RunAsUser, 23),
    (Change::WindowsExempt, 25),
    (Change::SeLinuxContainerEngine, 31),
    (Change::ProbeHost, 34),
    (Change::UserNamespaceRelaxation, 35),
];

/// Baseline's safe sysctls, with the minor release that added each. Names are compared as
/// written: `kernel/shm_rmid_forced` is not on the list.
pub(crate) const SAFE_SYSCTLS: &[(&str, u32)] = &[
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
    ("net.ipv4.tcp_rmem", 32),
    ("net.ipv4.tcp_wmem", 32),
    ("net.ipv4.tcp_slow_start_after_idle", 37),
    ("net.ipv4.tcp_notsent_lowat", 37),
];

/// Baseline's SELinux types (besides an empty type), with the minor release that added each.
pub(crate) const SELINUX_TYPES: &[(&str, u32)] = &[
    ("container_t", 0),
    ("container_init_t", 0),
    ("container_kvm_t", 0),
    ("container_engine_t", 31),
];

/// Restricted's volume types (`hostPath` is Baseline's business). `image` was added to the
/// 1.0 policy itself, so it is allowed at every version.
pub(crate) const RESTRICTED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// The policy version rules judge by: a minor release of Kubernetes 1.x, or the newest.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Version(Option<u32>);

impl Version {
    /// The newest release, with every change in force.
    #[cfg(test)]
    pub(crate) const LATEST: Version = Version(None);

    /// The version of `kubernetes-version` (`"1.29"`, `"v1.29.3"`); unset or not 1.x is the
    /// newest.
    pub(crate) fn of(setting: Option<&str>) -> Version {
        Version(super::minor_version(setting))
    }

    /// Kubernetes 1.`minor`.
    #[cfg(test)]
    pub(crate) fn minor(minor: u32) -> Version {
        Version(Some(minor))
    }

    fn at_least(self, since: u32) -> bool {
        self.0.is_none_or(|m| m >= since)
    }

    /// Is `change` in force at this version?
    pub(crate) fn has(self, change: Change) -> bool {
        CHANGES
            .iter()
            .find(|(c, _)| *c == change)
            .is_some_and(|(_, since)| self.at_least(*since))
    }

    /// Is the sysctl on Baseline's safe list?
    pub(crate) fn safe_sysctl(self, name: &str) -> bool {
        SAFE_SYSCTLS
            .iter()
            .any(|(s, since)| *s == name && self.at_least(*since))
    }

    /// Does Baseline allow the SELinux type (`""` included)?
    pub(crate) fn allowed_selinux_type(self, ty: &str) -> bool {
        ty.is_empty()
            || SELINUX_TYPES
                .iter()
                .any(|(t, since)| *t == ty && self.at_least(*since))
    }

    /// Is the pod exempt from the Restricted controls whose settings are Linux-only
    /// (privilege escalation, seccomp, capabilities)?
    pub(crate) fn exempts_windows(self, pod: &Node) -> bool {
        self.has(Change::WindowsExempt) && super::is_windows(pod)
    }

    /// Is the pod relaxed from `runAsNonRoot`, `runAsUser` and Baseline `procMount` because
    /// it runs in a user namespace (`hostUsers: false`)?
    pub(crate) fn relaxes_user_namespace(self, pod: &Node) -> bool {
        self.has(Change::UserNamespaceRelaxation) && in_user_namespace(pod)
    }
}

/// A pod that runs in its own user namespace: `hostUsers: false`.
pub(crate) fn in_user_namespace(pod: &Node) -> bool {
    pod.get("hostUsers").and_then(Node::as_bool) == Some(false)
}

/// A seccomp annotation value the Baseline level allowed before 1.19: `runtime/default`,
/// `docker/default` or `localhost/<profile>`.
pub(crate) fn allowed_seccomp_annotation(value: &str) -> bool {
    value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
}

/// An AppArmor annotation value the Baseline level allows: empty, `runtime/default` or
/// `localhost/<profile>`.
pub(crate) fn allowed_apparmor_annotation(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

/// A `seccompProfile.type` or `appArmorProfile.type` the standards allow.
pub(crate) fn allowed_profile_type(value: &str) -> bool {
    value == "RuntimeDefault" || value == "Localhost"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_has_a_release() {
        for change in [
            Change::AllowPrivilegeEscalation,
            Change::SeccompFields,
            Change::CapabilitiesRestricted,
            Change::RunAsUser,
            Change::WindowsExempt,
            Change::SeLinuxContainerEngine,
            Change::ProbeHost,
            Change::UserNamespaceRelaxation,
        ] {
            assert!(Version::LATEST.has(change), "{change:?}");
            assert!(!Version::minor(7).has(change), "{change:?}");
        }
    }

    #[test]
    fn sysctls_grow_by_release() {
        let v = Version::minor;
        assert!(!v(26).safe_sysctl("net.ipv4.ip_local_reserved_ports"));
        assert!(v(27).safe_sysctl("net.ipv4.ip_local_reserved_ports"));
        assert!(!v(28).safe_sysctl("net.ipv4.tcp_keepalive_time"));
        assert!(v(29).safe_sysctl("net.ipv4.tcp_keepalive_time"));
        assert!(!v(31).safe_sysctl("net.ipv4.tcp_rmem"));
        assert!(v(32).safe_sysctl("net.ipv4.tcp_wmem"));
        assert!(!v(36).safe_sysctl("net.ipv4.tcp_notsent_lowat"));
        assert!(v(37).safe_sysctl("net.ipv4.tcp_slow_start_after_idle"));
        assert!(Version::LATEST.safe_sysctl("kernel.shm_rmid_forced"));
        assert!(!Version::LATEST.safe_sysctl("kernel/shm_rmid_forced"));
        assert!(!Version::LATEST.safe_sysctl("kernel.msgmax"));
    }

    #[test]
    fn annotation_values() {
        assert!(allowed_seccomp_annotation("localhost/profile.json"));
        assert!(!allowed_seccomp_annotation(""));
        assert!(!allowed_seccomp_annotation("unconfined"));
        assert!(allowed_apparmor_annotation(""));
        assert!(!allowed_apparmor_annotation("unconfined"));
        assert!(!allowed_apparmor_annotation("docker-default"));
    }
}
