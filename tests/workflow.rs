//! The adoption workflow through the real binary: configuration files, suppressions.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

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
            // Rules about settings this fixture does not exercise.
            "--ignore",
            "K8S-019,K8S-020,K8S-022,K8S-023,K8S-024,K8S-028,K8S-029",
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
            "--ignore",
            "K8S-019,K8S-020,K8S-022,K8S-023,K8S-024,K8S-028,K8S-029",
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

/// A pod that breaks K8S-001 and K8S-005 and satisfies the other default rules.
const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: a:latest\n      securityContext: {privileged: true, allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, seccompProfile: {type: RuntimeDefault}, capabilities: {drop: [ALL]}}\n  serviceAccountName: app\n  automountServiceAccountToken: false\n";

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

/// A deployment that breaks only K8S-001 among the default rules.
const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: a:1.0\n          resources: {limits: {cpu: 1, memory: 1Gi}}\n          securityContext:\n            privileged: true\n            allowPrivilegeEscalation: false\n            runAsNonRoot: true\n            readOnlyRootFilesystem: true\n            seccompProfile: {type: RuntimeDefault}\n            capabilities: {drop: [ALL]}\n      serviceAccountName: web\n      automountServiceAccountToken: false\n";

fn scan_json(d: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let out = rampart_in(d)
        .args(["scan", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    (out.status.code(), json(&out))
}

#[test]
fn baselines_hide_known_findings_and_survive_edits() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "k8s/web.yaml", DEPLOY);
    let out = rampart_in(d).args(["baseline"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("recorded 1 finding"),
        "{}",
        stderr(&out)
    );
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join(".rampart-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(recorded["findings"][0]["path"], "k8s/web.yaml");

    let (code, j) = scan_json(d, &["--baseline", ".rampart-baseline.json"]);
    assert_eq!(code, Some(0));
    assert_eq!(j["findings"].as_array().unwrap().len(), 0);

    // Lines shift and formatting changes: still known.
    let shifted = format!(
        "# owned by the web team\n\n{}",
        DEPLOY.replace("privileged: true", "privileged:   true")
    );
    write(d, "k8s/web.yaml", &shifted);
    let (code, j) = scan_json(d, &["--baseline", ".rampart-baseline.json"]);
    assert_eq!(
        (code, j["findings"].as_array().unwrap().len()),
        (Some(0), 0)
    );
    // From another working directory, with the baseline given by a relative path.
    let out = rampart_in(&d.join("k8s"))
        .args([
            "scan",
            "--format",
            "json",
            "--baseline",
            "../.rampart-baseline.json",
            ".",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // The same rule in another container, resource or file is new.
    let second_container = shifted.replace(
        "      serviceAccountName: web\n",
        "        - name: b\n          image: a:1.0\n          resources: {limits: {cpu: 1, memory: 1Gi}}\n          securityContext: {privileged: true, allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, seccompProfile: {type: RuntimeDefault}, capabilities: {drop: [ALL]}}\n      serviceAccountName: web\n",
    );
    write(d, "k8s/web.yaml", &second_container);
    let (code, j) = scan_json(d, &["--baseline", ".rampart-baseline.json"]);
    assert_eq!(code, Some(1));
    let new: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        new,
        ["Deployment web container \"b\" runs privileged (`privileged: true`)"]
    );
    write(d, "k8s/web.yaml", &shifted);
    write(d, "k8s/copy.yaml", DEPLOY);
    let (code, j) = scan_json(d, &["--baseline", ".rampart-baseline.json"]);
    assert_eq!(code, Some(1));
    assert_eq!(j["findings"][0]["path"], "k8s/copy.yaml");

    // A missing or corrupt baseline is a clear error.
    let out = rampart_in(d)
        .args(["scan", "--baseline", "nope.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read baseline nope.json"),
        "{}",
        stderr(&out)
    );
    write(d, "bad.json", "{\"findings\": 3}");
    let out = rampart_in(d)
        .args(["scan", "--baseline", "bad.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not a rampart baseline"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fix_applies_safe_fixes_and_unsafe_on_request_atomically() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let unused = format!("# rampart:ignore[K8S-002] nothing here uses the host network\n{DEPLOY}");
    write(d, "web.yaml", &unused);
    std::fs::set_permissions(d.join("web.yaml"), std::fs::Permissions::from_mode(0o600)).unwrap();

    // --diff shows and writes nothing.
    let out = rampart_in(d)
        .args(["scan", "--diff", "--unsafe-fixes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = stdout(&out);
    assert!(
        diff.contains("--- a/web.yaml")
            && diff.contains("-            privileged: true")
            && diff.contains("+            privileged: false"),
        "{diff}"
    );
    assert_eq!(std::fs::read_to_string(d.join("web.yaml")).unwrap(), unused);

    // --fix alone: only the safe fix (removing the unused suppression).
    let out = rampart_in(d)
        .args(["scan", "--fix", "--format", "compact"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "privileged remains");
    assert_eq!(std::fs::read_to_string(d.join("web.yaml")).unwrap(), DEPLOY);
    assert!(
        stdout(&out).contains("K8S-001"),
        "the report shows what is left: {}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("RAMPART-004"));

    // --unsafe-fixes: hardening too; permissions kept; a second run changes nothing.
    let out = rampart_in(d)
        .args(["scan", "--fix", "--unsafe-fixes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let fixed = std::fs::read_to_string(d.join("web.yaml")).unwrap();
    assert_eq!(
        fixed,
        DEPLOY.replace("privileged: true", "privileged: false")
    );
    let mode = std::fs::metadata(d.join("web.yaml"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let out = rampart_in(d)
        .args(["scan", "--fix", "--unsafe-fixes"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("applied 0 fixes to 0 files"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(d.join("web.yaml")).unwrap(), fixed);
}

#[test]
fn fixing_every_fixture_twice_changes_nothing_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    common::copy_tree(&common::root().join("testdata"), &d.join("testdata"));
    common::copy_tree(&common::root().join("examples"), &d.join("examples"));
    let before = snapshot_tree(d);
    let out = rampart_in(d)
        .args(["scan", "--fix", "--unsafe-fixes", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{}",
        stderr(&out)
    );
    let after_first = snapshot_tree(d);
    assert_ne!(before, after_first, "the fixtures have fixable findings");
    // Every fixed file still parses: no parse error that was not there before.
    let j = json(&out);
    let parse_errors: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "RAMPART-001")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        parse_errors
            .iter()
            .all(|p| p.starts_with("testdata/RAMPART-001/positive")),
        "{parse_errors:?}"
    );
    let out = rampart_in(d)
        .args(["scan", "--fix", "--unsafe-fixes"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("applied 0 fixes to 0 files"),
        "{}",
        stderr(&out)
    );
    assert_eq!(after_first, snapshot_tree(d));
}

fn snapshot_tree(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                out.push((entry.path(), std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn several_formats_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "web.yaml", DEPLOY);
    let out = rampart_in(d)
        .args([
            "scan", "--format", "sarif", "--output", "r.sarif", "--format", "junit", "--output",
            "r.xml", "--format", "compact",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "web.yaml:13:25: critical K8S-001 privileged-container: Deployment web container \"a\" runs privileged (`privileged: true`)\n");
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("r.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let junit = std::fs::read_to_string(d.join("r.xml")).unwrap();
    assert!(
        junit.contains("<testcase classname=\"web.yaml\" name=\"K8S-001 privileged-container\">"),
        "{junit}"
    );
    assert!(junit.contains("failures=\"1\""), "{junit}");
    let out = rampart_in(d)
        .args(["scan", "--format", "json", "--format", "compact"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "two formats cannot share stdout"
    );
}

#[test]
fn ci_formats() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "dir, with: odd/web.yaml", DEPLOY);
    let out = rampart_in(d)
        .args(["scan", "--format", "github"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        "::error file=dir%2C with%3A odd/web.yaml,line=13,col=25,endLine=13,endColumn=29,title=K8S-001 privileged-container (critical)::Deployment web container \"a\" runs privileged (`privileged: true`)\n"
    );
    let out = rampart_in(d)
        .args(["scan", "--format", "gitlab"])
        .output()
        .unwrap();
    let issues: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let issue = &issues[0];
    assert_eq!(issue["check_name"], "K8S-001");
    assert_eq!(issue["severity"], "critical");
    assert_eq!(issue["location"]["path"], "dir, with: odd/web.yaml");
    assert_eq!(issue["location"]["lines"]["begin"], 13);
    assert!(issue["fingerprint"].as_str().unwrap().len() >= 16);
    // A clean JUnit run lists what was checked.
    write(
        d,
        "dir, with: odd/web.yaml",
        &DEPLOY.replace("privileged: true", "privileged: false"),
    );
    let out = rampart_in(d)
        .args(["scan", "--format", "junit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out)
            .contains("<testcase classname=\"dir, with: odd/web.yaml\" name=\"no findings\"/>"),
        "{}",
        stdout(&out)
    );
}

/// Is `program` on PATH?
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

#[test]
fn kustomize_overlays_are_rendered_and_report_what_they_add() {
    if !on_path("kubectl") && !on_path("kustomize") {
        eprintln!("skipped: neither kubectl nor kustomize is installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "base/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: registry.example.com/api:1.0.0\n",
    );
    write(
        d,
        "base/kustomization.yaml",
        "resources:\n  - deployment.yaml\n",
    );
    write(
        d,
        "overlays/prod/kustomization.yaml",
        "namespace: prod\nresources:\n  - ../../base\npatches:\n  - target: {kind: Deployment, name: api}\n    patch: |-\n      - op: add\n        path: /spec/template/spec/containers/0/securityContext\n        value: {privileged: true}\n",
    );
    let out = rampart_in(d)
        .args(["scan", "--format", "json", "."])
        .output()
        .unwrap();
    let j = json(&out);
    let rendered: Vec<(&str, &str, &str)> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rendered"]["path"] == "overlays/prod/[kustomize build]")
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["code"].as_str().unwrap(),
                f["provenance"].as_str().unwrap_or(""),
            )
        })
        .collect();
    // Only what the overlay adds; the base's own findings are reported on the base file, once.
    // The overlay's finding is placed at the inline patch that adds it.
    assert_eq!(
        rendered,
        [(
            "overlays/prod/kustomization.yaml",
            "K8S-001",
            "base/deployment.yaml"
        )],
        "{}",
        stdout(&out)
    );
    // The overlay alone: everything it builds is reported, nothing is written next to it.
    let out = rampart_in(d)
        .args([
            "scan",
            "--format",
            "json",
            "overlays/prod",
            "--fix",
            "--unsafe-fixes",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let names: Vec<String> = std::fs::read_dir(d.join("overlays/prod"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names, ["kustomization.yaml"]);
    // --no-render: no overlay output at all.
    let out = rampart_in(d)
        .args(["scan", "--format", "json", "--no-render", "."])
        .output()
        .unwrap();
    assert!(!stdout(&out).contains("[kustomize build]"));
}

#[test]
fn a_chart_without_helm_gets_one_note() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "chart/Chart.yaml",
        "apiVersion: v2\nname: shop\nversion: 1.0.0\n",
    );
    write(d, "chart/values.yaml", "image: nginx\n");
    write(
        d,
        "chart/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: {{ .Values.image }}\n",
    );
    write(
        d,
        "chart/templates/service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    let empty = tempfile::tempdir().unwrap();
    let out = rampart_in(d)
        .env("PATH", empty.path())
        .args(["scan", "-v", "."])
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        text.matches("not rendered: install `helm`").count(),
        1,
        "{text}"
    );
    // `-v` writes what it skipped to stderr, as its help says; stdout is the report.
    assert!(
        stderr(&out).contains("skipped chart/[helm template]"),
        "{text}"
    );
    assert!(!stdout(&out).contains("skipped "), "{text}");
    assert!(
        !text.contains("RAMPART-001"),
        "templates are not parsed as YAML: {text}"
    );
}

/// `git` in `dir`, quietly, failing the test on error.
fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

#[test]
fn tracked_files_are_scanned_whatever_gitignore_says() {
    for (init, index_version) in [
        (&["init", "-q"][..], "2"),
        (&["init", "-q"][..], "4"),
        (&["init", "-q", "--object-format=sha256"][..], "3"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        git(d, init);
        let privileged = DEPLOY;
        write(d, ".gitignore", "deploy/\n*.generated.yaml\n");
        write(d, "deploy/app.yaml", privileged);
        write(d, "deploy/untracked.yaml", privileged);
        write(d, "web.generated.yaml", privileged);
        write(d, "vendor-excluded/app.yaml", privileged);
        write(d, "sub/tracked.generated.yaml", privileged);
        write(d, "sub/untracked.generated.yaml", privileged);
        git(
            d,
            &[
                "add",
                "-f",
                ".gitignore",
                "deploy/app.yaml",
                "web.generated.yaml",
                "vendor-excluded/app.yaml",
                "sub/tracked.generated.yaml",
            ],
        );
        git(d, &["commit", "-q", "-m", "x"]);
        git(d, &["update-index", "--index-version", index_version]);
        let files = |args: &[&str]| -> Vec<String> {
            let out = rampart_in(d).args(args).output().unwrap();
            let mut files: Vec<String> = json(&out)["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["code"] == "K8S-001")
                .map(|f| f["path"].as_str().unwrap().to_string())
                .collect();
            files.sort();
            files
        };
        // Tracked files are scanned; the untracked one stays ignored; --exclude still works.
        assert_eq!(
            files(&[
                "scan",
                "--format",
                "json",
                "--exclude",
                "vendor-excluded",
                "."
            ]),
            [
                "deploy/app.yaml",
                "sub/tracked.generated.yaml",
                "web.generated.yaml"
            ],
            "{init:?} index v{index_version}"
        );
        // From a subdirectory of the work tree too.
        assert_eq!(
            files(&["scan", "--format", "json", "sub"]),
            ["sub/tracked.generated.yaml"],
            "{init:?} index v{index_version}"
        );
    }
}

#[test]
fn fix_says_what_unsafe_fixes_would_add_and_diff_goes_with_fix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Only K8S-001 fires, and its fix (privileged: false) is unsafe.
    write(d, "web.yaml", DEPLOY);
    let out = rampart_in(d).args(["scan", "--fix"]).output().unwrap();
    assert!(
        stderr(&out).contains(
            "applied 0 fixes to 0 files; 1 more fix with --unsafe-fixes (they change what gets deployed: preview them with --diff --unsafe-fixes)"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(d.join("web.yaml")).unwrap(), DEPLOY);
    // --fix --diff previews, writes nothing, and exits 1 when a fix would change a file.
    let out = rampart_in(d)
        .args(["scan", "--fix", "--diff", "--unsafe-fixes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("+            privileged: false"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("1 fix would change 1 file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(d.join("web.yaml")).unwrap(), DEPLOY);
}
