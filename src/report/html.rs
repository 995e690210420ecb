//! The HTML report: one self-contained page for an audit (`--format html --output r.html`).
//!
//! Everything is inside the file: the style sheet, the charts (inline SVG) and a small script
//! for filtering and sorting. Nothing is fetched: no fonts, scripts or images from elsewhere,
//! and the page says so in its Content-Security-Policy. Without JavaScript the page is whole
//! (every finding is in the table, snippets open on click); with it, the table filters by
//! severity, rule, file and text, sorts by any column, and shows a page of rows at a time.
//!
//! Every text that comes from a scanned file (paths, messages, snippets, suppression reasons)
//! is escaped for HTML, and control and bidi characters are escaped as in every format, so a
//! hostile file cannot add markup, scripts or misleading text to the report.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{display_path, text, Locator, Summary};
use crate::engine::ScanResult;
use crate::lint::{FileResult, FileStatus};
use crate::rule::{Finding, RuleMeta, Severity};
use crate::source::{ColumnUnit, LineIndex};

/// Snippet lines shown around a finding (before and after its lines).
const CONTEXT_LINES: usize = 1;
/// A snippet line longer than this is cut (minified files would make the report huge).
const MAX_LINE_CHARS: usize = 240;
/// A finding spanning more lines shows only this many of them.
const MAX_SPAN_LINES: usize = 6;
/// Rules in the "most frequent" chart.
const TOP_RULES: usize = 10;

pub(crate) const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// What the page says about the scan besides its results.
pub(crate) struct HtmlOptions<'a> {
    /// The link to a rule's page, if there is one.
    pub rule_url: &'a dyn Fn(&RuleMeta) -> Option<String>,
    /// The scan's settings worth showing an auditor (name, value).
    pub settings: Vec<(String, String)>,
    /// Notes of the scan (overlays not rendered, modules not available).
    pub notes: Vec<String>,
}

/// Text for HTML content and attribute values: `&<>"'` escaped, and control and bidi
/// characters written as visible escapes (as in every report).
pub(crate) fn esc(s: &str) -> String {
    let line = text::line(s);
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A URL for an `href`: only http(s) links are written (anything else could run script).
pub(crate) fn href(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| esc(url))
}

const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

pub(crate) fn render(result: &ScanResult, options: &HtmlOptions<'_>) -> String {
    let summary = Summary::of(result);
    let mut out = String::with_capacity(64 * 1024);
    head(&mut out, &summary);
    overview(&mut out, &summary, options);
    charts(&mut out, &summary, result);
    findings_table(&mut out, result, options);
    suppressed_table(&mut out, result);
    skipped_list(&mut out, result);
    let _ = write!(
        out,
        "</main>\n<footer>rampart {} &middot; offline report: nothing on this page was fetched</footer>\n<script>\n{SCRIPT}</script>\n</body>\n</html>\n",
        esc(env!("CARGO_PKG_VERSION"))
    );
    out
}

fn head(out: &mut String, summary: &Summary) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
<title>rampart report: {} findings</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
<header><h1>rampart report</h1></header>\n<main>\n",
        summary.findings
    );
}

fn overview(out: &mut String, summary: &Summary, options: &HtmlOptions<'_>) {
    out.push_str("<section id=\"overview\"><h2>Overview</h2>\n<dl class=\"counts\">\n");
    let items = [
        ("Findings", summary.findings, "findings"),
        ("Suppressed", summary.suppressed, "suppressed"),
        ("Files checked", summary.files_scanned, "files-scanned"),
        ("Files skipped", summary.files_skipped, "files-skipped"),
        ("Files that failed", summary.files_failed, "files-failed"),
    ];
    for (label, n, id) in items {
        let _ = writeln!(
            out,
            "<div><dt>{label}</dt><dd id=\"count-{id}\" data-count=\"{n}\">{n}</dd></div>"
        );
    }
    out.push_str("</dl>\n");
    for note in &options.notes {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(note));
    }
    if !options.settings.is_empty() {
        out.push_str("<details class=\"settings\"><summary>Scan settings</summary><table>\n");
        for (k, v) in &options.settings {
            let _ = writeln!(out, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
        }
        out.push_str("</table></details>\n");
    }
    out.push_str("</section>\n");
}

