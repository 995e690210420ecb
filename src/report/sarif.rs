//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::json::indented;
use super::{display_path, fingerprint};
use crate::engine::ScanResult;
use crate::fix::Applicability;
use crate::lint::FileResult;
use crate::rule::{DocsUrl, Finding, RuleMeta, Severity};
use crate::source::{ColumnUnit, LineIndex, SourceFile, Span};

fn level(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

fn rule_descriptor(meta: &RuleMeta, docs: &DocsUrl) -> Value {
    let mut tags: Vec<&str> = vec!["security"];
    tags.extend(meta.tags.iter().copied());
    json!({
        "id": meta.code,
        "name": meta.name,
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": first_section(meta)},
        "help": {"text": meta.doc_markdown(), "markdown": meta.doc_markdown()},
        "helpUri": docs.link(meta),
        "defaultConfiguration": {"level": level(meta.severity)},
        "properties": {
            "tags": tags,
            "precision": "high",
            "problem.severity": match meta.severity { Severity::Low => "recommendation", Severity::Medium => "warning", _ => "error" },
            "security-severity": meta.severity.score(),
        },
    })
}

/// The "What it flags" section as plain text.
fn first_section(meta: &RuleMeta) -> String {
    let doc = meta.doc_markdown();
    let body: Vec<&str> = doc
        .lines()
        .skip_while(|l| l.starts_with("## ") || l.is_empty())
        .take_while(|l| !l.starts_with("## "))
        .collect();
    let text = body.join(" ").trim().to_string();
    if text.is_empty() {
        meta.title.to_string()
    } else {
        text
    }
}

/// Percent-encode a relative path for a URI reference.
fn uri_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The SARIF `artifactLocation` of a file: relative to `%SRCROOT%` when it lies below `base`.
fn artifact(path: &Path, base: &Path) -> Value {
    let (uri, relative) = artifact_uri(path, base);
    let mut artifact = json!({"uri": uri});
    if relative {
        artifact["uriBaseId"] = json!("%SRCROOT%");
    }
    artifact
}

/// One finding as a SARIF result: its location (and resource), fingerprint, suppression,
/// related locations and fixes (suggestions that need a person are left out).
fn result(
    file: &FileResult,
    finding: &Finding,
    indexes: &[LineIndex<'_>],
    base: &Path,
    rule_index: usize,
) -> Value {
    let index = &indexes[finding.file];
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": artifact(file.unit_path(finding.file), base),
            "region": region(index, finding.span),
        }
    });
    if let Some(resource) = &finding.resource {
        location["logicalLocations"] = json!([{"name": resource, "kind": "resource"}]);
    }
    let mut r = json!({
        "ruleId": finding.meta.code,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {"rampart/v1": fingerprint(file, finding)},
        "properties": {"severity": finding.severity.as_str()},
    });
    if let Some(s) = &finding.suppressed {
        r["suppressions"] = json!([{"kind": s.kind, "justification": s.justification}]);
    }
    if let Some(p) = &finding.provenance {
        r["properties"]["provenance"] = json!(p);
    }
    let equivalents = super::equivalents_json(finding);
    if equivalents.as_object().is_some_and(|e| !e.is_empty()) {
        r["properties"]["equivalents"] = equivalents;
    }
    // The rendered object a finding placed in a real file is on comes last.
    let related: Vec<&crate::rule::Related> =
        finding.related.iter().chain(&finding.rendered).collect();
    if !related.is_empty() {
        r["relatedLocations"] = json!(related
            .iter()
            .enumerate()
            .map(|(i, rel)| json!({
                "id": i + 1,
                "message": {"text": rel.message},
                "physicalLocation": {
                    "artifactLocation": artifact(file.unit_path(rel.file), base),
                    "region": region(&indexes[rel.file], rel.span),
                }
            }))
            .collect::<Vec<_>>());
    }
    let fixes: Vec<Value> = finding
        .fixes
        .iter()
        .filter(|f| f.applicability != Applicability::DisplayOnly)
        .map(|f| {
            json!({
                "description": {"text": format!("{} ({})", f.title, f.applicability.as_str())},
                "artifactChanges": [{
                    "artifactLocation": artifact(file.unit_path(finding.file), base),
                    "replacements": f.edits.iter().map(|e| json!({
                        "deletedRegion": region(index, e.span),
                        "insertedContent": {"text": e.replacement},
                    })).collect::<Vec<_>>(),
                }],
            })
        })
        .collect();
    if !fixes.is_empty() {
        r["fixes"] = json!(fixes);
    }
    r
}

/// The artifact URI: relative to the base (the working directory) when possible.
fn artifact_uri(path: &Path, base: &Path) -> (String, bool) {
    let rel = if path.is_absolute() {
        path.strip_prefix(base).ok()
    } else {
        Some(path)
    };
    match rel {
        Some(rel) => (uri_path(&display_path(rel)), true),
        None => (
            format!("file://{}", uri_path(&path.to_string_lossy())),
            false,
        ),
    }
}

