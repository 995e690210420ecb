//! Rego policies people already have: conftest-style `deny`/`violation`/`warn` rules
//! (docs/policy.md, "Rego policies"), evaluated in process by `regorus`.
//!
//! Every `--policy` path is one policy set: its `.rego` files are parsed and compiled once, into
//! one engine, when the scan starts; evaluations work on pooled copies of it, with a time limit
//! and a bounded input. Each `deny*`/`violation*`/`warn*` rule of a selected package becomes a
//! rule of the registry (code `REGO.<package>.<rule>`), once for each kind of file, and each
//! message it gives becomes a finding on the object, the Dockerfile or the Terraform resource.

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use regorus::utils::limits::ExecutionTimerConfig;
use regorus::Engine;
use serde_json::{Map as JsonMap, Value as Json};

use super::load::LoadError;
use crate::model::{Node, Resource, ResourceKind, Value};
use crate::parse::dockerfile::{Dockerfile, Form};
use crate::rule::{Context, Domain, Finding, Rule, RuleMeta, Severity};
use crate::source::Span;

/// The largest input one evaluation gets, as JSON text: a larger object is not evaluated (a note
/// says so with `-v`).
pub(crate) const MAX_INPUT: usize = 4 << 20;
/// The wall-clock time one evaluation may take before it is stopped.
pub(crate) const TIME_LIMIT: Duration = Duration::from_secs(2);
/// The largest `.rego` file read.
pub(crate) const MAX_REGO_FILE: u64 = 1 << 20;

/// Which packages' rules are run: conftest's `--namespace` (default `main`) and
/// `--all-namespaces`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Namespaces {
    pub names: Vec<String>,
    pub all: bool,
}

impl Namespaces {
    fn admits(&self, package: &str) -> bool {
        self.all
            || if self.names.is_empty() {
                package == "main"
            } else {
                self.names.iter().any(|n| n == package)
            }
    }
}

static NAMESPACES: Mutex<Option<Namespaces>> = Mutex::new(None);

/// Set the packages whose rules are run (before the policies are installed).
pub(crate) fn set_namespaces(ns: Namespaces) {
    if let Ok(mut n) = NAMESPACES.lock() {
        *n = Some(ns);
    }
}

fn namespaces() -> Namespaces {
    NAMESPACES
        .lock()
        .ok()
        .and_then(|n| n.clone())
        .unwrap_or_default()
}

/// How a Terraform resource is given to the policies of a set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TerraformInput {
    /// One evaluation per resource: `{type, name, address, attributes}`.
    Resource,
    /// One evaluation per file, conftest's HCL shape:
    /// `{"resource": {TYPE: {NAME: [attributes]}}}`.
    Hcl2,
}

/// The compiled policies of one `--policy` path.
pub(crate) struct PolicySet {
    engine: Mutex<Engine>,
    /// Copies of `engine` not in use: an evaluation takes one (or makes one) and puts it back,
    /// so the compiled policies are copied once per worker, not once per evaluation.
    pool: Mutex<Vec<Engine>>,
    pub terraform: TerraformInput,
}

impl PolicySet {
    pub(super) fn new(engine: Engine, terraform: TerraformInput) -> PolicySet {
        PolicySet {
            engine: Mutex::new(engine),
            pool: Mutex::new(Vec::new()),
            terraform,
        }
    }

    /// Evaluate `rule` (`data.main.deny`) with `input`. `Ok(None)`: undefined.
    pub(super) fn eval(&self, rule: &str, input: &Json) -> Result<Option<Json>, String> {
        let text = input.to_string();
        if text.len() > MAX_INPUT {
            return Err(format!(
                "the input is {} bytes of JSON, over the {MAX_INPUT} a Rego evaluation gets",
                text.len()
            ));
        }
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        let mut engine = match pooled {
            Some(e) => e,
            None => match self.engine.lock() {
                Ok(e) => e.clone(),
                Err(_) => return Err("the policy engine is unusable after a panic".into()),
            },
        };
        engine.set_input(regorus::Value::from(input.clone()));
        let result = engine.eval_rule(rule.to_string());
        // An engine stopped by the time limit is dropped rather than reused.
        if result.is_ok() {
            if let Ok(mut p) = self.pool.lock() {
                p.push(engine);
            }
        }
        let value = result.map_err(|e| format!("{e:#}"))?;
        if value == regorus::Value::Undefined {
            return Ok(None);
        }
        let json = value.to_json_str().map_err(|e| e.to_string())?;
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| e.to_string())
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_string()
}

