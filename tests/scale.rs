//! Bulk audits: the summary report, `--shard K/N`, `rampart merge`, `--quiet` and the progress
//! bar.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::collections::BTreeSet;
use std::process::Output;

use common::{rampart, root, run, stdout};
use serde_json::Value;

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

#[test]
fn summary_report() {
    let out = run(&["scan", "--format", "summary", "examples/shop"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    // The time taken is the one line that changes from run to run.
    let time = text.lines().find(|l| l.starts_with("  time ")).unwrap();
    assert!(time.ends_with(" s"), "{time}");
    let stable: String = text
        .lines()
        .filter(|l| !l.starts_with("  time "))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!("summary_example", stable);
    // The counts agree with the JSON report of the same scan.
    let j = json(&run(&["scan", "--format", "json", "examples/shop"]));
    let s = &j["summary"];
    assert!(stable.contains(&format!(
        "  files      {} scanned, {} skipped, {} unparsable or unreadable ({} discovered)",
        s["files_scanned"], s["files_skipped"], s["files_failed"], s["files_discovered"]
    )));
    assert!(stable.contains(&format!("  findings   {} in 3 files", s["findings"])));
}

fn shard_json(k: usize, n: usize) -> Value {
    let shard = format!("{k}/{n}");
    let out = run(&[
        "scan",
        "--no-render",
        "--format",
        "json",
        "--shard",
        &shard,
        "testdata",
    ]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    json(&out)
}

fn file_paths(j: &Value) -> BTreeSet<String> {
    j["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn shards_split_the_files_without_overlap_and_merge_back_to_the_whole_scan() {
    let whole = json(&run(&[
        "scan",
        "--no-render",
        "--format",
        "json",
        "testdata",
    ]));
    let parts: Vec<Value> = (1..=3).map(|k| shard_json(k, 3)).collect();
    let sets: Vec<BTreeSet<String>> = parts.iter().map(file_paths).collect();
    for (i, a) in sets.iter().enumerate() {
        assert!(a.len() > 50, "shard {} has {} files", i + 1, a.len());
        for b in &sets[i + 1..] {
            assert!(a.is_disjoint(b));
        }
    }
    let union: BTreeSet<String> = sets.iter().flatten().cloned().collect();
    assert_eq!(union, file_paths(&whole));
    // A Terraform module is never split: every .tf file of a directory is in one shard.
    for set in &sets {
        for p in set.iter().filter(|p| p.ends_with(".tf")) {
            let dir = p.rsplit_once('/').unwrap().0;
            for other in sets.iter().filter(|s| *s != set) {
                assert!(
                    !other
                        .iter()
                        .any(|q| q.ends_with(".tf") && q.rsplit_once('/').unwrap().0 == dir),
                    "{dir} split across shards"
                );
            }
        }
    }
    // The same split every time.
    assert_eq!(file_paths(&shard_json(2, 3)), sets[1]);

    // `merge` of the three JSON parts is the whole scan.
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let path = dir.path().join(format!("part{}.json", i + 1));
        std::fs::write(&path, serde_json::to_string(p).unwrap()).unwrap();
        names.push(path.to_str().unwrap().to_string());
    }
    let mut args = vec!["merge".to_string()];
    args.extend(names.iter().cloned());
    // A part given twice counts once.
    args.push(names[0].clone());
    let merged = rampart().args(&args).output().unwrap();
    assert_eq!(merged.status.code(), Some(0), "{merged:?}");
    let merged = json(&merged);
    assert_eq!(merged["summary"], whole["summary"]);
    let sorted = |v: &Value| {
        let mut items: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.to_string())
            .collect();
        items.sort();
        items
    };
    assert_eq!(sorted(&merged["findings"]), sorted(&whole["findings"]));
    assert_eq!(sorted(&merged["files"]), sorted(&whole["files"]));
}

#[test]
fn sarif_parts_merge_into_one_valid_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut parts = Vec::new();
    for k in 1..=2 {
        let path = d.join(format!("part{k}.sarif"));
        let shard = format!("{k}/2");
        let out = run(&[
            "scan",
            "--no-render",
            "--shard",
            &shard,
            "--format",
            "sarif",
            "-o",
            path.to_str().unwrap(),
            "testdata",
        ]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
        parts.push(path.to_str().unwrap().to_string());
    }
    let whole = run(&["scan", "--no-render", "--format", "sarif", "testdata"]);
    let whole: Value = serde_json::from_slice(&whole.stdout).unwrap();
    let merged_path = d.join("merged.sarif");
    let out = run(&[
        "merge",
        &parts[0],
        &parts[1],
        "-o",
        merged_path.to_str().unwrap(),
        "--fail-on",
        "critical",
    ]);
    // testdata has critical findings: the gate fails.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = std::fs::read_to_string(&merged_path).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("testdata/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let merged: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&merged));
    let runs = merged["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    // The same results; `ruleIndex` is each log's own numbering (rules in the order they first
    // fire), checked below against the rules it points at.
    let results = |v: &Value| {
        let mut r: Vec<String> = v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                let mut x = x.clone();
                x.as_object_mut().unwrap().remove("ruleIndex");
                x.to_string()
            })
            .collect();
        r.sort();
        r
    };
    assert_eq!(results(&merged), results(&whole));
    // Every ruleIndex points at the rule it names.
    let rules = runs[0]["tool"]["driver"]["rules"].as_array().unwrap();
    for r in runs[0]["results"].as_array().unwrap() {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }

    // Mixed formats are refused.
    let j = d.join("part.json");
    std::fs::write(
        &j,
        stdout(&run(&["scan", "--format", "json", "examples/shop"])),
    )
    .unwrap();
    let out = run(&["merge", &parts[0], j.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("merge reports of one format"));
}

#[test]
fn bad_shards_are_refused() {
    for bad in ["0/3", "4/3", "1/0", "x", "1/2/3"] {
        let out = run(&["scan", "--shard", bad, "examples/shop"]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("K/N"),
            "{bad}"
        );
    }
}

#[test]
fn quiet_prints_only_the_findings() {
    let out = run(&["scan", "--quiet", "examples/shop"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("privileged-container"));
    assert!(!text.contains("Found "), "{text}");
    assert!(!text.contains("Top rules"), "{text}");
    assert!(out.stderr.is_empty());
}

/// The progress bar is drawn on a terminal only: through `script`, which gives the command a
/// pseudo-terminal, it shows; through a pipe, stderr stays empty.
#[test]
fn progress_bar_only_on_a_terminal() {
    let piped = run(&["scan", "--format", "json", "testdata"]);
    // Only the scan's notes (modules the fixtures call that are not downloaded), no bar.
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(
        !stderr.contains('\r') && stderr.lines().all(|l| l.starts_with("rampart: ")),
        "{stderr}"
    );
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no `script` to give rampart a terminal");
        return;
    }
    // What `rampart ARGS` shows on a terminal (stdout and stderr together).
    let on_terminal = |args: &str| {
        let cmd = format!(
            "{} {args} 2>&1",
            assert_cmd::cargo::cargo_bin("rampart").display()
        );
        let out = std::process::Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .current_dir(root())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = on_terminal("scan --format json -o /dev/null testdata");
    assert!(shown.contains(" files"), "{shown}");
    let hidden = on_terminal("scan --no-progress --format json -o /dev/null testdata");
    assert!(!hidden.contains(" files"), "{hidden}");
}

/// Files named one by one (as a pre-commit hook or `xargs` passes them) are split too.
#[test]
fn shards_split_files_named_on_the_command_line() {
    // The manifests; the Terraform module directories beside them are not files.
    let mut files: Vec<String> = std::fs::read_dir(root().join("testdata/K8S-001/positive"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            format!(
                "testdata/K8S-001/positive/{}",
                e.file_name().to_string_lossy()
            )
        })
        .collect();
    files.sort();
    let mut seen = Vec::new();
    for k in 1..=2 {
        let shard = format!("{k}/2");
        let mut args = vec!["scan", "--format", "json", "--shard", &shard];
        args.extend(files.iter().map(String::as_str));
        let part = file_paths(&json(&run(&args)));
        assert!(!part.is_empty() && part.len() < files.len(), "{part:?}");
        seen.extend(part);
    }
    seen.sort();
    assert_eq!(seen, files);
}
