//! One line per finding: `path:line:col: severity CODE name: message`.

use std::fmt::Write;

use super::{text, Locator};
use crate::engine::ScanResult;
use crate::lint::FileResult;
use crate::source::ColumnUnit;

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
    for finding in file.active() {
        let (path, pos, _) = locator.locate(finding, ColumnUnit::Chars);
        let _ = writeln!(
            out,
            "{}:{}:{}: {} {} {}: {}",
            text::line_start_path(&path),
            pos.line,
            pos.column,
            finding.severity,
            finding.meta.code,
            finding.meta.name,
            text::line(&finding.message)
        );
    }
    out
}
