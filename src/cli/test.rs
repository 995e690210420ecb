//! `rampart test`: every example of users' rule files must fire or stay silent as declared —
//! the examples written in the rule (`examples: {violating: […], compliant: […]}`) and the
//! fixture files beside it (`tests/CODE/violating/*`, `tests/CODE/compliant/*`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::config::Config;
use crate::lint::{lint_one, Unit};
use crate::policy::{self, Example, PolicyRule};
use crate::rule::{Domain, Rule};
use crate::source::FileKind;

/// One example, from the rule file or from a fixture file.
struct Case {
    label: String,
    path: PathBuf,
    kind: FileKind,
    text: String,
    violating: bool,
}

/// `rampart test`: load the rule files, run every example and fixture of the YAML rules and
/// the Rego unit tests, print each failure and the counts. The steps run in order and share
/// their tallies, which is why this function is longer than most.
pub(crate) fn run(paths: &[PathBuf], config: Option<&Path>) -> Result<ExitCode> {
    let mut paths = paths.to_vec();
    if paths.is_empty() {
        let file = config
            .map(Path::to_path_buf)
            .or_else(|| crate::config::nearest_file(Path::new(".")));
        paths = file
            .map(|f| crate::config::policies_of(&f))
            .unwrap_or_default();
        if paths.is_empty() {
            bail!(
                "name the rule files or directories to test (or set `policies` in .rampart.toml)"
            );
        }
    }
    super::scan::named_paths_exist(&paths)?;
    let rules = match policy::load_paths(&paths, &crate::rules::metas()) {
        Ok(r) => r,
        Err(errors) => {
            for e in &errors {
                eprintln!(
                    "rampart: error: {}",
                    crate::report::text::line(&e.to_string())
                );
            }
            bail!("{} problem(s) in rule files", errors.len());
        }
    };
    let (mut passed, mut failed, mut untested) = (0usize, 0usize, 0usize);
    let mut out = String::new();
    for rule in rules {
        let rule: &'static PolicyRule = Box::leak(Box::new(rule));
        let cases = cases(rule)?;
        if cases.is_empty() {
            untested += 1;
            out.push_str(&format!(
                "untested {} {}: no examples ({})\n",
                rule.meta.code,
                rule.meta.name,
                crate::report::display_path(&rule.source)
            ));
            continue;
        }
        let mut failures = Vec::new();
        for case in &cases {
            if let Some(why) = judge(rule, case) {
                failures.push(format!("  {}: {why}", case.label));
            }
        }
        if failures.is_empty() {
            passed += 1;
            out.push_str(&format!(
                "ok {} {}: {} example{}\n",
                rule.meta.code,
                rule.meta.name,
                cases.len(),
                if cases.len() == 1 { "" } else { "s" }
            ));
        } else {
            failed += 1;
            out.push_str(&format!(
                "FAIL {} {} ({}):\n{}\n",
                rule.meta.code,
                rule.meta.name,
                crate::report::display_path(&rule.source),
                failures.join("\n")
            ));
        }
    }
    // OPA-style unit tests: the `test_*` rules of `*_test.rego` files.
    match crate::rules::policy::rego::run_tests(&paths) {
        Ok(outcomes) => {
            for t in outcomes {
                let file = crate::report::display_path(&t.file);
                match t.failure {
                    None => {
                        passed += 1;
                        out.push_str(&format!("ok {} ({file})\n", t.name));
                    }
                    Some(why) => {
                        failed += 1;
                        out.push_str(&format!("FAIL {} ({file}): {why}\n", t.name));
                    }
                }
            }
        }
        Err(errors) => {
            for e in &errors {
                eprintln!(
                    "rampart: error: {}",
                    crate::report::text::line(&e.to_string())
                );
            }
            bail!("{} problem(s) in Rego files", errors.len());
        }
    }
    out.push_str(&format!("{passed} passed, {failed} failed"));
    if untested > 0 {
        out.push_str(&format!(", {untested} skipped"));
    }
    out.push('\n');
    super::scan::write_stdout(&out)?;
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `None` when the example does what it declares; else what was found instead.
fn judge(rule: &'static PolicyRule, case: &Case) -> Option<String> {
    let config = Config {
        select: vec![rule.meta.code.to_string(), "RAMPART-001".into()],
        ..Config::default()
    };
    let rules: [&'static dyn Rule; 2] = [rule, &crate::rules::ParseError];
    let unit = Unit::file(&case.path, &case.text, case.kind, &config).with_rules(&rules);
    let result = lint_one(unit);
    let describe = |f: &crate::rule::Finding| match result.unit.get(result.index) {
        Some(file) => {
            let p = file
                .line_index()
                .position(f.span.start, crate::source::ColumnUnit::Chars);
            format!("{}:{}: {}", p.line, p.column, f.message)
        }
        None => f.message.clone(),
    };
    let parse: Vec<String> = result
        .active()
        .filter(|f| f.meta.code == "RAMPART-001")
        .map(describe)
        .collect();
    if !parse.is_empty() {
        return Some(format!("the example does not parse: {}", parse.join("; ")));
    }
    let found: Vec<String> = result
        .active()
        .filter(|f| f.meta.code == rule.meta.code)
        .map(describe)
        .collect();
    match (case.violating, found.is_empty()) {
        (true, true) => Some(format!(
            "should be a violation, but {} found nothing{}",
            rule.meta.code,
            match &result.status {
                crate::lint::FileStatus::Skipped(r) => format!(" (the file was skipped: {r})"),
                _ => String::new(),
            }
        )),
        (false, false) => Some(format!(
            "should be compliant, but found: {}",
            found.join("; ")
        )),
        _ => None,
    }
}

fn inline_kind(domain: Domain) -> (&'static str, FileKind) {
    match domain {
        Domain::Terraform => ("main.tf", FileKind::Terraform),
        Domain::Dockerfile => ("Dockerfile", FileKind::Dockerfile),
        _ => ("example.yaml", FileKind::Kubernetes),
    }
}

/// The rule's inline examples, then its fixture files.
fn cases(rule: &PolicyRule) -> Result<Vec<Case>> {
    let (name, kind) = inline_kind(rule.meta.domain);
    let mut out: Vec<Case> = rule
        .examples
        .iter()
        .map(|e: &Example| Case {
            label: e.label.clone(),
            path: PathBuf::from(name),
            kind,
            text: e.text.clone(),
            violating: e.violating,
        })
        .collect();
    let dir = rule
        .source
        .parent()
        .unwrap_or(Path::new("."))
        .join("tests")
        .join(rule.meta.code);
    for (side, violating) in [("violating", true), ("compliant", false)] {
        let Ok(entries) = std::fs::read_dir(dir.join(side)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for f in files.into_iter().filter(|f| f.is_file()) {
            let kind = FileKind::from_path(&f).unwrap_or(kind);
            let text =
                policy::read_bounded(&f).map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?;
            out.push(Case {
                label: format!("{side} fixture {}", crate::report::display_path(&f)),
                path: f,
                kind,
                text,
                violating,
            });
        }
    }
    Ok(out)
}
