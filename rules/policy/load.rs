//! Reading rule files: the YAML is parsed with the project's YAML parser (exact spans), every
//! key checked, the metadata turned into a [`RuleMeta`] and the condition compiled and checked
//! against the model it will see. Every problem is located in the rule file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cel::common::ast::Expr;

use super::rule::{Example, FixSpec, PolicyRule, Target};
use super::schema::{self, Checker};
use crate::model::{Node, Value};
use crate::rule::{Domain, Equivalents, FixAvailability, Peer, RuleMeta, Severity, Status};
use crate::source::{LineIndex, Span};

/// A rule file that is larger is refused (rule files are a few kilobytes).
pub(crate) const MAX_RULE_FILE: usize = 1 << 20;
/// A condition longer than this is refused.
pub(crate) const MAX_CONDITION: usize = 8 * 1024;
/// How deeply a condition's syntax may nest (the CEL parser's recursion limit).
pub(crate) const MAX_NESTING: u16 = 32;
/// How deeply comprehensions (`all`, `exists`, `map`, `filter`) may nest: each level
/// multiplies the work by the length of a list of the input.
pub(crate) const MAX_COMPREHENSION_DEPTH: usize = 2;
/// Rules one scan may load.
pub(crate) const MAX_RULES: usize = 10_000;

/// A problem in a rule file, at a line and column (1-based, in characters).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", crate::source::display_path(.file))]
pub(crate) struct LoadError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// The byte range in the rule file.
    pub span: Span,
    pub message: String,
}

/// Codes and names rules may not take: the built-in ones and those loaded before.
pub(crate) struct Taken<'a> {
    pub metas: &'a [&'static RuleMeta],
    /// The rule files shipped inside rampart (declarative built-in rules): they take the
    /// built-in code families, known tags only, and their own doc page (`doc`, `added`,
    /// `fix-availability`).
    pub builtin: bool,
}

/// Keys only the rule files shipped inside rampart use.
const BUILTIN_KEYS: &[&str] = &["doc", "added", "fix-availability"];

const RULE_KEYS: &[&str] = &[
    "code",
    "name",
    "title",
    "severity",
    "description",
    "remediation",
    "references",
    "tags",
    "equivalents",
    "compliance",
    "enabled",
    "match",
    "condition",
    "assert",
    "report-at",
    "message",
    "fix",
    "examples",
];
const MATCH_KEYS: &[&str] = &[
    "kinds",
    "pod-specs",
    "containers",
    "resources",
    "instructions",
    "stages",
];
const FIX_KEYS: &[&str] = &["set", "value", "remove", "title", "safe"];
const EQUIVALENT_KEYS: &[&str] = &[
    "checkov",
    "trivy",
    "kics",
    "kube-linter",
    "hadolint",
    "polaris",
    "kube-score",
    "kubescape",
];

/// Kubernetes kinds a rule may name without an API group.
const KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PodTemplate",
    "DeploymentConfig",
    "Rollout",
    "Service",
    "Ingress",
    "IngressClass",
    "NetworkPolicy",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "Namespace",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "StorageClass",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "LimitRange",
    "ResourceQuota",
    "PriorityClass",
    "RuntimeClass",
    "Endpoints",
    "EndpointSlice",
    "CustomResourceDefinition",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "CertificateSigningRequest",
    "Lease",
    "Event",
    "Node",
    "PodSecurityPolicy",
    "VolumeAttachment",
    "CSIDriver",
    "CSINode",
    "Gateway",
    "HTTPRoute",
];

/// Terraform providers whose resource types a rule may name.
const PROVIDERS: &[&str] = &[
    "aws",
    "google",
    "azurerm",
    "azuread",
    "kubernetes",
    "helm",
    "random",
    "null",
    "tls",
    "local",
    "time",
    "archive",
    "http",
    "external",
    "cloudflare",
    "github",
    "gitlab",
    "datadog",
    "digitalocean",
    "oci",
    "alicloud",
    "ibm",
    "vault",
    "consul",
    "nomad",
    "docker",
    "tfe",
    "okta",
    "auth0",
    "newrelic",
    "pagerduty",
    "snowflake",
    "mongodbatlas",
    "linode",
    "hcloud",
    "vsphere",
    "openstack",
    "yandex",
    "tencentcloud",
    "huaweicloud",
];

/// Dockerfile instructions.
const INSTRUCTIONS: &[&str] = &[
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
];

/// Built-in code prefixes (and the tool's own) that users' rules may not use.
const RESERVED: &[&str] = &["RAMPART", "K8S", "DOCKER", "TF"];

struct Reader<'a> {
    file: &'a Path,
    lines: LineIndex<'a>,
    errors: Vec<LoadError>,
}

