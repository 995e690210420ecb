//! The library entry points: module evaluation across files, the pre-commit case, every
//! workload kind, byte-order marks, and panics turned into findings.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::path::{Path, PathBuf};

use rampart::config::Config;
use rampart::engine::{self, ScanOptions};
use rampart::rule::Finding;
use rampart::source::FileKind;

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.meta.code).collect()
}

#[test]
fn one_terraform_file_is_checked_with_its_whole_directory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("variables.tf"),
        "variable \"acl\" {\n  default = \"public-read\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        d.join("main.tf"),
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = var.acl\n}\n",
    )
    .unwrap();
    std::fs::write(
        d.join("other.tf"),
        "resource \"aws_s3_bucket\" \"c\" {\n  acl = \"public-read\"\n}\n",
    )
    .unwrap();
    let result = engine::scan(&[d.join("main.tf")], &ScanOptions::default()).unwrap();
    assert_eq!(result.files.len(), 1, "only the file given is reported");
    let file = &result.files[0];
    assert_eq!(file.path.file_name().unwrap(), "main.tf");
    // The public ACL, in main.tf only (other.tf's bucket is not reported).
    let public: Vec<_> = file
        .findings
        .iter()
        .filter(|f| f.meta.code == "TF-AWS-001")
        .collect();
    assert_eq!(public.len(), 1);
    assert!(file
        .findings
        .iter()
        .all(|f| file.unit_path(f.file).file_name().unwrap() == "main.tf"));
    // The value's origin is in variables.tf, a file that was read but not reported.
    let related = &public[0].related[0];
    assert_eq!(
        file.unit_path(related.file).file_name().unwrap(),
        "variables.tf"
    );
    let text = &file.unit[related.file].text;
    assert_eq!(
        &text[related.span.start..related.span.end],
        "\"public-read\""
    );
}

#[test]
fn every_workload_kind_yields_its_containers() {
    let kinds: &[(&str, &str, &str)] = &[
        ("v1", "Pod", "spec: {SPEC}"),
        ("apps/v1", "Deployment", "spec: {template: {spec: {SPEC}}}"),
        ("apps/v1", "StatefulSet", "spec: {template: {spec: {SPEC}}}"),
        ("apps/v1", "DaemonSet", "spec: {template: {spec: {SPEC}}}"),
        ("apps/v1", "ReplicaSet", "spec: {template: {spec: {SPEC}}}"),
        (
            "v1",
            "ReplicationController",
            "spec: {template: {spec: {SPEC}}}",
        ),
        ("batch/v1", "Job", "spec: {template: {spec: {SPEC}}}"),
        (
            "batch/v1",
            "CronJob",
            "spec: {jobTemplate: {spec: {template: {spec: {SPEC}}}}}",
        ),
        ("v1", "PodTemplate", "template: {spec: {SPEC}}"),
    ];
    let spec = "containers: [{name: c, image: 'a:1', securityContext: {privileged: true}}], initContainers: [{name: i, image: 'a:1', securityContext: {privileged: true}}], ephemeralContainers: [{name: e, image: 'a:1', securityContext: {privileged: true}}]";
    let mut text = String::new();
    for (api, kind, body) in kinds {
        text.push_str(&format!(
            "---\napiVersion: {api}\nkind: {kind}\nmetadata: {{name: w}}\n{}\n",
            body.replace("SPEC", spec)
        ));
    }
    let config = {
        let mut c = Config::default();
        c.select = vec!["K8S-001".into()];
        c
    };
    let result = rampart::lint::lint_one(rampart::lint::Unit::file(
        Path::new("all.yaml"),
        &text,
        FileKind::Kubernetes,
        &config,
    ));
    let messages: Vec<&str> = result.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages.len(), kinds.len() * 3, "{messages:#?}");
    for (_, kind, _) in kinds {
        for what in [
            "container \"c\"",
            "init container \"i\"",
            "ephemeral container \"e\"",
        ] {
            let want = format!("{kind} w {what} runs privileged");
            assert!(
                messages.iter().any(|m| m.starts_with(&want)),
                "missing: {want}"
            );
        }
    }
}

#[test]
fn byte_order_marks_keep_spans_exact() {
    let config = Config::default();
    let tf = "\u{feff}resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n";
    let r = rampart::lint::lint_one(rampart::lint::Unit::file(
        Path::new("main.tf"),
        tf,
        FileKind::Terraform,
        &config,
    ));
    let f = r
        .findings
        .iter()
        .find(|f| f.meta.code == "TF-AWS-001")
        .unwrap();
    assert_eq!(&tf[f.span.start..f.span.end], "\"public-read\"");
    let df = "\u{feff}FROM ubuntu:latest\n";
    let r = rampart::lint::lint_one(rampart::lint::Unit::file(
        Path::new("Dockerfile"),
        df,
        FileKind::Dockerfile,
        &config,
    ));
    let f = r
        .findings
        .iter()
        .find(|f| f.meta.code == "DOCKER-001")
        .unwrap();
    assert_eq!(&df[f.span.start..f.span.end], "latest");
    let y = "\u{feff}apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostIPC: true, containers: []}\n";
    let r = rampart::lint::lint_one(rampart::lint::Unit::file(
        Path::new("p.yaml"),
        y,
        FileKind::Kubernetes,
        &config,
    ));
    let f = r
        .findings
        .iter()
        .find(|f| f.meta.code == "K8S-004")
        .unwrap();
    assert_eq!(&y[f.span.start..f.span.end], "true");
}

#[test]
fn files_given_twice_are_linted_once() {
    let p = PathBuf::from("testdata/K8S-002/positive/daemonset.yaml");
    std::env::set_current_dir(common::root()).unwrap();
    let result = engine::scan(&[p.clone(), p], &ScanOptions::default()).unwrap();
    assert_eq!(result.files.len(), 1);
}

#[test]
fn network_policy_coverage_looks_at_the_whole_scan_and_only_at_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let workload = |name: &str| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n        - {{name: c, image: 'a:1'}}\n")
    };
    std::fs::write(d.join("api.yaml"), workload("api")).unwrap();
    std::fs::write(d.join("worker.yaml"), workload("worker")).unwrap();
    std::fs::write(
        d.join("policy.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels: {app: api}\n",
    )
    .unwrap();
    let options = ScanOptions {
        config: engine::ConfigSource::Fixed({
            let mut c = Config::default();
            c.select = vec!["network-policy-coverage".into()];
            c
        }),
        ..ScanOptions::default()
    };
    let flagged = |paths: &[PathBuf]| -> Vec<String> {
        let result = engine::scan(paths, &options).unwrap();
        result
            .files
            .iter()
            .filter(|f| f.findings.iter().any(|x| x.meta.code == "K8S-040"))
            .map(|f| f.path.file_name().unwrap().to_string_lossy().to_string())
            .collect()
    };
    // The whole directory: the policy in another file covers api, not worker.
    assert_eq!(flagged(&[d.to_path_buf()]), ["worker.yaml"]);
    // The workload alone: the scan knows no policy for the namespace, so no judgement.
    assert!(flagged(&[d.join("worker.yaml")]).is_empty());
    // Configuration says the set is complete: a namespace without policies is uncovered.
    let complete = ScanOptions {
        config: engine::ConfigSource::Fixed({
            let mut c = Config::default();
            c.select = vec!["network-policy-coverage".into()];
            c.network_policies_complete = true;
            c
        }),
        ..ScanOptions::default()
    };
    let result = engine::scan(&[d.join("worker.yaml")], &complete).unwrap();
    assert_eq!(codes(&result.files[0].findings), ["K8S-040"]);
}
