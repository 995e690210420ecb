//! Every rule's fixtures, one test each, named `CODE/positive/FILE` or `CODE/negative/FILE`, so
//! `cargo test --test fixtures K8S-041` runs one rule's fixtures and a failure does not hide the
//! next. Positive files must trigger the rule, negative files must not (and must read and parse).
//! Each positive fixture has a snapshot with its findings as code frames and each fix as a diff;
//! every fix is applied, the result re-parsed and re-linted, and the rule is then silent.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use libtest_mimic::{Arguments, Trial};
use rampart::fix::Applicability;
use rampart::report::human::render_finding;

const PARSE_ERROR: &str = "RAMPART-001";

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    let (mut positives, mut negatives) = (0, 0);
    for dir in rule_dirs() {
        let code = dir.file_name().unwrap().to_string_lossy().to_string();
        for entry in entries(&dir.join("positive")) {
            let (code, name) = (code.clone(), file_name(&entry));
            positives += 1;
            trials.push(Trial::test(format!("{code}/positive/{name}"), move || {
                positive(&code, &entry);
                Ok(())
            }));
        }
        for entry in entries(&dir.join("negative")) {
            let (code, name) = (code.clone(), file_name(&entry));
            negatives += 1;
            trials.push(Trial::test(format!("{code}/negative/{name}"), move || {
                negative(&code, &entry);
                Ok(())
            }));
        }
    }
    // Guards against a harness that silently finds nothing.
    trials.push(Trial::test("fixtures-are-found", move || {
        assert!(positives > 20, "only {positives} positive fixtures found");
        assert!(negatives > 10, "only {negatives} negative fixtures found");
        Ok(())
    }));
    libtest_mimic::run(&args, trials).exit();
}

fn rule_dirs() -> Vec<PathBuf> {
    entries(&root().join("testdata"))
        .into_iter()
        .filter(|p| p.is_dir() && rampart::rules::meta(&file_name(p)).is_some())
        .collect()
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().to_string()
}

fn relative(p: &Path) -> PathBuf {
    p.strip_prefix(root()).unwrap().to_path_buf()
}

/// A positive fixture triggers the rule; its findings and fixes match the snapshot
/// `tests/snapshots/fixtures/CODE__FILE.snap`; applied fixes parse and silence the rule.
fn positive(code: &str, entry: &Path) {
    let rel = relative(entry);
    let results = scan(std::slice::from_ref(&rel), &[code, "default"]);
    let hits: usize = results
        .iter()
        .map(|r| r.findings.iter().filter(|f| f.meta.code == code).count())
        .sum();
    assert!(hits > 0, "{} gave no {code} finding", rel.display());
    let mut snapshot = String::new();
    for result in &results {
        let mine: Vec<_> = result
            .findings
            .iter()
            .filter(|f| f.meta.code == code)
            .collect();
        for f in &mine {
            snapshot.push_str(&render_finding(result, f, false));
            snapshot.push_str("\n\n");
        }
        if !mine.iter().any(|f| !f.fixes.is_empty()) {
            continue;
        }
        let mut previous = result.text().to_string();
        for min in [Applicability::Unsafe, Applicability::DisplayOnly] {
            let fixed = fix_until_stable(result, code, min, &[code, "default"]);
            if fixed == previous {
                continue;
            }
            previous = fixed.clone();
            let after = relint(result, &fixed, &[code, "default"]);
            assert!(
                !after.findings.iter().any(|f| f.meta.code == PARSE_ERROR),
                "fixing {} produced text that does not parse:\n{fixed}",
                rel.display()
            );
            let unfixable = mine
                .iter()
                .filter(|f| !f.fixes.iter().any(|x| x.applicability >= min))
                .count();
            let left = after
                .findings
                .iter()
                .filter(|f| f.meta.code == code)
                .count();
            assert!(
                left <= unfixable,
                "{}: {left} {code} findings left after applying fixes ({unfixable} had none)",
                rel.display()
            );
            snapshot.push_str(&format!(
                "=== {} {} ===\n{}\n",
                if min == Applicability::Unsafe {
                    "fixes applied to"
                } else {
                    "suggestions applied too, to"
                },
                rampart::report::display_path(&result.path),
                unified_diff(result.text(), &fixed)
            ));
        }
    }
    let name = format!("{code}__{}", file_name(entry).replace('.', "_"));
    insta::with_settings!({snapshot_path => root().join("tests/snapshots/fixtures"), prepend_module_to_snapshot => false, description => rel.display().to_string()}, {
        insta::assert_snapshot!(name, snapshot);
    });
}

/// A negative fixture reads and parses, and does not trigger the rule.
fn negative(code: &str, entry: &Path) {
    let rel = relative(entry);
    let results = scan(std::slice::from_ref(&rel), &[code, "default"]);
    let hits: Vec<String> = results
        .iter()
        .flat_map(|r| {
            r.findings
                .iter()
                .filter(|f| f.meta.code == code)
                .map(|f| f.message.clone())
        })
        .collect();
    assert!(
        hits.is_empty(),
        "{} should not trigger {code}: {hits:?}",
        rel.display()
    );
    // Negative fixtures must be valid files, or they prove nothing.
    let broken: Vec<String> = results
        .iter()
        .flat_map(|r| {
            r.findings
                .iter()
                .filter(|f| f.meta.code.starts_with("RAMPART"))
                .map(|f| f.message.clone())
        })
        .collect();
    assert!(
        broken.is_empty(),
        "{} does not read or parse: {broken:?}",
        rel.display()
    );
}
