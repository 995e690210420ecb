use super::*;
use std::os::unix::fs::FileTypeExt;

/// A directory with one file holding `text`, the tree that contains it, and the file.
fn one_file(text: &str) -> (tempfile::TempDir, Tree, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("Dockerfile");
    std::fs::write(&p, text).unwrap();
    let tree = Tree::of_paths(&[dir.path().to_path_buf()]);
    (dir, tree, p)
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn atomic_write_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, tree, p) = one_file("FROM a\n");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    write_fixed(&p, "FROM a\n", "FROM b\n", &tree).unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "FROM b\n");
    let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert_eq!(
        names_in(dir.path()),
        ["Dockerfile"],
        "no temporary file left"
    );
}

#[test]
fn an_edit_made_after_the_file_was_read_is_kept() {
    let (dir, tree, p) = one_file("FROM a\n");
    // The scan read "FROM a\n"; the user saves an edit before the fix is written.
    std::fs::write(&p, "FROM a AS mine\n").unwrap();
    let err = write_fixed(&p, "FROM a\n", "FROM b\n", &tree).unwrap_err();
    assert!(matches!(err, WriteRefused::Changed), "{err}");
    assert_eq!(
        err.to_string(),
        "changed while it was being fixed; not written"
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "FROM a AS mine\n");
    assert_eq!(names_in(dir.path()), ["Dockerfile"]);
}

#[test]
fn an_edit_made_while_the_fix_is_written_is_kept() {
    // Same length and, on a coarse clock, the same mtime: only the content tells.
    for edit in ["FROM c\n", "FROM a\nUSER app\n"] {
        let (dir, tree, p) = one_file("FROM a\n");
        let pending = Pending::open(&p, "FROM a\n", &tree).unwrap();
        std::fs::write(&p, edit).unwrap();
        let err = pending.replace("FROM b\n").unwrap_err();
        assert!(matches!(err, WriteRefused::Changed), "{err}");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), edit);
        assert_eq!(
            names_in(dir.path()),
            ["Dockerfile"],
            "temporary file removed"
        );
    }
}

#[test]
fn a_file_replaced_while_the_fix_is_written_is_kept() {
    let (dir, tree, p) = one_file("FROM a\n");
    let pending = Pending::open(&p, "FROM a\n", &tree).unwrap();
    // An editor that saves by renaming a new file over the old one, with the same text.
    let other = dir.path().join("saved");
    std::fs::write(&other, "FROM a\n").unwrap();
    std::fs::rename(&other, &p).unwrap();
    let err = pending.replace("FROM b\n").unwrap_err();
    assert!(matches!(err, WriteRefused::Changed), "{err}");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "FROM a\n");
    assert_eq!(names_in(dir.path()), ["Dockerfile"]);
}

#[test]
fn a_file_that_vanished_is_not_recreated() {
    let (dir, tree, p) = one_file("FROM a\n");
    let pending = Pending::open(&p, "FROM a\n", &tree).unwrap();
    std::fs::remove_file(&p).unwrap();
    let err = pending.replace("FROM b\n").unwrap_err();
    assert!(matches!(err, WriteRefused::Vanished), "{err}");
    assert!(
        names_in(dir.path()).is_empty(),
        "{:?}",
        names_in(dir.path())
    );
    let err = write_fixed(&p, "FROM a\n", "FROM b\n", &tree).unwrap_err();
    assert!(matches!(err, WriteRefused::Vanished), "{err}");
    assert!(!p.exists());
}

#[test]
fn a_link_made_while_the_fix_is_written_is_not_split() {
    let (dir, tree, p) = one_file("FROM a\n");
    let pending = Pending::open(&p, "FROM a\n", &tree).unwrap();
    std::fs::hard_link(&p, dir.path().join("other")).unwrap();
    let err = pending.replace("FROM b\n").unwrap_err();
    assert!(matches!(err, WriteRefused::HardLinks(2)), "{err}");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "FROM a\n");
    assert_eq!(names_in(dir.path()), ["Dockerfile", "other"]);
}

#[test]
fn a_symlink_swapped_in_while_the_fix_is_written_is_refused() {
    let (dir, tree, p) = one_file("FROM a\n");
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("victim");
    std::fs::write(&target, "FROM a\n").unwrap();
    let pending = Pending::open(&p, "FROM a\n", &tree).unwrap();
    std::fs::remove_file(&p).unwrap();
    std::os::unix::fs::symlink(&target, &p).unwrap();
    let err = pending.replace("FROM b\n").unwrap_err();
    assert!(matches!(err, WriteRefused::NotRegular), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "FROM a\n");
    assert!(std::fs::symlink_metadata(&p)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(names_in(dir.path()), ["Dockerfile"]);
}

#[test]
fn a_fifo_is_neither_opened_for_waiting_nor_written() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("Dockerfile");
    rustix::fs::mknodat(
        rustix::fs::CWD,
        &p,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o644),
        0,
    )
    .unwrap();
    let tree = Tree::of_paths(&[dir.path().to_path_buf()]);
    let err = write_fixed(&p, "", "FROM b\n", &tree).unwrap_err();
    assert!(matches!(err, WriteRefused::NotRegular), "{err}");
    assert!(std::fs::symlink_metadata(&p).unwrap().file_type().is_fifo());
    assert_eq!(names_in(dir.path()), ["Dockerfile"]);
}

#[test]
fn a_fix_that_breaks_the_file_is_refused() {
    use crate::fix::Edit;
    use crate::source::Span;
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n  containers: []\n";
    let config = Config::default();
    let mut r = lint::lint_one(Unit::file(
        Path::new("p.yaml"),
        text,
        FileKind::Kubernetes,
        &config,
    ));
    let at = text.find("true").unwrap();
    r.findings[0].fixes = vec![Fix::new(
        "break it",
        Applicability::Safe,
        vec![Edit::replace(Span::new(at, at + 4), "[unclosed")],
    )];
    let out = fix_file(&r, Applicability::Safe, &config).unwrap();
    assert!(out.refused.as_deref().unwrap().contains("would not parse"));
    assert!(!out.changed());
    assert_eq!(out.fixed, text);
}

#[test]
fn fixes_run_in_rounds_and_stop() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n  hostIPC: true\n  containers:\n    - name: a\n      image: a:1\n      securityContext: {privileged: true}\n";
    let config = Config {
        select: vec!["K8S-001".into(), "K8S-003".into(), "K8S-004".into()],
        ..Config::default()
    };
    let r = lint::lint_one(Unit::file(
        Path::new("p.yaml"),
        text,
        FileKind::Kubernetes,
        &config,
    ));
    let out = fix_file(&r, Applicability::Unsafe, &config).unwrap();
    assert_eq!(out.applied, 3);
    assert!(out.fixed.contains("hostPID: false") && out.fixed.contains("privileged: false"));
    let again = lint::lint_one(Unit::file(
        Path::new("p.yaml"),
        &out.fixed,
        FileKind::Kubernetes,
        &config,
    ));
    assert!(fix_file(&again, Applicability::Unsafe, &config).is_none());
    // Safe-only: these are all unsafe.
    assert!(fix_file(&r, Applicability::Safe, &config).is_none());
}
