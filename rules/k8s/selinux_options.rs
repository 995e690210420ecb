use crate::k8s::each_pod;
use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// `seLinuxOptions` in the pod's or a container's `securityContext` that the Pod Security
    /// Standards Baseline level forbids: a `type` other than `container_t`,
    /// `container_init_t`, `container_kvm_t` or (Kubernetes 1.31+) `container_engine_t`, or
    /// any `user` or `role`.
    ///
    /// ## Why it matters
    /// The SELinux type decides what the container's processes may touch on the node. A custom
    /// type such as `spc_t` ("super privileged container") is unconfined; a custom user or
    /// role changes the identity the policy judges.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   seLinuxOptions:
    ///     type: spc_t
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   seLinuxOptions:
    ///     level: "s0:c123,c456"
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container
    pub struct SeLinuxOptions {
        code: "K8S-013",
        name: "selinux-options",
        title: "Custom SELinux type, user or role",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-baseline", "linux-hardening"],
        severity: Severity::Medium,
        equivalents: Equivalents {
            trivy: &[Peer::exact("KSV-0025")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Baseline: SELinux"],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
    }
}

impl Check for SeLinuxOptions {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let version = crate::k8s::pss::Version::of(cx.settings.kubernetes_version.as_deref());
        for (resource, pod) in each_pod(cx.resources) {
            let mut scopes: Vec<(Option<crate::k8s::Container>, &Node)> = Vec::new();
            if let Some(o) = pod.spec.at(&["securityContext", "seLinuxOptions"]) {
                scopes.push((None, o));
            }
            for c in pod.containers {
                if let Some(o) = c.node.at(&["securityContext", "seLinuxOptions"]) {
                    scopes.push((Some(c), o));
                }
            }
            for (c, options) in scopes {
                let whom = c
                    .as_ref()
                    .map(|c| c.describe())
                    .unwrap_or_else(|| "(every container)".into());
                for key in ["type", "user", "role"] {
                    let Some(value) = options.get(key) else {
                        continue;
                    };
                    let text = value.display();
                    let bad = match key {
                        "type" => !version.allowed_selinux_type(&text),
                        _ => !text.is_empty(),
                    };
                    if !bad {
                        continue;
                    }
                    let mut f = Finding::on(
                        &Self::META,
                        resource,
                        value.span,
                        format!("{} {whom} sets the SELinux {key} `{text}`", resource.name),
                    )
                    .with_origin(value, resource.file, "the SELinux option");
                    if let Some(c) = &c {
                        f = f.in_container(&c.name, c.node.span);
                    }
                    out.push(f);
                }
            }
        }
    }
}
