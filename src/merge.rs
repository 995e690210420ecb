//! `rampart merge`: join the reports of the parts of a sharded scan (`--shard K/N`) into one.
//! SARIF logs become one run per tool (rules joined by id, `ruleIndex` and artifact indexes
//! renumbered); rampart JSON reports become one report with the files, findings and counts of
//! all parts. A result or finding given twice (the same part merged twice) is kept once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use serde_json::{json, Map, Value};

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{0}: {1}")]
    Read(PathBuf, String),
    #[error("{0}: neither a SARIF log nor a rampart JSON report")]
    Unknown(PathBuf),
    #[error("{0} is {1} but {2} is {3}: merge reports of one format")]
    Mixed(PathBuf, &'static str, PathBuf, &'static str),
    #[error("nothing to merge")]
    Empty,
    #[error("{0}: SARIF run {1} is malformed: {2}")]
    Malformed(PathBuf, usize, &'static str),
    #[error("{0}: larger than {1} bytes, the limit for one part of a merge; not merged")]
    TooLarge(PathBuf, u64),
}

/// Bytes one report may have. A part is one shard's report: a scan of the whole corpus writes
/// about 12 MB of JSON, and the merged document is held in memory at several times the size of
/// its parts.
pub const MAX_PART_SIZE: u64 = 64 << 20;

/// Read one part, refusing it past `max` bytes (checked before reading and while reading, for
/// a file that grows or is not a regular file).
pub fn read_part(path: &std::path::Path, max: u64) -> Result<String, MergeError> {
    use std::io::Read;
    let read_error = |e: std::io::Error| MergeError::Read(path.to_path_buf(), e.to_string());
    let file = std::fs::File::open(path).map_err(read_error)?;
    if file.metadata().map_err(read_error)?.len() > max {
        return Err(MergeError::TooLarge(path.to_path_buf(), max));
    }
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > max {
        return Err(MergeError::TooLarge(path.to_path_buf(), max));
    }
    String::from_utf8(bytes)
        .map_err(|e| MergeError::Read(path.to_path_buf(), format!("not valid UTF-8: {e}")))
}

/// What the merged reports were.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
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
        if doc["runs"].is_array() && doc["version"].is_string() {
            Some(ReportKind::Sarif)
        } else if doc["tool"]["name"] == "rampart" && doc["findings"].is_array() {
            Some(ReportKind::Json)
        } else {
            None
        }
    }
}

/// The merged report.
pub struct Merged {
    pub kind: ReportKind,
    pub doc: Value,
}

impl Merged {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.doc).expect("JSON values serialise") + "\n"
    }

    /// [`Merged::to_json`] written as it is serialised, without holding the text.
    pub fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        use std::io::Write;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        serde_json::to_writer_pretty(&mut out, &self.doc)?;
        out.write_all(b"\n")?;
        out.flush()
    }

    /// Findings (or results) at or above `severity` (`critical`, `high`, `medium`, `low`).
    pub fn count_at_least(&self, severity: &str) -> usize {
        let rank = |s: &str| {
            ["low", "medium", "high", "critical"]
                .iter()
                .position(|x| *x == s)
        };
        let Some(min) = rank(severity) else { return 0 };
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
                    .unwrap_or("low");
                rank(sev).is_some_and(|r| r >= min)
            })
            .count()
    }
}

/// Merge the reports at `paths`, each read with [`read_part`] up to `max_part` bytes and parsed
/// before the next is read, so that one text at a time is held besides the parsed reports.
pub fn merge_files(paths: &[PathBuf], max_part: u64) -> Result<Merged, MergeError> {
    let mut docs = Vec::new();
    for path in paths {
        let text = read_part(path, max_part)?;
        let doc: Value = serde_json::from_str(&text)
            .map_err(|e| MergeError::Read(path.clone(), e.to_string()))?;
        drop(text);
        docs.push((path.clone(), doc));
    }
    merge_docs(docs)
}

/// Merge the reports read from `parts` (path, text).
pub fn merge(parts: Vec<(PathBuf, String)>) -> Result<Merged, MergeError> {
    let mut docs = Vec::new();
    for (path, text) in parts {
        let doc: Value = serde_json::from_str(&text)
            .map_err(|e| MergeError::Read(path.clone(), e.to_string()))?;
        docs.push((path, doc));
    }
    merge_docs(docs)
}

