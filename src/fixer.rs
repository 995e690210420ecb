//! Applying fixes to files: in rounds until stable (overlapping fixes wait for the next
//! round), re-linting after each round, never producing a file that does not parse, and
//! writing atomically (a temporary file renamed over the original, owner and mode kept) only
//! when the file is still what was read, is the user's to write and lies inside the scanned
//! tree.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::fix::{apply_non_overlapping, Applicability, Fix};
use crate::lint::{self, FileResult, Unit};
use crate::source::{FileKind, SourceFile};

const MAX_ROUNDS: usize = 10;
const PARSE_ERROR: &str = "RAMPART-001";

/// Lint a file again after its text changed (a Terraform file together with its module).
pub fn relint(result: &FileResult, new_text: &str, config: &Config) -> FileResult {
    let file = &result.unit[result.index];
    let unit = match file.kind {
        FileKind::Terraform => {
            let files: Vec<SourceFile> = result
                .unit
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    if i == result.index {
                        f.with_text(new_text)
                    } else {
                        f.clone()
                    }
                })
                .collect();
            let reported: Vec<bool> = (0..files.len()).map(|i| i == result.index).collect();
            Unit::module(files, &reported, config)
        }
        kind => Unit::file(&file.path, new_text, kind, config),
    };
    lint::lint_one(unit)
}

/// What fixing one file did.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub path: PathBuf,
    pub original: String,
    pub fixed: String,
    /// Fixes applied over all rounds.
    pub applied: usize,
    /// Why the file was left unchanged, when it was.
    pub refused: Option<String>,
}

impl Outcome {
    pub(crate) fn changed(&self) -> bool {
        self.refused.is_none() && self.fixed != self.original
    }
}

fn fixes_of(result: &FileResult, min: Applicability) -> Vec<&Fix> {
    result
        .active()
        .filter(|f| f.file == result.index)
        .filter_map(|f| f.fixes.iter().find(|x| x.applicability >= min))
        .collect()
}

/// Fix one file in memory. `None` when it has nothing to fix.
pub(crate) fn fix_file(
    result: &FileResult,
    min: Applicability,
    config: &Config,
) -> Option<Outcome> {
    if fixes_of(result, min).is_empty() {
        return None;
    }
    let original = result.text().to_string();
    let parse_errors_before = result
        .findings
        .iter()
        .filter(|f| f.meta.code == PARSE_ERROR)
        .count();
    let mut current = result.clone();
    let mut text = original.clone();
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        let fixes = fixes_of(&current, min);
        if fixes.is_empty() {
            break;
        }
        let (next, n) = apply_non_overlapping(&text, &fixes);
        if n == 0 || next == text {
            break;
        }
        let relinted = relint(&current, &next, config);
        let parse_errors = relinted
            .findings
            .iter()
            .filter(|f| f.meta.code == PARSE_ERROR)
            .count();
        if parse_errors > parse_errors_before {
            return Some(Outcome {
                path: result.path.to_path_buf(),
                original: original.clone(),
                fixed: original,
                applied: 0,
                refused: Some("the fixed text would not parse; the file was left unchanged".into()),
            });
        }
        applied += n;
        text = next;
        current = relinted;
    }
    Some(Outcome {
        path: result.path.to_path_buf(),
        original,
        fixed: text,
        applied,
        refused: None,
    })
}

/// Why a fixed text was not written to its file. The file is left as it is on disk.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteRefused {
    #[error("changed while it was being fixed; not written")]
    Changed,
    #[error("no longer exists; not written and not recreated")]
    Vanished,
    #[error("resolves to {}, outside the scanned tree; not written", .0.display())]
    OutsideTree(PathBuf),
    #[error("leads through a symbolic link to {}, outside the directory holding the link; not written", .0.display())]
    LinkOut(PathBuf),
    #[error("has {0} hard links and replacing it would split them; not written")]
    HardLinks(u64),
    #[error("is read-only; not written")]
    ReadOnly,
    #[error("is not writable by this user; not written")]
    NotWritable,
    #[error("is not a regular file; not written")]
    NotRegular,
    #[error("its owner and group could not be kept ({0}); not written")]
    Owner(std::io::Error),
    #[error("could not be written ({what}: {source}); left unchanged")]
    Io {
        what: &'static str,
        source: std::io::Error,
    },
}

fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> WriteRefused {
    move |source| match source.kind() {
        std::io::ErrorKind::NotFound => WriteRefused::Vanished,
        _ => WriteRefused::Io { what, source },
    }
}

/// The directories `--fix` may write below. Each path named on the command line gives one: a
/// directory itself, a file the directory that holds it, resolved component by component (see
/// `resolve_within`). A file is written only when it resolves to a path inside one of them,
/// so a link in a repository cannot make `--fix` write outside it.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    roots: Vec<PathBuf>,
}

impl Tree {
    pub(crate) fn of_paths(paths: &[PathBuf]) -> Tree {
        let roots = paths
            .iter()
            .filter_map(|p| {
                let dir = if p.is_dir() {
                    p.as_path()
                } else {
                    p.parent().unwrap_or(Path::new(""))
                };
                resolve_within(dir)
            })
            .collect();
        Tree { roots }
    }