impl Reader<'_> {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        let pos = self
            .lines
            .position(span.start, crate::source::ColumnUnit::Chars);
        self.errors.push(LoadError {
            file: self.file.to_path_buf(),
            line: pos.line,
            column: pos.column,
            span,
            message: message.into(),
        });
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(crate::model::format_number(*n)),
            Value::Bool(b) => Some(b.to_string()),
            _ => {
                self.error(node.span, format!("`{what}` must be a string"));
                None
            }
        }
    }

    /// A string or a list of strings.
    fn strings(&mut self, node: &Node, what: &str) -> Vec<(String, Span)> {
        match &node.value {
            Value::List(items) => items
                .iter()
                .filter_map(|n| self.string(n, what).map(|s| (s, n.span)))
                .collect(),
            _ => self
                .string(node, what)
                .map(|s| vec![(s, node.span)])
                .unwrap_or_default(),
        }
    }

    /// Every key of `map` is one of `known`.
    fn keys(&mut self, map: &Node, known: &[&str], what: &str) {
        for e in map.entries() {
            if !known.contains(&e.key.as_str()) {
                let hint = crate::suggest::did_you_mean(&e.key, known.iter().copied())
                    .map(|w| format!("; did you mean `{w}`?"))
                    .unwrap_or_else(|| format!("; {what} takes {}", known.join(", ")));
                self.error(
                    e.key_span,
                    format!("unknown key `{}` in {what}{hint}", e.key),
                );
            }
        }
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn leak_all(v: Vec<String>) -> &'static [&'static str] {
    Box::leak(
        v.into_iter()
            .map(leak)
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    )
}

/// Read the rules of one rule file. `taken` holds the rules loaded so far (built-in and
/// users'); the new ones must differ from them in code and name.
pub(crate) fn load_text(
    file: &Path,
    text: &str,
    taken: &Taken<'_>,
) -> Result<Vec<PolicyRule>, Vec<LoadError>> {
    let mut r = Reader {
        file,
        lines: LineIndex::new(text),
        errors: Vec::new(),
    };
    if text.len() > MAX_RULE_FILE {
        r.error(
            Span::empty(0),
            format!("rule file is over the limit of {MAX_RULE_FILE} bytes"),
        );
        return Err(r.errors);
    }
    let limits = crate::parse::yaml::Limits {
        max_depth: 64,
        max_alias_nodes: 10_000,
        max_nodes: 200_000,
    };
    let (docs, error) = crate::parse::yaml::parse_stream(text, limits);
    if let Some(e) = error {
        r.error(e.span, format!("rule file does not parse: {}", e.message));
        return Err(r.errors);
    }
    let mut rules = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    for doc in &docs {
        if !doc.root.is_map() {
            r.error(doc.span, "a rule file is a map with a `rules` list");
            continue;
        }
        r.keys(&doc.root, &["rules"], "a rule file");
        let Some(list) = doc.root.get("rules") else {
            r.error(doc.span, "a rule file needs a `rules` list");
            continue;
        };
        let Value::List(items) = &list.value else {
            r.error(list.span, "`rules` must be a list of rules");
            continue;
        };
        for item in items {
            if rules.len() >= MAX_RULES {
                r.error(item.span, format!("more than {MAX_RULES} rules"));
                break;
            }
            if let Some(rule) = read_rule(&mut r, item, text, taken, &seen) {
                seen.push((rule.meta.code.to_string(), rule.meta.name.to_string()));
                rules.push(rule);
            }
        }
    }
    if r.errors.is_empty() {
        Ok(rules)
    } else {
        Err(r.errors)
    }
}

