use crate::edit::replace_scalar;
use crate::fix::{Applicability, Fix};
use crate::k8s::each_pod;
use crate::k8s::pss::{Change, Version};
use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// `runAsUser: 0` in the pod's or a container's `securityContext`: the container is told
    /// explicitly to run as root. As in the Pod Security Standards, the check applies from
    /// Kubernetes 1.23 (`kubernetes-version`), and from 1.35 pods in a user namespace
    /// (`hostUsers: false`) are exempt.
    ///
    /// ## Why it matters
    /// An explicit UID 0 defeats the image's non-root `USER` and, combined with a missing
    /// `runAsNonRoot`, gives every process root. The Pod Security Standards Restricted level
    /// forbids it.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsUser: 0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   runAsUser: 10001
    ///   runAsNonRoot: true
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: files the process writes must be writable by the new UID.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    pub struct RunAsRootUser {
        code: "K8S-021",
        name: "run-as-root-user",
        title: "Container runs as UID 0",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "pod-security", "pss-restricted", "least-privilege"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            trivy: &[Peer::exact("KSV-0105")],
            kics: &[Peer::partial("Container Running As Root", "also flags a missing runAsNonRoot, which run-as-non-root reports")],
            kubescape: &[Peer::partial("C-0013", "also flags a missing runAsNonRoot, which run-as-non-root reports")],
            ..Equivalents::NONE
        },
        compliance: &["PSS Restricted: Running as Non-root user", "CIS Kubernetes 5.2.7"],
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
    }
}

impl Check for RunAsRootUser {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let version = Version::of(cx.settings.kubernetes_version.as_deref());
        if !version.has(Change::RunAsUser) {
            return;
        }
        let path = ["securityContext", "runAsUser"];
        for (resource, pod) in each_pod(cx.resources) {
            if version.relaxes_user_namespace(pod.spec) {
                continue;
            }
            let text = cx.text(resource.file);
            let report = |node: &Node, whom: String| {
                let fix = replace_scalar(text, node, "10001")
                    .map(|e| Fix::new("Run as UID 10001", Applicability::Unsafe, vec![e]));
                Finding::on(
                    &Self::META,
                    resource,
                    node.span,
                    format!("{} {whom} runs as root (`runAsUser: 0`)", resource.name),
                )
                .with_origin(node, resource.file, "runAsUser")
                .with_fix(fix)
            };
            let root = |n: &&Node| n.as_f64() == Some(0.0);
            if let Some(node) = pod.spec.at(&path).filter(root) {
                out.push(report(
                    node,
                    "(every container that does not override it)".into(),
                ));
            }
            for c in pod.containers {
                if let Some(node) = c.node.at(&path).filter(root) {
                    out.push(report(node, c.describe()).in_container(&c.name, c.node.span));
                }
            }
        }
    }
}
