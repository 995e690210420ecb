//! Every rule's fixtures: positive files must trigger the rule, negative files must not. Each
//! positive fixture has a snapshot with its findings as code frames and each fix as a diff;
//! every fix is applied, the result re-parsed and re-linted, and the rule is then silent.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use rampart::fix::Applicability;
use rampart::report::human::render_finding;

const PARSE_ERROR: &str = "RAMPART-001";

fn rule_dirs() -> Vec<PathBuf> {
    entries(&root().join("testdata"))
        .into_iter()
        .filter(|p| {
            p.is_dir() && rampart::rules::find(&p.file_name().unwrap().to_string_lossy()).is_some()
        })
        .collect()
}

fn relative(p: &Path) -> PathBuf {
    p.strip_prefix(root()).unwrap().to_path_buf()
}

#[test]
fn positive_fixtures_trigger_and_fixes_silence_the_rule() {
    let mut checked = 0;
    for dir in rule_dirs() {
        let code = dir.file_name().unwrap().to_string_lossy().to_string();
        for entry in entries(&dir.join("positive")) {
            let rel = relative(&entry);
            let results = scan(std::slice::from_ref(&rel), &[&code, "default"]);
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
                    let fixed = fix_until_stable(result, &code, min, &[&code, "default"]);
                    if fixed == previous {
                        continue;
                    }
                    previous = fixed.clone();
                    let after = relint(result, &fixed, &[&code, "default"]);
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
            let name = format!(
                "{code}__{}",
                entry
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .replace('.', "_")
            );
            insta::with_settings!({snapshot_path => root().join("tests/snapshots/fixtures"), prepend_module_to_snapshot => false, description => rel.display().to_string()}, {
                insta::assert_snapshot!(name, snapshot);
            });
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} positive fixtures found");
}

#[test]
fn negative_fixtures_stay_silent() {
    let mut checked = 0;
    for dir in rule_dirs() {
        let code = dir.file_name().unwrap().to_string_lossy().to_string();
        for entry in entries(&dir.join("negative")) {
            let rel = relative(&entry);
            let results = scan(std::slice::from_ref(&rel), &[&code, "default"]);
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
            checked += 1;
        }
    }
    assert!(checked > 10, "only {checked} negative fixtures found");
}
