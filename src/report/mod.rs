//! Output formats. Rendering happens here, at the edge; the core knows nothing of it.

pub(crate) mod compact;
pub(crate) mod github;
pub(crate) mod gitlab;
pub(crate) mod html;
pub mod human;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod sarif;
pub(crate) mod summary;
pub(crate) mod text;

use std::collections::BTreeMap;

use crate::engine::ScanResult;
use crate::lint::{FileResult, FileStatus};
use crate::rule::{Finding, Severity};
use crate::source::{ColumnUnit, LineIndex, Position};

/// Counts for the closing summary.
#[derive(Debug, Default, serde::Serialize)]
pub(crate) struct Summary {
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
    pub(crate) fn of(result: &ScanResult) -> Summary {
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
    pub(crate) fn add(&mut self, f: &FileResult) {
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
pub(crate) struct Locator<'a> {
    file: &'a FileResult,
    own: LineIndex<'a>,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(file: &'a FileResult) -> Locator<'a> {
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
/// The IDs of other scanners' checks a finding is about, by scanner (`{"checkov":
/// ["CKV_K8S_13"], "trivy": ["KSV-0018"]}`); scanners without one are left out.
pub(crate) fn equivalents_json(finding: &Finding) -> serde_json::Value {
    let mut by_scanner: serde_json::Map<String, serde_json::Value> = serde_json::Map::new();
    for (scanner, peer) in finding.equivalents() {
        if let serde_json::Value::Array(ids) = by_scanner
            .entry(scanner)
            .or_insert_with(|| serde_json::Value::Array(Vec::new()))
        {
            ids.push(peer.id.into());
        }
    }
    serde_json::Value::Object(by_scanner)
}

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

/// What a scan did not check, for the one note a scan gives about each cause (in every
/// format): Kustomize overlays and Helm charts that were not rendered, counted by why, and
/// Terraform modules that are not available, by source.
#[derive(Debug, Default, Clone)]
pub(crate) struct Unrendered {
    /// Charts that were not rendered because `helm` is not installed.
    pub helm_missing: usize,
    /// Overlays that were not rendered because neither `kustomize` nor `kubectl` is installed.
    pub kustomize_missing: usize,
    /// Renders that failed or were refused (remote resources, limits), each listed with `-v`.
    pub failed: usize,
    /// Modules not downloaded, by source: the files that call each.
    pub modules: BTreeMap<String, Callers>,
    /// Modules not read because they are outside the scanned repository, by source.
    pub outside: BTreeMap<String, Callers>,
}

/// The files that call one module: the first few by name, and how many in all.
#[derive(Debug, Default, Clone)]
pub struct Callers {
    pub first: Vec<String>,
    pub count: usize,
}

/// Modules listed by name in the note, and calling files listed for each.
const LISTED_MODULES: usize = 5;
const LISTED_CALLERS: usize = 3;

impl Callers {
    fn add(&mut self, path: String) {
        if self.first.contains(&path) {
            return;
        }
        self.count += 1;
        if self.first.len() < LISTED_CALLERS {
            self.first.push(path);
        }
    }
}

/// Characters of a module's source a note keeps (a source is whatever the file says).
const SHOWN_SOURCE: usize = 200;

/// `source`, or its first [`SHOWN_SOURCE`] characters and `…`.
fn shortened(source: &str) -> String {
    match source.char_indices().nth(SHOWN_SOURCE) {
        Some((at, _)) => format!("{}…", &source[..at]),
        None => source.to_string(),
    }
}

/// `` `a` (x.tf, y.tf), `b` (z.tf) and 3 more ``: the modules of a note with their callers.
fn module_list(modules: &BTreeMap<String, Callers>) -> String {
    let mut items: Vec<String> = modules
        .iter()
        .take(LISTED_MODULES)
        .map(|(source, callers)| {
            let mut files = callers.first.join(", ");
            if callers.count > callers.first.len() {
                files.push_str(&format!(
                    " and {} more",
                    callers.count - callers.first.len()
                ));
            }
            format!("`{}` ({files})", text::line(source))
        })
        .collect();
    let more = modules.len().saturating_sub(LISTED_MODULES);
    if more > 0 {
        let last = format!("{} and {more} more", items.pop().unwrap_or_default());
        items.push(last);
    }
    items.join(", ")
}

impl Unrendered {
    /// Count `file` when it is a render that did not happen, and the modules it calls that
    /// are not available.
    pub(crate) fn add(&mut self, file: &FileResult) {
        for m in &file.unavailable_modules {
            let by_source = if m.outside.is_some() {
                &mut self.outside
            } else {
                &mut self.modules
            };
            by_source
                .entry(shortened(&m.source))
                .or_default()
                .add(display_path(file.unit_path(m.file)));
        }
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
    pub(crate) fn notes(&self) -> Vec<String> {
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
        if !self.modules.is_empty() {
            out.push(format!(
                "{} not available locally, {} resources not checked (run `terraform init -backend=false` first, or `--select RAMPART-005` to report each call): {}",
                count(self.modules.len(), "Terraform module", "Terraform modules"),
                if self.modules.len() == 1 { "its" } else { "their" },
                module_list(&self.modules)
            ));
        }
        if !self.outside.is_empty() {
            out.push(format!(
                "{} outside the scanned repository not read, {} resources not checked (allow {} with `--allow-read DIR`): {}",
                count(self.outside.len(), "Terraform module", "Terraform modules"),
                if self.outside.len() == 1 { "its" } else { "their" },
                if self.outside.len() == 1 { "it" } else { "them" },
                module_list(&self.outside)
            ));
        }
        out
    }
}
