//! The key of a render's cache entry: a SHA-256 of everything the render can read (every file of
//! the directory trees it may load, by relative path and contents), the tool (its real path,
//! size, modification time and inode: a new install is a new tool) and the options it is given.
//! A render whose inputs cannot all be named, or are too large to hash, has no key and is not
//! cached.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{HelmOptions, LoadRestrictor};

/// What the key of an entry is made of changes with this: old entries are then misses.
const FORMAT: &str = "rampart render cache 1";
/// Hashing stops (and the render is not cached) past these.
const MAX_FILES: usize = 20_000;
const MAX_BYTES: u64 = 64 << 20;
const MAX_DEPTH: usize = 32;
/// Directories outside an overlay that it may load (bases, components), at most.
const MAX_ROOTS: usize = 64;

/// A cache key: the SHA-256 of a render's inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key(pub(crate) [u8; 32]);

impl Key {
    pub(crate) fn hex(&self) -> String {
        hex(&self.0)
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Each field is written with its tag and length, so no two different inputs hash alike.
struct Hasher {
    sha: Sha256,
    files: usize,
    bytes: u64,
    /// `.git` directories are left out (Kustomize reads no file there unless a kustomization
    /// names one, and then the render's key is not worth the repository's history).
    skip_git: bool,
}

impl Hasher {
    fn new(tool: &Path, subcommand: &str) -> Option<Hasher> {
        let mut h = Hasher {
            sha: Sha256::new(),
            files: 0,
            bytes: 0,
            skip_git: false,
        };
        h.field("format", FORMAT.as_bytes());
        h.field("rampart", env!("CARGO_PKG_VERSION").as_bytes());
        h.tool(tool)?;
        h.field("subcommand", subcommand.as_bytes());
        Some(h)
    }

    fn field(&mut self, tag: &str, data: &[u8]) {
        self.sha.update((tag.len() as u64).to_le_bytes());
        self.sha.update(tag.as_bytes());
        self.sha.update((data.len() as u64).to_le_bytes());
        self.sha.update(data);
    }

    fn path(&mut self, tag: &str, path: &Path) {
        self.field(tag, path.as_os_str().as_encoded_bytes());
    }

    /// The tool as installed: its real path and what changes when it is replaced.
    fn tool(&mut self, program: &Path) -> Option<()> {
        let real = std::fs::canonicalize(program).ok()?;
        let meta = std::fs::metadata(&real).ok()?;
        self.path("tool", &real);
        self.field("tool-size", &meta.len().to_le_bytes());
        let modified = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        self.field("tool-mtime", &modified.as_nanos().to_le_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            self.field("tool-inode", &meta.ino().to_le_bytes());
            self.field("tool-ctime", &meta.ctime_nsec().to_le_bytes());
        }
        Some(())
    }

    /// A file's contents, within the budget.
    fn contents(&mut self, tag: &str, path: &Path) -> Option<()> {
        self.files += 1;
        if self.files > MAX_FILES {
            return None;
        }
        let bytes = super::read_regular(path, MAX_BYTES.saturating_sub(self.bytes)).ok()?;
        self.bytes += bytes.len() as u64;
        self.field(tag, &bytes);
        Some(())
    }

    /// Every entry below `root`, sorted, by relative path: directories, files with their
    /// contents, links with what they say and where they lead (a link out of the tree to a
    /// directory makes that directory one more root, one to a file hashes the file). Special
    /// files are named, never opened. Kustomization files found are handed to `found`.
    fn tree(
        &mut self,
        root: &Path,
        dir: &Path,
        depth: usize,
        found: &mut dyn FnMut(&Path, Option<PathBuf>),
    ) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .ok()?
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            let meta = path.symlink_metadata().ok()?;
            if meta.file_type().is_symlink() {
                self.path("link", &rel);
                self.path("link-text", &std::fs::read_link(&path).ok()?);
                match std::fs::canonicalize(&path) {
                    Ok(target) => {
                        self.path("link-target", &target);
                        if !target.starts_with(root) {
                            if target.is_dir() {
                                found(&target, None);
                            } else if target.is_file() {
                                self.contents("link-contents", &target)?;
                            }
                        }
                    }
                    Err(_) => self.field("link-target", b"(dangling)"),
                }
            } else if meta.is_dir() && self.skip_git && entry.file_name() == ".git" {
                self.path("skipped", &rel);
            } else if meta.is_dir() {
                self.path("dir", &rel);
                self.tree(root, &path, depth + 1, found)?;
            } else if meta.is_file() {
                self.path("file", &rel);
                self.contents("contents", &path)?;
                if super::is_kustomization_file(&path) {
                    found(dir, Some(path.clone()));
                }
            } else {
                self.path("special", &rel);
            }
        }
        Some(())
    }

