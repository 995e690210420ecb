//! Suppressions: `# rampart:ignore[CODE|name, …] reason until=YYYY-MM-DD` on the offending line
//! or on the line above the finding or above its resource, container or instruction;
//! `# rampart:ignore-file[…] reason` for a whole file; and for Kubernetes objects the
//! annotation `rampart.dev/ignore: "K8S-001: reason; K8S-005[sidecar]: reason"` (entries
//! separated by `;`, a new line, or a comma before the next rule).
//!
//! A suppression that silences nothing (unused, unknown rule, expired, no reason when one is
//! required) is itself reported.

use crate::config::Config;
use crate::fix::{Applicability, Edit, Fix};
use crate::model::Resource;
use crate::rule::{Finding, Related, RuleMeta};
use crate::rules::UnusedSuppression;
use crate::source::{LineIndex, SourceFile, Span};

mod elsewhere;
use elsewhere::reported_elsewhere;

/// The type lives next to `Finding`; this name is kept for the reports.
pub(crate) use crate::rule::Suppressed;

const ANNOTATION: &str = "rampart.dev/ignore";

#[derive(Clone, Debug, PartialEq)]
enum Scope {
    /// A comment: applies to its own line (trailing) or to the next code line.
    Line {
        target_line: usize,
    },
    File,
    /// A Kubernetes annotation: the object, or one of its containers.
    Object {
        span: Span,
        container: Option<String>,
    },
}

#[derive(Clone, Debug)]
struct Suppression {
    selectors: Vec<String>,
    reason: String,
    until: Option<(i32, u32, u32)>,
    scope: Scope,
    /// The comment or annotation entry, for reporting.
    span: Span,
    /// What deleting the comment takes (its whole line, or from the `#` to the line end).
    removal: Option<Span>,
}

