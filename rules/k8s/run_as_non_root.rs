use crate::edit::{replace_scalar, yaml_set};
use crate::fix::{Applicability, Fix};
use crate::k8s::pss::Version;
use crate::k8s::{each_pod_container, effective};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A container that may run as root: `runAsNonRoot` is not `true` in its own
    /// `securityContext` nor, when it does not set it, in the pod's. Inheritance follows the
    /// kubelet: a pod-level `runAsNonRoot: true` covers every container that does not override
    /// it, and a container's `runAsNonRoot: false` overrides the pod. As in the Pod Security
    /// Standards, Windows pods are not exempt, and from Kubernetes 1.35 (`kubernetes-version`)
    /// pods in a user namespace (`hostUsers: false`) are, their root being unprivileged on
    /// the node.
    ///
    /// ## Why it matters
    /// `runAsNonRoot: true` makes the kubelet refuse to start a container whose image would run
    /// as UID 0, whatever the Dockerfile says. Root in a container is root on the node's kernel
    /// one bug away. The Pod Security Standards Restricted level requires it.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: api
    ///       image: registry.example.com/api:1.4.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     runAsUser: 10001
    ///   containers:
    ///     - name: api
    ///       image: registry.example.com/api:1.4.2
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: an image that runs as root no longer starts until it gets a non-root `USER`
    /// or a `runAsUser`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
    pub struct RunAsNonRoot {
        code: "K8S-020",
        name: "run-as-non-root",
        title: "Container may run as root",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-restricted", "least-privilege"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_23")],
            trivy: &[Peer::exact("KSV-0012")],
            kics: &[Peer::partial("Container Running As Root", "also flags runAsUser: 0, which run-as-root-user reports")],
            kube_linter: &[Peer::exact("run-as-non-root")],
            polaris: &[Peer::exact("runAsRootAllowed")],
            kubescape: &[Peer::partial("C-0013", "also flags runAsUser: 0 and root group IDs")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Restricted: Running as Non-root", "CIS Kubernetes 5.2.7", "NSA/CISA Kubernetes Hardening: non-root containers"],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
    }
}

impl Check for RunAsNonRoot {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let version = Version::of(cx.settings.kubernetes_version.as_deref());
        for (resource, pod, c) in each_pod_container(cx.resources) {
            if version.relaxes_user_namespace(pod) {
                continue;
            }
            let text = cx.text(resource.file);
            let setting = effective(pod, c.node, &["runAsNonRoot"]);
            if setting
                .as_ref()
                .is_some_and(|s| s.node.as_bool() == Some(true) || s.node.is_unknown())
            {
                continue;
            }
            let (span, message, edit) = match &setting {
                Some(s) if !s.from_pod => (
                    s.node.span,
                    format!(
                        "{} {} sets `runAsNonRoot: {}`",
                        resource.name,
                        c.describe(),
                        s.node.display()
                    ),
                    replace_scalar(text, s.node, "true"),
                ),
                Some(s) => (
                    s.node.span,
                    format!(
                        "{} {} inherits `runAsNonRoot: {}` from the pod",
                        resource.name,
                        c.describe(),
                        s.node.display()
                    ),
                    replace_scalar(text, s.node, "true"),
                ),
                None => (
                    c.anchor_span(),
                    format!(
                        "{} {} does not set `runAsNonRoot: true`, and neither does its pod",
                        resource.name,
                        c.describe()
                    ),
                    yaml_set(text, c.node, &["securityContext", "runAsNonRoot"], "true"),
                ),
            };
            let fix =
                edit.map(|e| Fix::new("Set `runAsNonRoot: true`", Applicability::Unsafe, vec![e]));
            let mut finding = Finding::on(&Self::META, resource, span, message)
                .in_container(&c.name, c.node.span)
                .with_fix(fix);
            if let Some(s) = &setting {
                finding = finding.with_origin(s.node, resource.file, "runAsNonRoot");
            }
            out.push(finding);
        }
    }
}