/// One rule of the file; `None` (with errors recorded) when it is not valid. Long: it reads
/// every key of a rule in one place, in the order the format lists them, so that all of a
/// rule's problems are reported together.
fn read_rule(
    r: &mut Reader<'_>,
    item: &Node,
    text: &str,
    taken: &Taken<'_>,
    seen: &[(String, String)],
) -> Option<PolicyRule> {
    if !item.is_map() {
        r.error(
            item.span,
            "a rule is a map with `code`, `name`, `match`, `condition`…",
        );
        return None;
    }
    let before = r.errors.len();
    let keys: Vec<&str> = if taken.builtin {
        RULE_KEYS.iter().chain(BUILTIN_KEYS).copied().collect()
    } else {
        RULE_KEYS.to_vec()
    };
    r.keys(item, &keys, "a rule");
    let required = |r: &mut Reader<'_>, key: &str| -> Option<String> {
        match item.get(key) {
            Some(n) => r.string(n, key),
            None => {
                r.error(
                    item.entries().first().map_or(item.span, |e| e.key_span),
                    format!("the rule has no `{key}`"),
                );
                None
            }
        }
    };
    let code = required(r, "code");
    let name = required(r, "name");
    let title = required(r, "title");
    if let (Some(code), Some(n)) = (&code, item.get("code")) {
        check_code(r, code, n.span, taken, seen, taken.builtin);
    }
    if let (Some(name), Some(n)) = (&name, item.get("name")) {
        check_name(r, name, n.span, taken, seen);
    }
    let severity = match item.get("severity") {
        None => Severity::Medium,
        Some(n) => match r.string(n, "severity").as_deref().map(Severity::parse) {
            Some(Some(s)) => s,
            Some(None) => {
                r.error(n.span, "`severity` is low, medium, high or critical");
                Severity::Medium
            }
            None => Severity::Medium,
        },
    };
    let enabled = match item.get("enabled").map(|n| (n, n.as_bool())) {
        None => true,
        Some((_, Some(b))) => b,
        Some((n, None)) => {
            r.error(n.span, "`enabled` is true or false");
            true
        }
    };
    let text_of = |r: &mut Reader<'_>, key: &str| item.get(key).and_then(|n| r.string(n, key));
    let description = text_of(r, "description");
    let remediation = text_of(r, "remediation");
    let (message, message_unset) = read_message(r, item);
    let compliance: Vec<String> = item
        .get("compliance")
        .map(|n| {
            r.strings(n, "compliance")
                .into_iter()
                .map(|(s, _)| s)
                .collect()
        })
        .unwrap_or_default();
    let own_doc = text_of(r, "doc");
    let added = text_of(r, "added");
    let availability = match item.get("fix-availability") {
        None => None,
        Some(n) => match r.string(n, "fix-availability").as_deref() {
            Some("always") => Some(FixAvailability::Always),
            Some("sometimes") => Some(FixAvailability::Sometimes),
            Some("none") => Some(FixAvailability::None),
            _ => {
                r.error(n.span, "`fix-availability` is always, sometimes or none");
                None
            }
        },
    };
    let references: Vec<String> = item
        .get("references")
        .map(|n| {
            r.strings(n, "references")
                .into_iter()
                .map(|(s, _)| s)
                .collect()
        })
        .unwrap_or_default();
    let tags = read_tags(r, item, taken.builtin);
    let equivalents = read_equivalents(r, item);
    let target = read_match(r, item);
    let domain = target.as_ref().map(Target::domain);
    let (program, negate, paths, depth) = match &target {
        Some(t) => read_condition(r, item, t, text)?,
        None => {
            // Still check that there is a condition.
            if item.get("condition").is_none() && item.get("assert").is_none() {
                r.error(item.span, "the rule has no `condition` (or `assert`)");
            }
            return None;
        }
    };
    let target = target?;
    let report_at = read_path(r, item, "report-at", &target);
    let mut names = Vec::new();
    idents(&program, &mut names);
    let uses: Vec<&'static str> = target
        .variables()
        .iter()
        .map(|(v, _)| *v)
        .filter(|v| names.iter().any(|n| n == v))
        .collect();
    let fix = read_fix(r, item, &target);
    let examples = read_examples(r, item, text);
    if r.errors.len() > before {
        return None;
    }
    let (code, name, title) = (code?, name?, title?);
    let doc = match own_doc {
        // As rustdoc writes a doc comment: each line with the one space after `///`.
        Some(d) => d
            .lines()
            .map(|l| {
                if l.is_empty() {
                    "\n".to_string()
                } else {
                    format!(" {l}\n")
                }
            })
            .collect(),
        None => doc_text(
            description.as_deref(),
            remediation.as_deref(),
            &references,
            fix.as_ref(),
            r.file,
        ),
    };
    let meta: &'static RuleMeta = Box::leak(Box::new(RuleMeta {
        code: leak(code),
        name: leak(name),
        aliases: &[],
        title: leak(title),
        doc: leak(doc),
        domain: domain.unwrap_or(Domain::Kubernetes),
        tags: leak_all(tags),
        severity,
        enabled_by_default: enabled,
        fix: availability.unwrap_or(if fix.is_some() {
            FixAvailability::Sometimes
        } else {
            FixAvailability::None
        }),
        added: match added {
            Some(a) => leak(a),
            None if taken.builtin => RuleMeta::DEFAULT.added,
            None => "user",
        },
        status: Status::Stable,
        references: leak_all(references),
        equivalents,
        compliance: leak_all(compliance),
    }));
    Some(PolicyRule {
        meta,
        source: r.file.to_path_buf(),
        target,
        expr: program,
        depth,
        negate,
        paths,
        uses,
        report_at,
        message,
        message_unset,
        fix,
        examples,
    })
}

fn check_code(
    r: &mut Reader<'_>,
    code: &str,
    span: Span,
    taken: &Taken<'_>,
    seen: &[(String, String)],
    builtin: bool,
) {
    let well_formed = code.rsplit_once('-').is_some_and(|(prefix, number)| {
        !prefix.is_empty()
            && prefix.starts_with(|c: char| c.is_ascii_uppercase())
            && prefix
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
            && !prefix.ends_with('-')
            && (1..=6).contains(&number.len())
            && number.chars().all(|c| c.is_ascii_digit())
    });
    if !well_formed {
        r.error(
            span,
            format!("code `{code}` is not PREFIX-NNN (upper-case prefix, digits: `ACME-001`)"),
        );
        return;
    }
    let prefix = code.split('-').next().unwrap_or_default();
    if RESERVED.contains(&prefix) && !builtin {
        r.error(
            span,
            format!("code `{code}`: the `{prefix}` prefix belongs to rampart's own rules; use your own prefix (`ACME-001`)"),
        );
        return;
    }
    let clash = taken
        .metas
        .iter()
        .map(|m| m.code)
        .chain(seen.iter().map(|(c, _)| c.as_str()))
        .any(|c| c.eq_ignore_ascii_case(code));
    if clash {
        r.error(
            span,
            format!("code `{code}` is already taken by another rule"),
        );
    }
}

fn check_name(
    r: &mut Reader<'_>,
    name: &str,
    span: Span,
    taken: &Taken<'_>,
    seen: &[(String, String)],
) {
    let kebab = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if !kebab {
        r.error(
            span,
            format!("name `{name}` is not kebab-case (`team-label-missing`)"),
        );
        return;
    }
    let clash = taken
        .metas
        .iter()
        .flat_map(|m| std::iter::once(m.name).chain(m.aliases.iter().copied()))
        .chain(seen.iter().map(|(_, n)| n.as_str()))
        .any(|n| n.eq_ignore_ascii_case(name));
    let is_tag = crate::rules::tags::is_known(name);
    if clash || is_tag {
        r.error(
            span,
            format!("name `{name}` is already taken by another rule or tag"),
        );
    }
}

