//! Compliance per framework: a scan's findings read control by control.
//!
//! A framework is a checked-in list of every control of one published version
//! (`frameworks/*.toml`), manual controls included, so that a report says what rampart cannot
//! check instead of looking like 100%. Which rules evaluate a control is not a second list: it
//! comes from the rules' own `compliance` metadata, where a rule names a control as the
//! framework's prefix followed by the control's ID (`"PSS Baseline: Host Namespaces"`,
//! `"CIS Kubernetes 5.2.2"`).
//!
//! A control's status:
//! - **fail**: one of its rules reported a finding that is not suppressed;
//! - **exception**: its only findings are suppressed (by a comment or annotation with its
//!   reason, or by the baseline): accepted, never a pass;
//! - **pass**: its rules ran on files of their kind and found nothing;
//! - **not applicable**: nothing in the scan is of its kind (no file its rules read);
//! - **manual**: no rule evaluates it (the framework file says why when no static check can).

mod render;

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::lint::{FileResult, FileStatus};
use crate::rule::{Domain, Finding, RuleMeta};
use crate::source::FileKind;

pub(crate) use render::{html, human, json};

/// The framework files, built into the binary.
const FILES: &[(&str, &str)] = &[
    ("pss-baseline", include_str!("frameworks/pss-baseline.toml")),
    (
        "pss-restricted",
        include_str!("frameworks/pss-restricted.toml"),
    ),
    (
        "cis-kubernetes",
        include_str!("frameworks/cis-kubernetes.toml"),
    ),
    ("cis-docker", include_str!("frameworks/cis-docker.toml")),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkFile {
    id: String,
    name: String,
    version: String,
    url: String,
    prefix: String,
    domains: Vec<String>,
    #[serde(default)]
    includes: Vec<String>,
    /// The control IDs (by prefix) this file lists one by one; a rule's entry for another
    /// section is not a broken mapping (empty: every ID).
    #[serde(default)]
    covers: Vec<String>,
    #[serde(rename = "control")]
    controls: Vec<ControlFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlFile {
    id: String,
    title: String,
    /// Why no static check can decide it.
    manual: Option<String>,
}

/// One framework version with its whole control list.
#[derive(Debug, Clone)]
pub(crate) struct Framework {
    pub id: String,
    pub name: String,
    pub version: String,
    pub url: String,
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone)]
pub(crate) struct Control {
    pub id: String,
    pub title: String,
    pub manual: Option<String>,
    /// The prefix its rules write before its ID.
    prefix: String,
    /// ID prefixes its framework file lists one by one (empty: all).
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "read by the mapping check's test")
    )]
    covers: Vec<String>,
    domains: Vec<Domain>,
}

