use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// An object placed in the `default` namespace explicitly (`metadata.namespace: default`).
    /// Objects without a namespace are not flagged: they are applied with `-n`, by
    /// Kustomize's `namespace:` or by a Helm release, which decide where they land. A
    /// namespaced resource of Terraform's Kubernetes provider without `namespace` in its
    /// `metadata` block is flagged there: the provider creates it in `default`.
    ///
    /// ## Why it matters
    /// The `default` namespace is where everything lands by accident: workloads there share
    /// its default service account, its network policies (usually none) and its quotas with
    /// whatever else was put there, and namespace-scoped RBAC cannot separate them.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   name: api
    ///   namespace: default
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// metadata:
    ///   name: api
    ///   namespace: shop
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/
    pub struct DefaultNamespace {
        code: "K8S-030",
        name: "default-namespace",
        title: "Object in the `default` namespace",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "isolation"],
        severity: Severity::Low,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_21")],
            trivy: &[Peer::exact("KSV-0110")],
            kics: &[Peer::exact("Using Default Namespace"), Peer::partial("Using Unrecommended Namespace", "also flags kube-system and kube-public")],
            kube_linter: &[Peer::exact("use-namespace")],
            kubescape: &[Peer::exact("C-0061")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Kubernetes 5.7.4"],
        references: &["https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/"],
    }
}

impl Check for DefaultNamespace {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for resource in cx.resources {
            let Some(ns) = resource.body.at(&["metadata", "namespace"]) else {
                continue;
            };
            if ns.as_str() != Some("default") {
                continue;
            }
            out.push(
                Finding::on(
                    &Self::META,
                    resource,
                    ns.span,
                    format!("{} is placed in the `default` namespace", resource.name),
                )
                .with_origin(ns, resource.file, "the namespace"),
            );
        }
    }
}