fn read_tags(r: &mut Reader<'_>, item: &Node, builtin: bool) -> Vec<String> {
    let Some(n) = item.get("tags") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (t, span) in r.strings(n, "tags") {
        if builtin && !crate::rules::tags::is_known(&t) {
            r.error(span, format!("tag `{t}` is not in rules/tags.rs"));
            continue;
        }
        let ok = !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            out.push(t);
        } else {
            r.error(span, format!("tag `{t}` is not kebab-case"));
        }
    }
    out
}

/// `message`: one template, or `set` (the `report-at` value is written) and `unset` (it is
/// not) templates.
fn read_message(r: &mut Reader<'_>, item: &Node) -> (Option<String>, Option<String>) {
    let Some(n) = item.get("message") else {
        return (None, None);
    };
    if !n.is_map() {
        return (r.string(n, "message"), None);
    }
    r.keys(n, &["set", "unset"], "`message`");
    let set = n.get("set").and_then(|v| r.string(v, "set"));
    let unset = n.get("unset").and_then(|v| r.string(v, "unset"));
    if set.is_none() {
        r.error(n.span, "`message` with `unset` needs the `set` message too");
    }
    (set, unset)
}

fn read_equivalents(r: &mut Reader<'_>, item: &Node) -> Equivalents {
    let mut eq = Equivalents::NONE;
    let Some(n) = item.get("equivalents") else {
        return eq;
    };
    if !n.is_map() {
        r.error(n.span, "`equivalents` maps a scanner to its check IDs");
        return eq;
    }
    r.keys(n, EQUIVALENT_KEYS, "`equivalents`");
    for e in n.entries() {
        let peers: &'static [Peer] = Vec::leak(read_peers(r, &e.value, &e.key));
        match e.key.as_str() {
            "checkov" => eq.checkov = peers,
            "trivy" => eq.trivy = peers,
            "kics" => eq.kics = peers,
            "kube-linter" => eq.kube_linter = peers,
            "hadolint" => eq.hadolint = peers,
            "polaris" => eq.polaris = peers,
            "kube-score" => eq.kube_score = peers,
            "kubescape" => eq.kubescape = peers,
            _ => {}
        }
    }
    eq
}

/// One scanner's peer checks: an ID alone is an exact match; `{id, partial: NOTE}` overlaps
/// (the note says how), `{id, split: CONDITION}` is exact under a condition another rule
/// completes.
fn read_peers(r: &mut Reader<'_>, list: &Node, what: &str) -> Vec<Peer> {
    let leak = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
    let items: Vec<&Node> = match &list.value {
        Value::List(items) => items.iter().collect(),
        _ => vec![list],
    };
    let mut out = Vec::new();
    for item in items {
        if let Some(id) = item.as_str() {
            out.push(Peer::exact(leak(id)));
            continue;
        }
        if !item.is_map() {
            r.error(
                item.span,
                format!("an entry of `{what}` is an ID or {{id, partial}} / {{id, split}}"),
            );
            continue;
        }
        r.keys(item, &["id", "partial", "split"], "a peer check");
        let Some(id) = item.get("id").and_then(|v| v.as_str()) else {
            r.error(item.span, "a peer check needs its `id`");
            continue;
        };
        let peer = match (
            item.get("partial").and_then(|v| v.as_str()),
            item.get("split").and_then(|v| v.as_str()),
        ) {
            (Some(note), None) => Peer::partial(leak(id), leak(note)),
            (None, Some(condition)) => Peer::split(leak(id), leak(condition)),
            (None, None) => Peer::exact(leak(id)),
            (Some(_), Some(_)) => {
                r.error(item.span, "a peer check is `partial` or `split`, not both");
                continue;
            }
        };
        out.push(peer);
    }
    out
}

