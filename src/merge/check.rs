//! Checks of a part's structure: the SARIF 2.1.0 and rampart JSON that rampart writes. A part
//! that fails one is refused with where and why, before anything is merged.

use serde_json::{Map, Value};

pub(super) const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];
const LEVELS: [&str; 4] = ["none", "note", "warning", "error"];
const STATUSES: [&str; 3] = ["scanned", "skipped", "failed"];

/// The reason a part is refused.
pub(super) type Check<T = ()> = Result<T, String>;

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
pub(super) fn sarif(doc: &Value) -> Check {
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
pub(super) fn json(doc: &Value) -> Check {
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