    fn finish(self) -> Key {
        Key(self.sha.finalize().into())
    }
}

/// The key of `kustomize build` of the overlay in `dir`: the overlay's tree, and the tree of
/// every directory one of its kustomizations names outside it (bases, components,
/// transformers: any string of a kustomization that names a directory is taken for one), and so
/// on from theirs. `None` when the overlay may read any file (`LoadRestrictionsNone`): what it
/// reads cannot be known without building it.
pub(crate) fn kustomize(
    program: &Path,
    subcommand: &str,
    dir: &Path,
    restrictor: LoadRestrictor,
) -> Option<Key> {
    if restrictor == LoadRestrictor::None {
        return None;
    }
    let mut h = Hasher::new(program, subcommand)?;
    h.field("mode", b"kustomize");
    h.skip_git = true;
    let overlay = std::fs::canonicalize(dir).ok()?;
    let mut roots: Vec<PathBuf> = vec![overlay.clone()];
    let mut queue: VecDeque<PathBuf> = VecDeque::from([overlay]);
    while let Some(root) = queue.pop_front() {
        h.path("root", &root);
        let mut more: Vec<PathBuf> = Vec::new();
        let mut uncacheable = false;
        let mut found = |base: &Path, file: Option<PathBuf>| match file {
            None => more.push(base.to_path_buf()),
            Some(file) if mentions_git(&file) => uncacheable = true,
            Some(file) => match named_dirs(base, &file) {
                Some(dirs) => more.extend(dirs),
                None => uncacheable = true,
            },
        };
        h.tree(&root, &root, 0, &mut found)?;
        if uncacheable {
            return None;
        }
        for dir in more {
            if roots.iter().any(|r| dir.starts_with(r)) {
                continue;
            }
            if roots.len() >= MAX_ROOTS {
                return None;
            }
            roots.push(dir.clone());
            queue.push_back(dir);
        }
    }
    Some(h.finish())
}

/// Does a kustomization name something in a `.git` directory (which the key leaves out)?
fn mentions_git(file: &Path) -> bool {
    super::read_regular(file, 10 << 20)
        .map_or(true, |b| String::from_utf8_lossy(&b).contains(".git/"))
}

/// The directories outside `base` that the strings of the kustomization `file` name; `None`
/// when one names a directory by an absolute path (`/`, `/srv`: too much to hash, and not
/// what an overlay meant to be cached with).
fn named_dirs(base: &Path, file: &Path) -> Option<Vec<PathBuf>> {
    let Ok(bytes) = super::read_regular(file, 10 << 20) else {
        return Some(Vec::new());
    };
    let text = String::from_utf8_lossy(&bytes);
    let (docs, _) = crate::parse::yaml::parse_stream(&text, crate::parse::yaml::Limits::default());
    let mut strings = Vec::new();
    for d in &docs {
        collect_strings(&d.root, &mut strings, 0);
    }
    let strings: Vec<String> = strings
        .into_iter()
        .filter(|s| !s.contains("://") && !s.contains('\n') && s.len() < 4096)
        .collect();
    if strings
        .iter()
        .any(|s| Path::new(s).is_absolute() && Path::new(s).is_dir())
    {
        return None;
    }
    Some(
        strings
            .into_iter()
            .filter_map(|s| std::fs::canonicalize(base.join(s)).ok())
            .filter(|p| !p.starts_with(base) && p.is_dir())
            .collect(),
    )
}

fn collect_strings(node: &crate::model::Node, out: &mut Vec<String>, depth: usize) {
    use crate::model::Value;
    if depth > 64 {
        return;
    }
    match &node.value {
        Value::String(s) => out.push(s.clone()),
        Value::List(items) => items
            .iter()
            .for_each(|n| collect_strings(n, out, depth + 1)),
        Value::Map(entries) => entries
            .iter()
            .for_each(|e| collect_strings(&e.value, out, depth + 1)),
        _ => {}
    }
}

