//! Users' own rules (and declarative built-in ones): YAML rule files whose conditions are CEL expressions (docs/policy.md).
//!
//! A rule file is read once per scan ([`load_paths`]): its metadata becomes a [`RuleMeta`], its
//! condition is parsed and checked against the model it will see, and the rule joins the
//! registry ([`crate::rules::install`]) beside the built-in rules. From there its findings go
//! through the same tail as every other rule: configuration, suppressions, baselines, reports.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub(crate) use super::load::{load_text, LoadError, Taken};

use super::schema::{self, Shape};
use crate::rule::{Context, Domain, Finding, Rule, RuleMeta};

/// What a rule's condition is evaluated on.
#[derive(Debug)]
pub(crate) enum Target {
    /// Kubernetes objects of these kinds (empty: every object). A kind with a `/` names a
    /// custom resource by API group: `example.com/Widget`.
    Kinds(Vec<String>),
    /// The pod spec of every workload of these kinds (empty: every workload).
    PodSpecs(Vec<String>),
    /// Every container (init and ephemeral too) of every pod spec of these kinds.
    Containers(Vec<String>),
    /// Terraform resources of these types (empty: every resource).
    Resources(Vec<String>),
    /// Dockerfile instructions with these keywords (empty: every instruction).
    Instructions(Vec<String>),
    /// Every Dockerfile build stage.
    Stages,
}

impl Target {
    pub(crate) fn domain(&self) -> Domain {
        match self {
            Target::Kinds(_) | Target::PodSpecs(_) | Target::Containers(_) => Domain::Kubernetes,
            Target::Resources(_) => Domain::Terraform,
            Target::Instructions(_) | Target::Stages => Domain::Dockerfile,
        }
    }

    /// The variables a condition of this target sees, with their shapes.
    pub(crate) fn variables(&self) -> Vec<(&'static str, &'static Shape)> {
        match self {
            Target::Kinds(_) => vec![("object", &schema::OBJECT)],
            Target::PodSpecs(_) => {
                vec![("object", &schema::OBJECT), ("podSpec", &schema::POD_SPEC)]
            }
            Target::Containers(_) => vec![
                ("object", &schema::OBJECT),
                ("podSpec", &schema::POD_SPEC),
                ("container", &schema::CONTAINER),
                ("effective", &schema::SECURITY_CONTEXT),
            ],
            Target::Resources(_) => vec![("resource", &Shape::Any)],
            Target::Instructions(_) => vec![
                ("instruction", &schema::INSTRUCTION),
                ("stage", &schema::STAGE),
            ],
            Target::Stages => vec![("stage", &schema::STAGE)],
        }
    }
}

/// A fix: set the key at `path` to `value` (the text written into the file), or remove it.
#[derive(Debug)]
pub(crate) struct FixSpec {
    pub path: Vec<String>,
    pub value: Option<String>,
    pub title: Option<String>,
    pub safe: bool,
}

/// An example document of a rule file: it must fire (`violating`) or stay silent.
#[derive(Debug, Clone)]
pub(crate) struct Example {
    pub label: String,
    pub text: String,
    pub violating: bool,
}

/// A rule from a rule file.
pub(crate) struct PolicyRule {
    pub meta: &'static RuleMeta,
    /// The rule file it was read from.
    pub source: PathBuf,
    pub target: Target,
    pub(super) expr: cel::IdedExpr,
    /// How deeply comprehensions nest in it.
    pub(super) depth: usize,
    /// `assert` rather than `condition`: false is the violation.
    pub(super) negate: bool,
    /// Chains of fields the condition names from the target's variables.
    pub(super) paths: Vec<Vec<String>>,
    /// The target's variables the condition reads: only those are built for an evaluation.
    pub(super) uses: Vec<&'static str>,
    pub(super) report_at: Option<Vec<String>>,
    pub(super) message: Option<String>,
    /// The message when the `report-at` value is not written.
    pub(super) message_unset: Option<String>,
    pub(super) fix: Option<FixSpec>,
    pub examples: Vec<Example>,
}

impl std::fmt::Debug for PolicyRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyRule")
            .field("code", &self.meta.code)
            .field("source", &self.source)
            .finish()
    }
}

impl Rule for PolicyRule {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        super::eval::check(self, cx, out);
    }
}

/// Call before and after running the rules of one context: users' rules share the values they
/// build from its nodes only while it lives.
pub(crate) fn new_context() {
    super::eval::reset_cache();
}

/// Notes about conditions that were not decided (an unknown Terraform value, an evaluation
/// error), for `-v`. Bounded: past [`MAX_NOTES`] they are counted, not kept.
/// Steps one evaluation may take, estimated before it runs as the length of the longest list
/// of its input to the power of the condition's comprehension depth.
pub(crate) const MAX_STEPS: u64 = 1_000_000;

static NOTES: Mutex<(Vec<String>, usize)> = Mutex::new((Vec::new(), 0));
const MAX_NOTES: usize = 1_000;

pub(crate) fn note(text: String) {
    if let Ok(mut notes) = NOTES.lock() {
        if notes.0.len() < MAX_NOTES {
            notes.0.push(text);
        } else {
            notes.1 += 1;
        }
    }
}

/// The notes gathered so far, and how many more were dropped; the store is emptied.
pub(crate) fn take_notes() -> (Vec<String>, usize) {
    NOTES
        .lock()
        .map(|mut n| std::mem::take(&mut *n))
        .unwrap_or_default()
}

