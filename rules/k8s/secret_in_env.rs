use crate::k8s::each_container;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};
use crate::rules::docker::secret_in_env::{placeholder_value, secret_name, secret_value};

crate::declare_rule! {
    /// ## What it flags
    /// A container environment variable whose literal `value` is a secret: by name
    /// (`DB_PASSWORD`, `API_TOKEN`, `AWS_SECRET_ACCESS_KEY`…, with the same exceptions as the
    /// Dockerfile rule: `*_FILE`, `*_PATH`, `*_URL`, `*_ID`, public keys) or by value shape
    /// (AWS access key ids, GitHub and Slack tokens, private-key blocks) whatever the name.
    /// Values from `valueFrom` (Secrets, ConfigMaps, fields), empty or templated values
    /// (`$(VAR)`, `${VAR}`), placeholders (`<token>`, `your-token`, the variable's own name)
    /// and flags such as `MYSQL_ALLOW_EMPTY_PASSWORD: "yes"` are not flagged.
    ///
    /// ## Why it matters
    /// A literal in the manifest is a credential in the repository, in every rendered copy of
    /// the chart, in `kubectl get -o yaml` for anyone who can read the workload, and in the
    /// cluster's etcd unencrypted.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     value: s3cr3t-value
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     valueFrom:
    ///       secretKeyRef: {name: db, key: password}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/secret/
    /// - CWE-798: Use of Hard-coded Credentials
    pub struct SecretInEnvK8s {
        code: "K8S-031",
        name: "secret-in-env-k8s",
        title: "Secret written as a literal environment value",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "secrets"],
        severity: Severity::High,
        equivalents: Equivalents {
            kube_linter: &[Peer::exact("env-var-secret")],
            polaris: &[Peer::partial("sensitiveContainerEnvVar", "flags secret-named variables by name whatever their source")],
            kubescape: &[Peer::partial("C-0012", "also reads ConfigMaps; by name only")],
            ..Equivalents::NONE
        },
        compliance: &["CWE-798", "CIS Kubernetes 5.4.1", "MITRE ATT&CK T1552"],
        references: &["https://kubernetes.io/docs/concepts/configuration/secret/"],
    }
}

impl Check for SecretInEnvK8s {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (resource, c) in each_container(cx.resources) {
            for var in c.node.get("env").map(|e| e.as_list()).unwrap_or_default() {
                let Some(name) = var.get("name").and_then(|n| n.as_str()) else {
                    continue;
                };
                let Some(value) = var.get("value") else {
                    continue;
                };
                let Some(text) = value.as_str() else { continue };
                if text.is_empty()
                    || text.contains("$(")
                    || text.contains("${")
                    || text.contains("{{")
                {
                    continue;
                }
                let message = match secret_value(text) {
                    Some(kind) => {
                        format!("{} {} sets `{name}` to {kind}", resource.name, c.describe())
                    }
                    None if secret_name(name) && !placeholder_value(name, text) => format!(
                        "{} {} sets the secret `{name}` as a literal; use `valueFrom.secretKeyRef`",
                        resource.name,
                        c.describe()
                    ),
                    None => continue,
                };
                out.push(
                    Finding::on(&Self::META, resource, value.span, message)
                        .in_container(&c.name, c.node.span)
                        .with_origin(value, resource.file, "the value"),
                );
            }
        }
    }
}