    fn contains(&self, real: &Path) -> bool {
        self.roots.iter().any(|r| real.starts_with(r))
    }
}

/// `dir` resolved one component at a time. Below the working directory, a symbolic link whose
/// target is not inside the directory that holds it ends the tree at that directory; what lies
/// outside the working directory (an absolute path elsewhere, `..`) is resolved as named.
fn resolve_within(dir: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let cwd = std::fs::canonicalize(".").ok()?;
    let relative = if dir.is_absolute() {
        let named_cwd = std::env::current_dir().ok();
        let below = dir
            .strip_prefix(&cwd)
            .ok()
            .or_else(|| dir.strip_prefix(named_cwd.as_deref()?).ok());
        match below {
            Some(r) => r,
            None => return std::fs::canonicalize(dir).ok(),
        }
    } else {
        dir
    };
    let mut real = cwd.clone();
    for component in relative.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                real.pop();
            }
            Component::Normal(name) => {
                let next = real.join(name);
                if std::fs::symlink_metadata(&next)
                    .ok()?
                    .file_type()
                    .is_symlink()
                {
                    let resolved = std::fs::canonicalize(&next).ok()?;
                    if real.starts_with(&cwd) && !resolved.starts_with(&real) {
                        return Some(real);
                    }
                    real = resolved;
                } else {
                    real = next;
                }
            }
            Component::Prefix(_) | Component::RootDir => return std::fs::canonicalize(dir).ok(),
        }
    }
    Some(real)
}

/// Refuse a file rampart is about to create or truncate (a report, a baseline) when it is
/// reached, below the working directory, through a symbolic link that leads out of the
/// directory holding it: a repository must not be able to direct that write outside itself.
/// A path outside the working directory (`/dev/stdout`, an absolute path elsewhere) is taken
/// as named.
pub(crate) fn check_output_path(path: &Path) -> Result<(), WriteRefused> {
    let (Some(name), Ok(cwd)) = (path.file_name(), std::fs::canonicalize(".")) else {
        return Ok(());
    };
    let parent = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // A directory that does not exist: creating the file fails on its own.
    let (Some(within), Ok(real)) = (resolve_within(parent), std::fs::canonicalize(parent)) else {
        return Ok(());
    };
    if within != real {
        return Err(WriteRefused::LinkOut(real.join(name)));
    }
    let full = real.join(name);
    let is_link = std::fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link || !real.starts_with(&cwd) {
        return Ok(());
    }
    match std::fs::canonicalize(&full) {
        Ok(target) if target.starts_with(&real) => Ok(()),
        Ok(target) => Err(WriteRefused::LinkOut(target)),
        // A dangling link would create its target wherever it points.
        Err(_) => Err(WriteRefused::LinkOut(
            std::fs::read_link(&full).unwrap_or(full),
        )),
    }
}

/// What identifies the file as it was when its text was checked: replacing it is refused when
/// any of this differs just before the rename.
#[derive(Debug, Clone, PartialEq)]
struct Identity {
    dev: u64,
    ino: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> Identity {
    use std::os::unix::fs::MetadataExt;
    Identity {
        dev: meta.dev(),
        ino: meta.ino(),
        len: meta.len(),
        modified: meta.modified().ok(),
    }
}

#[cfg(not(unix))]
fn identity(meta: &std::fs::Metadata) -> Identity {
    Identity {
        dev: 0,
        ino: 0,
        len: meta.len(),
        modified: meta.modified().ok(),
    }
}

#[cfg(unix)]
fn links(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn links(_: &std::fs::Metadata) -> u64 {
    1
}

/// Whether the user may write the file: some write bit set (a file marked read-only stays so,
/// even for root), and `access(W_OK)` allows it.
#[cfg(unix)]
fn writable(path: &Path, meta: &std::fs::Metadata) -> Result<(), WriteRefused> {
    use std::os::unix::fs::PermissionsExt;
    if meta.permissions().mode() & 0o222 == 0 {
        return Err(WriteRefused::ReadOnly);
    }
    match rustix::fs::access(path, rustix::fs::Access::WRITE_OK) {
        Ok(()) => Ok(()),
        Err(rustix::io::Errno::ACCESS | rustix::io::Errno::PERM) => Err(WriteRefused::NotWritable),
        Err(rustix::io::Errno::ROFS) => Err(WriteRefused::ReadOnly),
        Err(e) => Err(io("checking write permission")(e.into())),
    }
}

#[cfg(not(unix))]
fn writable(_: &Path, meta: &std::fs::Metadata) -> Result<(), WriteRefused> {
    if meta.permissions().readonly() {
        return Err(WriteRefused::ReadOnly);
    }
    Ok(())
}

/// Open a regular file for reading without following a final symbolic link and without
/// blocking (a FIFO swapped in is refused, not waited on).
fn open_regular(path: &Path) -> Result<std::fs::File, WriteRefused> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| match e.raw_os_error() {
        #[cfg(unix)]
        Some(libc::ELOOP) => WriteRefused::Changed,
        _ => io("opening it")(e),
    })?;
    Ok(file)
}

