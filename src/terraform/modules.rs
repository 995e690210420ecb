//! The modules of a Terraform root module, as Terraform finds them: local `source` paths and
//! the modules `terraform init` downloaded (`.terraform/modules/modules.json`), read only from
//! inside the scan's [`ReadBoundary`], each file parsed once however often it is called.

use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use crate::model::{Node, Resource};
use crate::parse::terraform::{self as tfparse, TfError, TfFile};
use crate::source::{read_text, FileKind, SourceFile, Span};

/// A variable given on the command line, in the order given: later ones win.
#[derive(Clone, Debug, PartialEq)]
pub enum TfVar {
    /// `--var-file FILE` (HCL `.tfvars`).
    File(PathBuf),
    /// `--var NAME=VALUE`.
    Set(String, String),
}

/// How root modules are evaluated.
#[derive(Clone, Debug, Default)]
pub(crate) struct TfEnv {
    pub vars: Vec<TfVar>,
    /// `file()`/`templatefile()` read only below this directory; `None` disables them.
    pub root: Option<PathBuf>,
    /// Where module calls may be read from; `None`: the repository of the root module.
    pub boundary: Option<ReadBoundary>,
}

/// The directories a scan reads Terraform modules from. Terraform itself follows a module
/// `source` (or a `Dir` of `.terraform/modules/modules.json`) anywhere on the machine; a scan of
/// a repository it does not trust reads only that repository: the git work tree holding the
/// scanned directory (the nearest directory above it with a `.git`), or the scanned directory
/// itself outside git, plus the directories the user names with `--allow-read`. Paths are
/// compared after following links, so a link inside the repository cannot lead out of it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ReadBoundary {
    dirs: Vec<PathBuf>,
}

impl ReadBoundary {
    /// The repository of `dir`, and `extra` directories.
    pub(crate) fn around(dir: &Path, extra: &[PathBuf]) -> ReadBoundary {
        let mut dirs = Vec::new();
        if let Ok(real) = std::fs::canonicalize(dir) {
            let repository = real
                .ancestors()
                .find(|a| a.join(".git").exists())
                .unwrap_or(&real)
                .to_path_buf();
            dirs.push(repository);
        }
        dirs.extend(extra.iter().filter_map(|d| std::fs::canonicalize(d).ok()));
        ReadBoundary { dirs }
    }

    /// Does `path`, links followed, lie inside one of the directories?
    pub(crate) fn contains(&self, path: &Path) -> bool {
        std::fs::canonicalize(path).is_ok_and(|real| self.dirs.iter().any(|d| real.starts_with(d)))
    }
}

/// Module calls nested deeper than this are not followed.
const MAX_DEPTH: usize = 8;
/// At most this many instances of one module call are evaluated (`count`/`for_each`).
pub(crate) const MAX_CALL_INSTANCES: usize = 32;

/// At most this many module instances are evaluated for one root module.
const MAX_MODULES: usize = 256;
/// Arguments of a `module` block that are not input variables.
const META_ARGUMENTS: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

/// One module of the tree: the root, or a module called from another.
pub(crate) struct ModuleNode {
    pub(crate) dir: PathBuf,
    pub(crate) parent: Option<usize>,
    /// The call's name in its parent (`vpc` for `module "vpc"`).
    pub(crate) call: String,
    /// `module.a.module.b`.
    pub(crate) address: String,
    /// `modules.json` key: call names joined by dots.
    pub(crate) key: String,
    /// Downloaded from a registry or git (under `.terraform/modules`).
    pub(crate) remote: bool,
    /// Its files among the unit's files.
    pub(crate) files: Range<usize>,
    /// The call in the root module this module is reached through: (file, block head).
    pub(crate) top: Option<(usize, Span)>,
}

struct Call {
    name: String,
    source: String,
    source_span: Span,
    head: Span,
    file: usize,
}

/// A call whose module is not read: where it is reported (its `source` in the root module, or
/// the root's call it is reached through), its source, and where it leads when that is outside
/// the boundary.
pub(crate) struct Missing {
    pub(crate) file: usize,
    pub(crate) span: Span,
    pub(crate) source: String,
    pub(crate) outside: Option<PathBuf>,
}

/// A root module and every module it calls, read and parsed: `files` holds the root's files,
/// then the `--var-file`s, then each called module's files.
pub(crate) struct ModuleTree {
    pub(crate) files: Vec<SourceFile>,
    pub(crate) parsed: Vec<Result<TfFile, TfError>>,
    /// Breadth first; `nodes[0]` is the root.
    pub(crate) nodes: Vec<ModuleNode>,
    /// The `--var-file`s among `files`, in order (`usize::MAX` for one that could not be read).
    pub(crate) var_files: Vec<usize>,
    pub(crate) missing: Vec<Missing>,
    /// How many of `files` are the root module's own.
    pub(crate) root_files: usize,
}

