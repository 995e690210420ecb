use super::added_capabilities::capability_name;
use crate::edit::{replace_scalar, yaml_set};
use crate::fix::{Applicability, Fix};
use crate::k8s::each_pod_container;
use crate::k8s::pss::{Change, Version};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A container that does not drop every capability and add back at most
    /// `NET_BIND_SERVICE`, as the Pod Security Standards Restricted level requires:
    /// `capabilities.drop` lacks `ALL`, or `capabilities.add` holds anything but
    /// `NET_BIND_SERVICE` (capabilities outside the Baseline set are reported by
    /// `added-capabilities` too). Names are compared exactly, as Pod Security admission
    /// compares them (`drop: ["all"]` does not count). As in the Pod Security Standards, the
    /// check applies from Kubernetes 1.22 (`kubernetes-version`), and pods with
    /// `spec.os.name: windows` are exempt from 1.25.
    ///
    /// ## Why it matters
    /// Container runtimes grant a default set of capabilities (`CHOWN`, `DAC_OVERRIDE`,
    /// `SETUID`, `NET_RAW`…) that most services never use; `NET_RAW` alone allows ARP and DNS
    /// spoofing on the pod network. Dropping `ALL` removes them.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     add: ["CHOWN"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: ["ALL"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a process that needs one of the dropped capabilities fails. The fix adds
    /// `drop: ["ALL"]` only when the container has no `drop` list, and spells a lower-case
    /// `all` `ALL`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    /// - https://man7.org/linux/man-pages/man7/capabilities.7.html
    pub struct CapabilitiesDropAll {
        code: "K8S-023",
        name: "capabilities-drop-all",
        title: "Container does not drop all capabilities",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-restricted", "capabilities"],
        severity: Severity::Low,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_37").about("drop"), Peer::partial("CKV_K8S_28", "only needs NET_RAW dropped; dropping ALL satisfies both").about("drop")],
            trivy: &[Peer::exact("KSV-0003").about("drop"), Peer::partial("KSV-0004", "flags only a container that drops nothing").about("drop"), Peer::exact("KSV-0106")],
            kics: &[Peer::partial("No Drop Capabilities for Containers", "flags only a container that drops nothing").about("drop"), Peer::partial("NET_RAW Capabilities Not Being Dropped", "only needs NET_RAW dropped; dropping ALL satisfies both").about("drop")],
            kube_linter: &[Peer::partial("drop-net-raw-capability", "only needs NET_RAW dropped; dropping ALL satisfies both").about("drop")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Restricted: Capabilities", "CIS Kubernetes 5.2.8", "CIS Kubernetes 5.2.10"],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
    }
}

impl Check for CapabilitiesDropAll {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let version = Version::of(cx.settings.kubernetes_version.as_deref());
        if !version.has(Change::CapabilitiesRestricted) {
            return;
        }
        for (resource, pod, c) in each_pod_container(cx.resources) {
            if version.exempts_windows(pod) {
                continue;
            }
            let caps = c.node.at(&["securityContext", "capabilities"]);
            let drop = caps.and_then(|x| x.get("drop"));
            if drop.is_some_and(|d| d.is_unknown()) {
                continue;
            }
            let drops_all =
                drop.is_some_and(|d| d.as_list().iter().any(|i| i.as_str() == Some("ALL")));
            if !drops_all {
                // `drop: ["all"]`: the cluster does not count it; the fix spells it `ALL`.
                let miscased = drop.and_then(|d| {
                    d.as_list()
                        .iter()
                        .find(|i| i.as_str().is_some_and(|s| capability_name(s) == "ALL"))
                });
                let text = cx.text(resource.file);
                let (span, message, edit, title) = match miscased {
                    Some(item) => (
                        item.span,
                        format!(
                            "{} {} drops `{}`, which Pod Security admission does not count as ALL",
                            resource.name,
                            c.describe(),
                            item.display()
                        ),
                        replace_scalar(text, item, "ALL"),
                        "Write `ALL`, as Pod Security admission compares names exactly",
                    ),
                    None => (
                        caps.and_then(|x| x.entry("drop"))
                            .map(|e| e.key_span)
                            .unwrap_or_else(|| c.anchor_span()),
                        format!(
                            "{} {} does not drop ALL capabilities",
                            resource.name,
                            c.describe()
                        ),
                        drop.is_none()
                            .then(|| {
                                yaml_set(
                                    text,
                                    c.node,
                                    &["securityContext", "capabilities", "drop"],
                                    "[\"ALL\"]",
                                )
                            })
                            .flatten(),
                        "Drop all capabilities (`drop: [\"ALL\"]`)",
                    ),
                };
                let fix = edit.map(|e| Fix::new(title, Applicability::Unsafe, vec![e]));
                out.push(
                    Finding::on(&Self::META, resource, span, message)
                        .in_container(&c.name, c.node.span)
                        .with_fix(fix)
                        .about("drop"),
                );
            }
            for item in caps
                .and_then(|x| x.get("add"))
                .map(|a| a.as_list())
                .unwrap_or_default()
            {
                let Some(raw) = item.as_str() else { continue };
                if raw == "NET_BIND_SERVICE" {
                    continue;
                }
                out.push(
                    Finding::on(
                        &Self::META,
                        resource,
                        item.span,
                        format!(
                            "{} {} adds {}; the Restricted level allows only NET_BIND_SERVICE",
                            resource.name,
                            c.describe(),
                            capability_name(raw)
                        ),
                    )
                    .in_container(&c.name, c.node.span)
                    .with_origin(item, resource.file, "the capability")
                    .about("add"),
                );
            }
        }
    }
}