/// One horizontal bar chart as inline SVG: a row per (label, count, class).
pub(crate) fn bar_chart(out: &mut String, title: &str, rows: &[(String, usize, &str)]) {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let (row_h, label_w, bar_w) = (26, 150, 300);
    let height = row_h * rows.len().max(1) + 8;
    let _ = write!(
        out,
        "<figure class=\"chart\"><figcaption>{}</figcaption>\n<svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\">\n",
        esc(title),
        esc(title),
        label_w + bar_w + 60
    );
    for (i, (label, n, class)) in rows.iter().enumerate() {
        let y = 4 + i * row_h;
        let w = if *n == 0 {
            0
        } else {
            (*n * bar_w).div_ceil(max).max(2)
        };
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect class=\"{class}\" x=\"{label_w}\" y=\"{}\" width=\"{w}\" height=\"{}\"/><text x=\"{}\" y=\"{}\">{n}</text>",
            label_w - 8,
            y + 17,
            esc(label),
            y + 3,
            row_h - 8,
            label_w + w + 6,
            y + 17,
        );
    }
    out.push_str("</svg></figure>\n");
}

fn charts(out: &mut String, summary: &Summary, result: &ScanResult) {
    out.push_str("<section id=\"charts\"><h2>At a glance</h2><div class=\"charts\">\n");
    let by_severity: Vec<(String, usize, &str)> = SEVERITIES
        .iter()
        .map(|s| {
            let n = summary.by_severity.get(s.as_str()).copied().unwrap_or(0);
            (s.as_str().to_string(), n, s.as_str())
        })
        .collect();
    bar_chart(out, "Findings by severity", &by_severity);
    let mut rules: Vec<(&str, usize)> = summary.by_rule.iter().map(|(c, n)| (*c, *n)).collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let top: Vec<(String, usize, &str)> = rules
        .iter()
        .take(TOP_RULES)
        .map(|(c, n)| (c.to_string(), *n, "rule"))
        .collect();
    if !top.is_empty() {
        bar_chart(out, "Most frequent rules", &top);
    }
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &result.files {
        if let (Some(kind), FileStatus::Scanned) = (f.kind, &f.status) {
            *kinds.entry(kind.as_str()).or_default() += 1;
        }
    }
    let kinds: Vec<(String, usize, &str)> = kinds
        .into_iter()
        .map(|(k, n)| (k.to_string(), n, "kind"))
        .collect();
    if !kinds.is_empty() {
        bar_chart(out, "Files checked by kind", &kinds);
    }
    out.push_str("</div></section>\n");
}