/// A new engine with rampart's limits: Rego v1 (or v0 when `v0`), a time limit.
pub(super) fn engine(v0: bool) -> Engine {
    let mut e = Engine::new();
    e.set_rego_v0(v0);
    e.set_strict_builtin_errors(false);
    e.set_execution_timer_config(ExecutionTimerConfig {
        limit: TIME_LIMIT,
        check_interval: NonZeroU32::MIN,
    });
    e
}

/// One `deny*`/`violation*`/`warn*` rule of a package, for one kind of file.
pub(crate) struct RegoRule {
    pub meta: &'static RuleMeta,
    pub set: Arc<PolicySet>,
    /// `data.main.deny`.
    pub path: String,
    /// The `.rego` file it is declared in.
    pub source: PathBuf,
}

impl std::fmt::Debug for RegoRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegoRule")
            .field("code", &self.meta.code)
            .field("path", &self.path)
            .finish()
    }
}

impl Rule for RegoRule {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        match self.meta.domain {
            Domain::Kubernetes => {
                for r in cx.resources {
                    if matches!(r.kind, ResourceKind::Kubernetes { .. }) {
                        let input = to_json(&r.body);
                        self.report(cx, &input, Some(r), r.file, r.head, out, &|p| {
                            locate(&r.body, p)
                        });
                    }
                }
            }
            Domain::Dockerfile => {
                if let Some(df) = cx.dockerfile {
                    self.check_dockerfile(cx, df, out);
                }
            }
            Domain::Terraform => self.check_terraform(cx, out),
            Domain::Input => {}
        }
    }
}

/// The conftest keys of one message object rampart reads beside `msg`.
const LOCATING_KEYS: [&str; 2] = ["path", "field"];

