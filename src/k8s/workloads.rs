//! Where a workload keeps its pods: a table of known kinds (kind and API group → the path of
//! the pod template), Argo Workflows' templates, and a generic fallback for kinds the table
//! does not know (`spec.template.spec`, `spec.jobTemplate.spec.template.spec`).

use super::{containers, Container, ContainerKind, MAX_CONTAINERS};
use crate::model::{Node, Resource};
use crate::source::Span;

/// How a kind holds its pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// A pod spec at `spec`, the pod's metadata at `meta`.
    Pod {
        spec: &'static [&'static str],
        meta: &'static [&'static str],
    },
    /// Argo Workflows: the workflow spec at `spec` holds the pod-level settings
    /// (`securityContext`, `volumes`, `hostNetwork`, `podMetadata`) and `templates[]` the
    /// containers (`container`, `script`, `containerSet.containers`, `initContainers`,
    /// `sidecars`). A template's own pod-level settings are not read.
    Workflow { spec: &'static [&'static str] },
}

const TEMPLATE: Layout = Layout::Pod {
    spec: &["spec", "template", "spec"],
    meta: &["spec", "template", "metadata"],
};
const JOB_TEMPLATE: Layout = Layout::Pod {
    spec: &["spec", "jobTemplate", "spec", "template", "spec"],
    meta: &["spec", "jobTemplate", "spec", "template", "metadata"],
};

/// A kind whose pods the table knows; `group: None` matches the kind in any API group (the
/// built-in workload kinds, whose names are not reused).
struct Known {
    kind: &'static str,
    group: Option<&'static str>,
    layout: Layout,
}

const fn any(kind: &'static str, layout: Layout) -> Known {
    Known {
        kind,
        group: None,
        layout,
    }
}

const fn of(kind: &'static str, group: &'static str, layout: Layout) -> Known {
    Known {
        kind,
        group: Some(group),
        layout,
    }
}

const KNOWN: &[Known] = &[
    any(
        "Pod",
        Layout::Pod {
            spec: &["spec"],
            meta: &["metadata"],
        },
    ),
    any("Deployment", TEMPLATE),
    any("StatefulSet", TEMPLATE),
    any("DaemonSet", TEMPLATE),
    any("ReplicaSet", TEMPLATE),
    any("ReplicationController", TEMPLATE),
    any("Job", TEMPLATE),
    any("CronJob", JOB_TEMPLATE),
    any(
        "PodTemplate",
        Layout::Pod {
            spec: &["template", "spec"],
            meta: &["template", "metadata"],
        },
    ),
    // OpenShift (`apps.openshift.io`, or `v1` in old clusters) and Argo Rollouts.
    any("DeploymentConfig", TEMPLATE),
    any("Rollout", TEMPLATE),
    of("Service", "serving.knative.dev", TEMPLATE),
    of("Configuration", "serving.knative.dev", TEMPLATE),
    of(
        "Revision",
        "serving.knative.dev",
        Layout::Pod {
            spec: &["spec"],
            meta: &["metadata"],
        },
    ),
    of(
        "ScaledJob",
        "keda.sh",
        Layout::Pod {
            spec: &["spec", "jobTargetRef", "template", "spec"],
            meta: &["spec", "jobTargetRef", "template", "metadata"],
        },
    ),
    of(
        "Workflow",
        "argoproj.io",
        Layout::Workflow { spec: &["spec"] },
    ),
    of(
        "WorkflowTemplate",
        "argoproj.io",
        Layout::Workflow { spec: &["spec"] },
    ),
    of(
        "ClusterWorkflowTemplate",
        "argoproj.io",
        Layout::Workflow { spec: &["spec"] },
    ),
    of(
        "CronWorkflow",
        "argoproj.io",
        Layout::Workflow {
            spec: &["spec", "workflowSpec"],
        },
    ),
];

/// The layout of a resource's pods, and whether the generic fallback found it.
fn layout(resource: &Resource) -> Option<(Layout, bool)> {
    let kind = resource.k8s_kind()?;
    let group = resource
        .body
        .get("apiVersion")
        .and_then(Node::as_str)
        .and_then(|a| a.split_once('/'))
        .map_or("", |(g, _)| g);
    if let Some(k) = KNOWN
        .iter()
        .find(|k| k.kind == kind && k.group.is_none_or(|g| g == group))
    {
        return Some((k.layout, false));
    }
    // Kinds the table does not know but built like a Deployment or a CronJob.
    [TEMPLATE, JOB_TEMPLATE].into_iter().find_map(|l| {
        let Layout::Pod { spec, .. } = l else {
            return None;
        };
        let list = resource.body.at(spec)?.get("containers")?;
        matches!(list.value, crate::model::Value::List(_)).then_some((l, true))
    })
}

