use crate::k8s::each_container;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A capability in a container's `securityContext.capabilities.add` outside the default
    /// set the Pod Security Standards Baseline level allows: `AUDIT_WRITE`, `CHOWN`,
    /// `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`,
    /// `SETGID`, `SETPCAP`, `SETUID`, `SYS_CHROOT`. Names are compared as Pod Security
    /// admission compares them, exactly: `CAP_CHOWN` or `chown` is rejected by the cluster and
    /// reported here with the spelling it accepts.
    ///
    /// ## Why it matters
    /// Capabilities are slices of root. `SYS_ADMIN` alone allows mounting file systems and most
    /// container escapes; `NET_ADMIN` rewrites the node's view of the network; `SYS_PTRACE`
    /// reads other processes' memory; `SYS_MODULE` loads kernel code.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     add: ["SYS_ADMIN"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: ["ALL"]
    ///     add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    /// - https://man7.org/linux/man-pages/man7/capabilities.7.html
    pub struct AddedCapabilities {
        code: "K8S-009",
        name: "added-capabilities",
        title: "Container adds capabilities beyond the default set",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-baseline", "capabilities"],
        severity: Severity::High,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_K8S_25", "flags any added capability, the Baseline default set included"), Peer::exact("CKV_K8S_39").about("SYS_ADMIN")],
            trivy: &[Peer::exact("KSV-0022"), Peer::exact("KSV-0005").about("SYS_ADMIN"), Peer::exact("KSV-0120").about("SYS_MODULE"), Peer::exact("KSV-0119").about("NET_RAW")],
            kics: &[Peer::partial("Containers With Added Capabilities", "flags any added capability, the Baseline default set included"), Peer::exact("Containers With Sys Admin Capabilities").about("SYS_ADMIN")],
            polaris: &[Peer::partial("dangerousCapabilities", "a fixed list of dangerous capabilities (ALL, SYS_ADMIN, NET_ADMIN)"), Peer::partial("insecureCapabilities", "a fixed list of capabilities, some of them in the Baseline default set")],
            kubescape: &[Peer::partial("C-0046", "a fixed list of dangerous capabilities")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Baseline: Capabilities", "CIS Kubernetes 5.2.9", "MITRE ATT&CK T1611"],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
    }
}

/// Capabilities the Baseline level allows a container to add.
pub(crate) const BASELINE_ALLOWED: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// `cap_sys_admin` → `SYS_ADMIN`.
pub(crate) fn capability_name(raw: &str) -> String {
    let upper = raw.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").unwrap_or(&upper).to_string()
}

impl Check for AddedCapabilities {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (resource, c) in each_container(cx.resources) {
            let Some(add) = c.node.at(&["securityContext", "capabilities", "add"]) else {
                continue;
            };
            for item in add.as_list() {
                let Some(raw) = item.as_str() else { continue };
                if BASELINE_ALLOWED.contains(&raw) {
                    continue;
                }
                let name = capability_name(raw);
                let detail = if BASELINE_ALLOWED.contains(&name.as_str()) {
                    format!("`{raw}`, which Pod Security admission rejects: the Baseline set spells it `{name}`")
                } else {
                    format!("the capability {name}, outside the Baseline set")
                };
                out.push(
                    Finding::on(
                        &Self::META,
                        resource,
                        item.span,
                        format!("{} {} adds {detail}", resource.name, c.describe()),
                    )
                    .in_container(&c.name, c.node.span)
                    .with_origin(item, resource.file, "the capability")
                    .about(&name),
                );
            }
        }
    }
}