/// `match`: the target and the names it takes, each checked against what rampart knows. Long:
/// one arm per kind of target, each with its own check and suggestion.
fn read_match(r: &mut Reader<'_>, item: &Node) -> Option<Target> {
    let Some(m) = item.get("match") else {
        r.error(
            item.entries().first().map_or(item.span, |e| e.key_span),
            format!("the rule has no `match` (one of {})", MATCH_KEYS.join(", ")),
        );
        return None;
    };
    if !m.is_map() || m.entries().len() != 1 {
        r.error(
            m.span,
            format!("`match` has exactly one of {}", MATCH_KEYS.join(", ")),
        );
        return None;
    }
    r.keys(m, MATCH_KEYS, "`match`");
    let e = &m.entries()[0];
    let names = r.strings(&e.value, &e.key);
    let all = names.iter().any(|(n, _)| n == "*");
    let check = |r: &mut Reader<'_>, known: &[&str], what: &str| -> Vec<String> {
        let mut out = Vec::new();
        for (n, span) in &names {
            if n == "*" {
                continue;
            }
            if known.contains(&n.as_str()) {
                out.push(n.clone());
            } else {
                let hint = crate::suggest::did_you_mean(n, known.iter().copied())
                    .map(|w| format!("; did you mean `{w}`?"))
                    .unwrap_or_default();
                r.error(*span, format!("unknown {what} `{n}`{hint}"));
            }
        }
        out
    };
    let workloads: Vec<&str> = KINDS[..11].to_vec();
    let filter = |v: Vec<String>| if all { Vec::new() } else { v };
    Some(match e.key.as_str() {
        "kinds" => {
            // A custom resource is named with its API group: `monitoring.coreos.com/Prometheus`.
            let mut out = Vec::new();
            for (n, span) in &names {
                if n == "*" {
                    continue;
                }
                match n.rsplit_once('/') {
                    Some((group, kind)) if !group.is_empty() && !kind.is_empty() => {
                        out.push(n.clone())
                    }
                    _ if KINDS.contains(&n.as_str()) => out.push(n.clone()),
                    _ => {
                        let hint = crate::suggest::did_you_mean(n, KINDS.iter().copied())
                            .map(|w| format!("; did you mean `{w}`?"))
                            .unwrap_or_else(|| {
                                "; name a custom resource with its API group \
                                 (`example.com/Widget`)"
                                    .into()
                            });
                        r.error(*span, format!("unknown Kubernetes kind `{n}`{hint}"));
                    }
                }
            }
            Target::Kinds(filter(out))
        }
        "pod-specs" => Target::PodSpecs(filter(check(r, &workloads, "workload kind"))),
        "containers" => Target::Containers(filter(check(r, &workloads, "workload kind"))),
        "resources" => {
            let mut out = Vec::new();
            for (n, span) in &names {
                if n == "*" {
                    continue;
                }
                let provider = n.split('_').next().unwrap_or_default();
                let shaped = n.contains('_')
                    && n.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if shaped && PROVIDERS.contains(&provider) {
                    out.push(n.clone());
                } else {
                    let hint = crate::suggest::did_you_mean(provider, PROVIDERS.iter().copied())
                        .map(|w| format!("; did you mean the `{w}` provider?"))
                        .unwrap_or_default();
                    r.error(
                        *span,
                        format!("unknown Terraform resource type `{n}`{hint}"),
                    );
                }
            }
            Target::Resources(filter(out))
        }
        "instructions" => {
            let upper: Vec<(String, Span)> = names
                .iter()
                .map(|(n, s)| (n.to_ascii_uppercase(), *s))
                .collect();
            let mut out = Vec::new();
            for (n, span) in &upper {
                if n == "*" {
                    continue;
                }
                if INSTRUCTIONS.contains(&n.as_str()) {
                    out.push(n.clone());
                } else {
                    let hint = crate::suggest::did_you_mean(n, INSTRUCTIONS.iter().copied())
                        .map(|w| format!("; did you mean `{w}`?"))
                        .unwrap_or_default();
                    r.error(*span, format!("unknown Dockerfile instruction `{n}`{hint}"));
                }
            }
            Target::Instructions(filter(out))
        }
        "stages" => {
            if !all {
                r.error(e.value.span, "`stages` takes `\"*\"` (every build stage)");
            }
            Target::Stages
        }
        _ => return None,
    })
}

type Condition = (cel::IdedExpr, bool, Vec<Vec<String>>, usize);

/// The compiled condition (or assertion), whether it is negated, and the paths it names.
fn read_condition(
    r: &mut Reader<'_>,
    item: &Node,
    target: &Target,
    text: &str,
) -> Option<Condition> {
    let (node, negate) = match (item.get("condition"), item.get("assert")) {
        (Some(c), None) => (c, false),
        (None, Some(a)) => (a, true),
        (Some(_), Some(a)) => {
            r.error(
                item.entry("assert").map_or(a.span, |e| e.key_span),
                "a rule has `condition` (true: a violation) or `assert` (false: a violation), not both",
            );
            return None;
        }
        (None, None) => {
            r.error(
                item.entries().first().map_or(item.span, |e| e.key_span),
                "the rule has no `condition` (or `assert`)",
            );
            return None;
        }
    };
    let source = r.string(node, "condition")?;
    if source.len() > MAX_CONDITION {
        r.error(
            node.span,
            format!("the condition is over the limit of {MAX_CONDITION} characters"),
        );
        return None;
    }
    let parsed = env()
        .parser()
        .max_recursion_depth(MAX_NESTING)
        .parse_with_source_info(&source);
    let (expr, info) = match parsed {
        Ok(p) => p,
        Err(errors) => {
            for e in errors.errors.iter().take(5) {
                let line = usize::try_from(e.pos.0).unwrap_or(1).max(1);
                let col = usize::try_from(e.pos.1).unwrap_or(0);
                let off = line_col_offset(&source, line, col);
                let span = Span::empty(offset_in_file(text, node, &source, off));
                r.error(span, format!("condition does not parse: {}", e.msg));
            }
            if errors.errors.is_empty() {
                r.error(node.span, "condition does not parse");
            }
            return None;
        }
    };
    let vars = target.variables();
    let offsets = |id: u64| info.offset_for(id);
    let mut checker = Checker {
        vars: &vars,
        offsets: &offsets,
        errors: Vec::new(),
    };
    checker.check(&expr);
    let errors = std::mem::take(&mut checker.errors);
    for e in errors {
        let mut off = e.offset.map_or(0, |(s, _)| s as usize);
        if let Some(word) = &e.word {
            if let Some(i) = source.get(off..).and_then(|rest| rest.find(word.as_str())) {
                off += i;
            }
        }
        let span = Span::empty(offset_in_file(text, node, &source, off));
        r.error(span, format!("condition: {}", e.message));
    }
    let depth = schema::comprehension_depth(&expr);
    if depth > MAX_COMPREHENSION_DEPTH {
        r.error(
            node.span,
            format!(
                "the condition nests comprehensions {depth} deep; at most {MAX_COMPREHENSION_DEPTH} are allowed (each level multiplies the work by a list's length)"
            ),
        );
    }
    let mut paths = Vec::new();
    static_paths(&expr, &vars, &mut Vec::new(), &mut paths);
    Some((expr, negate, paths, depth))
}

