use crate::edit::yaml_set;
use crate::fix::{Applicability, Fix};
use crate::k8s::each_pod_container;
use crate::k8s::pss::{Change, Version};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A container whose `securityContext.allowPrivilegeEscalation` is not `false`: set to
    /// `true`, or missing (the default is `true`). A container setting only exists at container
    /// level: the pod's `securityContext` cannot set it. As in the Pod Security Standards,
    /// the check applies from Kubernetes 1.8 (`kubernetes-version`), and pods with
    /// `spec.os.name: windows` are exempt from 1.25.
    ///
    /// ## Why it matters
    /// With privilege escalation allowed, a process can gain more privileges than its parent
    /// through setuid binaries (`sudo`, `su`, `ping` on older images) or file capabilities: a
    /// non-root user becomes root again inside the container. The Pod Security Standards
    /// Restricted level requires `false`.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: registry.example.com/api:1.4.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: registry.example.com/api:1.4.2
    ///     securityContext:
    ///       allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: software that relies on setuid binaries fails.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
    pub struct PrivilegeEscalation {
        code: "K8S-019",
        name: "privilege-escalation",
        title: "Container allows privilege escalation",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-restricted", "least-privilege"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_20")],
            trivy: &[Peer::exact("KSV-0001")],
            kics: &[Peer::exact("Privilege Escalation Allowed")],
            kube_linter: &[Peer::exact("privilege-escalation-container")],
            polaris: &[Peer::exact("privilegeEscalationAllowed")],
            kubescape: &[Peer::exact("C-0016")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Restricted: Privilege Escalation", "CIS Kubernetes 5.2.6", "MITRE ATT&CK T1548"],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
    }
}

impl Check for PrivilegeEscalation {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let version = Version::of(cx.settings.kubernetes_version.as_deref());
        if !version.has(Change::AllowPrivilegeEscalation) {
            return;
        }
        let path = ["securityContext", "allowPrivilegeEscalation"];
        for (resource, pod, c) in each_pod_container(cx.resources) {
            if version.exempts_windows(pod) {
                continue;
            }
            let value = c.node.at(&path);
            if value.is_some_and(|v| v.as_bool() == Some(false) || v.is_unknown()) {
                continue;
            }
            let (span, message) = match value {
                Some(v) => (
                    v.span,
                    format!("{} {} allows privilege escalation (`allowPrivilegeEscalation: {}`)", resource.name, c.describe(), v.display()),
                ),
                None => (
                    c.anchor_span(),
                    format!("{} {} does not set `allowPrivilegeEscalation: false` (it defaults to true)", resource.name, c.describe()),
                ),
            };
            let fix = yaml_set(cx.text(resource.file), c.node, &path, "false").map(|e| {
                Fix::new(
                    "Set `allowPrivilegeEscalation: false`",
                    Applicability::Unsafe,
                    vec![e],
                )
            });
            out.push(
                Finding::on(&Self::META, resource, span, message)
                    .in_container(&c.name, c.node.span)
                    .with_fix(fix),
            );
        }
    }
}
