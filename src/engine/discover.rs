//! Discovery: the files of the scan, by walking the named paths as git would (ignore files
//! apply to untracked files only; hidden and vendored directories left out), and the
//! whole-set facts gathered from them before any is linted.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use globset::GlobSet;
use rayon::prelude::*;

use super::{Candidate, EngineError};
use crate::k8s;
use crate::lint::helm_template;
use crate::parse::yaml;
use crate::source::{io_message, FileKind};

pub(super) fn build_excludes(patterns: &[String]) -> Result<GlobSet, EngineError> {
    crate::config::path_globs(patterns).map_err(|(p, e)| EngineError::BadGlob(p, e))
}

fn rel_for_match(path: &Path) -> PathBuf {
    path.strip_prefix("./").unwrap_or(path).to_path_buf()
}

const VENDORED: &[&str] = &[".git", ".terraform", "node_modules"];

type Found = (PathBuf, FileKind, Option<String>);

/// The files of `paths` rampart reads, with their kind and why one is not checked, and the
/// paths that could not be walked (with the reason).
pub(super) fn discover(
    paths: &[PathBuf],
    excludes: &GlobSet,
) -> (Vec<Found>, Vec<(PathBuf, String)>) {
    let mut d = Discovery::default();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                d.errors.push((root.clone(), io_message(&e)));
                continue;
            }
        };
        if meta.is_file() {
            // A file named on the command line is linted even if ignore files would skip it.
            if excludes.is_match(rel_for_match(root)) {
                continue;
            }
            if let Some(kind) = FileKind::from_path(root) {
                d.add(root.clone(), kind);
            }
        } else if meta.is_dir() {
            d.walk(root, excludes);
            // Committed files are code under review: ignore files apply to untracked files only.
            if let Some(tracked) = crate::gitindex::tracked(root) {
                for (path, kind) in tracked_skipped(root, &tracked, excludes, &d.seen) {
                    d.add(path, kind);
                }
            }
        } else {
            d.errors.push((root.clone(), NOT_REGULAR.into()));
        }
    }
    (d.out, d.errors)
}

#[derive(Default)]
struct Discovery {
    out: Vec<Found>,
    errors: Vec<(PathBuf, String)>,
    /// Which directories are Helm charts.
    charts: HashMap<PathBuf, bool>,
    seen: HashSet<PathBuf>,
}

impl Discovery {
    /// A file found (once, however many named paths lead to it).
    fn add(&mut self, path: PathBuf, kind: FileKind) {
        if self.seen.insert(path.clone()) {
            let skip = helm_template(&path, kind, &mut self.charts);
            self.out.push((path, kind, skip));
        }
    }

    /// The files below `root` as git would list them: ignore files honoured, hidden and
    /// vendored directories and `--exclude` left out, links not followed.
    fn walk(&mut self, root: &Path, excludes: &GlobSet) {
        let root_for_filter = root.to_path_buf();
        let excludes_for_filter = excludes.clone();
        let walker = ignore::WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .ignore(true)
            .require_git(false)
            .follow_links(false)
            .filter_entry(move |entry| {
                let name = entry.file_name().to_string_lossy();
                if entry.file_type().is_some_and(|t| t.is_dir())
                    && VENDORED.contains(&name.as_ref())
                {
                    return false;
                }
                // A pattern may be written relative to the scanned directory or to the working
                // directory (the path as printed).
                let rel = entry
                    .path()
                    .strip_prefix(&root_for_filter)
                    .unwrap_or(entry.path());
                rel.as_os_str().is_empty()
                    || !(excludes_for_filter.is_match(rel)
                        || excludes_for_filter.is_match(rel_for_match(entry.path())))
            })
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let path = error_path(&err).unwrap_or_else(|| root.to_path_buf());
                    self.errors.push((path, err.to_string()));
                    continue;
                }
            };
            let Some(file_type) = entry.file_type() else {
                continue;
            };
            if !file_type.is_file() {
                // A FIFO, socket or device with a name rampart reads is reported, never
                // opened; links are not followed, directories are walked.
                let special = !file_type.is_dir() && !file_type.is_symlink();
                if special && FileKind::from_path(entry.path()).is_some() {
                    self.errors.push((entry.into_path(), NOT_REGULAR.into()));
                }
                continue;
            }
            let path = entry.into_path();
            if let Some(kind) = FileKind::from_path(&path) {
                self.add(path, kind);
            }
        }
    }
}

/// The files below `root` that git tracks and the walk did not find (skipped by `.gitignore`
/// or `.ignore`), as the walk would name them; hidden and vendored directories, `--exclude`
/// and links are honoured as in the walk.
fn tracked_skipped(
    root: &Path,
    tracked: &crate::gitindex::Tracked,
    excludes: &GlobSet,
    seen: &HashSet<PathBuf>,
) -> Vec<(PathBuf, FileKind)> {
    let Ok(real_root) = std::fs::canonicalize(root) else {
        return Vec::new();
    };
    let Ok(below) = real_root.strip_prefix(&tracked.top) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for file in &tracked.files {
        let Ok(rel) = file.strip_prefix(below) else {
            continue;
        };
        let hidden = rel.components().any(|c| {
            let name = c.as_os_str().to_string_lossy();
            name.starts_with('.') || VENDORED.contains(&name.as_ref())
        });
        if hidden {
            continue;
        }
        let path = root.join(rel);
        if seen.contains(&path) {
            continue;
        }
        let Some(kind) = FileKind::from_path(&path) else {
            continue;
        };
        let excluded = rel
            .ancestors()
            .filter(|a| !a.as_os_str().is_empty())
            .any(|a| excludes.is_match(a) || excludes.is_match(rel_for_match(&root.join(a))));
        if excluded || !path.symlink_metadata().is_ok_and(|m| m.is_file()) {
            continue;
        }
        out.push((path, kind));
    }
    out
}

const NOT_REGULAR: &str = "not a regular file (a FIFO, socket or device); not read";

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } => error_path(err),
        ignore::Error::WithLineNumber { err, .. } => error_path(err),
        _ => None,
    }
}

/// Whole-set facts of a scan: the NetworkPolicies of every manifest. Only files whose bytes
/// mention `NetworkPolicy` are decoded and parsed here; they are read again when linted.
pub(super) fn gather_set(candidates: &[Candidate]) -> k8s::SetFacts {
    let finder = memchr::memmem::Finder::new("NetworkPolicy");
    let policies = candidates
        .par_iter()
        .filter(|c| c.kind == FileKind::Kubernetes && c.skip.is_none())
        .flat_map_iter(|c| {
            let Ok(bytes) = crate::source::read_bytes(&c.path, c.config.max_file_size) else {
                return Vec::new();
            };
            if finder.find(&bytes).is_none() {
                return Vec::new();
            }
            let Ok(text) = crate::source::decode(bytes) else {
                return Vec::new();
            };
            let (docs, _) = yaml::parse_stream(&text, yaml::Limits::default());
            k8s::network_policies(&k8s::resources(docs, 0))
        })
        .collect();
    k8s::SetFacts {
        policies,
        gathered: true,
    }
}
