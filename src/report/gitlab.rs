//! GitLab Code Quality report (a JSON array of issues).

use serde_json::{json, Value};

use super::{fingerprint, Locator};
use crate::engine::ScanResult;
use crate::rule::Severity;
use crate::source::ColumnUnit;

pub(crate) fn render(result: &ScanResult) -> String {
    let mut issues: Vec<Value> = Vec::new();
    for file in &result.files {
        let Some(_) = file.active().next() else {
            continue;
        };
        let locator = Locator::new(file);
        for f in file.active() {
            let (path, s, e) = locator.locate(f, ColumnUnit::Chars);
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
                    "path": path,
                    "lines": {"begin": s.line, "end": e.line},
                },
            }));
        }
    }
    super::text::json(crate::text::pretty_json(&issues)) + "\n"
}