impl ModuleTree {
    /// Read the tree of the root module made of `files` (in one directory). Files larger than
    /// `max_size` are left out.
    pub(crate) fn read(mut files: Vec<SourceFile>, env: &TfEnv, max_size: u64) -> ModuleTree {
        let root_files = files.len();
        let dir = files
            .first()
            .and_then(|f| f.path.parent())
            .map(Path::to_path_buf)
            .unwrap_or_default();
        // Variable files from the command line are context files of the unit, so a finding can
        // point at the line that set a value.
        let mut var_files = Vec::new();
        for var in &env.vars {
            if let TfVar::File(path) = var {
                if let Ok(text) = read_text(path, max_size) {
                    var_files.push(files.len());
                    files.push(SourceFile::new(path.clone(), FileKind::Terraform, text));
                } else {
                    var_files.push(usize::MAX);
                }
            }
        }
        let parsed = files
            .iter()
            .map(|f| tfparse::parse_named(&f.path, &f.text))
            .collect();
        let mut tree = ModuleTree {
            files,
            parsed,
            nodes: vec![ModuleNode {
                dir: dir.clone(),
                parent: None,
                call: String::new(),
                address: String::new(),
                key: String::new(),
                remote: false,
                files: 0..root_files,
                top: None,
            }],
            var_files,
            missing: Vec::new(),
            root_files,
        };
        let boundary = env
            .boundary
            .clone()
            .unwrap_or_else(|| ReadBoundary::around(&dir, &[]));
        tree.follow_calls(&dir, &boundary, max_size);
        tree
    }

    /// Add the modules the tree's modules call, breadth first.
    fn follow_calls(&mut self, dir: &Path, boundary: &ReadBoundary, max_size: u64) {
        let manifest = downloaded_modules(dir);
        let mut i = 0;
        while i < self.nodes.len() {
            for call in module_calls(&self.parsed, self.nodes[i].files.clone()) {
                let node = &self.nodes[i];
                let key = if node.key.is_empty() {
                    call.name.clone()
                } else {
                    format!("{}.{}", node.key, call.name)
                };
                let top = node.top.or(Some((call.file, call.head)));
                let resolved = if call.source.starts_with("./") || call.source.starts_with("../") {
                    let d = normalize(&node.dir.join(&call.source));
                    d.is_dir().then_some((d, node.remote))
                } else {
                    manifest
                        .iter()
                        .find(|(k, _)| *k == key)
                        .map(|(_, d)| normalize(&dir.join(d)))
                        .filter(|d| d.is_dir())
                        .map(|d| (d, true))
                };
                // Where a call that is not followed is reported: at its source in the root
                // module, at the root's call for one made inside a called module.
                let (file, span) = if node.parent.is_none() {
                    (call.file, call.source_span)
                } else {
                    top.unwrap_or((call.file, call.source_span))
                };
                let missing = |outside| Missing {
                    file,
                    span,
                    source: call.source.clone(),
                    outside,
                };
                let Some((child_dir, remote)) = resolved else {
                    self.missing.push(missing(None));
                    continue;
                };
                if !boundary.contains(&child_dir) {
                    let real = std::fs::canonicalize(&child_dir).unwrap_or(child_dir);
                    self.missing.push(missing(Some(real)));
                    continue;
                }
                let depth = ancestors(&self.nodes, i).count();
                let cycle = ancestors(&self.nodes, i).any(|a| self.nodes[a].dir == child_dir);
                if depth >= MAX_DEPTH || cycle || self.nodes.len() >= MAX_MODULES {
                    continue;
                }
                // A module called more than once is read and parsed once.
                let range = match self.nodes.iter().find(|n| n.dir == child_dir) {
                    Some(seen) => seen.files.clone(),
                    None => self.read_module(&child_dir, boundary, max_size),
                };
                let address = format!("{}module.{}", prefix(&self.nodes[i].address), call.name);
                self.nodes.push(ModuleNode {
                    dir: child_dir,
                    parent: Some(i),
                    call: call.name,
                    address,
                    key,
                    remote,
                    files: range,
                    top,
                });
            }
            i += 1;
        }
    }