impl RegoRule {
    /// Evaluate the rule on `input` and push a finding per message. `locate` turns a message's
    /// `path` into a span. Long: the one place results become findings, each step a few lines.
    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        cx: &Context<'_>,
        input: &Json,
        resource: Option<&Resource>,
        file: usize,
        anchor: Span,
        out: &mut Vec<Finding>,
        locate: &dyn Fn(&[PathStep]) -> Option<Span>,
    ) {
        let _ = cx;
        let what = resource.map_or_else(|| "the file".to_string(), |r| r.name.clone());
        let value = match self.set.eval(&self.path, input) {
            Ok(Some(v)) => v,
            Ok(None) => return,
            Err(e) => {
                let meta = &crate::rules::EvaluationBudgetExceeded::META;
                out.push(Finding::new(
                    meta,
                    file,
                    anchor,
                    format!("Rego rule `{}` on {what} was not decided: {e}", self.path),
                ));
                return;
            }
        };
        let messages: Vec<Json> = match value {
            Json::Array(items) => items,
            Json::Bool(false) | Json::Null => Vec::new(),
            other => vec![other],
        };
        for m in messages {
            let (text, path) = match &m {
                Json::String(s) => (s.clone(), None),
                Json::Object(o) => {
                    let text = match o.get("msg") {
                        Some(Json::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                        None => m.to_string(),
                    };
                    let path = LOCATING_KEYS
                        .iter()
                        .find_map(|k| o.get(*k))
                        .and_then(path_steps);
                    (text, path)
                }
                Json::Bool(true) => (format!("{what} violates `{}`", self.path), None),
                other => (other.to_string(), None),
            };
            let span = path.as_deref().and_then(locate).unwrap_or(anchor);
            let f = match resource {
                Some(r) => Finding::on(self.meta, r, span, text),
                None => Finding::new(self.meta, file, span, text),
            };
            out.push(f);
        }
    }

    fn check_dockerfile(&self, cx: &Context<'_>, df: &Dockerfile, out: &mut Vec<Finding>) {
        let Some(file) = cx.files.first() else {
            return;
        };
        let input = dockerfile_input(&file.text, df);
        let anchor = df.instructions.first().map_or(Span::empty(0), |i| i.span);
        let resource = cx
            .resources
            .iter()
            .find(|r| matches!(r.kind, ResourceKind::DockerStage { .. }));
        let at = |p: &[PathStep]| match p.first() {
            Some(PathStep::Index(i)) => df.instructions.get(*i).map(|ins| ins.span),
            _ => None,
        };
        self.report(cx, &input, resource, 0, anchor, out, &at);
    }

    fn check_terraform(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let resources: Vec<(&Resource, &str, &str)> = cx
            .resources
            .iter()
            .filter_map(|r| match &r.kind {
                ResourceKind::Terraform {
                    block,
                    type_name,
                    name,
                } if block == "resource" => Some((r, type_name.as_str(), name.as_str())),
                _ => None,
            })
            .collect();
        match self.set.terraform {
            TerraformInput::Resource => {
                for (r, type_name, name) in resources {
                    let input = serde_json::json!({
                        "type": type_name,
                        "name": name,
                        "address": r.name,
                        "attributes": to_json(&r.body),
                    });
                    let at = |p: &[PathStep]| {
                        let rest = match p.first() {
                            Some(PathStep::Key(k)) if k == "attributes" => &p[1..],
                            _ => p,
                        };
                        locate(&r.body, rest)
                    };
                    self.report(cx, &input, Some(r), r.file, r.head, out, &at);
                }
            }
            TerraformInput::Hcl2 => {
                for file in 0..cx.files.len() {
                    let mine: Vec<_> = resources.iter().filter(|(r, ..)| r.file == file).collect();
                    let Some((first, ..)) = mine.first() else {
                        continue;
                    };
                    let mut by_type: JsonMap<String, Json> = JsonMap::new();
                    for (r, t, n) in &mine {
                        let entry = by_type
                            .entry(t.to_string())
                            .or_insert_with(|| Json::Object(JsonMap::new()));
                        if let Json::Object(m) = entry {
                            let list = m
                                .entry(n.to_string())
                                .or_insert_with(|| Json::Array(vec![]));
                            if let Json::Array(l) = list {
                                l.push(to_json(&r.body));
                            }
                        }
                    }
                    let input = serde_json::json!({ "resource": by_type });
                    let at = |p: &[PathStep]| hcl_locate(&mine, p);
                    self.report(cx, &input, Some(first), file, first.head, out, &at);
                }
            }
        }
    }
}

/// One step of a message's `path`: a key or a list index.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PathStep {
    Key(String),
    Index(usize),
}

/// A message's `path`/`field`: a list of keys and indexes, or a dotted string
/// (`spec.containers.0.securityContext`).
fn path_steps(v: &Json) -> Option<Vec<PathStep>> {
    let step = |v: &Json| match v {
        Json::String(s) => Some(match s.parse::<usize>() {
            Ok(i) => PathStep::Index(i),
            Err(_) => PathStep::Key(s.clone()),
        }),
        Json::Number(n) => n.as_u64().map(|i| PathStep::Index(i as usize)),
        _ => None,
    };
    match v {
        Json::Array(items) => items.iter().map(step).collect(),
        Json::String(s) => s
            .split('.')
            .filter(|p| !p.is_empty())
            .map(|p| step(&Json::String(p.to_string())))
            .collect(),
        Json::Number(_) => step(v).map(|s| vec![s]),
        _ => None,
    }
}

