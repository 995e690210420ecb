//! Placing a finding of `kustomize build` in the overlay's files: the base, a patch, or a
//! kustomization's entry (see the parent module).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{navigate, same, same_place, start_of, Files, Loaded, Place, Step, Target};
use crate::model::{Node, Value};
use crate::parse::yaml::{self, YamlDoc};
use crate::source::Span;

/// Kustomizations followed from an overlay, at most.
const MAX_KUSTOMIZATIONS: usize = 64;

/// The rendered object a finding is on.
struct Object<'a> {
    kind: &'a str,
    name: &'a str,
}

/// The overlay's directory and every directory its kustomizations name as resources, bases or
/// components (the files a build may read lie below them), overlay first.
pub(super) fn roots(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut queue: VecDeque<PathBuf> = std::fs::canonicalize(dir).into_iter().collect();
    while let Some(d) = queue.pop_front() {
        if out.contains(&d) || out.len() >= MAX_KUSTOMIZATIONS {
            continue;
        }
        if let Some(k) = kustomization_file(&d) {
            let text = crate::source::read_text(&k, super::MAX_FILE).unwrap_or_default();
            for entry in crate::engine::rendered::kustomization_refs(&text) {
                if let Ok(real) = std::fs::canonicalize(d.join(entry)) {
                    if real.is_dir() {
                        queue.push_back(real);
                    }
                }
            }
        }
        out.push(d);
    }
    out
}

fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    ["kustomization.yaml", "kustomization.yml", "Kustomization"]
        .into_iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// Where a finding of the object `doc` of the overlay in `dir` comes from.
pub(super) fn place(
    files: &mut Files,
    dir: &Path,
    doc: &YamlDoc,
    target: &Target<'_>,
    origin: Option<&str>,
) -> Option<(Place, Arc<Loaded>)> {
    let obj = Object {
        kind: doc.root.get("kind").and_then(Node::as_str).unwrap_or(""),
        name: doc
            .root
            .at(&["metadata", "name"])
            .and_then(Node::as_str)
            .unwrap_or(""),
    };
    // The kustomizations, the overlay's first: a value an overlay sets wins over its bases'.
    let chain: Vec<Arc<Loaded>> = files
        .roots
        .clone()
        .iter()
        .filter_map(|d| files.load(&kustomization_file(d)?))
        .collect();
    if let Some(generator) = generated(files, dir, doc, &obj) {
        // A generated object's value comes from a setting (the namespace) or its generator.
        for k in &chain {
            if let Some(found) = in_kustomization(files, k, &obj, target) {
                return Some((found, k.clone()));
            }
        }
        return Some(generator);
    }
    let base = origin.and_then(|o| files.load(Path::new(o)));
    if let Some(base) = &base {
        if let Some(found) = in_base(base, &obj, target) {
            return Some((found, base.clone()));
        }
    }
    for k in &chain {
        if let Some(found) = in_kustomization(files, k, &obj, target) {
            return Some((found, k.clone()));
        }
    }
    let overlay = chain.first()?.clone();
    Some((resource_entry(&overlay, base.as_deref()), overlay))
}

/// The object's own document in its base file: the same kind, and the name the rendered one
/// was made from (the longest one it contains, as prefixes and suffixes are added).
fn base_doc<'a>(base: &'a Loaded, obj: &Object<'_>) -> Option<&'a YamlDoc> {
    let of_kind: Vec<&YamlDoc> = base
        .docs
        .iter()
        .filter(|d| d.root.get("kind").and_then(Node::as_str) == Some(obj.kind))
        .collect();
    let named = of_kind
        .iter()
        .filter_map(|d| {
            let n = d.root.at(&["metadata", "name"]).and_then(Node::as_str)?;
            (!n.is_empty() && obj.name.contains(n)).then_some((n.len(), *d))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, d)| d);
    named.or_else(|| (of_kind.len() == 1).then(|| of_kind[0]))
}

/// The value in the base when it is the same there; the base's name for the rendered name
/// (which `namePrefix` and `nameSuffix` change).
fn in_base(base: &Loaded, obj: &Object<'_>, target: &Target<'_>) -> Option<Place> {
    let doc = base_doc(base, obj)?;
    if let Some(found) = same_place(base, &doc.root, target) {
        return Some(found);
    }
    let is_name = target.steps == [Step::Key("metadata".into()), Step::Key("name".into())];
    let (node, key) = navigate(&doc.root, &target.steps).filter(|_| is_name)?;
    Some(Place {
        path: base.path.clone(),
        span: if target.on_key {
            key.unwrap_or(node.span)
        } else {
            node.span
        },
    })
}