fn merge_docs(parts: Vec<(PathBuf, Value)>) -> Result<Merged, MergeError> {
    let mut docs = Vec::new();
    let mut kind: Option<(ReportKind, PathBuf)> = None;
    for (path, doc) in parts {
        let k = ReportKind::of(&doc).ok_or_else(|| MergeError::Unknown(path.clone()))?;
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
            None => kind = Some((k, path.clone())),
        }
        if k == ReportKind::Sarif {
            for (i, run) in doc["runs"].as_array().into_iter().flatten().enumerate() {
                if let Some(problem) = malformed_run(run) {
                    return Err(MergeError::Malformed(path, i + 1, problem));
                }
            }
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

/// What makes a SARIF run impossible to merge: a member that is not of its type.
fn malformed_run(run: &Value) -> Option<&'static str> {
    let of =
        |v: &Value, object: bool| v.is_null() || if object { v.is_object() } else { v.is_array() };
    if !run.is_object() {
        return Some("not an object");
    }
    if !of(&run["tool"], true) || !of(&run["tool"]["driver"], true) {
        return Some("`tool.driver` is not an object");
    }
    if !of(&run["tool"]["driver"]["rules"], false) {
        return Some("`tool.driver.rules` is not an array");
    }
    if !of(&run["artifacts"], false) || !of(&run["results"], false) {
        return Some("`artifacts` or `results` is not an array");
    }
    None
}

fn merge_sarif(docs: Vec<Value>) -> Value {
    let mut first: Option<Value> = None;
    // One run per tool (name, version, column kind), in the order first seen.
    let mut runs: Vec<Value> = Vec::new();
    let mut seen: Vec<HashSet<String>> = Vec::new();
    // Each part's runs move into the merged log: nothing is held twice.
    for mut doc in docs {
        let parts = match doc["runs"].take() {
            Value::Array(parts) => parts,
            _ => Vec::new(),
        };
        first.get_or_insert(doc);
        for mut run in parts {
            let key = |r: &Value| {
                (
                    r["tool"]["driver"]["name"].clone(),
                    r["tool"]["driver"]["version"].clone(),
                    r["columnKind"].clone(),
                )
            };
            match runs.iter().position(|r| key(r) == key(&run)) {
                Some(i) => append_run(&mut runs[i], &mut seen[i], run),
                None => {
                    let mut keys = HashSet::new();
                    if let Some(results) = run["results"].as_array_mut() {
                        results.retain(|r| keys.insert(r.to_string()));
                    }
                    runs.push(run);
                    seen.push(keys);
                }
            }
        }
    }
    let mut first = first.unwrap_or_default();
    first["runs"] = Value::Array(runs);
    first
}

/// Add the rules, artifacts, results and invocations of `run` to `into`.
fn append_run(into: &mut Value, seen: &mut HashSet<String>, mut run: Value) {
    // Rules by id; the part's rule indexes mapped to the merged ones.
    let mut rule_map: HashMap<usize, usize> = HashMap::new();
    let driver = &mut into["tool"]["driver"];
    if driver["rules"].is_null() {
        driver["rules"] = json!([]);
    }
    let rules = driver["rules"].as_array_mut().expect("rules is an array");
    for (i, rule) in run["tool"]["driver"]["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        rule_map.insert(i, index_or_push(rules, rule, "id"));
    }
    // Artifacts by location.
    let mut artifact_map: HashMap<usize, usize> = HashMap::new();
    if let Some(artifacts) = run["artifacts"].as_array() {
        if into["artifacts"].is_null() {
            into["artifacts"] = json!([]);
        }
        let merged = into["artifacts"]
            .as_array_mut()
            .expect("artifacts is an array");
        for (i, a) in artifacts.iter().enumerate() {
            artifact_map.insert(i, index_or_push(merged, a, "location"));
        }
    }
    if into["results"].is_null() {
        into["results"] = json!([]);
    }
    let results = match run["results"].take() {
        Value::Array(results) => results,
        _ => Vec::new(),
    };
    for mut r in results {
        if let Some(i) = r["ruleIndex"].as_u64() {
            match rule_map.get(&(i as usize)) {
                Some(at) => r["ruleIndex"] = json!(at),
                None => {
                    if let Some(obj) = r.as_object_mut() {
                        obj.remove("ruleIndex");
                    }
                }
            }
        }
        renumber_artifacts(&mut r, &artifact_map);
        if seen.insert(r.to_string()) {
            into["results"]
                .as_array_mut()
                .expect("results is an array")
                .push(r);
        }
    }
    if let Some(inv) = run["invocations"].as_array() {
        if into["invocations"].is_null() {
            into["invocations"] = json!([]);
        }
        if let Some(list) = into["invocations"].as_array_mut() {
            list.extend(inv.iter().cloned());
        }
    }
}

/// The index of the item of `list` whose `key` equals `item`'s, added at the end if none does.
fn index_or_push(list: &mut Vec<Value>, item: &Value, key: &str) -> usize {
    match list.iter().position(|x| x[key] == item[key]) {
        Some(at) => at,
        None => {
            list.push(item.clone());
            list.len() - 1
        }
    }
}

/// Every `artifactLocation.index` below `v`, mapped through `map`.
fn renumber_artifacts(v: &mut Value, map: &HashMap<usize, usize>) {
    match v {
        Value::Object(obj) => {
            if let Some(Value::Object(loc)) = obj.get_mut("artifactLocation") {
                if let Some(i) = loc.get("index").and_then(Value::as_u64) {
                    match map.get(&(i as usize)) {
                        Some(at) => {
                            loc.insert("index".into(), json!(at));
                        }
                        None => {
                            loc.remove("index");
                        }
                    }
                }
            }
            for (_, child) in obj.iter_mut() {
                renumber_artifacts(child, map);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|c| renumber_artifacts(c, map)),
        _ => {}
    }
}

fn merge_json(mut docs: Vec<Value>) -> Value {
    let (version, tool) = docs
        .first()
        .map(|d| (d["version"].clone(), d["tool"].clone()))
        .unwrap_or_default();
    let mut findings: Vec<Value> = Vec::new();
    let mut seen_findings = HashSet::new();
    let mut files: BTreeMap<String, Value> = BTreeMap::new();
    let mut discovered = 0u64;
    let mut duplicates = 0u64;
    // Each part's values move into the merged report: nothing is held twice.
    for doc in &mut docs {
        discovered += doc["summary"]["files_discovered"].as_u64().unwrap_or(0);
        let take = |v: &mut Value| match v.take() {
            Value::Array(items) => items,
            _ => Vec::new(),
        };
        for f in take(&mut doc["files"]) {
            let path = f["path"].as_str().unwrap_or_default().to_string();
            match files.entry(path) {
                std::collections::btree_map::Entry::Occupied(_) => duplicates += 1,
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(f);
                }
            }
        }
        for f in take(&mut doc["findings"]) {
            if seen_findings.insert(f.to_string()) {
                findings.push(f);
            }
        }
    }
    drop(seen_findings);
    let at = |f: &Value| {
        (
            f["path"].as_str().unwrap_or_default().to_string(),
            f["location"]["byte_start"].as_u64().unwrap_or(0),
            f["location"]["byte_end"].as_u64().unwrap_or(0),
            f["code"].as_str().unwrap_or_default().to_string(),
            f["message"].as_str().unwrap_or_default().to_string(),
        )
    };
    findings.sort_by_cached_key(at);

    let mut summary = Map::new();
    let count = |status: &str| files.values().filter(|f| f["status"] == status).count();
    let mut by_severity: BTreeMap<String, u64> = ["critical", "high", "medium", "low"]
        .iter()
        .map(|s| (s.to_string(), 0))
        .collect();
    let mut by_rule: BTreeMap<String, u64> = BTreeMap::new();
    let mut active = 0;
    let mut suppressed = 0;
    for f in &findings {
        if !f["suppressed"].is_null() {
            suppressed += 1;
            continue;
        }
        active += 1;
        *by_severity
            .entry(f["severity"].as_str().unwrap_or("low").to_string())
            .or_default() += 1;
        *by_rule
            .entry(f["code"].as_str().unwrap_or_default().to_string())
            .or_default() += 1;
    }
    summary.insert(
        "files_discovered".into(),
        json!(discovered
            .saturating_sub(duplicates)
            .max(files.len() as u64)),
    );
    summary.insert("files_scanned".into(), json!(count("scanned")));
    summary.insert("files_skipped".into(), json!(count("skipped")));
    summary.insert("files_failed".into(), json!(count("failed")));
    summary.insert("findings".into(), json!(active));
    summary.insert("suppressed".into(), json!(suppressed));
    summary.insert("by_severity".into(), json!(by_severity));
    summary.insert("by_rule".into(), json!(by_rule));
    // Built by moving the values in: `json!` would serialise a copy of every finding.
    let mut doc = Map::new();
    doc.insert("version".into(), version);
    doc.insert("tool".into(), tool);
    doc.insert("findings".into(), Value::Array(findings));
    doc.insert("files".into(), Value::Array(files.into_values().collect()));
    doc.insert("summary".into(), Value::Object(summary));
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(dir: &std::path::Path, name: &str, findings: usize) -> PathBuf {
        let finding = json!({"code": "K8S-001", "path": "a.yaml", "severity": "high",
            "message": "m", "location": {"byte_start": 0, "byte_end": 1}, "suppressed": null});
        let doc = json!({
            "version": 1,
            "tool": {"name": "rampart", "version": "0"},
            "findings": (0..findings).map(|i| {
                let mut f = finding.clone();
                f["location"]["byte_start"] = json!(i);
                f
            }).collect::<Vec<_>>(),
            "files": [{"path": name, "status": "scanned"}],
            "summary": {"files_discovered": 1},
        });
        let path = dir.join(name);
        std::fs::write(&path, doc.to_string()).unwrap();
        path
    }

    #[test]
    fn a_part_over_the_limit_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let small = report(dir.path(), "small.json", 1);
        let big = report(dir.path(), "big.json", 50);
        let limit = std::fs::metadata(&small).unwrap().len() + 10;
        assert!(std::fs::metadata(&big).unwrap().len() > limit);
        match merge_files(&[small.clone(), big.clone()], limit) {
            Err(e @ MergeError::TooLarge(..)) => {
                let message = e.to_string();
                assert!(message.starts_with(&big.display().to_string()), "{message}");
                assert!(
                    message.contains(&format!("larger than {limit} bytes")),
                    "{message}"
                );
            }
            Err(e) => panic!("unexpected error: {e}"),
            Ok(_) => panic!("merged a part over the limit"),
        }
        // At the limit exactly, the part is read.
        let exact = std::fs::metadata(&big).unwrap().len();
        let merged = merge_files(&[small, big], exact).unwrap();
        assert_eq!(merged.doc["findings"].as_array().unwrap().len(), 50);
    }

    #[test]
    fn a_malformed_sarif_run_is_an_error_naming_the_part() {
        let good = json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "rules": []}}, "results": []}]});
        for bad_run in [
            json!(1),
            json!({"tool": {"driver": {"name": "x", "rules": "r"}}}),
            json!({"tool": 3}),
            json!({"tool": {"driver": {"name": "x"}}, "results": {}}),
        ] {
            let bad = json!({"version": "2.1.0", "runs": [bad_run]});
            let parts = vec![
                (PathBuf::from("good.sarif"), good.to_string()),
                (PathBuf::from("bad.sarif"), bad.to_string()),
            ];
            match merge(parts) {
                Err(e @ MergeError::Malformed(..)) => {
                    assert!(e.to_string().starts_with("bad.sarif: SARIF run 1"), "{e}")
                }
                Err(e) => panic!("unexpected error: {e}"),
                Ok(_) => panic!("merged {bad}"),
            }
        }
    }

    #[test]
    fn a_part_one_byte_over_the_limit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = report(dir.path(), "part.json", 20);
        let len = std::fs::metadata(&path).unwrap().len();
        assert!(matches!(
            read_part(&path, len - 1),
            Err(MergeError::TooLarge(p, _)) if p == path
        ));
        assert_eq!(read_part(&path, len).unwrap().len() as u64, len);
    }
}
