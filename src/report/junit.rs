//! JUnit XML: one test case per rule and file with findings (failing), and one passing test
//! case per checked file without findings, so CI dashboards show what was checked.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{display_path, text};
use crate::engine::ScanResult;
use crate::lint::FileStatus;
use crate::source::ColumnUnit;

use super::Locator;

/// An XML text or attribute value on one line. Control characters are escaped as in every
/// format (see [`text`]); U+FFFE and U+FFFF, which XML 1.0 forbids too, are written
/// `\u{fffe}` and `\u{ffff}`.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in text::line(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn render(result: &ScanResult) -> String {
    let mut cases = String::new();
    let (mut tests, mut failures) = (0, 0);
    for file in &result.files {
        if matches!(file.status, FileStatus::Skipped(_)) {
            continue;
        }
        let path = display_path(&file.path);
        let locator = Locator::new(file);
        let mut by_rule: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut names: BTreeMap<&str, &str> = BTreeMap::new();
        for f in file.active() {
            let (at, pos, _) = locator.locate(f, ColumnUnit::Chars);
            names.insert(f.meta.code, f.meta.name);
            by_rule.entry(f.meta.code).or_default().push(format!(
                "{}:{}:{}: {} {}",
                text::line_start_path(&at),
                pos.line,
                pos.column,
                f.severity,
                text::line(&f.message)
            ));
        }
        if by_rule.is_empty() {
            tests += 1;
            let _ = writeln!(
                cases,
                "    <testcase classname=\"{}\" name=\"no findings\"/>",
                escape(&path)
            );
            continue;
        }
        for (code, lines) in by_rule {
            tests += 1;
            failures += 1;
            let name = format!("{code} {}", names[code]);
            let _ = writeln!(
                cases,
                "    <testcase classname=\"{}\" name=\"{}\">\n      <failure message=\"{} finding{}\" type=\"{}\">{}</failure>\n    </testcase>",
                escape(&path),
                escape(&name),
                lines.len(),
                if lines.len() == 1 { "" } else { "s" },
                escape(code),
                lines.iter().map(|l| escape(l)).collect::<Vec<_>>().join("\n")
            );
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"rampart\" tests=\"{tests}\" failures=\"{failures}\">\n  <testsuite name=\"rampart\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n{cases}  </testsuite>\n</testsuites>\n"
    )
}
