//! Output formats. Rendering happens here, at the edge; the core knows nothing of it.

pub mod compact;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod summary;
pub mod text;

use std::collections::BTreeMap;

use crate::engine::ScanResult;
use crate::lint::{FileResult, FileStatus};
use crate::rule::{Finding, Severity};
use crate::source::{ColumnUnit, LineIndex, Position};

/// Counts for the closing summary.
#[derive(Debug, Default, serde::Serialize)]
pub struct Summary {
    pub files_discovered: usize,
    pub files_scanned: usize,
    pub files_skipped: usize,
    pub files_failed: usize,
    pub findings: usize,
    /// Findings silenced by suppressions (not counted in `findings`).
    pub suppressed: usize,
    pub by_severity: BTreeMap<&'static str, usize>,
    pub by_rule: BTreeMap<&'static str, usize>,
}

impl Summary {
    pub fn of(result: &ScanResult) -> Summary {
        let mut s = Summary {
            files_discovered: result.discovered,
            ..Summary::default()
        };
        for sev in [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
        ] {
            s.by_severity.insert(sev.as_str(), 0);
        }
        for f in &result.files {
            s.add(f);
        }
        s
    }

    /// Count one more file (`files_discovered` is set by the caller).
    pub fn add(&mut self, f: &FileResult) {
        match f.status {
            FileStatus::Scanned => self.files_scanned += 1,
            FileStatus::Skipped(_) => self.files_skipped += 1,
            FileStatus::Failed => self.files_failed += 1,
        }
        for finding in &f.findings {
            if finding.suppressed.is_some() {
                self.suppressed += 1;
                continue;
            }
            self.findings += 1;
            *self
                .by_severity
                .entry(finding.severity.as_str())
                .or_default() += 1;
            *self.by_rule.entry(finding.meta.code).or_default() += 1;
        }
    }
}

/// Where the findings of one file are: in the file itself, or (a plan's finding moved to its
/// `.tf` source) in another file of its unit.
pub struct Locator<'a> {
    file: &'a FileResult,
    own: LineIndex<'a>,
}

impl<'a> Locator<'a> {
    pub fn new(file: &'a FileResult) -> Locator<'a> {
        Locator {
            file,
            own: file.unit[file.index].line_index(),
        }
    }

    /// (path, start, end) of a finding.
    pub(crate) fn locate(&self, f: &Finding, unit: ColumnUnit) -> (String, Position, Position) {
        let path = display_path(self.file.unit_path(f.file));
        if f.file == self.file.index {
            return (
                path,
                self.own.position(f.span.start, unit),
                self.own.position(f.span.end, unit),
            );
        }
        let other = self.file.unit[f.file].line_index();
        (
            path,
            other.position(f.span.start, unit),
            other.position(f.span.end, unit),
        )
    }
}

/// `1 fix`, `2 fixes`: a count with its noun in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub use crate::source::display_path;

/// A stable fingerprint: rule, file, resource (and container) and the offending text with
/// whitespace folded, so it survives line shifts and reformatting.
/// A finding placed in a real file from what a render built keeps the fingerprint of its place
/// in the rendered text ([`identity`]), so that baselines stay valid.
pub fn fingerprint(result: &FileResult, finding: &Finding) -> String {
    let path = display_path(result.unit_path(identity(finding).0));
    fingerprint_at(result, finding, &path)
}

/// The file (of the result's unit) and span a finding is identified by: where it is, or for a
/// rendered finding placed in a real file, where it is in the rendered text.
pub fn identity(finding: &Finding) -> (usize, crate::source::Span) {
    match &finding.rendered {
        Some(r) => (r.file, r.span),
        None => (finding.file, finding.span),
    }
}

/// [`fingerprint`] with the path as the caller wants it written (relative to a baseline file):
/// the path of the file of [`identity`].
pub(crate) fn fingerprint_at(result: &FileResult, finding: &Finding, path: &str) -> String {
    let (file, span) = identity(finding);
    let text = result.unit[file].text.as_ref();
    let snippet = text
        .get(span.start..span.end)
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut hash: u64 = 0xcbf29ce484222325;
    for part in [
        finding.meta.code,
        path,
        finding.resource.as_deref().unwrap_or(""),
        finding.container.as_deref().unwrap_or(""),
        &snippet,
    ] {
        for b in part.bytes().chain(std::iter::once(0)) {
            hash ^= b as u64;
            hash = hash.wrapping_mul(0x100000001b3);
        }
    }
    format!("{hash:016x}")
}

/// Every finding that is not suppressed, with its file, in output order (path, line, column,
/// code).
pub fn all_findings(result: &ScanResult) -> impl Iterator<Item = (&FileResult, &Finding)> {
    result
        .files
        .iter()
        .flat_map(|f| f.active().map(move |x| (f, x)))
}

/// Kustomize overlays and Helm charts of a scan that were not checked, counted by why, for the
/// one note a scan gives about them (in every format).
#[derive(Debug, Default, Clone)]
pub struct Unrendered {
    /// Charts that were not rendered because `helm` is not installed.
    pub helm_missing: usize,
    /// Overlays that were not rendered because neither `kustomize` nor `kubectl` is installed.
    pub kustomize_missing: usize,
    /// Renders that failed or were refused (remote resources, limits), each listed with `-v`.
    pub failed: usize,
}

impl Unrendered {
    /// Count `file` when it is a render that did not happen.
    pub fn add(&mut self, file: &FileResult) {
        let FileStatus::Skipped(reason) = &file.status else {
            return;
        };
        let name = file.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match name {
            "[helm template]" if reason.contains("install `helm`") => self.helm_missing += 1,
            "[kustomize build]" if reason.contains("install `kustomize`") => {
                self.kustomize_missing += 1
            }
            "[helm template]" | "[kustomize build]" => self.failed += 1,
            _ => {}
        }
    }

    /// One line per cause, without a trailing newline; none when everything was rendered.
    pub fn notes(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.helm_missing > 0 {
            out.push(format!(
                "{} not checked: install `helm` to render {} (or pipe `helm template` into `rampart scan -`)",
                count(self.helm_missing, "Helm chart", "Helm charts"),
                if self.helm_missing == 1 { "it" } else { "them" }
            ));
        }
        if self.kustomize_missing > 0 {
            out.push(format!(
                "{} not checked as built: install `kustomize` or `kubectl` to render {}",
                count(
                    self.kustomize_missing,
                    "Kustomize overlay",
                    "Kustomize overlays"
                ),
                if self.kustomize_missing == 1 {
                    "it"
                } else {
                    "them"
                }
            ));
        }
        if self.failed > 0 {
            out.push(format!(
                "{} could not be rendered and {} not checked as built; `-v` says why",
                count(
                    self.failed,
                    "Kustomize overlay or Helm chart",
                    "Kustomize overlays or Helm charts"
                ),
                if self.failed == 1 { "was" } else { "were" }
            ));
        }
        out
    }
}
