//! Source files, byte spans and the one line index used to turn spans into lines and columns.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Open `path` for reading only if it is a regular file (after following links). A FIFO or
/// device is refused without blocking: the open does not wait for a writer, and the check is
/// made on the opened file, so a file swapped for a FIFO after an earlier check is refused too.
pub(crate) fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    open_regular_with(path, true)
}

/// Why [`read_bounded`] read nothing.
#[derive(Debug)]
pub(crate) enum BoundedRead {
    Io(std::io::Error),
    /// Over the limit: its size before reading, or `None` when it grew past it while read.
    TooLarge(Option<u64>),
}

/// The bytes of an opened file, at most `max` of them: refused when its size says it is larger,
/// and when it grows past `max` while being read (only `max + 1` bytes are ever read).
pub(crate) fn read_bounded(file: std::fs::File, max: u64) -> Result<Vec<u8>, BoundedRead> {
    use std::io::Read;
    let len = file.metadata().map_err(BoundedRead::Io)?.len();
    if len > max {
        return Err(BoundedRead::TooLarge(Some(len)));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(BoundedRead::Io)?;
    if bytes.len() as u64 > max {
        return Err(BoundedRead::TooLarge(None));
    }
    Ok(bytes)
}

/// [`open_regular`] for a path already resolved: a link found there (swapped in since) is
/// refused, not followed.
pub(crate) fn open_regular_resolved(path: &Path) -> std::io::Result<std::fs::File> {
    open_regular_with(path, false)
}

fn open_regular_with(path: &Path, follow: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | nofollow);
    }
    #[cfg(not(unix))]
    let _ = follow;
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(std::io::Error::other("is a directory, not a file"));
    }
    if !meta.is_file() {
        return Err(std::io::Error::other(
            "not a regular file (a FIFO, socket or device); not read",
        ));
    }
    Ok(file)
}

/// A file that could not be read as text.
pub(crate) struct ReadError {
    pub message: String,
    /// What could be read, for showing the location.
    pub lossy: String,
    pub at: usize,
}

pub(crate) fn read_text(path: &Path, max: u64) -> Result<String, ReadError> {
    decode(read_bytes(path, max)?)
}

/// A file's bytes, refused past `max` (checked before reading and while reading, for a file
/// that grows).
pub(crate) fn read_bytes(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let fail = |message: String| ReadError {
        message,
        lossy: String::new(),
        at: 0,
    };
    let file = open_regular(path).map_err(|e| fail(io_message(&e)))?;
    read_bounded(file, max).map_err(|e| match e {
        BoundedRead::Io(e) => fail(io_message(&e)),
        BoundedRead::TooLarge(Some(len)) => fail(format!(
            "file is {len} bytes, over the {max}-byte limit (--max-file-size); not read"
        )),
        BoundedRead::TooLarge(None) => fail(format!(
            "file grew past the {max}-byte limit while being read; not read"
        )),
    })
}

/// Bytes to text: binary (NUL bytes) and invalid UTF-8 are errors located at the first bad byte.
pub(crate) fn decode(bytes: Vec<u8>) -> Result<String, ReadError> {
    if let Some(nul) = memchr::memchr(0, &bytes) {
        let lossy = String::from_utf8_lossy(&bytes[..nul]).into_owned();
        return Err(ReadError {
            message: format!("binary file: NUL byte at offset {nul}; not read"),
            at: lossy.len(),
            lossy,
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let lossy = String::from_utf8(bytes[..valid].to_vec()).unwrap_or_default();
        ReadError {
            message: format!(
                "not valid UTF-8: invalid byte 0x{:02X} at offset {valid}; not read",
                bytes[valid]
            ),
            at: valid,
            lossy,
        }
    })
}

pub(crate) fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            "file not found (it may have been removed during the scan)".into()
        }
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// A path as reports show it: as discovered, without a leading `./`, with `/` separators.
pub fn display_path(path: &Path) -> String {
    let p = path.strip_prefix("./").unwrap_or(path);
    p.to_string_lossy().replace('\\', "/")
}

