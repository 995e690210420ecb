//! `rampart compliance` from the command line: the framework list, the table, the JSON schema,
//! exit codes, accepted exceptions and usage errors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use common::*;
use serde_json::Value;

#[test]
fn list_shows_each_framework_with_its_version_and_counts() {
    let o = run(&["compliance", "--list"]);
    assert!(o.status.success());
    let out = stdout(&o);
    for id in [
        "pss-baseline",
        "pss-restricted",
        "cis-kubernetes",
        "cis-docker",
    ] {
        assert!(out.lines().any(|l| l.starts_with(id)), "{out}");
    }
    assert!(out.contains("v1.9.0"), "{out}");
}

#[test]
fn a_failed_control_lists_its_findings_and_fails_the_run() {
    let o = run(&["compliance", "--framework", "pss-baseline", "examples"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.contains("Privileged Containers"))
        .unwrap();
    assert!(line.contains("fail"), "{line}");
    assert!(
        out.contains("examples/shop/deploy/api.yaml:34:25 K8S-001"),
        "{out}"
    );
    assert!(out.contains("12 controls:"), "{out}");
}

fn json_report(args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["compliance", "--format", "json"];
    all.extend_from_slice(args);
    let o = run(&all);
    (o.status.code(), serde_json::from_slice(&o.stdout).unwrap())
}

#[test]
fn json_has_every_control_and_the_totals_add_up() {
    let (code, doc) = json_report(&["--framework", "cis-kubernetes", "examples"]);
    assert_eq!(code, Some(1));
    assert_eq!(doc["version"], 1);
    let f = &doc["frameworks"][0];
    assert_eq!(f["framework"], "cis-kubernetes");
    let controls = f["controls"].as_array().unwrap();
    let t = &f["totals"];
    assert_eq!(t["controls"].as_u64().unwrap() as usize, controls.len());
    let sum: u64 = ["pass", "fail", "exception", "manual", "not_applicable"]
        .iter()
        .map(|k| t[k].as_u64().unwrap())
        .sum();
    assert_eq!(sum as usize, controls.len());
    let manual = controls.iter().find(|c| c["id"] == "5.2.1").unwrap();
    assert_eq!(manual["status"], "manual");
    assert!(manual["reason"].as_str().unwrap().contains("admission"));
    let pods = controls.iter().find(|c| c["id"] == "5.2.2").unwrap();
    assert_eq!(pods["status"], "fail");
    assert_eq!(pods["findings"][0]["code"], "K8S-001");
}

#[test]
fn nothing_of_its_kind_is_not_applicable_and_passes_the_gate() {
    let (code, doc) = json_report(&["--framework", "pss-baseline", "examples/shop/infra"]);
    assert_eq!(code, Some(0));
    let f = &doc["frameworks"][0];
    assert!(f["controls"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["status"] == "not-applicable"));
    assert!(f["totals"]["score"].is_null());
}

#[test]
fn fail_below_gates_on_the_score() {
    let (_, doc) = json_report(&["--framework", "pss-baseline", "examples"]);
    let score = doc["frameworks"][0]["totals"]["score"].as_f64().unwrap();
    assert!(score > 50.0 && score < 100.0, "{score}");
    let low = format!("{}", (score - 1.0).floor());
    let high = format!("{}", (score + 1.0).ceil());
    let pass = run(&[
        "compliance",
        "--framework",
        "pss-baseline",
        "--fail-below",
        &low,
        "examples",
    ]);
    assert_eq!(pass.status.code(), Some(0));
    let fail = run(&[
        "compliance",
        "--framework",
        "pss-baseline",
        "--fail-below",
        &high,
        "examples",
    ]);
    assert_eq!(fail.status.code(), Some(1));
    let bad = run(&[
        "compliance",
        "--framework",
        "pss-baseline",
        "--fail-below",
        "120",
        "examples",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn baseline_findings_are_accepted_exceptions_not_passes() {
    let dir = tempfile::tempdir().unwrap();
    let pod = dir.path().join("pod.yaml");
    std::fs::write(
        &pod,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: a:1\n      securityContext: {privileged: true}\n",
    )
    .unwrap();
    let baseline = dir.path().join("baseline.json");
    let o = rampart()
        .args(["baseline", "--output"])
        .arg(&baseline)
        .arg(&pod)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let o = rampart()
        .args([
            "compliance",
            "--framework",
            "pss-baseline",
            "--format",
            "json",
            "--baseline",
        ])
        .arg(&baseline)
        .arg(&pod)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let c = doc["frameworks"][0]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "Privileged Containers")
        .unwrap()
        .clone();
    assert_eq!(c["status"], "exception");
    assert_eq!(c["exceptions"][0]["accepted"]["kind"], "baseline");
}

#[test]
fn usage_errors_exit_2() {
    let o = run(&["compliance", "--framework", "pss-restricte", "examples"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean `pss-restricted`"));
    let o = run(&["compliance", "--framework", "cis-docker", "no/such/dir"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "compliance",
        "--framework",
        "cis-docker",
        "--select",
        "K8S-001",
        "examples",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn html_has_a_row_per_control_with_the_json_statuses() {
    let (_, doc) = json_report(&["--framework", "pss-restricted", "examples"]);
    let o = run(&[
        "compliance",
        "--framework",
        "pss-restricted",
        "--format",
        "html",
        "examples",
    ]);
    let html = stdout(&o);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("default-src 'none'"));
    let controls = doc["frameworks"][0]["controls"].as_array().unwrap();
    assert_eq!(
        html.matches("<tr class=\"control\"").count(),
        controls.len()
    );
    for status in ["fail", "pass", "exception", "manual", "not-applicable"] {
        let want = controls.iter().filter(|c| c["status"] == status).count();
        let rows = html.matches(&format!("data-status=\"{status}\"")).count();
        assert_eq!(rows, want, "{status}");
    }
    assert!(html.contains("examples/shop/deploy/api.yaml:34:25 K8S-001"));
}
