//! Terraform's Kubernetes provider (`hashicorp/kubernetes`) in the Kubernetes model: each
//! `kubernetes_deployment_v1`, `kubernetes_pod`, `kubernetes_role`… resource becomes the object
//! it creates, so the Kubernetes rules judge it with spans in the `.tf` file.
//!
//! The provider writes Kubernetes fields in snake_case, lists as repeated blocks and
//! single-object fields as blocks (`security_context { … }`). The object keeps the evaluated
//! nodes of the resource's body (values, spans, origins), with the names converted to the
//! Kubernetes camelCase fields, repeated blocks gathered into the list Kubernetes names in the
//! plural (`container` blocks are `containers`) and single blocks turned into maps. Maps given
//! as attribute values (`labels`, `annotations`, `limits`) keep their keys as written; unknown
//! values (variables without defaults, references, `dynamic` blocks over unknown collections)
//! stay unknown. `kubernetes_manifest` holds the object in Kubernetes' own shape already.
//!
//! Where the provider's default differs from Kubernetes' the object holds what the provider
//! sends (see [`apply_provider_defaults`]).

use crate::model::{Entry, Node, Resource, ResourceKind, Value};
use crate::source::Span;

/// The resource types of the provider mapped to Kubernetes objects: (type without the `_v1`
/// suffix, apiVersion, kind).
const KINDS: &[(&str, &str, &str)] = &[
    ("kubernetes_pod", "v1", "Pod"),
    ("kubernetes_deployment", "apps/v1", "Deployment"),
    ("kubernetes_daemonset", "apps/v1", "DaemonSet"),
    ("kubernetes_daemon_set", "apps/v1", "DaemonSet"),
    ("kubernetes_stateful_set", "apps/v1", "StatefulSet"),
    (
        "kubernetes_replication_controller",
        "v1",
        "ReplicationController",
    ),
    ("kubernetes_job", "batch/v1", "Job"),
    ("kubernetes_cron_job", "batch/v1", "CronJob"),
    ("kubernetes_role", "rbac.authorization.k8s.io/v1", "Role"),
    (
        "kubernetes_cluster_role",
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
    ),
    (
        "kubernetes_role_binding",
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
    ),
    (
        "kubernetes_cluster_role_binding",
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
    ),
    ("kubernetes_service", "v1", "Service"),
    ("kubernetes_service_account", "v1", "ServiceAccount"),
    (
        "kubernetes_network_policy",
        "networking.k8s.io/v1",
        "NetworkPolicy",
    ),
];

/// The kinds of [`KINDS`] that have no namespace.
const CLUSTER_SCOPED: &[&str] = &["ClusterRole", "ClusterRoleBinding"];

/// Repeated blocks and the Kubernetes list they make (`container` blocks are `containers`).
/// Every other block is a single object (`metadata`, `spec`, `security_context`).
const LISTS: &[(&str, &str)] = &[
    ("container", "containers"),
    ("init_container", "initContainers"),
    ("ephemeral_container", "ephemeralContainers"),
    ("volume", "volumes"),
    ("volume_mount", "volumeMounts"),
    ("volume_device", "volumeDevices"),
    ("port", "ports"),
    ("ports", "ports"),
    ("env", "env"),
    ("env_from", "envFrom"),
    ("toleration", "tolerations"),
    ("sysctl", "sysctls"),
    ("image_pull_secrets", "imagePullSecrets"),
    ("host_aliases", "hostAliases"),
    ("readiness_gate", "readinessGates"),
    ("topology_spread_constraint", "topologySpreadConstraints"),
    ("rule", "rules"),
    ("subject", "subjects"),
    ("ingress", "ingress"),
    ("egress", "egress"),
    ("from", "from"),
    ("to", "to"),
    ("http_header", "httpHeaders"),
    ("match_expressions", "matchExpressions"),
    ("option", "options"),
    ("items", "items"),
    ("sources", "sources"),
    ("cluster_role_selectors", "clusterRoleSelectors"),
    ("node_selector_term", "nodeSelectorTerms"),
];

/// Arguments of the resource that are Terraform's or the provider's, not the object's.
const NOT_OF_THE_OBJECT: &[&str] = &[
    "count",
    "for_each",
    "depends_on",
    "provider",
    "lifecycle",
    "timeouts",
    "wait_for_rollout",
    "wait_for_load_balancer",
    "wait_for_completion",
    "wait_for_default_secret",
];

