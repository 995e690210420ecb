//! The core behind the language server: lints documents (a Terraform file with its whole
//! directory and the unsaved text of open buffers), applies safe fixes, serves rule docs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rampart_lsp as lsp;

use crate::config::{CliSettings, Config, Resolver};
use crate::fix::Applicability;
use crate::lint::{self, FileResult, Unit};
use crate::rule::{DocsUrl, Finding, Severity};
use crate::source::{FileKind, SourceFile};

pub struct CoreLinter {
    resolver: Mutex<Arc<Resolver>>,
}

impl Default for CoreLinter {
    fn default() -> CoreLinter {
        CoreLinter::new()
    }
}

fn new_resolver() -> Resolver {
    Resolver::discovering(CliSettings::default(), crate::rules::metas())
}

impl CoreLinter {
    pub fn new() -> CoreLinter {
        CoreLinter {
            resolver: Mutex::new(Arc::new(new_resolver())),
        }
    }

    /// The configuration for a file with the client's settings on top; a broken
    /// `.rampart.toml` is reported as a diagnostic and the defaults are used.
    fn config(&self, path: &Path, settings: &lsp::Settings) -> (Config, Option<String>) {
        let resolver = self
            .resolver
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let (mut config, error) = match resolver.for_file(path) {
            Ok(c) => (c, None),
            Err(e) => (Config::default(), Some(e.to_string())),
        };
        if let Some(p) = &settings.profile {
            config.select = vec![p.clone()];
        }
        (config, error)
    }

    fn results(
        &self,
        path: &Path,
        text: &str,
        open: &dyn Fn(&Path) -> Option<String>,
        config: &Config,
    ) -> Vec<FileResult> {
        let Some(kind) = FileKind::from_path(path) else {
            return Vec::new();
        };
        if kind != FileKind::Terraform {
            return lint::lint(Unit::file(path, text, kind, config));
        }
        // The module: every .tf/.tfvars file of the directory, open buffers as typed.
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut siblings: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p != path
                            && p.is_file()
                            && FileKind::from_path(p) == Some(FileKind::Terraform)
                    })
                    .collect()
            })
            .unwrap_or_default();
        siblings.sort();
        let mut files = vec![SourceFile::new(path, kind, text)];
        for s in siblings {
            let body = open(&s).or_else(|| crate::source::read_text(&s, config.max_file_size).ok());
            if let Some(body) = body {
                files.push(SourceFile::new(s, kind, body));
            }
        }
        let reported = vec![true; files.len()];
        lint::lint(Unit::module(files, &reported, config))
    }
}

fn level(f: &Finding) -> lsp::Level {
    if f.meta.code == crate::rules::UnusedSuppression::META.code {
        return lsp::Level::Hint;
    }
    match f.severity {
        Severity::Critical | Severity::High => lsp::Level::Error,
        Severity::Medium => lsp::Level::Warning,
        Severity::Low => lsp::Level::Information,
    }
}

/// The diagnostics of one file, linked to the rule pages at `docs`.
fn convert(result: &FileResult, min: Option<Severity>, docs: &DocsUrl) -> lsp::FileDiagnostics {
    let text: Arc<str> = result.unit[result.index].text.clone();
    let kind = result.unit[result.index].kind;
    let index = result.unit[result.index].line_index();
    let mut diagnostics: Vec<lsp::Diagnostic> = result
        .active()
        .filter(|f| {
            min.is_none_or(|m| f.severity >= m) || f.meta.domain == crate::rule::Domain::Input
        })
        .map(|f| lsp::Diagnostic {
            code: f.meta.code.to_string(),
            name: f.meta.name.to_string(),
            message: f.message.clone(),
            level: level(f),
            start: f.span.start,
            end: f.span.end,
            href: docs.link(f.meta),
            related: f
                .related
                .iter()
                .map(|r| lsp::Related {
                    path: result.unit_path(r.file).to_path_buf(),
                    text: result.unit[r.file].text.clone(),
                    start: r.span.start,
                    end: r.span.end,
                    message: r.message.clone(),
                })
                .collect(),
            fixes: f
                .fixes
                .iter()
                .map(|x| lsp::Fix {
                    title: x.title.clone(),
                    safety: match x.applicability {
                        Applicability::Safe => lsp::Safety::Safe,
                        Applicability::Unsafe => lsp::Safety::Unsafe,
                        Applicability::DisplayOnly => lsp::Safety::DisplayOnly,
                    },
                    edits: x
                        .edits
                        .iter()
                        .map(|e| lsp::Edit {
                            start: e.span.start,
                            end: e.span.end,
                            text: e.replacement.clone(),
                        })
                        .collect(),
                })
                .collect(),
            suppress: (f.meta.domain != crate::rule::Domain::Input).then(|| {
                let e = crate::suppress::comment_edit(&text, &index, kind, f);
                lsp::Edit {
                    start: e.span.start,
                    end: e.span.end,
                    text: e.replacement,
                }
            }),
            unnecessary: f.meta.code == crate::rules::UnusedSuppression::META.code,
        })
        .collect();
    diagnostics.extend(unavailable_modules(result, docs));
    lsp::FileDiagnostics {
        path: result.path.to_path_buf(),
        text,
        diagnostics,
    }
}