/// The lines of the finding with a little context, the offending span marked.
fn snippet(out: &mut String, index: &LineIndex<'_>, text: &str, f: &Finding) {
    let start = index.position(f.span.start, ColumnUnit::Utf8);
    let end = index.position(f.span.end, ColumnUnit::Utf8);
    let last_marked = end.line.min(start.line + MAX_SPAN_LINES - 1);
    let first = start.line.saturating_sub(CONTEXT_LINES).max(1);
    let last = last_marked + CONTEXT_LINES;
    out.push_str("<pre class=\"snippet\"><code>");
    for (no, line) in text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .skip(first - 1)
        .take(last + 1 - first)
    {
        let line_start = index.offset(no - 1, 0, ColumnUnit::Utf8);
        let (a, b) = if no < start.line || no > last_marked {
            (line.len(), line.len())
        } else {
            let a = if no == start.line {
                f.span.start - line_start
            } else {
                0
            };
            let b = if no == end.line {
                f.span.end - line_start
            } else {
                line.len()
            };
            (a.min(line.len()), b.min(line.len()).max(a.min(line.len())))
        };
        let cut = |s: &str, room: usize| -> String {
            if s.chars().count() > room {
                let t: String = s.chars().take(room).collect();
                format!("{}…", esc(&t))
            } else {
                esc(s)
            }
        };
        let (before, marked, after) = (
            line.get(..a).unwrap_or(""),
            line.get(a..b).unwrap_or(""),
            line.get(b..).unwrap_or(""),
        );
        let room = MAX_LINE_CHARS;
        let before_c = before.chars().count().min(room);
        let marked_c = marked.chars().count().min(room - before_c);
        let _ = write!(
            out,
            "<span class=\"ln\">{no:>5}</span> {}",
            cut(before, room)
        );
        if !marked.is_empty() {
            let _ = write!(out, "<mark>{}</mark>", cut(marked, marked_c.max(1)));
        }
        let _ = writeln!(out, "{}", cut(after, room - before_c - marked_c));
    }
    out.push_str("</code></pre>");
}

fn findings_table(out: &mut String, result: &ScanResult, options: &HtmlOptions<'_>) {
    out.push_str(
        "<section id=\"findings\"><h2>Findings</h2>\n\
<form class=\"filters\" hidden>\
<label>Severity <select id=\"f-severity\"><option value=\"\">any</option><option>critical</option><option>high</option><option>medium</option><option>low</option></select></label> \
<label>Rule <input id=\"f-rule\" list=\"rules\" placeholder=\"code or name\"></label> \
<label>File <input id=\"f-file\" placeholder=\"path contains\"></label> \
<label>Text <input id=\"f-text\" placeholder=\"message contains\"></label> \
<output id=\"f-shown\"></output></form>\n\
<table id=\"findings-table\"><thead><tr>\
<th data-sort=\"sev\">Severity</th><th data-sort=\"rule\">Rule</th><th data-sort=\"file\">Location</th><th data-sort=\"text\">Finding</th></tr></thead>\n<tbody>\n",
    );
    let mut rules: BTreeMap<&str, &RuleMeta> = BTreeMap::new();
    for file in &result.files {
        if !file.findings.iter().any(|f| f.suppressed.is_none()) {
            continue;
        }
        let locator = Locator::new(file);
        for f in file.active() {
            rules.insert(f.meta.code, f.meta);
            finding_row(out, file, &locator, f);
        }
    }
    out.push_str("</tbody></table>\n<nav class=\"pages\" hidden></nav>\n<datalist id=\"rules\">");
    for meta in rules.values() {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            esc(meta.code),
            esc(meta.name)
        );
    }
    out.push_str("</datalist></section>\n");
    rules_table(out, &rules, options);
}

