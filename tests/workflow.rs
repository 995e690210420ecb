//! The adoption workflow through the real binary: configuration files, suppressions.

mod common;

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

fn rampart_in(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("rampart").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn write(dir: &Path, rel: &str, content: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn json(out: &Output) -> Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stderr(out)))
}

#[test]
fn suppressed_findings_are_reported_as_suppressed_and_do_not_fail() {
    let root = common::root();
    let out = rampart_in(&root)
        .args([
            "scan",
            "--format",
            "json",
            "testdata/RAMPART-004/negative/used.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let j = json(&out);
    let findings = j["findings"].as_array().unwrap();
    let mut got: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["suppressed"]["justification"]
                    .as_str()
                    .unwrap_or("NOT SUPPRESSED")
                    .to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("K8S-001".to_string(), "loads eBPF programs".to_string()),
            (
                "K8S-002".to_string(),
                "the agent reports node network metrics".to_string()
            ),
            (
                "K8S-005".to_string(),
                "image is rebuilt nightly".to_string()
            ),
            (
                "K8S-006".to_string(),
                "sized by the vertical pod autoscaler".to_string()
            ),
        ]
    );
    assert_eq!(j["summary"]["findings"], 0);
    assert_eq!(j["summary"]["suppressed"], 4);
    // SARIF carries them as inSource suppressions.
    let out = rampart_in(&root)
        .args([
            "scan",
            "--format",
            "sarif",
            "testdata/RAMPART-004/negative/used.yaml",
        ])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_str(&stdout(&out)).unwrap();
    for r in sarif["runs"][0]["results"].as_array().unwrap() {
        assert_eq!(r["suppressions"][0]["kind"], "inSource");
    }
    // The human format hides them and says so.
    let out = rampart_in(&root)
        .args(["scan", "testdata/RAMPART-004/negative/used.yaml"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("4 findings suppressed"),
        "{}",
        stdout(&out)
    );
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: a:latest\n      securityContext: {privileged: true}\n";

fn codes(j: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn configuration_files_are_found_upward_and_nearest_wins() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        ".rampart.toml",
        "ignore = [\"missing-resource-limits\"]\n[severity]\nK8S-005 = \"high\"\n",
    );
    write(
        d,
        "team/.rampart.toml",
        "extend = \"../.rampart.toml\"\nignore = [\"K8S-001\"]\nexclude = [\"generated\"]\n",
    );
    write(d, "team/app/pod.yaml", POD);
    write(d, "team/generated/pod.yaml", POD);
    write(d, "other/pod.yaml", POD);
    write(d, "legacy/.rampart.toml", "select = [\"K8S-001\"]\n[[overrides]]\nfiles = [\"old/**\"]\nseverity = { \"K8S-001\" = \"low\" }\n");
    write(d, "legacy/old/pod.yaml", POD);
    let out = rampart_in(d)
        .args(["scan", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let j = json(&out);
    assert_eq!(
        codes(&j),
        [
            ("legacy/old/pod.yaml".into(), "K8S-001".into(), "low".into()),
            ("other/pod.yaml".into(), "K8S-001".into(), "critical".into()),
            ("other/pod.yaml".into(), "K8S-005".into(), "high".into()),
            ("team/app/pod.yaml".into(), "K8S-005".into(), "high".into()),
        ]
    );
    // --config replaces discovery; flags win over files.
    write(
        d,
        "strict.toml",
        "select = [\"K8S-005\"]\nfail-on = \"critical\"\n",
    );
    let out = rampart_in(d)
        .args(["scan", "--format", "json", "--config", "strict.toml"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "K8S-005 is medium, below fail-on = critical"
    );
    assert!(codes(&json(&out)).iter().all(|(_, c, _)| c == "K8S-005"));
    let out = rampart_in(d)
        .args([
            "scan",
            "--format",
            "json",
            "--config",
            "strict.toml",
            "--fail-on",
            "medium",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn configuration_errors_are_located_and_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        ".rampart.toml",
        "fail-on = \"high\"\n\nignroe = [\"K8S-001\"]\n",
    );
    write(d, "pod.yaml", POD);
    let out = rampart_in(d).args(["scan"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(".rampart.toml:3:1: unknown key `ignroe`; did you mean `ignore`?"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn config_command_prints_the_effective_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, ".rampart.toml", "ignore = [\"K8S-006\"]\nkubernetes-version = \"1.30\"\n[[overrides]]\nfiles = [\"legacy/**\"]\nignore = [\"K8S-005\"]\n");
    write(d, "legacy/x/pod.yaml", POD);
    let out = rampart_in(d)
        .args(["config", "legacy/x/pod.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("ignore = [\"K8S-006\", \"K8S-005\"]"),
        "{text}"
    );
    assert!(text.contains("kubernetes-version = \"1.30\""), "{text}");
    assert!(text.contains("# from"), "{text}");
    let out = rampart_in(d).args(["config", "."]).output().unwrap();
    assert!(
        stdout(&out).contains("ignore = [\"K8S-006\"]\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn profiles_select_by_pod_security_level() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pod.yaml", POD);
    let out = rampart_in(d)
        .args(["scan", "--format", "json", "--profile", "pss-baseline"])
        .output()
        .unwrap();
    assert!(codes(&json(&out)).iter().all(|(_, c, _)| c == "K8S-001"));
    let out = rampart_in(d)
        .args(["scan", "--profile", "pss-strict"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