/// The file's identity and whether its text is still `expected`, read from `path` as it is now.
fn check_unchanged(
    path: &Path,
    expected: &str,
) -> Result<(std::fs::Metadata, Identity), WriteRefused> {
    use std::io::Read;
    let before = std::fs::symlink_metadata(path).map_err(io("reading its metadata"))?;
    if !before.file_type().is_file() {
        return Err(WriteRefused::NotRegular);
    }
    let file = open_regular(path)?;
    let meta = file.metadata().map_err(io("reading its metadata"))?;
    let id = identity(&meta);
    if !meta.file_type().is_file() || id != identity(&before) {
        return Err(WriteRefused::Changed);
    }
    if links(&meta) > 1 {
        return Err(WriteRefused::HardLinks(links(&meta)));
    }
    if meta.len() != expected.len() as u64 {
        return Err(WriteRefused::Changed);
    }
    let mut bytes = Vec::with_capacity(expected.len());
    file.take(expected.len() as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io("reading it again"))?;
    if bytes != expected.as_bytes() {
        return Err(WriteRefused::Changed);
    }
    Ok((meta, id))
}

/// A file about to be replaced by its fixed text: resolved, checked and identified.
#[derive(Debug)]
pub(crate) struct Pending<'a> {
    /// The file itself (a symbolic link resolved).
    real: PathBuf,
    read: &'a str,
    meta: std::fs::Metadata,
    id: Identity,
}

impl<'a> Pending<'a> {
    /// Check that `path` may be replaced: it resolves to a regular file inside `tree` with one
    /// link, the user may write it, and its text is still `read` (what the fixes were made from).
    pub(crate) fn open(
        path: &Path,
        read: &'a str,
        tree: &Tree,
    ) -> Result<Pending<'a>, WriteRefused> {
        let real = std::fs::canonicalize(path).map_err(io("resolving its path"))?;
        if !tree.contains(&real) {
            return Err(WriteRefused::OutsideTree(real));
        }
        let (meta, id) = check_unchanged(&real, read)?;
        writable(&real, &meta)?;
        Ok(Pending {
            real,
            read,
            meta,
            id,
        })
    }

    /// Replace the file with `text` atomically: a temporary file beside it, with the original's
    /// owner, group and mode, synced, then renamed over it — unless the file changed since it
    /// was checked — and the directory synced. The temporary file is removed on every failure.
    pub(crate) fn replace(self, text: &str) -> Result<(), WriteRefused> {
        let dir = self.real.parent().unwrap_or(Path::new("/"));
        let mut tmp = tempfile::Builder::new()
            .prefix(".rampart-fix-")
            .tempfile_in(dir)
            .map_err(io("creating a temporary file beside it"))?;
        tmp.write_all(text.as_bytes())
            .map_err(io("writing the temporary file"))?;
        keep_owner_and_mode(tmp.as_file(), &self.meta)?;
        tmp.as_file()
            .sync_all()
            .map_err(io("syncing the temporary file"))?;
        let (_, now) = check_unchanged(&self.real, self.read)?;
        if now != self.id {
            return Err(WriteRefused::Changed);
        }
        tmp.persist(&self.real)
            .map_err(|e| io("renaming the temporary file over it")(e.error))?;
        // The rename is done; a file system that cannot sync a directory keeps it all the same.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

#[cfg(unix)]
fn keep_owner_and_mode(tmp: &std::fs::File, meta: &std::fs::Metadata) -> Result<(), WriteRefused> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let mine = tmp.metadata().map_err(io("reading the temporary file"))?;
    if (mine.uid(), mine.gid()) != (meta.uid(), meta.gid()) {
        std::os::unix::fs::fchown(tmp, Some(meta.uid()), Some(meta.gid()))
            .map_err(WriteRefused::Owner)?;
    }
    // After the chown, which clears set-id bits.
    tmp.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))
        .map_err(io("setting the temporary file's mode"))
}

#[cfg(not(unix))]
fn keep_owner_and_mode(tmp: &std::fs::File, meta: &std::fs::Metadata) -> Result<(), WriteRefused> {
    tmp.set_permissions(meta.permissions())
        .map_err(io("setting the temporary file's mode"))
}

/// Replace `path`, whose text was `read` when the fixes were made, with `fixed` (see
/// [`Pending`]).
pub(crate) fn write_fixed(
    path: &Path,
    read: &str,
    fixed: &str,
    tree: &Tree,
) -> Result<(), WriteRefused> {
    Pending::open(path, read, tree)?.replace(fixed)
}

/// A unified diff of one outcome, with file names.
pub(crate) fn diff(outcome: &Outcome) -> String {
    use crate::report::text;
    let name = text::line(&crate::report::display_path(&outcome.path)).into_owned();
    let diff = similar::TextDiff::from_lines(&outcome.original, &outcome.fixed)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string();
    // Control characters of the file are shown escaped, as in the reports, and a context line
    // of the file cannot read as a CI workflow command.
    text::without_commands(&text::block(&diff)).into_owned()
}

#[cfg(test)]
mod tests;
