//! The registry: codes and names are unique and well formed, tags are known, every rule has
//! fixtures on both sides and a current docs page, every fixture directory belongs to a rule,
//! and the rule files are formatted.
//! `RAMPART_UPDATE_DOCS=1 cargo test --test registry` rewrites the pages.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::collections::HashSet;

use common::*;
use rampart::docs::{index, page};
use rampart::rule::{Domain, FixAvailability};
use rampart::rules::families::FAMILIES;
use rampart::rules::tags::TAGS;

/// Rules that no committed file can trigger, with the reason.
const NO_FIXTURES: &[(&str, &str)] = &[("RAMPART-003", "raised only when rampart itself fails")];

fn is_valid_code(code: &str) -> bool {
    let Some((domain, number)) = code.rsplit_once('-') else {
        return false;
    };
    FAMILIES.iter().any(|(prefix, _)| *prefix == domain)
        && number.len() == 3
        && number.bytes().all(|b| b.is_ascii_digit())
}

fn is_kebab(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let metas = rampart::rules::metas();
    let mut seen = HashSet::new();
    for m in &metas {
        assert!(is_valid_code(m.code), "bad code {}", m.code);
        assert!(
            is_kebab(m.name),
            "{}: name `{}` is not kebab-case",
            m.code,
            m.name
        );
        assert!(
            !m.name.starts_with("ensure-") && !m.name.starts_with("no-"),
            "{}: name `{}` has an ensure-/no- prefix",
            m.code,
            m.name
        );
        for key in std::iter::once(m.code)
            .chain([m.name])
            .chain(m.aliases.iter().copied())
        {
            assert!(seen.insert(key.to_ascii_lowercase()), "{key} is used twice");
        }
        assert!(
            !m.title.is_empty() && !m.title.ends_with('.'),
            "{}: title",
            m.code
        );
        assert!(
            !m.title.starts_with("Ensure"),
            "{}: no `Ensure …` titles",
            m.code
        );
        assert!(!m.tags.is_empty(), "{}: no tags", m.code);
        if m.domain != Domain::Input {
            assert!(!m.references.is_empty(), "{}: no references", m.code);
            // A check no other scanner has must say so in its docs.
            assert!(
                !m.equivalents.is_empty() || m.doc.contains("No established scanner checks this"),
                "{}: no equivalents",
                m.code
            );
        }
    }
    // Codes are given in order within a domain.
    let mut last: std::collections::HashMap<&str, u32> = Default::default();
    for m in &metas {
        let (domain, n) = m.code.rsplit_once('-').unwrap();
        let n: u32 = n.parse().unwrap();
        let prev = last.insert(domain, n).unwrap_or(0);
        assert_eq!(n, prev + 1, "{} is out of order", m.code);
    }
}

#[test]
fn tags_are_known_and_used() {
    let known: Vec<&str> = TAGS.iter().map(|(tag, _)| *tag).collect();
    let metas = rampart::rules::metas();
    for m in &metas {
        for tag in m.tags {
            assert!(
                known.contains(tag),
                "{} has unknown tag {tag:?}; known (rules/tags.rs): {}",
                m.code,
                known.join(", ")
            );
        }
    }
    for tag in &known {
        assert!(
            metas.iter().any(|m| m.tags.contains(tag)),
            "tag {tag:?} in rules/tags.rs is on no rule: remove it"
        );
    }
}

/// `scripts/new-rule` marks what is left to write with `TODO(new-rule)`; a rule is not done
/// while its file or fixtures hold one.
#[test]
fn no_rule_is_a_scaffold() {
    const MARK: &str = "TODO(new-rule)";
    for m in rampart::rules::metas() {
        let in_meta = [m.doc, m.title]
            .into_iter()
            .chain(m.references.iter().copied())
            .any(|s| s.contains(MARK));
        let fixtures = root().join("testdata").join(m.code);
        let left: Vec<String> = files_under(&fixtures)
            .into_iter()
            .filter(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains(MARK)))
            .map(|f| f.strip_prefix(root()).unwrap().display().to_string())
            .collect();
        assert!(
            !in_meta && left.is_empty(),
            "{} {} is still the scaffold of scripts/new-rule: replace every `{MARK}` in {} \
             (detection, message, title, doc sections, references, tags) and its fixtures{}, \
             then run `cargo test --test fixtures {}` (review the snapshots) and \
             `RAMPART_UPDATE_DOCS=1 cargo test --test registry`",
            m.code,
            m.name,
            rule_file(m.code),
            if left.is_empty() {
                String::new()
            } else {
                format!(" ({})", left.join(", "))
            },
            m.code
        );
    }
}