/// The rules that fired: title, severity and the link to each one's page.
fn rules_table(out: &mut String, rules: &BTreeMap<&str, &RuleMeta>, options: &HtmlOptions<'_>) {
    if rules.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"rules\"><h2>Rules that fired ({})</h2>\n<table class=\"rules\"><thead><tr><th>Rule</th><th>Severity</th><th>What it flags</th></tr></thead><tbody>\n",
        rules.len()
    );
    for meta in rules.values() {
        let code = match (options.rule_url)(meta).as_deref().and_then(href) {
            Some(url) => format!("<a href=\"{url}\">{}</a>", esc(meta.code)),
            None => esc(meta.code),
        };
        let _ = writeln!(
            out,
            "<tr id=\"rule-{}\"><td>{code}<br><small>{}</small></td><td>{}</td><td>{}</td></tr>",
            esc(meta.code),
            esc(meta.name),
            meta.severity.as_str(),
            esc(meta.title)
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn finding_row(out: &mut String, file: &FileResult, locator: &Locator<'_>, f: &Finding) {
    let (path, pos, _) = locator.locate(f, ColumnUnit::Chars);
    let sev = f.severity.as_str();
    let rank = SEVERITIES
        .iter()
        .position(|s| *s == f.severity)
        .unwrap_or(4);
    // The rule's page link is in the table of rules, once (a corpus has thousands of rows).
    let _ = write!(
        out,
        "<tr data-sev=\"{sev}\" data-rank=\"{rank}\" data-line=\"{}\">\
<td><span class=\"sev {sev}\">{sev}</span></td><td><a href=\"#rule-{}\">{}</a><br><small>{}</small></td>\
<td class=\"loc\">{}:{}:{}{}</td><td><p>{}</p>",
        pos.line,
        esc(f.meta.code),
        esc(f.meta.code),
        esc(f.meta.name),
        esc(&path),
        pos.line,
        pos.column,
        f.resource
            .as_deref()
            .map(|r| format!("<br><small>{}</small>", esc(r)))
            .unwrap_or_default(),
        esc(&f.message),
    );
    let source = &file.unit[f.file];
    if !source.text.is_empty() && f.span.end <= source.text.len() {
        out.push_str("<details><summary>code</summary>");
        snippet(out, &source.line_index(), &source.text, f);
        out.push_str("</details>");
    }
    out.push_str("</td></tr>\n");
}

/// Findings a suppression or the baseline accepted: exceptions, with their reasons.
fn suppressed_table(out: &mut String, result: &ScanResult) {
    let rows: Vec<(&FileResult, &Finding)> = result
        .files
        .iter()
        .flat_map(|file| {
            file.findings
                .iter()
                .filter(|f| f.suppressed.is_some())
                .map(move |f| (file, f))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"suppressed\"><h2>Accepted exceptions ({})</h2>\n<details><summary>Suppressed findings and their reasons</summary>\n<table><thead><tr><th>Rule</th><th>Location</th><th>Finding</th><th>Reason</th></tr></thead><tbody>\n",
        rows.len()
    );
    for (file, f) in rows {
        let (path, pos, _) = Locator::new(file).locate(f, ColumnUnit::Chars);
        let reason = f
            .suppressed
            .as_ref()
            .map(|s| s.justification.as_str())
            .filter(|j| !j.is_empty())
            .unwrap_or("(no reason given)");
        let _ = writeln!(
            out,
            "<tr class=\"suppressed\"><td>{}</td><td class=\"loc\">{}:{}</td><td>{}</td><td>{}</td></tr>",
            esc(f.meta.code),
            esc(&path),
            pos.line,
            esc(&f.message),
            esc(reason)
        );
    }
    out.push_str("</tbody></table></details></section>\n");
}

fn skipped_list(out: &mut String, result: &ScanResult) {
    let skipped: Vec<(&FileResult, &str)> = result
        .files
        .iter()
        .filter_map(|f| match &f.status {
            FileStatus::Skipped(reason) => Some((f, reason.as_str())),
            _ => None,
        })
        .collect();
    if skipped.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"skipped\"><h2>Files not checked ({})</h2>\n<details><summary>Why each was skipped</summary><ul>\n",
        skipped.len()
    );
    for (f, reason) in skipped {
        let _ = writeln!(
            out,
            "<li><span class=\"loc\">{}</span>: {}</li>",
            esc(&display_path(&f.path)),
            esc(reason)
        );
    }
    out.push_str("</ul></details></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_scanned_text_is_escaped() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        // Control and bidi characters are visible escapes, not live characters.
        assert!(!esc("a\u{202e}b\u{1b}[2J").contains('\u{202e}'));
        assert!(!esc("a\u{1b}[2J").contains('\u{1b}'));
    }

    #[test]
    fn only_http_links_are_written() {
        assert_eq!(
            href("https://x.example/a?b=1&c=2").as_deref(),
            Some("https://x.example/a?b=1&amp;c=2")
        );
        assert_eq!(href("javascript:alert(1)"), None);
        assert_eq!(href("data:text/html,<b>"), None);
    }
}