/// The span of the key (or, for a scalar, the value) at `path` below `node`; the deepest
/// written key on the way when the rest is not written.
fn locate(node: &Node, path: &[PathStep]) -> Option<Span> {
    let mut here = node;
    let mut best = None;
    for step in path {
        let next = match (&here.value, step) {
            (Value::Map(entries), PathStep::Key(k)) => {
                entries.iter().rev().find(|e| &e.key == k).map(|e| {
                    best = Some(e.key_span);
                    &e.value
                })
            }
            (Value::List(items), PathStep::Index(i)) => items.get(*i).inspect(|n| {
                best = Some(n.span);
            }),
            _ => None,
        };
        match next {
            Some(n) => here = n,
            None => return best,
        }
    }
    if !matches!(here.value, Value::Map(_) | Value::List(_)) && !path.is_empty() {
        return Some(here.span);
    }
    best
}

/// A path into the HCL shape: `resource.TYPE.NAME[.0].attribute…`.
fn hcl_locate(resources: &[&(&Resource, &str, &str)], p: &[PathStep]) -> Option<Span> {
    let key = |i: usize| match p.get(i) {
        Some(PathStep::Key(k)) => Some(k.as_str()),
        _ => None,
    };
    if key(0) != Some("resource") {
        return None;
    }
    let (t, n) = (key(1)?, key(2)?);
    let (r, ..) = resources.iter().find(|(_, rt, rn)| *rt == t && *rn == n)?;
    let rest = match p.get(3) {
        Some(PathStep::Index(_)) => &p[4..],
        _ => &p[3.min(p.len())..],
    };
    locate(&r.body, rest).or(Some(r.head))
}

/// A model value as JSON. Values unknown before apply are left out of maps (`null` in lists),
/// as for CEL conditions.
pub(crate) fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null | Value::Unknown | Value::Ref(_) | Value::Partial(_) => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => {
            if n.fract() == 0.0 && n.abs() < 9.0e15 {
                Json::from(*n as i64)
            } else {
                serde_json::Number::from_f64(*n).map_or(Json::Null, Json::Number)
            }
        }
        Value::String(s) => Json::String(s.clone()),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => {
            let mut m = JsonMap::new();
            for e in entries {
                if !e.value.is_unknown() && !matches!(e.value.value, Value::Ref(_)) {
                    m.insert(e.key.clone(), to_json(&e.value));
                }
            }
            Json::Object(m)
        }
    }
}

/// A Dockerfile as conftest gives it: a list of `{Cmd, Flags, Value, Original, JSON, Stage,
/// SubCmd}`, `Cmd` in lower case, `Value` the arguments split into words (the items of the
/// JSON form), `Original` the instruction's text.
pub(crate) fn dockerfile_input(text: &str, df: &Dockerfile) -> Json {
    let items = df
        .instructions
        .iter()
        .map(|ins| {
            let args = text
                .get(ins.args_span.start..ins.args_span.end)
                .unwrap_or("")
                .trim();
            let json = ins.form == Form::Json;
            let value: Vec<Json> = if json {
                ins.json_args
                    .iter()
                    .map(|(a, _)| Json::String(a.clone()))
                    .collect()
            } else {
                args.split_whitespace()
                    .map(|w| Json::String(w.to_string()))
                    .collect()
            };
            let flags: Vec<Json> = ins
                .flags
                .iter()
                .map(|f| Json::String(format!("--{}={}", f.name, f.value)))
                .collect();
            let original = text.get(ins.span.start..ins.span.end).unwrap_or("").trim();
            serde_json::json!({
                "Cmd": ins.keyword.to_ascii_lowercase(),
                "Flags": flags,
                "Value": value,
                "Original": original,
                "JSON": json,
                "Stage": ins.stage.unwrap_or(0),
                "SubCmd": "",
            })
        })
        .collect();
    Json::Array(items)
}

