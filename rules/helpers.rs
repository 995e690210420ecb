//! Typed helpers shared by rule families. Each rule file instantiates one with constants.

use crate::edit::replace_scalar;
use crate::fix::{Applicability, Fix};
use crate::k8s::pod_spec;
use crate::model::Resource;
use crate::parse::dockerfile::Instruction;
use crate::rule::{Context, Finding, RuleMeta};
use crate::source::Span;

/// A pod-spec boolean that must not be `true` (hostNetwork, hostPID, hostIPC…).
pub(crate) struct ForbiddenPodFlag {
    pub key: &'static str,
    /// What the flag shares, for the message: "the host's network namespace".
    pub shares: &'static str,
}

impl ForbiddenPodFlag {
    pub(crate) fn check(&self, meta: &'static RuleMeta, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for resource in cx.resources {
            let Some(pod) = pod_spec(resource) else {
                continue;
            };
            let Some(value) = pod.spec.get(self.key) else {
                continue;
            };
            if value.as_bool() != Some(true) {
                continue;
            }
            let message = format!(
                "{} shares {} (`{}: {}`)",
                resource.name,
                self.shares,
                self.key,
                value.written(cx.text(resource.file))
            );
            let fix = replace_scalar(cx.text(resource.file), value, "false").map(|edit| {
                Fix::new(
                    format!("Set `{}: false`", self.key),
                    Applicability::Unsafe,
                    vec![edit],
                )
            });
            out.push(
                Finding::on(meta, resource, value.span, message)
                    .with_origin(value, resource.file, self.key)
                    .with_fix(fix),
            );
        }
    }
}

/// The stage resource an instruction belongs to (the first stage for instructions before any
/// `FROM`).
pub(crate) fn stage_of<'a>(cx: &Context<'a>, ins: &Instruction) -> Option<&'a Resource> {
    cx.resources.get(ins.stage.unwrap_or(0))
}

/// The words of an instruction's arguments, unquoted as Docker does (`"a b"` is `a b`), each
/// with the span of the word as written (continuations skipped).
pub(crate) fn arg_words(text: &str, ins: &Instruction) -> Vec<(String, Span)> {
    let args = &text[ins.args_span.start..ins.args_span.end];
    let at = |r: std::ops::Range<usize>| {
        Span::new(ins.args_span.start + r.start, ins.args_span.start + r.end)
    };
    // Unquoted as Docker does (`ADD "src" "dst"`); as written when a quote is not closed.
    if let Some(words) = crate::parse::dockerfile::shell_words(args, '\\') {
        return words.into_iter().map(|(w, r)| (w, at(r))).collect();
    }
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in args
        .char_indices()
        .chain(std::iter::once((args.len(), ' ')))
    {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                let word: &str = &args[s..i];
                if word != "\\" {
                    out.push((word.to_string(), at(s..i)));
                }
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    out
}

/// `(name, value, span of the pair)` of an `ENV` or `ARG`, in both the `KEY=value` form and the
/// legacy `ENV KEY value` form; quotes removed; `value` is `None` for an `ARG` without a default.
pub(crate) fn env_pairs(text: &str, ins: &Instruction) -> Vec<(String, Option<String>, Span)> {
    let unquote = |s: &str| s.trim_matches(|c| c == '"' || c == '\'').to_string();
    let words = arg_words(text, ins);
    let Some(first) = words.first() else {
        return Vec::new();
    };
    if ins.keyword == "ENV" && !first.0.contains('=') {
        let value = words[1..]
            .iter()
            .map(|(w, _)| w.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let end = words.last().map(|(_, s)| s.end).unwrap_or(first.1.end);
        return vec![(
            first.0.clone(),
            Some(unquote(&value)),
            Span::new(first.1.start, end),
        )];
    }
    words
        .into_iter()
        .map(|(w, span)| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(unquote(v)), span),
            None => (w, None, span),
        })
        .collect()
}

/// An edit that removes a shell word (a flag) together with the blanks before it.
pub(crate) fn remove_word(text: &str, span: Span) -> crate::fix::Edit {
    let start = text[..span.start].trim_end_matches([' ', '\t']).len();
    crate::fix::Edit::replace(Span::new(start, span.end), "")
}