/// The rule files of `path`: the file itself, or the `*.yaml`/`*.yml` files below the
/// directory (sorted; hidden entries and `tests` directories, which hold fixtures, left out).
pub(crate) fn rule_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        // A Rego policy named by itself is read by `rego`, not as a rule file.
        if path.extension().is_some_and(|e| e == "rego") {
            return Ok(Vec::new());
        }
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![(path.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            let name = name.unwrap_or_default();
            if name.starts_with('.') {
                continue;
            }
            // Symbolic links are not followed: a loop must not hang the load.
            let Ok(meta) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if meta.is_dir() {
                if name != "tests" && depth < 8 {
                    stack.push((p, depth + 1));
                }
            } else if meta.is_file() && (name.ends_with(".yaml") || name.ends_with(".yml")) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `path` relative to the working directory when it lies below it (as scanned paths are shown).
fn relative(path: &Path) -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) if path.is_absolute() => path
            .strip_prefix(&cwd)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    }
}

/// Is `text` a rule file (for the language server, which gets no list of them)? A YAML file
/// whose first document has a `rules` list whose first item has a `code` and a `match`.
#[cfg(feature = "lsp")]
pub(crate) fn is_rule_file(path: &Path, text: &str) -> bool {
    let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    // Cheap tests first: this runs on every manifest the editor opens.
    if !yaml
        || !text.contains("rules")
        || !text.contains("match")
        || text.len() > super::load::MAX_RULE_FILE
    {
        return false;
    }
    let limits = crate::parse::yaml::Limits {
        max_depth: 64,
        max_alias_nodes: 10_000,
        max_nodes: 200_000,
    };
    let (docs, _) = crate::parse::yaml::parse_stream(text, limits);
    docs.first()
        .and_then(|d| d.root.get("rules"))
        .and_then(|r| r.as_list().first())
        .is_some_and(|first| first.get("code").is_some() && first.get("match").is_some())
}

/// A rule file's or fixture's text, read as scanned files are (regular files, bounded, UTF-8).
pub(crate) fn read_bounded(path: &Path) -> Result<String, String> {
    crate::source::read_text(path, super::load::MAX_RULE_FILE as u64).map_err(|e| e.message)
}

/// Read every rule file of `paths` (files or directories). The rules must not take the code or
/// name of `builtin` nor of each other. All problems of all files are returned together.
pub(crate) fn load_paths(
    paths: &[PathBuf],
    builtin: &[&'static RuleMeta],
) -> Result<Vec<PolicyRule>, Vec<LoadError>> {
    load_new(paths, builtin, Vec::new())
}

/// [`load_paths`], leaving out the rule files of `seen_files` (canonical paths).
fn load_new(
    paths: &[PathBuf],
    builtin: &[&'static RuleMeta],
    mut seen_files: Vec<PathBuf>,
) -> Result<Vec<PolicyRule>, Vec<LoadError>> {
    let mut rules: Vec<PolicyRule> = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let files = match rule_files(path) {
            Ok(f) => f,
            Err(e) => {
                errors.push(LoadError {
                    file: path.clone(),
                    line: 1,
                    column: 1,
                    span: crate::source::Span::empty(0),
                    message: format!("cannot read the rule files: {e}"),
                });
                continue;
            }
        };
        for file in files {
            let canonical = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if seen_files.contains(&canonical) {
                continue;
            }
            seen_files.push(canonical);
            let text = match crate::source::read_text(&file, super::load::MAX_RULE_FILE as u64) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(LoadError {
                        file: file.clone(),
                        line: 1,
                        column: 1,
                        span: crate::source::Span::empty(0),
                        message: e.message,
                    });
                    continue;
                }
            };
            // Gatekeeper templates and constraints are read by `gatekeeper`.
            if super::gatekeeper::is_gatekeeper(&text) {
                continue;
            }
            let mut metas: Vec<&'static RuleMeta> = builtin.to_vec();
            metas.extend(rules.iter().map(|r| r.meta));
            let taken = Taken {
                metas: &metas,
                builtin: false,
            };
            match load_text(&relative(&file), &text, &taken) {
                Ok(new) => rules.extend(new),
                Err(e) => errors.extend(e),
            }
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

/// Load the rule files of `paths` and add their rules to the registry. A file already
/// installed is not read again. Returns how many rules were added.
pub(crate) fn install(paths: &[PathBuf]) -> Result<usize, Vec<LoadError>> {
    if paths.is_empty() {
        return Ok(0);
    }
    let done: Vec<PathBuf> = installed()
        .iter()
        .map(|r| std::fs::canonicalize(&r.source).unwrap_or_else(|_| r.source.clone()))
        .collect();
    let rules = load_new(paths, &crate::rules::metas(), done)?;
    // Rego policies (`*.rego`) under the same paths (docs/policy.md, "Rego policies").
    let rego = super::rego::install(paths)? + super::gatekeeper::install(paths)?;
    let n = rules.len() + rego;
    let leaked: Vec<&'static PolicyRule> = rules
        .into_iter()
        .map(|r| &*Box::leak(Box::new(r)))
        .collect();
    crate::rules::install(leaked.iter().map(|r| *r as &'static dyn Rule));
    if let Ok(mut all) = INSTALLED.lock() {
        all.extend(leaked);
    }
    Ok(n)
}

static INSTALLED: Mutex<Vec<&'static PolicyRule>> = Mutex::new(Vec::new());

/// The users' rules in the registry, in load order.
pub(crate) fn installed() -> Vec<&'static PolicyRule> {
    INSTALLED.lock().map(|v| v.clone()).unwrap_or_default()
}

/// The rule file a user's rule came from.
pub(crate) fn source_of(code: &str) -> Option<PathBuf> {
    installed()
        .into_iter()
        .find(|r| r.meta.code.eq_ignore_ascii_case(code))
        .map(|r| r.source.clone())
}
