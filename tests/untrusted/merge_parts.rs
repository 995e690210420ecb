//! `rampart merge` refuses parts that are not reports as rampart writes them, naming the part
//! and the reason (exit 2), instead of counting what it does not know as nothing, passing it
//! through, or panicking. Valid parts still merge, and `--fail-on` still gates.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: nginx:1.25\n      securityContext:\n        privileged: true\n";

fn rampart(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// A SARIF and a JSON report of a scan with findings, written in `dir`.
fn reports(dir: &Path) -> (Value, Value) {
    std::fs::write(dir.join("pod.yaml"), POD).unwrap();
    let scan = |format: &str| -> Value {
        let out = rampart(
            dir,
            &["scan", "--no-render", "--format", format, "pod.yaml"],
        );
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    (scan("sarif"), scan("json"))
}

fn write(dir: &Path, name: &str, doc: &Value) -> String {
    std::fs::write(dir.join(name), doc.to_string()).unwrap();
    name.to_string()
}

/// `merge` of a valid part and `bad`: exit 2, the bad part and `says` on stderr, nothing on
/// stdout.
fn refused(dir: &Path, valid: &str, bad: &Value, says: &str) {
    let name = write(dir, "bad-part.json", bad);
    let out = rampart(dir, &["merge", valid, &name, "--fail-on", "low"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{says}: {out:?}");
    assert!(stderr.contains("bad-part.json: "), "{stderr}");
    assert!(stderr.contains(says), "{says}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn invalid_parts_are_refused_with_their_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (sarif, json) = reports(dir);
    let sarif_part = write(dir, "part-1.sarif", &sarif);
    let json_part = write(dir, "part-1.json", &json);

    // An unknown severity: counted as nothing, it would open `--fail-on low`.
    let mut bad = json.clone();
    for f in bad["findings"].as_array_mut().unwrap() {
        f["severity"] = json!("urgent");
    }
    refused(
        dir,
        &json_part,
        &bad,
        "`findings[0].severity` is \"urgent\"",
    );
    let mut bad = sarif.clone();
    bad["runs"][0]["results"][0]["properties"]["severity"] = json!("CRITICAL!");
    refused(
        dir,
        &sarif_part,
        &bad,
        "`runs[0].results[0].properties.severity`",
    );
    let mut bad = sarif.clone();
    bad["runs"][0]["results"][0]["level"] = json!("fatal");
    refused(dir, &sarif_part, &bad, "`runs[0].results[0].level`");

    // `rules` as an object (this panicked).
    let mut bad = sarif.clone();
    bad["runs"][0]["tool"]["driver"]["rules"] = json!({"id": "K8S-001"});
    refused(
        dir,
        &sarif_part,
        &bad,
        "`runs[0].tool.driver.rules` is an object, not an array",
    );

    // Rule ids with ESC or a newline.
    for id in ["K8S-001\u{1b}]0;x\u{7}", "K8S-001\n::error::x"] {
        let mut bad = sarif.clone();
        bad["runs"][0]["tool"]["driver"]["rules"][0]["id"] = json!(id);
        refused(dir, &sarif_part, &bad, "is not a rule id");
        let mut bad = sarif.clone();
        bad["runs"][0]["results"][0]["ruleId"] = json!(id);
        refused(
            dir,
            &sarif_part,
            &bad,
            "`runs[0].results[0].ruleId` is not a rule id",
        );
        let mut bad = json.clone();
        bad["findings"][0]["code"] = json!(id);
        refused(dir, &json_part, &bad, "`findings[0].code` is not a rule id");
    }

    // A run without `tool`; results that are not an array; a finding without a location.
    let mut bad = sarif.clone();
    bad["runs"][0].as_object_mut().unwrap().remove("tool");
    refused(dir, &sarif_part, &bad, "`runs[0]` has no `tool`");
    let mut bad = sarif.clone();
    bad["runs"][0]["results"] = json!("none");
    refused(dir, &sarif_part, &bad, "`runs[0].results` is a string");
    let mut bad = json.clone();
    bad["findings"][0]
        .as_object_mut()
        .unwrap()
        .remove("location");
    refused(dir, &json_part, &bad, "`findings[0]` has no `location`");
    // Not a report at all.
    refused(dir, &json_part, &json!([1, 2]), "neither a SARIF log nor");
}

#[test]
fn valid_parts_merge_and_gate() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (sarif, json) = reports(dir);
    for (doc, ext) in [(&sarif, "sarif"), (&json, "json")] {
        let a = write(dir, &format!("a.{ext}"), doc);
        let b = write(dir, &format!("b.{ext}"), doc);
        let out = rampart(dir, &["merge", &a, &b]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let merged: Value = serde_json::from_slice(&out.stdout).unwrap();
        // The merge of a part with itself is the part.
        let results = |d: &Value| match ext {
            "sarif" => d["runs"][0]["results"].as_array().unwrap().len(),
            _ => d["findings"].as_array().unwrap().len(),
        };
        assert_eq!(results(&merged), results(doc));
        assert!(results(doc) > 0);
        // The privileged container is critical: every threshold fails.
        for sev in ["low", "high", "critical"] {
            let out = rampart(dir, &["merge", &a, &b, "--fail-on", sev]);
            assert_eq!(out.status.code(), Some(1), "{ext} --fail-on {sev}: {out:?}");
        }
    }
    // Without rampart's severity property, a SARIF result counts by its level.
    let mut other = sarif.clone();
    for r in other["runs"][0]["results"].as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("properties");
        r["level"] = json!("note");
    }
    let p = write(dir, "other.sarif", &other);
    let out = rampart(dir, &["merge", &p, "--fail-on", "low"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let out = rampart(dir, &["merge", &p, "--fail-on", "medium"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // An error-level result from another tool is high, not below every gate.
    for r in other["runs"][0]["results"].as_array_mut().unwrap() {
        r["level"] = json!("error");
    }
    let p = write(dir, "other.sarif", &other);
    let out = rampart(dir, &["merge", &p, "--fail-on", "high"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let out = rampart(dir, &["merge", &p, "--fail-on", "critical"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}
