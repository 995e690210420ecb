//! Inputs far larger than real files: size limits report once, where the limit was crossed,
//! and the rest of the scan is unaffected; long lines print bounded code frames; merge refuses
//! nothing a normal run writes.

use std::path::Path;

use assert_cmd::Command;
use rampart::config::Config;
use rampart::lint::FileResult;
use rampart::source::{ColumnUnit, FileKind};
use serde_json::Value;

const PRIVILEGED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: small}\nspec:\n  containers:\n    - name: a\n      image: a:1\n      securityContext: {privileged: true}\n";

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A Pod with `n` containers, each privileged.
fn crowded_pod(n: usize) -> String {
    let mut text = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: crowded\nspec:\n  containers:\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "    - name: c{i}\n      image: nginx:1\n      securityContext: {{privileged: true}}\n"
        ));
    }
    text
}

fn scan_json(dir: &Path, args: &[&str]) -> Value {
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(dir)
        .args(["scan", "--no-progress", "--format", "json"])
        .args(args)
        .arg(".")
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn codes_in(report: &Value, file: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().ends_with(file))
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_pod_past_the_container_limit_is_reported_once_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let limit = rampart::limits::MAX_CONTAINERS;
    let text = crowded_pod(limit + 5);
    write(dir.path(), "crowded.yaml", &text);
    write(dir.path(), "small.yaml", PRIVILEGED_POD);
    let report = scan_json(dir.path(), &["--select", "K8S-001"]);

    let crowded = codes_in(&report, "crowded.yaml");
    let privileged = crowded.iter().filter(|c| *c == "K8S-001").count();
    assert_eq!(
        privileged, limit,
        "only the first {limit} containers are checked"
    );
    let limits: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "RAMPART-001")
        .collect();
    assert_eq!(limits.len(), 1, "{limits:?}");
    let message = limits[0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("{} entries in `containers`", limit + 5))
            && message.contains(&format!("limit of {limit}")),
        "{message}"
    );
    // Located at the `containers:` key.
    let start = limits[0]["location"]["byte_start"].as_u64().unwrap() as usize;
    assert_eq!(&text[start..start + "containers".len()], "containers");
    assert_eq!(limits[0]["location"]["start"]["line"], 6);

    assert_eq!(codes_in(&report, "small.yaml"), ["K8S-001"]);
}

#[test]
fn a_pod_at_the_container_limit_is_checked_whole() {
    let limit = rampart::limits::MAX_CONTAINERS;
    let config = {
        let mut c = Config::default();
        c.select = vec!["K8S-001".into()];
        c
    };
    let result = rampart::lint::lint_one(rampart::lint::Unit::file(
        Path::new("pod.yaml"),
        &crowded_pod(limit),
        FileKind::Kubernetes,
        &config,
    ));
    assert_eq!(result.findings.len(), limit);
    assert!(result.findings.iter().all(|f| f.meta.code == "K8S-001"));
}

/// A minified (one-line) JSON `kind: List` of privileged pods.
fn minified_list(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p{i}","labels":{{"app":"é😀"}}}},"spec":{{"containers":[{{"name":"c","image":"nginx:1","securityContext":{{"privileged":true}}}}]}}}}"#))
        .collect();
    format!(
        "{{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{}]}}",
        items.join(",")
    )
}

fn lint_list(text: &str) -> FileResult {
    let config = {
        let mut c = Config::default();
        c.select = vec!["K8S-001".into()];
        c
    };
    rampart::lint::lint_one(rampart::lint::Unit::file(
        Path::new("list.json"),
        text,
        FileKind::Kubernetes,
        &config,
    ))
}

#[test]
fn findings_on_a_minified_json_list_point_at_their_item() {
    let n = 300;
    let text = minified_list(n);
    let result = lint_list(&text);
    assert_eq!(result.findings.len(), n);
    let index = result.unit[0].line_index();
    for f in &result.findings {
        assert_eq!(&text[f.span.start..f.span.end], "true");
        let pos = index.position(f.span.start, ColumnUnit::Chars);
        assert_eq!(pos.line, 1);
        assert_eq!(pos.column, text[..f.span.start].chars().count() + 1);
        let utf16 = index.position(f.span.start, ColumnUnit::Utf16);
        assert_eq!(
            utf16.column,
            text[..f.span.start].encode_utf16().count() + 1
        );
    }
}

