//! Running a user's rule: each target (object, pod spec, container, Terraform resource,
//! Dockerfile instruction or stage) becomes CEL values, the condition is evaluated, and a
//! violation becomes a finding at `report-at` with the rule's fix.

use std::collections::HashMap;
use std::sync::Arc;

use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;
use cel::objects::{Key, Map};
use cel::Value as Cel;

use super::rule::{FixSpec, PolicyRule, Target};
use crate::fix::{Applicability, Edit, Fix};
use crate::k8s;
use crate::model::{Node, Resource, Value};
use crate::parse::dockerfile::{Dockerfile, Instruction, Stage};
use crate::rule::{Context, Finding};
use crate::source::Span;

/// A model value as CEL sees it. Values unknown before apply are left out of maps (and are
/// `null` in lists): `has()` is false for them.
pub(crate) fn to_cel(node: &Node) -> Cel {
    match &node.value {
        Value::Null | Value::Unknown | Value::Ref(_) | Value::Partial(_) => Cel::Null,
        Value::Bool(b) => Cel::Bool(*b),
        Value::Number(n) => {
            if n.fract() == 0.0 && n.abs() < 9.0e15 {
                Cel::Int(*n as i64)
            } else {
                Cel::Float(*n)
            }
        }
        Value::String(s) => Cel::String(Arc::new(s.clone())),
        Value::List(items) => Cel::List(Arc::new(items.iter().map(to_cel).collect())),
        Value::Map(entries) => {
            let mut map: HashMap<Key, Cel> = HashMap::with_capacity(entries.len());
            for e in entries {
                if !e.value.is_unknown() {
                    // The last of duplicate keys wins, as in `Node::get`.
                    map.insert(Key::String(Arc::new(e.key.clone())), to_cel(&e.value));
                }
            }
            Cel::Map(Map { map: Arc::new(map) })
        }
    }
}

thread_local! {
    /// The CEL form of the nodes converted while one context's rules run, by node address:
    /// rules of the same target share the conversion. [`reset_cache`] empties it before and
    /// after each run of the rules, while the context's nodes cannot move or be freed.
    static CONVERTED: std::cell::RefCell<HashMap<usize, Arc<Box<dyn Val>>>> =
        std::cell::RefCell::new(HashMap::new());
}

/// The variables of one evaluation, lent to the CEL context without copying them.
struct Vars {
    vals: Vec<(&'static str, Arc<Box<dyn Val>>)>,
}

impl VariableResolver for Vars {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        self.vals
            .iter()
            .find(|(n, _)| *n == variable)
            .map(|(_, v)| CowVal::Borrowed(&***v))
    }
}

/// A CEL value in the evaluator's own form; a value it cannot hold becomes `null`.
fn boxed(v: Cel) -> Arc<Box<dyn Val>> {
    let b: Box<dyn Val> =
        Box::<dyn Val>::try_from(v).unwrap_or_else(|_| Box::new(cel::common::types::CelNull));
    Arc::new(b)
}

/// Forget the converted nodes (the rules of a new context are about to run, or have run).
pub(crate) fn reset_cache() {
    CONVERTED.with(|c| {
        let mut c = c.borrow_mut();
        c.clear();
        c.shrink_to(64);
    });
}

/// [`to_cel`] of a node of the context, converted once for all the rules.
fn converted(node: &Node) -> Arc<Box<dyn Val>> {
    let key = node as *const Node as usize;
    if let Some(v) = CONVERTED.with(|c| c.borrow().get(&key).cloned()) {
        return v;
    }
    let v = boxed(to_cel(node));
    CONVERTED.with(|c| c.borrow_mut().insert(key, v.clone()));
    v
}

/// One thing the condition is evaluated on, with the nodes its variables stand for.
struct Subject<'a> {
    resource: &'a Resource,
    /// (variable, node) for the variables backed by the model.
    nodes: Vec<(&'static str, Option<&'a Node>)>,
    /// Extra values (Dockerfile instructions and stages).
    values: Vec<(&'static str, Cel)>,
    /// Where a finding goes when `report-at` finds nothing.
    anchor: Span,
    container: Option<(String, Span)>,
}

