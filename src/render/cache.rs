//! Renders kept between scans, so that a scan of an unchanged repository renders nothing.
//!
//! An entry is one file, `<key>.entry`, in a directory of the user's own (`render` under
//! `$RAMPART_CACHE_DIR`, `$XDG_CACHE_HOME/rampart` or `~/.cache/rampart`): a header with the
//! format, the key, the outcome, the tool's label, the length and the SHA-256 of the payload,
//! then the payload (what the tool wrote, or its error). It is written to a temporary file that
//! only the user can read and renamed into place, so a reader sees a whole entry or none. An
//! entry is never trusted blindly: one whose key, length or checksum does not match is a miss.
//! A directory that is a link, belongs to someone else or can be written by others is not used.
//! Past the size limit the least recently used entries are removed.
//!
//! Failures are cached when the tool itself said no (it exited with an error, or wrote too much
//! or something that is not UTF-8): that answer is a function of the inputs, the key covers
//! them, and an overlay that cannot build offline would otherwise be built again on every scan.
//! A render that timed out, was killed, or could not start is not cached: that says something
//! about the machine at that moment, not about the overlay.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::key::{hex, Key};
use super::Rendered;

/// The first line of every entry.
const MAGIC: &str = "rampart render cache 1";
/// The default size limit of the cache directory.
pub(crate) const DEFAULT_LIMIT: u64 = 256 << 20;
/// An entry's header is never longer than this.
const MAX_HEADER: usize = 4096;

/// An open render cache.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    limit: u64,
}

/// The cache directory of a user who said nothing: `render` below `$RAMPART_CACHE_DIR`,
/// `$XDG_CACHE_HOME/rampart` (when absolute, as the XDG specification requires) or
/// `~/.cache/rampart`. `None` when there is no home.
pub(crate) fn default_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let base = var("RAMPART_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|x| x.join("rampart")))
        .or_else(|| var("HOME").map(|h| h.join(".cache").join("rampart")))?;
    Some(base.join("render"))
}

