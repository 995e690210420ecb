//! FIFOs, devices and links to them: reported as unreadable, never opened in a way that
//! blocks, and the scan goes on.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const PRIVILEGED: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: a, image: \"registry.example.com/a:1\", securityContext: {privileged: true}}]\n";

use crate::common::mkfifo;

/// (path, code) of the input diagnostics and K8S-001 findings, sorted, of a JSON scan of `args` in `dir`.
fn scan(dir: &Path, args: &[&str]) -> Vec<(String, String)> {
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(dir)
        .args(["scan", "--format", "json"])
        .args(args)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let j: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let mut found: Vec<(String, String)> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .filter(|(_, c)| c.starts_with("RAMPART") || c == "K8S-001")
        .collect();
    found.sort();
    found
}

#[test]
fn fifos_and_devices_are_reported_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    mkfifo(&d.join("pipe.yaml"));
    mkfifo(&d.join("Dockerfile"));
    mkfifo(&d.join("ignored-name.txt"));
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.tf")).unwrap();
    std::fs::write(d.join("ok.yaml"), PRIVILEGED).unwrap();
    // Walking a directory: FIFOs with names rampart reads are reported; links are not followed.
    assert_eq!(
        scan(d, &["."]),
        [
            ("Dockerfile".to_string(), "RAMPART-002".to_string()),
            ("ok.yaml".into(), "K8S-001".into()),
            ("pipe.yaml".into(), "RAMPART-002".into()),
        ]
    );
    // Named on the command line: the link to a device too.
    assert_eq!(
        scan(d, &["pipe.yaml", "zero.tf", "ok.yaml"]),
        [
            ("ok.yaml".to_string(), "K8S-001".to_string()),
            ("pipe.yaml".into(), "RAMPART-002".into()),
            ("zero.tf".into(), "RAMPART-002".into()),
        ]
    );
}
