//! What linting a file gives: its status, its findings and the files it was linted with.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::rule::{Finding, Severity};
use crate::rules::{InternalError, UnreadableFile};
use crate::source::{FileKind, SourceFile, Span};

/// What happened to a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileStatus {
    /// Parsed and checked (it may still carry parse errors for the part that did not parse).
    Scanned,
    /// Not a file rampart checks (YAML that is not Kubernetes, an unrendered Helm template).
    Skipped(String),
    /// Could not be read or parsed at all; the reason is a finding.
    Failed,
}

/// The result for one file.
#[derive(Clone, Debug)]
pub struct FileResult {
    pub path: Arc<Path>,
    pub kind: Option<FileKind>,
    pub status: FileStatus,
    pub findings: Vec<Finding>,
    /// The files linted together with this one (a Terraform module), for related locations;
    /// `unit[index]` is this file.
    pub unit: Arc<[SourceFile]>,
    pub index: usize,
    /// The lowest severity that fails the run, from this file's configuration.
    pub fail_on: Severity,
    /// Module calls of this file whose module was not read, for the scan's one note about
    /// them (a [`crate::rules::ModuleNotFound`] finding each instead when the configuration
    /// asks for that rule by code or name).
    pub unavailable_modules: Vec<UnavailableModule>,
    /// For `-v`: what the lint recognised by guessing (the pod template of a kind it does not
    /// know), one line each.
    pub recognised: Vec<String>,
}

/// A Terraform module call whose module is not read: not downloaded (`terraform init` was not
/// run), or outside the scanned repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnavailableModule {
    /// The call's `source`, as written.
    pub source: String,
    /// The file of the unit holding the call, and the span of its `source` value.
    pub file: usize,
    pub span: Span,
    /// Where the module is, when it was not read because it is outside the repository.
    pub outside: Option<PathBuf>,
}

impl UnavailableModule {
    /// What a [`crate::rules::ModuleNotFound`] finding about the call says.
    pub fn message(&self) -> String {
        let source = &self.source;
        match &self.outside {
            None => format!(
                "module `{source}` is not available locally: its resources are not checked (run `terraform init -backend=false` to download it)"
            ),
            Some(real) => format!(
                "module `{source}` is in {}, outside the scanned repository: not read, its resources are not checked (scan from a directory that holds both, or allow it with `--allow-read {}`)",
                real.display(),
                real.display()
            ),
        }
    }
}

impl FileResult {
    /// Findings that count: not suppressed.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppressed.is_none())
    }

    /// Does this file fail the run?
    pub(crate) fn fails(&self) -> bool {
        self.active().any(|f| f.severity >= self.fail_on)
    }

    pub fn text(&self) -> &str {
        &self.unit[self.index].text
    }

    /// Path of a file of the unit (for related locations).
    pub fn unit_path(&self, file: usize) -> &Path {
        &self.unit[file].path
    }

    /// A file rampart does not check, and why.
    pub(crate) fn skipped(path: PathBuf, kind: Option<FileKind>, reason: String) -> FileResult {
        FileResult {
            unit: single_unit(&path, kind.unwrap_or(FileKind::Kubernetes), ""),
            path: Arc::from(path),
            kind,
            status: FileStatus::Skipped(reason),
            findings: Vec::new(),
            index: 0,
            fail_on: Severity::Critical,
            unavailable_modules: Vec::new(),
            recognised: Vec::new(),
        }
    }

    /// A file that could not be read: an [`UnreadableFile`] finding, located at `at` in what
    /// could be read of it (`lossy`).
    pub(crate) fn unreadable(
        path: PathBuf,
        kind: Option<FileKind>,
        message: String,
        config: &Config,
    ) -> FileResult {
        let finding = config
            .is_enabled(&UnreadableFile::META)
            .then(|| Finding::new(&UnreadableFile::META, 0, Span::empty(0), message));
        failed(path, kind, finding, config)
    }

    /// A lint that panicked: an [`InternalError`] finding on the file.
    pub(crate) fn internal_error(path: PathBuf, message: &str, config: &Config) -> FileResult {
        let finding = config.is_enabled(&InternalError::META).then(|| {
            Finding::new(
                &InternalError::META,
                0,
                Span::empty(0),
                format!("internal error while linting this file: {message}"),
            )
        });
        failed(path, None, finding, config)
    }

    /// Show what could be read of an unreadable file (its findings located at `at`).
    pub(crate) fn with_text(mut self, text: String, at: usize) -> FileResult {
        self.unit = Arc::from(vec![self.unit[0].with_text(text)]);
        for f in &mut self.findings {
            f.span = Span::empty(at);
        }
        self
    }
}

fn single_unit(path: &Path, kind: FileKind, text: &str) -> Arc<[SourceFile]> {
    Arc::from(vec![SourceFile::new(path, kind, text)])
}

fn failed(
    path: PathBuf,
    kind: Option<FileKind>,
    finding: Option<Finding>,
    config: &Config,
) -> FileResult {
    FileResult {
        unit: single_unit(&path, kind.unwrap_or(FileKind::Kubernetes), ""),
        path: Arc::from(path),
        kind,
        status: FileStatus::Failed,
        findings: finding
            .into_iter()
            .map(|mut f| {
                f.severity = config.severity_of(f.meta);
                f
            })
            .collect(),
        index: 0,
        fail_on: config.fail_on,
        unavailable_modules: Vec::new(),
        recognised: Vec::new(),
    }
}
