//! The pre-commit hook through the real `pre-commit` (from PyPI) and `git`: a commit that
//! adds a bad manifest is refused with the finding shown, a clean one passes, and only staged
//! files are linted. Reported as ignored when `pre-commit` or `git` is not installed (a failure in
//! CI, where .ci/run installs them).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn run(dir: &Path, cmd: &str, args: &[&str], path_env: &str, home: &Path) -> Output {
    Command::new(cmd)
        .current_dir(dir)
        .args(args)
        .env("PATH", path_env)
        .env("PRE_COMMIT_HOME", home)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const BAD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: a:1.0\n      resources: {limits: {cpu: 1, memory: 1Gi}}\n      securityContext: {privileged: true, allowPrivilegeEscalation: false, runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}\n  serviceAccountName: app\n  automountServiceAccountToken: false\n";

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let trials = vec![common::needs_program(
        "precommit_refuses_a_bad_commit_and_passes_a_clean_one",
        common::installed("pre-commit") && common::installed("git"),
        "pre-commit or git",
        precommit_refuses_a_bad_commit_and_passes_a_clean_one,
    )];
    libtest_mimic::run(&args, trials).exit();
}

fn precommit_refuses_a_bad_commit_and_passes_a_clean_one() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("pre-commit-home");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_rampart"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path_env = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    // A hook repository holding this project's .pre-commit-hooks.yaml.
    let hooks = tmp.path().join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::copy(
        common::root().join(".pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    for args in [
        &["init", "-q"][..],
        &["add", "."],
        &["commit", "-q", "-m", "hooks"],
    ] {
        let o = run(&hooks, "git", args, &path_env, &home);
        assert!(o.status.success(), "{}", text(&o));
    }
    let rev =
        String::from_utf8(run(&hooks, "git", &["rev-parse", "HEAD"], &path_env, &home).stdout)
            .unwrap();

    // The project that uses the hook.
    let project = tmp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: rampart-system\n",
            hooks.display(),
            rev.trim()
        ),
    )
    .unwrap();
    for args in [
        &["init", "-q"][..],
        &["add", ".pre-commit-config.yaml"],
        &["commit", "-q", "-m", "config", "--no-verify"],
    ] {
        let o = run(&project, "git", args, &path_env, &home);
        assert!(o.status.success(), "{}", text(&o));
    }
    let o = run(&project, "pre-commit", &["install"], &path_env, &home);
    assert!(o.status.success(), "{}", text(&o));

    // A bad manifest is refused, with the finding shown.
    std::fs::create_dir_all(project.join("k8s")).unwrap();
    std::fs::write(project.join("k8s/pod.yaml"), BAD).unwrap();
    run(&project, "git", &["add", "k8s/pod.yaml"], &path_env, &home);
    let o = run(
        &project,
        "git",
        &["commit", "-m", "add pod"],
        &path_env,
        &home,
    );
    assert!(
        !o.status.success(),
        "the commit must be refused: {}",
        text(&o)
    );
    let out = text(&o);
    assert!(
        out.contains("K8S-001") && out.contains("k8s/pod.yaml"),
        "{out}"
    );

    // Fixed: the commit passes, even with a bad file that is not staged.
    std::fs::write(
        project.join("k8s/pod.yaml"),
        BAD.replace("privileged: true", "privileged: false"),
    )
    .unwrap();
    std::fs::write(project.join("unstaged.yaml"), BAD).unwrap();
    run(&project, "git", &["add", "k8s/pod.yaml"], &path_env, &home);
    let o = run(
        &project,
        "git",
        &["commit", "-m", "add pod"],
        &path_env,
        &home,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("rampart (installed)"), "{}", text(&o));
}
