use crate::edit::yaml_append_entries;
use crate::fix::{Applicability, Fix};
use crate::k8s::{each_container, Container, ContainerKind};
use crate::model::Resource;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::source::Span;

crate::declare_rule! {
    /// ## What it flags
    /// A container or init container without a CPU limit or without a memory limit
    /// (`resources.limits.cpu`, `resources.limits.memory`). Ephemeral containers are not
    /// checked: Kubernetes does not allow resources on them.
    ///
    /// Missing requests are not reported separately: Kubernetes sets a missing request to the
    /// limit, so a container with limits has requests too, and one without either is reported
    /// here once (scanners that check requests on their own report it twice).
    ///
    /// ## Why it matters
    /// A container without limits can take all the CPU or memory of its node: one compromised
    /// or runaway workload (a crypto-miner, a memory leak, a request flood) starves every other
    /// pod on the node, including the cluster's own agents.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: shop/api:1.4.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: shop/api:1.4.2
    ///     resources:
    ///       limits:
    ///         cpu: 500m
    ///         memory: 256Mi
    /// ```
    ///
    /// ## Fix safety
    /// Display-only: the values are placeholders that a person must size for the workload.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
    pub struct MissingResourceLimits {
        code: "K8S-006",
        name: "missing-resource-limits",
        title: "Container has no CPU or memory limit",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "resources", "availability"],
        severity: Severity::Low,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_11").about("cpu"), Peer::exact("CKV_K8S_13").about("memory"), Peer::partial("CKV_K8S_10", "checks CPU requests: a limit sets the request, so only a container with neither is flagged here").about("cpu"), Peer::partial("CKV_K8S_12", "checks memory requests: a limit sets the request, so only a container with neither is flagged here").about("memory")],
            trivy: &[Peer::exact("KSV-0011").about("cpu"), Peer::exact("KSV-0018").about("memory"), Peer::partial("KSV-0015", "checks CPU requests: a limit sets the request, so only a container with neither is flagged here").about("cpu"), Peer::partial("KSV-0016", "checks memory requests: a limit sets the request, so only a container with neither is flagged here").about("memory")],
            kics: &[Peer::exact("CPU Limits Not Set").about("cpu"), Peer::exact("Memory Limits Not Defined").about("memory"), Peer::partial("CPU Requests Not Set", "checks CPU requests: a limit sets the request, so only a container with neither is flagged here").about("cpu"), Peer::partial("Memory Requests Not Defined", "checks memory requests: a limit sets the request, so only a container with neither is flagged here").about("memory")],
            kube_linter: &[Peer::partial("unset-cpu-requirements", "also flags a CPU limit without a request").about("cpu"), Peer::partial("unset-memory-requirements", "also flags a memory limit without a request").about("memory")],
            polaris: &[Peer::exact("cpuLimitsMissing").about("cpu"), Peer::exact("memoryLimitsMissing").about("memory"), Peer::partial("cpuRequestsMissing", "checks CPU requests: a limit sets the request, so only a container with neither is flagged here").about("cpu"), Peer::partial("memoryRequestsMissing", "checks memory requests: a limit sets the request, so only a container with neither is flagged here").about("memory")],
            kubescape: &[Peer::exact("C-0270").about("cpu"), Peer::exact("C-0271").about("memory")],
            ..Equivalents::NONE
        },
        compliance: &["NSA/CISA Kubernetes Hardening: resource policies", "MITRE ATT&CK T1496"],
        references: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"],
    }
}

struct Unbounded<'a> {
    resource: &'a Resource,
    container: Container<'a>,
    missing: Vec<&'static str>,
}

impl Check for MissingResourceLimits {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for fact in detect(cx.resources) {
            let text = cx.text(fact.resource.file);
            let finding = Finding::on(&Self::META, fact.resource, span(&fact), message(&fact))
                .in_container(&fact.container.name, fact.container.node.span)
                .with_fix(fix(text, &fact));
            out.push(fact.missing.iter().fold(finding, |f, k| f.about(k)));
        }
    }
}

fn detect(resources: &[Resource]) -> Vec<Unbounded<'_>> {
    each_container(resources)
        .filter(|(_, c)| c.kind != ContainerKind::Ephemeral)
        .filter_map(|(resource, container)| {
            let limits = container.node.at(&["resources", "limits"]);
            if limits.is_some_and(|l| l.is_unknown()) {
                return None;
            }
            let missing: Vec<&'static str> = ["cpu", "memory"]
                .into_iter()
                .filter(|k| limits.and_then(|l| l.get(k)).is_none())
                .collect();
            (!missing.is_empty()).then_some(Unbounded {
                resource,
                container,
                missing,
            })
        })
        .collect()
}

/// `limits:` when present, else `resources:`, else the container's `name:`.
fn span(f: &Unbounded) -> Span {
    let resources = f.container.node.entry("resources");
    resources
        .and_then(|r| r.value.entry("limits"))
        .or(resources)
        .map(|e| e.key_span)
        .unwrap_or_else(|| f.container.anchor_span())
}

fn message(f: &Unbounded) -> String {
    let what = match f.missing.as_slice() {
        [one] => format!("no {} limit", if *one == "cpu" { "CPU" } else { "memory" }),
        _ => "no CPU or memory limit".into(),
    };
    format!("{} {} has {what}", f.resource.name, f.container.describe())
}

fn placeholder(key: &str) -> &'static str {
    if key == "cpu" {
        "cpu: 500m"
    } else {
        "memory: 256Mi"
    }
}

fn fix(text: &str, f: &Unbounded) -> Option<Fix> {
    let resources = f.container.node.get("resources");
    let limits = resources.and_then(|r| r.get("limits"));
    let lines = f.missing.iter().map(|k| placeholder(k).to_string());
    let edit = match (resources, limits) {
        (_, Some(limits)) => yaml_append_entries(text, limits, &lines.collect::<Vec<_>>())?,
        (Some(resources), None) => {
            let mut block = vec!["limits:".to_string()];
            block.extend(lines.map(|l| format!("  {l}")));
            yaml_append_entries(text, resources, &block)?
        }
        (None, None) => {
            let mut block = vec!["resources:".to_string(), "  limits:".to_string()];
            block.extend(lines.map(|l| format!("    {l}")));
            yaml_append_entries(text, f.container.node, &block)?
        }
    };
    let title = match f.missing.as_slice() {
        [one] if *one == "cpu" => "Add a CPU limit (size it for the workload)",
        [_] => "Add a memory limit (size it for the workload)",
        _ => "Add CPU and memory limits (size them for the workload)",
    };
    Some(Fix::new(title, Applicability::DisplayOnly, vec![edit]))
}
