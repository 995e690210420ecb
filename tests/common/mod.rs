//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rampart::config::Config;
use rampart::engine::{self, ConfigSource, ScanOptions};
use rampart::fix::{apply_non_overlapping, Applicability, Fix};
use rampart::lint::FileResult;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real-world corpus beside the checkout, when it is there.
pub fn corpus() -> Option<PathBuf> {
    let dir = root().join("../shared/corpus/real");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: no corpus at {}", dir.display());
        None
    }
}

/// Scan paths (relative to the crate root, so reported paths are stable) with only `select`
/// enabled (input diagnostics are always on).
pub fn scan(paths: &[PathBuf], select: &[&str]) -> Vec<FileResult> {
    let options = ScanOptions {
        config: ConfigSource::Fixed(config(select)),
        jobs: 1,
        ..ScanOptions::default()
    };
    std::env::set_current_dir(root()).unwrap();
    engine::scan(paths, &options).unwrap().files
}

/// Lint a unit again after one of its files changed.
pub fn relint(result: &FileResult, new_text: &str, select: &[&str]) -> FileResult {
    rampart::fixer::relint(result, new_text, &config(select))
}

/// A configuration selecting `select`. When the first selector is a rule code with a
/// `testdata/<code>/rampart.toml` (settings such as `allowed-registries` that the rule's
/// fixtures need), that file is the base.
pub fn config(select: &[&str]) -> Config {
    let settings = select
        .first()
        .map(|code| root().join("testdata").join(code).join("rampart.toml"))
        .filter(|p| p.is_file());
    let mut config = match settings {
        Some(path) => Config::load(&path, &rampart::rules::metas()).unwrap(),
        None => Config::default(),
    };
    config.select = select.iter().map(|s| s.to_string()).collect();
    config
}

/// Apply fixes of at least `min` applicability in rounds until none is left; returns the text.
pub fn fix_until_stable(
    result: &FileResult,
    code: &str,
    min: Applicability,
    select: &[&str],
) -> String {
    let mut current = result.clone();
    let mut text = current.text().to_string();
    for _ in 0..8 {
        let fixes: Vec<&Fix> = current
            .findings
            .iter()
            .filter(|f| f.meta.code == code && f.file == current.index)
            .filter_map(|f| f.fixes.iter().find(|x| x.applicability >= min))
            .collect();
        if fixes.is_empty() {
            break;
        }
        let (new_text, applied) = apply_non_overlapping(&text, &fixes);
        if applied == 0 {
            break;
        }
        text = new_text;
        current = relint(&current, &text, select);
    }
    text
}

pub fn unified_diff(before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(2)
        .to_string()
}

pub fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

/// Copy a directory tree (regular files and directories; links are left out).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let ft = entry.file_type().unwrap();
        if ft.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if ft.is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
            // A scratch copy is the tests' own to change, whatever the source's permissions
            // (the shared corpus has no write bits; --fix refuses read-only files).
            let mut permissions = std::fs::metadata(&target).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            permissions.set_readonly(false);
            std::fs::set_permissions(&target, permissions).unwrap();
        }
    }
}

/// The `rampart` binary, run from the repository root without colour.
pub fn rampart() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("rampart").unwrap();
    cmd.current_dir(root()).env("NO_COLOR", "1");
    cmd
}

/// `rampart ARGS…` from the repository root.
pub fn run(args: &[&str]) -> std::process::Output {
    rampart().args(args).output().unwrap()
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// A test that drives a program rampart does not ship (`nvim`, `pre-commit`): when `present`
/// is false it is reported as ignored, with the reason, and counted in the summary — except
/// in CI (`CI` set), where `.ci/run` installs the program and its absence fails the test.
pub fn needs_program(name: &str, present: bool, program: &str, test: fn()) -> libtest_mimic::Trial {
    let in_ci = std::env::var_os("CI").is_some();
    let program = program.to_string();
    let trial = libtest_mimic::Trial::test(name, move || {
        if !present {
            return Err(format!("{program} is not installed, and CI must run this test").into());
        }
        test();
        Ok(())
    });
    trial.with_ignored_flag(!present && !in_ci)
}

/// Is `program --version` runnable?
pub fn installed(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A FIFO at `path`, which nobody ever opens the other end of.
#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o644),
        0,
    )
    .unwrap();
}

/// Every SARIF log the tests produce is checked against the 2.1.0 schema.
pub fn validate_sarif(text: &str) -> serde_json::Value {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("testdata/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let instance: serde_json::Value = serde_json::from_str(text).expect("SARIF is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not match the 2.1.0 schema: {errors:#?}"
    );
    instance
}
