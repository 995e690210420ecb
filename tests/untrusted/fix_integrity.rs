//! `--fix` on files a repository may have arranged: links, read-only files, other owners, FIFOs.
//! The safe fix used throughout removes an unused suppression (the first line of `POD`).

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;

const POD: &str = "# rampart:ignore[K8S-002] nothing here uses the host network
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      image: a:1
";

/// `POD` with its safe fix applied.
fn fixed() -> &'static str {
    POD.split_once('\n').unwrap().1
}

fn fix_in(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(60))
        .args(["scan", "--format", "compact"])
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

/// A scratch directory with `tree/` (what is scanned) and `outside/` beside it.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("tree")).unwrap();
    std::fs::create_dir(dir.path().join("outside")).unwrap();
    dir
}

/// Every entry below `dir`: name, kind, inode, mode, owner, size, mtime and content.
fn state(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in walk(dir) {
        let m = std::fs::symlink_metadata(&entry).unwrap();
        let content = if m.file_type().is_file() {
            read(&entry)
        } else if m.file_type().is_symlink() {
            std::fs::read_link(&entry).unwrap().display().to_string()
        } else {
            String::new()
        };
        out.push(format!(
            "{} {:?} ino={} mode={:o} {}:{} len={} mtime={}.{} {content:?}",
            entry.strip_prefix(dir).unwrap().display(),
            m.file_type(),
            m.ino(),
            m.mode(),
            m.uid(),
            m.gid(),
            m.len(),
            m.mtime(),
            m.mtime_nsec()
        ));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut all = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if std::fs::symlink_metadata(&p).unwrap().is_dir() {
            all.extend(walk(&p));
        }
        all.push(p);
    }
    all
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

#[test]
fn a_symlink_inside_the_tree_has_its_target_fixed_and_stays_a_link() {
    let dir = scratch();
    let tree = dir.path().join("tree");
    std::fs::write(tree.join("target.yaml"), POD).unwrap();
    std::os::unix::fs::symlink("target.yaml", tree.join("link.yaml")).unwrap();
    let out = fix_in(dir.path(), &["--fix", "tree/link.yaml"]);
    assert!(
        stderr(&out).contains("applied 1 fix to 1 file"),
        "{}",
        stderr(&out)
    );
    let link = std::fs::symlink_metadata(tree.join("link.yaml")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is kept");
    assert_eq!(read(&tree.join("target.yaml")), fixed());
}

#[test]
fn a_symlink_out_of_the_tree_is_refused_and_its_target_untouched() {
    let dir = scratch();
    let secret = dir.path().join("outside/secret.yaml");
    std::fs::write(&secret, POD).unwrap();
    std::os::unix::fs::symlink("../outside/secret.yaml", dir.path().join("tree/link.yaml"))
        .unwrap();
    // Through a link to a directory too: the tree ends where the link leaves it.
    std::os::unix::fs::symlink("../outside", dir.path().join("tree/sub")).unwrap();
    let before = state(dir.path());
    for named in ["tree/link.yaml", "tree/sub/secret.yaml"] {
        let out = fix_in(dir.path(), &["--fix", named]);
        let err = stderr(&out);
        assert!(
            err.contains(&format!("rampart: {named}: resolves to "))
                && err.contains("outside the scanned tree; not written")
                && err.contains("applied 0 fixes to 0 files; 1 file refused"),
            "{err}"
        );
        assert_ne!(out.status.code(), Some(0), "a refusal is not a clean run");
        assert_eq!(state(dir.path()), before, "nothing was written");
    }
}

#[test]
fn a_hard_linked_file_is_refused_and_stays_one_inode() {
    let dir = scratch();
    let tree = dir.path().join("tree");
    std::fs::write(tree.join("a.yaml"), POD).unwrap();
    std::fs::hard_link(tree.join("a.yaml"), tree.join("b.yaml")).unwrap();
    let out = fix_in(dir.path(), &["--fix", "tree"]);
    let err = stderr(&out);
    for name in ["a.yaml", "b.yaml"] {
        assert!(
            err.contains(&format!(
                "rampart: tree/{name}: has 2 hard links and replacing it would split them; not written"
            )),
            "{err}"
        );
    }
    assert_ne!(out.status.code(), Some(0));
    let (a, b) = (
        std::fs::metadata(tree.join("a.yaml")).unwrap(),
        std::fs::metadata(tree.join("b.yaml")).unwrap(),
    );
    assert_eq!((a.ino(), a.nlink()), (b.ino(), 2), "still one inode");
    assert_eq!(read(&tree.join("a.yaml")), POD);
}

#[test]
fn a_read_only_file_is_refused_and_untouched() {
    let dir = scratch();
    let p = dir.path().join("tree/pod.yaml");
    std::fs::write(&p, POD).unwrap();
    // No write bit for anyone: refused even when running as root.
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = state(dir.path());
    let out = fix_in(dir.path(), &["--fix", "tree"]);
    assert!(
        stderr(&out).contains("rampart: tree/pod.yaml: is read-only; not written"),
        "{}",
        stderr(&out)
    );
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(state(dir.path()), before);
}

#[test]
fn the_mode_owner_and_group_are_kept() {
    let dir = scratch();
    let p = dir.path().join("tree/pod.yaml");
    std::fs::write(&p, POD).unwrap();
    if is_root() {
        std::os::unix::fs::chown(&p, Some(65534), Some(65534)).unwrap();
    }
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = std::fs::metadata(&p).unwrap();
    let out = fix_in(dir.path(), &["--fix", "tree"]);
    assert!(
        stderr(&out).contains("applied 1 fix to 1 file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&p), fixed());
    let after = std::fs::metadata(&p).unwrap();
    assert_eq!(after.mode() & 0o7777, 0o640);
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    let names: Vec<_> = std::fs::read_dir(dir.path().join("tree"))
        .unwrap()
        .collect();
    assert_eq!(names.len(), 1, "no temporary file left");
}

#[test]
fn a_fifo_named_on_the_command_line_neither_blocks_nor_is_written() {
    let dir = scratch();
    let p = dir.path().join("tree/pod.yaml");
    crate::common::mkfifo(&p);
    // Nobody ever opens the other end: a read or a write would block until the timeout.
    // It is reported as unreadable (RAMPART-002), which fails the run.
    let unreadable = |out: &std::process::Output| {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("not a regular file"), "{text}");
    };
    let out = fix_in(dir.path(), &["--fix", "tree/pod.yaml"]);
    unreadable(&out);
    assert!(std::fs::symlink_metadata(&p).unwrap().file_type().is_fifo());
    // A link to a FIFO, named as a manifest, is not followed into it either.
    std::os::unix::fs::symlink("pod.yaml", dir.path().join("tree/link.yaml")).unwrap();
    let out = fix_in(dir.path(), &["--fix", "tree/link.yaml", "tree"]);
    unreadable(&out);
    assert!(std::fs::symlink_metadata(&p).unwrap().file_type().is_fifo());
}

#[test]
fn diff_writes_nothing_at_all() {
    let dir = scratch();
    let tree = dir.path().join("tree");
    std::fs::write(tree.join("pod.yaml"), POD).unwrap();
    std::fs::write(tree.join("target.yaml"), POD).unwrap();
    std::os::unix::fs::symlink("target.yaml", tree.join("link.yaml")).unwrap();
    std::fs::write(dir.path().join("outside/secret.yaml"), POD).unwrap();
    std::os::unix::fs::symlink("../outside/secret.yaml", tree.join("out.yaml")).unwrap();
    let before = state(dir.path());
    let out = fix_in(
        dir.path(),
        &["--diff", "tree", "tree/link.yaml", "tree/out.yaml"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(diff.contains("--- a/tree/pod.yaml"), "{diff}");
    assert_eq!(state(dir.path()), before, "nothing was written");
}

#[test]
fn reports_and_baselines_are_not_written_through_a_link_out_of_the_repository() {
    let dir = scratch();
    let tree = dir.path().join("tree");
    std::fs::write(tree.join("pod.yaml"), POD).unwrap();
    let victim = dir.path().join("outside/victim");
    std::fs::write(&victim, "keep\n").unwrap();
    std::os::unix::fs::symlink("../outside/victim", tree.join(".rampart-baseline.json")).unwrap();
    std::os::unix::fs::symlink("../outside/victim", tree.join("report.sarif")).unwrap();
    std::os::unix::fs::symlink("../outside", tree.join("out")).unwrap();
    let run = |args: &[&str]| {
        Command::cargo_bin("rampart")
            .unwrap()
            .current_dir(&tree)
            .timeout(Duration::from_secs(60))
            .args(args)
            .output()
            .unwrap()
    };
    let part = run(&["scan", "--format", "sarif", "--output", "part.sarif"]);
    assert_eq!(part.status.code(), Some(1), "{}", stderr(&part));
    let before = state(dir.path());
    for (args, named) in [
        (&["baseline"][..], ".rampart-baseline.json"),
        (
            &["scan", "--format", "sarif", "--output", "report.sarif"],
            "report.sarif",
        ),
        (
            &["scan", "--format", "json", "--output", "out/new.json"],
            "out/new.json",
        ),
        (
            &["merge", "part.sarif", "-o", "report.sarif"],
            "report.sarif",
        ),
    ] {
        let out = run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(&format!(
                "writing {named}: leads through a symbolic link to "
            )) && err.contains("outside the directory holding the link; not written"),
            "{args:?}: {err}"
        );
        assert_eq!(state(dir.path()), before, "{args:?} wrote nothing");
    }
    // A report to a path the user names outside the working directory is written as named.
    let out = run(&["scan", "--format", "json", "--output", "/dev/null"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn a_file_the_user_cannot_write_is_refused_even_in_a_writable_directory() {
    use std::os::unix::process::CommandExt;
    if !is_root() {
        eprintln!("skipped: needs root to run rampart as another user");
        return;
    }
    let dir = scratch();
    let tree = dir.path().join("tree");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    // Anyone may create and rename files here, but pod.yaml is root's, 0644.
    std::fs::set_permissions(&tree, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::write(tree.join("pod.yaml"), POD).unwrap();
    let before = state(dir.path());
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("rampart"))
        .current_dir(dir.path())
        .uid(65534)
        .gid(65534)
        .args(["scan", "--format", "compact", "--fix", "tree"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("rampart: tree/pod.yaml: is not writable by this user; not written"),
        "{err}"
    );
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(state(dir.path()), before);
}

#[test]
fn a_file_named_twice_through_a_link_is_fixed_once_without_a_refusal() {
    let dir = scratch();
    let tree = dir.path().join("tree");
    std::fs::write(tree.join("target.yaml"), POD).unwrap();
    std::os::unix::fs::symlink("target.yaml", tree.join("link.yaml")).unwrap();
    let out = fix_in(dir.path(), &["--fix", "tree", "tree/link.yaml"]);
    let err = stderr(&out);
    assert!(
        err.contains("applied 1 fix to 1 file") && !err.contains("refused"),
        "{err}"
    );
    assert_eq!(read(&tree.join("target.yaml")), fixed());
    assert!(std::fs::symlink_metadata(tree.join("link.yaml"))
        .unwrap()
        .file_type()
        .is_symlink());
}
