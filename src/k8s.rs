//! Kubernetes normalisers: objects from YAML documents, the pod spec of any workload kind, and
//! every container of a pod spec. Rules ask for pod specs and containers, never for kinds.

use crate::model::{Node, Resource, ResourceKind, Value};
use crate::parse::yaml::YamlDoc;
use crate::source::Span;

pub(crate) mod pss;
pub(crate) mod terraform;
mod workloads;

pub(crate) use workloads::PodSpec;
pub(crate) use workloads::{
    generic_template, pod_annotations, pod_labels, pod_spec, runs_to_completion,
};

/// Objects of a YAML stream: documents with `apiVersion` and `kind`; `List` kinds unpacked.
/// The documents' trees move into the resources.
pub(crate) fn resources(docs: Vec<YamlDoc>, file: usize) -> Vec<Resource> {
    let mut out = Vec::new();
    for doc in docs {
        push_object(doc.root, doc.helm_source.as_ref(), file, &mut out, 0);
    }
    out
}

/// Does any document look like a Kubernetes object?
pub(crate) fn is_kubernetes(docs: &[YamlDoc]) -> bool {
    docs.iter().any(|d| {
        object_header(&d.root).is_some()
            || d.root.as_list().iter().any(|n| object_header(n).is_some())
    })
}

fn object_header(node: &Node) -> Option<(&str, &Node)> {
    let api = node.get("apiVersion")?.as_str()?;
    let kind = node.get("kind")?;
    kind.as_str()?;
    Some((api, kind))
}

fn push_object(
    node: Node,
    helm: Option<&String>,
    file: usize,
    out: &mut Vec<Resource>,
    depth: usize,
) {
    // A JSON file may hold an array of objects.
    if let Value::List(items) = node.value {
        if depth == 0 {
            for item in items {
                push_object(item, helm, file, out, depth + 1);
            }
        }
        return;
    }
    let Some((api, kind_node)) = object_header(&node) else {
        return;
    };
    let kind = kind_node.as_str().unwrap_or_default();
    if kind == "List" || (kind.ends_with("List") && node.get("items").is_some()) {
        if depth < 4 {
            let Value::Map(entries) = node.value else {
                return;
            };
            for e in entries.into_iter().filter(|e| e.key == "items") {
                if let Value::List(items) = e.value.value {
                    for item in items {
                        push_object(item, helm, file, out, depth + 1);
                    }
                }
            }
        }
        return;
    }
    let meta = node.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .map(Node::display)
        .or_else(|| {
            meta.and_then(|m| m.get("generateName"))
                .map(|n| format!("{}*", n.display()))
        })
        .unwrap_or_else(|| "(unnamed)".into());
    let namespace = meta.and_then(|m| m.get("namespace")).and_then(Node::as_str);
    let display = match namespace {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    };
    // Kustomize's `config.kubernetes.io/origin` annotation names the file an object was built
    // from (`path: ../base/deployment.yaml`).
    let origin = meta
        .and_then(|m| m.at(&["annotations", "config.kubernetes.io/origin"]))
        .and_then(Node::as_str)
        .and_then(|o| {
            o.lines()
                .find_map(|l| l.trim().strip_prefix("path:"))
                .map(|p| p.trim().to_string())
        });
    let (api_version, kind, head) = (api.to_string(), kind.to_string(), kind_node.span);
    out.push(Resource {
        kind: ResourceKind::Kubernetes { api_version, kind },
        name: display,
        span: node.span,
        head,
        body: node,
        provenance: helm.cloned().or(origin),
        file,
    });
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ContainerKind {
    Container,
    Init,
    Ephemeral,
}

pub(crate) struct Container<'a> {
    pub kind: ContainerKind,
    pub name: String,
    pub node: &'a Node,
}

impl Container<'_> {
    /// `container "api"`, `init container "setup"`, `ephemeral container "debug"`.
    pub(crate) fn describe(&self) -> String {
        let what = match self.kind {
            ContainerKind::Container => "container",
            ContainerKind::Init => "init container",
            ContainerKind::Ephemeral => "ephemeral container",
        };
        format!("{what} \"{}\"", self.name)
    }

    /// The span to report a missing setting at: the container's `name` key, else its first key.
    pub(crate) fn anchor_span(&self) -> Span {
        self.node
            .entry("name")
            .or_else(|| self.node.entries().first())
            .map(|e| e.key_span)
            .unwrap_or(self.node.span)
    }
}