/// Fields the provider takes as strings that Kubernetes holds as integers (user and group
/// IDs): `run_as_user = "0"` is `runAsUser: 0`.
const INTEGER_STRINGS: &[&str] = &["run_as_user", "run_as_group", "fs_group"];

/// Nested blocks deeper than this are left out (a Kubernetes object is a few levels deep;
/// evaluation already bounds the depth, this keeps the mapping's recursion bounded too).
const MAX_DEPTH: usize = 48;

/// The Kubernetes objects the provider's resources among `resources` create, in order.
pub(crate) fn objects(resources: &[Resource]) -> Vec<Resource> {
    resources.iter().filter_map(object).collect()
}

/// Is this resource one that [`objects`] maps?
fn kind_of(type_name: &str) -> Option<(&'static str, &'static str)> {
    let base = type_name.strip_suffix("_v1").unwrap_or(type_name);
    KINDS
        .iter()
        .find(|(t, _, _)| *t == base)
        .map(|(_, api, kind)| (*api, *kind))
}

fn object(resource: &Resource) -> Option<Resource> {
    let ("resource", type_name) = resource.tf_type()? else {
        return None;
    };
    let body = if type_name == "kubernetes_manifest" {
        manifest(resource)?
    } else {
        let (api, kind) = kind_of(type_name)?;
        let mut entries = vec![
            text_entry("apiVersion", api, resource.head),
            text_entry("kind", kind, resource.head),
        ];
        entries.extend(
            resource
                .body
                .entries()
                .iter()
                .filter(|e| !NOT_OF_THE_OBJECT.contains(&e.key.as_str()))
                .filter_map(|e| convert_entry(e, 0)),
        );
        let mut body = Node::new(Value::Map(entries), resource.body.span);
        apply_provider_defaults(&mut body, 0);
        if !CLUSTER_SCOPED.contains(&kind) {
            default_namespace(&mut body);
        }
        body
    };
    let (api_version, kind) = match (
        body.get("apiVersion").and_then(Node::as_str),
        body.get("kind").and_then(Node::as_str),
    ) {
        (Some(a), Some(k)) => (a.to_string(), k.to_string()),
        _ => return None,
    };
    Some(Resource {
        kind: ResourceKind::Kubernetes { api_version, kind },
        name: resource.name.clone(),
        span: resource.span,
        head: resource.head,
        body,
        provenance: resource.provenance.clone(),
        file: resource.file,
    })
}

/// `kubernetes_manifest`'s `manifest`: the object as Kubernetes writes it.
fn manifest(resource: &Resource) -> Option<Node> {
    let node = resource.body.get("manifest")?;
    (node.is_map() && node.get("apiVersion").is_some() && node.get("kind").is_some())
        .then(|| node.clone())
}

fn text_entry(key: &str, value: &str, span: Span) -> Entry {
    Entry {
        key: key.to_string(),
        key_span: span,
        value: Node::new(Value::String(value.to_string()), span),
    }
}

/// Was this entry written as blocks? Evaluation gives blocks (and `dynamic` blocks) a list
/// node at the span of the block's name; an attribute's value has the span of its expression.
fn is_blocks(e: &Entry) -> bool {
    matches!(e.value.value, Value::List(_)) && e.value.span == e.key_span
}

/// One entry of a block body under its Kubernetes name; `None` for a single block written
/// zero times (an empty `dynamic`) or nested too deep.
fn convert_entry(e: &Entry, depth: usize) -> Option<Entry> {
    if !is_blocks(e) {
        let mut value = e.value.clone();
        if INTEGER_STRINGS.contains(&e.key.as_str()) {
            integer_from_string(&mut value);
        }
        return Some(Entry {
            key: camel_case(&e.key),
            key_span: e.key_span,
            value,
        });
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    let blocks = e.value.as_list();
    if let Some((_, plural)) = LISTS.iter().find(|(k, _)| *k == e.key) {
        let items = blocks.iter().map(|b| convert_block(b, depth + 1)).collect();
        return Some(Entry {
            key: (*plural).to_string(),
            key_span: e.key_span,
            value: Node::new(Value::List(items), e.value.span),
        });
    }
    let first = blocks.first()?;
    Some(Entry {
        key: camel_case(&e.key),
        key_span: e.key_span,
        value: convert_block(first, depth + 1),
    })
}

/// A block's body as a map (an unknown `dynamic` block stays unknown).
fn convert_block(block: &Node, depth: usize) -> Node {
    match &block.value {
        Value::Map(entries) => Node {
            value: Value::Map(
                entries
                    .iter()
                    .filter_map(|e| convert_entry(e, depth))
                    .collect(),
            ),
            span: block.span,
            origin: block.origin.clone(),
        },
        _ => block.clone(),
    }
}

/// `"1000"` as the number 1000; anything else as it is.
fn integer_from_string(node: &mut Node) {
    if let Some(n) = node
        .as_str()
        .filter(|s| !s.is_empty() && s.len() <= 12)
        .and_then(|s| s.parse::<i64>().ok())
    {
        node.value = Value::Number(n as f64);
    }
}

/// `host_pid` → `hostPID`, `se_linux_options` → `seLinuxOptions`, `external_ips` →
/// `externalIPs`: the provider's names are Kubernetes' field names in snake_case, with the
/// Go initialisms spelt in capitals.
pub(crate) fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    for (i, part) in snake.split('_').enumerate() {
        if i == 0 {
            out.push_str(part);
            continue;
        }
        match part {
            "pid" | "ipc" | "ip" | "uid" | "url" => out.push_str(&part.to_ascii_uppercase()),
            "ips" => out.push_str("IPs"),
            "urls" => out.push_str("URLs"),
            _ => {
                let mut chars = part.chars();
                if let Some(c) = chars.next() {
                    out.extend(c.to_uppercase());
                    out.push_str(chars.as_str());
                }
            }
        }
    }
    out
}

