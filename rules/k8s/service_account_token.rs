use crate::edit::{replace_scalar, yaml_set};
use crate::fix::{Applicability, Fix};
use crate::k8s::each_pod;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A pod spec that does not set `automountServiceAccountToken: false`, so every container
    /// gets an API token mounted at `/var/run/secrets/kubernetes.io/serviceaccount`. A
    /// ServiceAccount in the same file that sets `automountServiceAccountToken: false` covers
    /// the pods that use it.
    ///
    /// A pod of Terraform's Kubernetes provider (`kubernetes_deployment_v1`…) without
    /// `automount_service_account_token = false` is flagged alike: since provider 2.0 the
    /// argument defaults to true, as Kubernetes does (1.x defaulted it to false).
    ///
    /// ## Why it matters
    /// Most applications never call the Kubernetes API. A mounted token hands an attacker who
    /// reaches the container an authenticated identity in the cluster, with whatever RBAC
    /// grants its service account, often more than anyone remembers.
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
    ///   automountServiceAccountToken: false
    ///   containers:
    ///     - name: api
    ///       image: registry.example.com/api:1.4.2
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a workload that does call the API (operators, controllers) loses its token.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
    pub struct ServiceAccountToken {
        code: "K8S-028",
        name: "service-account-token",
        title: "Pod mounts a service account token",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "least-privilege", "rbac"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_38")],
            trivy: &[Peer::exact("KSV-0036")],
            kics: &[Peer::exact("Service Account Token Automount Not Disabled")],
            polaris: &[Peer::exact("automountServiceAccountToken")],
            kubescape: &[Peer::exact("C-0034")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Kubernetes 5.1.6", "MITRE ATT&CK T1528"],
        references: &["https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting"],
    }
}

impl Check for ServiceAccountToken {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        // Service accounts in the scanned set that opt out for every pod using them.
        let opted_out: Vec<&str> = cx
            .resources
            .iter()
            .filter(|r| r.k8s_kind() == Some("ServiceAccount"))
            .filter(|r| {
                r.body
                    .get("automountServiceAccountToken")
                    .and_then(|v| v.as_bool())
                    == Some(false)
            })
            .filter_map(|r| r.body.at(&["metadata", "name"]).and_then(|n| n.as_str()))
            .collect();
        for (resource, pod) in each_pod(cx.resources) {
            let value = pod.spec.get("automountServiceAccountToken");
            if value.is_some_and(|v| v.as_bool() == Some(false) || v.is_unknown()) {
                continue;
            }
            // A name known only at apply (a Terraform reference) may be an account that opts
            // out.
            let named = pod.spec.get("serviceAccountName");
            let account = match named {
                Some(n) if n.is_unknown() => None,
                Some(n) => Some(n.as_str().unwrap_or("default")),
                None => Some("default"),
            };
            if value.is_none() && account.map_or(!opted_out.is_empty(), |a| opted_out.contains(&a))
            {
                continue;
            }
            let whose = match account {
                Some(a) => format!("service account \"{a}\""),
                None => "its service account".to_string(),
            };
            let text = cx.text(resource.file);
            let (span, message, edit) = match value {
                Some(v) => (
                    v.span,
                    format!(
                        "{} mounts the API token of {whose} (`automountServiceAccountToken: {}`)",
                        resource.name,
                        v.display()
                    ),
                    replace_scalar(text, v, "false"),
                ),
                None => (
                    pod.key_span,
                    format!(
                        "{} mounts the API token of {whose} into every container",
                        resource.name
                    ),
                    yaml_set(text, pod.spec, &["automountServiceAccountToken"], "false"),
                ),
            };
            let fix = edit.map(|e| {
                Fix::new(
                    "Set `automountServiceAccountToken: false`",
                    Applicability::Unsafe,
                    vec![e],
                )
            });
            out.push(Finding::on(&Self::META, resource, span, message).with_fix(fix));
        }
    }
}
