//! Dockerfiles and Containerfiles: instructions, stages and the shell of each `RUN`.

use std::path::Path;
use std::sync::Arc;

use super::{finish, parse_error, run_rules, settings, FileResult, FileStatus};
use crate::config::Config;
use crate::model::{Node, Resource, ResourceKind, Value};
use crate::parse::dockerfile::{self, Dockerfile};
use crate::rule::{Context, Domain, Rule};
use crate::source::{FileKind, SourceFile, Span};

/// A shell script is parsed into a syntax tree of every word: past this size (no real RUN
/// comes near it) the cost is seconds and hundreds of megabytes, so it is not analysed.
const MAX_SCRIPT: usize = 256 << 10;

pub(super) fn lint_dockerfile(
    path: &Path,
    text: &str,
    config: &Config,
    rules: &[&dyn Rule],
) -> FileResult {
    if is_template(path, text) {
        return FileResult::skipped(
            path.to_path_buf(),
            Some(FileKind::Dockerfile),
            "template markup (`{{`), not a Dockerfile; render it to check it".into(),
        );
    }
    let df = dockerfile::parse(text);
    let unit: Arc<[SourceFile]> =
        Arc::from(vec![SourceFile::new(path, FileKind::Dockerfile, text)]);
    let resources = stages(&df);
    let mut too_long = Vec::new();
    let scripts: Vec<(usize, crate::shell::Script)> = df
        .instructions
        .iter()
        .enumerate()
        .filter_map(|(i, ins)| {
            if ins.args_span.end - ins.args_span.start > MAX_SCRIPT {
                too_long.push(ins);
                return None;
            }
            crate::shell::parse_run(text, &df, ins).map(|s| (i, s))
        })
        .collect();
    let settings = settings(config);
    let cx = Context {
        files: &unit,
        resources: &resources,
        dockerfile: Some(&df),
        scripts: &scripts,
        settings: &settings,
        set: &crate::k8s::NO_SET,
    };
    let mut findings = run_rules(&cx, Domain::Dockerfile, &|m| config.is_enabled(m), rules);
    for (message, span) in &df.errors {
        findings.extend(parse_error(
            format!("Dockerfile does not parse: {message}"),
            0,
            *span,
            config,
        ));
    }
    for ins in too_long {
        findings.extend(parse_error(
            format!(
                "{} instruction of {} bytes, over the {MAX_SCRIPT}-byte limit for shell analysis; its commands were not checked",
                ins.keyword,
                ins.args_span.end - ins.args_span.start
            ),
            0,
            Span::new(ins.span.start, ins.span.start + ins.keyword.len()),
            config,
        ));
    }
    finish(&unit, 0, FileStatus::Scanned, findings, &resources, config)
}

/// Each build stage as a resource: its `FROM` is its head, its image its body.
fn stages(df: &Dockerfile) -> Vec<Resource> {
    df.stages
        .iter()
        .map(|s| Resource {
            kind: ResourceKind::DockerStage {
                index: s.index,
                name: s.name.as_ref().map(|(n, _)| n.clone()),
            },
            name: match &s.name {
                Some((n, _)) => format!("stage \"{n}\""),
                None => format!("stage {}", s.index + 1),
            },
            span: s.span,
            head: df.instructions[s.from].span,
            body: Node::new(Value::String(s.image_text.clone()), s.image_span),
            provenance: None,
            file: 0,
        })
        .collect()
}

/// `Dockerfile.template` and the like that hold template markup are templates, not Dockerfiles.
fn is_template(path: &Path, text: &str) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let opens_with_markup = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.starts_with("{{") || l.starts_with("{%"));
    opens_with_markup
        || matches!(
            ext.as_str(),
            "template" | "tmpl" | "tpl" | "j2" | "jinja" | "jinja2"
        ) && (text.contains("{{") || text.contains("{%"))
}