/// A half-open byte range into a file's text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub(crate) const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    pub(crate) const fn empty(at: usize) -> Span {
        Span { start: at, end: at }
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
    }
    /// The smallest span covering both.
    pub(crate) fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    pub(crate) fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Span {
        Span::new(r.start, r.end)
    }
}

/// What a file is, decided from its name (and for YAML/JSON, its content).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Terraform,
    Dockerfile,
    Kubernetes,
    /// `terraform show -json` output (`*.tfplan.json`, or named with `--plan`).
    TerraformPlan,
}

impl FileKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FileKind::Terraform => "terraform",
            FileKind::Dockerfile => "dockerfile",
            FileKind::Kubernetes => "kubernetes",
            FileKind::TerraformPlan => "terraform-plan",
        }
    }

    /// The kind a file name suggests. YAML and JSON are only candidates: whether they are
    /// Kubernetes is decided by their documents.
    pub fn from_path(path: &Path) -> Option<FileKind> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        if [".tf", ".tfvars", ".tfvars.json", ".tf.json"]
            .iter()
            .any(|s| lower.ends_with(s))
        {
            return Some(FileKind::Terraform);
        }
        // `Dockerfile.dev`, `Dockerfile-alpine`, `Dockerfile_arm`, `api.dockerfile`; not
        // templates that another tool renders into a Dockerfile (`Dockerfile-debian.template`).
        let template = [".template", ".tmpl", ".tpl", ".j2", ".jinja", ".erb", ".in"]
            .iter()
            .any(|t| lower.ends_with(t));
        let dockerfile = name == "Dockerfile"
            || ["Dockerfile.", "Dockerfile-", "Dockerfile_"]
                .iter()
                .any(|p| name.starts_with(p))
            || lower.ends_with(".dockerfile")
            || name.starts_with("Containerfile")
            || lower == "dockerfile";
        if dockerfile && !template {
            return Some(FileKind::Dockerfile);
        }
        if lower.ends_with(".tfplan.json") {
            return Some(FileKind::TerraformPlan);
        }
        if lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json") {
            return Some(FileKind::Kubernetes);
        }
        None
    }
}

/// One file's text with its path and kind.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: Arc<Path>,
    pub kind: FileKind,
    pub text: Arc<str>,
    /// The line table of `text`, built the first time a position is asked for and shared by
    /// the clones. Private, so a file with other text is made with [`SourceFile::new`].
    lines: Arc<OnceLock<LineTable>>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, kind: FileKind, text: impl Into<Arc<str>>) -> SourceFile {
        SourceFile {
            path: Arc::from(path.into().into_boxed_path()),
            kind,
            text: text.into(),
            lines: Arc::default(),
        }
    }

    /// The file's name without its directory (`main.tf`), as Terraform names its files.
    pub(crate) fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The same file (path and kind) with other text.
    pub(crate) fn with_text(&self, text: impl Into<Arc<str>>) -> SourceFile {
        SourceFile {
            path: self.path.clone(),
            kind: self.kind,
            text: text.into(),
            lines: Arc::default(),
        }
    }

    /// The line index of this file, built once and shared by every report of it.
    pub fn line_index(&self) -> LineIndex<'_> {
        let table = self.lines.get_or_init(|| LineTable::new(&self.text));
        if table.len != self.text.len() {
            // `text` was replaced after the table was built: not the table of this text.
            return LineIndex::new(&self.text);
        }
        LineIndex {
            text: &self.text,
            table: Cow::Borrowed(table),
        }
    }
}

/// A position for people: 1-based line and column.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Column units. Terminals count characters; SARIF and LSP default to UTF-16 code units.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ColumnUnit {
    Utf8,
    Utf16,
    Chars,
}

/// Bytes between two checkpoints of the character counts of a non-ASCII text.
const BLOCK: usize = 256;

