//! Code frames with the offending range underlined, and a closing summary.

use std::fmt::Write;

use annotate_snippets::{Level, Renderer, Snippet};

use super::summary::Tally;
use super::{display_path, text, Summary};
use crate::engine::ScanResult;
use crate::fix::Applicability;
use crate::lint::FileResult;
use crate::rule::{DocsUrl, Finding, Severity};
use crate::source::{ColumnUnit, LineIndex, Span};

/// The level a severity is drawn with (its colour), and the word annotate-snippets writes for
/// that level, which the frame's header replaces with the severity: rampart has one scale.
fn level(sev: Severity) -> (Level, &'static str) {
    match sev {
        Severity::Critical | Severity::High => (Level::Error, "error"),
        Severity::Medium => (Level::Warning, "warning"),
        Severity::Low => (Level::Info, "info"),
    }
}

/// `rendered` with the level word of its header (`warning[K8S-028]: …`) replaced by the
/// severity (`medium[K8S-028]: …`), styling kept: the word is the first one of the first line,
/// after the escape sequences that colour it.
fn with_severity(rendered: String, word: &str, severity: &str) -> String {
    let header_end = rendered.find('\n').unwrap_or(rendered.len());
    match rendered[..header_end].find(word) {
        Some(at) => format!(
            "{}{severity}{}",
            &rendered[..at],
            &rendered[at + word.len()..]
        ),
        None => rendered,
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
    render_finding_linked(file, finding, color, None)
}

/// One finding as a code frame, with its rule's page at `docs` when the user configured where
/// rule pages are.
pub fn render_finding_linked(
    file: &FileResult,
    finding: &Finding,
    color: bool,
    docs: Option<&DocsUrl>,
) -> String {
    let text = file.unit[finding.file].text.as_ref();
    let index = file.unit[finding.file].line_index();
    let path = text::line(&display_path(file.unit_path(finding.file))).into_owned();
    let title = format!("{}: {}", finding.meta.name, text::line(&finding.message));
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let (helps, notes) = footnotes(file, finding);
    let explain = match docs {
        Some(d) => format!(
            "rampart explain {}, or {}",
            finding.meta.code,
            text::line(&d.link(finding.meta))
        ),
        None => format!("rampart explain {}", finding.meta.code),
    };
    let mut footers: Vec<_> = helps.iter().map(|h| Level::Help.title(h)).collect();
    footers.extend(notes.iter().map(|n| Level::Note.title(n)));
    let severity = finding.severity.as_str();
    let pos = index.position(finding.span.start, ColumnUnit::Chars);
    let excerpt_note = format!(
        "at {path}:{}:{} (an excerpt of a long line)",
        pos.line, pos.column
    );
    let (level, word) = level(finding.severity);
    let mut message = level.title(&title).id(finding.meta.code);
    let window;
    let first = index.line_of(finding.span.start);
    let line_text = &text[index.line_start(first)..index.line_end(first)];
    if text.is_empty() || line_text.trim().is_empty() {
        window = format!("at {path}:{}:{}", pos.line, pos.column);
        message = message.footer(Level::Note.title(&window));
    } else {
        let (start, end, excerpt) = frame(text, &index, finding.span);
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
            // `^` under the exact range whatever the severity (other levels draw `-`).
            .annotation(Level::Error.span(span));
        if excerpt {
            footers.push(Level::Note.title(&excerpt_note));
        } else {
            snippet = snippet.origin(&path);
        }
        message = message.snippet(snippet);
    }
    footers.push(Level::Help.title(&explain));
    for f in footers {
        message = message.footer(f);
    }
    // Bound before it is returned: the rendering borrows the locals above.
    let rendered = renderer.render(message).to_string();
    with_severity(rendered, word, severity)
}

/// The help lines (each fix, and how safe it is) and the notes (where the finding came from,
/// its related locations) under a finding.
fn footnotes(file: &FileResult, finding: &Finding) -> (Vec<String>, Vec<String>) {
    let helps = finding
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
    let mut notes: Vec<String> = finding
        .provenance
        .iter()
        .map(|p| format!("from {}", text::line(p)))
        .collect();
    notes.extend(finding.related.iter().chain(&finding.rendered).map(|r| {
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
    }));
    (helps, notes)
}

/// The part of `text` shown around `span`: its lines (at most 13), or, for a long line
/// (minified JSON is one line), an excerpt around the start of the finding; whether it is an
/// excerpt (then a note locates it, since the frame no longer starts at column 1).
fn frame(text: &str, index: &LineIndex<'_>, span: Span) -> (usize, usize, bool) {
    let first = index.line_of(span.start);
    let last = index.line_of(span.end.saturating_sub(1).max(span.start));
    let last = last.min(first + 12);
    let start = index.line_start(first);
    let end = index.line_end(last);
    if end - start <= MAX_FRAME {
        return (start, end, false);
    }
    let start = floor_boundary(text, span.start.saturating_sub(CONTEXT).max(start));
    let end = floor_boundary(text, (span.start + CONTEXT).min(index.line_end(first)));
    (start, end, true)
}

/// The findings with their source (linked to the rule pages at `docs`, when configured); then,
/// unless `summary` is off, the counts: tables by file kind, rule and file when findings are
/// spread over several files, and a closing line with what the fix labels mean.
pub fn render(result: &ScanResult, color: bool, summary: bool, docs: Option<&DocsUrl>) -> String {
    let mut out = String::new();
    let mut tally = Tally::new();
    for file in &result.files {
        tally.add(file);
        for finding in file.active() {
            out.push_str(&render_finding_linked(file, finding, color, docs));
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
    out.push_str(&fix_labels(result));
    out
}

/// What "(safe fix)" and "(unsafe fix)" under the findings mean and how to apply them, once
/// per report; nothing when no finding shown has such a fix.
fn fix_labels(result: &ScanResult) -> String {
    let shown = |a: Applicability| {
        result
            .files
            .iter()
            .flat_map(|f| f.active())
            .any(|f| f.fixes.iter().any(|x| x.applicability == a))
    };
    let mut out = String::new();
    if shown(Applicability::Safe) {
        out.push_str("Safe fixes do not change what gets deployed: apply them with `--fix`.\n");
    }
    if shown(Applicability::Unsafe) {
        out.push_str(
            "Unsafe fixes change what gets deployed: review them with `--diff --unsafe-fixes`, then apply them with `--fix --unsafe-fixes`.\n",
        );
    }
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
