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
