//! Baselines: the findings a project accepted when it adopted rampart. `rampart baseline` writes
//! them; `rampart scan --baseline FILE` reports only findings that are not in it.
//!
//! A finding is identified by its fingerprint (rule, file relative to the baseline, resource,
//! container, and the offending text with whitespace folded), so it survives line shifts and
//! reformatting, while the same rule firing in another file or resource is new. Identical
//! fingerprints are counted, so a second identical finding in the same place is new too.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::absolute;
use crate::engine::ScanResult;
use crate::lint::FileResult;
use crate::report::{display_path, fingerprint_at, identity};

pub(crate) const FILE_NAME: &str = ".rampart-baseline.json";

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub fingerprint: String,
    pub code: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub message: String,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: usize,
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub(crate) struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum BaselineError {
    #[error("cannot read baseline {0}: {1}")]
    Read(PathBuf, String),
    #[error("baseline {0} is not a rampart baseline: {1}")]
    Corrupt(PathBuf, String),
    #[error("baseline {0} has version {1}; this rampart reads version 1")]
    Version(PathBuf, u32),
}

/// Lexically normalise `a/./b/../c` (no file system access: paths may not exist).
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The path of a file as written in a baseline that lives in `dir`.
fn relative_to(path: &Path, dir: &Path) -> String {
    let abs = normalise(&absolute(path));
    let dir = normalise(&absolute(dir));
    match abs.strip_prefix(&dir) {
        Ok(rel) => display_path(rel),
        Err(_) => display_path(&abs),
    }
}

impl Baseline {
    /// The active (not suppressed) findings of a scan, as a baseline stored at `file`.
    pub(crate) fn from_scan(result: &ScanResult, file: &Path) -> Baseline {
        let dir = file.parent().unwrap_or(Path::new("."));
        let mut map: BTreeMap<(String, String, String), Entry> = BTreeMap::new();
        for f in &result.files {
            for finding in f.active() {
                let path = relative_to(f.unit_path(identity(finding).0), dir);
                let fp = fingerprint_at(f, finding, &path);
                map.entry((path.clone(), finding.meta.code.to_string(), fp.clone()))
                    .and_modify(|e| e.count += 1)
                    .or_insert(Entry {
                        fingerprint: fp,
                        code: finding.meta.code.to_string(),
                        path,
                        resource: finding.resource.clone(),
                        message: finding.message.clone(),
                        count: 1,
                    });
            }
        }
        Baseline {
            version: 1,
            findings: map.into_values().collect(),
        }
    }

    pub(crate) fn to_json(&self) -> String {
        crate::text::pretty_json(self) + "\n"
    }

    pub(crate) fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| BaselineError::Read(path.to_path_buf(), e.to_string()))?;
        let b: Baseline = serde_json::from_str(&text)
            .map_err(|e| BaselineError::Corrupt(path.to_path_buf(), e.to_string()))?;
        if b.version != 1 {
            return Err(BaselineError::Version(path.to_path_buf(), b.version));
        }
        Ok(b)
    }

    /// A filter that takes files one at a time (a streamed scan); `file` is the baseline's path.
    pub(crate) fn filter_for(&self, file: &Path) -> BaselineFilter {
        let mut remaining: HashMap<String, usize> = HashMap::new();
        for e in &self.findings {
            *remaining.entry(e.fingerprint.clone()).or_default() += e.count;
        }
        BaselineFilter {
            dir: file.parent().unwrap_or(Path::new(".")).to_path_buf(),
            remaining,
        }
    }
}

/// Drops the findings a baseline knows, each known finding once.
pub(crate) struct BaselineFilter {
    dir: PathBuf,
    remaining: HashMap<String, usize>,
}

impl BaselineFilter {
    /// Drop the known findings of one file; returns how many were dropped.
    pub(crate) fn apply(&mut self, f: &mut FileResult) -> usize {
        let known = self.known(f);
        let removed = known.iter().filter(|k| **k).count();
        let mut it = known.into_iter();
        f.findings.retain(|_| !it.next().unwrap_or(false));
        removed
    }

    /// Mark the known findings of one file as accepted (suppressed, kind `baseline`) instead
    /// of dropping them, for views that list accepted exceptions; returns how many.
    pub(crate) fn accept(&mut self, f: &mut FileResult, reason: &str) -> usize {
        let known = self.known(f);
        let mut n = 0;
        for (finding, known) in f.findings.iter_mut().zip(known) {
            if known {
                n += 1;
                finding.suppressed = Some(crate::rule::Suppressed {
                    kind: "baseline",
                    justification: reason.to_string(),
                });
            }
        }
        n
    }

    /// Which findings of `f` the baseline knows (each entry counted once).
    fn known(&mut self, f: &FileResult) -> Vec<bool> {
        f.findings
            .iter()
            .map(|finding| {
                if finding.suppressed.is_some() {
                    return false;
                }
                let path = relative_to(f.unit_path(identity(finding).0), &self.dir);
                let fp = fingerprint_at(f, finding, &path);
                match self.remaining.get_mut(fp.as_str()) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        true
                    }
                    _ => false,
                }
            })
            .collect()
    }
}