/// An RBAC permission that matters on its own: any Role or ClusterRole rule granting one of
/// `verbs` on one of `resources` (`group:resource`, or `resource` for the core group). A rule
/// that grants everything (`*` on `*`) is left to [`GRANTS_EVERYTHING`]'s one finding.
pub(crate) struct RbacGrant {
    pub verbs: &'static [&'static str],
    pub resources: &'static [&'static str],
    /// What the grant allows, for the message: "read Secrets".
    pub allows: &'static str,
    /// The resources are cluster-scoped: a namespaced Role cannot grant them, so only
    /// ClusterRoles are judged.
    pub cluster_scoped: bool,
    /// The subjects of a finding (`Finding::about`), each with the verbs and resources a rule
    /// must grant for the finding to be about it: `("bind", &["bind"], ROLES)`.
    pub about: RbacSubjects,
}

/// (subject, verbs, resources) of [`RbacGrant::about`].
pub(crate) type RbacSubjects = &'static [(
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
)];

impl RbacGrant {
    pub(crate) fn check(&self, meta: &'static RuleMeta, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for resource in cx.resources {
            if self.cluster_scoped && resource.k8s_kind() == Some("Role") {
                continue;
            }
            for rule in crate::k8s::policy_rules(resource) {
                if rule.grants_everything() || !rule.grants(self.verbs, self.resources) {
                    continue;
                }
                let span = resources_span(&rule);
                let verbs: Vec<String> = rule.verbs.iter().map(|v| v.display()).collect();
                let resources: Vec<String> = rule.resources.iter().map(|v| v.display()).collect();
                out.push(
                    Finding::on(
                        meta,
                        resource,
                        span,
                        format!(
                            "{} lets its subjects {} ({} on {})",
                            resource.name,
                            self.allows,
                            verbs.join(", "),
                            resources.join(", ")
                        ),
                    )
                    .within(rule.node.span),
                );
                let subjects = self.about.iter().filter(|(_, v, r)| rule.grants(v, r));
                if let Some(f) = out.pop() {
                    out.push(subjects.fold(f, |f, (s, _, _)| f.about(s)));
                }
            }
        }
    }
}

/// Where an RBAC rule's finding points: its `resources`, or the rule.
fn resources_span(rule: &crate::k8s::PolicyRule<'_>) -> Span {
    rule.node
        .entry("resources")
        .map(|e| e.value.span)
        .unwrap_or(rule.node.span)
}

/// What a rule granting `*` on `*` lets its subjects do, in the words of the rules it stands
/// for (escalation first, the strongest); the cluster-scoped ones only for a ClusterRole.
pub(crate) const GRANTS_EVERYTHING: &[(&str, bool)] = &[
    ("grant permissions they do not hold", false),
    ("impersonate other identities", false),
    ("read Secrets", false),
    ("run commands in or connect to running pods", false),
    (
        "create pods, choosing their service account and mounts",
        false,
    ),
    ("change admission webhooks and approve certificates", true),
];

/// One finding per rule granting `*` on `*` (at its `resources`), listing what that allows.
pub(crate) fn everything_granted(
    meta: &'static RuleMeta,
    cx: &Context<'_>,
    out: &mut Vec<Finding>,
) {
    for resource in cx.resources {
        let cluster = resource.k8s_kind() == Some("ClusterRole");
        for rule in crate::k8s::policy_rules(resource) {
            if !rule.grants_everything() {
                continue;
            }
            let allows: Vec<&str> = GRANTS_EVERYTHING
                .iter()
                .filter(|(_, cluster_scoped)| cluster || !cluster_scoped)
                .map(|(what, _)| *what)
                .collect();
            let span = resources_span(&rule);
            out.push(
                Finding::on(
                    meta,
                    resource,
                    span,
                    format!(
                        "{} lets its subjects do anything (`*` on `*`): {}",
                        resource.name,
                        allows.join(", ")
                    ),
                )
                .within(rule.node.span),
            );
        }
    }
}