    /// Read and parse the files of a called module; their range among the files.
    fn read_module(&mut self, dir: &Path, boundary: &ReadBoundary, max_size: u64) -> Range<usize> {
        let start = self.files.len();
        for path in tf_files(dir, boundary) {
            if let Ok(text) = read_text(&path, max_size) {
                self.parsed.push(tfparse::parse_named(&path, &text));
                self.files
                    .push(SourceFile::new(path, FileKind::Terraform, text));
            }
        }
        start..self.files.len()
    }
}

/// The input values each instance of a call passes (none for `count = 0`): each argument
/// placed at the call, so that a finding it causes can be reported there, unless its value
/// came from the root module (a module called by a called module, passed a root argument on):
/// then it keeps that origin and the finding goes to the root's argument.
pub(crate) fn call_instances(
    parent: &[Resource],
    call: &str,
    root_files: usize,
) -> Vec<Vec<(String, Node, Option<usize>)>> {
    let name = format!("module.{call}");
    parent
        .iter()
        .filter(|r| r.name == name && r.tf_type() == Some(("module", "module")))
        .map(|block| {
            block
                .body
                .entries()
                .iter()
                .filter(|e| !META_ARGUMENTS.contains(&e.key.as_str()))
                .map(|e| {
                    let from_root = block.file >= root_files
                        && e.value
                            .origin
                            .as_ref()
                            .is_some_and(|o| o.file.is_some_and(|f| f < root_files));
                    let value = if from_root {
                        e.value.clone()
                    } else {
                        e.value.placed(e.value.span)
                    };
                    (e.key.clone(), value, Some(block.file))
                })
                .collect()
        })
        .collect()
}

fn module_calls(parsed: &[Result<TfFile, TfError>], files: Range<usize>) -> Vec<Call> {
    let mut calls = Vec::new();
    for i in files {
        let Ok(tf) = &parsed[i] else { continue };
        for block in tf.body.get_blocks("module") {
            let Some(name) = block.labels.first().map(|l| l.as_str().to_string()) else {
                continue;
            };
            let Some(source) = block.body.get_attribute("source") else {
                continue;
            };
            let Some(text) = source.value.as_str() else {
                continue;
            };
            use hcl_edit::Span as _;
            let at = |r: Option<std::ops::Range<usize>>| {
                r.map(|r| tf.place(Span::new(r.start + tf.base, r.end + tf.base)))
                    .unwrap_or_default()
            };
            let start = at(block.span()).start;
            let head_end = block
                .labels
                .last()
                .and_then(|l| l.span())
                .map(|r| at(Some(r)).end)
                .unwrap_or(start);
            calls.push(Call {
                name,
                source: text.to_string(),
                source_span: at(source.value.span()),
                head: Span::new(start, head_end),
                file: i,
            });
        }
    }
    calls
}

/// `Key → Dir` of `.terraform/modules/modules.json`, Dir relative to the root module.
pub(crate) fn downloaded_modules(dir: &Path) -> Vec<(String, PathBuf)> {
    let path = dir.join(".terraform").join("modules").join("modules.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    json.get("Modules")
        .and_then(|m| m.as_array())
        .map(|modules| {
            modules
                .iter()
                .filter_map(|m| {
                    let key = m.get("Key")?.as_str()?;
                    let d = m.get("Dir")?.as_str()?;
                    (!key.is_empty()).then(|| (key.to_string(), PathBuf::from(d)))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The `.tf` files of a directory that lie inside `boundary` (a link leading out is left out),
/// sorted.
pub(crate) fn tf_files(dir: &Path, boundary: &ReadBoundary) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    let name = p
                        .file_name()
                        .map(|n| n.to_string_lossy().to_ascii_lowercase());
                    name.is_some_and(|n| n.ends_with(".tf") || n.ends_with(".tf.json"))
                        && p.is_file()
                        && boundary.contains(p)
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn ancestors(tree: &[ModuleNode], from: usize) -> impl Iterator<Item = usize> + '_ {
    std::iter::successors(Some(from), move |i| tree[*i].parent)
}

fn prefix(address: &str) -> String {
    if address.is_empty() {
        String::new()
    } else {
        format!("{address}.")
    }
}

/// `a/b/../c` → `a/c`, without touching the file system (paths stay as the user wrote them).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut parts: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => parts.push(c),
            },
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::normalize;
    use std::path::Path;

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("a/b/../c")), Path::new("a/c"));
        assert_eq!(normalize(Path::new("./a/./b")), Path::new("a/b"));
        assert_eq!(normalize(Path::new("a/../../b")), Path::new("../b"));
        assert_eq!(normalize(Path::new("/x/../y")), Path::new("/y"));
    }
}