/// The provider's name of a Kubernetes field: `hostPID` → `host_pid`,
/// `readOnlyRootFilesystem` → `read_only_root_filesystem`.
pub(crate) fn snake_case(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    let chars: Vec<char> = camel.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower = i > 0 && !chars[i - 1].is_ascii_uppercase();
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            // `IPs` ends an initialism with a plural `s`.
            let plural_s = chars.get(i + 1) == Some(&'s') && chars.get(i + 2).is_none();
            if i > 0 && (prev_lower || (next_lower && !plural_s)) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(*c);
        }
    }
    out
}

/// `metadata { }` without `namespace`: the provider creates the object in `default` (there
/// is no `kubectl -n` or Kustomize namespace to decide it, as there is for a manifest). The
/// value is placed at the `metadata` block.
fn default_namespace(body: &mut Node) {
    let Value::Map(entries) = &mut body.value else {
        return;
    };
    let Some(meta) = entries.iter_mut().rev().find(|e| e.key == "metadata") else {
        return;
    };
    let at = meta.key_span;
    if let Value::Map(fields) = &mut meta.value.value {
        if !fields.iter().any(|f| f.key == "namespace") {
            fields.push(text_entry("namespace", "default", at));
        }
    }
}

/// Defaults of the provider that differ from Kubernetes', applied where the provider applies
/// them so that the rules judge what is deployed (and the namespace, [`default_namespace`]):
///
/// - `seccomp_profile { }` without `type` (pod or container security context) is sent as
///   `type: Unconfined`: the provider's schema defaults the type to `Unconfined`, where
///   Kubernetes has no default and rejects a profile without a type. The value is placed at
///   the `seccomp_profile` block.
///
/// The other defaults of the schema match Kubernetes' (`automount_service_account_token`
/// defaults to true since provider 2.0, as in Kubernetes; `privileged`,
/// `read_only_root_filesystem`, `host_network`, `host_pid`, `host_ipc` to false;
/// `allow_privilege_escalation` to true, which Kubernetes also allows when it is unset), so
/// they are left unset as they are written.
fn apply_provider_defaults(node: &mut Node, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match &mut node.value {
        Value::Map(entries) => {
            for e in entries.iter_mut() {
                if e.key == "seccompProfile" && e.value.is_map() && e.value.get("type").is_none() {
                    let at = e.key_span;
                    if let Value::Map(inner) = &mut e.value.value {
                        inner.push(text_entry("type", "Unconfined", at));
                    }
                }
                apply_provider_defaults(&mut e.value, depth + 1);
            }
        }
        Value::List(items) => {
            for item in items {
                apply_provider_defaults(item, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for (snake, camel) in [
            ("host_pid", "hostPID"),
            ("host_ipc", "hostIPC"),
            ("host_network", "hostNetwork"),
            ("se_linux_options", "seLinuxOptions"),
            ("external_ips", "externalIPs"),
            ("load_balancer_ip", "loadBalancerIP"),
            ("non_resource_urls", "nonResourceURLs"),
            ("api_groups", "apiGroups"),
            ("read_only_root_filesystem", "readOnlyRootFilesystem"),
            ("image", "image"),
        ] {
            assert_eq!(camel_case(snake), camel);
            assert_eq!(snake_case(camel), snake);
        }
    }
}