/// A ConfigMap or Secret a generator made: the generator's entry.
fn generated(
    files: &mut Files,
    dir: &Path,
    doc: &YamlDoc,
    obj: &Object<'_>,
) -> Option<(Place, Arc<Loaded>)> {
    let origin = doc
        .root
        .at(&["metadata", "annotations", "config.kubernetes.io/origin"])
        .and_then(Node::as_str)?;
    let configured = origin
        .lines()
        .find_map(|l| l.trim().strip_prefix("configuredIn:"))?
        .trim();
    let k = files.load(&crate::lint::kustomize_origin(dir, configured))?;
    let root = &k.docs.first()?.root;
    let entry = ["configMapGenerator", "secretGenerator"]
        .into_iter()
        .flat_map(|g| root.get(g).map(Node::as_list).unwrap_or_default())
        .filter_map(|e| {
            let n = e.get("name").and_then(Node::as_str)?;
            obj.name.contains(n).then_some((n.len(), e.span))
        })
        .max_by_key(|(len, _)| *len);
    let place = match entry {
        Some((_, span)) => Place {
            path: k.path.clone(),
            span,
        },
        None => start_of(&k),
    };
    Some((place, k))
}

/// The overlay's entry of `resources` (or `bases`) that leads to the base file, else the
/// kustomization's start.
fn resource_entry(overlay: &Loaded, base: Option<&Loaded>) -> Place {
    let dir = overlay.path.parent().unwrap_or(Path::new(""));
    let base = base.and_then(|b| std::fs::canonicalize(&b.path).ok());
    let entry = overlay.docs.first().and_then(|d| {
        ["resources", "bases"]
            .into_iter()
            .flat_map(|k| d.root.get(k).map(Node::as_list).unwrap_or_default())
            .find(|n| {
                let real = n
                    .as_str()
                    .and_then(|s| std::fs::canonicalize(dir.join(s)).ok());
                matches!((real, &base), (Some(r), Some(b)) if b.starts_with(&r))
            })
    });
    match entry {
        Some(n) => Place {
            path: overlay.path.clone(),
            span: n.span,
        },
        None => start_of(overlay),
    }
}

/// A patch of a kustomization: its text (a file, or inline) and what it may target.
struct Patch<'a> {
    /// The patch file, `None` for one written in the kustomization.
    file: Option<Arc<Loaded>>,
    inline: Option<&'a str>,
    /// The kustomization's entry, where an inline patch is placed.
    entry: Span,
    target: Option<&'a Node>,
}

/// The patches of a kustomization, in the order they apply.
fn patches<'a>(files: &mut Files, k: &Loaded, root: &'a Node) -> Vec<Patch<'a>> {
    let dir = k.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut out = Vec::new();
    for field in ["patchesStrategicMerge", "patches", "patchesJson6902"] {
        for item in root.get(field).map(Node::as_list).unwrap_or_default() {
            let (path, inline, target) = match item.as_str() {
                Some(s) if s.contains('\n') => (None, Some(s), None),
                Some(s) => (Some(s), None, None),
                None => (
                    item.get("path").and_then(Node::as_str),
                    item.get("patch").and_then(Node::as_str),
                    item.get("target"),
                ),
            };
            out.push(Patch {
                file: path.and_then(|p| files.load(&dir.join(p))),
                inline,
                entry: item.span,
                target,
            });
        }
    }
    out
}

/// The entry of the kustomization `k` that gave the target its value: a patch (the last that
/// sets it), an image override, a replica count, the namespace, a name prefix or suffix, a
/// common label or annotation.
fn in_kustomization(
    files: &mut Files,
    k: &Arc<Loaded>,
    obj: &Object<'_>,
    target: &Target<'_>,
) -> Option<Place> {
    let root = &k.docs.first()?.root;
    let at = |span: Span| {
        Some(Place {
            path: k.path.clone(),
            span,
        })
    };
    for patch in patches(files, k, root).iter().rev() {
        if let Some(file) = &patch.file {
            if let Some(span) = patch_sets(&file.docs, patch.target, obj, target) {
                return Some(Place {
                    path: file.path.clone(),
                    span,
                });
            }
        } else if let Some(text) = patch.inline {
            let (docs, _) = yaml::parse_stream(text, yaml::Limits::default());
            if patch_sets(&docs, patch.target, obj, target).is_some() {
                return at(patch.entry);
            }
        }
    }
    entry_setting(root, obj, target).and_then(at)
}

/// The span in `docs` (a strategic merge patch, or JSON 6902 operations) that sets the
/// target's value.
fn patch_sets(
    docs: &[YamlDoc],
    selector: Option<&Node>,
    obj: &Object<'_>,
    target: &Target<'_>,
) -> Option<Span> {
    if !selects(selector, obj) {
        return None;
    }
    let ops = docs.first().map(|d| d.root.as_list()).unwrap_or_default();
    if !ops.is_empty() && ops.iter().all(|o| o.get("op").is_some()) {
        return ops.iter().rev().find_map(|op| operation_sets(op, target));
    }
    docs.iter().rev().find_map(|d| {
        let kind = d.root.get("kind").and_then(Node::as_str);
        let name = d.root.at(&["metadata", "name"]).and_then(Node::as_str);
        let matches = kind.is_none_or(|k| k == obj.kind)
            && (selector.is_some() || name.is_some_and(|n| obj.name.contains(n)));
        if !matches {
            return None;
        }
        let (node, key) = navigate(&d.root, &target.steps)?;
        let sets = same(node, target.node) || (target.on_block() && key.is_some());
        sets.then_some(match (target.on_key, key) {
            (true, Some(k)) => k,
            _ => node.span,
        })
    })
}

