//! Other scanners' IDs end to end: each finding names the peer checks it is about (JSON and
//! SARIF), and a peer ID selects, ignores, re-grades and suppresses exactly the findings that
//! carry it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::path::Path;

use common::{rampart, root, stderr, stdout};
use serde_json::Value;

/// A pod whose container `app` has no memory limit (CPU is set) and whose container `side`
/// has neither, and which runs privileged.
const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
    - name: app
      image: shop/app:1.2.3
      resources:
        limits:
          cpu: 500m
    - name: side
      image: shop/side:1.0.0
      securityContext:
        privileged: true
";

fn write(dir: &Path, rel: &str, content: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

/// `rampart scan` in `dir` with `args`; the exit code must be 0 or 1.
fn scan(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = rampart()
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{}",
        stderr(&out)
    );
    out
}

fn findings(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let json: Value = serde_json::from_str(&stdout(&scan(dir, &all))).unwrap();
    json["findings"].as_array().unwrap().clone()
}

fn pod_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pod.yaml", POD);
    dir
}

fn ids(finding: &Value, scanner: &str) -> Vec<String> {
    finding["equivalents"][scanner]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn each_json_finding_names_the_peer_checks_it_is_about() {
    let dir = pod_dir();
    let found = findings(dir.path(), &["--select", "K8S-006,K8S-001"]);
    let limits: Vec<&Value> = found.iter().filter(|f| f["code"] == "K8S-006").collect();
    assert_eq!(limits.len(), 2, "{found:#?}");
    let memory_only = limits
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("\"app\""))
        .unwrap();
    assert_eq!(ids(memory_only, "checkov"), ["CKV_K8S_13", "CKV_K8S_12"]);
    assert_eq!(ids(memory_only, "trivy"), ["KSV-0018", "KSV-0016"]);
    let both = limits
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("\"side\""))
        .unwrap();
    assert!(ids(both, "checkov").contains(&"CKV_K8S_11".to_string()));
    assert!(ids(both, "checkov").contains(&"CKV_K8S_13".to_string()));
    // A rule whose findings are not narrowed carries all its equivalents.
    let privileged = found.iter().find(|f| f["code"] == "K8S-001").unwrap();
    assert_eq!(ids(privileged, "checkov"), ["CKV_K8S_16"]);
    assert_eq!(ids(privileged, "kics"), ["Container Is Privileged"]);
    assert!(privileged["equivalents"]["hadolint"].is_null());
}

fn validate_sarif(text: &str) -> Value {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("testdata/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let instance: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not match the schema: {errors:#?}"
    );
    instance
}

#[test]
fn sarif_results_name_them_in_their_properties() {
    let dir = pod_dir();
    let out = scan(dir.path(), &["--format", "sarif", "--select", "K8S-006"]);
    let sarif = validate_sarif(&stdout(&out));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let memory_only = results
        .iter()
        .find(|r| {
            let text = r["message"]["text"].as_str().unwrap();
            text.contains("\"app\"")
        })
        .unwrap();
    let eq = &memory_only["properties"]["equivalents"];
    assert_eq!(
        eq["checkov"],
        serde_json::json!(["CKV_K8S_13", "CKV_K8S_12"])
    );
    assert_eq!(eq["kubescape"], serde_json::json!(["C-0271"]));
}
