//! The compliance report as a table for people and as JSON for programs
//! (the schema is documented in docs/compliance.md).

use std::fmt::Write;

use super::{Report, Status};
use crate::report::text;

/// Findings listed under a failed control before "and N more".
const SHOWN: usize = 5;

pub(crate) fn human(reports: &[Report]) -> String {
    let mut out = String::new();
    for r in reports {
        let _ = writeln!(out, "{} ({})", text::line(&r.name), text::line(&r.version));
        let _ = writeln!(out, "{}\n", text::line(&r.url));
        let id_w = r
            .controls
            .iter()
            .map(|c| c.id.chars().count())
            .max()
            .unwrap_or(2)
            .max(2);
        let _ = writeln!(out, "  {:id_w$}  {:<14}  CONTROL", "ID", "STATUS");
        for c in &r.controls {
            let _ = writeln!(
                out,
                "  {:id_w$}  {:<14}  {}",
                text::line(&c.id),
                c.status.as_str(),
                text::line(&c.title)
            );
            let indent = " ".repeat(id_w + 20);
            if !c.rules.is_empty() {
                let _ = writeln!(out, "{indent}rules: {}", c.rules.join(", "));
            }
            if let Some(reason) = &c.reason {
                if c.status != Status::Pass {
                    let _ = writeln!(out, "{indent}{}", text::line(reason));
                }
            }
            for e in c.findings.iter().take(SHOWN) {
                let _ = writeln!(
                    out,
                    "{indent}{}:{}:{} {} {}",
                    text::line_start_path(&e.path),
                    e.line,
                    e.column,
                    e.code,
                    text::line(&e.message)
                );
            }
            if c.findings.len() > SHOWN {
                let _ = writeln!(out, "{indent}and {} more", c.findings.len() - SHOWN);
            }
            for e in c.exceptions.iter().take(SHOWN) {
                let why = e.accepted.as_ref().map(|a| a.reason.as_str()).unwrap_or("");
                let _ = writeln!(
                    out,
                    "{indent}accepted: {}:{} {} ({})",
                    text::line_start_path(&e.path),
                    e.line,
                    e.code,
                    if why.is_empty() {
                        "no reason given".into()
                    } else {
                        text::line(why)
                    }
                );
            }
            if c.exceptions.len() > SHOWN {
                let _ = writeln!(
                    out,
                    "{indent}and {} more accepted",
                    c.exceptions.len() - SHOWN
                );
            }
        }
        let t = &r.totals;
        let score = match t.score {
            Some(s) => format!("; {s}% of the decided controls pass"),
            None => "; no control could be decided from this scan".into(),
        };
        let _ = writeln!(
            out,
            "\n{} controls: {} passed, {} failed, {} accepted as exceptions, {} manual, {} not applicable{score}\n",
            t.controls, t.pass, t.fail, t.exception, t.manual, t.not_applicable
        );
    }
    out
}

pub(crate) fn json(reports: &[Report]) -> String {
    let doc = serde_json::json!({
        "version": 1,
        "tool": {"name": "rampart", "version": env!("CARGO_PKG_VERSION")},
        "frameworks": reports,
    });
    // Serialising values built from strings and numbers cannot fail.
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// The compliance report as one self-contained HTML page, in the scan report's style: per
/// framework a status chart, the totals and a row per control with its rules, findings and
/// accepted exceptions.
pub(crate) fn html(reports: &[Report]) -> String {
    use crate::report::html::{bar_chart, esc, href, STYLE};
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
<title>rampart compliance</title>\n<style>\n{STYLE}\n.status-fail {{ color: var(--high); font-weight: 600; }}\n.status-pass {{ color: #1a7f37; font-weight: 600; }}\n</style>\n</head>\n<body>\n<header><h1>rampart compliance</h1></header>\n<main>\n"
    );
    for r in reports {
        let link = href(&r.url)
            .map(|u| format!(" <a href=\"{u}\">{}</a>", esc(&r.url)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<section class=\"framework\" id=\"{}\"><h2>{} ({})</h2><p>{link}</p>",
            esc(&r.framework),
            esc(&r.name),
            esc(&r.version)
        );
        let t = &r.totals;
        let rows: Vec<(String, usize, &str)> = vec![
            ("pass".into(), t.pass, "low"),
            ("fail".into(), t.fail, "high"),
            ("exception".into(), t.exception, "medium"),
            ("manual".into(), t.manual, "rule"),
            ("not applicable".into(), t.not_applicable, "kind"),
        ];
        bar_chart(&mut out, "Controls by status", &rows);
        let score = t
            .score
            .map(|s| format!("{s}% of the decided controls pass"))
            .unwrap_or_else(|| "no control could be decided from this scan".into());
        let _ = write!(
            out,
            "<p class=\"totals\" data-controls=\"{}\">{} controls: {} passed, {} failed, {} accepted as exceptions, {} manual, {} not applicable; {score}</p>\n\
<table class=\"rules\"><thead><tr><th>Control</th><th>Status</th><th>Rules</th><th>Evidence</th></tr></thead><tbody>\n",
            t.controls, t.controls, t.pass, t.fail, t.exception, t.manual, t.not_applicable
        );
        for c in &r.controls {
            control_row(&mut out, c);
        }
        out.push_str("</tbody></table></section>\n");
    }
    let _ = write!(
        out,
        "</main>\n<footer>rampart {} &middot; offline report: nothing on this page was fetched</footer>\n</body>\n</html>\n",
        esc(env!("CARGO_PKG_VERSION"))
    );
    out
}

/// One control of the HTML page: ID and title, status, rules, and the evidence.
fn control_row(out: &mut String, c: &super::ControlResult) {
    use crate::report::html::esc;
    let status = c.status.as_str();
    let _ = write!(
        out,
        "<tr class=\"control\" data-status=\"{}\"><td><b>{}</b><br><small>{}</small></td><td class=\"status-{}\">{status}</td><td>{}</td><td>",
        status.replace(' ', "-"),
        esc(&c.id),
        esc(&c.title),
        status.replace(' ', "-"),
        esc(&c.rules.join(", "))
    );
    if let Some(reason) = &c.reason {
        let _ = write!(out, "<p>{}</p>", esc(reason));
    }
    for e in &c.findings {
        let _ = write!(
            out,
            "<p class=\"loc\">{}:{}:{} {} {}</p>",
            esc(&e.path),
            e.line,
            e.column,
            esc(e.code),
            esc(&e.message)
        );
    }
    for e in &c.exceptions {
        let why = e.accepted.as_ref().map(|a| a.reason.as_str()).unwrap_or("");
        let _ = write!(
            out,
            "<p class=\"loc\">accepted: {}:{} {} ({})</p>",
            esc(&e.path),
            e.line,
            esc(e.code),
            if why.is_empty() {
                "no reason given".into()
            } else {
                esc(why)
            }
        );
    }
    out.push_str("</td></tr>\n");
}