fn region(index: &LineIndex, span: Span) -> Value {
    let s = index.position(span.start, ColumnUnit::Utf16);
    let e = index.position(span.end, ColumnUnit::Utf16);
    json!({
        "startLine": s.line,
        "startColumn": s.column,
        "endLine": e.line,
        "endColumn": e.column,
    })
}

#[allow(
    clippy::expect_used,
    reason = "writes go to a Vec, which cannot fail, and the stream writes only UTF-8"
)]
pub(crate) fn render(result: &ScanResult, base: &Path, docs: &DocsUrl) -> String {
    let mut stream = SarifStream::new(Vec::new(), base)
        .expect("writing to memory")
        .with_docs(docs.clone());
    for f in &result.files {
        stream.file(f).expect("writing to memory");
    }
    let out = stream.finish().expect("writing to memory");
    String::from_utf8(out).expect("SARIF is UTF-8")
}

/// The SARIF log written as the scan goes: each file's results as soon as the file is done, so
/// memory stays flat, then the run's tool with the rules that fired (their descriptors carry
/// each rule's whole documentation: listing every rule made a log of a few findings half a
/// megabyte). `ruleIndex` counts rules in the order they first fire.
pub(crate) struct SarifStream<W: Write> {
    out: W,
    base: PathBuf,
    index_of: HashMap<&'static str, usize>,
    fired: Vec<&'static RuleMeta>,
    results: usize,
    unrendered: super::Unrendered,
    docs: DocsUrl,
}

impl<W: Write> SarifStream<W> {
    pub(crate) fn new(mut out: W, base: &Path) -> std::io::Result<SarifStream<W>> {
        let base_uri = {
            let s = uri_path(&base.to_string_lossy());
            let s = if s.ends_with('/') { s } else { format!("{s}/") };
            format!("file://{s}")
        };
        let bases = json!({"%SRCROOT%": {"uri": base_uri}});
        write!(
            out,
            "{{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n      \"originalUriBaseIds\": {},\n      \"columnKind\": \"utf16CodeUnits\",\n      \"results\": [",
            indented(&bases, 6)
        )?;
        Ok(SarifStream {
            out,
            base: base.to_path_buf(),
            index_of: HashMap::new(),
            fired: Vec::new(),
            results: 0,
            unrendered: super::Unrendered::default(),
            docs: DocsUrl::project(),
        })
    }

    /// Point `helpUri` at the rule pages at `docs` (the project's own by default).
    pub(crate) fn with_docs(mut self, docs: DocsUrl) -> SarifStream<W> {
        self.docs = docs;
        self
    }

    /// The results of one file.
    pub(crate) fn file(&mut self, file: &FileResult) -> std::io::Result<()> {
        self.unrendered.add(file);
        if file.findings.is_empty() {
            return Ok(());
        }
        for finding in &file.findings {
            if !self.index_of.contains_key(finding.meta.code) {
                self.index_of.insert(finding.meta.code, self.fired.len());
                self.fired.push(finding.meta);
            }
        }
        let indexes: Vec<LineIndex> = file.unit.iter().map(SourceFile::line_index).collect();
        for finding in &file.findings {
            let rule_index = self.index_of.get(finding.meta.code).copied().unwrap_or(0);
            let r = result(file, finding, &indexes, &self.base, rule_index);
            let sep = if self.results == 0 {
                "\n        "
            } else {
                ",\n        "
            };
            write!(self.out, "{sep}{}", indented(&r, 8))?;
            self.results += 1;
        }
        Ok(())
    }

    /// Close the log with the tool and the rules that fired; returns the writer.
    pub(crate) fn finish(mut self) -> std::io::Result<W> {
        let mut close = if self.results == 0 { "]" } else { "\n      ]" }.to_string();
        // Overlays and charts that were not checked, as notifications of the run.
        let notes = self.unrendered.notes();
        if !notes.is_empty() {
            let invocation = json!([{
                "executionSuccessful": true,
                "toolExecutionNotifications": notes
                    .iter()
                    .map(|n| json!({"level": "note", "message": {"text": n}}))
                    .collect::<Vec<_>>(),
            }]);
            close.push_str(&format!(
                ",\n      \"invocations\": {}",
                indented(&invocation, 6)
            ));
        }
        let tool = json!({"driver": {
            "name": "rampart",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "informationUri": env!("CARGO_PKG_REPOSITORY"),
            "rules": self.fired.iter().map(|m| rule_descriptor(m, &self.docs)).collect::<Vec<_>>(),
        }});
        write!(
            self.out,
            "{close},\n      \"tool\": {}\n    }}\n  ]\n}}\n",
            indented(&tool, 6)
        )?;
        self.out.flush()?;
        Ok(self.out)
    }
}
