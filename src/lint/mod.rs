//! Linting one unit: a file's text, a Terraform root module with its files, a plan, or what a
//! render tool built. [`lint`] is the only way in: it parses the unit with the parser of its
//! language, runs the rules over the resources, adds the parse errors and ends every pipeline
//! in the same tail ([`finish`]: rules the configuration disables dropped, severities set,
//! suppressions applied). The engine, `--fix` and the language server build units and call
//! it; nothing here calls back into them.

mod dockerfile;
mod kubernetes;
mod kubernetes_provider;
mod plan;
mod rendered;
mod result;
mod terraform;

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::k8s::SetFacts;
use crate::model::Resource;
use crate::rule::{Context, Domain, Finding, Rule, RuleMeta, RuleSettings};
use crate::rules::ParseError;
use crate::source::{FileKind, SourceFile, Span};
use crate::terraform::modules::TfEnv;

pub(crate) use kubernetes::helm_template;
pub(crate) use kubernetes::kind_for_stdin;
pub(crate) use rendered::{kustomize_origin, resolved};
pub use result::{FileResult, FileStatus, UnavailableModule};
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use terraform::lint_module_within;

/// What to lint, with the settings it is linted with.
pub struct Unit<'a> {
    pub(crate) input: Input,
    /// The rules that may run (all of rampart's, unless a caller narrows them); the
    /// configuration decides which of them do.
    pub(crate) rules: &'a [&'a dyn Rule],
    /// Facts about every manifest of the scan, for whole-set rules (NetworkPolicy coverage);
    /// [`NO_SET`](crate::k8s::NO_SET) outside a scan.
    pub set: &'a SetFacts,
}

/// The kinds of unit.
pub(crate) enum Input {
    /// One file's text: a manifest stream, a Dockerfile, a plan, or a Terraform file that is
    /// evaluated as a module of its own.
    File {
        path: PathBuf,
        kind: FileKind,
        text: Arc<str>,
        config: Arc<Config>,
    },
    /// A Terraform root module: `files[i]` is reported with `configs[i]`, or read for context
    /// (variables, locals) when that is `None`. The modules it calls are read as it is
    /// evaluated.
    Module {
        files: Vec<SourceFile>,
        configs: Vec<Option<Arc<Config>>>,
        env: TfEnv,
    },
    /// What `kustomize build` (`overlay` is its directory) or `helm template` (`overlay` is
    /// `None`) wrote, reported as the virtual file `path`.
    Rendered {
        path: PathBuf,
        text: Arc<str>,
        config: Arc<Config>,
        overlay: Option<PathBuf>,
    },
}

impl<'a> Unit<'a> {
    /// A unit of one file's text, with every rule and no scan around it.
    pub fn file(path: &Path, text: &str, kind: FileKind, config: &Config) -> Unit<'static> {
        Unit {
            input: Input::File {
                path: path.to_path_buf(),
                kind,
                text: Arc::from(text),
                config: Arc::new(config.clone()),
            },
            rules: crate::rules::all(),
            set: &crate::k8s::NO_SET,
        }
    }

    /// A Terraform module of `files`, `reported[i]` saying which are reported, all with
    /// `config` (and its path overrides); `file()` reads below the first file's directory.
    pub fn module(files: Vec<SourceFile>, reported: &[bool], config: &Config) -> Unit<'static> {
        let configs = files
            .iter()
            .zip(reported.iter().chain(std::iter::repeat(&false)))
            .map(|(f, r)| r.then(|| Arc::new(config.for_file(&f.path))))
            .collect();
        let root = files
            .first()
            .and_then(|f| f.path.parent())
            .map(Path::to_path_buf);
        let env = TfEnv {
            vars: Vec::new(),
            root,
            boundary: None,
        };
        Unit {
            input: Input::Module {
                files,
                configs,
                env,
            },
            rules: crate::rules::all(),
            set: &crate::k8s::NO_SET,
        }
    }

    /// Only these rules may run.
    pub(crate) fn with_rules<'b>(self, rules: &'b [&'b dyn Rule]) -> Unit<'b>
    where
        'a: 'b,
    {
        Unit { rules, ..self }
    }

    /// The files results are returned for, with their configuration (for a lint that panics).
    fn reported(&self) -> Vec<(PathBuf, Arc<Config>)> {
        match &self.input {
            Input::File { path, config, .. } | Input::Rendered { path, config, .. } => {
                vec![(path.clone(), config.clone())]
            }
            Input::Module { files, configs, .. } => files
                .iter()
                .zip(configs)
                .filter_map(|(f, c)| Some((f.path.to_path_buf(), c.clone()?)))
                .collect(),
        }
    }
}

/// Lint a unit: one result per reported file, in the order of the unit's files. A panic
/// anywhere in the lint is caught and reported as an internal-error finding on each file.
pub fn lint(unit: Unit<'_>) -> Vec<FileResult> {
    let reported = unit.reported();
    let Unit { input, rules, set } = unit;
    let run = move || match input {
        Input::File {
            path,
            kind,
            text,
            config,
        } => vec![lint_file(&path, kind, &text, &config, rules, set)],
        Input::Module {
            files,
            configs,
            env,
        } => terraform::lint_module(files, &configs, rules, &env),
        Input::Rendered {
            path,
            text,
            config,
            overlay,
        } => vec![rendered::lint_rendered(
            &path,
            &text,
            &config,
            overlay.as_deref(),
            rules,
        )],
    };
    match guarded(AssertUnwindSafe(run)) {
        Ok(results) => results,
        Err(payload) => {
            let message = panic_message(&payload);
            reported
                .into_iter()
                .map(|(path, config)| FileResult::internal_error(path, &message, &config))
                .collect()
        }
    }
}