/// Today as (year, month, day), UTC.
fn today() -> (i32, u32, u32) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    civil_from_days(secs.div_euclid(86_400))
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut parts = s.split('-');
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    (parts.next().is_none() && (1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// `[A, b] reason until=2027-03-31` after the directive: selectors, reason, expiry.
type Date = (i32, u32, u32);

/// What a suppression comment says: the rules, the reason, the expiry.
type Body = (Vec<String>, String, Option<Date>);

fn parse_body(rest: &str) -> Result<Body, String> {
    let rest = rest.trim_start();
    let Some(inner) = rest.strip_prefix('[') else {
        return Err("name the rules it silences: `rampart:ignore[CODE] reason`".into());
    };
    let Some(close) = inner.find(']') else {
        return Err("missing `]`".into());
    };
    let selectors: Vec<String> = inner[..close]
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if selectors.is_empty() {
        return Err("name the rules it silences: `rampart:ignore[CODE] reason`".into());
    }
    let mut until = None;
    let mut words = Vec::new();
    for word in inner[close + 1..].split_whitespace() {
        match word.strip_prefix("until=") {
            Some(date) => {
                until = Some(
                    parse_date(date).ok_or(format!("`{date}` is not a date like 2027-03-31"))?,
                )
            }
            None => words.push(word),
        }
    }
    let reason = words.join(" ");
    let reason = reason
        .trim_start_matches([':', '-', '—'])
        .trim()
        .to_string();
    Ok((selectors, reason, until))
}

/// A problem with a suppression, reported as an unused-suppression finding.
struct Problem {
    span: Span,
    message: String,
    removal: Option<Span>,
    /// Where the rules it names are reported instead (for an unused one).
    related: Vec<Related>,
}

fn comment_start(line: &str) -> Option<usize> {
    // `#` (all three syntaxes) and `//` (HCL), outside quotes.
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'#' => return Some(i),
            None if b == b'/' && bytes.get(i + 1) == Some(&b'/') => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

fn is_code_line(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#') && !t.starts_with("//")
}

fn parse_comments(text: &str, problems: &mut Vec<Problem>) -> Vec<Suppression> {
    let mut out = Vec::new();
    if !text.contains("rampart:ignore") {
        return out;
    }
    let lines: Vec<(usize, &str)> = {
        let mut offset = 0;
        text.split_inclusive('\n')
            .map(|l| {
                let start = offset;
                offset += l.len();
                (start, l)
            })
            .collect()
    };
    // The first code line after each line (`usize::MAX`: none), for comments above their
    // target; found in one pass, not by a search from every comment.
    let mut next_code = vec![usize::MAX; lines.len()];
    for n in (0..lines.len().saturating_sub(1)).rev() {
        next_code[n] = if is_code_line(lines[n + 1].1) {
            n + 1
        } else {
            next_code[n + 1]
        };
    }
    for (n, (start, raw)) in lines.iter().enumerate() {
        let line = raw.trim_end_matches(['\n', '\r']);
        if !line.contains("rampart:ignore") {
            continue;
        }
        let Some(hash) = comment_start(line) else {
            continue;
        };
        let comment = &line[hash..];
        let body = comment.trim_start_matches(['#', '/']).trim_start();
        let (file_level, rest) = if let Some(r) = body.strip_prefix("rampart:ignore-file") {
            (true, r)
        } else if let Some(r) = body.strip_prefix("rampart:ignore") {
            (false, r)
        } else {
            continue;
        };
        let span = Span::new(start + hash, start + line.len());
        let trailing = is_code_line(&line[..hash]);
        let removal = if trailing {
            let keep = line[..hash].trim_end().len();
            Some(Span::new(start + keep, start + line.len()))
        } else {
            Some(Span::new(*start, start + raw.len()))
        };
        match parse_body(rest) {
            Err(message) => problems.push(Problem {
                span,
                message: format!("malformed suppression: {message}"),
                removal: None,
                related: Vec::new(),
            }),
            Ok((selectors, reason, until)) => {
                let scope = if file_level {
                    Scope::File
                } else if trailing {
                    Scope::Line { target_line: n }
                } else {
                    Scope::Line {
                        target_line: next_code[n],
                    }
                };
                out.push(Suppression {
                    selectors,
                    reason,
                    until,
                    scope,
                    span,
                    removal,
                });
            }
        }
    }
    out
}

/// `K8S-005: a, K8S-006: b` is two entries: a comma followed by a rule's code or name (with
/// an optional `[container]`) and a colon starts the next one. A comma inside a reason stays.
fn split_at_rule_after_comma(entry: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, _) in entry.match_indices(',') {
        let rest = &entry[i + 1..];
        let Some((head, _)) = rest.split_once(':') else {
            continue;
        };
        let name = head.split('[').next().unwrap_or("").trim();
        let names_a_rule = !name.is_empty()
            && name.split(',').all(|n| {
                crate::rules::find(n.trim()).is_some() || crate::rules::covering(n.trim()).is_some()
            });
        if names_a_rule && i > start && entry[start..i].contains(':') {
            parts.push(&entry[start..i]);
            start = i + 1;
        }
    }
    parts.push(&entry[start..]);
    parts
}

fn parse_annotations(
    resources: &[Resource],
    file: usize,
    problems: &mut Vec<Problem>,
) -> Vec<Suppression> {
    let mut out = Vec::new();
    for r in resources.iter().filter(|r| r.file == file) {
        let Some(value) = r.body.at(&["metadata", "annotations", ANNOTATION]) else {
            continue;
        };
        let Some(text) = value.as_str() else { continue };
        for entry in text
            .split([';', '\n'])
            .flat_map(split_at_rule_after_comma)
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let (head, reason) = entry.split_once(':').unwrap_or((entry, ""));
            let (codes, container) = match head.split_once('[') {
                Some((codes, rest)) => (codes, Some(rest.trim_end_matches(']').trim().to_string())),
                None => (head, None),
            };
            let selectors: Vec<String> = codes
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            if selectors.is_empty() {
                problems.push(Problem {
                    span: value.span,
                    message: format!(
                        "malformed {ANNOTATION} entry `{entry}`: expected `CODE: reason`"
                    ),
                    removal: None,
                    related: Vec::new(),
                });
                continue;
            }
            let (reason, until) = match reason.split_once("until=") {
                Some((r, d)) => (
                    r.trim().to_string(),
                    parse_date(d.split_whitespace().next().unwrap_or("")),
                ),
                None => (reason.trim().to_string(), None),
            };
            out.push(Suppression {
                selectors,
                reason,
                until,
                scope: Scope::Object {
                    span: r.span,
                    container,
                },
                span: value.span,
                removal: None,
            });
        }
    }
    out
}

fn applies(s: &Suppression, f: &Finding, index: &LineIndex) -> bool {
    if !s
        .selectors
        .iter()
        .any(|sel| names(f.meta, sel) || f.carries(sel))
    {
        return false;
    }
    match &s.scope {
        Scope::File => true,
        Scope::Line { target_line } => {
            index.line_of(f.span.start) == *target_line
                || f.scopes
                    .iter()
                    .any(|sc| index.line_of(sc.start) == *target_line)
        }
        Scope::Object { span, container } => {
            span.start <= f.span.start
                && f.span.end <= span.end
                && container
                    .as_ref()
                    .is_none_or(|c| f.container.as_deref() == Some(c.as_str()))
        }
    }
}

fn names(meta: &RuleMeta, selector: &str) -> bool {
    selector.eq_ignore_ascii_case(meta.code)
        || selector.eq_ignore_ascii_case(meta.name)
        || meta
            .aliases
            .iter()
            .any(|a| selector.eq_ignore_ascii_case(a))
}

/// Mark suppressed findings of one file and report suppressions that silence nothing.
/// `ran` tells whether a rule ran on this file (a suppression of a rule that did not run is
/// not unused).
pub(crate) fn apply(
    findings: &mut Vec<Finding>,
    source: &SourceFile,
    file: usize,
    resources: &[Resource],
    config: &Config,
    ran: &dyn Fn(&RuleMeta) -> bool,
) {
    let text = &source.text;
    let mut problems = Vec::new();
    let mut sups = parse_comments(text, &mut problems);
    sups.extend(parse_annotations(resources, file, &mut problems));
    if sups.is_empty() && problems.is_empty() {
        return;
    }
    let index = source.line_index();
    let today = today();
    let all = crate::rules::metas();
    for s in &sups {
        let unknown = unknown_selectors(s, &all, &mut problems);
        let list = s.selectors.join(", ");
        if let Some((y, m, d)) = s.until.filter(|u| *u < today) {
            problems.push(Problem {
                span: s.span,
                message: format!(
                    "suppression of {list} expired on {y:04}-{m:02}-{d:02}; it no longer applies"
                ),
                removal: s.removal,
                related: Vec::new(),
            });
            continue;
        }
        if config.require_suppression_reason && s.reason.is_empty() {
            problems.push(Problem {
                span: s.span,
                message: format!("suppression of {list} gives no reason, so it does not apply; write why after the brackets"),
                removal: None,
                related: Vec::new(),
            });
            continue;
        }
        let mut used = false;
        for f in findings.iter_mut() {
            if f.file == file && f.suppressed.is_none() && applies(s, f, &index) {
                f.suppressed = Some(Suppressed {
                    kind: "inSource",
                    justification: s.reason.clone(),
                });
                used = true;
            }
        }
        let relevant = s.selectors.iter().any(|sel| {
            all.iter()
                .any(|m| (names(m, sel) || m.equivalents.has(sel)) && ran(m))
        });
        if !used && relevant && unknown < s.selectors.len() {
            let (elsewhere, related) = reported_elsewhere(s, findings, file, text, &index, ran);
            problems.push(Problem {
                span: s.span,
                message: format!("suppression of {list} is unused here: {elsewhere}"),
                removal: s.removal,
                related,
            });
        }
    }
    report(problems, findings, file, config);
}

/// A problem for each selector of `s` that names no rule (with a did-you-mean); how many.
fn unknown_selectors(
    s: &Suppression,
    all: &[&'static RuleMeta],
    problems: &mut Vec<Problem>,
) -> usize {
    let unknown: Vec<&String> = s
        .selectors
        .iter()
        .filter(|sel| !all.iter().any(|m| names(m, sel) || m.equivalents.has(sel)))
        .collect();
    for sel in &unknown {
        let words = all.iter().flat_map(|m| {
            [m.code, m.name]
                .into_iter()
                .chain(m.equivalents.peers().map(|(_, p)| p.id))
        });
        let hint = crate::suggest::did_you_mean(sel, words)
            .map(|w| format!("; did you mean `{w}`?"))
            .unwrap_or_default();
        problems.push(Problem {
            span: s.span,
            message: format!("suppression names unknown rule `{sel}`{hint}"),
            removal: None,
            related: Vec::new(),
        });
    }
    unknown.len()
}

/// The problems with suppressions as [`UnusedSuppression`] findings, with a fix that removes
/// the comment where one can.
fn report(problems: Vec<Problem>, findings: &mut Vec<Finding>, file: usize, config: &Config) {
    let meta = &UnusedSuppression::META;
    if !config.is_enabled(meta) {
        return;
    }
    for p in problems {
        let fix = p.removal.map(|span| {
            Fix::new(
                "Remove the suppression",
                Applicability::Safe,
                vec![Edit::replace(span, "")],
            )
        });
        let mut finding = Finding::new(meta, file, p.span, p.message).with_fix(fix);
        finding.related = p.related;
        finding.severity = config.severity_of(meta);
        findings.push(finding);
    }
}

/// An edit that inserts a suppression comment for `finding` on the line above it (above the
/// start of a continued Dockerfile instruction), indented like that line. For the language
/// server's "suppress here" action.
#[cfg(feature = "lsp")]
pub(crate) fn comment_edit(
    text: &str,
    index: &LineIndex,
    kind: crate::source::FileKind,
    finding: &Finding,
) -> Edit {
    let mut line = index.line_of(finding.span.start.min(text.len()));
    if kind == crate::source::FileKind::Dockerfile {
        while line > 0 {
            let prev = &text[index.line_start(line - 1)..index.line_end(line - 1)];
            let t = prev.trim_end();
            if t.ends_with('\\') || t.ends_with('`') || t.trim_start().starts_with('#') {
                line -= 1;
            } else {
                break;
            }
        }
    }
    let start = index.line_start(line);
    let content = &text[start..index.line_end(line)];
    let indent: String = content
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let nl = crate::edit::newline(text);
    Edit::insert(
        start,
        format!(
            "{indent}# rampart:ignore[{}] TODO: why this is acceptable{nl}",
            finding.meta.code
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(parse_date("2027-03-31"), Some((2027, 3, 31)));
        assert_eq!(parse_date("2027-13-01"), None);
    }

    #[test]
    fn bodies() {
        let (sel, reason, until) =
            parse_body("[K8S-001, latest-image-tag] node agent needs it until=2027-03-31").unwrap();
        assert_eq!(sel, ["K8S-001", "latest-image-tag"]);
        assert_eq!(reason, "node agent needs it");
        assert_eq!(until, Some((2027, 3, 31)));
        assert!(parse_body(" because").is_err());
        assert!(parse_body("[]").is_err());
        assert!(parse_body("[K8S-001] x until=tomorrow").is_err());
    }

    #[test]
    fn annotation_entries_may_be_separated_by_commas() {
        assert_eq!(
            split_at_rule_after_comma("K8S-005: a, K8S-006: b"),
            ["K8S-005: a", " K8S-006: b"]
        );
        assert_eq!(
            split_at_rule_after_comma("K8S-005[sidecar]: a, latest-image-tag[web]: b"),
            ["K8S-005[sidecar]: a", " latest-image-tag[web]: b"]
        );
        // Codes listed before one reason, and commas inside a reason, stay together.
        assert_eq!(
            split_at_rule_after_comma("K8S-001, K8S-002: agent, needs: host"),
            ["K8S-001, K8S-002: agent, needs: host"]
        );
    }

    #[test]
    fn comments_outside_strings_only() {
        assert_eq!(comment_start("a: \"# not\" # yes"), Some(11));
        assert_eq!(comment_start("  // hcl"), Some(2));
        assert_eq!(comment_start("x = \"http://a\""), None);
    }
}