/// The file under rules/ that declares `code`.
fn rule_file(code: &str) -> String {
    let needle = format!("code: \"{code}\"");
    files_under(&root().join("rules"))
        .into_iter()
        .find(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains(&needle)))
        .map(|f| f.strip_prefix(root()).unwrap().display().to_string())
        .unwrap_or_else(|| "its rule file".to_string())
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for p in entries(dir) {
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// `cargo fmt` does not reach the rule files (their modules are declared in generated code),
/// so this test checks them with rustfmt. Skipped when rustfmt is not installed.
#[test]
fn rule_files_are_formatted() {
    let files: Vec<_> = files_under(&root().join("rules"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    let check = std::process::Command::new("rustfmt")
        .args(["--edition", "2021", "--check"])
        .args(&files)
        .output();
    let Ok(output) = check else {
        eprintln!("skipped: rustfmt is not installed");
        return;
    };
    assert!(
        output.status.success(),
        "rule files are not formatted: run `rustfmt --edition 2021 $(find rules -name '*.rs')`\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn docs_have_the_fixed_sections() {
    for m in rampart::rules::metas() {
        let doc = m.doc_markdown();
        let mut sections = vec![
            "## What it flags",
            "## Why it matters",
            "## Example",
            "## Use instead",
            "## References",
        ];
        if m.fix != FixAvailability::None {
            sections.insert(4, "## Fix safety");
        }
        let mut at = 0;
        for s in sections {
            let found = doc[at..]
                .find(s)
                .unwrap_or_else(|| panic!("{}: missing or misplaced `{s}`", m.code));
            at += found + s.len();
        }
    }
}

#[test]
fn every_rule_has_fixtures_and_a_current_page() {
    let update = std::env::var_os("RAMPART_UPDATE_DOCS").is_some();
    let docs = root().join("docs/rules");
    let mut stale = Vec::new();
    for m in rampart::rules::metas() {
        if !NO_FIXTURES.iter().any(|(c, _)| *c == m.code) {
            for side in ["positive", "negative"] {
                let dir = root().join("testdata").join(m.code).join(side);
                assert!(
                    !entries(&dir).is_empty(),
                    "{} has no {side} fixtures in {}",
                    m.code,
                    dir.display()
                );
            }
        }
        let path = docs.join(format!("{}.md", m.code));
        let want = page(m);
        assert!(
            want.contains("## Flagged") || NO_FIXTURES.iter().any(|(c, _)| *c == m.code),
            "{}: no example on the page",
            m.code
        );
        if update {
            std::fs::create_dir_all(&docs).unwrap();
            std::fs::write(&path, &want).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
            stale.push(m.code);
        }
    }
    let index_path = docs.join("README.md");
    let want = index(&rampart::rules::metas());
    if update {
        std::fs::write(&index_path, &want).unwrap();
    } else if std::fs::read_to_string(&index_path).ok().as_deref() != Some(want.as_str()) {
        stale.push("README");
    }
    assert!(
        stale.is_empty(),
        "stale docs pages {stale:?}: run `rampart rules --format markdown` (or `RAMPART_UPDATE_DOCS=1 cargo test --test registry`)"
    );
}

#[test]
fn every_fixture_directory_belongs_to_a_rule() {
    for dir in entries(&root().join("testdata")) {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        if !is_valid_code(&name) {
            continue; // cross-cutting fixtures (e.g. testdata/cases)
        }
        assert!(
            rampart::rules::meta(&name).is_some(),
            "testdata/{name} has no rule"
        );
        for sub in entries(&dir) {
            let side = sub.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                side == "positive" || side == "negative" || side == "rampart.toml",
                "unexpected testdata/{name}/{side}"
            );
        }
    }
}

/// `rampart rules`: one row per rule in registry order, in aligned columns as wide as the longest
/// code and name. The snapshot holds a fixed sample of rows (columns separated by ` | `), so it
/// does not change when a rule is added.
#[test]
fn rules_table_has_a_row_per_rule_in_aligned_columns() {
    let out = run(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let table = stdout(&out);
    let metas = rampart::rules::metas();
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows.len(), metas.len(), "one row per rule");
    let code_width = metas.iter().map(|m| m.code.len()).max().unwrap();
    let name_width = metas.iter().map(|m| m.name.len()).max().unwrap();
    let (name_at, severity_at) = (code_width + 1, code_width + name_width + 2);
    let title_at = severity_at + 10;
    let mut sample = String::new();
    for (row, m) in rows.iter().zip(&metas) {
        let columns = [
            row[..name_at].trim_end(),
            row[name_at..severity_at].trim_end(),
            row[severity_at..title_at].trim_end(),
            &row[title_at..],
        ];
        let title = if m.enabled_by_default {
            m.title.to_string()
        } else {
            format!("{} (off by default)", m.title)
        };
        assert_eq!(
            columns,
            [m.code, m.name, m.severity.as_str(), title.as_str()],
            "row `{row}`"
        );
        if m.code.ends_with("-001") || m.code == "K8S-025" {
            sample.push_str(&columns.join(" | "));
            sample.push('\n');
        }
    }
    insta::assert_snapshot!("rules_table_sample", sample);
}