/// The byte offset in the rule file of byte `off` of the condition `source`, the value of the
/// scalar `node`: exact for a plain or quoted scalar without escapes and for a literal block
/// (`|`); else the scalar's start.
fn offset_in_file(text: &str, node: &Node, source: &str, off: usize) -> usize {
    let Some(raw) = text.get(node.span.start..node.span.end) else {
        return node.span.start;
    };
    if raw == source {
        return node.span.start + off;
    }
    if raw.len() == source.len() + 2 && &raw[1..raw.len() - 1] == source {
        return node.span.start + 1 + off;
    }
    // A block scalar (`|`): the value's line `n` is the file's line `n` from where the value
    // starts, less the block's indentation.
    let first = source.lines().next().unwrap_or_default();
    let body_start = if raw.starts_with('|') {
        raw.find('\n').map(|i| i + 1).and_then(|i| {
            let rest = &raw[i..];
            rest.find(|c: char| c != ' ')
                .map(|j| node.span.start + i + j)
        })
    } else {
        Some(node.span.start)
    };
    if let Some(start) = body_start.filter(|s| !first.is_empty() && text[*s..].starts_with(first)) {
        let before = &source[..off.min(source.len())];
        let line = before.matches('\n').count();
        let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let indent = start - line_start;
        let mut at = line_start;
        for _ in 0..line {
            match text[at..].find('\n') {
                Some(i) => at += i + 1,
                None => return node.span.start,
            }
        }
        return (at + indent + col).min(text.len());
    }
    node.span.start
}

/// Byte offset of a 1-based line and 0-based character column in `text`.
fn line_col_offset(text: &str, line: usize, col: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[start.min(text.len())..];
    start + rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i)
}

/// The environment every condition is compiled and run in: the standard library, the strings
/// and lists extensions.
pub(crate) fn env() -> Arc<cel::Env> {
    static ENV: std::sync::OnceLock<Arc<cel::Env>> = std::sync::OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = cel::Env::stdlib();
        // Extensions that fail to register leave the standard library, which still works.
        let _ = env.add_extension(cel::extensions::strings);
        let _ = env.add_extension(cel::extensions::lists);
        Arc::new(env)
    })
    .clone()
}

/// Every chain of fields rooted at one of the target's variables (`resource.versioning.enabled`,
/// `has(container.securityContext)`, `resource.rule[0].cidr`), and through the variables of
/// comprehensions over such a chain (`resource.rule.exists(r, r.cidr == …)` names
/// `resource.rule.*.cidr`): an unknown value on one of them leaves the condition undecided.
fn static_paths(
    e: &cel::IdedExpr,
    vars: &[(&'static str, &'static schema::Shape)],
    bound: &mut Vec<(String, Option<Vec<String>>)>,
    out: &mut Vec<Vec<String>>,
) {
    if let Some(path) = chain(e, vars, bound) {
        if path.len() > 1 && !out.contains(&path) && out.len() < 256 {
            out.push(path);
        }
    }
    match &e.expr {
        Expr::Select(s) => static_paths(&s.operand, vars, bound, out),
        Expr::Call(c) => {
            if let Some(t) = &c.target {
                static_paths(t, vars, bound, out);
            }
            for a in &c.args {
                static_paths(a, vars, bound, out);
            }
        }
        Expr::Comprehension(c) => {
            static_paths(&c.iter_range, vars, bound, out);
            let element = chain(&c.iter_range, vars, bound).map(|mut p| {
                p.push("*".to_string());
                p
            });
            let depth = bound.len();
            bound.push((c.iter_var.clone(), element));
            if let Some(v2) = &c.iter_var2 {
                bound.push((v2.clone(), None));
            }
            bound.push((c.accu_var.clone(), None));
            for x in [&c.accu_init, &c.loop_cond, &c.loop_step, &c.result] {
                static_paths(x, vars, bound, out);
            }
            bound.truncate(depth);
        }
        Expr::List(l) => {
            for x in &l.elements {
                static_paths(x, vars, bound, out);
            }
        }
        Expr::Map(m) => {
            for en in &m.entries {
                if let cel::common::ast::EntryExpr::MapEntry(me) = &en.expr {
                    static_paths(&me.key, vars, bound, out);
                    static_paths(&me.value, vars, bound, out);
                }
            }
        }
        _ => {}
    }
}

/// `a.b[0].c` as `[a, b, 0, c]` when `a` is a variable of the target, or a comprehension's
/// variable over such a chain (`*`: any element).
fn chain(
    e: &cel::IdedExpr,
    vars: &[(&'static str, &'static schema::Shape)],
    bound: &[(String, Option<Vec<String>>)],
) -> Option<Vec<String>> {
    let mut segs = Vec::new();
    let mut cur = e;
    loop {
        match &cur.expr {
            Expr::Ident(name) => {
                segs.reverse();
                if let Some((_, prefix)) = bound.iter().rev().find(|(n, _)| n == name) {
                    let mut path = prefix.clone()?;
                    path.extend(segs);
                    return Some(path);
                }
                if !vars.iter().any(|(v, _)| v == name) {
                    return None;
                }
                let mut path = vec![name.clone()];
                path.extend(segs);
                return Some(path);
            }
            Expr::Select(s) => {
                segs.push(s.field.clone());
                cur = &s.operand;
            }
            Expr::Call(c) if c.func_name == "_[_]" && c.args.len() == 2 => {
                match &c.args[1].expr {
                    Expr::Literal(cel::common::ast::LiteralValue::Int(i)) => {
                        segs.push(i.inner().to_string())
                    }
                    Expr::Literal(cel::common::ast::LiteralValue::String(s)) => {
                        segs.push(s.inner().to_string())
                    }
                    _ => return None,
                }
                cur = &c.args[0];
            }
            _ => return None,
        }
    }
}

