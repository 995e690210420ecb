//! Links to rule pages: they lead to pages that exist, and a fork can point them at its own.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::path::Path;
use std::process::Output;

use common::{rampart, root, validate_sarif};
use serde_json::Value;

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: app:1.2.0\n      securityContext:\n        privileged: true\n";

#[test]
fn every_rule_links_to_its_page_in_the_repository() {
    let repository = env!("CARGO_PKG_REPOSITORY");
    let prefix = format!("{repository}/blob/main/");
    for meta in rampart::rules::metas() {
        let uri = meta.help_uri();
        let path = uri
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{}: {uri} is not under {prefix}", meta.code));
        assert!(
            root().join(path).is_file(),
            "{}: {uri} names {path}, which is not in the repository",
            meta.code
        );
    }
    // The repository named in Cargo.toml is the one the editor extension names.
    let package: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("editors/vscode/package.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(package["repository"]["url"], repository);
}

fn scan_in(dir: &Path, args: &[&str]) -> Output {
    rampart()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["scan", "--no-progress"])
        .args(args)
        .arg("pod.yaml")
        .output()
        .unwrap()
}

/// The links of a scan: SARIF's `helpUri` of K8S-001, the JSON finding's `help_uri`, and the
/// human frame's help line.
fn links(dir: &Path, args: &[&str]) -> (String, String, String) {
    let with = |format: &str| {
        let mut all = vec!["--format", format];
        all.extend_from_slice(args);
        scan_in(dir, &all)
    };
    let sarif = validate_sarif(&String::from_utf8_lossy(&with("sarif").stdout));
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let k1 = rules.iter().find(|r| r["id"] == "K8S-001").unwrap();
    let json: Value = serde_json::from_slice(&with("json").stdout).unwrap();
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "K8S-001")
        .unwrap();
    let human = String::from_utf8(with("human").stdout).unwrap();
    let help = human
        .lines()
        .find(|l| l.contains("rampart explain K8S-001"))
        .unwrap()
        .trim()
        .to_string();
    (
        k1["helpUri"].as_str().unwrap().to_string(),
        finding["help_uri"].as_str().unwrap().to_string(),
        help,
    )
}

#[test]
fn rule_pages_are_the_projects_unless_the_configuration_or_the_flag_says_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pod.yaml"), POD).unwrap();
    let own = "https://github.com/rampart-lint/rampart/blob/main/docs/rules/K8S-001.md";
    assert_eq!(
        links(dir.path(), &[]),
        (
            own.to_string(),
            own.to_string(),
            "= help: rampart explain K8S-001".to_string()
        )
    );

    std::fs::write(
        dir.path().join(".rampart.toml"),
        "docs-url = \"https://security.example.com/rampart/{name}.html\"\n",
    )
    .unwrap();
    let page = "https://security.example.com/rampart/privileged-container.html";
    assert_eq!(
        links(dir.path(), &[]),
        (
            page.to_string(),
            page.to_string(),
            format!("= help: rampart explain K8S-001, or {page}")
        )
    );

    let flag = ["--docs-url", "http://mirror.example/{code}/{name}"];
    let page = "http://mirror.example/K8S-001/privileged-container";
    assert_eq!(
        links(dir.path(), &flag),
        (
            page.to_string(),
            page.to_string(),
            format!("= help: rampart explain K8S-001, or {page}")
        )
    );
}

#[test]
fn a_docs_url_that_is_not_a_web_page_template_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pod.yaml"), POD).unwrap();
    for bad in [
        "file:///etc/passwd?{code}",
        "https://x.example/\u{1b}]8;;evil\u{7}{code}",
        "https://x.example/rules",
    ] {
        let out = scan_in(dir.path(), &["--docs-url", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("docs URL"), "{stderr}");
        assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    }
    std::fs::write(
        dir.path().join(".rampart.toml"),
        "docs-url = \"javascript:alert({code})\"\n",
    )
    .unwrap();
    let out = scan_in(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(".rampart.toml:1:") && stderr.contains("not an http:// or https:// URL"),
        "{stderr}"
    );
}
