use crate::k8s::each_pod;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A pod spec that runs as the namespace's `default` service account: no
    /// `serviceAccountName`, or `serviceAccountName: default`.
    ///
    /// ## Why it matters
    /// Every workload in the namespace shares the default account, so a role bound to it for
    /// one workload is granted to all of them, and audit logs cannot tell them apart. A
    /// dedicated account per workload keeps RBAC grants where they belong.
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
    ///   serviceAccountName: api
    ///   containers:
    ///     - name: api
    ///       image: registry.example.com/api:1.4.2
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/service-accounts/
    pub struct DefaultServiceAccount {
        code: "K8S-029",
        name: "default-service-account",
        title: "Pod uses the default service account",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "least-privilege", "rbac"],
        severity: Severity::Low,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_K8S_41", "checks the default ServiceAccount object's automountServiceAccountToken, not the pods that use it"), Peer::partial("CKV_K8S_42", "checks bindings to the default ServiceAccount, not the pods that use it")],
            kics: &[Peer::partial("Service Account Name Undefined Or Empty", "flags only a missing or empty serviceAccountName, not serviceAccountName: default"), Peer::partial("Role Binding To Default Service Account", "checks bindings to the default ServiceAccount, not the pods that use it")],
            kube_linter: &[Peer::exact("default-service-account")],
            kubescape: &[Peer::partial("C-0189", "checks the default ServiceAccount's token mounting and bindings")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Kubernetes 5.1.5"],
        references: &["https://kubernetes.io/docs/concepts/security/service-accounts/"],
    }
}

impl Check for DefaultServiceAccount {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (resource, pod) in each_pod(cx.resources) {
            let named = pod
                .spec
                .get("serviceAccountName")
                .or_else(|| pod.spec.get("serviceAccount"));
            let (span, how) = match named {
                Some(n) if n.as_str() == Some("default") => (n.span, "names"),
                Some(_) => continue,
                None => (pod.key_span, "falls back to"),
            };
            out.push(Finding::on(
                &Self::META,
                resource,
                span,
                format!(
                    "{} {how} the namespace's `default` service account",
                    resource.name
                ),
            ));
        }
    }
}
