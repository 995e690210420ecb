//! Machine-readable findings, with every file's status so nothing is dropped silently.

use serde_json::{json, Value};

use super::{display_path, fingerprint, Summary};
use crate::engine::{FileResult, FileStatus, ScanResult};
use crate::rule::Finding;
use crate::source::{ColumnUnit, LineIndex, Span};

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

/// One finding; `index` is the line index of the file the finding is in.
pub fn finding_json(file: &FileResult, finding: &Finding, index: &LineIndex) -> Value {
    json!({
        "code": finding.meta.code,
        "name": finding.meta.name,
        "severity": finding.severity,
        "message": finding.message,
        "path": display_path(file.unit_path(finding.file)),
        "location": location(index, finding.span),
        "resource": finding.resource,
        "provenance": finding.provenance,
        "related": finding.related.iter().map(|r| {
            let idx = LineIndex::new(&file.unit[r.file].text);
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
    })
}

pub fn render(result: &ScanResult) -> String {
    let mut findings: Vec<Value> = Vec::new();
    for f in &result.files {
        if f.findings.is_empty() {
            continue;
        }
        let indexes: Vec<LineIndex> = f.unit.iter().map(|u| LineIndex::new(&u.text)).collect();
        findings.extend(
            f.findings
                .iter()
                .map(|x| finding_json(f, x, &indexes[x.file])),
        );
    }
    let files: Vec<Value> = result
        .files
        .iter()
        .map(|f| {
            let (status, reason) = match &f.status {
                FileStatus::Scanned => ("scanned", None),
                FileStatus::Skipped(r) => ("skipped", Some(r.as_str())),
                FileStatus::Failed => ("failed", None),
            };
            json!({
                "path": display_path(&f.path),
                "kind": f.kind.map(|k| k.as_str()),
                "status": status,
                "reason": reason,
                "findings": f.findings.len(),
            })
        })
        .collect();
    let doc = json!({
        "version": 1,
        "tool": {"name": "rampart", "version": env!("CARGO_PKG_VERSION")},
        "findings": findings,
        "files": files,
        "summary": Summary::of(result),
    });
    serde_json::to_string_pretty(&doc).expect("JSON values serialise") + "\n"
}