pub(super) fn check(rule: &PolicyRule, cx: &Context<'_>, out: &mut Vec<Finding>) {
    let env = super::load::env();
    for s in subjects(rule, cx) {
        let used = |name: &str| rule.uses.contains(&name);
        if rule.depth > 0 {
            let longest = s
                .nodes
                .iter()
                .filter(|(v, _)| used(v))
                .filter_map(|(_, n)| *n)
                .map(longest_list)
                .chain(
                    s.values
                        .iter()
                        .filter(|(v, _)| used(v))
                        .map(longest_cel_list),
                )
                .max()
                .unwrap_or(0) as u64;
            let steps = longest.saturating_pow(rule.depth as u32);
            if steps > super::rule::MAX_STEPS {
                super::rule::note(format!(
                    "{} on {}: not decided, the condition would take about {steps} steps (over {})",
                    rule.meta.code,
                    s.resource.name,
                    super::rule::MAX_STEPS
                ));
                continue;
            }
        }
        if let Some(path) = unknown_path(rule, &s) {
            super::rule::note(format!(
                "{} on {}: not decided, `{}` is not known before apply",
                rule.meta.code,
                s.resource.name,
                path.join(".")
            ));
            continue;
        }
        // Only the variables the condition reads are built: the whole object is the largest.
        let mut vals: Vec<(&'static str, Arc<Box<dyn Val>>)> = Vec::new();
        for (name, node) in s.nodes.iter().filter(|(v, _)| used(v)) {
            vals.push((name, node.map_or_else(|| boxed(Cel::Null), converted)));
        }
        for (name, v) in s.values.iter().filter(|(v, _)| used(v)) {
            vals.push((name, boxed(v.clone())));
        }
        let vars = Vars { vals };
        let mut ctx = cel::Context::with_env(env.clone());
        ctx.set_variable_resolver(&vars);
        let violated = match Cel::resolve(&rule.expr, &ctx) {
            Ok(Cel::Bool(b)) => b != rule.negate,
            Ok(other) => {
                super::rule::note(format!(
                    "{} on {}: not decided, the condition gave {} rather than true or false",
                    rule.meta.code,
                    s.resource.name,
                    other.type_of()
                ));
                continue;
            }
            Err(e) => {
                let why = if s.nodes.iter().any(|(_, n)| n.is_some_and(has_unknown)) {
                    " (it reads values not known before apply, which the model leaves out)"
                } else {
                    ""
                };
                super::rule::note(format!(
                    "{} on {}: not decided, {e}{why}",
                    rule.meta.code, s.resource.name
                ));
                continue;
            }
        };
        if violated {
            out.push(finding(rule, cx, &s));
        }
    }
}

/// What the rule's target names in this context, each with its variables. Long: one arm per
/// kind of target, each a few lines of the same shape.
fn subjects<'a>(rule: &PolicyRule, cx: &Context<'a>) -> Vec<Subject<'a>> {
    let mut out = Vec::new();
    match &rule.target {
        Target::Kinds(kinds) => {
            for r in cx.resources.iter().filter(|r| kind_matches(r, kinds)) {
                out.push(Subject {
                    resource: r,
                    nodes: vec![("object", Some(&r.body))],
                    values: Vec::new(),
                    anchor: r.head,
                    container: None,
                });
            }
        }
        Target::PodSpecs(kinds) => {
            for (r, pod) in k8s::each_pod(cx.resources).filter(|(r, _)| kind_matches(r, kinds)) {
                out.push(Subject {
                    resource: r,
                    nodes: vec![("object", Some(&r.body)), ("podSpec", Some(pod.spec))],
                    values: Vec::new(),
                    anchor: pod.key_span,
                    container: None,
                });
            }
        }
        Target::Containers(kinds) => {
            for (r, pod, c) in
                k8s::each_pod_container(cx.resources).filter(|(r, _, _)| kind_matches(r, kinds))
            {
                let effective = if rule.uses.contains(&"effective") {
                    effective_context(pod, c.node)
                } else {
                    Cel::Null
                };
                let mut s = Subject {
                    resource: r,
                    nodes: vec![
                        ("object", Some(&r.body)),
                        ("podSpec", Some(pod)),
                        ("container", Some(c.node)),
                    ],
                    values: vec![("effective", effective)],
                    anchor: c.anchor_span(),
                    container: Some((c.name.clone(), c.node.span)),
                };
                s.nodes.shrink_to_fit();
                out.push(s);
            }
        }
        Target::Resources(types) => {
            for r in cx.resources.iter().filter(|r| {
                matches!(r.tf_type(), Some(("resource", t)) if types.is_empty() || types.iter().any(|x| x == t))
            }) {
                out.push(Subject {
                    resource: r,
                    nodes: vec![("resource", Some(&r.body))],
                    values: Vec::new(),
                    anchor: r.head,
                    container: None,
                });
            }
        }
        Target::Instructions(keywords) => {
            let Some(df) = cx.dockerfile else { return out };
            for (i, ins) in df.instructions.iter().enumerate() {
                if !keywords.is_empty() && !keywords.contains(&ins.keyword) {
                    continue;
                }
                let Some(r) = stage_resource(cx, ins.stage) else {
                    continue;
                };
                let stage = if rule.uses.contains(&"stage") {
                    ins.stage
                        .and_then(|s| df.stages.get(s))
                        .map_or(Cel::Null, |s| stage_value(cx, df, s))
                } else {
                    Cel::Null
                };
                out.push(Subject {
                    resource: r,
                    nodes: Vec::new(),
                    values: vec![
                        ("instruction", instruction_value(cx, df, i, ins)),
                        ("stage", stage),
                    ],
                    anchor: ins.keyword_span,
                    container: None,
                });
            }
        }
        Target::Stages => {
            let Some(df) = cx.dockerfile else { return out };
            for st in &df.stages {
                let Some(r) = stage_resource(cx, Some(st.index)) else {
                    continue;
                };
                let from = df.instructions.get(st.from).map_or(r.head, |i| i.keyword_span);
                out.push(Subject {
                    resource: r,
                    nodes: Vec::new(),
                    values: vec![("stage", stage_value(cx, df, st))],
                    anchor: from,
                    container: None,
                });
            }
        }
    }
    out
}

