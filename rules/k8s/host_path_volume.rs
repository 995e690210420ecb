use crate::k8s::each_volume;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A `hostPath` volume in a pod spec. Paths that hand the node to the container are named
    /// in the message and raise the severity: container runtime sockets
    /// (`/var/run/docker.sock`, `containerd.sock`, `crio.sock`), `/`, `/etc`, `/proc`,
    /// `/sys`, `/root`, `/var/run`, `/var/lib/kubelet`, `/var/lib/docker`, `/boot`, `/dev`.
    ///
    /// ## Why it matters
    /// A host path gives the container the node's files. The runtime socket is root on the node
    /// (start a privileged container, done); `/etc` and `/root` hold credentials and let a
    /// write become a login; kubelet directories hold every pod's secrets. The Pod Security
    /// Standards Baseline level forbids `hostPath` entirely.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: docker
    ///     hostPath:
    ///       path: /var/run/docker.sock
    /// ```
    ///
    /// ## Use instead
    /// An `emptyDir`, a `persistentVolumeClaim` or a CSI volume; for node agents that truly
    /// need the host, a dedicated namespace at the Privileged level, reviewed.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub struct HostPathVolume {
        code: "K8S-010",
        name: "host-path-volume",
        title: "Pod mounts a path from the node",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-baseline", "host"],
        severity: Severity::High,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_27").about("runtime-socket")],
            trivy: &[Peer::exact("KSV-0023"), Peer::exact("KSV-0006").about("runtime-socket"), Peer::partial("KSV-0121", "only a list of sensitive host paths").about("sensitive-path")],
            kics: &[Peer::partial("Non Kube System Pod With Host Mount", "exempts kube-system workloads"), Peer::partial("Workload Mounting With Sensitive OS Directory", "only a list of sensitive OS directories").about("sensitive-path"), Peer::exact("Docker Daemon Socket is Exposed to Containers").about("runtime-socket"), Peer::partial("Volume Mount With OS Directory Write Permissions", "only writable mounts of OS directories").about("sensitive-path")],
            kube_linter: &[Peer::partial("sensitive-host-mounts", "only a list of sensitive host paths").about("sensitive-path"), Peer::exact("docker-sock").about("runtime-socket")],
            polaris: &[Peer::exact("hostPathSet")],
            kubescape: &[Peer::exact("C-0048"), Peer::exact("C-0074").about("runtime-socket")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Baseline: HostPath Volumes", "CIS Kubernetes 5.2.12", "MITRE ATT&CK T1611"],
        references: &["https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"],
    }
}

/// What a sensitive host path gives away.
const RUNTIME_SOCKET: &str = "the container runtime socket, which is root on the node";

pub(crate) fn sensitive(path: &str) -> Option<&'static str> {
    let p = path.trim_end_matches('/');
    let p = if p.is_empty() { "/" } else { p };
    if [
        "docker.sock",
        "containerd.sock",
        "crio.sock",
        "cri-dockerd.sock",
        "podman.sock",
    ]
    .iter()
    .any(|s| p.ends_with(s))
    {
        return Some(RUNTIME_SOCKET);
    }
    let roots: &[(&str, &str)] = &[
        ("/", "the node's whole file system"),
        ("/etc", "the node's configuration and credentials"),
        ("/root", "root's home directory"),
        ("/proc", "every process on the node"),
        ("/sys", "the node's kernel interfaces"),
        ("/dev", "the node's devices"),
        ("/boot", "the node's kernel and boot loader"),
        ("/var/run", "the node's runtime sockets"),
        ("/run", "the node's runtime sockets"),
        (
            "/var/lib/kubelet",
            "the kubelet's state, with every pod's secrets",
        ),
        ("/var/lib/docker", "the container runtime's state"),
        ("/var/lib/containerd", "the container runtime's state"),
        ("/etc/kubernetes", "the node's Kubernetes credentials"),
    ];
    roots.iter().find(|(r, _)| *r == p).map(|(_, what)| *what)
}

impl Check for HostPathVolume {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (resource, volume) in each_volume(cx.resources) {
            let Some(entry) = volume.entry("hostPath") else {
                continue;
            };
            let name = volume.get("name").map(|n| n.display()).unwrap_or_default();
            let path = entry.value.get("path");
            let shown = path.map(|p| p.display()).unwrap_or_default();
            let what = path.and_then(|p| p.as_str()).and_then(sensitive);
            let message = match what {
                Some(what) => format!(
                    "{} mounts `{shown}` from the node (volume \"{name}\"): {what}",
                    resource.name
                ),
                None => format!(
                    "{} mounts the node's `{shown}` (hostPath volume \"{name}\")",
                    resource.name
                ),
            };
            let span = path.map(|p| p.span).unwrap_or(entry.key_span);
            let mut finding = Finding::on(&Self::META, resource, span, message);
            if what.is_some() {
                finding = finding.about("sensitive-path");
            }
            if what == Some(RUNTIME_SOCKET) {
                finding = finding.about("runtime-socket");
            }
            out.push(finding);
        }
    }
}
