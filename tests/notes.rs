//! What a scan says once rather than per file: Terraform modules that are not available, and
//! which input diagnostics `--select` keeps.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::path::Path;
use std::process::Output;

use common::{rampart, validate_sarif};
use serde_json::Value;

/// A root module that was never `terraform init`ed: `calls` registry modules called from
/// `files` files each.
fn uninitialised(dir: &Path, modules: usize, files: usize) {
    for f in 0..files {
        let mut text = String::new();
        for m in 0..modules {
            text.push_str(&format!(
                "module \"m{m}_{f}\" {{\n  source  = \"example/mod{m}/aws\"\n  version = \"1.0.0\"\n}}\n"
            ));
        }
        std::fs::write(dir.join(format!("f{f}.tf")), text).unwrap();
    }
}

fn scan_in(dir: &Path, args: &[&str]) -> Output {
    rampart()
        .current_dir(dir)
        .args(["scan", "--no-progress"])
        .args(args)
        .arg(".")
        .output()
        .unwrap()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

fn codes(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn modules_not_available_are_one_note_that_does_not_fail_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    uninitialised(dir.path(), 1, 2);
    let note = "1 Terraform module not available locally, its resources not checked";
    let out = scan_in(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", json_of(&out));
    let json = json_of(&out);
    assert_eq!(codes(&json), Vec::<String>::new());
    let notes = json["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{json}");
    let text = notes[0].as_str().unwrap();
    assert!(text.starts_with(note), "{text}");
    assert!(
        text.ends_with("`example/mod0/aws` (f0.tf, f1.tf)"),
        "{text}"
    );

    for format in ["human", "summary"] {
        let out = scan_in(dir.path(), &["--format", format]);
        assert_eq!(out.status.code(), Some(0));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.matches(note).count(), 1, "{format}: {stdout}");
        assert!(
            !stdout.contains("is not available locally"),
            "{format}: {stdout}"
        );
    }
    for format in ["compact", "github", "gitlab", "junit"] {
        let out = scan_in(dir.path(), &["--format", format]);
        assert_eq!(out.status.code(), Some(0));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.matches(note).count(), 1, "{format}: {stderr}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("is not available locally"));
    }
    let sarif = validate_sarif(&String::from_utf8_lossy(
        &scan_in(dir.path(), &["--format", "sarif"]).stdout,
    ));
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    let notification = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "note");
    assert!(notification["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with(note));
}

#[test]
fn the_note_lists_a_few_modules_and_callers_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    uninitialised(dir.path(), 7, 5);
    let json = json_of(&scan_in(dir.path(), &["--format", "json"]));
    let text = json["notes"][0].as_str().unwrap();
    assert!(
        text.starts_with("7 Terraform modules not available locally, their resources"),
        "{text}"
    );
    assert!(
        text.ends_with(
            ": `example/mod0/aws` (f0.tf, f1.tf, f2.tf and 2 more), `example/mod1/aws` (f0.tf, f1.tf, f2.tf and 2 more), `example/mod2/aws` (f0.tf, f1.tf, f2.tf and 2 more), `example/mod3/aws` (f0.tf, f1.tf, f2.tf and 2 more), `example/mod4/aws` (f0.tf, f1.tf, f2.tf and 2 more) and 2 more"
        ),
        "{text}"
    );
}

#[test]
fn asking_for_the_rule_makes_each_call_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    uninitialised(dir.path(), 1, 2);
    for select in ["RAMPART-005", "module-not-found"] {
        let out = scan_in(dir.path(), &["--format", "json", "--select", select]);
        assert_eq!(out.status.code(), Some(1));
        let json = json_of(&out);
        assert_eq!(codes(&json), ["RAMPART-005", "RAMPART-005"], "{json}");
        assert!(json.get("notes").is_none(), "{json}");
    }
    // A severity of its own in the configuration asks for it too.
    std::fs::write(
        dir.path().join(".rampart.toml"),
        "[severity]\nmodule-not-found = \"high\"\n",
    )
    .unwrap();
    let json = json_of(&scan_in(dir.path(), &["--format", "json"]));
    assert_eq!(codes(&json), ["RAMPART-005", "RAMPART-005"], "{json}");
    assert_eq!(json["findings"][0]["severity"], "high");
    // Ignoring it silences the note as well.
    std::fs::write(
        dir.path().join(".rampart.toml"),
        "ignore = [\"RAMPART-005\"]\n",
    )
    .unwrap();
    let json = json_of(&scan_in(dir.path(), &["--format", "json"]));
    assert_eq!(codes(&json), Vec::<String>::new());
    assert!(json.get("notes").is_none(), "{json}");
    // A tag or a prefix is not asking for it by name.
    std::fs::remove_file(dir.path().join(".rampart.toml")).unwrap();
    let json = json_of(&scan_in(
        dir.path(),
        &["--format", "json", "--select", "terraform,RAMPART-"],
    ));
    assert_eq!(codes(&json), Vec::<String>::new());
    assert_eq!(json["notes"].as_array().unwrap().len(), 1, "{json}");
}

#[test]
fn select_keeps_diagnostics_of_unchecked_files_and_drops_unused_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.yaml"), "apiVersion: v1\nkind: [\n").unwrap();
    std::fs::write(
        dir.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    # rampart:ignore[K8S-001] node agent\n    - name: app\n      image: app:1.2.0\n",
    )
    .unwrap();
    let found = |select: &str| {
        let out = scan_in(dir.path(), &["--format", "json", "--select", select]);
        let mut c = codes(&json_of(&out));
        c.sort();
        (c, out.status.code())
    };
    // The file that does not parse went unchecked: a gate must say so whatever it selects.
    assert_eq!(found("K8S-001"), (vec!["RAMPART-001".to_string()], Some(1)));
    // An unused suppression is a rule like any other: reported when selected.
    assert_eq!(
        found("K8S-001,RAMPART-004"),
        (
            vec!["RAMPART-001".to_string(), "RAMPART-004".to_string()],
            Some(1)
        )
    );
    // Ignoring the parse error by name is the way to drop it.
    let out = scan_in(
        dir.path(),
        &[
            "--format",
            "json",
            "--select",
            "K8S-001",
            "--ignore",
            "parse-error",
        ],
    );
    assert_eq!(codes(&json_of(&out)), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_huge_module_source_is_shortened_in_the_note() {
    let dir = tempfile::tempdir().unwrap();
    let source = format!("example/\u{1b}[2J{}/aws", "x".repeat(100_000));
    std::fs::write(
        dir.path().join("main.tf"),
        format!("module \"m\" {{\n  source  = \"{source}\"\n  version = \"1.0.0\"\n}}\n"),
    )
    .unwrap();
    for format in ["json", "human"] {
        let out = scan_in(dir.path(), &["--format", format]);
        assert_eq!(out.status.code(), Some(0));
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(stdout.len() < 2_000, "{format}: {} bytes", stdout.len());
        assert!(stdout.contains("xxx…` (main.tf)"), "{stdout}");
        assert!(!stdout.contains('\u{1b}'));
    }
}
