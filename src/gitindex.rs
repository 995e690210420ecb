//! The files git tracks in a work tree, read from its index file (`.git/index`, versions 2 to
//! 4, SHA-1 or SHA-256 object names). Tracked files are part of the code under review whatever
//! `.gitignore` says, so discovery adds the ones its ignore rules skipped.
//!
//! The index is read, never `git` run: a repository's own configuration can make git start
//! programs (`core.fsmonitor`, hooks), and the repository is not trusted.

use std::path::{Path, PathBuf};

/// Index files larger than this are not read (a monorepo of a million files has one of about
/// 100 MiB).
const MAX_INDEX: u64 = 512 << 20;

/// A work tree and the paths (relative to it) of the files its index tracks.
#[derive(Debug)]
pub(crate) struct Tracked {
    pub top: PathBuf,
    pub files: Vec<PathBuf>,
}

/// The files tracked by the git work tree that holds `dir` (the nearest directory at or above
/// it with a `.git`), or `None` outside git or when the index cannot be read.
pub(crate) fn tracked(dir: &Path) -> Option<Tracked> {
    let real = std::fs::canonicalize(dir).ok()?;
    let top = real.ancestors().find(|a| a.join(".git").exists())?;
    let git = git_dir(top)?;
    let format = std::fs::read_to_string(git.join("config")).unwrap_or_default();
    let hash_len = if sha256(&format) { 32 } else { 20 };
    let file = crate::source::open_regular(&git.join("index")).ok()?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_INDEX), &mut bytes).ok()?;
    let files = parse(&bytes, hash_len)?;
    Some(Tracked {
        top: top.to_path_buf(),
        files,
    })
}

/// `.git` itself, or the directory a `.git` file names (`gitdir: …`, as in linked work trees
/// and submodules).
fn git_dir(top: &Path) -> Option<PathBuf> {
    let dot = top.join(".git");
    if dot.is_dir() {
        return Some(dot);
    }
    let text = std::fs::read_to_string(&dot).ok()?;
    let target = text.lines().next()?.strip_prefix("gitdir:")?.trim();
    Some(top.join(target))
}

/// Does a repository configuration select SHA-256 object names?
fn sha256(config: &str) -> bool {
    config.lines().any(|l| {
        let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
        l.eq_ignore_ascii_case("objectformat=sha256")
    })
}

/// The paths of an index file's entries, in order, without duplicates (a conflicted path has
/// an entry per stage) and without submodules. `None` when the file is not an index or is cut
/// short.
pub(crate) fn parse(bytes: &[u8], hash_len: usize) -> Option<Vec<PathBuf>> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(4)? != b"DIRC" {
        return None;
    }
    let version = r.u32()?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = r.u32()? as usize;
    let mut files: Vec<PathBuf> = Vec::with_capacity(count.min(bytes.len() / 62));
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = r.at;
        // ctime, mtime, dev, ino
        r.take(24)?;
        let mode = r.u32()?;
        // uid, gid, size, object name
        r.take(12 + hash_len)?;
        let flags = r.u16()?;
        if version >= 3 && flags & 0x4000 != 0 {
            r.take(2)?;
        }
        let path = if version == 4 {
            let strip = r.varint()?;
            let keep = previous.len().checked_sub(strip)?;
            let suffix = r.until_nul()?;
            let mut path = previous[..keep].to_vec();
            path.extend_from_slice(suffix);
            path
        } else {
            let name = r.until_nul()?.to_vec();
            // Entries are padded with NULs to a multiple of eight bytes.
            let len = r.at - start;
            r.take((8 - len % 8) % 8)?;
            name
        };
        // Gitlinks (submodules) are directories, not files of this work tree.
        if mode & 0o170000 != 0o160000 && previous != path {
            if let Some(p) = to_path(&path) {
                files.push(p);
            }
        }
        previous = path;
    }
    Some(files)
}

