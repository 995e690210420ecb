//! Rego policies end to end: conftest directories for Kubernetes, Dockerfiles and Terraform
//! (both input shapes), a Gatekeeper library with constraints, every report format, selection,
//! suppressions, namespaces, load errors, `rampart test`, and hostile policies.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::time::{Duration, Instant};

use common::{rampart, root, stderr, stdout};
use serde_json::Value;

fn run(args: &[&str]) -> std::process::Output {
    rampart()
        .current_dir(root())
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap()
}

/// (code, line, message) of the unsuppressed findings, sorted.
fn findings(out: &std::process::Output) -> Vec<(String, u64, String)> {
    let v: Value = serde_json::from_str(&stdout(out)).unwrap();
    let mut found: Vec<(String, u64, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["location"]["start"]["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

fn scan_json(policy: &str, path: &str, select: &str) -> std::process::Output {
    run(&[
        "scan",
        "--no-progress",
        "--format",
        "json",
        "--policy",
        policy,
        "--select",
        select,
        path,
    ])
}

#[test]
fn conftest_kubernetes_policy() {
    let out = scan_json("tests/rego/k8s/policy", "tests/rego/k8s/scan", "rego");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        findings(&out),
        [
            (
                "REGO.main.deny".to_string(),
                14,
                "Deployment web: container app is privileged".to_string()
            ),
            (
                "REGO.main.warn_labels".to_string(),
                17,
                "Service web has no team label".to_string()
            ),
        ]
    );
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let severities: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["high", "low"], "deny is high, warn low");
}

#[test]
fn select_and_suppress_by_code() {
    let out = scan_json(
        "tests/rego/k8s/policy",
        "tests/rego/k8s/scan",
        "REGO.main.deny",
    );
    let codes: Vec<String> = findings(&out).into_iter().map(|f| f.0).collect();
    assert_eq!(codes, ["REGO.main.deny"]);
    let out = scan_json(
        "tests/rego/k8s/policy",
        "tests/rego/suppressed",
        "REGO.main.deny",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(findings(&out).is_empty());
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        v["findings"].as_array().unwrap().len(),
        1,
        "kept as suppressed"
    );
}

#[test]
fn namespaces_choose_the_packages() {
    let out = run(&[
        "scan",
        "--no-progress",
        "--format",
        "json",
        "--policy",
        "tests/rego/k8s/policy",
        "--namespace",
        "other",
        "tests/rego/k8s/scan",
    ]);
    assert!(
        findings(&out).iter().all(|f| !f.0.starts_with("REGO")),
        "package main is not run"
    );
    let out = run(&[
        "scan",
        "--no-progress",
        "--format",
        "json",
        "--policy",
        "tests/rego/k8s/policy",
        "--all-namespaces",
        "--select",
        "rego",
        "tests/rego/k8s/scan",
    ]);
    assert_eq!(findings(&out).len(), 2);
}

#[test]
fn conftest_dockerfile_policy() {
    let out = scan_json("tests/rego/docker/policy", "tests/rego/docker/scan", "rego");
    assert_eq!(
        findings(&out),
        [
            (
                "REGO.main.deny".to_string(),
                1,
                "the Dockerfile sets no USER".to_string()
            ),
            (
                "REGO.main.deny".to_string(),
                3,
                "base image nginx:latest uses the latest tag".to_string()
            ),
        ]
    );
}

#[test]
fn conftest_terraform_policy_in_both_shapes() {
    for policy in ["tests/rego/terraform/policy", "tests/rego/hcl/policy"] {
        let out = scan_json(policy, "tests/rego/terraform/scan", "rego");
        let found = findings(&out);
        assert_eq!(found.len(), 1, "{policy}: {found:?}");
        assert_eq!(found[0].1, 7, "{policy}: at the acl attribute");
        assert!(found[0].2.contains("aws_s3_bucket.logs"), "{found:?}");
    }
}

#[test]
fn gatekeeper_library_with_constraints() {
    let out = scan_json(
        "tests/rego/gatekeeper/policy",
        "tests/rego/gatekeeper/scan",
        "gatekeeper",
    );
    assert_eq!(
        findings(&out),
        [
            (
                "GK.K8sPSPPrivilegedContainer.psp-privileged-container".to_string(),
                2,
                "Privileged container is not allowed: app, securityContext: {\"privileged\": true}"
                    .to_string()
            ),
            (
                "GK.K8sRequiredLabels.must-have-owner".to_string(),
                2,
                "you must provide labels: {\"owner\"}".to_string()
            ),
        ]
    );
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let warn = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "GK.K8sRequiredLabels.must-have-owner")
        .unwrap();
    assert_eq!(warn["severity"], "medium", "enforcementAction: warn");
}

