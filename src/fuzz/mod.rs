//! Entry points of the fuzz targets (`fuzz/`) and of their regression tests. Each takes
//! arbitrary bytes, runs one stage of the pipeline, and panics when an invariant breaks:
//! every span lies inside its text on character boundaries, line/column conversions agree,
//! and an applied fix leaves a file that parses at least as well as before.

use std::path::Path;
use std::rc::Rc;

use crate::config::Config;
use crate::fix::Applicability;
use crate::lint::{self, FileResult, Unit};
use crate::model::{Node, Value};
use crate::parse::{dockerfile, terraform, yaml};
use crate::rules;
use crate::source::{ColumnUnit, FileKind, LineIndex, SourceFile, Span};
use crate::terraform::modules::TfEnv;
use crate::terraform::{Budget, NODE_COST};

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// A span inside `text`, on character boundaries.
pub(crate) fn assert_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} splits a character"
    );
}

/// Byte offsets, line/column in every unit and back agree at `offset`. (An offset between the
/// `\r` and `\n` of a line break has no column of its own: it maps to the line's end.)
pub fn assert_positions(text: &str, offset: usize) {
    let bytes = text.as_bytes();
    if offset > 0 && bytes.get(offset - 1) == Some(&b'\r') && bytes.get(offset) == Some(&b'\n') {
        return;
    }
    let index = LineIndex::new(text);
    for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Chars] {
        let p = index.position(offset, unit);
        let back = index.offset(p.line - 1, p.column - 1, unit);
        assert_eq!(
            back, offset,
            "offset {offset} -> {p:?} ({unit:?}) -> {back}"
        );
    }
}

fn assert_node(text: &str, node: &Node, depth: usize) {
    // Alias and variable uses carry the span of the use; anything else lies in the text.
    assert_span(text, node.span, "node");
    if depth > 10_000 {
        return;
    }
    match &node.value {
        Value::List(items) => items.iter().for_each(|n| assert_node(text, n, depth + 1)),
        Value::Map(entries) => {
            for e in entries {
                assert_span(text, e.key_span, "key");
                assert_node(text, &e.value, depth + 1);
            }
        }
        _ => {}
    }
}

/// The YAML parser: documents and their nodes.
pub fn yaml(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let (docs, error) = yaml::parse_stream(text, yaml::Limits::default());
    for doc in &docs {
        assert_span(text, doc.span, "document");
        assert_node(text, &doc.root, 0);
    }
    if let Some(e) = error {
        assert_span(text, e.span, "YAML error");
    }
}

/// The HCL parser.
pub fn hcl(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Err(e) = terraform::parse(text) {
        assert_span(text, e.span, "HCL error");
    }
    if let Err(e) = terraform::parse_json_config(text) {
        assert_span(text, e.span, "Terraform JSON error");
    }
}

/// The Dockerfile parser and the shell parser of its `RUN` instructions.
pub fn dockerfile(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let df = dockerfile::parse(text);
    for ins in &df.instructions {
        assert_span(text, ins.span, "instruction");
        assert_span(text, ins.keyword_span, "keyword");
        assert_span(text, ins.args_span, "arguments");
        if let Some(script) = crate::shell::parse_run(text, &df, ins) {
            for command in &script.commands {
                for word in &command.words {
                    assert_span(text, word.span, "shell word");
                }
            }
        }
    }
    for (_, span) in &df.errors {
        assert_span(text, *span, "Dockerfile error");
    }
}

/// At most this many bytes of literal values are built per byte of input once the evaluation
/// budget has run out: past it, only the text as written is evaluated, about once.
pub(crate) const BUILT_AFTER_PER_BYTE: u64 = 4 * NODE_COST;

