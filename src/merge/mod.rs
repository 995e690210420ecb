//! `rampart merge`: join the reports of the parts of a sharded scan (`--shard K/N`) into one.
//! SARIF logs become one run per tool (rules joined by id, `ruleIndex` and artifact indexes
//! renumbered); rampart JSON reports become one report with the files, findings and counts of
//! all parts. A result or finding given twice (the same part merged twice) is kept once.

use std::path::PathBuf;

use serde_json::Value;

mod check;
mod json_report;
mod sarif;
#[cfg(test)]
mod tests;

use json_report::merge_json;
use sarif::merge_sarif;

#[derive(Debug, thiserror::Error)]
pub(crate) enum MergeError {
    #[error("{0}: {1}")]
    Read(PathBuf, String),
    #[error("{0}: neither a SARIF log nor a rampart JSON report")]
    Unknown(PathBuf),
    #[error("{0}: not a valid {1} report: {2}")]
    Invalid(PathBuf, &'static str, String),
    #[error("{0} is {1} but {2} is {3}: merge reports of one format")]
    Mixed(PathBuf, &'static str, PathBuf, &'static str),
    #[error("nothing to merge")]
    Empty,
    #[error("{0}: larger than {1} bytes, the limit for one part of a merge; not merged")]
    TooLarge(PathBuf, u64),
}

/// Bytes one report may have. A part is one shard's report: a scan of the whole corpus writes
/// about 12 MB of JSON, and the merged document is held in memory at several times the size of
/// its parts.
pub const MAX_PART_SIZE: u64 = 64 << 20;

/// Read one part, refusing it past `max` bytes (checked before reading and while reading, for
/// a file that grows), and anything but a regular file.
pub(crate) fn read_part(path: &std::path::Path, max: u64) -> Result<String, MergeError> {
    let read_error = |e: std::io::Error| MergeError::Read(path.to_path_buf(), e.to_string());
    let file = crate::source::open_regular(path).map_err(read_error)?;
    let bytes = crate::source::read_bounded(file, max).map_err(|e| match e {
        crate::source::BoundedRead::Io(e) => read_error(e),
        crate::source::BoundedRead::TooLarge(_) => MergeError::TooLarge(path.to_path_buf(), max),
    })?;
    String::from_utf8(bytes)
        .map_err(|e| MergeError::Read(path.to_path_buf(), format!("not valid UTF-8: {e}")))
}

/// Merge the reports at `paths`, each read with [`read_part`] up to `max_part` bytes.
pub(crate) fn merge_files(paths: &[PathBuf], max_part: u64) -> Result<Merged, MergeError> {
    let mut parts = Vec::new();
    for path in paths {
        parts.push((path.clone(), read_part(path, max_part)?));
    }
    merge(parts)
}

/// What the merged reports were.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReportKind {
    Sarif,
    Json,
}

impl ReportKind {
    fn name(self) -> &'static str {
        match self {
            ReportKind::Sarif => "SARIF",
            ReportKind::Json => "rampart JSON",
        }
    }

    fn of(doc: &Value) -> Option<ReportKind> {
        if doc.get("runs").is_some() && doc.get("version").is_some() {
            Some(ReportKind::Sarif)
        } else if doc["tool"]["name"] == "rampart" && doc.get("findings").is_some() {
            Some(ReportKind::Json)
        } else {
            None
        }
    }
}

/// The merged report.
pub(crate) struct Merged {
    pub kind: ReportKind,
    pub doc: Value,
}

impl Merged {
    /// [`Merged::to_json`] written as it is serialised, without holding the text.
    pub(crate) fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        use std::io::Write;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        serde_json::to_writer_pretty(&mut out, &self.doc)?;
        out.write_all(b"\n")?;
        out.flush()
    }

    #[cfg(test)]
    pub(crate) fn to_json(&self) -> String {
        crate::report::text::json(crate::text::pretty_json(&self.doc)) + "\n"
    }

    /// Findings (or results) at or above `severity` (`critical`, `high`, `medium`, `low`).
    /// A SARIF result without rampart's `severity` property counts by its level (error: high,
    /// warning or no level: medium, note or none: low); the parts were checked, so every severity and
    /// level is a known one.
    pub(crate) fn count_at_least(&self, severity: &str) -> usize {
        let rank = |s: &str| check::SEVERITIES.iter().position(|x| *x == s);
        // Not a severity: everything counts, so that it cannot open the gate.
        let min = rank(severity).unwrap_or(0);
        let items: Vec<&Value> = match self.kind {
            ReportKind::Json => self.doc["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| f["suppressed"].is_null())
                .collect(),
            ReportKind::Sarif => self.doc["runs"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|r| r["results"].as_array().into_iter().flatten())
                .filter(|r| r["suppressions"].as_array().is_none_or(|s| s.is_empty()))
                .collect(),
        };
        items
            .into_iter()
            .filter(|f| {
                let sev = f["severity"]
                    .as_str()
                    .or_else(|| f["properties"]["severity"].as_str())
                    .unwrap_or(match f["level"].as_str() {
                        Some("error") => "high",
                        Some("note" | "none") => "low",
                        _ => "medium",
                    });
                // An unknown severity (only in a merged document built by hand) fails the gate.
                rank(sev).is_none_or(|r| r >= min)
            })
            .count()
    }
}

/// Merge the reports read from `parts` (path, text).
pub(crate) fn merge(parts: Vec<(PathBuf, String)>) -> Result<Merged, MergeError> {
    let mut docs = Vec::new();
    let mut kind: Option<(ReportKind, PathBuf)> = None;
    for (path, text) in parts {
        let doc: Value = serde_json::from_str(&text)
            .map_err(|e| MergeError::Read(path.clone(), e.to_string()))?;
        // Parsed: the text is not held while the next part is read.
        drop(text);
        let k = ReportKind::of(&doc).ok_or_else(|| MergeError::Unknown(path.clone()))?;
        let checked = match k {
            ReportKind::Sarif => check::sarif(&doc),
            ReportKind::Json => check::json(&doc),
        };
        checked.map_err(|why| MergeError::Invalid(path.clone(), k.name(), why))?;
        match &kind {
            Some((first, first_path)) if *first != k => {
                return Err(MergeError::Mixed(
                    first_path.clone(),
                    first.name(),
                    path,
                    k.name(),
                ))
            }
            Some(_) => {}
            None => kind = Some((k, path)),
        }
        docs.push(doc);
    }
    let Some((kind, _)) = kind else {
        return Err(MergeError::Empty);
    };
    let doc = match kind {
        ReportKind::Sarif => merge_sarif(docs),
        ReportKind::Json => merge_json(docs),
    };
    Ok(Merged { kind, doc })
}