impl Cache {
    /// The cache in `dir` (created, only the user may enter it), holding at most about `limit`
    /// bytes. Refused when `dir` or its parent is a link, is not the user's, or others may
    /// write to it.
    pub fn open(dir: &Path, limit: u64) -> Result<Cache, String> {
        let create = |d: &Path, recursive: bool| {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(recursive);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder
                .create(d)
                .map_err(|e| format!("cannot create {}: {e}", d.display()))
        };
        // The parent is checked before anything is created in it.
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            if parent.symlink_metadata().is_err() {
                create(parent, true)?;
            }
            private_dir(parent)?;
        }
        if dir.symlink_metadata().is_err() {
            create(dir, false)?;
        }
        private_dir(dir)?;
        Ok(Cache {
            dir: dir.to_path_buf(),
            limit,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn entry(&self, key: &Key) -> PathBuf {
        self.dir.join(format!("{}.entry", key.hex()))
    }

    /// The render kept under `key`, if a whole and matching entry is there.
    pub(crate) fn get(&self, key: &Key) -> Option<Rendered> {
        let path = self.entry(key);
        let file = crate::source::open_regular_resolved(&path).ok()?;
        let bytes =
            crate::source::read_bounded(file, super::MAX_OUTPUT + MAX_HEADER as u64).ok()?;
        let rendered = decode(key, &bytes)?;
        // Used: it is the last to go when the cache is trimmed.
        if let Ok(f) = std::fs::File::open(&path) {
            let _ = f.set_modified(std::time::SystemTime::now());
        }
        Some(rendered)
    }

    /// Keep `rendered` under `key` (atomically; a failure to write is only a miss next time).
    pub(crate) fn put(&self, key: &Key, rendered: &Rendered) {
        let Some(bytes) = encode(key, rendered) else {
            return;
        };
        if bytes.len() as u64 > self.limit / 4 {
            return;
        }
        let write = || -> std::io::Result<()> {
            // Created readable by the user only (tempfile's default on Unix).
            let mut tmp = tempfile::Builder::new()
                .prefix(".tmp-")
                .tempfile_in(&self.dir)?;
            tmp.write_all(&bytes)?;
            tmp.as_file().sync_data()?;
            tmp.persist(self.entry(key)).map_err(|e| e.error)?;
            Ok(())
        };
        let _ = write();
    }

    /// Remove the least recently used entries while the cache holds more than its limit (down
    /// to three quarters of it), and temporary files left by a scan that was stopped.
    pub fn trim(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let now = std::time::SystemTime::now();
        let mut kept: Vec<(std::time::SystemTime, u64, PathBuf)> = Vec::new();
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name();
            let name = name.to_string_lossy();
            let Ok(meta) = e.path().symlink_metadata() else {
                continue;
            };
            if !meta.is_file() {
                continue;
            }
            let modified = meta.modified().unwrap_or(now);
            let stale = now
                .duration_since(modified)
                .is_ok_and(|age| age.as_secs() > 3600);
            if name.starts_with(".tmp-") && stale {
                let _ = std::fs::remove_file(e.path());
            } else if name.ends_with(".entry") {
                kept.push((modified, meta.len(), e.path()));
            }
        }
        let mut total: u64 = kept.iter().map(|(_, len, _)| len).sum();
        if total <= self.limit {
            return;
        }
        kept.sort();
        for (_, len, path) in kept {
            if total <= self.limit / 4 * 3 {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}

/// `dir` is a real directory of this user that no one else may write to.
fn private_dir(dir: &Path) -> Result<(), String> {
    let meta = dir
        .symlink_metadata()
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    if meta.file_type().is_symlink() {
        return Err(format!("{} is a symbolic link", dir.display()));
    }
    if !meta.is_dir() {
        return Err(format!("{} is not a directory", dir.display()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.uid() != rustix::process::geteuid().as_raw() {
            return Err(format!("{} belongs to another user", dir.display()));
        }
        if meta.mode() & 0o022 != 0 {
            return Err(format!("{} can be written by other users", dir.display()));
        }
    }
    Ok(())
}

/// An entry's bytes: the header lines, an empty line, the payload.
fn encode(key: &Key, rendered: &Rendered) -> Option<Vec<u8>> {
    let (outcome, tool, payload) = match rendered {
        Rendered::Text { text, tool } => ("text", tool.as_str(), text.as_str()),
        Rendered::Failed(e) => ("failed", "", e.as_str()),
        Rendered::Unavailable(_) => return None,
    };
    if tool.contains('\n') {
        return None;
    }
    let sum = hex(&Sha256::digest(payload.as_bytes()));
    let header = format!(
        "{MAGIC}\nkey {}\noutcome {outcome}\ntool {tool}\nlength {}\nsha256 {sum}\n\n",
        key.hex(),
        payload.len()
    );
    if header.len() > MAX_HEADER {
        return None;
    }
    let mut bytes = header.into_bytes();
    bytes.extend_from_slice(payload.as_bytes());
    Some(bytes)
}

/// The render an entry holds, when it is whole and is the one for `key`.
fn decode(key: &Key, bytes: &[u8]) -> Option<Rendered> {
    let end = bytes
        .get(..MAX_HEADER.min(bytes.len()))?
        .windows(2)
        .position(|w| w == b"\n\n")?;
    let header = std::str::from_utf8(&bytes[..end]).ok()?;
    let payload = &bytes[end + 2..];
    let mut lines = header.lines();
    if lines.next()? != MAGIC {
        return None;
    }
    let mut field = |name: &str| {
        lines
            .next()
            .and_then(|l| l.strip_prefix(name))
            .and_then(|l| l.strip_prefix(' ').or(l.is_empty().then_some("")))
            .map(str::to_string)
    };
    let (k, outcome, tool, length, sum) = (
        field("key")?,
        field("outcome")?,
        field("tool")?,
        field("length")?,
        field("sha256")?,
    );
    if k != key.hex() || length.parse::<usize>().ok()? != payload.len() {
        return None;
    }
    if hex(&Sha256::digest(payload)) != sum {
        return None;
    }
    let text = String::from_utf8(payload.to_vec()).ok()?;
    match outcome.as_str() {
        "text" => Some(Rendered::Text { text, tool }),
        "failed" => Some(Rendered::Failed(text)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> Key {
        Key([n; 32])
    }

    fn text(t: &str) -> Rendered {
        Rendered::Text {
            text: t.into(),
            tool: "kustomize build".into(),
        }
    }

    fn same(a: &Rendered, b: &Rendered) -> bool {
        format!("{a:?}") == format!("{b:?}")
    }

    #[test]
    fn an_entry_reads_back_only_whole_and_under_its_own_key() {
        let r = text("kind: Pod\n");
        let bytes = encode(&key(1), &r).unwrap();
        assert!(same(&decode(&key(1), &bytes).unwrap(), &r));
        // Another key, a truncated entry, a changed byte, a longer one: misses.
        assert!(decode(&key(2), &bytes).is_none());
        assert!(decode(&key(1), &bytes[..bytes.len() - 1]).is_none());
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(decode(&key(1), &flipped).is_none());
        let mut longer = bytes.clone();
        longer.push(b'\n');
        assert!(decode(&key(1), &longer).is_none());
        assert!(decode(&key(1), b"").is_none());
        assert!(decode(&key(1), &bytes[..20]).is_none());
        let failed = Rendered::Failed("no such file".into());
        let bytes = encode(&key(3), &failed).unwrap();
        assert!(same(&decode(&key(3), &bytes).unwrap(), &failed));
        assert!(encode(&key(4), &Rendered::Unavailable("x".into())).is_none());
    }

    #[test]
    fn entries_are_private_and_the_oldest_go_past_the_limit() {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("rampart/render");
        let cache = Cache::open(&dir, 4000).unwrap();
        let mode = |p: &Path| p.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        let big = "x".repeat(700);
        for n in 0..6 {
            cache.put(&key(n), &text(&big));
            let when =
                std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(n as u64 * 100);
            std::fs::File::open(cache.entry(&key(n)))
                .unwrap()
                .set_modified(when)
                .unwrap();
        }
        assert_eq!(mode(&cache.entry(&key(0))), 0o600);
        // Reading an entry makes it the most recent.
        assert!(cache.get(&key(0)).is_some());
        cache.trim();
        let left: Vec<u8> = (0..6).filter(|n| cache.entry(&key(*n)).exists()).collect();
        assert_eq!(left, vec![0, 4, 5], "oldest unused entries removed");
        // A corrupt entry is a miss, never an error.
        std::fs::write(cache.entry(&key(5)), "rampart render cache 1\nkey").unwrap();
        assert!(cache.get(&key(5)).is_none());
    }

    #[test]
    fn a_linked_or_shared_directory_is_not_used() {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::tempdir().unwrap();
        let real = home.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::os::unix::fs::symlink(&real, home.path().join("link")).unwrap();
        let err = Cache::open(&home.path().join("link"), DEFAULT_LIMIT).unwrap_err();
        assert!(err.contains("symbolic link"), "{err}");
        let shared = home.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = Cache::open(&shared.join("render"), DEFAULT_LIMIT).unwrap_err();
        assert!(err.contains("written by other users"), "{err}");
    }
}