#[test]
fn code_frames_on_a_long_line_are_excerpts() {
    let text = minified_list(300);
    assert!(text.len() > 50_000);
    let result = lint_list(&text);
    let last = result.findings.last().unwrap();
    let frame = rampart::report::human::render_finding(&result, last, false);
    assert!(frame.len() < 2_000, "{} bytes: {frame}", frame.len());
    let column = text[..last.span.start].chars().count() + 1;
    assert!(
        frame.contains(&format!("list.json:1:{column}")),
        "the frame names the position: {frame}"
    );
    assert!(frame.contains("privileged"), "{frame}");
    // A short line keeps its ordinary frame.
    let short = lint_list(&minified_list(1));
    let frame = rampart::report::human::render_finding(&short, &short.findings[0], false);
    assert!(frame.contains("--> list.json:1:"), "{frame}");
}

#[test]
fn a_json_manifest_keeps_exact_spans_after_a_byte_order_mark() {
    let text = "\u{feff}  {\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"é\"},\n \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"a:1\", \"securityContext\": {\"privileged\": true}}]}}\n";
    let result = lint_list(text);
    assert_eq!(result.findings.len(), 1, "{:?}", result.findings);
    let f = &result.findings[0];
    assert_eq!(&text[f.span.start..f.span.end], "true");
    assert_eq!(result.findings[0].resource.as_deref(), Some("Pod é"));
    // A syntax error is located in the file as written.
    let broken = "\u{feff}{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"spec\": [1, 2,, 3]}";
    let result = lint_list(broken);
    let error = result
        .findings
        .iter()
        .find(|f| f.meta.code == "RAMPART-001")
        .expect("a parse error");
    let at = broken.find(",,").unwrap();
    assert!(
        (at..=at + 3).contains(&error.span.start),
        "{:?} is not near {at}",
        error.span
    );
}

#[test]
fn merge_of_ordinary_reports_still_works() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", PRIVILEGED_POD);
    write(
        dir.path(),
        "b.yaml",
        &PRIVILEGED_POD.replace("small", "other"),
    );
    for (part, shard) in [("1.json", "1/2"), ("2.json", "2/2")] {
        let out = Command::cargo_bin("rampart")
            .unwrap()
            .current_dir(dir.path())
            .args([
                "scan",
                "--no-progress",
                "--format",
                "json",
                "--select",
                "K8S-001",
            ])
            .args(["--shard", shard, "-o", part, "a.yaml", "b.yaml"])
            .output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0) | Some(1)));
    }
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(dir.path())
        .args(["merge", "1.json", "2.json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(merged["findings"].as_array().unwrap().len(), 2);
    assert_eq!(merged["summary"]["files_scanned"], 2);
}

#[test]
fn merge_of_a_part_that_is_not_a_report_fails_with_exit_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "junk.json", "[1, 2");
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(dir.path())
        .args(["merge", "junk.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk.json"));
}

#[test]
fn stacked_suppression_comments_apply_to_the_next_code_line() {
    let mut text = String::from("FROM alpine:3.19\n");
    for _ in 0..2_000 {
        text.push_str("# rampart:ignore[pipe-to-shell] vetted installer\n\n");
    }
    text.push_str("RUN curl -fsSL https://example.com/install.sh | sh\n# rampart:ignore[pipe-to-shell] nothing below\n");
    let config = {
        let mut c = Config::default();
        c.select = vec!["pipe-to-shell".into(), "unused-suppression".into()];
        c
    };
    let result = rampart::lint::lint_one(rampart::lint::Unit::file(
        Path::new("Dockerfile"),
        &text,
        FileKind::Dockerfile,
        &config,
    ));
    let pipe: Vec<_> = result
        .findings
        .iter()
        .filter(|f| f.meta.name == "pipe-to-shell")
        .collect();
    assert_eq!(pipe.len(), 1);
    assert!(pipe[0].suppressed.is_some(), "{:?}", pipe[0]);
    // The first comment silences the finding; the other 1,999 and the one with no code line
    // after it silence nothing.
    let unused = result
        .findings
        .iter()
        .filter(|f| f.meta.code == "RAMPART-004")
        .count();
    assert_eq!(unused, 2_000);
}

#[test]
fn merge_refuses_a_part_past_the_size_limit_with_exit_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", PRIVILEGED_POD);
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "scan",
            "--no-progress",
            "--format",
            "json",
            "-o",
            "small.json",
            "a.yaml",
        ])
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0) | Some(1)));
    // A sparse file: past the limit without writing it.
    let huge = std::fs::File::create(dir.path().join("huge.json")).unwrap();
    huge.set_len(rampart::merge::MAX_PART_SIZE + 1).unwrap();
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(dir.path())
        .args(["merge", "small.json", "huge.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("huge.json: larger than") && stderr.contains("limit for one part"),
        "{stderr}"
    );
}
