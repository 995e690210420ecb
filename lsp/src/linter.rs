//! What the server needs from a linter, in plain data: byte ranges, fixes as byte edits, rule
//! documentation. The server converts positions and speaks the protocol; the linter lints.

use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Safety {
    Safe,
    Unsafe,
    /// A suggestion: a person must supply a value.
    DisplayOnly,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    pub title: String,
    pub safety: Safety,
    pub edits: Vec<Edit>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Information,
    Hint,
}

/// A location in another (or the same) file, with that file's text for position conversion.
#[derive(Clone, Debug, PartialEq)]
pub struct Related {
    pub path: PathBuf,
    pub text: Arc<str>,
    pub start: usize,
    pub end: usize,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: String,
    pub name: String,
    pub message: String,
    pub level: Level,
    pub start: usize,
    pub end: usize,
    /// The rule's documentation page.
    pub href: String,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
    /// Inserts a suppression comment for this finding.
    pub suppress: Option<Edit>,
    /// Shown faded (an unused suppression).
    pub unnecessary: bool,
}

impl Diagnostic {
    /// An error about the whole file (at its start), with no fix or documentation: the server
    /// or its configuration failed, not a rule.
    pub fn about_file(code: &str, name: &str, message: String) -> Diagnostic {
        Diagnostic {
            code: code.into(),
            name: name.into(),
            message,
            level: Level::Error,
            start: 0,
            end: 0,
            href: String::new(),
            related: Vec::new(),
            fixes: Vec::new(),
            suppress: None,
            unnecessary: false,
        }
    }
}

/// Diagnostics of one file, computed from `text`.
#[derive(Clone, Debug)]
pub struct FileDiagnostics {
    pub path: PathBuf,
    pub text: Arc<str>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Client settings (initializationOptions, workspace/configuration section `rampart`).
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Rule set: pss-baseline, pss-restricted, all.
    pub profile: Option<String>,
    /// Lowest severity shown: low, medium, high, critical.
    pub severity: Option<String>,
}

pub trait Linter: Send + Sync + 'static {
    /// Does the server lint this file?
    fn handles(&self, path: &Path) -> bool;

    /// Lint `path` with its current `text`. `open` returns the unsaved text of another open
    /// document. The result holds `path` and every other file whose diagnostics the change
    /// affects (the other files of a Terraform module).
    fn lint(
        &self,
        path: &Path,
        text: &str,
        open: &dyn Fn(&Path) -> Option<String>,
        settings: &Settings,
    ) -> Vec<FileDiagnostics>;

    /// The text with every safe fix applied, or `None` when there is nothing to fix.
    fn fix_all(
        &self,
        path: &Path,
        text: &str,
        open: &dyn Fn(&Path) -> Option<String>,
        settings: &Settings,
    ) -> Option<String>;

    /// A rule's documentation (markdown), by code.
    fn docs(&self, code: &str) -> Option<String>;

    /// Configuration files changed: forget what was read.
    fn reload(&self);
}
