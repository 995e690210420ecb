//! Linting a Terraform root module as Terraform runs it: its files, the variables given on
//! the command line, and every module it calls (local paths and modules `terraform init`
//! downloaded), each evaluated with the arguments of its call.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use crate::config::Config;
use crate::engine::{finalize, parse_error, read_text, run_rules, FileResult, FileStatus, NO_SET};
use crate::model::{Node, Resource};
use crate::parse::terraform::{self as tfparse, TfError, TfFile};
use crate::rule::{Context, Domain, Finding, Related, Rule, RuleMeta};
use crate::rules::{EvaluationBudgetExceeded, ModuleNotFound};
use crate::source::{FileKind, SourceFile, Span};
use crate::terraform::{
    cli_value, tfvars_values, Budget, Exhausted, Inputs, Limit, Module, ModuleFile, MAX_BUILT,
    MAX_STEPS,
};

/// A variable given on the command line, in the order given: later ones win.
#[derive(Clone, Debug, PartialEq)]
pub enum TfVar {
    /// `--var-file FILE` (HCL `.tfvars`).
    File(PathBuf),
    /// `--var NAME=VALUE`.
    Set(String, String),
}

/// How root modules are evaluated.
#[derive(Clone, Debug, Default)]
pub struct TfEnv {
    pub vars: Vec<TfVar>,
    /// `file()`/`templatefile()` read only below this directory; `None` disables them.
    pub root: Option<PathBuf>,
    /// Where module calls may be read from; `None`: the repository of the root module.
    pub boundary: Option<ReadBoundary>,
}

/// The directories a scan reads Terraform modules from. Terraform itself follows a module
/// `source` (or a `Dir` of `.terraform/modules/modules.json`) anywhere on the machine; a scan of
/// a repository it does not trust reads only that repository: the git work tree holding the
/// scanned directory (the nearest directory above it with a `.git`), or the scanned directory
/// itself outside git, plus the directories the user names with `--allow-read`. Paths are
/// compared after following links, so a link inside the repository cannot lead out of it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadBoundary {
    dirs: Vec<PathBuf>,
}

impl ReadBoundary {
    /// The repository of `dir`, and `extra` directories.
    pub fn around(dir: &Path, extra: &[PathBuf]) -> ReadBoundary {
        let mut dirs = Vec::new();
        if let Ok(real) = std::fs::canonicalize(dir) {
            let repository = real
                .ancestors()
                .find(|a| a.join(".git").exists())
                .unwrap_or(&real)
                .to_path_buf();
            dirs.push(repository);
        }
        dirs.extend(extra.iter().filter_map(|d| std::fs::canonicalize(d).ok()));
        ReadBoundary { dirs }
    }

    /// Does `path`, links followed, lie inside one of the directories?
    pub fn contains(&self, path: &Path) -> bool {
        std::fs::canonicalize(path).is_ok_and(|real| self.dirs.iter().any(|d| real.starts_with(d)))
    }

    /// The directories, links resolved.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }
}

/// Module calls nested deeper than this are not followed.
const MAX_DEPTH: usize = 8;
/// At most this many instances of one module call are evaluated (`count`/`for_each`).
const MAX_CALL_INSTANCES: usize = 32;

/// At most this many module instances are evaluated for one root module.
const MAX_MODULES: usize = 256;
/// Arguments of a `module` block that are not input variables.
const META_ARGUMENTS: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

/// One module of the tree: the root, or a module called from another.
struct ModuleNode {
    dir: PathBuf,
    parent: Option<usize>,
    /// The call's name in its parent (`vpc` for `module "vpc"`).
    call: String,
    /// `module.a.module.b`.
    address: String,
    /// `modules.json` key: call names joined by dots.
    key: String,
    /// Downloaded from a registry or git (under `.terraform/modules`).
    remote: bool,
    /// Its files among the unit's files.
    files: Range<usize>,
    /// The call in the root module this module is reached through: (file, block head).
    top: Option<(usize, Span)>,
}

struct Call {
    name: String,
    source: String,
    source_span: Span,
    head: Span,
    file: usize,
}

/// Lint the root module made of `files`; `configs[i]` is the configuration of file `i`, or
/// `None` when it is read for context only.
pub fn lint_module(
    files: Vec<SourceFile>,
    configs: &[Option<Config>],
    rules: &[&dyn Rule],
    env: &TfEnv,
) -> Vec<FileResult> {
    lint_module_within(files, configs, rules, env, &Rc::new(Budget::new()))
}

