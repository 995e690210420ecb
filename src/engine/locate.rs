//! Where a finding in what a render built is in the repository's own files. A rendered object
//! is reported under a virtual path (`overlays/prod/[kustomize build]`) that code-scanning
//! views cannot open; each of its findings is moved to a real file, and keeps its place in the
//! rendered text as [`Finding::rendered`] (which its fingerprint is computed from, so baselines
//! written before still match):
//!
//! - Kustomize: the base manifest's value when the object (matched by kind and name, through
//!   `namePrefix`, `nameSuffix` and `namespace`) has the same value at the same path there;
//!   else the patch (strategic merge or JSON 6902, in a file or inline) or the
//!   `kustomization.yaml` entry (`images`, `replicas`, `namespace`, `namePrefix`, labels,
//!   generators) that gave it; else the overlay's `kustomization.yaml`.
//! - Helm: the template of `# Source: chart/templates/x.yaml`, at the line of the value's key
//!   when it is found there, else at its start; else `Chart.yaml`.
//!
//! Only files below the overlay's or chart's own directories (and the bases and components
//! its kustomizations name) are read, as regular files of bounded size.

mod kustomize;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::lint::FileResult;
use crate::model::{Node, Value};
use crate::parse::yaml::{self, YamlDoc};
use crate::rule::{Domain, Related};
use crate::source::{FileKind, SourceFile, Span};

/// The largest file read to place a finding.
const MAX_FILE: u64 = 10 << 20;

/// One step of the way from a document's root to a value: a key, or a list item (by its
/// `name` when it has one, as strategic merge patches match containers).
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Item { index: usize, name: Option<String> },
}

/// A rendered finding's value: the way to it from its object, the node, and whether the
/// finding is on its key rather than its value.
struct Target<'a> {
    steps: Vec<Step>,
    node: &'a Node,
    on_key: bool,
}

impl Target<'_> {
    /// A finding on the key of a map or list (what it lacks, mostly): found where that key is
    /// written, whatever else the block holds there.
    fn on_block(&self) -> bool {
        self.on_key && matches!(self.node.value, Value::Map(_) | Value::List(_))
    }
}

/// A place in a real file.
struct Place {
    path: PathBuf,
    span: Span,
}

/// A file read to place findings: its text and documents.
struct Loaded {
    path: PathBuf,
    text: Arc<str>,
    docs: Vec<YamlDoc>,
}

/// The files read for one render's findings, and the directories they may be read from.
struct Files {
    roots: Vec<PathBuf>,
    loaded: HashMap<PathBuf, Option<Arc<Loaded>>>,
    /// The overlay's or chart's directory, real and as the scan names it.
    anchor: (PathBuf, PathBuf),
}

impl Files {
    fn new(roots: Vec<PathBuf>, dir: &Path) -> Files {
        let real = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        Files {
            roots,
            loaded: HashMap::new(),
            anchor: (real, dir.to_path_buf()),
        }
    }

    /// A real path as the scan names files: from the overlay's (or chart's) directory as the
    /// scan names it, going up from it as far as needed; else relative to the working
    /// directory when it lies below it.
    fn presented(&self, real: &Path) -> PathBuf {
        let (anchor, named) = &self.anchor;
        let mut common = anchor.as_path();
        let mut named = named.clone();
        while !real.starts_with(common) {
            let last = named.components().next_back();
            match (common.parent(), last) {
                (Some(up), Some(std::path::Component::Normal(_))) => {
                    common = up;
                    named.pop();
                }
                _ => return presented(real),
            }
        }
        match real.strip_prefix(common) {
            Ok(rest) => named.join(rest),
            Err(_) => presented(real),
        }
    }

    /// The file at `path` when it lies below one of the roots and is a readable regular file.
    fn load(&mut self, path: &Path) -> Option<Arc<Loaded>> {
        let real = std::fs::canonicalize(path).ok()?;
        if let Some(l) = self.loaded.get(&real) {
            return l.clone();
        }
        let loaded = self.read(&real).map(Arc::new);
        self.loaded.insert(real, loaded.clone());
        loaded
    }

    fn read(&self, real: &Path) -> Option<Loaded> {
        if !self.roots.iter().any(|r| real.starts_with(r)) {
            return None;
        }
        let file = crate::source::open_regular(real).ok()?;
        let bytes = crate::source::read_bounded(file, MAX_FILE).ok()?;
        let text: Arc<str> = Arc::from(String::from_utf8(bytes).ok()?);
        let (docs, _) = yaml::parse_stream(&text, yaml::Limits::default());
        Some(Loaded {
            path: self.presented(real),
            text,
            docs,
        })
    }
}

