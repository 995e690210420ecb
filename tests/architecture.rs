//! The library's modules depend only downward (docs/architecture.md). Each top-level module
//! has a layer; a module may use modules of lower layers and of its own, never of a higher
//! one, and no two modules may use each other through any path. A new module must be given
//! its layer here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom to top.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "source, positions and text helpers",
        &["source", "text", "suggest"],
    ),
    (
        "model, fixes and git",
        &["model", "fix", "edit", "gitindex"],
    ),
    ("parsers", &["parse", "shell"]),
    (
        "Kubernetes and Terraform semantics",
        &["k8s", "image", "terraform"],
    ),
    ("rule metadata, findings and context", &["rule"]),
    (
        "configuration, docs and render tools",
        &["config", "docs", "render"],
    ),
    ("rules", &["rules"]),
    ("lint", &["suppress", "lint"]),
    ("engine", &["engine"]),
    ("reports", &["report"]),
    (
        "baselines, fixing files, merging reports",
        &["baseline", "fixer", "merge"],
    ),
    ("front ends", &["lsp", "fuzz"]),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level library module a file belongs to; `None` for the binaries' files.
fn module_of(path: &Path) -> Option<String> {
    let root = root();
    if path.starts_with(root.join("rules")) {
        return Some("rules".into());
    }
    let rel = path.strip_prefix(root.join("src")).ok()?;
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs").to_string();
    match name.as_str() {
        "lib" | "main" | "cli" | "bin" => None,
        _ => Some(name),
    }
}

/// The modules `text` names as `crate::name` (in paths and `use crate::{a, b}` groups), test
/// code and macro bodies' `$crate::` paths left out.
fn uses(text: &str) -> BTreeSet<String> {
    let code = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        // `$crate::` in a macro is resolved where the macro is used, not here.
        let in_macro = rest[..i].ends_with('$');
        rest = &rest[i + "crate::".len()..];
        if in_macro {
            continue;
        }
        let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            group[..end]
                .split(',')
                .map(|s| s.trim().split("::").next().unwrap_or("").trim())
                .collect()
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            vec![&rest[..end]]
        };
        out.extend(
            names
                .into_iter()
                .filter(|n| !n.is_empty() && n.chars().next().is_some_and(char::is_lowercase))
                .map(str::to_string),
        );
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    rust_files(&root().join("rules"), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(&file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let entry = graph.entry(module.clone()).or_default();
        // Macros exported at the crate root (`crate::declare_rule!`) are not modules.
        entry.extend(
            uses(&text)
                .into_iter()
                .filter(|u| *u != module && !text.contains(&format!("crate::{u}!"))),
        );
    }
    graph
}

fn layer(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

#[test]
fn every_module_has_a_layer_and_uses_only_lower_ones() {
    let mut wrong = Vec::new();
    for (module, used) in graph() {
        let Some(own) = layer(&module) else {
            wrong.push(format!(
                "module `{module}` has no layer: add it to LAYERS in tests/architecture.rs"
            ));
            continue;
        };
        for u in used {
            match layer(&u) {
                Some(l) if l > own => wrong.push(format!(
                    "`{module}` ({}) uses `{u}` ({}), a higher layer",
                    LAYERS[own].0, LAYERS[l].0
                )),
                _ => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_two_modules_depend_on_each_other() {
    let graph = graph();
    let mut cycles = Vec::new();
    for start in graph.keys() {
        // Depth-first from `start`: a path back to it is a cycle.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if next == start {
                    cycles.push(format!("{} -> {start}", path.join(" -> ")));
                } else if graph.contains_key(next) && seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_checker_sees_uses() {
    // The test above must be able to fail: a use in a group, a path and a macro are read.
    let text = "use crate::{lint::Unit, engine};\nfn f() { crate::report::x(); }\nmacro_rules! m { () => { $crate::rules::x() } }\n#[cfg(test)]\nmod t { use crate::fuzz; }\n";
    let found: Vec<String> = uses(text).into_iter().collect();
    assert_eq!(found, ["engine", "lint", "report"]);
}
