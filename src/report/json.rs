//! Machine-readable findings, with every file's status so nothing is dropped silently.

use std::io::Write;

use serde_json::{json, Value};

use super::{display_path, fingerprint, Summary};
use crate::engine::ScanResult;
use crate::lint::{FileResult, FileStatus};
use crate::rule::{DocsUrl, Finding};
use crate::source::{ColumnUnit, LineIndex, SourceFile, Span};

fn location(index: &LineIndex, span: Span) -> Value {
    let start = index.position(span.start, ColumnUnit::Chars);
    let end = index.position(span.end, ColumnUnit::Chars);
    json!({
        "start": {"line": start.line, "column": start.column},
        "end": {"line": end.line, "column": end.column},
        "byte_start": span.start,
        "byte_end": span.end,
    })
}

/// One finding; `index` is the line index of the file the finding is in, `docs` where rule
/// pages are.
pub(crate) fn finding_json(
    file: &FileResult,
    finding: &Finding,
    index: &LineIndex,
    docs: &DocsUrl,
) -> Value {
    let mut value = json!({
        "code": finding.meta.code,
        "name": finding.meta.name,
        "help_uri": docs.link(finding.meta),
        "severity": finding.severity,
        "message": finding.message,
        "path": display_path(file.unit_path(finding.file)),
        "location": location(index, finding.span),
        "resource": finding.resource,
        "provenance": finding.provenance,
        "related": finding.related.iter().map(|r| {
            let idx = file.unit[r.file].line_index();
            json!({
                "path": display_path(file.unit_path(r.file)),
                "message": r.message,
                "location": location(&idx, r.span),
            })
        }).collect::<Vec<_>>(),
        "fixes": finding.fixes.iter().map(|f| json!({
            "title": f.title,
            "applicability": f.applicability.as_str(),
            "edits": f.edits.iter().map(|e| json!({
                "byte_start": e.span.start,
                "byte_end": e.span.end,
                "replacement": e.replacement,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "fingerprint": fingerprint(file, finding),
        "suppressed": finding.suppressed,
        "equivalents": super::equivalents_json(finding),
    });
    // Where a finding placed in a real file is in what the render tool built.
    if let Some(r) = &finding.rendered {
        let idx = file.unit[r.file].line_index();
        value["rendered"] = json!({
            "path": display_path(file.unit_path(r.file)),
            "location": location(&idx, r.span),
        });
    }
    value
}

#[allow(
    clippy::expect_used,
    reason = "writes go to a Vec, which cannot fail, and the stream writes only UTF-8"
)]
pub(crate) fn render(result: &ScanResult, docs: &DocsUrl) -> String {
    let mut stream = JsonStream::new(Vec::new())
        .expect("writing to memory")
        .with_docs(docs.clone());
    for f in &result.files {
        stream.file(f).expect("writing to memory");
    }
    let out = stream.finish(result.discovered).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// The JSON report written as the scan goes: each file's findings as soon as the file is done,
/// so memory stays flat. Only the short per-file entries of `files` and the counts wait for the
/// end. The document is the same as one built at once: `version`, `tool`, `findings`, `files`,
/// `summary`.
pub(crate) struct JsonStream<W: Write> {
    out: W,
    findings: usize,
    files: Vec<Value>,
    summary: Summary,
    unrendered: super::Unrendered,
    docs: DocsUrl,
}

/// `value` pretty-printed and indented by `indent` spaces after its first line (JSON strings
/// hold no raw newlines, so every line break is structure).
pub(crate) fn indented(value: &Value, indent: usize) -> String {
    let text = super::text::json(crate::text::pretty_json(value));
    let pad = format!("\n{}", " ".repeat(indent));
    text.replace('\n', &pad)
}

impl<W: Write> JsonStream<W> {
    pub(crate) fn new(mut out: W) -> std::io::Result<JsonStream<W>> {
        let tool = json!({"name": "rampart", "version": env!("CARGO_PKG_VERSION")});
        write!(
            out,
            "{{\n  \"version\": 1,\n  \"tool\": {},\n  \"findings\": [",
            indented(&tool, 2)
        )?;
        Ok(JsonStream {
            out,
            findings: 0,
            files: Vec::new(),
            summary: Summary::default(),
            unrendered: super::Unrendered::default(),
            docs: DocsUrl::project(),
        })
    }

    /// Link findings to the rule pages at `docs` (the project's own by default).
    pub(crate) fn with_docs(mut self, docs: DocsUrl) -> JsonStream<W> {
        self.docs = docs;
        self
    }

    /// One file's findings and its entry.
    pub(crate) fn file(&mut self, f: &FileResult) -> std::io::Result<()> {
        self.unrendered.add(f);
        if !f.findings.is_empty() {
            let indexes: Vec<LineIndex> = f.unit.iter().map(SourceFile::line_index).collect();
            for x in &f.findings {
                let sep = if self.findings == 0 {
                    "\n    "
                } else {
                    ",\n    "
                };
                let value = finding_json(f, x, &indexes[x.file], &self.docs);
                write!(self.out, "{sep}{}", indented(&value, 4))?;
                self.findings += 1;
            }
        }
        let (status, reason) = match &f.status {
            FileStatus::Scanned => ("scanned", None),
            FileStatus::Skipped(r) => ("skipped", Some(r.as_str())),
            FileStatus::Failed => ("failed", None),
        };
        self.files.push(json!({
            "path": display_path(&f.path),
            "kind": f.kind.map(|k| k.as_str()),
            "status": status,
            "reason": reason,
            "findings": f.findings.len(),
        }));
        self.summary.add(f);
        Ok(())
    }

    /// The file list (in path order) and the counts; returns the writer.
    pub(crate) fn finish(mut self, discovered: usize) -> std::io::Result<W> {
        self.summary.files_discovered = discovered;
        for sev in ["critical", "high", "medium", "low"] {
            self.summary.by_severity.entry(sev).or_default();
        }
        let mut close = if self.findings == 0 { "]" } else { "\n  ]" }.to_string();
        // Overlays and charts that were not checked, when there are any.
        let notes = self.unrendered.notes();
        if !notes.is_empty() {
            close.push_str(&format!(
                ",\n  \"notes\": {}",
                indented(&serde_json::json!(notes), 2)
            ));
        }
        self.files
            .sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
        let files = Value::Array(std::mem::take(&mut self.files));
        let summary = serde_json::json!(&self.summary);
        write!(
            self.out,
            "{close},\n  \"files\": {},\n  \"summary\": {}\n}}\n",
            indented(&files, 2),
            indented(&summary, 2)
        )?;
        self.out.flush()?;
        Ok(self.out)
    }
}
