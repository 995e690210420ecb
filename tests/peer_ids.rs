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

/// (code, container, suppressed) of each finding, in order.
fn summary(findings: &[Value]) -> Vec<(String, String, bool)> {
    findings
        .iter()
        .map(|f| {
            let container = f["message"]
                .as_str()
                .unwrap()
                .split('"')
                .nth(1)
                .unwrap_or_default()
                .to_string();
            (
                f["code"].as_str().unwrap().to_string(),
                container,
                !f["suppressed"].is_null(),
            )
        })
        .collect()
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

#[test]
fn select_and_ignore_take_peer_ids_for_the_findings_that_carry_them() {
    let dir = pod_dir();
    let d = dir.path();
    // Memory: both containers lack a memory limit.
    let memory = findings(d, &["--select", "CKV_K8S_13"]);
    assert_eq!(
        summary(&memory),
        [
            ("K8S-006".into(), "app".into(), false),
            ("K8S-006".into(), "side".into(), false)
        ]
    );
    // CPU: only `side` lacks a CPU limit; any case, Trivy's ID too.
    for id in ["ckv_k8s_11", "KSV-0011", "CPU Limits Not Set"] {
        let cpu = findings(d, &["--select", id]);
        assert_eq!(
            summary(&cpu),
            [("K8S-006".into(), "side".into(), false)],
            "{id}"
        );
    }
    // Ignoring a peer ID drops the findings that carry it and keeps the rule's others.
    let rest = findings(d, &["--select", "K8S-006", "--ignore", "KSV-0011"]);
    assert_eq!(summary(&rest), [("K8S-006".into(), "app".into(), false)]);
    // A rule's own name still turns it off whatever peer IDs say.
    let none = findings(
        d,
        &[
            "--select",
            "CKV_K8S_13",
            "--ignore",
            "missing-resource-limits",
        ],
    );
    assert!(none.is_empty(), "{none:#?}");
}

#[test]
fn unknown_peer_ids_are_usage_errors_with_a_suggestion() {
    let dir = pod_dir();
    let out = rampart()
        .current_dir(dir.path())
        .args(["scan", "--select", "CKV_K8S_133"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `CKV_K8S_13`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn configuration_selectors_and_severities_take_peer_ids() {
    let dir = pod_dir();
    let d = dir.path();
    write(
        d,
        ".rampart.toml",
        "select = [\"KSV-0018\", \"privileged-container\"]\n\n[severity]\nCKV_K8S_11 = \"high\"\n",
    );
    let found = findings(d, &[]);
    let got: Vec<(String, String, String)> = found
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["message"]
                    .as_str()
                    .unwrap()
                    .split('"')
                    .nth(1)
                    .unwrap()
                    .to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("K8S-006".into(), "app".into(), "low".into()),
            ("K8S-006".into(), "side".into(), "high".into()),
            ("K8S-001".into(), "side".into(), "critical".into()),
        ]
    );
    write(d, ".rampart.toml", "ignore = [\"CKV_K8S_1\"]\n");
    let out = scan_err(d);
    assert!(out.contains("did you mean"), "{out}");
}

/// stderr of a scan that must fail with a usage or configuration error.
fn scan_err(dir: &Path) -> String {
    let out = rampart().current_dir(dir).arg("scan").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    stderr(&out)
}

#[test]
fn inline_suppressions_take_peer_ids_in_every_comment_form() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // YAML comment above a container: the memory finding is silenced, the CPU one is not.
    write(
        d,
        "pod.yaml",
        &POD.replace(
            "    - name: side\n",
            "    # rampart:ignore[CKV_K8S_13] sidecar memory is capped by the node's cgroup\n    - name: side\n",
        ),
    );
    // The annotation, by KICS name.
    write(
        d,
        "annotated.yaml",
        &POD.replace("  namespace: shop\n", "  namespace: shop\n  annotations:\n    rampart.dev/ignore: \"Memory Limits Not Defined[app]: load-tested\"\n")
            .replace("name: web", "name: annotated"),
    );
    // Dockerfile: hadolint's ID for `latest`, which leaves an untagged image reported.
    write(
        d,
        "Dockerfile",
        "# rampart:ignore[DL3007] rebuilt nightly from the vendor's latest\nFROM nginx:latest\nFROM alpine AS tools\nFROM nginx:1.27.0\nUSER 101\n",
    );
    // Terraform: Checkov's instance ID; its cluster ID names nothing here.
    write(
        d,
        "db/main.tf",
        "# rampart:ignore[CKV_AWS_293] scratch database\nresource \"aws_db_instance\" \"scratch\" {\n  engine            = \"postgres\"\n  instance_class    = \"db.t3.micro\"\n  storage_encrypted = true\n}\n\n# rampart:ignore[CKV_AWS_139] no cluster here\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n",
    );
    let found = findings(
        d,
        &["--select", "K8S-006,DOCKER-001,TF-AWS-011,RAMPART-004"],
    );
    let limits: Vec<(String, bool)> = found
        .iter()
        .filter(|f| f["code"] == "K8S-006")
        .map(|f| {
            (
                f["message"].as_str().unwrap().to_string(),
                !f["suppressed"].is_null(),
            )
        })
        .collect();
    let suppressed = |needle: &str| {
        limits
            .iter()
            .find(|(m, _)| m.contains(needle))
            .unwrap_or_else(|| panic!("no finding on {needle}: {limits:#?}"))
            .1
    };
    assert!(suppressed(
        "web container \"side\" has no CPU or memory limit"
    ));
    assert!(suppressed(
        "annotated container \"app\" has no memory limit"
    ));
    assert!(!suppressed("web container \"app\" has no memory limit"));
    assert!(!suppressed("annotated container \"side\""));
    let docker: Vec<(String, bool)> = found
        .iter()
        .filter(|f| f["code"] == "DOCKER-001")
        .map(|f| {
            (
                f["message"].as_str().unwrap().to_string(),
                !f["suppressed"].is_null(),
            )
        })
        .collect();
    assert_eq!(docker.len(), 2, "{docker:#?}");
    assert!(
        docker.iter().any(|(m, s)| m.contains("floating tag") && *s),
        "{docker:#?}"
    );
    assert!(
        docker.iter().any(|(m, s)| m.contains("untagged") && !*s),
        "{docker:#?}"
    );
    let db = found.iter().find(|f| f["code"] == "TF-AWS-011").unwrap();
    assert!(!db["suppressed"].is_null(), "{db:#?}");
    let unused: Vec<&str> = found
        .iter()
        .filter(|f| f["code"] == "RAMPART-004")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(unused.len(), 1, "{unused:#?}");
    assert!(
        unused[0].contains("CKV_AWS_139") && unused[0].contains("unused"),
        "{unused:#?}"
    );
}

#[test]
fn a_suppression_naming_an_unknown_peer_id_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "pod.yaml",
        &POD.replace(
            "    - name: side\n",
            "    # rampart:ignore[KSV-00188] typo\n    - name: side\n",
        ),
    );
    let found = findings(dir.path(), &[]);
    let problem = found
        .iter()
        .find(|f| f["code"] == "RAMPART-004")
        .expect("the unknown ID is reported");
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `KSV-0018`?"),
        "{problem:#?}"
    );
}

#[test]
fn explain_takes_a_peer_id() {
    let out = rampart().args(["explain", "ksv-0018"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("# K8S-006"), "{}", stdout(&out));
}
