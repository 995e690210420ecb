//! The real-world corpus (../shared/corpus/real, 6,500 files from public projects): nothing
//! fails inside rampart, every candidate file is accounted for, SARIF stays valid, and parse
//! errors appear only on files that really are not valid (reviewed list below). Skipped with a
//! message when the corpus is not beside the checkout.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rampart::engine::{self, ScanOptions};
use rampart::lint::FileStatus;
use rampart::source::FileKind;

/// Files of the corpus that do not parse, and why. Anything else failing to parse is a bug.
const KNOWN_INVALID: &[(&str, &str)] = &[
    ("GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/configuring-the-gateway/llm-gateway.yaml", "mis-indented mapping; PyYAML and kubectl reject it too"),
    ("GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/configuring-the-gateway/llm-httproute.yaml", "mis-indented mapping"),
    ("GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/preparing-the-model/hdml-static-pv-pvc.yaml", "mis-indented mapping"),
    ("GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/preparing-the-model/llm-service.yaml", "mis-indented sequence"),
    ("GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/preparing-the-model/producer-job.yaml", "mis-indented mapping"),
    ("GoogleCloudPlatform__kubernetes-engine-samples/ai-ml/gke-model-armor/preparing-the-model/vllm-gemma-deployment.yaml", "mis-indented mapping"),
    ("argoproj__argo-cd/reposerver/repository/testdata/invalid-manifests-skipped/bad.yaml", "deliberately invalid test input"),
    ("argoproj__argo-cd/reposerver/repository/testdata/invalid-manifests/bad.yaml", "deliberately invalid test input"),
    ("kubernetes__ingress-nginx/cmd/plugin/krew.yaml", "Go template outside a Helm chart"),
];

/// Candidate files found independently of the engine: every file with a name rampart reads,
/// outside hidden and vendored directories.
fn candidates(dir: &Path, out: &mut BTreeSet<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        let ft = entry.file_type().unwrap();
        if ft.is_dir() {
            if !name.starts_with('.') && name != "node_modules" {
                candidates(&path, out);
            }
        } else if ft.is_file() && !name.starts_with('.') && FileKind::from_path(&path).is_some() {
            out.insert(path);
        }
    }
}

/// `--fix --unsafe-fixes` on a copy of the corpus: every fixed file still parses, and a
/// second run changes nothing.
#[test]
fn fixing_the_corpus_is_stable() {
    let Some(dir) = common::corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("real");
    common::copy_tree(&dir, &copy);
    let run = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"))
            .current_dir(tmp.path())
            .args([
                "scan",
                "--fix",
                "--unsafe-fixes",
                "--format",
                "json",
                "real",
            ])
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0) | Some(1)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (String::from_utf8_lossy(&out.stderr).to_string(), json)
    };
    let (first, json) = run();
    assert!(
        !first.contains("applied 0 fixes"),
        "the corpus has fixable findings: {first}"
    );
    let parse_errors: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "RAMPART-001")
        .map(|f| {
            f["path"]
                .as_str()
                .unwrap()
                .trim_start_matches("real/")
                .to_string()
        })
        .filter(|p| !KNOWN_INVALID.iter().any(|(k, _)| k == p))
        .collect();
    assert!(
        parse_errors.is_empty(),
        "fixes broke files: {parse_errors:?}"
    );
    let (second, _) = run();
    assert!(
        second.contains("applied 0 fixes to 0 files"),
        "second run: {second}"
    );
}

#[test]
fn corpus_scan_accounts_for_every_file() {
    let Some(dir) = common::corpus() else { return };
    let result = engine::scan(std::slice::from_ref(&dir), &ScanOptions::default()).unwrap();

    let mut expected = BTreeSet::new();
    candidates(&dir, &mut expected);
    let seen: BTreeSet<PathBuf> = result.files.iter().map(|f| f.path.to_path_buf()).collect();
    let dropped: Vec<_> = expected.difference(&seen).collect();
    assert!(dropped.is_empty(), "files silently dropped: {dropped:?}");
    assert_eq!(result.discovered, result.files.len());

    let mut unexpected = Vec::new();
    let mut known_seen = BTreeSet::new();
    for f in &result.files {
        let rel = f
            .path
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .to_string();
        for finding in &f.findings {
            match finding.meta.code {
                "RAMPART-003" => panic!("internal error on {rel}: {}", finding.message),
                "RAMPART-002" => panic!("{rel} unreadable: {}", finding.message),
                "RAMPART-001" => {
                    if KNOWN_INVALID.iter().any(|(p, _)| *p == rel) {
                        known_seen.insert(rel.clone());
                    } else {
                        unexpected.push(format!("{rel}: {}", finding.message));
                    }
                }
                _ => {}
            }
        }
        if let FileStatus::Skipped(reason) = &f.status {
            assert!(!reason.is_empty());
        }
    }
    assert!(
        unexpected.is_empty(),
        "unexpected parse errors:\n{}",
        unexpected.join("\n")
    );
    assert_eq!(
        known_seen.len(),
        KNOWN_INVALID.len(),
        "a known-invalid file now parses: update the list"
    );

    let scanned = result
        .files
        .iter()
        .filter(|f| f.status == FileStatus::Scanned)
        .count();
    assert!(scanned > 6000, "only {scanned} files scanned");
    let findings: usize = result.files.iter().map(|f| f.findings.len()).sum();
    assert!(
        findings > 1000,
        "only {findings} findings on a corpus with known-bad manifests"
    );

    // Findings per rule: a change in what the rules find on real code shows up in review.
    let mut per_rule: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in result.files.iter().flat_map(|f| &f.findings) {
        *per_rule.entry(f.meta.code).or_default() += 1;
    }
    let table: String = per_rule
        .iter()
        .map(|(code, n)| format!("{code:<12} {n:>6}\n"))
        .collect();
    insta::assert_snapshot!("findings_per_rule", table);
}