/// What to place a render's findings by: the overlay's directory, or the chart's.
pub(super) enum Source<'a> {
    Kustomize(&'a Path),
    Helm(&'a Path),
}

/// Move every finding of the rendered `result` to a real file (see the module's doc), adding
/// the files it points into to the result's unit.
pub(super) fn place(result: &mut FileResult, source: Source<'_>) {
    let rendered = result.index;
    let placed = |f: &crate::rule::Finding| f.file == rendered && f.meta.domain != Domain::Input;
    if !result.findings.iter().any(placed) {
        // Most renders of a scan report nothing their own files do not: no second parse.
        return;
    }
    let text = result.unit[rendered].text.clone();
    let (docs, _) = yaml::parse_stream(&text, yaml::Limits::default());
    let mut files = match source {
        Source::Kustomize(dir) => Files::new(kustomize::roots(dir), dir),
        Source::Helm(dir) => Files::new(std::fs::canonicalize(dir).into_iter().collect(), dir),
    };
    let mut unit: Vec<SourceFile> = result.unit.to_vec();
    for f in &mut result.findings {
        if !placed(f) {
            continue;
        }
        let Some(doc) = docs.iter().find(|d| covers(d.span, f.span)) else {
            continue;
        };
        let target = target(&doc.root, f.span);
        let place = match source {
            Source::Kustomize(dir) => {
                kustomize::place(&mut files, dir, doc, &target, f.provenance.as_deref())
            }
            Source::Helm(dir) => helm_place(&mut files, dir, doc, &target),
        };
        let Some((place, loaded)) = place else {
            continue;
        };
        let index = match unit.iter().position(|u| *u.path == *place.path) {
            Some(i) => i,
            None => {
                unit.push(SourceFile::new(
                    place.path.clone(),
                    FileKind::Kubernetes,
                    loaded.text.clone(),
                ));
                unit.len() - 1
            }
        };
        let label = match source {
            Source::Kustomize(_) => "as `kustomize build` builds it",
            Source::Helm(_) => "as `helm template` renders it",
        };
        f.rendered = Some(Related {
            file: rendered,
            span: f.span,
            message: label.into(),
        });
        f.file = index;
        f.span = place.span;
    }
    result.unit = Arc::from(unit);
}

/// A real path as the scan names files: relative to the working directory when it lies below
/// it.
fn presented(real: &Path) -> PathBuf {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| std::fs::canonicalize(d).ok());
    match cwd.and_then(|c| real.strip_prefix(&c).ok().map(Path::to_path_buf)) {
        Some(rel) => rel,
        None => real.to_path_buf(),
    }
}

fn covers(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// The value a finding's span is on, found from the document's root.
fn target(root: &Node, span: Span) -> Target<'_> {
    let mut steps = Vec::new();
    let mut node = root;
    loop {
        match &node.value {
            Value::Map(entries) => {
                if let Some(e) = entries.iter().find(|e| covers(e.key_span, span)) {
                    steps.push(Step::Key(e.key.clone()));
                    return Target {
                        steps,
                        node: &e.value,
                        on_key: true,
                    };
                }
                let Some(e) = entries.iter().find(|e| covers(e.value.span, span)) else {
                    break;
                };
                steps.push(Step::Key(e.key.clone()));
                node = &e.value;
            }
            Value::List(items) => {
                let Some((index, item)) =
                    items.iter().enumerate().find(|(_, i)| covers(i.span, span))
                else {
                    break;
                };
                let name = item.get("name").and_then(Node::as_str).map(str::to_string);
                steps.push(Step::Item { index, name });
                node = item;
            }
            _ => break,
        }
    }
    Target {
        steps,
        node,
        on_key: false,
    }
}

/// The node at `steps` below `root`, and the span of the key that holds it.
fn navigate<'a>(root: &'a Node, steps: &[Step]) -> Option<(&'a Node, Option<Span>)> {
    let mut node = root;
    let mut key = None;
    for step in steps {
        match (step, &node.value) {
            (Step::Key(k), Value::Map(entries)) => {
                let e = entries.iter().find(|e| &e.key == k)?;
                key = Some(e.key_span);
                node = &e.value;
            }
            (Step::Item { index, name }, Value::List(items)) => {
                node = match name {
                    Some(n) => items
                        .iter()
                        .find(|i| i.get("name").and_then(Node::as_str) == Some(n))?,
                    None => items.get(*index)?,
                };
                key = None;
            }
            _ => return None,
        }
    }
    Some((node, key))
}

/// The same value, whatever its spans (maps compared whatever their key order).
fn same(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|e| {
                    y.iter()
                        .find(|f| f.key == e.key)
                        .is_some_and(|f| same(&e.value, &f.value))
                })
        }
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (x, y) => x == y,
    }
}

/// Where the target's value is in `root` of the file `loaded`, when it is the same value there.
fn same_place(loaded: &Loaded, root: &Node, target: &Target<'_>) -> Option<Place> {
    let (node, key) = navigate(root, &target.steps)?;
    if !(same(node, target.node) || target.on_block() && key.is_some()) {
        return None;
    }
    let span = match (target.on_key, key) {
        (true, Some(k)) => k,
        _ => node.span,
    };
    Some(Place {
        path: loaded.path.clone(),
        span,
    })
}