/// Line starts of one text and, unless it is ASCII, running counts of characters and UTF-16
/// code units every [`BLOCK`] bytes, so that a column is found without counting from the start
/// of a long line (a minified JSON manifest is one line).
#[derive(Clone, Debug)]
pub(crate) struct LineTable {
    starts: Vec<usize>,
    /// (characters, UTF-16 units) before byte `i * BLOCK`; empty when the text is ASCII.
    blocks: Vec<(usize, usize)>,
    len: usize,
}

impl LineTable {
    pub(crate) fn new(text: &str) -> LineTable {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        starts.extend(memchr_newlines(bytes).map(|i| i + 1));
        let mut blocks = Vec::new();
        if !text.is_ascii() {
            blocks.reserve(bytes.len() / BLOCK + 1);
            let (mut chars, mut units) = (0, 0);
            for chunk in bytes.chunks(BLOCK) {
                blocks.push((chars, units));
                let (c, u) = counts(chunk);
                chars += c;
                units += u;
            }
            blocks.push((chars, units));
        }
        LineTable {
            starts,
            blocks,
            len: bytes.len(),
        }
    }
}

/// Characters and UTF-16 code units whose first byte is in `bytes`.
fn counts(bytes: &[u8]) -> (usize, usize) {
    let chars = bytes.iter().filter(|b| (**b as i8) >= -0x40).count();
    let astral = bytes.iter().filter(|b| **b >= 0xF0).count();
    (chars, chars + astral)
}

/// Line starts of one file. Built once per file ([`SourceFile::line_index`]); every conversion
/// goes through it.
pub struct LineIndex<'a> {
    text: &'a str,
    table: Cow<'a, LineTable>,
}

impl<'a> LineIndex<'a> {
    /// An index of `text` of its own; a file's shared one is [`SourceFile::line_index`].
    pub(crate) fn new(text: &'a str) -> LineIndex<'a> {
        LineIndex {
            text,
            table: Cow::Owned(LineTable::new(text)),
        }
    }

    /// (characters, UTF-16 units) before byte `offset` of a non-ASCII text.
    fn counts_before(&self, offset: usize) -> (usize, usize) {
        let block = offset / BLOCK;
        let (chars, units) = self.table.blocks[block];
        let (c, u) = counts(&self.text.as_bytes()[block * BLOCK..offset]);
        (chars + c, units + u)
    }

    /// 0-based line containing `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        match self.table.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    pub(crate) fn line_start(&self, line: usize) -> usize {
        self.table.starts[line.min(self.table.starts.len() - 1)]
    }

    /// End of the 0-based line, before its `\n` (and `\r`).
    pub(crate) fn line_end(&self, line: usize) -> usize {
        // Only a `\r` before the `\n` belongs to the line break; one at the end of the text
        // is part of the line.
        let Some(end) = self.table.starts.get(line + 1).map(|s| s - 1) else {
            return self.text.len();
        };
        let bytes = self.text.as_bytes();
        if end > self.line_start(line) && bytes.get(end - 1) == Some(&b'\r') {
            end - 1
        } else {
            end
        }
    }

