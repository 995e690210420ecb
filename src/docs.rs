//! Rule documentation pages (`docs/rules/<CODE>.md`), generated from each rule's doc comment
//! and metadata, with examples taken from its fixtures.

use std::fmt::Write;

use crate::rule::{FixAvailability, RuleMeta};

/// A fixture shown on a page: its path (relative to the repository) and text.
pub struct Example {
    pub path: String,
    pub text: String,
}

fn fence_language(path: &str) -> &'static str {
    if path.ends_with(".tf") || path.ends_with(".tfvars") {
        "hcl"
    } else if path.ends_with(".json") {
        "json"
    } else if path.ends_with(".yaml") || path.ends_with(".yml") {
        "yaml"
    } else {
        "dockerfile"
    }
}

pub fn rule_page(meta: &RuleMeta, flagged: &[Example], clean: &[Example]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} {}\n", meta.code, meta.name);
    let _ = writeln!(out, "{}\n", meta.title);
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| Severity | {} |", meta.severity);
    let _ = writeln!(
        out,
        "| Enabled by default | {} |",
        if meta.enabled_by_default { "yes" } else { "no" }
    );
    let fix = match meta.fix {
        FixAvailability::None => "no",
        FixAvailability::Sometimes => "sometimes",
        FixAvailability::Always => "yes",
    };
    let _ = writeln!(out, "| Fix | {fix} |");
    let _ = writeln!(out, "| Tags | {} |", meta.tags.join(", "));
    let _ = writeln!(out, "| Status | {:?}, since {} |", meta.status, meta.added);
    if !meta.aliases.is_empty() {
        let _ = writeln!(out, "| Former names | {} |", meta.aliases.join(", "));
    }
    out.push('\n');
    out.push_str(&meta.doc_markdown());
    let equivalents: Vec<(&str, &[&str])> = meta
        .equivalents
        .iter()
        .filter(|(_, ids)| !ids.is_empty())
        .collect();
    if !equivalents.is_empty() {
        out.push_str("\n## Same check in other scanners\n\n| Scanner | IDs |\n|---|---|\n");
        for (scanner, ids) in equivalents {
            let _ = writeln!(out, "| {scanner} | {} |", ids.join(", "));
        }
    }
    if !meta.compliance.is_empty() {
        out.push_str("\n## Compliance\n\n");
        for c in meta.compliance {
            let _ = writeln!(out, "- {c}");
        }
    }
    for (heading, examples) in [("Flagged", flagged), ("Not flagged", clean)] {
        for e in examples {
            let _ = writeln!(
                out,
                "\n## {heading}: `{}`\n\n```{}\n{}\n```",
                e.path,
                fence_language(&e.path),
                e.text.trim_end()
            );
        }
    }
    out
}

/// `docs/rules/README.md`: every rule with its severity and summary.
pub fn index(rules: &[&RuleMeta]) -> String {
    let mut out = String::from(
        "# Rules\n\nGenerated from the rules' metadata; `rampart rules` prints the same list.\n\n| Code | Name | Severity | Summary |\n|---|---|---|---|\n",
    );
    for m in rules {
        let _ = writeln!(
            out,
            "| [{}]({}.md) | {} | {} | {}{} |",
            m.code,
            m.code,
            m.name,
            m.severity,
            m.title.replace('|', "\\|"),
            if m.enabled_by_default {
                ""
            } else {
                " (off by default)"
            }
        );
    }
    out
}