/// Every identifier the expression names.
fn idents(e: &cel::IdedExpr, out: &mut Vec<String>) {
    match &e.expr {
        Expr::Ident(name) if !out.contains(name) => out.push(name.clone()),
        Expr::Select(s) => idents(&s.operand, out),
        Expr::Call(c) => {
            if let Some(t) = &c.target {
                idents(t, out);
            }
            for a in &c.args {
                idents(a, out);
            }
        }
        Expr::Comprehension(c) => {
            for x in [
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ] {
                idents(x, out);
            }
        }
        Expr::List(l) => l.elements.iter().for_each(|x| idents(x, out)),
        Expr::Map(m) => {
            for en in &m.entries {
                if let cel::common::ast::EntryExpr::MapEntry(me) = &en.expr {
                    idents(&me.key, out);
                    idents(&me.value, out);
                }
            }
        }
        _ => {}
    }
}

/// A dotted path (`container.securityContext.privileged`, `resource.rule.0.cidr`) whose first
/// segment is a variable of the target.
fn read_path(r: &mut Reader<'_>, item: &Node, key: &str, target: &Target) -> Option<Vec<String>> {
    let node = item.get(key)?;
    let text = r.string(node, key)?;
    parse_path(r, node.span, &text, target)
}

fn parse_path(r: &mut Reader<'_>, span: Span, text: &str, target: &Target) -> Option<Vec<String>> {
    let segs: Vec<String> = text
        .replace('[', ".")
        .replace(']', "")
        .split('.')
        .map(str::to_string)
        .collect();
    if segs.iter().any(String::is_empty) {
        r.error(
            span,
            format!("`{text}` is not a dotted path (`container.securityContext.privileged`)"),
        );
        return None;
    }
    let vars = target.variables();
    let Some((_, shape)) = vars.iter().find(|(v, _)| *v == segs[0]) else {
        let names: Vec<&str> = vars.iter().map(|(v, _)| *v).collect();
        r.error(
            span,
            format!(
                "`{}` is not a variable of this rule; it sees {}",
                segs[0],
                names.join(", ")
            ),
        );
        return None;
    };
    if let Err(e) = schema::at_path(shape, &segs[1..]) {
        r.error(span, format!("`{text}`: {e}"));
        return None;
    }
    Some(segs)
}

fn read_fix(r: &mut Reader<'_>, item: &Node, target: &Target) -> Option<FixSpec> {
    let node = item.get("fix")?;
    if !node.is_map() {
        r.error(
            node.span,
            "`fix` is a map: `set` and `value`, or `remove`; `safe`",
        );
        return None;
    }
    r.keys(node, FIX_KEYS, "`fix`");
    if matches!(target, Target::Instructions(_) | Target::Stages) {
        r.error(node.span, "fixes of Dockerfile rules are not supported");
        return None;
    }
    let safe = match node.get("safe") {
        None => false,
        Some(n) => match n.as_bool() {
            Some(b) => b,
            None => {
                r.error(n.span, "`safe` is true or false");
                false
            }
        },
    };
    let title = node.get("title").and_then(|n| r.string(n, "title"));
    let path_of = |r: &mut Reader<'_>, key: &str| -> Option<Vec<String>> {
        let n = node.get(key)?;
        let text = r.string(n, key)?;
        let segs = parse_path(r, n.span, &text, target)?;
        if segs.len() < 2 || segs[1..].iter().any(|s| s.parse::<usize>().is_ok()) {
            r.error(n.span, format!("`{key}` names a key below a variable, without list indexes (`container.securityContext.privileged`)"));
            return None;
        }
        Some(segs)
    };
    match (node.get("set"), node.get("remove")) {
        (Some(_), None) => {
            let path = path_of(r, "set")?;
            let Some(v) = node.get("value") else {
                r.error(node.span, "`fix` with `set` needs the `value` to write");
                return None;
            };
            let value = match &v.value {
                Value::List(_) | Value::Map(_) => {
                    r.error(
                        v.span,
                        "`value` is a scalar, written into the file as given",
                    );
                    return None;
                }
                _ => v.display(),
            };
            Some(FixSpec {
                path,
                value: Some(value),
                title,
                safe,
            })
        }
        (None, Some(_)) => Some(FixSpec {
            path: path_of(r, "remove")?,
            value: None,
            title,
            safe,
        }),
        _ => {
            r.error(node.span, "`fix` has `set` (with `value`) or `remove`");
            None
        }
    }
}