/// A security profile (seccomp, AppArmor) that the Baseline level restricts: the
/// `securityContext` field's `type` must be `RuntimeDefault` or `Localhost`, and the legacy
/// annotations must hold an allowed value. Which of the two channels count depends on the
/// mechanism and the Kubernetes version, so the rule says.
pub(crate) struct UnconfinedProfile {
    /// `appArmorProfile` or `seccompProfile`.
    pub field: &'static str,
    /// Annotation for the whole pod, if the mechanism has one.
    pub pod_annotation: Option<&'static str>,
    /// Annotation prefix followed by a container name.
    pub container_annotation: &'static str,
    /// The annotation values the Baseline level allows.
    pub annotation_allowed: fn(&str) -> bool,
    /// Are the `securityContext` fields judged?
    pub fields: bool,
    /// Are the annotations judged?
    pub annotations: bool,
    /// "AppArmor confinement", "a seccomp filter": what the workload runs without.
    pub without: &'static str,
    /// For the origin note: "the AppArmor profile".
    pub what: &'static str,
}

impl UnconfinedProfile {
    pub(crate) fn check(&self, meta: &'static RuleMeta, cx: &Context<'_>, out: &mut Vec<Finding>) {
        use crate::k8s::pss::allowed_profile_type;
        use crate::k8s::{each_pod, pod_annotations};
        use crate::model::Node;
        let field = ["securityContext", self.field, "type"];
        for (resource, pod) in each_pod(cx.resources) {
            let text = cx.text(resource.file);
            let all = &pod.containers;
            let report = |node: &Node, container: Option<&str>, replacement: &str| {
                let fix = replace_scalar(text, node, replacement).map(|e| {
                    Fix::new(
                        format!("Use the runtime's default profile (`{replacement}`)"),
                        Applicability::Unsafe,
                        vec![e],
                    )
                });
                let mut finding = Finding::on(
                    meta,
                    resource,
                    node.span,
                    self.message(&resource.name, container, &node.display()),
                )
                .with_origin(node, resource.file, self.what)
                .with_fix(fix);
                if let Some(c) = container.and_then(|n| all.iter().find(|c| c.name == n)) {
                    finding = finding.in_container(&c.name, c.node.span);
                }
                finding
            };
            let forbidden = |n: &&Node| n.as_str().is_some_and(|s| !allowed_profile_type(s));
            if self.fields {
                if let Some(node) = pod.spec.at(&field).filter(forbidden) {
                    out.push(report(node, None, "RuntimeDefault"));
                }
                for c in all {
                    if let Some(node) = c.node.at(&field).filter(forbidden) {
                        out.push(report(node, Some(&c.name), "RuntimeDefault"));
                    }
                }
            }
            if !self.annotations {
                continue;
            }
            for e in pod_annotations(resource)
                .map(|a| a.entries())
                .unwrap_or_default()
            {
                let Some(value) = e.value.as_str() else {
                    continue;
                };
                if (self.annotation_allowed)(value) {
                    continue;
                }
                if Some(e.key.as_str()) == self.pod_annotation {
                    out.push(report(&e.value, None, "runtime/default"));
                } else if let Some(name) = e.key.strip_prefix(self.container_annotation) {
                    out.push(report(&e.value, Some(name), "runtime/default"));
                }
            }
        }
    }

    /// Unconfined runs without the mechanism; another value is outside what Baseline allows.
    fn message(&self, resource: &str, container: Option<&str>, value: &str) -> String {
        let whom = match container {
            Some(name) => format!("container \"{name}\""),
            None => "(every container)".to_string(),
        };
        if value.eq_ignore_ascii_case("unconfined") {
            format!("{resource} {whom} runs without {}", self.without)
        } else {
            format!(
                "{resource} {whom} uses {} `{value}`, which the Baseline level does not allow",
                self.what
            )
        }
    }
}

/// The parsed `RUN` scripts of the stages whose layers end up in the final image.
pub(crate) fn shipped_scripts<'a>(
    cx: &Context<'a>,
) -> Vec<(&'a Instruction, &'a crate::shell::Script)> {
    let Some(df) = cx.dockerfile else {
        return Vec::new();
    };
    let shipped = df.shipped_stages();
    cx.scripts
        .iter()
        .map(|(i, script)| (&df.instructions[*i], script))
        .filter(|(ins, _)| ins.stage.is_some_and(|s| shipped[s]))
        .collect()
}