    /// 1-based line and column of a byte offset. Offsets inside a character are moved back to
    /// its start.
    pub fn position(&self, offset: usize, unit: ColumnUnit) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.table.starts[line];
        let col = if unit == ColumnUnit::Utf8 || self.table.blocks.is_empty() {
            offset - start
        } else {
            let (c0, u0) = self.counts_before(start);
            let (c1, u1) = self.counts_before(offset);
            match unit {
                ColumnUnit::Chars => c1 - c0,
                _ => u1 - u0,
            }
        };
        Position {
            line: line + 1,
            column: col + 1,
        }
    }

    /// Byte offset of a 0-based line and a 0-based column in `unit`; clamps to the line end.
    pub(crate) fn offset(&self, line: usize, column: usize, unit: ColumnUnit) -> usize {
        if line >= self.table.starts.len() {
            return self.text.len();
        }
        let start = self.table.starts[line];
        let end = self.line_end(line);
        let text = &self.text[start..end];
        let mut seen = 0;
        for (i, ch) in text.char_indices() {
            if seen >= column {
                return start + i;
            }
            seen += match unit {
                ColumnUnit::Utf8 => ch.len_utf8(),
                ColumnUnit::Utf16 => ch.len_utf16(),
                ColumnUnit::Chars => 1,
            };
        }
        end
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\n', bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_each_unit() {
        let text = "a: é\r\nb: 😀x\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(x, ColumnUnit::Utf8).column, 8);
        assert_eq!(idx.position(x, ColumnUnit::Utf16).column, 6);
        assert_eq!(idx.position(x, ColumnUnit::Chars).column, 5);
        assert_eq!(idx.position(x, ColumnUnit::Chars).line, 2);
        assert_eq!(idx.line_end(0), 5);
        assert_eq!(idx.offset(1, 5, ColumnUnit::Utf16), x);
        assert_eq!(idx.offset(1, 4, ColumnUnit::Chars), x);
    }

    #[test]
    fn columns_on_long_lines_match_counting_from_the_line_start() {
        // Lines longer than a checkpoint block, with characters of 1 to 4 bytes straddling
        // block boundaries.
        let line: String = (0..700)
            .map(|i| ["a", "é", "中", "😀"][i % 4])
            .collect::<Vec<_>>()
            .concat();
        let text = format!("{line}\r\n{line}\n\n{line}");
        let index = LineIndex::new(&text);
        for offset in (0..=text.len()).filter(|o| text.is_char_boundary(*o)) {
            let line = index.line_of(offset);
            let prefix = &text[index.line_start(line)..offset];
            let p = index.position(offset, ColumnUnit::Chars);
            assert_eq!(p.column, prefix.chars().count() + 1, "chars at {offset}");
            let p = index.position(offset, ColumnUnit::Utf16);
            assert_eq!(
                p.column,
                prefix.encode_utf16().count() + 1,
                "utf16 at {offset}"
            );
            assert_eq!(p.line, line + 1);
        }
    }

    #[test]
    fn a_file_shares_one_index_until_its_text_changes() {
        let file = SourceFile::new("a.yaml", FileKind::Kubernetes, "a: é\nb: 1\n");
        let copy = file.clone();
        assert_eq!(file.line_index().position(8, ColumnUnit::Chars).line, 2);
        assert!(std::ptr::eq(
            file.lines.get().unwrap(),
            copy.lines.get().expect("the clone shares the table")
        ));
        let other = file.with_text("x\ny\nz: é\n");
        assert_eq!(other.line_index().position(4, ColumnUnit::Chars).line, 3);
        let mut replaced = file.clone();
        replaced.text = Arc::from("\n\n\nq");
        assert_eq!(replaced.line_index().position(3, ColumnUnit::Chars).line, 4);
    }

    #[test]
    fn offsets_inside_a_character_move_back() {
        let text = "é";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(1, ColumnUnit::Chars).column, 1);
    }

    #[test]
    fn kinds_from_names() {
        let kind = |n: &str| FileKind::from_path(Path::new(n));
        for n in [
            "Dockerfile",
            "Dockerfile.dev",
            "Dockerfile-alpine",
            "Dockerfile_arm",
            "api.dockerfile",
            "Containerfile",
        ] {
            assert_eq!(kind(n), Some(FileKind::Dockerfile), "{n}");
        }
        for n in [
            "Dockerfile-debian.template",
            "Dockerfile.in",
            "Dockerfile.j2",
            "Dockerfiles",
            "README.md",
        ] {
            assert_eq!(kind(n), None, "{n}");
        }
        assert_eq!(kind("main.tf"), Some(FileKind::Terraform));
        assert_eq!(kind("cdk.tf.json"), Some(FileKind::Terraform));
        assert_eq!(kind("prod.tfvars.json"), Some(FileKind::Terraform));
        assert_eq!(kind("pod.yaml"), Some(FileKind::Kubernetes));
    }
}