/// The Terraform evaluator: the input split at `\n#---\n` into a module of up to three files
/// (`main.tf`, `variables.tf`, `terraform.tfvars`), evaluated and checked together the way
/// the CLI and the language server lint a module. The evaluation never builds more than its
/// budget, and once the budget has run out it builds no more than the text as written.
pub fn terraform_module(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let names = ["main.tf", "variables.tf", "terraform.tfvars"];
    let files: Vec<SourceFile> = text
        .splitn(3, "\n#---\n")
        .zip(names)
        .map(|(part, name)| {
            SourceFile::new(Path::new("fuzz").join(name), FileKind::Terraform, part)
        })
        .collect();
    let configs = vec![Some(std::sync::Arc::new(Config::default())); files.len()];
    let env = TfEnv {
        vars: Vec::new(),
        root: Some(Path::new("fuzz").to_path_buf()),
        boundary: None,
    };
    let budget = Rc::new(Budget::new());
    let results = lint::lint_module_within(files, &configs, rules::all(), &env, &budget);
    for r in &results {
        check_result(r);
    }
    assert!(
        budget.built() <= budget.max_built(),
        "built {} bytes of values, over the budget of {}",
        budget.built(),
        budget.max_built()
    );
    match budget.exhausted() {
        None => assert!(
            budget.steps() <= budget.max_steps(),
            "steps over the budget"
        ),
        Some(e) => {
            let reported = results
                .iter()
                .flat_map(|r| &r.findings)
                .filter(|f| f.meta.code == "RAMPART-006")
                .count();
            assert!(
                reported == 1 || e.file.is_none(),
                "{reported} budget diagnostics for {e:?}"
            );
        }
    }
    let most = BUILT_AFTER_PER_BYTE * (text.len() as u64 + 1);
    assert!(
        budget.built_after() <= most,
        "built {} bytes of literal values past the budget from {} bytes of text",
        budget.built_after(),
        text.len()
    );
}

/// The whole lint of one file, then its fixes: the first byte picks the kind.
pub fn lint(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Some(text) = text(rest) else { return };
    let (kind, name) = match pick % 5 {
        0 => (FileKind::Kubernetes, "fuzz.yaml"),
        1 => (FileKind::Dockerfile, "Dockerfile"),
        2 => (FileKind::Terraform, "main.tf"),
        3 => (FileKind::Terraform, "main.tf.json"),
        _ => (FileKind::TerraformPlan, "fuzz.tfplan.json"),
    };
    let config = Config::default();
    let result = lint::lint_one(Unit::file(Path::new(name), text, kind, &config));
    check_result(&result);
    assert!(
        !result.findings.iter().any(|f| f.meta.code == "RAMPART-003"),
        "internal error: {:?}",
        result.findings
    );
    check_fixes(&result, &config);
}

/// Every span of a result lies in the file it names; positions convert both ways.
pub fn check_result(result: &FileResult) {
    for f in &result.findings {
        let text = &result.unit[f.file].text;
        assert_span(text, f.span, f.meta.code);
        assert_positions(text, f.span.start);
        assert_positions(text, f.span.end);
        for r in &f.related {
            assert_span(&result.unit[r.file].text, r.span, "related location");
        }
        for fix in &f.fixes {
            for e in &fix.edits {
                assert_span(text, e.span, "fix edit");
            }
        }
    }
}

/// Fixes applied in rounds never add a parse error, and fixing the result again changes
/// nothing new that breaks it.
pub fn check_fixes(result: &FileResult, config: &Config) {
    let Some(outcome) = crate::fixer::fix_file(result, Applicability::Unsafe, config) else {
        return;
    };
    if !outcome.changed() {
        return;
    }
    let parse_errors = |r: &FileResult| {
        r.findings
            .iter()
            .filter(|f| f.meta.code == "RAMPART-001")
            .count()
    };
    let after = crate::fixer::relint(result, &outcome.fixed, config);
    assert!(
        parse_errors(&after) <= parse_errors(result),
        "a fix broke the file:\n{}",
        outcome.fixed
    );
    check_result(&after);
}

#[cfg(test)]
mod tests;
