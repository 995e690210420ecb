//! `--format summary`: what a bulk audit wants to read at the end. Findings by severity, by
//! rule and by file kind, the ten files and rules with the most findings, files scanned,
//! skipped and unparsable, and the time taken. Built one file at a time, so it costs the same
//! memory for ten files or a hundred thousand.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use super::{display_path, text, Summary};
use crate::lint::FileResult;
use crate::rule::{RuleMeta, Severity};

const TOP: usize = 10;
const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

/// Files and findings of one file kind.
#[derive(Default, Clone, Copy)]
struct KindCounts {
    files: usize,
    with_findings: usize,
    findings: usize,
}

/// Findings of one rule.
struct RuleCounts {
    meta: &'static RuleMeta,
    severity: Severity,
    findings: usize,
    files: usize,
}

/// A file with its findings by severity (critical first).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct FileCounts {
    /// Sort key: most findings first, then most severe, then path.
    total: std::cmp::Reverse<usize>,
    by_severity: [std::cmp::Reverse<usize>; 4],
    path: String,
}

/// The running totals of a scan.
#[derive(Default)]
pub(crate) struct Tally {
    pub counts: Summary,
    fixable: usize,
    files_with_findings: usize,
    by_kind: BTreeMap<&'static str, KindCounts>,
    by_rule: BTreeMap<&'static str, RuleCounts>,
    /// The `TOP` files with the most findings so far, sorted.
    top_files: Vec<FileCounts>,
}

impl Tally {
    pub(crate) fn new() -> Tally {
        let mut t = Tally::default();
        for sev in SEVERITIES {
            t.counts.by_severity.insert(sev.as_str(), 0);
        }
        t
    }

    /// Count one file's result (after suppressions and baseline).
    pub(crate) fn add(&mut self, f: &FileResult) {
        self.counts.add(f);
        // The kind table counts checked files: a skipped one was not.
        if matches!(f.status, crate::lint::FileStatus::Skipped(_)) {
            return;
        }
        let kind = f.kind.map(|k| k.as_str()).unwrap_or("other");
        let k = self.by_kind.entry(kind).or_default();
        k.files += 1;
        let mut by_severity = [0usize; 4];
        let mut rules_here: Vec<&'static str> = Vec::new();
        for x in f.active() {
            k.findings += 1;
            if !x.fixes.is_empty() {
                self.fixable += 1;
            }
            let i = SEVERITIES
                .iter()
                .position(|s| *s == x.severity)
                .unwrap_or(3);
            by_severity[i] += 1;
            let r = self.by_rule.entry(x.meta.code).or_insert(RuleCounts {
                meta: x.meta,
                severity: x.severity,
                findings: 0,
                files: 0,
            });
            r.findings += 1;
            r.severity = r.severity.max(x.severity);
            if !rules_here.contains(&x.meta.code) {
                rules_here.push(x.meta.code);
                r.files += 1;
            }
        }
        let total: usize = by_severity.iter().sum();
        if total == 0 {
            return;
        }
        k.with_findings += 1;
        self.files_with_findings += 1;
        let entry = FileCounts {
            total: std::cmp::Reverse(total),
            by_severity: by_severity.map(std::cmp::Reverse),
            path: text::line(&display_path(&f.path)).into_owned(),
        };
        if self.top_files.len() < TOP || entry < self.top_files[TOP - 1] {
            let at = self.top_files.partition_point(|e| *e < entry);
            self.top_files.insert(at, entry);
            self.top_files.truncate(TOP);
        }
    }

    /// The report; `elapsed` is the time the scan took.
    pub(crate) fn render(&self, elapsed: Option<Duration>) -> String {
        let s = &self.counts;
        let mut out = String::new();
        let _ = writeln!(out, "Summary");
        let _ = writeln!(
            out,
            "  files      {} scanned, {} skipped, {} unparsable or unreadable ({} discovered)",
            s.files_scanned, s.files_skipped, s.files_failed, s.files_discovered
        );
        let by: Vec<String> = SEVERITIES
            .iter()
            .map(|sev| format!("{} {sev}", s.by_severity.get(sev.as_str()).unwrap_or(&0)))
            .collect();
        let _ = writeln!(
            out,
            "  findings   {} in {} file{} ({}); {} with a fix or suggestion; {} suppressed",
            s.findings,
            self.files_with_findings,
            if self.files_with_findings == 1 {
                ""
            } else {
                "s"
            },
            by.join(", "),
            self.fixable,
            s.suppressed
        );
        if let Some(t) = elapsed {
            let _ = writeln!(out, "  time       {:.2} s", t.as_secs_f64());
        }
        out.push('\n');
        out.push_str(&self.render_tables());
        out
    }

    /// The tables: by file kind, top rules, top files.
    pub(crate) fn render_tables(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "By file kind       files  with findings  findings");
        for (kind, k) in &self.by_kind {
            let _ = writeln!(
                out,
                "  {kind:<15} {:>7}  {:>13}  {:>8}",
                k.files, k.with_findings, k.findings
            );
        }
        if !self.by_rule.is_empty() {
            let mut rules: Vec<&RuleCounts> = self.by_rule.values().collect();
            rules.sort_by(|a, b| {
                let key = |r: &RuleCounts| {
                    (
                        std::cmp::Reverse(r.findings),
                        std::cmp::Reverse(r.severity),
                        r.meta.code,
                    )
                };
                key(a).cmp(&key(b))
            });
            let width = rules
                .iter()
                .take(TOP)
                .map(|r| r.meta.code.len() + 1 + r.meta.name.len())
                .max()
                .unwrap_or(0);
            let _ = writeln!(
                out,
                "\nTop rules ({} of {})",
                rules.len().min(TOP),
                rules.len()
            );
            let _ = writeln!(out, "  {:<width$}  severity  findings  files", "rule");
            for r in rules.iter().take(TOP) {
                let label = format!("{} {}", r.meta.code, r.meta.name);
                let _ = writeln!(
                    out,
                    "  {label:<width$}  {:<8}  {:>8}  {:>5}",
                    r.severity.as_str(),
                    r.findings,
                    r.files
                );
            }
        }
        if !self.top_files.is_empty() {
            let _ = writeln!(
                out,
                "\nTop files ({} of {})",
                self.top_files.len(),
                self.files_with_findings
            );
            for f in &self.top_files {
                let parts: Vec<String> = SEVERITIES
                    .iter()
                    .zip(f.by_severity.iter())
                    .filter(|(_, n)| n.0 > 0)
                    .map(|(sev, n)| format!("{} {sev}", n.0))
                    .collect();
                let _ = writeln!(out, "  {:>6}  {} ({})", f.total.0, f.path, parts.join(", "));
            }
        }
        out
    }

    pub(crate) fn files_with_findings(&self) -> usize {
        self.files_with_findings
    }
}
