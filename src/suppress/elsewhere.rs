//! Where the rules an unused suppression names are reported instead, for its message.

use super::{names, Suppression};
use crate::rule::{Finding, Related, RuleMeta};
use crate::source::LineIndex;

/// Lines listed by number where a rule is reported, at most.
const LISTED_LINES: usize = 3;
/// Characters of the line shown after the only line a rule is reported at.
const SHOWN_LINE: usize = 40;

/// Where the rules an unused suppression names (those that ran) are reported in this file:
/// "DOCKER-002 is reported at line 1 (`FROM alpine:3.19`)", "K8S-006 is reported at lines 7, 19
/// and 31", or "K8S-001 found nothing in this file"; with the first finding of each rule as a
/// related location, so that an editor can go there.
pub(super) fn reported_elsewhere(
    s: &Suppression,
    findings: &[Finding],
    file: usize,
    text: &str,
    index: &LineIndex,
    ran: &dyn Fn(&RuleMeta) -> bool,
) -> (String, Vec<Related>) {
    // In the order the comment names them.
    let all = crate::rules::metas();
    let mut rules: Vec<&'static RuleMeta> = Vec::new();
    for sel in &s.selectors {
        for m in all.iter().filter(|m| names(m, sel) && ran(m)) {
            if !rules.iter().any(|r| r.code == m.code) {
                rules.push(m);
            }
        }
    }
    let mut parts = Vec::new();
    let mut related = Vec::new();
    for meta in rules {
        let mut at: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.file == file && f.meta.code == meta.code)
            .collect();
        at.sort_by_key(|f| f.span.start);
        at.dedup_by_key(|f| index.line_of(f.span.start));
        let Some(first) = at.first() else {
            parts.push(format!("{} found nothing in this file", meta.code));
            continue;
        };
        related.push(Related {
            file,
            span: first.span,
            message: format!("{} is reported here", meta.code),
        });
        let line = |f: &Finding| (index.line_of(f.span.start) + 1).to_string();
        if at.len() == 1 {
            let n = index.line_of(first.span.start);
            let shown = text[index.line_start(n)..index.line_end(n)].trim();
            let cut: String = shown.chars().take(SHOWN_LINE).collect();
            let more = if cut.len() < shown.len() { "…" } else { "" };
            parts.push(format!(
                "{} is reported at line {} (`{cut}{more}`)",
                meta.code,
                line(first)
            ));
            continue;
        }
        let mut lines: Vec<String> = at.iter().take(LISTED_LINES).map(|f| line(f)).collect();
        if at.len() > LISTED_LINES {
            lines.push(format!("{} more", at.len() - LISTED_LINES));
        }
        let last = lines.pop().unwrap_or_default();
        parts.push(format!(
            "{} is reported at lines {} and {last}",
            meta.code,
            lines.join(", ")
        ));
    }
    (parts.join("; "), related)
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::rule::Finding;

    #[test]
    fn an_unused_suppression_lists_the_lines_its_rule_is_reported_at() {
        let mut text = String::from(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n# rampart:ignore[missing-resource-limits, K8S-001] sized later\nspec:\n  containers:\n",
        );
        for n in 0..5 {
            text.push_str(&format!("    - name: c{n}\n      image: app:1.2.0\n"));
        }
        let config = Config {
            select: vec!["K8S-006".into(), "K8S-001".into(), "RAMPART-004".into()],
            ..Config::default()
        };
        let result = crate::lint::lint_one(crate::lint::Unit::file(
            std::path::Path::new("pod.yaml"),
            &text,
            crate::source::FileKind::Kubernetes,
            &config,
        ));
        let unused: Vec<&Finding> = result
            .findings
            .iter()
            .filter(|f| f.meta.code == "RAMPART-004")
            .collect();
        assert_eq!(unused.len(), 1, "{:?}", result.findings);
        assert_eq!(
            unused[0].message,
            "suppression of missing-resource-limits, K8S-001 is unused here: K8S-006 is reported at lines 8, 10, 12 and 2 more; K8S-001 found nothing in this file"
        );
        assert_eq!(unused[0].related.len(), 1);
        assert_eq!(unused[0].related[0].message, "K8S-006 is reported here");
    }
}
