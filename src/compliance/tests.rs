//! Framework files, the control mapping and the statuses, on real lints.

use std::path::Path;

use super::*;
use crate::config::Config;
use crate::lint::{lint_one, Unit};
use crate::source::FileKind;

fn lint_pod(text: &str) -> Vec<FileResult> {
    vec![lint_one(Unit::file(
        Path::new("pod.yaml"),
        text,
        FileKind::Kubernetes,
        &Config::default(),
    ))]
}

#[test]
fn every_framework_file_parses_with_unique_control_ids() {
    let all = frameworks().unwrap();
    assert!(all.len() >= 4);
    for f in &all {
        let mut ids: Vec<(&str, &str)> = f
            .controls
            .iter()
            .map(|c| (c.prefix.as_str(), c.id.as_str()))
            .collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "{}: a control ID is listed twice", f.id);
        assert!(f.url.starts_with("https://"), "{}", f.id);
    }
}

#[test]
fn restricted_includes_the_baseline_controls() {
    let baseline = find("pss-baseline").unwrap();
    let restricted = find("pss-restricted").unwrap();
    assert_eq!(restricted.controls.len(), baseline.controls.len() + 6);
    assert!(restricted.controls.iter().any(|c| c.id == "HostProcess"));
}

#[test]
fn a_control_is_named_by_its_prefix_and_id_only() {
    let c = find("cis-kubernetes")
        .unwrap()
        .controls
        .into_iter()
        .find(|c| c.id == "5.1.1")
        .unwrap();
    assert!(c.named_by("CIS Kubernetes 5.1.1"));
    assert!(c.named_by("CIS Kubernetes 5.1.1 (cluster-admin)"));
    assert!(!c.named_by("CIS Kubernetes 5.1.10"));
    assert!(!c.named_by("CIS Kubernetes 5.1"));
    assert!(!c.named_by("CIS Docker Benchmark 5.1.1"));
    let non_root = find("pss-restricted")
        .unwrap()
        .controls
        .into_iter()
        .find(|c| c.id == "Running as Non-root")
        .unwrap();
    assert!(non_root.named_by("PSS Restricted: Running as Non-root"));
    assert!(!non_root.named_by("PSS Restricted: Running as Non-root user"));
}

/// A rule's compliance entry that starts like a framework's but names none of its controls
/// is a broken mapping: the control would look unchecked.
#[test]
fn every_compliance_entry_of_a_known_framework_names_a_control() {
    assert_eq!(dangling_entries().unwrap(), Vec::<(&str, &str)>::new());
}

#[test]
fn unknown_framework_suggests_the_nearest() {
    let e = find("pss-restricte").unwrap_err();
    assert!(e.contains("did you mean `pss-restricted`"), "{e}");
}

#[test]
fn statuses_follow_the_findings() {
    let framework = find("pss-baseline").unwrap();
    let ran = rules_of(&framework);
    let privileged = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: a:1\n      securityContext: {privileged: true}\n";
    let r = evaluate(&framework, &lint_pod(privileged), &ran);
    let status = |id: &str| r.controls.iter().find(|c| c.id == id).unwrap().status;
    assert_eq!(status("Privileged Containers"), Status::Fail);
    assert_eq!(status("HostPath Volumes"), Status::Pass);
    let failed = r
        .controls
        .iter()
        .find(|c| c.id == "Privileged Containers")
        .unwrap();
    assert_eq!(failed.findings[0].line, 8);
    assert_eq!(r.totals.controls, framework.controls.len());
    assert!(r.totals.fail >= 1 && r.totals.pass >= 1);

    // Suppressed with a reason: an accepted exception, not a pass.
    let suppressed = privileged.replace(
        "metadata: {name: p}",
        "metadata:\n  name: p\n  annotations: {rampart.dev/ignore: \"K8S-001: the node agent needs it\"}",
    );
    let r = evaluate(&framework, &lint_pod(&suppressed), &ran);
    let c = r
        .controls
        .iter()
        .find(|c| c.id == "Privileged Containers")
        .unwrap();
    assert_eq!(c.status, Status::Exception, "{c:?}");
    assert_eq!(
        c.exceptions[0].accepted.as_ref().unwrap().reason,
        "the node agent needs it"
    );

    // Nothing of its kind in the scan: not applicable, and no score.
    let r = evaluate(&framework, &[], &ran);
    assert!(r
        .controls
        .iter()
        .all(|c| matches!(c.status, Status::NotApplicable | Status::Manual)));
    assert_eq!(r.totals.score, None);

    // A rule turned off: its control is not decided by this scan.
    let r = evaluate(&framework, &lint_pod(privileged), &[]);
    let c = r
        .controls
        .iter()
        .find(|c| c.id == "Privileged Containers")
        .unwrap();
    assert_eq!(c.status, Status::NotApplicable);
    assert!(c.reason.as_deref().unwrap().contains("turned off"));
}

#[test]
fn a_control_without_a_rule_is_manual_with_its_reason() {
    let framework = find("cis-docker").unwrap();
    let r = evaluate(&framework, &[], &rules_of(&framework));
    let c = r.controls.iter().find(|c| c.id == "4.4").unwrap();
    assert_eq!(c.status, Status::Manual);
    assert!(c.reason.as_deref().unwrap().contains("vulnerability scan"));
}