/// The `.rego` files of `path` (a file, or the files below a directory: sorted, hidden entries
/// and symbolic links left out); `tests` picks the `*_test.rego` files instead of the others.
pub(crate) fn rego_files(path: &Path, tests: bool) -> std::io::Result<Vec<PathBuf>> {
    let wanted = |name: &str| name.ends_with(".rego") && name.ends_with("_test.rego") == tests;
    if !path.is_dir() {
        std::fs::metadata(path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        return Ok(name
            .filter(|n| wanted(n))
            .map(|_| path.to_path_buf())
            .into_iter()
            .collect());
    }
    let mut out = Vec::new();
    let mut stack = vec![(path.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        for entry in std::fs::read_dir(&dir)?.filter_map(Result::ok) {
            let p = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let Ok(meta) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if meta.is_dir() && depth < 8 {
                stack.push((p, depth + 1));
            } else if meta.is_file() && wanted(&name) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The settings of a policy directory, `.rampart-rego.toml`: `terraform = "resource"` (the
/// default) or `"hcl2"`.
fn terraform_input(path: &Path) -> Result<TerraformInput, LoadError> {
    let file = path.join(".rampart-rego.toml");
    if !path.is_dir() || !file.is_file() {
        return Ok(TerraformInput::Resource);
    }
    let err = |message: String| LoadError {
        file: file.clone(),
        line: 1,
        column: 1,
        span: Span::empty(0),
        message,
    };
    let text = crate::source::read_text(&file, 64 << 10).map_err(|e| err(e.message))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| err(first_line(&e.to_string())))?;
    for key in table.keys() {
        if key != "terraform" {
            return Err(err(format!(
                "unknown key `{key}`; the one key is `terraform`"
            )));
        }
    }
    match table.get("terraform").and_then(|v| v.as_str()) {
        None | Some("resource") => Ok(TerraformInput::Resource),
        Some("hcl2") => Ok(TerraformInput::Hcl2),
        Some(other) => Err(err(format!(
            "`terraform = \"{other}\"`: the Terraform input is \"resource\" or \"hcl2\""
        ))),
    }
}

/// A regorus error as a located problem. Its text reads `--> file:line:col`, the line with a
/// caret, then `error: …`; an error without a location is put at the file's start.
pub(crate) fn rego_error(file: &Path, text: &str, e: &str) -> LoadError {
    let mut line: usize = 1;
    let mut column: usize = 1;
    for l in e.lines() {
        let Some(at) = l.trim().strip_prefix("-->") else {
            continue;
        };
        let mut parts = at.trim().rsplitn(3, ':');
        if let (Some(c), Some(l)) = (parts.next(), parts.next()) {
            if let (Ok(l), Ok(c)) = (l.trim().parse(), c.trim().parse()) {
                line = l;
                column = c;
            }
        }
        break;
    }
    let message = e
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error:"))
        .map(str::trim)
        .or_else(|| e.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("the policy could not be compiled")
        .to_string();
    let offset = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>()
        + column.saturating_sub(1);
    LoadError {
        file: file.to_path_buf(),
        line,
        column,
        span: Span::empty(offset.min(text.len())),
        message: format!("Rego: {message}"),
    }
}

/// Parse `text` into `engine`, as Rego v1 and, when that fails, as v0 (conftest reads both).
/// Returns the package (`data.main` → `main`).
pub(super) fn add_policy(
    engine: &mut Engine,
    file: &Path,
    text: &str,
) -> Result<String, LoadError> {
    let name = file.to_string_lossy().into_owned();
    engine.set_rego_v0(false);
    let v1 = engine.add_policy(name.clone(), text.to_string());
    let package = match v1 {
        Ok(p) => p,
        // A v1 file (it imports rego.v1 or uses `if`) reports its v1 error; others are tried
        // as v0, and report the v0 error.
        Err(e1) if text.contains("rego.v1") || text.contains(" if ") => {
            return Err(rego_error(file, text, &format!("{e1:#}")));
        }
        Err(_) => {
            engine.set_rego_v0(true);
            let v0 = engine.add_policy(name, text.to_string());
            engine.set_rego_v0(false);
            v0.map_err(|e| rego_error(file, text, &format!("{e:#}")))?
        }
    };
    Ok(package
        .strip_prefix("data.")
        .unwrap_or(&package)
        .to_string())
}

/// The conftest rule names declared in a file: `deny`, `violation`, `warn`, and those names
/// followed by `_…` (`deny_privileged`), at the start of a line.
fn declared_rules(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let word: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let conftest = ["deny", "violation", "warn"]
            .iter()
            .any(|p| word == *p || word.starts_with(&format!("{p}_")));
        if conftest && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The rule metadata of `package.rule` for one kind of file.
fn meta(package: &str, rule: &str, domain: Domain, source: &Path) -> &'static RuleMeta {
    let severity = if rule.starts_with("warn") {
        Severity::Low
    } else {
        Severity::High
    };
    let name = format!("rego-{package}-{rule}")
        .to_ascii_lowercase()
        .replace(['_', '.'], "-");
    let doc = format!(
        " ## What it flags\n\n The messages of the Rego rule `data.{package}.{rule}` ({}).\n",
        source.display()
    );
    Box::leak(Box::new(RuleMeta {
        code: leak(format!("REGO.{package}.{rule}")),
        name: leak(name),
        title: leak(format!("Rego policy {package}.{rule}")),
        doc: leak(doc),
        domain,
        tags: &["rego"],
        severity,
        ..RuleMeta::DEFAULT
    }))
}

/// Load and compile the Rego policies of `paths`, one policy set per path.
pub(crate) fn load(paths: &[PathBuf]) -> Result<Vec<RegoRule>, Vec<LoadError>> {
    let ns = namespaces();
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match load_set(path, &ns) {
            Ok(r) => rules.extend(r),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

/// The policies of one path, compiled into one engine, and the rules they declare.
fn load_set(path: &Path, ns: &Namespaces) -> Result<Vec<RegoRule>, Vec<LoadError>> {
    let files = rego_files(path, false).map_err(|e| {
        vec![LoadError {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
            span: Span::empty(0),
            message: format!("cannot read the Rego files: {e}"),
        }]
    })?;
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let terraform = terraform_input(path).map_err(|e| vec![e])?;
    let (engine, declared, errors) = compile(&files, &[]);
    if !errors.is_empty() {
        return Err(errors);
    }
    let set = Arc::new(PolicySet::new(engine, terraform));
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for (file, package, names) in declared {
        if !ns.admits(&package) {
            continue;
        }
        for rule in names {
            let path = format!("data.{package}.{rule}");
            // Errors found only when a rule is first evaluated (unsafe variables, unknown
            // builtins) are load errors too.
            if let Err(e) = set.eval(&path, &Json::Object(JsonMap::new())) {
                let text = std::fs::read_to_string(&file).unwrap_or_default();
                errors.push(rego_error(&file, &text, &e));
                continue;
            }
            if rules.iter().any(|r: &RegoRule| r.path == path) {
                continue;
            }
            for domain in [Domain::Kubernetes, Domain::Dockerfile, Domain::Terraform] {
                rules.push(RegoRule {
                    meta: meta(&package, &rule, domain, &file),
                    set: set.clone(),
                    path: path.clone(),
                    source: file.clone(),
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

/// Rules declared per file: (file, package, conftest rule names).
type Declared = Vec<(PathBuf, String, Vec<String>)>;

/// One engine holding `files` and `extra` (tests), the rules each file declares, and the
/// problems.
pub(crate) fn compile(files: &[PathBuf], extra: &[PathBuf]) -> (Engine, Declared, Vec<LoadError>) {
    let mut engine = engine(false);
    let mut declared = Vec::new();
    let mut errors = Vec::new();
    for file in files.iter().chain(extra) {
        let text = match crate::source::read_text(file, MAX_REGO_FILE) {
            Ok(t) => t,
            Err(e) => {
                errors.push(LoadError {
                    file: file.clone(),
                    line: 1,
                    column: 1,
                    span: Span::empty(0),
                    message: e.message,
                });
                continue;
            }
        };
        match add_policy(&mut engine, file, &text) {
            Ok(package) => declared.push((file.clone(), package, declared_rules(&text))),
            Err(e) => errors.push(e),
        }
    }
    (engine, declared, errors)
}

static INSTALLED: Mutex<Vec<&'static RegoRule>> = Mutex::new(Vec::new());

/// Load the Rego policies of `paths` into the registry; a path already installed is not read
/// again. Returns how many rules were added.
pub(crate) fn install(paths: &[PathBuf]) -> Result<usize, Vec<LoadError>> {
    let done: Vec<PathBuf> = INSTALLED
        .lock()
        .map(|v| v.iter().map(|r| r.source.clone()).collect())
        .unwrap_or_default();
    let fresh: Vec<PathBuf> = paths
        .iter()
        .filter(|p| {
            !rego_files(p, false)
                .unwrap_or_default()
                .iter()
                .any(|f| done.contains(f))
        })
        .cloned()
        .collect();
    let rules = load(&fresh)?;
    let n = rules.len();
    let leaked: Vec<&'static RegoRule> = rules
        .into_iter()
        .map(|r| &*Box::leak(Box::new(r)))
        .collect();
    crate::rules::install(leaked.iter().map(|r| *r as &'static dyn Rule));
    if let Ok(mut all) = INSTALLED.lock() {
        all.extend(leaked);
    }
    Ok(n)
}

/// The result of one OPA-style unit test.
#[derive(Debug)]
pub(crate) struct TestOutcome {
    pub file: PathBuf,
    /// `data.main.test_deny_privileged`.
    pub name: String,
    /// `None`: passed; else why it failed.
    pub failure: Option<String>,
}

/// Run the `test_*` rules of the `*_test.rego` files of `paths` against the policies of the
/// same path. Load problems are returned as errors.
pub(crate) fn run_tests(paths: &[PathBuf]) -> Result<Vec<TestOutcome>, Vec<LoadError>> {
    let mut outcomes = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let policies = rego_files(path, false).unwrap_or_default();
        let tests = rego_files(path, true).unwrap_or_default();
        if tests.is_empty() {
            continue;
        }
        let (engine, _, errs) = compile(&policies, &tests);
        if !errs.is_empty() {
            errors.extend(errs);
            continue;
        }
        for file in &tests {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            let package = match add_policy(&mut engine.clone(), file, &text) {
                Ok(p) => p,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            for name in test_rules(&text) {
                let rule = format!("data.{package}.{name}");
                let mut e = engine.clone();
                e.set_input(regorus::Value::Undefined);
                let failure = match e.eval_rule(rule.clone()) {
                    Ok(v) if v == regorus::Value::from(true) => None,
                    Ok(regorus::Value::Undefined) => Some("undefined (a condition failed)".into()),
                    Ok(v) => Some(format!("gave {v}")),
                    Err(err) => Some(first_line(&err.to_string())),
                };
                outcomes.push(TestOutcome {
                    file: file.clone(),
                    name: rule,
                    failure,
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(outcomes)
    } else {
        Err(errors)
    }
}

/// The `test_*` rules of a test file, in order.
fn test_rules(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let word: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if word.starts_with("test_") && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conftest_rule_names() {
        let text = "package main\n\ndeny contains msg if { true }\ndeny_x[msg] { true }\n  warn := 1\nviolation_not\ndenyx := 2\n";
        assert_eq!(declared_rules(text), ["deny", "deny_x", "violation_not"]);
    }

    #[test]
    fn message_paths() {
        let p = path_steps(&serde_json::json!("spec.containers.0.image")).unwrap_or_default();
        assert_eq!(
            p,
            [
                PathStep::Key("spec".into()),
                PathStep::Key("containers".into()),
                PathStep::Index(0),
                PathStep::Key("image".into())
            ]
        );
        assert!(path_steps(&serde_json::json!({"a": 1})).is_none());
    }

    #[test]
    fn namespaces() {
        let d = Namespaces::default();
        assert!(d.admits("main") && !d.admits("k8s"));
        let n = Namespaces {
            names: vec!["k8s".into()],
            all: false,
        };
        assert!(n.admits("k8s") && !n.admits("main"));
    }
}