fn read_examples(r: &mut Reader<'_>, item: &Node, text: &str) -> Vec<Example> {
    let Some(node) = item.get("examples") else {
        return Vec::new();
    };
    if !node.is_map() {
        r.error(
            node.span,
            "`examples` has `violating` and `compliant` lists",
        );
        return Vec::new();
    }
    r.keys(node, &["violating", "compliant"], "`examples`");
    let mut out = Vec::new();
    for e in node.entries() {
        let violating = e.key == "violating";
        let Value::List(items) = &e.value.value else {
            r.error(e.value.span, format!("`{}` is a list of documents", e.key));
            continue;
        };
        for (i, doc) in items.iter().enumerate() {
            let body = match &doc.value {
                Value::String(s) => s.clone(),
                Value::Map(_) => dedent(text, doc.span),
                _ => {
                    r.error(
                        doc.span,
                        "an example is a document: a map, or a string of the file's text",
                    );
                    continue;
                }
            };
            let pos = r
                .lines
                .position(doc.span.start, crate::source::ColumnUnit::Chars);
            out.push(Example {
                label: format!("{} example {} (line {})", e.key, i + 1, pos.line),
                text: body,
                violating,
            });
        }
    }
    out
}

/// The text of a block map written inside the rule file, as a document of its own: every line
/// after the first loses the first line's indentation.
fn dedent(text: &str, span: Span) -> String {
    let Some(raw) = text.get(span.start..span.end) else {
        return String::new();
    };
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let indent = span.start - line_start;
    let mut out = String::new();
    for (i, line) in raw.split_inclusive('\n').enumerate() {
        if i == 0 {
            out.push_str(line);
        } else {
            let cut = line
                .char_indices()
                .take_while(|(j, c)| *j < indent && *c == ' ')
                .count();
            out.push_str(&line[cut..]);
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The doc page of a user's rule, in the fixed sections of the built-in ones.
fn doc_text(
    description: Option<&str>,
    remediation: Option<&str>,
    references: &[String],
    fix: Option<&FixSpec>,
    file: &Path,
) -> String {
    let mut md = String::new();
    if let Some(d) = description {
        md.push_str(&format!("## What it flags\n{}\n\n", d.trim()));
    }
    if let Some(r) = remediation {
        md.push_str(&format!("## Use instead\n{}\n\n", r.trim()));
    }
    if let Some(f) = fix {
        let safety = if f.safe {
            "Safe: the rule's author marked the edit as not changing behaviour."
        } else {
            "Unsafe: the edit changes what gets deployed."
        };
        md.push_str(&format!("## Fix safety\n{safety}\n\n"));
    }
    if !references.is_empty() {
        md.push_str("## References\n");
        for r in references {
            md.push_str(&format!("- {r}\n"));
        }
        md.push('\n');
    }
    md.push_str(&format!(
        "## Source\nA user's rule, from `{}`.\n",
        crate::source::display_path(file)
    ));
    // `RuleMeta::doc_markdown` drops one leading space per line, as rustdoc leaves it.
    md.lines().map(|l| format!(" {l}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Vec<PolicyRule>, Vec<LoadError>> {
        load_text(
            Path::new("r.yaml"),
            text,
            &Taken {
                metas: &[],
                builtin: false,
            },
        )
    }

    fn errors(text: &str) -> Vec<String> {
        load(text)
            .err()
            .unwrap_or_default()
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    const HEAD: &str = "rules:\n  - code: ACME-001\n    name: x\n    title: t\n";

    #[test]
    fn an_error_in_a_block_scalar_condition_is_located_on_its_line() {
        let text = format!(
            "{HEAD}    match: {{containers: [\"*\"]}}\n    condition: |\n      has(container.image) &&\n        container.securityContext.privilegd\n"
        );
        assert_eq!(
            errors(&text),
            ["r.yaml:8:35: condition: unknown field `privilegd`; did you mean `privileged`?"]
        );
    }

    #[test]
    fn comprehension_variables_are_checked_against_the_element_shape() {
        let text = format!(
            "{HEAD}    match: {{pod-specs: [\"*\"]}}\n    condition: podSpec.containers.exists(c, c.imag == 'x')\n"
        );
        let e = errors(&text);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].contains("unknown field `imag`; did you mean `image`?"),
            "{e:?}"
        );
        // Labels are a map: any key.
        let ok = format!(
            "{HEAD}    match: {{kinds: [Pod]}}\n    condition: object.metadata.labels.app == 'x'\n"
        );
        assert!(load(&ok).is_ok());
    }

    #[test]
    fn paths_named_through_comprehensions_are_known() {
        let text = format!(
            "{HEAD}    match: {{resources: [aws_s3_bucket]}}\n    condition: resource.rule.exists(r, r.cidr[0] == 'x') || has(resource.versioning[0].enabled)\n"
        );
        let rules = load(&text).unwrap_or_default();
        let paths: Vec<String> = rules[0].paths.iter().map(|p| p.join(".")).collect();
        for want in [
            "resource.rule",
            "resource.rule.*.cidr.0",
            "resource.versioning.0.enabled",
        ] {
            assert!(paths.iter().any(|p| p == want), "{want} not in {paths:?}");
        }
    }

    #[test]
    fn both_polarities_and_neither() {
        let both = format!(
            "{HEAD}    match: {{kinds: [Pod]}}\n    condition: 'true'\n    assert: 'true'\n"
        );
        assert!(errors(&both)[0].contains("not both"));
        let neither = format!("{HEAD}    match: {{kinds: [Pod]}}\n");
        assert!(errors(&neither)[0].contains("no `condition`"));
        let assert = format!("{HEAD}    match: {{kinds: [Pod]}}\n    assert: 'true'\n");
        assert!(load(&assert).is_ok_and(|r| r[0].negate));
    }
}