/// A repository path (`/`-separated, relative) as a path; `None` for one that could escape
/// the work tree.
fn to_path(bytes: &[u8]) -> Option<PathBuf> {
    let text = std::str::from_utf8(bytes).ok()?;
    if text.is_empty() || text.starts_with('/') {
        return None;
    }
    let mut path = PathBuf::new();
    for part in text.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return None;
        }
        path.push(part);
    }
    Some(path)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(out)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }
    /// The bytes up to the next NUL, which is consumed.
    fn until_nul(&mut self) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.at..)?;
        let n = memchr::memchr(0, rest)?;
        self.at += n + 1;
        Some(&rest[..n])
    }
    /// Git's offset encoding (index version 4): big-endian groups of seven bits, each
    /// continuation adding one.
    fn varint(&mut self) -> Option<usize> {
        let mut byte = *self.take(1)?.first()?;
        let mut value = usize::from(byte & 0x7f);
        while byte & 0x80 != 0 {
            byte = *self.take(1)?.first()?;
            value = value
                .checked_add(1)?
                .checked_mul(128)?
                .checked_add(usize::from(byte & 0x7f))?;
        }
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index of `version` with `paths` (each entry a regular file, or a gitlink when the
    /// path ends in `@`).
    fn index(version: u32, paths: &[&str], hash_len: usize) -> Vec<u8> {
        let mut out = b"DIRC".to_vec();
        out.extend(version.to_be_bytes());
        out.extend((paths.len() as u32).to_be_bytes());
        let mut previous = String::new();
        for p in paths {
            let (p, mode) = match p.strip_suffix('@') {
                Some(p) => (p, 0o160000u32),
                None => (*p, 0o100644),
            };
            let start = out.len();
            out.extend([0u8; 24]);
            out.extend(mode.to_be_bytes());
            out.extend(vec![0u8; 12 + hash_len]);
            let extended = version == 3;
            let flags = (p.len().min(0xfff) as u16) | if extended { 0x4000 } else { 0 };
            out.extend(flags.to_be_bytes());
            if extended {
                out.extend([0x20, 0]); // intent-to-add
            }
            if version == 4 {
                let common = previous
                    .bytes()
                    .zip(p.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                let strip = previous.len() - common;
                assert!(strip < 128);
                out.push(strip as u8);
                out.extend(&p.as_bytes()[common..]);
                out.push(0);
            } else {
                out.extend(p.as_bytes());
                out.push(0);
                while (out.len() - start) % 8 != 0 {
                    out.push(0);
                }
            }
            previous = p.to_string();
        }
        out.extend([0u8; 20]); // checksum
        out
    }

    fn paths(v: &[PathBuf]) -> Vec<String> {
        v.iter().map(|p| p.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn reads_every_index_version() {
        let names = [
            "a.tf",
            "deploy/app.yaml",
            "deploy/apps.yaml",
            "x/Dockerfile",
        ];
        for version in 2..=4 {
            for hash in [20, 32] {
                let got = parse(&index(version, &names, hash), hash).unwrap();
                assert_eq!(paths(&got), names, "version {version}, hash {hash}");
            }
        }
    }

    #[test]
    fn leaves_out_submodules_duplicates_and_escaping_paths() {
        let got = parse(
            &index(2, &["a", "a", "lib@", "../up", "/abs", "b/./c", "ok"], 20),
            20,
        )
        .unwrap();
        assert_eq!(paths(&got), ["a", "ok"]);
    }

    #[test]
    fn varint_matches_git() {
        // Git's encoding of 128 is 0x80 0x00 and of 16511 is 0xff 0x7f.
        for (bytes, value) in [
            (&[0x00][..], 0),
            (&[0x7f], 127),
            (&[0x80, 0x00], 128),
            (&[0xff, 0x7f], 16511),
        ] {
            let mut r = Reader { bytes, at: 0 };
            assert_eq!(r.varint(), Some(value));
        }
    }

    #[test]
    fn cut_or_foreign_files_are_refused() {
        let whole = index(2, &["a.tf", "b.tf"], 20);
        for n in [0, 3, 12, 40, whole.len() - 30] {
            assert!(parse(&whole[..n], 20).is_none(), "{n} bytes");
        }
        assert!(parse(b"PACK\0\0\0\x02\0\0\0\0", 20).is_none());
        let mut huge = index(2, &[], 20);
        huge[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(parse(&huge, 20).is_none());
    }
}
