//! GitLab Code Quality report (a JSON array of issues).

use serde_json::{json, Value};

use super::{display_path, fingerprint};
use crate::engine::ScanResult;
use crate::rule::Severity;
use crate::source::{ColumnUnit, LineIndex};

pub fn render(result: &ScanResult) -> String {
    let mut issues: Vec<Value> = Vec::new();
    for file in &result.files {
        let Some(_) = file.active().next() else {
            continue;
        };
        let index = LineIndex::new(file.text());
        for f in file.active() {
            let s = index.position(f.span.start, ColumnUnit::Chars);
            let e = index.position(f.span.end, ColumnUnit::Chars);
            issues.push(json!({
                "type": "issue",
                "description": format!("{} {}: {}", f.meta.code, f.meta.name, f.message),
                "check_name": f.meta.code,
                "categories": ["Security"],
                "fingerprint": fingerprint(file, f),
                "severity": match f.severity {
                    Severity::Critical => "critical",
                    Severity::High => "major",
                    Severity::Medium => "minor",
                    Severity::Low => "info",
                },
                "location": {
                    "path": display_path(&file.path),
                    "lines": {"begin": s.line, "end": e.line},
                },
            }));
        }
    }
    serde_json::to_string_pretty(&issues).expect("JSON values serialise") + "\n"
}
