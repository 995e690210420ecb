//! One line per finding: `path:line:col: severity CODE name: message`.

use std::fmt::Write;

use super::Locator;
use crate::engine::ScanResult;
use crate::source::ColumnUnit;

pub fn render(result: &ScanResult) -> String {
    let mut out = String::new();
    for file in &result.files {
        if file.active().next().is_none() {
            continue;
        }
        let locator = Locator::new(file);
        for finding in file.active() {
            let (path, pos, _) = locator.locate(finding, ColumnUnit::Chars);
            let _ = writeln!(
                out,
                "{}:{}:{}: {} {} {}: {}",
                path,
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