fn kind_matches(r: &Resource, kinds: &[String]) -> bool {
    let crate::model::ResourceKind::Kubernetes { api_version, kind } = &r.kind else {
        return false;
    };
    kinds.is_empty()
        || kinds.iter().any(|k| match k.rsplit_once('/') {
            Some((group, want)) => want == kind && api_version.split('/').next() == Some(group),
            None => k == kind,
        })
}

/// The container's `securityContext` with the pod's settings it inherits (the container's own
/// win), as the kubelet applies them: see [`k8s::effective`].
fn effective_context(pod: &Node, container: &Node) -> Cel {
    const INHERITED: &[&str] = &[
        "runAsNonRoot",
        "runAsUser",
        "runAsGroup",
        "seLinuxOptions",
        "seccompProfile",
        "appArmorProfile",
        "windowsOptions",
    ];
    let own = container.get("securityContext");
    let mut map: HashMap<Key, Cel> = HashMap::new();
    for e in own.map(Node::entries).unwrap_or_default() {
        if !e.value.is_unknown() {
            map.insert(Key::String(Arc::new(e.key.clone())), to_cel(&e.value));
        }
    }
    for key in INHERITED {
        if let Some(s) = k8s::effective(pod, container, &[key]) {
            if s.from_pod && !s.node.is_unknown() {
                map.insert(Key::String(Arc::new(key.to_string())), to_cel(s.node));
            }
        }
    }
    Cel::Map(Map { map: Arc::new(map) })
}

/// The node `effective.<key>…` stands for: the container's setting, else the pod's.
fn effective_node<'a>(pod: &'a Node, container: &'a Node, rest: &[String]) -> Option<&'a Node> {
    let path: Vec<&str> = rest.iter().map(String::as_str).collect();
    k8s::effective(pod, container, &path).map(|s| s.node)
}

