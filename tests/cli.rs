//! The `rampart` binary end to end: formats, exit codes, discovery, stdin, bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::{rampart, root, run, stderr, stdout, validate_sarif};
use serde_json::Value;

#[test]
fn human_output_on_the_example() {
    let out = run(&["scan", "examples/shop"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("human_example", stdout(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn compact_output_and_determinism() {
    let a = run(&[
        "scan",
        "--format",
        "compact",
        "-j",
        "1",
        "examples",
        "testdata/K8S-001",
    ]);
    let b = run(&[
        "scan",
        "--format",
        "compact",
        "-j",
        "4",
        "testdata/K8S-001",
        "examples",
    ]);
    assert_eq!(
        stdout(&a),
        stdout(&b),
        "order must not depend on threads or argument order"
    );
    insta::assert_snapshot!(
        "compact_example",
        stdout(&run(&["scan", "--format", "compact", "examples"]))
    );
}

#[test]
fn json_output() {
    let out = run(&["scan", "--format", "json", "examples/shop"]);
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    insta::assert_json_snapshot!("json_example", json, {
        ".tool.version" => "[version]",
    });
    let summary = &json["summary"];
    assert_eq!(
        summary["files_discovered"].as_u64(),
        Some(json["files"].as_array().unwrap().len() as u64),
        "every discovered file is accounted for"
    );
}

#[test]
fn sarif_output_is_valid_and_complete() {
    let out = run(&["scan", "--format", "sarif", "examples/shop"]);
    assert_eq!(out.status.code(), Some(1));
    let sarif = validate_sarif(&stdout(&out));
    let run0 = &sarif["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    // The rules that fired, each once, in the order they first fire.
    let mut fired: Vec<&str> = Vec::new();
    for r in run0["results"].as_array().unwrap() {
        let id = r["ruleId"].as_str().unwrap();
        if !fired.contains(&id) {
            fired.push(id);
        }
    }
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, fired);
    assert!(
        stdout(&out).len() < 150_000,
        "{} bytes for {} results",
        stdout(&out).len(),
        fired.len()
    );
    for r in rules {
        for key in [
            "id",
            "name",
            "shortDescription",
            "fullDescription",
            "help",
            "helpUri",
        ] {
            assert!(!r[key].is_null(), "rule descriptor lacks {key}: {r}");
        }
        assert!(r["properties"]["tags"].is_array());
        assert!(r["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .is_ok());
    }
    let results = run0["results"].as_array().unwrap();
    let json = run(&["scan", "--format", "json", "examples/shop"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(results.len(), json["findings"].as_array().unwrap().len());
    assert!(results.len() >= 5);
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(!loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with('/'));
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
        assert!(r["partialFingerprints"]["rampart/v1"].is_string());
    }
    assert!(run0["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap()
        .starts_with("file:///"));
    let mut redacted = sarif.clone();
    redacted["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///[root]/".into();
    redacted["runs"][0]["tool"]["driver"]["rules"] = Value::Null;
    insta::assert_json_snapshot!("sarif_example_results", redacted, {
        ".runs[0].tool.driver.version" => "[version]",
        ".runs[0].tool.driver.semanticVersion" => "[version]",
    });
}

#[test]
fn clean_run_exits_zero_with_empty_sarif_results() {
    let out = run(&[
        "scan",
        "--format",
        "sarif",
        "--select",
        "K8S-001",
        "testdata/K8S-001/negative",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sarif = validate_sarif(&stdout(&out));
    assert_eq!(sarif["runs"][0]["results"], Value::Array(vec![]));
    let human = run(&["scan", "--select", "K8S-001", "testdata/K8S-001/negative"]);
    assert_eq!(human.status.code(), Some(0));
    assert!(
        stdout(&human).starts_with("No problems found"),
        "{}",
        stdout(&human)
    );
}

#[test]
fn fail_on_sets_the_threshold() {
    // K8S-005 findings are medium.
    let p = "testdata/K8S-005/positive";
    assert_eq!(
        run(&["scan", p, "--select", "K8S-005", "--fail-on", "medium"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run(&["scan", p, "--select", "K8S-005", "--fail-on", "high"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn select_and_ignore_take_codes_names_and_tags_in_any_case() {
    let p = "testdata/K8S-001/positive/deployment.yaml";
    let codes = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["scan", "--format", "json", p];
        full.extend_from_slice(args);
        let json: Value = serde_json::from_str(&stdout(&run(&full))).unwrap();
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes(&["--select", "privileged-container"]), ["K8S-001"]);
    assert_eq!(codes(&["--select", "k8s-001"]), ["K8S-001"]);
    assert_eq!(
        codes(&["--select", "pss-baseline", "--ignore", "K8S-001"]),
        Vec::<String>::new()
    );
    assert!(codes(&["--ignore", "privileged-container"])
        .iter()
        .all(|c| c != "K8S-001"));
    let bad = run(&["scan", p, "--select", "privileged-containr"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("privileged-containr"),
        "{}",
        stderr(&bad)
    );
    assert!(stdout(&bad).is_empty());
}

#[test]
fn stdin_with_a_file_name() {
    let text =
        std::fs::read_to_string(root().join("testdata/DOCKER-002/positive/Dockerfile")).unwrap();
    let out = rampart()
        .args([
            "scan",
            "-",
            "--stdin-filename",
            "services/web/Dockerfile",
            "--format",
            "compact",
        ])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "services/web/Dockerfile:1:1: high DOCKER-002 root-user: final stage 1 sets no `USER`: it runs as `node:20-bookworm-slim`'s user, root unless that image sets one\n"
    );
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n  containers: [{name: a, image: 'a:1', resources: {limits: {cpu: 1, memory: 1Gi}}}]\n";
    let out = rampart()
        .args([
            "scan",
            "-",
            "--format",
            "compact",
            "--profile",
            "pss-baseline",
        ])
        .write_stdin(yaml)
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "<stdin>:5:12: high K8S-003 host-pid: Pod p shares the host's process namespace (`hostPID: true`)\n");
}

#[test]
fn output_file_keeps_stdout_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.sarif");
    let out = run(&[
        "scan",
        "examples/shop",
        "--format",
        "sarif",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    validate_sarif(&std::fs::read_to_string(&path).unwrap());
}

fn write(dir: &Path, rel: &str, content: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

const PRIVILEGED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: a:1\n      securityContext: {privileged: true}\n";

fn json_scan(dir: &Path, extra: &[&str]) -> Value {
    let mut cmd = Command::cargo_bin("rampart").unwrap();
    cmd.current_dir(dir)
        .args(["scan", "--format", "json", "--select", "K8S-001"])
        .args(extra);
    let out = cmd.output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{}",
        stderr(&out)
    );
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn paths_with_findings(json: &Value) -> Vec<String> {
    let mut v: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    v.dedup();
    v
}

#[test]
fn discovery_honours_ignores_and_skips_what_is_not_ours() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "app/pod.yaml", PRIVILEGED_POD.as_bytes());
    write(d, "ignored/pod.yaml", PRIVILEGED_POD.as_bytes());
    write(d, ".gitignore", b"ignored/\n");
    write(d, ".hidden/pod.yaml", PRIVILEGED_POD.as_bytes());
    write(d, "node_modules/x/pod.yaml", PRIVILEGED_POD.as_bytes());
    write(d, "generated/pod.yaml", PRIVILEGED_POD.as_bytes());
    write(
        d,
        "chart/Chart.yaml",
        b"apiVersion: v2\nname: chart\nversion: 0.1.0\n",
    );
    write(d, "chart/values.yaml", b"replicas: 1\n");
    write(
        d,
        "chart/templates/pod.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n",
    );
    write(d, ".github/workflows/ci.yml", b"on: [push]\njobs: {}\n");
    write(d, "compose.yaml", b"services:\n  web:\n    image: nginx\n");
    let json = json_scan(d, &["--exclude", "generated"]);
    assert_eq!(paths_with_findings(&json), ["app/pod.yaml"]);
    let files = json["files"].as_array().unwrap();
    let status = |p: &str| {
        files
            .iter()
            .find(|f| f["path"] == p)
            .map(|f| f["status"].as_str().unwrap().to_string())
    };
    assert_eq!(
        status("chart/templates/pod.yaml").as_deref(),
        Some("skipped")
    );
    assert_eq!(status("compose.yaml").as_deref(), Some("skipped"));
    assert_eq!(status("ignored/pod.yaml"), None);
    assert_eq!(status(".hidden/pod.yaml"), None);
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["code"] != "RAMPART-001"),
        "templates are never parse errors"
    );
    // Patterns relative to the working directory work when a subdirectory is scanned.
    write(d, "app/old/pod.yaml", PRIVILEGED_POD.as_bytes());
    let json = json_scan(d, &["app", "--exclude", "app/old"]);
    assert_eq!(paths_with_findings(&json), ["app/pod.yaml"]);
    let json = json_scan(d, &["app", "--exclude", "old/*.yaml"]);
    assert_eq!(paths_with_findings(&json), ["app/pod.yaml"]);
    std::fs::remove_dir_all(d.join("app/old")).unwrap();
    // A file named explicitly is linted even if an ignore file covers it.
    let json = json_scan(d, &["ignored/pod.yaml"]);
    assert_eq!(paths_with_findings(&json), ["ignored/pod.yaml"]);
    // -v explains skipped files on stderr.
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(d)
        .args(["scan", "-v", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("unrendered Helm template"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_input_is_reported_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "ok/pod.yaml", PRIVILEGED_POD.as_bytes());
    write(d, "bin/data.yaml", b"apiVersion: v1\n\x00\x00\xff");
    write(
        d,
        "latin1/main.tf",
        b"resource \"x\" \"y\" {\n  v = \"caf\xe9\"\n}\n",
    );
    write(
        d,
        "big/pod.yaml",
        PRIVILEGED_POD.repeat(1000).replace("---", "").as_bytes(),
    );
    let mut bomb =
        String::from("apiVersion: v1\nkind: ConfigMap\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (prev, next) in ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        .windows(2)
        .map(|w| (w[0], w[1]))
    {
        bomb.push_str(&format!("{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    write(d, "bomb/bomb.yaml", bomb.as_bytes());
    let deep = format!(
        "apiVersion: v1\nkind: ConfigMap\ndata: {}\n",
        "[".repeat(50_000)
    );
    write(d, "deep/deep.yaml", deep.as_bytes());
    write(
        d,
        "deep/deep.tf",
        format!("locals {{\n  x = {}\n}}\n", "[".repeat(50_000)).as_bytes(),
    );
    let started = std::time::Instant::now();
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(d)
        .args(["scan", "--format", "json", "--max-file-size", "100000"])
        .output()
        .unwrap();
    assert!(started.elapsed().as_secs() < 20, "bounded time");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let by_path = |p: &str| -> Vec<(String, String)> {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == p)
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert!(by_path("ok/pod.yaml").iter().any(|(c, _)| c == "K8S-001"));
    assert!(
        by_path("bin/data.yaml")[0].1.contains("binary"),
        "{:?}",
        by_path("bin/data.yaml")
    );
    assert!(by_path("latin1/main.tf")[0].1.contains("UTF-8"));
    assert!(by_path("big/pod.yaml")[0].1.contains("limit"));
    assert!(
        by_path("bomb/bomb.yaml")[0].1.contains("alias bomb"),
        "{:?}",
        by_path("bomb/bomb.yaml")
    );
    assert_eq!(by_path("deep/deep.yaml")[0].0, "RAMPART-001");
    assert_eq!(by_path("deep/deep.tf")[0].0, "RAMPART-001");
    for f in json["findings"].as_array().unwrap() {
        assert!(f["location"]["start"]["line"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn a_named_path_that_does_not_exist_is_a_usage_error() {
    // A typo in a CI path must not pass the gate: exit 2, whatever the threshold.
    let out = run(&[
        "scan",
        "--fail-on",
        "high",
        "does/not/exist",
        "testdata/K8S-002/positive/daemonset.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "rampart: error: does/not/exist: no such file or directory\n"
    );
    assert!(stdout(&out).is_empty());
    for args in [
        &["config", "/nonexistent"][..],
        &["baseline", "does/not/exist"],
        &["scan", "--var-file", "missing.tfvars", "testdata"],
        &["scan", "--plan", "missing.tfplan.json"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains(": no such file or directory"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn markdown_pages_need_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = rampart()
        .current_dir(dir.path())
        .args(["rules", "--format", "markdown"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--output-dir"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn rules_listing_in_json() {
    let out = run(&["rules", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let list: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), rampart::rules::metas().len());
    for r in list {
        for key in [
            "code",
            "name",
            "title",
            "severity",
            "tags",
            "fixable",
            "enabled_by_default",
            "equivalents",
        ] {
            assert!(!r[key].is_null(), "{key} missing in {r}");
        }
        let eq = r["equivalents"].as_object().unwrap();
        for scanner in ["checkov", "trivy", "kics", "kube-linter", "hadolint"] {
            assert!(eq[scanner].is_array(), "{scanner} missing in {r}");
        }
    }
    let k8s1 = list.iter().find(|r| r["code"] == "K8S-001").unwrap();
    assert_eq!(k8s1["equivalents"]["trivy"][0]["id"], "KSV-0017");
    assert_eq!(k8s1["equivalents"]["trivy"][0]["match"], "exact");
    let k8s6 = list.iter().find(|r| r["code"] == "K8S-006").unwrap();
    let requests = k8s6["equivalents"]["checkov"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "CKV_K8S_10")
        .unwrap();
    assert_eq!(requests["match"], "partial");
    assert!(requests["note"].as_str().unwrap().contains("requests"));
    assert_eq!(requests["about"], "cpu");
    assert_eq!(k8s1["fixable"], true);
    // The human table is checked in tests/registry.rs.
}

#[test]
fn explain_by_code_or_name() {
    let by_code = stdout(&run(&["explain", "K8S-001"]));
    let by_name = stdout(&run(&["explain", "Privileged-Container"]));
    assert_eq!(by_code, by_name);
    assert!(by_code.starts_with("# K8S-001 privileged-container\n\nContainer runs privileged\n"));
    assert!(by_code.contains("## Why it matters"));
    assert!(
        by_code.contains("## Flagged: `testdata/K8S-001/positive/"),
        "examples come from the fixtures"
    );
    // The same page as docs/rules/.
    let page = std::fs::read_to_string(root().join("docs/rules/K8S-001.md")).unwrap();
    assert_eq!(by_code, page);
    assert_eq!(run(&["explain", "nope"]).status.code(), Some(2));
    let typo = run(&["explain", "privilegd"]);
    assert_eq!(typo.status.code(), Some(2));
    assert_eq!(
        stderr(&typo),
        "rampart: error: no rule named `privilegd`; did you mean `privileged-container`?\n"
    );
}

#[test]
fn markdown_rule_pages_match_the_committed_docs() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "rules",
        "--format",
        "markdown",
        "--output-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let mut count = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let entry = entry.unwrap();
        let committed = std::fs::read_to_string(root().join("docs/rules").join(entry.file_name()))
            .unwrap_or_else(|_| panic!("docs/rules/{:?} is missing", entry.file_name()));
        assert_eq!(
            std::fs::read_to_string(entry.path()).unwrap(),
            committed,
            "{:?} is stale",
            entry.file_name()
        );
        count += 1;
    }
    assert_eq!(count, rampart::rules::metas().len() + 1);
    let index = std::fs::read_to_string(dir.path().join("README.md")).unwrap();
    assert!(
        index.contains("| [K8S-001](K8S-001.md) | privileged-container | critical |"),
        "{index}"
    );
    assert!(index.contains("| Baseline |"), "{index}");
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(run(&["scan", "--format", "xml"]).status.code(), Some(2));
    assert_eq!(
        run(&["scan", "--exclude", "a[", "."]).status.code(),
        Some(2)
    );
}

#[test]
fn profiles_select_pod_security_levels() {
    let codes = |profile: &str| -> Vec<String> {
        let out = run(&[
            "scan",
            "--format",
            "json",
            "--profile",
            profile,
            "testdata/K8S-019/positive/workloads.yaml",
            "testdata/K8S-001/positive",
        ]);
        let j: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let mut c: Vec<String> = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect();
        c.sort();
        c.dedup();
        c
    };
    let baseline = codes("pss-baseline");
    let restricted = codes("pss-restricted");
    assert!(baseline.contains(&"K8S-001".to_string()), "{baseline:?}");
    assert!(!baseline.contains(&"K8S-019".to_string()), "{baseline:?}");
    assert!(
        restricted.contains(&"K8S-001".to_string()),
        "{restricted:?}"
    );
    assert!(
        restricted.contains(&"K8S-019".to_string()),
        "{restricted:?}"
    );
    // Profiles select Pod Security rules only: no hygiene rule such as missing limits.
    assert!(
        !restricted.contains(&"K8S-006".to_string()),
        "{restricted:?}"
    );
    for code in &restricted {
        let meta = rampart::rules::meta(code).unwrap();
        assert!(
            meta.tags.contains(&"pss-baseline")
                || meta.tags.contains(&"pss-restricted")
                || meta.domain == rampart::rule::Domain::Input,
            "{code} is not a Pod Security rule"
        );
    }
}

#[test]
fn a_named_file_that_is_skipped_says_why() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "values.yaml", b"image: nginx\n");
    write(
        dir.path(),
        "pod.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: 'a:1'}]\n",
    );
    let out = rampart()
        .current_dir(dir.path())
        .args(["scan", "values.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stderr(&out),
        "skipped values.yaml: not a Kubernetes manifest (no document with apiVersion and kind)\n"
    );
    // Found in a directory, it is skipped silently (`-v` lists it); the kind table counts
    // only files that were checked.
    let out = rampart()
        .current_dir(dir.path())
        .args(["scan", "--format", "summary", "."])
        .output()
        .unwrap();
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let text = stdout(&out);
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("kubernetes"))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(row.split_whitespace().nth(1), Some("1"), "{text}");
}

#[test]
fn an_unrendered_chart_template_on_stdin_is_skipped_like_in_a_scan() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "chart/Chart.yaml",
        b"apiVersion: v2\nname: shop\nversion: 1.0.0\n",
    );
    let template = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\nspec: {}\n{{- end }}\n";
    let out = rampart()
        .current_dir(dir.path())
        .args([
            "scan",
            "-",
            "--stdin-filename",
            "chart/templates/deployment.yaml",
            "--format",
            "compact",
        ])
        .write_stdin(template)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("skipped chart/templates/deployment.yaml: unrendered Helm template"),
        "{}",
        stderr(&out)
    );
    // The entry point the language server lints a buffer with judges it the same way.
    let path = dir.path().join("chart/templates/deployment.yaml");
    let result = rampart::lint::lint_one(rampart::lint::Unit::file(
        &path,
        template,
        rampart::source::FileKind::Kubernetes,
        &rampart::config::Config::default(),
    ));
    assert!(result.findings.is_empty(), "{:?}", result.findings);
    assert!(matches!(
        result.status,
        rampart::lint::FileStatus::Skipped(_)
    ));
}

#[test]
fn the_printed_configuration_is_toml_that_reads_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    // A directory name and values with quotes, backslashes, a tab and non-ASCII text.
    let d = dir.path().join("we\"ird \\ dïr\t🦀");
    let file = "legacy/\"old\"/x/pod.yaml";
    std::fs::create_dir_all(d.join(file).parent().unwrap()).unwrap();
    std::fs::write(d.join(file), "apiVersion: v1\nkind: Pod\n").unwrap();
    std::fs::write(
        d.join(".rampart.toml"),
        r#"exclude = ['gen/"quoted"', 'back\slash', "naïve/日本", "tab\there"]
allowed-registries = ["registry.example.com:5000", "ünïcode.example", 'q"uote\', "esc\u001B[31m", "zero\u200Bwidth"]
kubernetes-version = "1.30"
ignore = ["latest-image-tag"]
[severity]
K8S-001 = "low"
[[overrides]]
files = ['legacy/"old"/**']
ignore = ["K8S-005"]
"#,
    )
    .unwrap();
    let printed = |args: &[&str]| {
        let out = rampart().current_dir(&d).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    let first = printed(&["config", file]);
    let from = d.join(".rampart.toml").display().to_string();
    assert!(
        first.starts_with(&format!("# from {}\n", from.replace('\t', "\\x09"))),
        "{first}"
    );
    toml::from_str::<toml::Table>(&first).expect("valid TOML");
    // Read back by the loader: the same values, and the same configuration printed again.
    std::fs::write(d.join("copy.toml"), &first).unwrap();
    let copy = rampart::config::Config::load(&d.join("copy.toml"), &rampart::rules::metas())
        .expect("the printed configuration loads");
    assert_eq!(
        copy.exclude,
        ["gen/\"quoted\"", "back\\slash", "naïve/日本", "tab\there"]
    );
    assert_eq!(
        copy.allowed_registries,
        [
            "registry.example.com:5000",
            "ünïcode.example",
            "q\"uote\\",
            "esc\u{1b}[31m",
            "zero\u{200b}width"
        ]
    );
    assert_eq!(copy.ignore, ["latest-image-tag", "K8S-005"]);
    let again = printed(&["config", "--config", "copy.toml", file]);
    let settings = |text: &str| {
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(settings(&again), settings(&first));
}

#[test]
fn stdin_findings_come_in_file_order() {
    // The security group comes first in the file, the bucket ACL after it; the rules run in
    // the other order. A scan of the same file lists them by position, and so must stdin.
    let tf = "resource \"aws_security_group\" \"ssh\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n\nresource \"aws_s3_bucket_acl\" \"site\" {\n  bucket = \"site\"\n  acl    = \"public-read\"\n}\n";
    let out = rampart()
        .args([
            "scan",
            "-",
            "--stdin-filename",
            "main.tf",
            "--format",
            "json",
        ])
        .write_stdin(tf)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let starts: Vec<u64> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["byte_start"].as_u64().unwrap())
        .collect();
    assert!(starts.len() >= 2, "{starts:?}");
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
}

#[test]
fn one_program_is_installed_and_the_readme_says_how() {
    // `cargo install --locked --path .` builds what the package's binaries are: one, since the
    // language server is `rampart lsp`, so the README's install is one build.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let package = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "rampart")
        .unwrap();
    let bins: Vec<&str> = package["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"].as_array().unwrap().iter().any(|k| k == "bin"))
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(bins, ["rampart"]);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let install = readme.find("## Install").expect("an Install section");
    assert!(readme[install..].contains("cargo install --locked --path ."));
    assert!(install < readme.find("## Usage").unwrap());
}

#[test]
fn a_chart_that_cannot_be_rendered_is_said_once_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n",
    )
    .unwrap();
    // No helm on PATH.
    let empty = tempfile::tempdir().unwrap();
    let scan = |format: &str| {
        rampart()
            .env("PATH", empty.path())
            .args(["scan", "--format", format])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let note = "1 Helm chart not checked: install `helm` to render it";
    for format in ["human", "summary"] {
        let out = scan(format);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.matches(note).count(), 1, "{format}: {stdout}");
    }
    let out = scan("compact");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).matches(note).count(),
        1
    );
    let json: serde_json::Value = serde_json::from_slice(&scan("json").stdout).unwrap();
    assert!(
        json["notes"][0].as_str().unwrap().starts_with(note),
        "{json}"
    );
    let sarif = validate_sarif(&String::from_utf8_lossy(&scan("sarif").stdout));
    let notification = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "note");
    assert!(notification["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with(note));
}

#[test]
fn verbose_says_where_the_pod_template_of_an_unknown_kind_was_found() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let frontend = "apiVersion: apps.example.com/v1\nkind: Frontend\nmetadata:\n  name: storefront\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: registry.example.com/web:1.0.0\n";
    write(d, "x.yaml", frontend.as_bytes());
    let known = PRIVILEGED_POD;
    write(d, "pod.yaml", known.as_bytes());
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(d)
        .args(["scan", "-v", "--format", "json", "."])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("x.yaml: Frontend/storefront: pod template at spec.template.spec (generic)"),
        "{err}"
    );
    assert!(!err.contains("pod.yaml: Pod"), "{err}");
    // Without -v, nothing is said.
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(d)
        .args(["scan", "--format", "json", "."])
        .output()
        .unwrap();
    assert!(!stderr(&out).contains("generic"), "{}", stderr(&out));
}
