//! One line per finding: `path:line:col: severity CODE name: message`.

use std::fmt::Write;

use super::display_path;
use crate::engine::ScanResult;
use crate::source::{ColumnUnit, LineIndex};

pub fn render(result: &ScanResult) -> String {
    let mut out = String::new();
    for file in &result.files {
        if file.active().next().is_none() {
            continue;
        }
        let index = LineIndex::new(file.text());
        for finding in file.active() {
            let pos = index.position(finding.span.start, ColumnUnit::Chars);
            let _ = writeln!(
                out,
                "{}:{}:{}: {} {} {}: {}",
                display_path(&file.path),
                pos.line,
                pos.column,
                finding.severity,
                finding.meta.code,
                finding.meta.name,
                finding.message
            );
        }
    }
    out
}