fn stage_resource<'a>(cx: &Context<'a>, stage: Option<usize>) -> Option<&'a Resource> {
    let index = stage?;
    cx.resources.iter().find(|r| {
        matches!(r.kind, crate::model::ResourceKind::DockerStage { index: i, .. } if i == index)
    })
}

fn string(s: &str) -> Cel {
    Cel::String(Arc::new(s.to_string()))
}

fn map(entries: Vec<(&str, Cel)>) -> Cel {
    let map: HashMap<Key, Cel> = entries
        .into_iter()
        .map(|(k, v)| (Key::String(Arc::new(k.to_string())), v))
        .collect();
    Cel::Map(Map { map: Arc::new(map) })
}

fn instruction_value(cx: &Context<'_>, df: &Dockerfile, _index: usize, ins: &Instruction) -> Cel {
    let _ = df;
    let text = cx.files.first().map_or("", |f| &f.text);
    let args = text
        .get(ins.args_span.start..ins.args_span.end)
        .unwrap_or("");
    let flags: Vec<(&str, Cel)> = ins
        .flags
        .iter()
        .map(|f| (f.name.as_str(), string(&f.value)))
        .collect();
    let exec = if ins.form == crate::parse::dockerfile::Form::Json {
        Cel::List(Arc::new(
            ins.json_args.iter().map(|(a, _)| string(a)).collect(),
        ))
    } else {
        Cel::Null
    };
    let line = cx.files.first().map_or(0, |f| {
        f.line_index()
            .position(ins.span.start, crate::source::ColumnUnit::Chars)
            .line
    });
    map(vec![
        ("keyword", string(&ins.keyword)),
        ("arguments", string(args.trim())),
        ("flags", map(flags)),
        ("exec", exec),
        ("line", Cel::Int(line as i64)),
    ])
}

fn stage_value(cx: &Context<'_>, df: &Dockerfile, st: &Stage) -> Cel {
    let instructions: Vec<Cel> = df
        .instructions
        .get(st.instructions.clone())
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, ins)| instruction_value(cx, df, st.instructions.start + i, ins))
        .collect();
    let user = df
        .instructions
        .get(st.instructions.clone())
        .unwrap_or_default()
        .iter()
        .rev()
        .find_map(|i| i.user.as_ref())
        .map_or(Cel::Null, |(u, _)| string(u));
    map(vec![
        ("index", Cel::Int(st.index as i64)),
        (
            "name",
            st.name.as_ref().map_or(Cel::Null, |(n, _)| string(n)),
        ),
        ("image", string(&st.image_text)),
        ("user", user),
        ("instructions", Cel::List(Arc::new(instructions))),
    ])
}

/// The length of the longest list in the tree.
fn longest_list(node: &Node) -> usize {
    match &node.value {
        Value::List(items) => items
            .iter()
            .map(longest_list)
            .max()
            .unwrap_or(0)
            .max(items.len()),
        Value::Map(entries) => entries
            .iter()
            .map(|e| longest_list(&e.value))
            .max()
            .unwrap_or(0),
        _ => 0,
    }
}