impl Control {
    /// Does a rule's compliance entry name this control? The entry is the prefix and the ID,
    /// optionally followed by a comment in parentheses (`"CIS Kubernetes 5.1.6 (tokens)"`).
    /// IDs may hold spaces: `Running as Non-root` is not named by `Running as Non-root user`.
    fn named_by(&self, entry: &str) -> bool {
        entry
            .strip_prefix(self.prefix.as_str())
            .and_then(|rest| rest.strip_prefix(self.id.as_str()))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(" ("))
    }

    /// The rules that evaluate this control.
    pub(crate) fn rules(&self, metas: &[&'static RuleMeta]) -> Vec<&'static RuleMeta> {
        metas
            .iter()
            .copied()
            .filter(|m| m.compliance.iter().any(|e| self.named_by(e)))
            .collect()
    }
}

fn domain(name: &str) -> Option<Domain> {
    match name {
        "kubernetes" => Some(Domain::Kubernetes),
        "dockerfile" => Some(Domain::Dockerfile),
        "terraform" => Some(Domain::Terraform),
        _ => None,
    }
}

fn parse(id: &str, text: &str) -> Result<FrameworkFile, String> {
    let f: FrameworkFile = toml::from_str(text).map_err(|e| format!("{id}.toml: {e}"))?;
    if f.id != id {
        return Err(format!("{id}.toml: its id is `{}`", f.id));
    }
    Ok(f)
}

/// Every framework, its included frameworks' controls first.
pub(crate) fn frameworks() -> Result<Vec<Framework>, String> {
    let files: Vec<FrameworkFile> = FILES
        .iter()
        .map(|(id, text)| parse(id, text))
        .collect::<Result<_, _>>()?;
    let controls_of = |f: &FrameworkFile| -> Result<Vec<Control>, String> {
        let domains = f
            .domains
            .iter()
            .map(|d| domain(d).ok_or_else(|| format!("{}: unknown domain `{d}`", f.id)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(f.controls
            .iter()
            .map(|c| Control {
                id: c.id.clone(),
                title: c.title.clone(),
                manual: c.manual.clone(),
                prefix: f.prefix.clone(),
                covers: f.covers.clone(),
                domains: domains.clone(),
            })
            .collect())
    };
    let mut out = Vec::new();
    for f in &files {
        let mut controls = Vec::new();
        for inc in &f.includes {
            let Some(other) = files.iter().find(|o| &o.id == inc) else {
                return Err(format!("{}: includes unknown framework `{inc}`", f.id));
            };
            controls.extend(controls_of(other)?);
        }
        controls.extend(controls_of(f)?);
        out.push(Framework {
            id: f.id.clone(),
            name: f.name.clone(),
            version: f.version.clone(),
            url: f.url.clone(),
            controls,
        });
    }
    Ok(out)
}

/// A framework by its ID.
pub(crate) fn find(id: &str) -> Result<Framework, String> {
    let all = frameworks()?;
    let ids: Vec<String> = all.iter().map(|f| f.id.clone()).collect();
    all.into_iter()
        .find(|f| f.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| {
            let hint = crate::suggest::did_you_mean(id, ids.iter().map(String::as_str))
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            format!(
                "unknown framework `{id}`; {hint}`rampart compliance --list` lists them: {}",
                ids.join(", ")
            )
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Status {
    Fail,
    Exception,
    Pass,
    NotApplicable,
    Manual,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Exception => "exception",
            Status::Pass => "pass",
            Status::NotApplicable => "not applicable",
            Status::Manual => "manual",
        }
    }
}

/// A finding as a control's evidence.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Evidence {
    pub code: &'static str,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub resource: Option<String>,
    /// For an accepted exception: how it was accepted (`inSource`, `baseline`) and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Accepted>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Accepted {
    pub kind: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct ControlResult {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub rules: Vec<&'static str>,
    /// Why it is manual, or why it is not applicable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub findings: Vec<Evidence>,
    pub exceptions: Vec<Evidence>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub(crate) struct Totals {
    pub controls: usize,
    pub pass: usize,
    pub fail: usize,
    pub exception: usize,
    pub manual: usize,
    pub not_applicable: usize,
    /// Passed controls among those decided (pass, fail, exception), in percent; `None` when
    /// none was decided.
    pub score: Option<f64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Report {
    pub framework: String,
    pub name: String,
    pub version: String,
    pub url: String,
    pub controls: Vec<ControlResult>,
    pub totals: Totals,
}

fn evidence(file: &FileResult, f: &Finding) -> Evidence {
    let at = crate::report::Locator::new(file);
    let (path, pos, _) = at.locate(f, crate::source::ColumnUnit::Chars);
    Evidence {
        code: f.meta.code,
        path,
        line: pos.line,
        column: pos.column,
        message: f.message.clone(),
        resource: f.resource.clone(),
        accepted: f.suppressed.as_ref().map(|s| Accepted {
            kind: s.kind,
            reason: s.justification.clone(),
        }),
    }
}

/// Read a scan control by control. `metas` are the rules that ran (a rule that did not run
/// cannot make a control pass); `all` every rule, to say which rules a control has.
pub(crate) fn evaluate(
    framework: &Framework,
    files: &[FileResult],
    ran: &[&'static RuleMeta],
) -> Report {
    // Findings by rule code, and which domains had a checked file.
    let mut by_code: BTreeMap<&str, Vec<(&FileResult, &Finding)>> = BTreeMap::new();
    let mut checked: Vec<Domain> = Vec::new();
    for file in files {
        // The domain of the file's own language: Kubernetes objects that Terraform's
        // Kubernetes provider declares count as Terraform here (a known gap: their Pod
        // Security controls read as not applicable in a scan without manifests).
        if let (FileStatus::Scanned, Some(kind)) = (&file.status, file.kind) {
            let d = match kind {
                FileKind::Kubernetes => Domain::Kubernetes,
                FileKind::Dockerfile => Domain::Dockerfile,
                FileKind::Terraform | FileKind::TerraformPlan => Domain::Terraform,
            };
            if !checked.contains(&d) {
                checked.push(d);
            }
        }
        for f in &file.findings {
            by_code.entry(f.meta.code).or_default().push((file, f));
        }
    }
    let all = crate::rules::metas();
    let mut controls = Vec::new();
    for c in &framework.controls {
        let rules = c.rules(&all);
        let codes: Vec<&'static str> = rules.iter().map(|m| m.code).collect();
        let running: Vec<&RuleMeta> = rules
            .iter()
            .copied()
            .filter(|m| ran.iter().any(|r| r.code == m.code))
            .collect();
        let mut findings = Vec::new();
        let mut exceptions = Vec::new();
        for m in &running {
            for (file, f) in by_code.get(m.code).into_iter().flatten() {
                if f.suppressed.is_some() {
                    exceptions.push(evidence(file, f));
                } else {
                    findings.push(evidence(file, f));
                }
            }
        }
        let applicable = running.iter().any(|m| checked.contains(&m.domain))
            || (running.is_empty() && c.domains.iter().any(|d| checked.contains(d)));
        let (status, reason) = status_of(
            c,
            &codes,
            running.is_empty(),
            &findings,
            &exceptions,
            applicable,
        );
        controls.push(ControlResult {
            id: c.id.clone(),
            title: c.title.clone(),
            status,
            rules: codes,
            reason,
            findings,
            exceptions,
        });
    }
    let totals = totals_of(&controls);
    Report {
        framework: framework.id.clone(),
        name: framework.name.clone(),
        version: framework.version.clone(),
        url: framework.url.clone(),
        controls,
        totals,
    }
}

/// A control's status and, for manual and not-applicable ones, why.
fn status_of(
    c: &Control,
    codes: &[&'static str],
    none_ran: bool,
    findings: &[Evidence],
    exceptions: &[Evidence],
    applicable: bool,
) -> (Status, Option<String>) {
    if codes.is_empty() {
        let why = c
            .manual
            .clone()
            .unwrap_or_else(|| "no rampart rule evaluates it yet: check it by hand".to_string());
        (Status::Manual, Some(why))
    } else if none_ran {
        let why = format!(
            "its rules ({}) are turned off in this scan's configuration",
            codes.join(", ")
        );
        (Status::NotApplicable, Some(why))
    } else if !findings.is_empty() {
        (Status::Fail, None)
    } else if !exceptions.is_empty() {
        (Status::Exception, None)
    } else if !applicable {
        let why = "nothing in the scan is of its kind".to_string();
        (Status::NotApplicable, Some(why))
    } else {
        (Status::Pass, None)
    }
}

/// The counts of each status, and the share of passed controls among the decided ones.
fn totals_of(controls: &[ControlResult]) -> Totals {
    let mut totals = Totals {
        controls: controls.len(),
        ..Totals::default()
    };
    for c in controls {
        match c.status {
            Status::Pass => totals.pass += 1,
            Status::Fail => totals.fail += 1,
            Status::Exception => totals.exception += 1,
            Status::Manual => totals.manual += 1,
            Status::NotApplicable => totals.not_applicable += 1,
        }
    }
    let decided = totals.pass + totals.fail + totals.exception;
    totals.score =
        (decided > 0).then(|| (totals.pass as f64 * 1000.0 / decided as f64).round() / 10.0);
    totals
}

/// The rules of a framework: every rule that names one of its controls.
pub(crate) fn rules_of(framework: &Framework) -> Vec<&'static RuleMeta> {
    let all = crate::rules::metas();
    let mut out: Vec<&'static RuleMeta> = Vec::new();
    for c in &framework.controls {
        for m in c.rules(&all) {
            if !out.iter().any(|o| o.code == m.code) {
                out.push(m);
            }
        }
    }
    out
}

/// Compliance entries of the rules that start with a framework's prefix but name none of its
/// controls: a mapping to fix (a typo, or a control of another version).
#[cfg(test)]
pub(crate) fn dangling_entries() -> Result<Vec<(&'static str, &'static str)>, String> {
    let frameworks = frameworks()?;
    let mut out = Vec::new();
    for m in crate::rules::metas() {
        for e in m.compliance {
            let mut prefixed = false;
            let mut named = false;
            for f in &frameworks {
                for c in &f.controls {
                    let Some(id) = e.strip_prefix(c.prefix.as_str()) else {
                        continue;
                    };
                    if c.covers.is_empty() || c.covers.iter().any(|p| id.starts_with(p.as_str())) {
                        prefixed = true;
                        named |= c.named_by(e);
                    }
                }
            }
            if prefixed && !named {
                out.push((m.code, *e));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
