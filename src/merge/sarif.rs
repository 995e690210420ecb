//! SARIF logs joined: one run per tool, rules joined by id, indexes renumbered.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};

pub(super) fn merge_sarif(docs: Vec<Value>) -> Value {
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
