//! Code frames with the offending range underlined, and a closing summary.

use std::fmt::Write;

use annotate_snippets::{Level, Renderer, Snippet};

use super::summary::Tally;
use super::{display_path, text, Summary};
use crate::engine::ScanResult;
use crate::fix::Applicability;
use crate::lint::FileResult;
use crate::rule::{Finding, Severity};
use crate::source::ColumnUnit;

fn level(sev: Severity) -> Level {
    match sev {
        Severity::Critical | Severity::High => Level::Error,
        Severity::Medium => Level::Warning,
        Severity::Low => Level::Info,
    }
}

/// Bytes of source a code frame shows at most; past it, an excerpt of the first line.
const MAX_FRAME: usize = 4096;
/// Bytes shown on each side of the start of a finding in an excerpt.
const CONTEXT: usize = 80;

/// `at`, or the start of the character it falls in.
fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// One finding as a code frame.
pub fn render_finding(file: &FileResult, finding: &Finding, color: bool) -> String {
    let text = file.unit[finding.file].text.as_ref();
    let index = file.unit[finding.file].line_index();
    let path = text::line(&display_path(file.unit_path(finding.file))).into_owned();
    let title = format!("{}: {}", finding.meta.name, text::line(&finding.message));
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut footers = Vec::new();
    let fix_notes: Vec<String> = finding
        .fixes
        .iter()
        .map(|f| {
            let how = match f.applicability {
                Applicability::Safe => "safe fix",
                Applicability::Unsafe => "unsafe fix",
                Applicability::DisplayOnly => "suggestion",
            };
            format!("{} ({how})", text::line(&f.title))
        })
        .collect();
    for note in &fix_notes {
        footers.push(Level::Help.title(note));
    }
    let source_note = finding
        .provenance
        .as_ref()
        .map(|p| format!("from {}", text::line(p)));
    if let Some(n) = &source_note {
        footers.push(Level::Note.title(n));
    }
    let related_notes: Vec<String> = finding
        .related
        .iter()
        .map(|r| {
            let pos = file.unit[r.file]
                .line_index()
                .position(r.span.start, ColumnUnit::Chars);
            format!(
                "{}: {}:{}:{}",
                text::line(&r.message),
                text::line(&display_path(file.unit_path(r.file))),
                pos.line,
                pos.column
            )
        })
        .collect();
    for n in &related_notes {
        footers.push(Level::Note.title(n));
    }
    let severity = finding.severity.as_str();
    let pos = index.position(finding.span.start, ColumnUnit::Chars);
    let excerpt_note = format!(
        "at {path}:{}:{} (an excerpt of a long line)",
        pos.line, pos.column
    );
    let mut message = level(finding.severity).title(&title).id(finding.meta.code);
    let window;
    let first = index.line_of(finding.span.start);
    let line_text = &text[index.line_start(first)..index.line_end(first)];
    if text.is_empty() || line_text.trim().is_empty() {
        let location = format!("at {path}:{}:{}", pos.line, pos.column);
        window = location;
        message = message.footer(Level::Note.title(&window));
    } else {
        // Show only the lines around the finding.
        let last = index.line_of(finding.span.end.saturating_sub(1).max(finding.span.start));
        let last = last.min(first + 12);
        let mut start = index.line_start(first);
        let mut end = index.line_end(last);
        let mut origin = Some(path.as_str());
        if end - start > MAX_FRAME {
            // A long line (minified JSON is one line): an excerpt around the start of the
            // finding, located by a note since the frame no longer starts at column 1.
            start = floor_boundary(text, finding.span.start.saturating_sub(CONTEXT).max(start));
            end = floor_boundary(
                text,
                (finding.span.start + CONTEXT).min(index.line_end(first)),
            );
            origin = None;
        }
        let mut span = (finding.span.start - start)..(finding.span.end.min(end) - start);
        if span.is_empty() {
            // An empty range: underline the character there, if any.
            let ch = text[finding.span.start..end]
                .chars()
                .next()
                .map(char::len_utf8)
                .unwrap_or(0);
            span = span.start..span.start + ch;
        }
        // The source lines as the terminal may show them; the range follows the escapes.
        let (shown, at) = text::block_with_offsets(&text[start..end], &[span.start, span.end]);
        window = shown;
        span = at[0]..at[1];
        let mut snippet = Snippet::source(&window)
            .line_start(first + 1)
            .fold(false)
            .annotation(Level::Error.span(span).label(severity));
        if let Some(origin) = origin {
            snippet = snippet.origin(origin);
        }
        message = message.snippet(snippet);
        if origin.is_none() {
            footers.push(Level::Note.title(&excerpt_note));
        }
    }
    for f in footers {
        message = message.footer(f);
    }
    let rendered = renderer.render(message).to_string();
    rendered
}

/// The findings with their source; then, unless `summary` is off, the counts: tables by file
/// kind, rule and file when findings are spread over several files, and a closing line.
pub fn render(result: &ScanResult, color: bool, summary: bool) -> String {
    let mut out = String::new();
    let mut tally = Tally::new();
    for file in &result.files {
        tally.add(file);
        for finding in file.active() {
            out.push_str(&render_finding(file, finding, color));
            out.push_str("\n\n");
        }
    }
    if !summary {
        return out;
    }
    if tally.files_with_findings() > 1 {
        out.push_str(&tally.render_tables());
        out.push('\n');
    }
    out.push_str(&summary_line(result));
    out
}

pub(crate) fn summary_line(result: &ScanResult) -> String {
    let s = Summary::of(result);
    let mut out = String::new();
    let files = format!(
        "{} file{} checked",
        s.files_scanned,
        if s.files_scanned == 1 { "" } else { "s" }
    );
    let mut extra = Vec::new();
    if s.files_skipped > 0 {
        extra.push(format!("{} skipped", s.files_skipped));
    }
    if s.files_failed > 0 {
        extra.push(format!("{} unreadable or unparsable", s.files_failed));
    }
    if s.suppressed > 0 {
        extra.push(format!(
            "{} suppressed",
            super::count(s.suppressed, "finding", "findings")
        ));
    }
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(" ({})", extra.join(", "))
    };
    if s.findings == 0 {
        let _ = writeln!(out, "No problems found; {files}{extra}.");
    } else {
        let by: Vec<String> = ["critical", "high", "medium", "low"]
            .iter()
            .filter_map(|k| {
                let n = s.by_severity.get(k).copied().unwrap_or(0);
                (n > 0).then(|| format!("{n} {k}"))
            })
            .collect();
        let fixable = result
            .files
            .iter()
            .flat_map(|f| f.active())
            .filter(|f| !f.fixes.is_empty())
            .count();
        let with_findings = result
            .files
            .iter()
            .filter(|f| f.active().next().is_some())
            .count();
        let _ = writeln!(
            out,
            "Found {} problem{} ({}) in {} file{}; {files}{extra}. {fixable} with a fix or suggestion.",
            s.findings,
            if s.findings == 1 { "" } else { "s" },
            by.join(", "),
            with_findings,
            if with_findings == 1 { "" } else { "s" },
        );
    }
    out
}