/// The pods of a workload: the pod spec (the node holding pod-level settings), its
/// containers and its metadata.
pub(crate) struct PodSpec<'a> {
    pub spec: &'a Node,
    /// The key of the pod spec, for findings about a missing setting.
    pub key_span: Span,
    /// Every container of the pod (of every template of an Argo workflow).
    pub containers: Vec<Container<'a>>,
    /// The pod's metadata (labels, annotations), when written.
    pub metadata: Option<&'a Node>,
}

/// The pod spec of a workload: Pod, the built-in workload kinds, PodTemplate, OpenShift's
/// DeploymentConfig, Argo Rollouts, Knative Service / Configuration / Revision, KEDA
/// ScaledJob, Argo Workflows (Workflow, WorkflowTemplate, ClusterWorkflowTemplate,
/// CronWorkflow), and any other kind with `spec.template.spec.containers` or
/// `spec.jobTemplate.spec.template.spec.containers`.
pub(crate) fn pod_spec(resource: &Resource) -> Option<PodSpec<'_>> {
    let (layout, _) = layout(resource)?;
    let (path, meta) = match layout {
        Layout::Pod { spec, meta } => (spec, Some(meta)),
        Layout::Workflow { spec } => (spec, None),
    };
    let (parent, last) = path.split_at(path.len() - 1);
    let holder = if parent.is_empty() {
        &resource.body
    } else {
        resource.body.at(parent)?
    };
    let entry = holder.entry(last[0])?;
    let spec = &entry.value;
    if !spec.is_map() {
        return None;
    }
    let (containers, metadata) = match meta {
        Some(meta) => (containers(spec), resource.body.at(meta)),
        None => (workflow_containers(spec), spec.get("podMetadata")),
    };
    Some(PodSpec {
        spec,
        key_span: entry.key_span,
        containers,
        metadata,
    })
}

/// The containers of an Argo workflow's templates: `container` and `script` (named after the
/// template when they have no name), `containerSet.containers`, `initContainers` and
/// `sidecars`.
fn workflow_containers(spec: &Node) -> Vec<Container<'_>> {
    let mut out = Vec::new();
    let templates = spec.get("templates").map(Node::as_list).unwrap_or_default();
    for template in templates.iter().take(MAX_CONTAINERS) {
        let template_name = template.get("name").map(Node::display);
        let named = |node: &Node, fallback: String| {
            node.get("name")
                .map(Node::display)
                .or_else(|| template_name.clone())
                .unwrap_or(fallback)
        };
        for key in ["container", "script"] {
            if let Some(node) = template.get(key).filter(|n| n.is_map()) {
                let name = named(node, key.to_string());
                out.push(Container {
                    kind: ContainerKind::Container,
                    name,
                    node,
                });
            }
        }
        for (path, kind) in [
            (&["initContainers"][..], ContainerKind::Init),
            (
                &["containerSet", "containers"][..],
                ContainerKind::Container,
            ),
            (&["sidecars"][..], ContainerKind::Container),
        ] {
            let list = template.at(path).map(Node::as_list).unwrap_or_default();
            for (i, node) in list.iter().take(MAX_CONTAINERS).enumerate() {
                if node.is_map() {
                    let name = named(node, format!("#{}", i + 1));
                    out.push(Container { kind, name, node });
                }
            }
        }
    }
    out
}

/// Pods that run to completion (Job, CronJob, KEDA ScaledJob, Argo workflows, a kind the
/// table does not know with a `jobTemplate`), which serve nothing to probe.
pub(crate) fn runs_to_completion(resource: &Resource) -> bool {
    match layout(resource) {
        Some((Layout::Workflow { .. }, _)) => true,
        Some((l, _)) if l == JOB_TEMPLATE => true,
        _ => matches!(resource.k8s_kind(), Some("Job" | "ScaledJob")),
    }
}

/// For `-v`: where the pod template of a kind the table does not know was found
/// (`pod template at spec.template.spec (generic)`).
pub(crate) fn generic_template(resource: &Resource) -> Option<String> {
    match layout(resource)? {
        (Layout::Pod { spec, .. }, true) => {
            Some(format!("pod template at {} (generic)", spec.join(".")))
        }
        _ => None,
    }
}

/// The annotations of a workload's pod (the pod template's metadata), where AppArmor and
/// seccomp annotations live.
pub(crate) fn pod_annotations(resource: &Resource) -> Option<&Node> {
    pod_spec(resource)?.metadata?.get("annotations")
}

/// The labels a workload's pods carry.
pub(crate) fn pod_labels(resource: &Resource) -> Vec<(String, String)> {
    pod_spec(resource)
        .and_then(|p| p.metadata)
        .and_then(|m| m.get("labels"))
        .map(|m| {
            m.entries()
                .iter()
                .map(|e| (e.key.clone(), e.value.display()))
                .collect()
        })
        .unwrap_or_default()
}