/// The start of a file's first document (its first key), for a finding placed in a file as a
/// whole.
fn start_of(loaded: &Loaded) -> Place {
    let span = loaded
        .docs
        .first()
        .and_then(|d| d.root.entries().first().map(|e| e.key_span))
        .unwrap_or(Span { start: 0, end: 0 });
    Place {
        path: loaded.path.clone(),
        span,
    }
}

/// A Helm finding in its template: `# Source: shop/templates/x.yaml` names `templates/x.yaml`
/// of the chart (or of a subchart below `charts/`).
fn helm_place(
    files: &mut Files,
    chart: &Path,
    doc: &YamlDoc,
    target: &Target<'_>,
) -> Option<(Place, Arc<Loaded>)> {
    let template = doc
        .helm_source
        .as_deref()
        .and_then(|s| s.split_once('/'))
        .map(|(_, rest)| chart.join(rest))
        .and_then(|p| files.load(&p));
    match template {
        Some(t) => Some((in_template(&t, target), t)),
        None => {
            let chart_yaml = files.load(&chart.join("Chart.yaml"))?;
            Some((start_of(&chart_yaml), chart_yaml))
        }
    }
}

/// The line of a template that writes the target: each key of its way looked for in turn,
/// after the one before; the value itself when it is written literally on its key's line.
fn in_template(template: &Loaded, target: &Target<'_>) -> Place {
    let text = &template.text;
    let mut at = None;
    let mut from = 0;
    for step in &target.steps {
        let Step::Key(k) = step else { continue };
        if let Some(found) = key_line(text, from, k) {
            from = found.end;
            at = Some(found);
        }
    }
    let mut span = at.unwrap_or(Span { start: 0, end: 0 });
    let scalar = match &target.node.value {
        Value::String(_) | Value::Bool(_) | Value::Number(_) => Some(target.node.display()),
        _ => None,
    };
    if let (Some(key), false, Some(value)) = (at, target.on_key, scalar.as_deref()) {
        let line_end = text[key.end..]
            .find('\n')
            .map_or(text.len(), |n| key.end + n);
        if let Some(i) = text[key.end..line_end]
            .find(value)
            .filter(|_| !value.is_empty())
        {
            let start = key.end + i;
            span = Span {
                start,
                end: start + value.len(),
            };
        }
    }
    Place {
        path: template.path.clone(),
        span,
    }
}

/// The span of the first `key:` (plain or quoted, maybe after `- `) at a line's start after
/// `from`.
fn key_line(text: &str, from: usize, key: &str) -> Option<Span> {
    let mut offset = text[..from].rfind('\n').map_or(0, |n| n + 1);
    if offset < from {
        offset = text[from..].find('\n').map_or(text.len(), |n| from + n + 1);
    }
    for line in text.get(offset..)?.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        let item = trimmed.strip_prefix("- ").unwrap_or(trimmed);
        let lead = lead + (trimmed.len() - item.len());
        for written in [key.to_string(), format!("\"{key}\""), format!("'{key}'")] {
            if item
                .strip_prefix(&written)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
            {
                let start = offset + lead;
                return Some(Span {
                    start,
                    end: start + written.len(),
                });
            }
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Node {
        yaml::parse_stream(text, yaml::Limits::default())
            .0
            .remove(0)
            .root
    }

    #[test]
    fn the_way_to_a_value_names_list_items_by_name() {
        let text = "spec:\n  containers:\n    - name: a\n    - name: web\n      image: x\n";
        let root = doc(text);
        let at = text.find("image").unwrap();
        let t = target(
            &root,
            Span {
                start: at,
                end: at + 5,
            },
        );
        assert!(t.on_key);
        assert_eq!(
            t.steps,
            vec![
                Step::Key("spec".into()),
                Step::Key("containers".into()),
                Step::Item {
                    index: 1,
                    name: Some("web".into())
                },
                Step::Key("image".into()),
            ]
        );
        // Found by name in a file where the container comes first.
        let other = doc("spec:\n  containers:\n    - name: web\n      image: x\n");
        let (node, key) = navigate(&other, &t.steps).unwrap();
        assert_eq!(node.as_str(), Some("x"));
        assert!(key.is_some());
        assert!(same(node, t.node));
    }

    #[test]
    fn template_keys_are_found_in_turn() {
        let text = "spec:\n  template:\n    spec:\n      containers:\n        - name: {{ .Values.name }}\n          securityContext:\n            privileged: {{ .Values.privileged }}\n";
        let s = key_line(text, 0, "privileged").unwrap();
        assert_eq!(&text[s.start..s.end], "privileged");
        let n = key_line(text, 0, "name").unwrap();
        assert_eq!(&text[n.start..n.end], "name");
        assert!(key_line(text, s.end, "spec").is_none());
        assert!(key_line("a: 1\n", 0, "b").is_none());
    }
}