#[test]
fn human_and_sarif_reports() {
    let out = run(&[
        "scan",
        "--no-progress",
        "--policy",
        "tests/rego/k8s/policy",
        "--select",
        "rego",
        "tests/rego/k8s/scan",
    ]);
    let human = stdout(&out);
    assert!(
        human.contains(
            "high[REGO.main.deny]: rego-main-deny: Deployment web: container app is privileged"
        ),
        "{human}"
    );
    assert!(
        human.contains("tests/rego/k8s/scan/deploy.yaml:14:25"),
        "{human}"
    );
    let out = run(&[
        "scan",
        "--no-progress",
        "--format",
        "sarif",
        "--policy",
        "tests/rego/k8s/policy",
        "--select",
        "rego",
        "tests/rego/k8s/scan",
    ]);
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("testdata/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let instance: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = instance["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["ruleId"], "REGO.main.deny");
}

#[test]
fn rego_errors_are_located_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("syntax.rego", "package main\n\nimport rego.v1\n\ndeny contains msg if {\n  input.kind ==\n}\n", "syntax.rego:7:1: Rego: expecting expression"),
        ("unsafe.rego", "package main\n\nimport rego.v1\n\ndeny contains msg if {\n  msg := sprintf(\"%s\", [y])\n}\n", "unsafe.rego:6:25: Rego: use of undefined variable `y` is unsafe"),
        ("builtin.rego", "package main\n\nimport rego.v1\n\ndeny contains msg if {\n  msg := http.send({\"url\": \"http://example.com\"})\n}\n", "builtin.rego:6:19: Rego: could not find function http.send"),
    ];
    for (name, text, expected) in cases {
        let policy = dir.path().join(name);
        std::fs::write(&policy, text).unwrap();
        let out = run(&[
            "scan",
            "--no-progress",
            "--policy",
            policy.to_str().unwrap(),
            "tests/rego/k8s/scan",
        ]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(stderr(&out).contains(expected), "{name}: {}", stderr(&out));
    }
}

#[test]
fn rampart_test_runs_rego_unit_tests() {
    let out = run(&["test", "tests/rego/k8s/policy"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("ok data.main.test_privileged_denied"),
        "{text}"
    );
    assert!(text.contains("FAIL data.main.test_that_fails"), "{text}");
    assert!(text.ends_with("2 passed, 1 failed\n"), "{text}");
}

#[test]
fn hostile_policy_ends_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("hostile.rego");
    std::fs::write(
        &policy,
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n  n := count([x | some x in numbers.range(1, 20000000)])\n  n > 0\n  msg := \"huge\"\n}\n\ndeny contains msg if {\n  xs := [y | some a in numbers.range(1, 3000); some b in numbers.range(1, 3000); y := a * b]\n  count(xs) > 0\n  msg := \"square\"\n}\n",
    )
    .unwrap();
    let started = Instant::now();
    let out = run(&[
        "scan",
        "--no-progress",
        "--policy",
        policy.to_str().unwrap(),
        "tests/rego/k8s/scan",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("time limit"), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(60));
}
