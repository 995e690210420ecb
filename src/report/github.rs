//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

use std::fmt::Write;

use super::{text, Locator};
use crate::engine::ScanResult;
use crate::lint::FileResult;
use crate::rule::Severity;
use crate::source::ColumnUnit;

/// Escape the message part of a workflow command: control characters as in every format,
/// then the command's own encoding.
fn data(s: &str) -> String {
    text::line(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value of a workflow command.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub(crate) fn render(result: &ScanResult) -> String {
    result.files.iter().map(render_file).collect()
}

/// The lines of one file's findings.
pub(crate) fn render_file(file: &FileResult) -> String {
    let mut out = String::new();
    if file.active().next().is_none() {
        return out;
    }
    let locator = Locator::new(file);
    for f in file.active() {
        let level = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low => "notice",
        };
        let (path, s, e) = locator.locate(f, ColumnUnit::Chars);
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&path),
            s.line,
            s.column,
            e.line,
            e.column,
            property(&format!("{} {} ({})", f.meta.code, f.meta.name, f.severity)),
            data(&f.message)
        );
    }
    out
}