/// The key of `helm template` of the chart in `dir` with `options`: the chart's tree (what the
/// render's copy is made from) and each values file's path and contents.
pub(crate) fn helm(program: &Path, dir: &Path, options: &HelmOptions) -> Option<Key> {
    let mut h = Hasher::new(program, "template")?;
    h.field("mode", b"helm");
    let chart = std::fs::canonicalize(dir).ok()?;
    h.path("root", &chart);
    let mut outside = false;
    h.tree(&chart, &chart, 0, &mut |_, file| outside |= file.is_none())?;
    if outside {
        // A link out of the chart: the render refuses it, and is not worth a key.
        return None;
    }
    for v in &options.values {
        let path = crate::config::absolute(v);
        h.path("values", &path);
        h.contents("values-contents", &path)?;
    }
    for s in &options.set {
        h.field("set", s.as_bytes());
    }
    Some(h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn the_key_follows_every_file_an_overlay_can_read_and_nothing_else() {
        let repo = tempfile::tempdir().unwrap();
        let d = repo.path();
        let tool = Path::new("/bin/sh");
        write(d, "base/kustomization.yaml", "resources: [pod.yaml]\n");
        write(d, "base/pod.yaml", "kind: Pod\n");
        write(d, "prod/kustomization.yaml", "resources: [../base]\n");
        write(d, "other/pod.yaml", "kind: Pod\n");
        write(d, "prod/.git/HEAD", "ref: main\n");
        let key = || kustomize(tool, "build", &d.join("prod"), LoadRestrictor::RootOnly).unwrap();
        let first = key();
        assert_eq!(first, key(), "the same inputs, the same key");
        write(d, "other/pod.yaml", "kind: Service\n");
        assert_eq!(first, key(), "a file the overlay cannot read");
        write(d, "prod/.git/HEAD", "ref: other\n");
        assert_eq!(first, key(), "the repository's history");
        write(d, "base/pod.yaml", "kind: Pod # changed\n");
        let second = key();
        assert_ne!(first, second, "a base's file");
        write(d, "prod/new.yaml", "");
        assert_ne!(second, key(), "a new file of the overlay");
        assert_ne!(
            key(),
            kustomize(tool, "kustomize", &d.join("prod"), LoadRestrictor::RootOnly).unwrap(),
            "another tool command"
        );
        assert!(kustomize(tool, "build", &d.join("prod"), LoadRestrictor::None).is_none());
        write(d, "prod/kustomization.yaml", "resources: [../base, /]\n");
        assert!(
            key_or_none(tool, &d.join("prod")).is_none(),
            "an absolute directory"
        );
    }

    fn key_or_none(tool: &Path, dir: &Path) -> Option<Key> {
        kustomize(tool, "build", dir, LoadRestrictor::RootOnly)
    }

    #[test]
    fn a_chart_key_follows_its_files_and_values() {
        let repo = tempfile::tempdir().unwrap();
        let d = repo.path();
        let tool = Path::new("/bin/sh");
        write(d, "chart/Chart.yaml", "name: shop\n");
        write(d, "values.yaml", "a: 1\n");
        let none = HelmOptions::default();
        let values = HelmOptions {
            values: vec![d.join("values.yaml")],
            set: Vec::new(),
        };
        let k = helm(tool, &d.join("chart"), &none).unwrap();
        let v = helm(tool, &d.join("chart"), &values).unwrap();
        assert_ne!(k, v);
        write(d, "values.yaml", "a: 2\n");
        assert_ne!(v, helm(tool, &d.join("chart"), &values).unwrap());
        let set = HelmOptions {
            values: Vec::new(),
            set: vec!["a=1".into()],
        };
        assert_ne!(k, helm(tool, &d.join("chart"), &set).unwrap());
        // A link, and what it leads to.
        std::os::unix::fs::symlink("Chart.yaml", d.join("chart/link")).unwrap();
        let linked = helm(tool, &d.join("chart"), &none).unwrap();
        assert_ne!(k, linked);
        write(d, "chart/Chart.yaml", "name: shop2\n");
        assert_ne!(linked, helm(tool, &d.join("chart"), &none).unwrap());
    }
}