/// The module calls of the file whose module is not available: what a scan says once in its
/// note, shown in the editor as a hint at each call's `source` (an editor is no gate, and a
/// file has few calls). With RAMPART-005 asked for, they are findings and come as those.
fn unavailable_modules<'r>(
    result: &'r FileResult,
    docs: &'r DocsUrl,
) -> impl Iterator<Item = lsp::Diagnostic> + 'r {
    let meta = &crate::rules::ModuleNotFound::META;
    result
        .unavailable_modules
        .iter()
        .filter(move |m| m.file == result.index)
        .map(move |m| lsp::Diagnostic {
            code: meta.code.to_string(),
            name: meta.name.to_string(),
            message: m.message(),
            level: lsp::Level::Hint,
            start: m.span.start,
            end: m.span.end,
            href: docs.link(meta),
            related: Vec::new(),
            fixes: Vec::new(),
            suppress: None,
            unnecessary: false,
        })
}

impl lsp::Linter for CoreLinter {
    fn handles(&self, path: &Path) -> bool {
        FileKind::from_path(path).is_some()
    }

    fn lint(
        &self,
        path: &Path,
        text: &str,
        open: &dyn Fn(&Path) -> Option<String>,
        settings: &lsp::Settings,
    ) -> Vec<lsp::FileDiagnostics> {
        if crate::policy::is_rule_file(path, text) {
            return vec![rule_file_diagnostics(path, text)];
        }
        let (config, error) = self.config(path, settings);
        let min = settings.severity.as_deref().and_then(Severity::parse);
        let docs = config.docs_url.clone().unwrap_or_else(DocsUrl::project);
        let mut out: Vec<lsp::FileDiagnostics> = self
            .results(path, text, open, &config)
            .iter()
            .map(|r| convert(r, min, &docs))
            .collect();
        if let Some(message) = error {
            if let Some(mine) = out.iter_mut().find(|f| f.path == path) {
                mine.diagnostics.push(lsp::Diagnostic::about_file(
                    "configuration",
                    "configuration",
                    format!("{message}; using the defaults"),
                ));
            }
        }
        out
    }

    fn fix_all(
        &self,
        path: &Path,
        text: &str,
        open: &dyn Fn(&Path) -> Option<String>,
        settings: &lsp::Settings,
    ) -> Option<String> {
        let (config, _) = self.config(path, settings);
        let results = self.results(path, text, open, &config);
        let mine = results.iter().find(|r| *r.path == *path)?;
        let outcome = crate::fixer::fix_file(mine, Applicability::Safe, &config)?;
        outcome.changed().then_some(outcome.fixed)
    }

    fn docs(&self, code: &str) -> Option<String> {
        crate::rules::find(code).map(|r| crate::docs::page(r.meta()))
    }

    fn reload(&self) {
        *self.resolver.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(new_resolver());
    }
}

/// A users' rule file being edited: every problem its loading finds, at its place.
fn rule_file_diagnostics(path: &Path, text: &str) -> lsp::FileDiagnostics {
    let builtin = crate::rules::metas();
    let taken = crate::policy::Taken {
        metas: &builtin,
        builtin: false,
    };
    let errors = crate::policy::load_text(path, text, &taken)
        .err()
        .unwrap_or_default();
    let diagnostics = errors
        .into_iter()
        .map(|e| lsp::Diagnostic {
            code: "rule-file".into(),
            name: "rule-file".into(),
            message: e.message,
            level: lsp::Level::Error,
            start: e.span.start.min(text.len()),
            end: e.span.end.max(e.span.start).min(text.len()),
            href: "https://github.com/rampart-lint/rampart/blob/main/docs/policy.md".into(),
            related: Vec::new(),
            fixes: Vec::new(),
            suppress: None,
            unnecessary: false,
        })
        .collect();
    lsp::FileDiagnostics {
        path: path.to_path_buf(),
        text: Arc::from(text),
        diagnostics,
    }
}

/// Serve the language server over stdio; how the session ended gives the exit code.
pub(crate) fn serve_stdio() -> Result<lsp::Ending, Box<dyn std::error::Error + Send + Sync>> {
    lsp::run_stdio(Arc::new(CoreLinter::new()))
}

#[cfg(test)]
mod rule_file_tests {
    use super::*;
    use lsp::Linter;

    #[test]
    fn a_rule_file_being_edited_gets_its_load_errors() {
        let text = "rules:\n  - code: ACME-001\n    name: x\n    title: t\n    match: {containers: [\"*\"]}\n    condition: container.securityContext.privilegd\n";
        let linter = CoreLinter::new();
        let out = linter.lint(
            Path::new("policy/acme.yaml"),
            text,
            &|_| None,
            &lsp::Settings::default(),
        );
        assert_eq!(out.len(), 1);
        let d = &out[0].diagnostics;
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].message.contains("did you mean `privileged`?"),
            "{}",
            d[0].message
        );
        let at = text.find("privilegd").unwrap_or_default();
        assert_eq!(d[0].start, at);
        // A Kubernetes manifest is linted as before.
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: a, securityContext: {privileged: true}}]\n";
        let out = linter.lint(
            Path::new("pod.yaml"),
            pod,
            &|_| None,
            &lsp::Settings::default(),
        );
        assert!(out[0].diagnostics.iter().any(|d| d.code == "K8S-001"));
    }
}