/// [`lint`] of a unit of one file (every unit but a module gives exactly one result).
pub fn lint_one(unit: Unit<'_>) -> FileResult {
    let path = unit.reported().first().map(|(p, _)| p.clone());
    lint(unit).into_iter().next().unwrap_or_else(|| {
        // A module unit with no reported file: nothing to say about it.
        FileResult::skipped(path.unwrap_or_default(), None, "nothing reported".into())
    })
}

fn lint_file(
    path: &Path,
    kind: FileKind,
    text: &str,
    config: &Config,
    rules: &[&dyn Rule],
    set: &SetFacts,
) -> FileResult {
    // An unrendered chart template is judged as a directory scan judges it, whether it comes
    // from stdin (`--stdin-filename`), an editor or `--fix`: skipped, never reported as broken
    // YAML.
    if let Some(reason) = helm_template(path, kind, &mut HashMap::new()) {
        return FileResult::skipped(path.to_path_buf(), Some(kind), reason);
    }
    match kind {
        FileKind::Kubernetes => kubernetes::lint_yaml(path, text, config, rules, set),
        FileKind::Dockerfile => dockerfile::lint_dockerfile(path, text, config, rules),
        FileKind::TerraformPlan => plan::lint_plan(path, text, config, rules),
        FileKind::Terraform => {
            let file = SourceFile::new(path, kind, text);
            let configs = [Some(Arc::new(config.clone()))];
            terraform::lint_module(vec![file], &configs, rules, &TfEnv::default())
                .into_iter()
                .next()
                .unwrap_or_else(|| {
                    FileResult::skipped(path.to_path_buf(), Some(kind), String::new())
                })
        }
    }
}

thread_local! {
    static GUARDED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Is this thread inside a lint whose panic becomes a finding? A panic hook stays quiet then.
pub(crate) fn in_guarded_lint() -> bool {
    GUARDED.with(|g| g.get() > 0)
}

/// `catch_unwind` that marks the thread as inside a guarded lint while `f` runs.
fn guarded<R>(f: impl FnOnce() -> R + std::panic::UnwindSafe) -> std::thread::Result<R> {
    GUARDED.with(|g| g.set(g.get() + 1));
    let result = catch_unwind(f);
    GUARDED.with(|g| g.set(g.get() - 1));
    result
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// What rules read from the configuration of the files they check.
fn settings(config: &Config) -> RuleSettings {
    RuleSettings {
        allowed_registries: config.allowed_registries.clone(),
        kubernetes_version: config.kubernetes_version.clone(),
        network_policies_complete: config.network_policies_complete,
    }
}

/// Run the rules of `domain` that `enabled` admits over the context.
fn run_rules(
    cx: &Context<'_>,
    domain: Domain,
    enabled: &dyn Fn(&RuleMeta) -> bool,
    rules: &[&dyn Rule],
) -> Vec<Finding> {
    let mut out = Vec::new();
    crate::rules::policy::rule::new_context();
    for rule in rules {
        let meta = rule.meta();
        if meta.domain == domain && enabled(meta) {
            rule.check(cx, &mut out);
        }
    }
    crate::rules::policy::rule::new_context();
    out
}

/// A parse error, if the configuration reports them.
fn parse_error(message: String, file: usize, span: Span, config: &Config) -> Option<Finding> {
    config
        .is_enabled(&ParseError::META)
        .then(|| Finding::new(&ParseError::META, file, span, message))
}

/// The tail of every pipeline, for one reported file (`unit[index]`): the findings as its
/// configuration wants them (rules it disables dropped, severities overridden, suppressions
/// applied and reported when they silence nothing), in file order, as the file's result.
fn finish(
    unit: &Arc<[SourceFile]>,
    index: usize,
    status: FileStatus,
    findings: Vec<Finding>,
    resources: &[Resource],
    config: &Config,
) -> FileResult {
    let file = &unit[index];
    let mut kept: Vec<Finding> = findings
        .into_iter()
        .filter(|f| config.keeps(f))
        .map(|mut f| {
            f.severity = config.severity_of_finding(&f);
            f
        })
        .collect();
    let ran = |m: &RuleMeta| config.is_enabled(m) && m.domain.applies_to(file.kind);
    crate::suppress::apply(&mut kept, file, index, resources, config, &ran);
    // By position, whichever rule found them first.
    kept.sort_by(|a, b| {
        (a.span.start, a.span.end, a.meta.code, &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.meta.code,
            &b.message,
        ))
    });
    FileResult {
        path: file.path.clone(),
        kind: Some(file.kind),
        status,
        findings: kept,
        unit: unit.clone(),
        index,
        fail_on: config.fail_on,
        unavailable_modules: Vec::new(),
        recognised: Vec::new(),
    }
}

#[cfg(test)]
mod tests;