/// Does a patch's `target` select the object (by kind, and by a name it contains)?
fn selects(selector: Option<&Node>, obj: &Object<'_>) -> bool {
    let Some(s) = selector else { return true };
    let field = |f: &str| s.get(f).and_then(Node::as_str);
    field("kind").is_none_or(|k| k == obj.kind)
        && field("name").is_none_or(|n| obj.name.contains(n))
}

/// The value of a JSON 6902 `add` or `replace` whose path leads to the target (or above it,
/// with the target's value inside).
fn operation_sets(op: &Node, target: &Target<'_>) -> Option<Span> {
    let kind = op.get("op").and_then(Node::as_str)?;
    if kind != "add" && kind != "replace" {
        return None;
    }
    let pointer = op.get("path").and_then(Node::as_str)?;
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    if segments.len() > target.steps.len() {
        return None;
    }
    let along = segments
        .iter()
        .zip(&target.steps)
        .all(|(seg, step)| match step {
            Step::Key(k) => seg == k,
            Step::Item { index, .. } => seg == "-" || seg == &index.to_string(),
        });
    if !along {
        return None;
    }
    let value = op.get("value")?;
    let (node, _) = navigate(value, &target.steps[segments.len()..])?;
    same(node, target.node).then_some(node.span)
}

/// A kustomization setting that gives the target its value.
fn entry_setting(root: &Node, obj: &Object<'_>, target: &Target<'_>) -> Option<Span> {
    let keys: Vec<&str> = target
        .steps
        .iter()
        .map(|s| match s {
            Step::Key(k) => k.as_str(),
            Step::Item { .. } => "[]",
        })
        .collect();
    let value = target.node.display();
    match keys.as_slice() {
        ["metadata", "namespace"] => root.get("namespace").map(|n| n.span),
        ["metadata", "name"] => root
            .get("namePrefix")
            .or_else(|| root.get("nameSuffix"))
            .map(|n| n.span),
        ["spec", "replicas"] => root
            .get("replicas")
            .map(Node::as_list)
            .unwrap_or_default()
            .iter()
            .find(|r| {
                r.get("name")
                    .and_then(Node::as_str)
                    .is_some_and(|n| obj.name.contains(n))
            })
            .map(|r| r.get("count").map_or(r.span, |c| c.span)),
        [.., "containers" | "initContainers" | "ephemeralContainers", "[]", "image"] => {
            image_entry(root, &value)
        }
        [.., "labels" | "matchLabels" | "selector", key] => {
            label_entry(root, "commonLabels", key, &value)
        }
        ["metadata", "annotations", key] => label_entry(root, "commonAnnotations", key, &value),
        _ => None,
    }
}

/// The `images` entry that makes a container's image `image`: its new tag or digest, else its
/// new name.
fn image_entry(root: &Node, image: &str) -> Option<Span> {
    root.get("images")
        .map(Node::as_list)
        .unwrap_or_default()
        .iter()
        .find_map(|e| {
            let text = |k: &str| e.get(k).map(|n| (n.display(), n.span));
            let name = text("newName").or_else(|| text("name"))?;
            let rest = image.strip_prefix(name.0.as_str())?;
            let tag = text("newTag");
            let digest = text("digest");
            let made = match (&tag, &digest) {
                (_, Some((d, _))) => rest.ends_with(&format!("@{d}")),
                (Some((t, _)), None) => rest == format!(":{t}"),
                (None, None) => e.get("newName").is_some(),
            };
            made.then(|| digest.or(tag).map_or(name.1, |(_, span)| span))
        })
}

/// The entry `key` of a kustomization's `commonLabels` (or `commonAnnotations`), or of a
/// `labels` entry's `pairs`, when it has the value.
fn label_entry(root: &Node, field: &str, key: &str, value: &str) -> Option<Span> {
    let common = root.get(field).and_then(|m| m.get(key));
    let pairs = || {
        root.get("labels")
            .map(Node::as_list)
            .unwrap_or_default()
            .iter()
            .find_map(|l| l.get("pairs").and_then(|p| p.get(key)))
    };
    let node = if field == "commonLabels" {
        common.or_else(pairs)
    } else {
        common
    }?;
    matches!(
        node.value,
        Value::String(_) | Value::Number(_) | Value::Bool(_)
    )
    .then(|| node.display() == value)
    .filter(|same| *same)
    .map(|_| node.span)
}
