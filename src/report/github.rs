//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

use std::fmt::Write;

use super::display_path;
use crate::engine::ScanResult;
use crate::rule::Severity;
use crate::source::{ColumnUnit, LineIndex};

/// Escape the message part of a workflow command.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value of a workflow command.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(result: &ScanResult) -> String {
    let mut out = String::new();
    for file in &result.files {
        let Some(_) = file.active().next() else {
            continue;
        };
        let index = LineIndex::new(file.text());
        for f in file.active() {
            let level = match f.severity {
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low => "notice",
            };
            let s = index.position(f.span.start, ColumnUnit::Chars);
            let e = index.position(f.span.end, ColumnUnit::Chars);
            let _ = writeln!(
                out,
                "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                property(&display_path(&file.path)),
                s.line,
                s.column,
                e.line,
                e.column,
                property(&format!("{} {} ({})", f.meta.code, f.meta.name, f.severity)),
                data(&f.message)
            );
        }
    }
    out
}