fn longest_cel_list(v: &(&'static str, Cel)) -> usize {
    fn walk(v: &Cel) -> usize {
        match v {
            Cel::List(items) => items.iter().map(walk).max().unwrap_or(0).max(items.len()),
            Cel::Map(m) => m.map.values().map(walk).max().unwrap_or(0),
            _ => 0,
        }
    }
    walk(&v.1)
}

/// Does the tree hold a value unknown before apply?
fn has_unknown(node: &Node) -> bool {
    match &node.value {
        Value::Unknown | Value::Ref(_) | Value::Partial(_) => true,
        Value::List(items) => items.iter().any(has_unknown),
        Value::Map(entries) => entries.iter().any(|e| has_unknown(&e.value)),
        _ => false,
    }
}

/// The first path the condition names whose value is unknown before apply.
fn unknown_path(rule: &PolicyRule, s: &Subject<'_>) -> Option<Vec<String>> {
    rule.paths
        .iter()
        .find(|p| {
            s.nodes
                .iter()
                .find(|(v, _)| *v == p[0])
                .and_then(|(_, n)| *n)
                .is_some_and(|n| reaches_unknown(n, &p[1..]))
        })
        .cloned()
}

/// Does following `path` from `node` meet a value unknown before apply? Through a list, any
/// element counts (a Terraform block repeated by `dynamic`).
fn reaches_unknown(node: &Node, path: &[String]) -> bool {
    if node.is_unknown() {
        return true;
    }
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    match &node.value {
        Value::Map(entries) if first == "*" => entries
            .iter()
            .take(1_000)
            .any(|e| reaches_unknown(&e.value, rest)),
        Value::Map(_) => node.get(first).is_some_and(|n| reaches_unknown(n, rest)),
        Value::List(items) if first == "*" => {
            items.iter().take(1_000).any(|n| reaches_unknown(n, rest))
        }
        Value::List(items) => match first.parse::<usize>() {
            Ok(i) => items.get(i).is_some_and(|n| reaches_unknown(n, rest)),
            Err(_) => items.iter().take(1_000).any(|n| reaches_unknown(n, path)),
        },
        _ => false,
    }
}

/// The node at `path` below `node` and, when it is missing, the span of the deepest key on
/// the way. Lists on the way take their first element (or the numbered one).
fn locate<'a>(node: &'a Node, path: &[String]) -> (Option<&'a Node>, Option<Span>) {
    let mut cur = node;
    let mut deepest = None;
    for seg in path {
        if let Value::List(items) = &cur.value {
            let i = seg.parse::<usize>().ok();
            match items.get(i.unwrap_or(0)) {
                Some(n) => cur = n,
                None => return (None, deepest),
            }
            if i.is_some() {
                continue;
            }
        }
        match cur.entry(seg) {
            Some(e) => {
                deepest = Some(e.key_span);
                cur = &e.value;
            }
            None => return (None, deepest),
        }
    }
    (Some(cur), deepest)
}

/// The node a variable stands for in `s`, for `report-at` and fixes.
fn variable_node<'a>(s: &Subject<'a>, var: &str) -> Option<&'a Node> {
    s.nodes
        .iter()
        .find(|(v, _)| *v == var)
        .and_then(|(_, n)| *n)
}

fn finding(rule: &PolicyRule, cx: &Context<'_>, s: &Subject<'_>) -> Finding {
    let r = s.resource;
    let (value, span) = match &rule.report_at {
        Some(path) => report_at(s, path),
        None => (None, None),
    };
    let span = span.unwrap_or(s.anchor);
    let message = message(rule, s, value);
    let mut f = Finding::on(rule.meta, r, span, message);
    if let Some((name, cspan)) = &s.container {
        f = f.in_container(name, *cspan);
    }
    if let Some(fix) = &rule.fix {
        f = f.with_fix(build_fix(fix, cx, s));
    }
    if let Some(v) = value {
        let what = rule
            .report_at
            .as_ref()
            .and_then(|p| p.last())
            .map_or("the value", String::as_str);
        f = f.with_origin(v, r.file, what);
    }
    f
}

fn report_at<'a>(s: &Subject<'a>, path: &[String]) -> (Option<&'a Node>, Option<Span>) {
    if path[0] == "effective" {
        let (Some(pod), Some(c)) = (variable_node(s, "podSpec"), variable_node(s, "container"))
        else {
            return (None, None);
        };
        return match effective_node(pod, c, &path[1..]) {
            Some(n) if !matches!(n.value, Value::Null) => (Some(n), Some(n.span)),
            _ => (None, locate(c, &["securityContext".to_string()]).1),
        };
    }
    let Some(base) = variable_node(s, &path[0]) else {
        return (None, None);
    };
    match locate(base, &path[1..]) {
        // A map or list is pointed at by its key; a scalar by its value.
        (Some(n), Some(key)) if matches!(n.value, Value::Map(_) | Value::List(_)) => {
            (None, Some(key))
        }
        // `null` is as good as unset: the nearest written key on the way holds the finding.
        (Some(n), _) if matches!(n.value, Value::Null) => {
            (None, locate(base, &path[1..path.len() - 1]).1)
        }
        (Some(n), _) if path.len() > 1 => (Some(n), Some(n.span)),
        (_, deepest) => (None, deepest),
    }
}

