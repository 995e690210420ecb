use crate::edit::yaml_set;
use crate::fix::{Applicability, Fix};
use crate::k8s::{each_linux_container, ContainerKind};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A container (or init container) whose `securityContext.readOnlyRootFilesystem` is not
    /// `true`. Ephemeral debug containers and Windows pods are not checked.
    ///
    /// ## Why it matters
    /// With a writable root file system, an attacker who gets code execution can drop tools,
    /// replace binaries or plant persistence in the container. A read-only root, with
    /// `emptyDir` volumes for the paths the application writes, removes that.
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
    ///       readOnlyRootFilesystem: true
    ///     volumeMounts:
    ///       - {name: tmp, mountPath: /tmp}
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: an application that writes outside its mounted volumes fails.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
    pub struct WritableRootFilesystem {
        code: "K8S-024",
        name: "writable-root-filesystem",
        title: "Container root file system is writable",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "hardening"],
        severity: Severity::Low,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_22")],
            trivy: &[Peer::exact("KSV-0014")],
            kics: &[Peer::exact("Root Container Not Mounted As Read-only"), Peer::exact("Root Container Not Mounted Read-only")],
            kube_linter: &[Peer::exact("no-read-only-root-fs")],
            polaris: &[Peer::exact("notReadOnlyRootFilesystem")],
            kubescape: &[Peer::exact("C-0017")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Kubernetes 5.7.3", "NSA/CISA Kubernetes Hardening: immutable file systems"],
        references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
    }
}

impl Check for WritableRootFilesystem {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let path = ["securityContext", "readOnlyRootFilesystem"];
        for (resource, _, c) in each_linux_container(cx.resources) {
            if c.kind == ContainerKind::Ephemeral {
                continue;
            }
            let value = c.node.at(&path);
            if value.is_some_and(|v| v.as_bool() == Some(true) || v.is_unknown()) {
                continue;
            }
            let span = value.map(|v| v.span).unwrap_or_else(|| c.anchor_span());
            let fix = yaml_set(cx.text(resource.file), c.node, &path, "true").map(|e| {
                Fix::new(
                    "Set `readOnlyRootFilesystem: true`",
                    Applicability::Unsafe,
                    vec![e],
                )
            });
            out.push(
                Finding::on(
                    &Self::META,
                    resource,
                    span,
                    format!(
                        "{} {} has a writable root file system",
                        resource.name,
                        c.describe()
                    ),
                )
                .in_container(&c.name, c.node.span)
                .with_fix(fix),
            );
        }
    }
}
