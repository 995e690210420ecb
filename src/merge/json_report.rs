//! rampart JSON reports joined: files, findings and counts of all parts.

use std::collections::{BTreeMap, HashSet};

use serde_json::{json, Map, Value};

/// The parts' JSON reports as one: findings kept once each (a part merged twice adds nothing),
/// files by path, the summary counts summed. One pass over the parts in the order the report
/// lists its sections, which is why this function is longer than most.
pub(super) fn merge_json(mut docs: Vec<Value>) -> Value {
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
