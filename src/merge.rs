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
pub fn read_part(path: &std::path::Path, max: u64) -> Result<String, MergeError> {
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
pub fn merge_files(paths: &[PathBuf], max_part: u64) -> Result<Merged, MergeError> {
    let mut parts = Vec::new();
    for path in paths {
        parts.push((path.clone(), read_part(path, max_part)?));
    }
    merge(parts)
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
pub struct Merged {
    pub kind: ReportKind,
    pub doc: Value,
}

impl Merged {
    /// [`Merged::to_json`] written as it is serialised, without holding the text.
    pub fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        use std::io::Write;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        serde_json::to_writer_pretty(&mut out, &self.doc)?;
        out.write_all(b"\n")?;
        out.flush()
    }

    pub fn to_json(&self) -> String {
        crate::report::text::json(
            serde_json::to_string_pretty(&self.doc).expect("JSON values serialise"),
        ) + "\n"
    }

    /// Findings (or results) at or above `severity` (`critical`, `high`, `medium`, `low`).
    /// A SARIF result without rampart's `severity` property counts by its level (error: high,
    /// warning or no level: medium, note or none: low); the parts were checked, so every severity and
    /// level is a known one.
    pub fn count_at_least(&self, severity: &str) -> usize {
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
pub fn merge(parts: Vec<(PathBuf, String)>) -> Result<Merged, MergeError> {
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

fn merge_sarif(docs: Vec<Value>) -> Value {
    let mut first = docs.first().cloned().unwrap_or_default();
    // One run per tool (name, version, column kind), in the order first seen.
    let mut runs: Vec<Value> = Vec::new();
    let mut seen: Vec<HashSet<String>> = Vec::new();
    for doc in docs {
        let Some(parts) = doc["runs"].as_array() else {
            continue;
        };
        for run in parts {
            let key = |r: &Value| {
                (
                    r["tool"]["driver"]["name"].clone(),
                    r["tool"]["driver"]["version"].clone(),
                    r["columnKind"].clone(),
                )
            };
            match runs.iter().position(|r| key(r) == key(run)) {
                Some(i) => append_run(&mut runs[i], &mut seen[i], run),
                None => {
                    let mut fresh = run.clone();
                    let mut keys = HashSet::new();
                    if let Some(results) = fresh["results"].as_array_mut() {
                        results.retain(|r| keys.insert(r.to_string()));
                    }
                    runs.push(fresh);
                    seen.push(keys);
                }
            }
        }
    }
    if let Some(obj) = first.as_object_mut() {
        obj.insert("runs".into(), Value::Array(runs));
    }
    first
}

/// Add the rules, artifacts, results and invocations of `run` to `into` (both checked).
fn append_run(into: &mut Value, seen: &mut HashSet<String>, run: &Value) {
    // Rules by id; the part's rule indexes mapped to the merged ones.
    let mut rule_map: HashMap<usize, usize> = HashMap::new();
    let driver = into.get_mut("tool").and_then(|t| t.get_mut("driver"));
    if let Some(rules) = driver.and_then(|d| array_mut(d, "rules")) {
        for (i, rule) in run["tool"]["driver"]["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            rule_map.insert(i, index_or_push(rules, rule, "id"));
        }
    }
    // Artifacts by location.
    let mut artifact_map: HashMap<usize, usize> = HashMap::new();
    if let Some(artifacts) = run["artifacts"].as_array() {
        if let Some(merged) = array_mut(into, "artifacts") {
            for (i, a) in artifacts.iter().enumerate() {
                artifact_map.insert(i, index_or_push(merged, a, "location"));
            }
        }
    }
    for result in run["results"].as_array().into_iter().flatten() {
        let mut r = result.clone();
        if let Some(obj) = r.as_object_mut() {
            if let Some(i) = obj.get("ruleIndex").and_then(Value::as_u64) {
                match rule_map.get(&(i as usize)) {
                    Some(at) => {
                        obj.insert("ruleIndex".into(), json!(at));
                    }
                    None => {
                        obj.remove("ruleIndex");
                    }
                }
            }
        }
        renumber_artifacts(&mut r, &artifact_map);
        if seen.insert(r.to_string()) {
            if let Some(results) = array_mut(into, "results") {
                results.push(r);
            }
        }
    }
    if let Some(inv) = run["invocations"].as_array() {
        if let Some(list) = array_mut(into, "invocations") {
            list.extend(inv.iter().cloned());
        }
    }
}

/// The array `v[key]`, created when missing or null; `None` when `v` is not an object or the
/// member is something else.
fn array_mut<'a>(v: &'a mut Value, key: &str) -> Option<&'a mut Vec<Value>> {
    let slot = v.as_object_mut()?.entry(key).or_insert(Value::Null);
    if slot.is_null() {
        *slot = json!([]);
    }
    slot.as_array_mut()
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
    let take = |v: &mut Value| match v.take() {
        Value::Array(items) => items,
        _ => Vec::new(),
    };
    for doc in &mut docs {
        discovered += doc["summary"]["files_discovered"].as_u64().unwrap_or(0);
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

/// Checks of a part's structure: the SARIF 2.1.0 and rampart JSON that rampart writes. A part
/// that fails one is refused with where and why, before anything is merged.
mod check {
    use serde_json::{Map, Value};

    pub const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];
    const LEVELS: [&str; 4] = ["none", "note", "warning", "error"];
    const STATUSES: [&str; 3] = ["scanned", "skipped", "failed"];

    /// The reason a part is refused.
    pub type Check<T = ()> = Result<T, String>;

    fn kind(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    fn wrong(at: &str, v: &Value, want: &str) -> String {
        format!("`{at}` is {}, not {want}", kind(v))
    }

    fn object<'a>(v: &'a Value, at: &str) -> Check<&'a Map<String, Value>> {
        v.as_object().ok_or_else(|| wrong(at, v, "an object"))
    }

    fn array<'a>(v: &'a Value, at: &str) -> Check<&'a Vec<Value>> {
        v.as_array().ok_or_else(|| wrong(at, v, "an array"))
    }

    fn string<'a>(v: &'a Value, at: &str) -> Check<&'a str> {
        v.as_str().ok_or_else(|| wrong(at, v, "a string"))
    }

    fn count(v: &Value, at: &str) -> Check<u64> {
        v.as_u64()
            .ok_or_else(|| wrong(at, v, "a non-negative integer"))
    }

    fn required<'a>(obj: &'a Map<String, Value>, at: &str, key: &str) -> Check<&'a Value> {
        obj.get(key).ok_or_else(|| format!("`{at}` has no `{key}`"))
    }

    /// `key` of `obj` when it is there and not null.
    fn optional<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
        obj.get(key).filter(|v| !v.is_null())
    }

    fn one_of(v: &Value, at: &str, allowed: &[&str]) -> Check {
        let s = string(v, at)?;
        if allowed.contains(&s) {
            Ok(())
        } else {
            Err(format!(
                "`{at}` is {}, not one of {}",
                serde_json::to_string(s).unwrap_or_default(),
                allowed.join(", ")
            ))
        }
    }

    /// A rule id as rampart and the common scanners write them (`K8S-001`, `CKV_AWS_20`,
    /// `js/xss`): 1 to 255 printable ASCII characters, no spaces or control characters.
    fn rule_id(v: &Value, at: &str) -> Check<String> {
        let s = string(v, at)?;
        if s.is_empty() || s.len() > 255 || !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!(
                "`{at}` is not a rule id (1 to 255 printable ASCII characters): {}",
                serde_json::to_string(s).unwrap_or_default()
            ));
        }
        Ok(s.to_string())
    }

    /// A SARIF log as rampart writes it.
    pub fn sarif(doc: &Value) -> Check {
        let top = object(doc, "$")?;
        let version = string(required(top, "$", "version")?, "version")?;
        if version != "2.1.0" {
            return Err(format!("`version` is {version:?}, not \"2.1.0\""));
        }
        if let Some(s) = optional(top, "$schema") {
            string(s, "$schema")?;
        }
        for (i, run) in array(required(top, "$", "runs")?, "runs")?
            .iter()
            .enumerate()
        {
            sarif_run(run, &format!("runs[{i}]"))?;
        }
        Ok(())
    }

    fn sarif_run(run: &Value, at: &str) -> Check {
        let obj = object(run, at)?;
        let tool_at = format!("{at}.tool");
        let tool = object(required(obj, at, "tool")?, &tool_at)?;
        let driver_at = format!("{tool_at}.driver");
        let driver = object(required(tool, &tool_at, "driver")?, &driver_at)?;
        string(
            required(driver, &driver_at, "name")?,
            &format!("{driver_at}.name"),
        )?;
        if let Some(v) = optional(driver, "version") {
            string(v, &format!("{driver_at}.version"))?;
        }
        let mut rules = 0;
        if let Some(list) = optional(driver, "rules") {
            let rules_at = format!("{driver_at}.rules");
            let list = array(list, &rules_at)?;
            for (i, rule) in list.iter().enumerate() {
                let rule_at = format!("{rules_at}[{i}]");
                let r = object(rule, &rule_at)?;
                rule_id(required(r, &rule_at, "id")?, &format!("{rule_at}.id"))?;
                if let Some(level) = optional(r, "defaultConfiguration")
                    .map(|c| object(c, &format!("{rule_at}.defaultConfiguration")))
                    .transpose()?
                    .and_then(|c| optional(c, "level"))
                {
                    one_of(
                        level,
                        &format!("{rule_at}.defaultConfiguration.level"),
                        &LEVELS,
                    )?;
                }
            }
            rules = list.len();
        }
        if let Some(v) = optional(obj, "columnKind") {
            one_of(
                v,
                &format!("{at}.columnKind"),
                &["utf16CodeUnits", "unicodeCodePoints"],
            )?;
        }
        let mut artifacts = 0;
        if let Some(list) = optional(obj, "artifacts") {
            let list = array(list, &format!("{at}.artifacts"))?;
            for (i, a) in list.iter().enumerate() {
                object(a, &format!("{at}.artifacts[{i}]"))?;
            }
            artifacts = list.len();
        }
        if let Some(list) = optional(obj, "invocations") {
            array(list, &format!("{at}.invocations"))?;
        }
        let results_at = format!("{at}.results");
        for (i, result) in array(required(obj, at, "results")?, &results_at)?
            .iter()
            .enumerate()
        {
            sarif_result(result, &format!("{results_at}[{i}]"), rules, artifacts)?;
        }
        Ok(())
    }

    fn sarif_result(result: &Value, at: &str, rules: usize, artifacts: usize) -> Check {
        let obj = object(result, at)?;
        rule_id(required(obj, at, "ruleId")?, &format!("{at}.ruleId"))?;
        if let Some(i) = optional(obj, "ruleIndex") {
            let i = count(i, &format!("{at}.ruleIndex"))?;
            if i >= rules as u64 {
                return Err(format!(
                    "`{at}.ruleIndex` is {i}, but the run has {rules} rule(s)"
                ));
            }
        }
        if let Some(level) = optional(obj, "level") {
            one_of(level, &format!("{at}.level"), &LEVELS)?;
        }
        let message_at = format!("{at}.message");
        let message = object(required(obj, at, "message")?, &message_at)?;
        string(
            required(message, &message_at, "text")?,
            &format!("{message_at}.text"),
        )?;
        if let Some(list) = optional(obj, "locations") {
            let list = array(list, &format!("{at}.locations"))?;
            for (i, l) in list.iter().enumerate() {
                object(l, &format!("{at}.locations[{i}]"))?;
            }
        }
        if let Some(list) = optional(obj, "suppressions") {
            let list = array(list, &format!("{at}.suppressions"))?;
            for (i, s) in list.iter().enumerate() {
                object(s, &format!("{at}.suppressions[{i}]"))?;
            }
        }
        if let Some(p) = optional(obj, "properties") {
            let p = object(p, &format!("{at}.properties"))?;
            if let Some(sev) = optional(p, "severity") {
                one_of(sev, &format!("{at}.properties.severity"), &SEVERITIES)?;
            }
        }
        artifact_indexes(result, at, artifacts)
    }

    /// Every `artifactLocation.index` below `v` points into the run's artifacts.
    fn artifact_indexes(v: &Value, at: &str, artifacts: usize) -> Check {
        match v {
            Value::Object(obj) => {
                for (key, child) in obj {
                    let child_at = format!("{at}.{key}");
                    if key == "artifactLocation" {
                        let loc = object(child, &child_at)?;
                        if let Some(i) = optional(loc, "index") {
                            let i = count(i, &format!("{child_at}.index"))?;
                            if i >= artifacts as u64 {
                                return Err(format!(
                                    "`{child_at}.index` is {i}, but the run has {artifacts} artifact(s)"
                                ));
                            }
                        }
                    }
                    artifact_indexes(child, &child_at, artifacts)?;
                }
                Ok(())
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, c)| artifact_indexes(c, &format!("{at}[{i}]"), artifacts)),
            _ => Ok(()),
        }
    }

    /// A rampart JSON report.
    pub fn json(doc: &Value) -> Check {
        let top = object(doc, "$")?;
        let version = count(required(top, "$", "version")?, "version")?;
        if version != 1 {
            return Err(format!(
                "`version` is {version}; this rampart reads version 1"
            ));
        }
        let tool = object(required(top, "$", "tool")?, "tool")?;
        string(required(tool, "tool", "name")?, "tool.name")?;
        if let Some(v) = optional(tool, "version") {
            string(v, "tool.version")?;
        }
        for (i, f) in array(required(top, "$", "findings")?, "findings")?
            .iter()
            .enumerate()
        {
            json_finding(f, &format!("findings[{i}]"))?;
        }
        for (i, f) in array(required(top, "$", "files")?, "files")?
            .iter()
            .enumerate()
        {
            let at = format!("files[{i}]");
            let obj = object(f, &at)?;
            string(required(obj, &at, "path")?, &format!("{at}.path"))?;
            one_of(
                required(obj, &at, "status")?,
                &format!("{at}.status"),
                &STATUSES,
            )?;
            count(required(obj, &at, "findings")?, &format!("{at}.findings"))?;
            for key in ["kind", "reason"] {
                if let Some(v) = optional(obj, key) {
                    string(v, &format!("{at}.{key}"))?;
                }
            }
        }
        let summary = object(required(top, "$", "summary")?, "summary")?;
        count(
            required(summary, "summary", "files_discovered")?,
            "summary.files_discovered",
        )?;
        Ok(())
    }

    fn json_finding(f: &Value, at: &str) -> Check {
        let obj = object(f, at)?;
        rule_id(required(obj, at, "code")?, &format!("{at}.code"))?;
        for key in ["name", "message", "path"] {
            string(required(obj, at, key)?, &format!("{at}.{key}"))?;
        }
        one_of(
            required(obj, at, "severity")?,
            &format!("{at}.severity"),
            &SEVERITIES,
        )?;
        let loc_at = format!("{at}.location");
        let loc = object(required(obj, at, "location")?, &loc_at)?;
        for key in ["byte_start", "byte_end"] {
            count(required(loc, &loc_at, key)?, &format!("{loc_at}.{key}"))?;
        }
        for key in ["start", "end"] {
            let pos_at = format!("{loc_at}.{key}");
            let pos = object(required(loc, &loc_at, key)?, &pos_at)?;
            for k in ["line", "column"] {
                count(required(pos, &pos_at, k)?, &format!("{pos_at}.{k}"))?;
            }
        }
        for key in ["related", "fixes"] {
            if let Some(v) = optional(obj, key) {
                array(v, &format!("{at}.{key}"))?;
            }
        }
        if let Some(s) = optional(obj, "suppressed") {
            object(s, &format!("{at}.suppressed"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::path::Path;

    use super::*;
    use crate::config::Config;
    use crate::engine::ScanResult;
    use crate::source::FileKind;

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: nginx:1.25\n      securityContext:\n        privileged: true\n";

    /// A real scan of one manifest with two rules, as SARIF and as rampart JSON.
    fn parts() -> (Value, Value) {
        let config = Config {
            select: vec!["K8S-001".into(), "K8S-006".into()],
            ..Config::default()
        };
        let file = crate::lint::lint_one(crate::lint::Unit::file(
            Path::new("pod.yaml"),
            POD,
            FileKind::Kubernetes,
            &config,
        ));
        assert!(file.findings.len() >= 2);
        let result = ScanResult {
            files: vec![file],
            discovered: 1,
        };
        let sarif = crate::report::sarif::render(&result, Path::new("/src"));
        let json = crate::report::json::render(&result);
        let mut sarif: Value = serde_json::from_str(&sarif).unwrap();
        // The rules' long texts are copied as they are; without them the mutants are small.
        for rule in sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array_mut()
            .unwrap()
        {
            let rule = rule.as_object_mut().unwrap();
            rule.remove("help");
            rule.remove("fullDescription");
        }
        (sarif, serde_json::from_str(&json).unwrap())
    }

    fn try_merge(docs: &[&Value]) -> Result<Merged, MergeError> {
        let parts = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (PathBuf::from(format!("part-{i}.json")), d.to_string()))
            .collect();
        merge(parts)
    }

    /// Every value below `v`, by JSON pointer (not inside the rules' texts, which the merge
    /// copies as they are).
    fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(obj) => {
                for (k, c) in obj {
                    if ["help", "fullDescription", "shortDescription", "tags"].contains(&k.as_str())
                    {
                        out.push(format!("{at}/{k}"));
                        continue;
                    }
                    pointers(
                        c,
                        format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                        out,
                    );
                }
            }
            Value::Array(items) => {
                for (i, c) in items.iter().enumerate() {
                    pointers(c, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
        out.push(at);
    }

    #[test]
    fn rampart_reports_pass_the_checks() {
        let (sarif, json) = parts();
        assert_eq!(check::sarif(&sarif), Ok(()));
        assert_eq!(check::json(&json), Ok(()));
        for doc in [&sarif, &json] {
            let merged = try_merge(&[doc, doc]).unwrap();
            let again: Value = serde_json::from_str(&merged.to_json()).unwrap();
            assert!(try_merge(&[&again, doc]).is_ok());
            assert!(merged.count_at_least("critical") >= 1);
        }
    }

    #[test]
    fn a_wrong_type_anywhere_is_an_error_or_a_valid_merge_never_a_panic() {
        let (sarif, json) = parts();
        let replacements = [
            json!(null),
            json!(true),
            json!(-1),
            json!(1.5),
            json!(4_000_000_000u64),
            json!("x\u{1b}\n"),
            json!([]),
            json!({}),
            json!([{}]),
        ];
        let mut tried = 0;
        for valid in [&sarif, &json] {
            let mut all = Vec::new();
            pointers(valid, String::new(), &mut all);
            for pointer in &all {
                let mut mutants: Vec<Value> = replacements
                    .iter()
                    .map(|r| {
                        let mut m = valid.clone();
                        match m.pointer_mut(pointer) {
                            Some(slot) => *slot = r.clone(),
                            None => m = r.clone(),
                        }
                        m
                    })
                    .collect();
                // And the member removed.
                if let Some((parent, key)) = pointer.rsplit_once('/') {
                    let mut m = valid.clone();
                    match m.pointer_mut(parent) {
                        Some(Value::Object(o)) => {
                            o.remove(&key.replace("~1", "/").replace("~0", "~"));
                        }
                        Some(Value::Array(a)) => {
                            a.remove(key.parse::<usize>().unwrap());
                        }
                        _ => {}
                    }
                    mutants.push(m);
                }
                for m in &mutants {
                    tried += 1;
                    let outcome = catch_unwind(AssertUnwindSafe(|| {
                        for docs in [vec![valid, m], vec![m, valid]] {
                            if let Ok(merged) = try_merge(&docs) {
                                // What merges is a valid report again, and can be gated.
                                let again: Value = serde_json::from_str(&merged.to_json()).unwrap();
                                let recheck = match merged.kind {
                                    ReportKind::Sarif => check::sarif(&again),
                                    ReportKind::Json => check::json(&again),
                                };
                                assert_eq!(recheck, Ok(()), "merged {pointer}");
                                let _ = merged.count_at_least("low");
                            }
                        }
                    }));
                    assert!(outcome.is_ok(), "panic with {pointer} = {m}");
                }
            }
        }
        assert!(tried > 500, "{tried}");
    }

    /// Wrong types at every level of what the merge reads: refused, with where.
    #[test]
    fn broken_parts_are_refused_with_the_place() {
        let (sarif, json) = parts();
        let cases: &[(&Value, &str, Value, &str)] = &[
            (&sarif, "", json!([]), "neither a SARIF log"),
            (&sarif, "/version", json!("2.0.0"), "`version`"),
            (&sarif, "/runs", json!({}), "`runs` is an object"),
            (&sarif, "/runs/0", json!(1), "`runs[0]` is a number"),
            (
                &sarif,
                "/runs/0/tool",
                json!(null),
                "`runs[0]` has no `tool`",
            ),
            (
                &sarif,
                "/runs/0/tool/driver",
                json!([]),
                "`runs[0].tool.driver` is an array",
            ),
            (
                &sarif,
                "/runs/0/tool/driver/name",
                json!(1),
                "`runs[0].tool.driver.name`",
            ),
            (
                &sarif,
                "/runs/0/tool/driver/rules",
                json!({"id": "K8S-001"}),
                "`runs[0].tool.driver.rules` is an object",
            ),
            (
                &sarif,
                "/runs/0/tool/driver/rules/0",
                json!("K8S-001"),
                "`runs[0].tool.driver.rules[0]` is a string",
            ),
            (
                &sarif,
                "/runs/0/tool/driver/rules/0/id",
                json!("K8S-001\u{1b}[2J"),
                "not a rule id",
            ),
            (
                &sarif,
                "/runs/0/tool/driver/rules/0/id",
                json!("K8S\n::error::x"),
                "not a rule id",
            ),
            (
                &sarif,
                "/runs/0/results",
                json!({}),
                "`runs[0].results` is an object",
            ),
            (
                &sarif,
                "/runs/0/results/0/ruleId",
                json!(""),
                "not a rule id",
            ),
            (
                &sarif,
                "/runs/0/results/0/ruleIndex",
                json!(99),
                "`runs[0].results[0].ruleIndex` is 99",
            ),
            (
                &sarif,
                "/runs/0/results/0/level",
                json!("fatal"),
                "`runs[0].results[0].level`",
            ),
            (
                &sarif,
                "/runs/0/results/0/message",
                json!("text"),
                "`runs[0].results[0].message` is a string",
            ),
            (
                &sarif,
                "/runs/0/results/0/properties/severity",
                json!("urgent"),
                "`runs[0].results[0].properties.severity`",
            ),
            (&json, "/version", json!(2), "version 1"),
            (&json, "/findings/0", json!([]), "`findings[0]` is an array"),
            (
                &json,
                "/findings/0/severity",
                json!("urgent"),
                "`findings[0].severity` is \"urgent\"",
            ),
            (
                &json,
                "/findings/0/severity",
                json!(3),
                "`findings[0].severity` is a number",
            ),
            (
                &json,
                "/findings/0/code",
                json!("K8S-001\u{1b}"),
                "not a rule id",
            ),
            (
                &json,
                "/findings/0/location/byte_start",
                json!(-1),
                "`findings[0].location.byte_start`",
            ),
            (
                &json,
                "/findings/0/suppressed",
                json!("yes"),
                "`findings[0].suppressed` is a string",
            ),
            (&json, "/files", json!({}), "`files` is an object"),
            (&json, "/files/0/status", json!("ok"), "`files[0].status`"),
            (&json, "/summary", json!([]), "`summary` is an array"),
            (
                &json,
                "/summary/files_discovered",
                json!("1"),
                "`summary.files_discovered` is a string",
            ),
        ];
        for (valid, pointer, value, says) in cases {
            let mut part = (*valid).clone();
            match part.pointer_mut(pointer) {
                Some(slot) => *slot = value.clone(),
                None => panic!("no {pointer}"),
            }
            if value.is_null() {
                let (parent, key) = pointer.rsplit_once('/').unwrap();
                part.pointer_mut(parent)
                    .and_then(Value::as_object_mut)
                    .unwrap()
                    .remove(key);
            }
            let err = match try_merge(&[*valid, &part]) {
                Err(e) => e.to_string(),
                Ok(_) => panic!("{pointer} = {value} was merged"),
            };
            assert!(err.starts_with("part-1.json: "), "{err}");
            assert!(err.contains(says), "{pointer} = {value}: {err}");
        }
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    fn report(dir: &std::path::Path, name: &str, findings: usize) -> PathBuf {
        let finding = json!({"code": "K8S-001", "name": "privileged-container", "path": "a.yaml",
            "severity": "high", "message": "m", "suppressed": null,
            "location": {"byte_start": 0, "byte_end": 1,
                "start": {"line": 1, "column": 1}, "end": {"line": 1, "column": 2}}});
        let doc = json!({
            "version": 1,
            "tool": {"name": "rampart", "version": "0"},
            "findings": (0..findings).map(|i| {
                let mut f = finding.clone();
                f["location"]["byte_start"] = json!(i);
                f
            }).collect::<Vec<_>>(),
            "files": [{"path": name, "status": "scanned", "findings": findings}],
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
