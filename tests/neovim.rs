//! The language server through a real client: headless Neovim (Debian's package) opens a
//! manifest with a privileged container and non-ASCII text before the finding on its line,
//! checks the diagnostic's exact range and code, asks for code actions, applies the fix and
//! sees the diagnostic go. Reported as ignored when `nvim` is not installed (a failure in CI,
//! where .ci/run installs it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: café\nspec:\n  containers:\n    - {name: \"naïve-😀\", image: \"a:1.0\", resources: {limits: {cpu: 1, memory: 1Gi}}, securityContext: {privileged: true, allowPrivilegeEscalation: false, runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}}\n  serviceAccountName: app\n  automountServiceAccountToken: false\n";

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let trials = vec![common::needs_program(
        "neovim_shows_the_diagnostic_and_applies_the_fix",
        common::installed("nvim"),
        "nvim",
        neovim_shows_the_diagnostic_and_applies_the_fix,
    )];
    libtest_mimic::run(&args, trials).exit();
}

fn neovim_shows_the_diagnostic_and_applies_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pod.yaml");
    std::fs::write(&file, POD).unwrap();
    let result_file = dir.path().join("result.json");
    let mut child = Command::new("nvim")
        .args([
            "--headless",
            "--noplugin",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "-n",
            "-c",
        ])
        .arg(format!(
            "luafile {}",
            common::root().join("tests/nvim/e2e.lua").display()
        ))
        .env("RAMPART_BIN", env!("CARGO_BIN_EXE_rampart"))
        .env("TARGET_FILE", &file)
        .env("RESULT_FILE", &result_file)
        .env("HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("nvim did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let result: Value =
        serde_json::from_str(&std::fs::read_to_string(&result_file).expect("nvim wrote a result"))
            .unwrap();
    assert!(result["error"].is_null(), "{result:#}");
    assert_eq!(
        result["steps"],
        serde_json::json!(["diagnostic", "applied", "cleared"])
    );

    // The exact range, in UTF-16 (what Neovim 0.7 negotiates): line 6, after é, ï and 😀.
    let line = POD.lines().nth(6).unwrap();
    let byte_col = line.find("true,").unwrap();
    let utf16_col = line[..byte_col].encode_utf16().count();
    let d = &result["diagnostic"];
    assert_eq!(d["code"], "K8S-001");
    assert_eq!(d["source"], "rampart");
    assert_eq!(
        d["range"]["start"],
        serde_json::json!({"line": 6, "character": utf16_col})
    );
    assert_eq!(
        d["range"]["end"],
        serde_json::json!({"line": 6, "character": utf16_col + 4})
    );
    // Neovim placed it on the same bytes.
    assert_eq!(result["shown"]["lnum"], 6);
    assert_eq!(result["shown"]["col"], byte_col);

    let actions: Vec<&str> = result["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"Set `privileged: false` (unsafe fix)"),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"Suppress K8S-001 privileged-container here"),
        "{actions:?}"
    );
    assert_eq!(
        result["text"].as_str().unwrap(),
        POD.trim_end()
            .replace("privileged: true", "privileged: false")
    );
}
