use crate::k8s::{each_container, ContainerKind};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A container (not an init or ephemeral container) of a long-running workload with no
    /// `livenessProbe` or no `readinessProbe`. Workloads that run to completion (Jobs,
    /// CronJobs, KEDA ScaledJobs, Argo workflows) and bare Pods (test, debug and one-off pods; a long-running pod belongs to a
    /// controller, whose template is checked) are not checked. Off by default: probes are an availability concern; enable with
    /// `select = ["default", "missing-probes"]`.
    ///
    /// ## Why it matters
    /// Without a readiness probe, traffic reaches pods that cannot serve it; without a
    /// liveness probe, a wedged process (deadlock, exhausted pool, a denial-of-service that
    /// leaves it hanging) is never restarted.
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
    ///     readinessProbe:
    ///       httpGet: {path: /ready, port: 8080}
    ///     livenessProbe:
    ///       httpGet: {path: /healthz, port: 8080}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
    pub struct MissingProbes {
        code: "K8S-027",
        name: "missing-probes",
        title: "Container has no liveness or readiness probe",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "availability"],
        severity: Severity::Low,
        enabled_by_default: false,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_8").about("liveness"), Peer::exact("CKV_K8S_9").about("readiness")],
            kics: &[Peer::exact("Liveness Probe Is Not Defined").about("liveness"), Peer::exact("Readiness Probe Is Not Configured").about("readiness")],
            kube_linter: &[Peer::exact("no-liveness-probe").about("liveness"), Peer::exact("no-readiness-probe").about("readiness")],
            polaris: &[Peer::exact("livenessProbeMissing").about("liveness"), Peer::exact("readinessProbeMissing").about("readiness")],
            kube_score: &[Peer::partial("pod-probes", "judges probes per Service-targeted pod, and a readiness probe equal to the liveness probe")],
            kubescape: &[Peer::exact("C-0056").about("liveness"), Peer::exact("C-0018").about("readiness")],
            ..Equivalents::NONE
        },
        references: &["https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"],
    }
}

impl Check for MissingProbes {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (resource, c) in each_container(cx.resources) {
            if c.kind != ContainerKind::Container
                || resource.k8s_kind() == Some("Pod")
                || crate::k8s::runs_to_completion(resource)
            {
                continue;
            }
            let missing: Vec<&str> = ["livenessProbe", "readinessProbe"]
                .into_iter()
                .filter(|k| c.node.get(k).is_none())
                .collect();
            if missing.is_empty() {
                continue;
            }
            let mut finding = Finding::on(
                &Self::META,
                resource,
                c.anchor_span(),
                format!(
                    "{} {} has no {}",
                    resource.name,
                    c.describe(),
                    missing.join(" or ")
                ),
            )
            .in_container(&c.name, c.node.span);
            for probe in &missing {
                finding = finding.about(probe.trim_end_matches("Probe"));
            }
            out.push(finding);
        }
    }
}
