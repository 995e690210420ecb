//! `--shard K/N`: splitting a scan across machines.

use std::path::{Path, PathBuf};

/// `--shard K/N`: the part of the file set this run checks. Files are split by a hash of their
/// path relative to the scanned directory (a Terraform module by its directory, so a module is
/// never split), so every machine of a matrix computes the same split and adding a file moves
/// no other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    pub count: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("expected K/N with 1 <= K <= N (e.g. 2/8), got `{s}`");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Does this shard own the file or directory `path`, found under one of `roots`?
    pub(crate) fn owns(&self, path: &Path, roots: &[PathBuf]) -> bool {
        let rel = roots
            .iter()
            .filter(|r| path.starts_with(r))
            .max_by_key(|r| r.components().count())
            .and_then(|r| path.strip_prefix(r).ok())
            .filter(|rel| !rel.as_os_str().is_empty())
            // A path given itself (a file named on the command line) hashes as written.
            .unwrap_or(path);
        let key = crate::source::display_path(rel);
        let mut hash: u64 = 0xcbf29ce484222325;
        for b in key.bytes() {
            hash ^= b as u64;
            hash = hash.wrapping_mul(0x100000001b3);
        }
        // The low bits of FNV-1a are weak for similar keys: mix before reducing.
        hash ^= hash >> 33;
        hash = hash.wrapping_mul(0xff51afd7ed558ccd);
        hash ^= hash >> 33;
        (hash % self.count as u64) as u32 == self.index - 1
    }
}
