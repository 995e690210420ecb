//! Merging real reports, and the limits on parts.

mod reports {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::path::Path;

    use super::super::*;
    use crate::config::Config;
    use crate::engine::ScanResult;
    use crate::rule::DocsUrl;
    use crate::source::FileKind;
    use serde_json::{json, Value};

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
        let sarif = crate::report::sarif::render(&result, Path::new("/src"), &DocsUrl::project());
        let json = crate::report::json::render(&result, &DocsUrl::project());
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

mod limits {
    use super::super::*;
    use serde_json::json;

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