/// containers, initContainers and ephemeralContainers of a pod spec.
/// Containers of one list of a pod spec that are checked; the engine reports a longer list.
/// Real pods have a handful; every container can yield a dozen findings.
pub const MAX_CONTAINERS: usize = 1_000;

const CONTAINER_LISTS: [(&str, ContainerKind); 3] = [
    ("initContainers", ContainerKind::Init),
    ("containers", ContainerKind::Container),
    ("ephemeralContainers", ContainerKind::Ephemeral),
];

/// The containers of a pod spec (the first [`MAX_CONTAINERS`] of each list).
pub(crate) fn containers<'a>(spec: &'a Node) -> Vec<Container<'a>> {
    let mut out = Vec::new();
    for (key, kind) in CONTAINER_LISTS {
        for (i, node) in spec
            .get(key)
            .map(Node::as_list)
            .unwrap_or_default()
            .iter()
            .take(MAX_CONTAINERS)
            .enumerate()
        {
            if !node.is_map() {
                continue;
            }
            let name = node
                .get("name")
                .map(Node::display)
                .unwrap_or_else(|| format!("#{}", i + 1));
            out.push(Container { kind, name, node });
        }
    }
    out
}

/// Container lists longer than [`MAX_CONTAINERS`]: the resource, the list's key and span of
/// the key, and its length.
pub(crate) fn oversized_container_lists(
    resources: &[Resource],
) -> Vec<(&Resource, &'static str, Span, usize)> {
    let mut out = Vec::new();
    for r in resources {
        let Some(pod) = pod_spec(r) else { continue };
        for (key, _) in CONTAINER_LISTS {
            if let Some(e) = pod.spec.entry(key) {
                let len = e.value.as_list().len();
                if len > MAX_CONTAINERS {
                    out.push((r, key, e.key_span, len));
                }
            }
        }
    }
    out
}

/// Every container of a resource with the resource it belongs to, for container rules.
pub(crate) fn each_container<'a>(
    resources: &'a [Resource],
) -> impl Iterator<Item = (&'a Resource, Container<'a>)> {
    resources.iter().flat_map(|r| {
        pod_spec(r)
            .map(|p| p.containers)
            .unwrap_or_default()
            .into_iter()
            .map(move |c| (r, c))
    })
}

/// Every workload with its pod spec.
pub(crate) fn each_pod(resources: &[Resource]) -> impl Iterator<Item = (&Resource, PodSpec<'_>)> {
    resources.iter().filter_map(|r| pod_spec(r).map(|p| (r, p)))
}

/// A security-context setting as the kubelet applies it.
pub(crate) struct Setting<'a> {
    pub node: &'a Node,
    /// Set in the pod's `securityContext` and inherited by the container.
    pub from_pod: bool,
}

/// `path` under the container's `securityContext`, else under the pod's: the container's own
/// setting wins, the pod's applies to every container that does not set it (runAsNonRoot,
/// runAsUser, runAsGroup, seLinuxOptions, seccompProfile, appArmorProfile, windowsOptions).
pub(crate) fn effective<'a>(
    pod: &'a Node,
    container: &'a Node,
    path: &[&str],
) -> Option<Setting<'a>> {
    let mut full = vec!["securityContext"];
    full.extend_from_slice(path);
    if let Some(node) = container.at(&full) {
        return Some(Setting {
            node,
            from_pod: false,
        });
    }
    pod.at(&full).map(|node| Setting {
        node,
        from_pod: true,
    })
}

/// The minor version of `kubernetes-version` (`"1.29"`, `"v1.29.3"` → 29); `None` means the
/// newest release, with every check on.
pub(crate) fn minor_version(setting: Option<&str>) -> Option<u32> {
    let v = setting?.trim().trim_start_matches('v');
    let mut parts = v.split('.');
    (parts.next()? == "1").then_some(())?;
    parts.next()?.parse().ok()
}