/// [`lint_module`] within `budget`: one budget holds for the root module and every instance
/// of every module it calls. Past it, values are unknown and the expression where it ran out
/// gets an [`EvaluationBudgetExceeded`] diagnostic (at the call in the root module when it is
/// in a called module).
pub fn lint_module_within(
    mut files: Vec<SourceFile>,
    configs: &[Option<Config>],
    rules: &[&dyn Rule],
    env: &TfEnv,
    budget: &Rc<Budget>,
) -> Vec<FileResult> {
    let root_files = files.len();
    let dir = files
        .first()
        .and_then(|f| f.path.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let max_size = configs
        .iter()
        .flatten()
        .next()
        .map(|c| c.max_file_size)
        .unwrap_or(u64::MAX);

    // Variable files from the command line are context files of the unit, so a finding can
    // point at the line that set a value.
    let mut var_files = Vec::new();
    for var in &env.vars {
        if let TfVar::File(path) = var {
            if let Ok(text) = read_text(path, max_size) {
                var_files.push(files.len());
                files.push(SourceFile::new(path.clone(), FileKind::Terraform, text));
            } else {
                var_files.push(usize::MAX);
            }
        }
    }
    let mut parsed: Vec<Result<TfFile, TfError>> = files
        .iter()
        .map(|f| tfparse::parse_named(&f.path, &f.text))
        .collect();

    // The module tree, breadth first; each called module's files are appended to the unit.
    let mut tree = vec![ModuleNode {
        dir: dir.clone(),
        parent: None,
        call: String::new(),
        address: String::new(),
        key: String::new(),
        remote: false,
        files: 0..root_files,
        top: None,
    }];
    let manifest = downloaded_modules(&dir);
    let boundary = env
        .boundary
        .clone()
        .unwrap_or_else(|| ReadBoundary::around(&dir, &[]));
    // Calls whose source is not read: (file, span, source, where it leads when that is outside
    // the boundary).
    let mut missing: Vec<(usize, Span, String, Option<PathBuf>)> = Vec::new();
    let mut i = 0;
    while i < tree.len() {
        for call in module_calls(&parsed, tree[i].files.clone()) {
            let node = &tree[i];
            let key = if node.key.is_empty() {
                call.name.clone()
            } else {
                format!("{}.{}", node.key, call.name)
            };
            let top = node.top.or(Some((call.file, call.head)));
            let resolved = if call.source.starts_with("./") || call.source.starts_with("../") {
                let d = normalize(&node.dir.join(&call.source));
                d.is_dir().then_some((d, node.remote))
            } else {
                manifest
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, d)| normalize(&dir.join(d)))
                    .filter(|d| d.is_dir())
                    .map(|d| (d, true))
            };
            // Where a call that is not followed is reported: at its source in the root module,
            // at the root's call for one made inside a called module.
            let (file, span) = if node.parent.is_none() {
                (call.file, call.source_span)
            } else {
                top.unwrap_or((call.file, call.source_span))
            };
            let Some((child_dir, remote)) = resolved else {
                missing.push((file, span, call.source.clone(), None));
                continue;
            };
            if !boundary.contains(&child_dir) {
                let real = std::fs::canonicalize(&child_dir).unwrap_or(child_dir);
                missing.push((file, span, call.source.clone(), Some(real)));
                continue;
            }
            let depth = ancestors(&tree, i).count();
            let cycle = ancestors(&tree, i).any(|a| tree[a].dir == child_dir);
            if depth >= MAX_DEPTH || cycle || tree.len() >= MAX_MODULES {
                continue;
            }
            // A module called more than once is read and parsed once.
            let range = match tree.iter().find(|n| n.dir == child_dir) {
                Some(seen) => seen.files.clone(),
                None => {
                    let start = files.len();
                    for path in tf_files(&child_dir, &boundary) {
                        if let Ok(text) = read_text(&path, max_size) {
                            parsed.push(tfparse::parse_named(&path, &text));
                            files.push(SourceFile::new(path, FileKind::Terraform, text));
                        }
                    }
                    start..files.len()
                }
            };
            let address = format!("{}module.{}", prefix(&tree[i].address), call.name);
            tree.push(ModuleNode {
                dir: child_dir,
                parent: Some(i),
                call: call.name,
                address,
                key,
                remote,
                files: range,
                top,
            });
        }
        i += 1;
    }

    let unit: Arc<[SourceFile]> = Arc::from(files);
    let names: Vec<String> = unit
        .iter()
        .map(|f| {
            f.path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    let module_files = |range: Range<usize>| -> Vec<ModuleFile> {
        range
            .filter_map(|i| {
                parsed[i].as_ref().ok().map(|tf| ModuleFile {
                    file: i,
                    name: &names[i],
                    tf,
                })
            })
            .collect()
    };

    // Root inputs: `--var-file` and `--var` in order.
    let mut root_inputs = Inputs {
        root: env.root.clone(),
        dir: Some(dir.clone()),
        ..Inputs::default()
    };
    let mut next_file = var_files.iter();
    for var in &env.vars {
        match var {
            TfVar::File(_) => {
                let file = *next_file.next().unwrap_or(&usize::MAX);
                if let Some(Ok(tf)) = parsed.get(file) {
                    root_inputs.values.extend(tfvars_values(tf, file, budget));
                }
            }
            TfVar::Set(name, value) => {
                root_inputs
                    .values
                    .push((name.clone(), cli_value(value), None))
            }
        }
    }

    let default_config = Config::default();
    let config = configs.iter().flatten().next().unwrap_or(&default_config);
    let enabled = |m: &RuleMeta| configs.iter().flatten().any(|c| c.is_enabled(m));
    let mut per_module: Vec<Vec<Resource>> = Vec::with_capacity(tree.len());
    // What each local module reports on its own (with its defaults), by its first file.
    let mut own_findings: HashMap<usize, HashSet<(&str, usize, Span, String)>> = HashMap::new();
    let mut findings = Vec::new();
    for (index, node) in tree.iter().enumerate() {
        if index > 0 && budget.exhausted().is_some() {
            // Past the budget, called modules are not evaluated.
            per_module.push(Vec::new());
            continue;
        }
        // The root once; a called module once per instance of its call (`count`/`for_each`).
        let input_sets: Vec<Inputs> = match node.parent {
            None => vec![root_inputs.clone()],
            Some(parent) => call_instances(&per_module[parent], &node.call, root_files)
                .into_iter()
                .take(MAX_CALL_INSTANCES)
                .map(|values| Inputs {
                    values,
                    called: true,
                    dir: Some(node.dir.clone()),
                    root: env.root.clone(),
                })
                .collect(),
        };
        let mfiles = module_files(node.files.clone());
        let mut resources: Vec<Resource> = Vec::new();
        let mut found = Vec::new();
        for (n, inputs) in input_sets.iter().enumerate() {
            if n > 0 && budget.exhausted().is_some() {
                break;
            }
            let module = Module::with_budget(&mfiles, inputs, budget.clone());
            let instance: Vec<Resource> = mfiles.iter().flat_map(|f| module.resources(f)).collect();
            let cx = Context {
                files: &unit,
                resources: &instance,
                dockerfile: None,
                scripts: &[],
                config,
                set: &NO_SET,
            };
            found.extend(run_rules(&cx, Domain::Terraform, &enabled, rules));
            resources.extend(instance);
        }
        if index == 0 {
            findings.extend(found);
        } else {
            // What a local module's own scan reports (with its defaults) is left to that scan;
            // what only this call brings about (a `count` it turns on, a value it passes) is
            // reported at the call.
            if found.is_empty() {
                per_module.push(resources);
                continue;
            }
            let own = if node.remote {
                HashSet::new()
            } else {
                own_findings
                    .entry(node.files.start)
                    .or_insert_with(|| {
                        let standalone = Inputs {
                            dir: Some(node.dir.clone()),
                            root: env.root.clone(),
                            ..Inputs::default()
                        };
                        let module = Module::with_budget(&mfiles, &standalone, budget.clone());
                        let resources: Vec<Resource> =
                            mfiles.iter().flat_map(|f| module.resources(f)).collect();
                        let cx = Context {
                            files: &unit,
                            resources: &resources,
                            dockerfile: None,
                            scripts: &[],
                            config,
                            set: &NO_SET,
                        };
                        run_rules(&cx, Domain::Terraform, &enabled, rules)
                            .into_iter()
                            .map(|f| (f.meta.code, f.file, f.span, f.message))
                            .collect()
                    })
                    .clone()
            };
            findings.extend(found.into_iter().filter_map(|f| {
                let key = (f.meta.code, f.file, f.span, f.message.clone());
                if own.contains(&key) {
                    return None;
                }
                at_call_site(f, node, root_files)
            }));
        }
        per_module.push(resources);
    }
    let mut noted = HashSet::new();
    for (file, span, source, outside) in missing {
        if noted.insert((file, source.clone())) && config.is_enabled(&ModuleNotFound::META) {
            let message = match outside {
                None => format!(
                    "module `{source}` is not available locally: its resources are not checked (run `terraform init -backend=false` to download it)"
                ),
                Some(real) => format!(
                    "module `{source}` is in {}, outside the scanned repository: not read, its resources are not checked (scan from a directory that holds both, or allow it with `--allow-read {}`)",
                    real.display(),
                    real.display()
                ),
            };
            findings.push(Finding::new(&ModuleNotFound::META, file, span, message));
        }
    }
    if let Some(exhausted) = budget.exhausted() {
        if config.is_enabled(&EvaluationBudgetExceeded::META) {
            findings.extend(budget_exceeded(exhausted, &tree, &parsed, configs));
        }
    }
    // Instances of one `count`/`for_each` resource, and calls of one module, share their
    // source: each distinct result is reported once.
    let mut seen = HashSet::new();
    findings.retain(|f| seen.insert((f.meta.code, f.file, f.span, f.message.clone())));

    let root_resources = per_module.swap_remove(0);
    let mut per_file: Vec<Vec<Finding>> = vec![Vec::new(); unit.len()];
    for f in findings {
        per_file[f.file].push(f);
    }
    let mut out = Vec::new();
    for (i, findings) in per_file.into_iter().enumerate() {
        let Some(Some(config)) = configs.get(i) else {
            continue;
        };
        let mut findings = findings;
        if parsed[i].as_ref().is_ok_and(|tf| tf.json_map.is_some()) {
            // Fixes are written as HCL: none for a JSON configuration file.
            for f in &mut findings {
                f.fixes.clear();
            }
        }
        if let Err(e) = &parsed[i] {
            findings.extend(parse_error(
                format!("Terraform does not parse: {}", e.message),
                i,
                e.span,
                config,
            ));
        }
        let findings = finalize(
            findings,
            i,
            &unit[i].text,
            FileKind::Terraform,
            &root_resources,
            config,
        );
        out.push(FileResult {
            path: unit[i].path.clone(),
            kind: Some(FileKind::Terraform),
            status: if parsed[i].is_ok() {
                FileStatus::Scanned
            } else {
                FileStatus::Failed
            },
            findings,
            unit: unit.clone(),
            index: i,
            fail_on: config.fail_on,
        });
    }
    out
}

/// Where the evaluation budget ran out, reported at that expression when its file is reported,
/// else at the root module's call that leads to it.
fn budget_exceeded(
    exhausted: Exhausted,
    tree: &[ModuleNode],
    parsed: &[Result<TfFile, TfError>],
    configs: &[Option<Config>],
) -> Option<Finding> {
    let reported = |file: usize| configs.get(file).is_some_and(Option::is_some);
    let file = exhausted.file?;
    let (file, span, subject) = if reported(file) {
        let span = match parsed
            .get(file)
            .and_then(|p| p.as_ref().ok()?.json_map.as_ref())
        {
            Some(map) => map.map(exhausted.span),
            None => exhausted.span,
        };
        (file, span, "this expression")
    } else {
        let (file, span) = tree
            .iter()
            .find(|n| n.parent.is_some() && n.files.contains(&file))
            .and_then(|n| n.top)
            .filter(|(top, _)| reported(*top))?;
        (file, span, "the module called here")
    };
    let what = match exhausted.limit {
        Limit::Size => format!("builds more than the {} MiB of values", MAX_BUILT >> 20),
        Limit::Steps => format!("takes more than the {MAX_STEPS} steps"),
    };
    Some(Finding::new(
        &EvaluationBudgetExceeded::META,
        file,
        span,
        format!(
            "evaluating {subject} {what} allowed for a Terraform module and the modules it calls: its value and those evaluated after it are unknown"
        ),
    ))
}

/// A finding on a resource of a called module, as the caller sees it. Caused by an argument
/// (its value came from a root module file): reported at that argument, with the use in the
/// module as related location. Otherwise it is reported at the call (`module.x: …`) with the
/// module's line as related location.
fn at_call_site(mut f: Finding, node: &ModuleNode, root_files: usize) -> Option<Finding> {
    let mut inside = Related {
        file: f.file,
        span: f.span,
        message: format!("used in {} here", node.address),
    };
    f.fixes.clear();
    f.resource = f.resource.map(|r| format!("{}.{r}", node.address));
    f.provenance = Some(node.address.clone());
    if let Some(i) = f.related.iter().position(|r| r.file < root_files) {
        let origin = f.related.remove(i);
        f.file = origin.file;
        f.span = origin.span;
        f.message = format!("{}: {}", node.address, f.message);
        f.related.insert(0, inside);
        f.scopes = node.top.map(|(_, s)| vec![s]).unwrap_or_default();
        return Some(f);
    }
    let (file, head) = node.top?;
    inside.message = format!("in {} here", node.address);
    f.file = file;
    f.span = head;
    f.message = format!("{}: {}", node.address, f.message);
    f.related.retain(|r| r.file >= root_files);
    f.related.insert(0, inside);
    f.scopes = vec![head];
    Some(f)
}

/// The input values each instance of a call passes (none for `count = 0`): each argument
/// placed at the call, so that a finding it causes can be reported there, unless its value
/// came from the root module (a module called by a called module, passed a root argument on):
/// then it keeps that origin and the finding goes to the root's argument.
fn call_instances(
    parent: &[Resource],
    call: &str,
    root_files: usize,
) -> Vec<Vec<(String, Node, Option<usize>)>> {
    let name = format!("module.{call}");
    parent
        .iter()
        .filter(|r| r.name == name && r.tf_type() == Some(("module", "module")))
        .map(|block| {
            block
                .body
                .entries()
                .iter()
                .filter(|e| !META_ARGUMENTS.contains(&e.key.as_str()))
                .map(|e| {
                    let from_root = block.file >= root_files
                        && e.value
                            .origin
                            .as_ref()
                            .is_some_and(|o| o.file.is_some_and(|f| f < root_files));
                    let value = if from_root {
                        e.value.clone()
                    } else {
                        e.value.placed(e.value.span)
                    };
                    (e.key.clone(), value, Some(block.file))
                })
                .collect()
        })
        .collect()
}

fn module_calls(parsed: &[Result<TfFile, TfError>], files: Range<usize>) -> Vec<Call> {
    let mut calls = Vec::new();
    for i in files {
        let Ok(tf) = &parsed[i] else { continue };
        for block in tf.body.get_blocks("module") {
            let Some(name) = block.labels.first().map(|l| l.as_str().to_string()) else {
                continue;
            };
            let Some(source) = block.body.get_attribute("source") else {
                continue;
            };
            let Some(text) = source.value.as_str() else {
                continue;
            };
            use hcl_edit::Span as _;
            let at = |r: Option<std::ops::Range<usize>>| {
                r.map(|r| tf.place(Span::new(r.start + tf.base, r.end + tf.base)))
                    .unwrap_or_default()
            };
            let start = at(block.span()).start;
            let head_end = block
                .labels
                .last()
                .and_then(|l| l.span())
                .map(|r| at(Some(r)).end)
                .unwrap_or(start);
            calls.push(Call {
                name,
                source: text.to_string(),
                source_span: at(source.value.span()),
                head: Span::new(start, head_end),
                file: i,
            });
        }
    }
    calls
}

/// `Key → Dir` of `.terraform/modules/modules.json`, Dir relative to the root module.
pub(crate) fn downloaded_modules(dir: &Path) -> Vec<(String, PathBuf)> {
    let path = dir.join(".terraform").join("modules").join("modules.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    json.get("Modules")
        .and_then(|m| m.as_array())
        .map(|modules| {
            modules
                .iter()
                .filter_map(|m| {
                    let key = m.get("Key")?.as_str()?;
                    let d = m.get("Dir")?.as_str()?;
                    (!key.is_empty()).then(|| (key.to_string(), PathBuf::from(d)))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The `.tf` files of a directory that lie inside `boundary` (a link leading out is left out),
/// sorted.
pub(crate) fn tf_files(dir: &Path, boundary: &ReadBoundary) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    let name = p
                        .file_name()
                        .map(|n| n.to_string_lossy().to_ascii_lowercase());
                    name.is_some_and(|n| n.ends_with(".tf") || n.ends_with(".tf.json"))
                        && p.is_file()
                        && boundary.contains(p)
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn ancestors(tree: &[ModuleNode], from: usize) -> impl Iterator<Item = usize> + '_ {
    std::iter::successors(Some(from), move |i| tree[*i].parent)
}

fn prefix(address: &str) -> String {
    if address.is_empty() {
        String::new()
    } else {
        format!("{address}.")
    }
}

/// `a/b/../c` → `a/c`, without touching the file system (paths stay as the user wrote them).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut parts: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => parts.push(c),
            },
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::normalize;
    use std::path::Path;

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("a/b/../c")), Path::new("a/c"));
        assert_eq!(normalize(Path::new("./a/./b")), Path::new("a/b"));
        assert_eq!(normalize(Path::new("a/../../b")), Path::new("../b"));
        assert_eq!(normalize(Path::new("/x/../y")), Path::new("/y"));
    }
}
