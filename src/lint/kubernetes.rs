//! Kubernetes manifests: a YAML (or JSON) stream of objects.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{finish, parse_error, run_rules, settings, FileResult, FileStatus};
use crate::config::Config;
use crate::k8s::{self, SetFacts};
use crate::parse::yaml;
use crate::rule::{Context, Domain, Rule};
use crate::source::{FileKind, SourceFile};

pub(super) fn lint_yaml(
    path: &Path,
    text: &str,
    config: &Config,
    rules: &[&dyn Rule],
    set: &SetFacts,
) -> FileResult {
    let (docs, error) = yaml::parse_stream(text, yaml::Limits::default());
    let is_k8s = k8s::is_kubernetes(&docs);
    if !is_k8s && (error.is_none() || !looks_like_kubernetes(text)) {
        return FileResult::skipped(
            path.to_path_buf(),
            None,
            "not a Kubernetes manifest (no document with apiVersion and kind)".into(),
        );
    }
    let unit: Arc<[SourceFile]> =
        Arc::from(vec![SourceFile::new(path, FileKind::Kubernetes, text)]);
    let resources = k8s::resources(docs, 0);
    let settings = settings(config);
    let cx = Context {
        files: &unit,
        resources: &resources,
        dockerfile: None,
        scripts: &[],
        settings: &settings,
        set,
    };
    let mut findings = run_rules(&cx, Domain::Kubernetes, &|m| config.is_enabled(m), rules);
    for (resource, key, span, len) in k8s::oversized_container_lists(&resources) {
        findings.extend(parse_error(
            format!(
                "{} has {len} entries in `{key}`, over the limit of {}; only the first {} were checked",
                resource.name,
                k8s::MAX_CONTAINERS,
                k8s::MAX_CONTAINERS
            ),
            0,
            span,
            config,
        ));
    }
    if let Some(e) = error {
        findings.extend(parse_error(
            format!("YAML does not parse: {}", e.message),
            0,
            e.span,
            config,
        ));
    }
    let mut result = finish(&unit, 0, FileStatus::Scanned, findings, &resources, config);
    result.recognised = resources
        .iter()
        .filter_map(|r| {
            let template = k8s::generic_template(r)?;
            let name = r.body.at(&["metadata", "name"]).map(|n| n.display());
            let kind = r.k8s_kind().unwrap_or_default();
            Some(format!("{kind}/{}: {template}", name.unwrap_or_default()))
        })
        .collect();
    result
}

/// Does a YAML/JSON file that did not parse look like it was meant to be a manifest?
fn looks_like_kubernetes(text: &str) -> bool {
    let has = |key: &str| {
        text.lines().any(|l| {
            let l = l.trim_start_matches(['-', ' ', '\t', '{', '[']);
            l.starts_with(&format!("{key}:")) || l.starts_with(&format!("\"{key}\""))
        })
    };
    // JSON may hold a whole manifest on one line.
    let json = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
        && text.contains("\"apiVersion\"")
        && text.contains("\"kind\"");
    json || (has("apiVersion") && has("kind"))
}

/// Unrendered Helm templates (under a chart's `templates/`, next to a `Chart.yaml`) are Go
/// templates, not YAML: why such a file is not checked. `cache` remembers which directories
/// are charts.
pub(crate) fn helm_template(
    path: &Path,
    kind: FileKind,
    cache: &mut HashMap<PathBuf, bool>,
) -> Option<String> {
    if kind != FileKind::Kubernetes {
        return None;
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d.file_name().is_some_and(|n| n == "templates") {
            if let Some(chart) = d.parent() {
                let is_chart = *cache
                    .entry(chart.to_path_buf())
                    .or_insert_with(|| chart.join("Chart.yaml").is_file());
                if is_chart {
                    return Some(format!(
                        "unrendered Helm template of the chart in {}; render it with `helm template` to check it",
                        chart.display()
                    ));
                }
            }
        }
        dir = d.parent();
    }
    None
}

/// The kind for `--stdin-filename`, or from the content when no name is given.
pub(crate) fn kind_for_stdin(name: Option<&Path>, text: &str) -> Option<FileKind> {
    if let Some(kind) = name.and_then(FileKind::from_path) {
        return Some(kind);
    }
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let word = first.split_whitespace().next()?.to_ascii_uppercase();
    if word == "FROM" || word == "ARG" {
        Some(FileKind::Dockerfile)
    } else if looks_like_kubernetes(text) {
        Some(FileKind::Kubernetes)
    } else {
        Some(FileKind::Terraform)
    }
}