/// Pods declared to run on Windows (`spec.os.name: windows`), which several Restricted
/// checks exempt because the settings are Linux-only (from 1.25, see [`pss::Change`]).
pub(crate) fn is_windows(pod: &Node) -> bool {
    pod.at(&["os", "name"]).and_then(Node::as_str) == Some("windows")
}

/// Every container of pods not declared to run on Windows, with its pod spec: checks whose
/// settings are Linux-only (the Pod Security Standards exempt by version: [`pss::Version`]).
pub(crate) fn each_linux_container(
    resources: &[Resource],
) -> impl Iterator<Item = (&Resource, &Node, Container<'_>)> {
    each_pod_container(resources).filter(|(_, pod, _)| !is_windows(pod))
}

/// Every volume of every pod spec, with its resource.
pub(crate) fn each_volume(resources: &[Resource]) -> impl Iterator<Item = (&Resource, &Node)> {
    each_pod(resources).flat_map(|(r, p)| {
        p.spec
            .get("volumes")
            .map(Node::as_list)
            .unwrap_or_default()
            .iter()
            .map(move |v| (r, v))
    })
}

/// Every container with the pod spec it belongs to.
pub(crate) fn each_pod_container(
    resources: &[Resource],
) -> impl Iterator<Item = (&Resource, &Node, Container<'_>)> {
    each_pod(resources).flat_map(|(r, p)| {
        let spec = p.spec;
        p.containers.into_iter().map(move |c| (r, spec, c))
    })
}

/// One entry of a Role's or ClusterRole's `rules`.
pub(crate) struct PolicyRule<'a> {
    pub node: &'a Node,
    pub api_groups: Vec<&'a Node>,
    pub resources: Vec<&'a Node>,
    pub verbs: Vec<&'a Node>,
}

impl PolicyRule<'_> {
    /// `*` matches anything; `pods/*` matches every subresource of pods.
    fn has(list: &[&Node], wanted: &[&str]) -> bool {
        list.iter().filter_map(|n| n.as_str()).any(|s| {
            s == "*"
                || wanted.contains(&s)
                || s.strip_suffix("/*").is_some_and(|base| {
                    wanted
                        .iter()
                        .any(|w| w.split_once('/').is_some_and(|(b, _)| b == base))
                })
        })
    }

    /// Does the rule grant one of `verbs` on one of `resources` (`group/resource` or a core
    /// `resource`; subresources as `pods/exec`)? `*` matches everything.
    pub(crate) fn grants(&self, verbs: &[&str], resources: &[&str]) -> bool {
        if !Self::has(&self.verbs, verbs) {
            return false;
        }
        resources.iter().any(|wanted| {
            let (group, resource) = match wanted.split_once(':') {
                Some((g, r)) => (g, r),
                None => ("", *wanted),
            };
            Self::has(&self.api_groups, &[group]) && Self::has(&self.resources, &[resource])
        })
    }

    /// `*` verbs on `*` resources of `*` API groups: everything, which one finding says.
    pub(crate) fn grants_everything(&self) -> bool {
        [&self.verbs, &self.resources, &self.api_groups]
            .iter()
            .all(|list| list.iter().any(|n| n.as_str() == Some("*")))
    }

    /// The first of `lists`' items that is `*`, for the finding's span.
    pub(crate) fn wildcard(&self) -> Option<(&'static str, &Node)> {
        [
            ("verbs", &self.verbs),
            ("resources", &self.resources),
            ("apiGroups", &self.api_groups),
        ]
        .into_iter()
        .find_map(|(what, list)| {
            list.iter()
                .find(|n| n.as_str() == Some("*"))
                .map(|n| (what, *n))
        })
    }
}