/// The rule's `message` with `{resource}`, `{container}` and `{value}` filled in; without one,
/// the title on the resource.
fn message(rule: &PolicyRule, s: &Subject<'_>, value_node: Option<&Node>) -> String {
    let value = value_node;
    let container = s
        .container
        .as_ref()
        .map(|(n, _)| format!("container \"{n}\""))
        .unwrap_or_default();
    let value = value.map(Node::display).unwrap_or_else(|| "(unset)".into());
    let template = match (&rule.message_unset, value_node) {
        (Some(unset), None) => Some(unset),
        _ => rule.message.as_ref(),
    };
    match template {
        Some(m) => m
            .replace("{resource}", &s.resource.name)
            .replace("{container}", &container)
            .replace("{value}", &value),
        None => {
            let at = if container.is_empty() {
                s.resource.name.clone()
            } else {
                format!("{} {container}", s.resource.name)
            };
            format!("{at}: {}", rule.meta.title)
        }
    }
}

fn build_fix(spec: &FixSpec, cx: &Context<'_>, s: &Subject<'_>) -> Option<Fix> {
    let r = s.resource;
    let text = cx.text(r.file);
    let base = variable_node(s, &spec.path[0])?;
    let rest: Vec<&str> = spec.path[1..].iter().map(String::as_str).collect();
    let last = rest.last().copied().unwrap_or_default();
    let terraform = matches!(rule_domain(s), Domain::Tf);
    let edit = match &spec.value {
        Some(value) => {
            if terraform {
                match crate::terraform::attrs::lookup(base, &rest) {
                    Some(v) if matches!(v.value, Value::Null) => {
                        crate::rules::terraform::setting::insert_setting(text, r, &rest, value)
                    }
                    Some(v) if !v.is_unknown() => {
                        crate::edit::replace_scalar(text, v, value.trim_matches('"'))
                    }
                    Some(_) => None,
                    None => crate::rules::terraform::setting::insert_setting(text, r, &rest, value),
                }
            } else {
                crate::edit::yaml_set(text, base, &rest, value)
            }
        }
        None => {
            let (node, _) = locate(base, &spec.path[1..]);
            node?;
            remove_entry(text, base, &rest)
        }
    }?;
    let title = spec.title.clone().unwrap_or_else(|| match &spec.value {
        Some(v) if terraform => format!("Set `{last} = {v}`"),
        Some(v) => format!("Set `{last}: {v}`"),
        None => format!("Remove `{last}`"),
    });
    let applicability = if spec.safe {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    Some(Fix::new(title, applicability, vec![edit]))
}

enum Domain {
    Tf,
    Yaml,
}

fn rule_domain(s: &Subject<'_>) -> Domain {
    match s.resource.kind {
        crate::model::ResourceKind::Terraform { .. } => Domain::Tf,
        _ => Domain::Yaml,
    }
}

/// An edit deleting the entry at `path` below `base` when it stands on lines of its own: from
/// the start of its key's line to the end of its value's last line.
fn remove_entry(text: &str, base: &Node, path: &[&str]) -> Option<Edit> {
    let (last, parents) = path.split_last()?;
    let mut holder = base;
    for key in parents {
        let next = holder.get(key)?;
        holder = match &next.value {
            Value::List(items) => items.first()?,
            _ => next,
        };
    }
    let entry = holder.entry(last)?;
    if entry.value.origin.is_some() || holder.origin.is_some() {
        return None;
    }
    let line_start = text[..entry.key_span.start]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let before = &text[line_start..entry.key_span.start];
    if !before.chars().all(|c| c == ' ' || c == '\t') {
        return None; // `- key:` or `{key: …}`: not a line of its own
    }
    let end = crate::edit::end_of_line(text, entry.value.span.end.max(entry.key_span.end));
    let end = if text[end..].starts_with("\r\n") {
        end + 2
    } else if text[end..].starts_with('\n') {
        end + 1
    } else {
        end
    };
    Some(Edit::replace(Span::new(line_start, end), ""))
}