/// The policy rules of a Role or ClusterRole; empty for other kinds and for the built-in
/// `system:` roles, which ship with Kubernetes.
pub(crate) fn policy_rules(resource: &Resource) -> Vec<PolicyRule<'_>> {
    if !matches!(resource.k8s_kind(), Some("Role" | "ClusterRole")) || is_system(resource) {
        return Vec::new();
    }
    resource
        .body
        .get("rules")
        .map(Node::as_list)
        .unwrap_or_default()
        .iter()
        .map(|node| PolicyRule {
            node,
            api_groups: items(node, "apiGroups"),
            resources: items(node, "resources"),
            verbs: items(node, "verbs"),
        })
        .collect()
}

fn items<'a>(node: &'a Node, key: &str) -> Vec<&'a Node> {
    node.get(key)
        .map(|l| l.as_list().iter().collect())
        .unwrap_or_default()
}

/// Objects named `system:…`, which Kubernetes itself creates.
pub(crate) fn is_system(resource: &Resource) -> bool {
    resource
        .body
        .at(&["metadata", "name"])
        .and_then(Node::as_str)
        .is_some_and(|n| n.starts_with("system:"))
}

/// A label selector (`matchLabels` and `matchExpressions`).
#[derive(Clone, Debug, Default)]
pub struct Selector {
    pub labels: Vec<(String, String)>,
    /// (key, operator, values)
    pub expressions: Vec<(String, String, Vec<String>)>,
}

impl Selector {
    pub(crate) fn from_node(node: Option<&Node>) -> Selector {
        let Some(node) = node else {
            return Selector::default();
        };
        let labels = node
            .get("matchLabels")
            .map(|m| {
                m.entries()
                    .iter()
                    .map(|e| (e.key.clone(), e.value.display()))
                    .collect()
            })
            .unwrap_or_default();
        let expressions = node
            .get("matchExpressions")
            .map(Node::as_list)
            .unwrap_or_default()
            .iter()
            .map(|e| {
                let text = |k: &str| e.get(k).map(Node::display).unwrap_or_default();
                let values = e
                    .get("values")
                    .map(|v| v.as_list().iter().map(Node::display).collect())
                    .unwrap_or_default();
                (text("key"), text("operator"), values)
            })
            .collect();
        Selector {
            labels,
            expressions,
        }
    }

    /// Does the selector select pods with these labels? (`{}` selects every pod.)
    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let get = |k: &str| labels.iter().find(|(key, _)| key == k).map(|(_, v)| v);
        self.labels.iter().all(|(k, v)| get(k) == Some(v))
            && self
                .expressions
                .iter()
                .all(|(k, op, values)| match op.as_str() {
                    "In" => get(k).is_some_and(|v| values.contains(v)),
                    "NotIn" => get(k).is_none_or(|v| !values.contains(v)),
                    "Exists" => get(k).is_some(),
                    "DoesNotExist" => get(k).is_none(),
                    _ => false,
                })
    }
}

/// A NetworkPolicy: its namespace and the pods it selects.
#[derive(Clone, Debug)]
pub struct PolicyFact {
    pub namespace: String,
    pub name: String,
    pub selector: Selector,
}

/// What whole-set rules need to know about every manifest in the scan, gathered before the
/// files are linted.
#[derive(Clone, Debug, Default)]
pub struct SetFacts {
    pub policies: Vec<PolicyFact>,
    /// Was the set gathered from a scan (not a single file)?
    pub gathered: bool,
}

/// Facts for a lint that is not part of a scan (one file, an editor buffer).
pub(crate) static NO_SET: SetFacts = SetFacts {
    policies: Vec::new(),
    gathered: false,
};

/// The NetworkPolicies among `resources` that name their namespace (a policy without one is
/// applied wherever `-n` says, which the scan cannot know).
pub(crate) fn network_policies(resources: &[Resource]) -> Vec<PolicyFact> {
    resources
        .iter()
        .filter(|r| r.k8s_kind() == Some("NetworkPolicy"))
        .filter_map(|r| {
            let namespace = r.body.at(&["metadata", "namespace"])?.as_str()?.to_string();
            Some(PolicyFact {
                namespace,
                name: r
                    .body
                    .at(&["metadata", "name"])
                    .map(Node::display)
                    .unwrap_or_default(),
                selector: Selector::from_node(r.body.at(&["spec", "podSelector"])),
            })
        })
        .collect()
}
