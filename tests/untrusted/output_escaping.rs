//! File names and file content that try to drive the terminal or the CI log: ESC and BEL
//! sequences, a newline followed by a GitHub workflow command, bidi overrides. No raw control
//! character reaches stdout or stderr, and no line starts with `::` unless the GitHub format
//! writes the command itself.

use std::path::Path;
use std::process::{Command, Output};

/// ESC (a terminal title), BEL, a newline with a workflow command, a bidi override.
const HOSTILE: &str = "x\u{1b}]0;pwned\u{7}\n::error::x\u{202e}";

/// A character that must never reach the reader raw (the layout of a report aside).
fn unsafe_char(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn rampart(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// A directory whose file names and manifests carry [`HOSTILE`].
fn hostile_tree() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let pod = |name: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {}\nspec:\n  containers:\n    - name: app\n      image: nginx:1.25\n      securityContext:\n        privileged: true\n",
            serde_json::to_string(name).unwrap()
        )
    };
    // The name in the file name and in metadata.name.
    std::fs::write(dir.join(format!("pod-{HOSTILE}.yaml")), pod(HOSTILE)).unwrap();
    // A file name that is a workflow command by itself (after white space, which GitHub skips).
    std::fs::write(dir.join(" ::error::y.yaml"), pod("plain")).unwrap();
    // Raw control characters in source lines shown in code frames.
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM ubuntu:latest\u{1b}[2K\r\u{202e}\nUSER root\u{7}\n",
    )
    .unwrap();
    tmp
}

fn check_clean(what: &str, text: &str, github: bool) {
    if let Some(c) = text.chars().find(|c| unsafe_char(*c)) {
        panic!("{what}: raw {c:?} in output:\n{text}");
    }
    for line in text.lines() {
        if !line.trim_start().starts_with("::") {
            continue;
        }
        let own = github
            && ["::error file=", "::warning file=", "::notice file="]
                .iter()
                .any(|p| line.starts_with(p));
        assert!(own, "{what}: a line reads as a workflow command: {line:?}");
    }
}

#[test]
fn text_formats_escape_control_characters_from_names_and_content() {
    let tmp = hostile_tree();
    for format in ["human", "compact", "summary", "junit", "github"] {
        let out = rampart(tmp.path(), &["scan", "--format", format, "."]);
        assert_eq!(out.status.code(), Some(1), "{format}: {out:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        check_clean(format, &stdout, format == "github");
        check_clean(format, &String::from_utf8_lossy(&out.stderr), false);
        // Recognisable: the escapes name the characters.
        assert!(
            stdout.contains("x\\x1b]0;pwned\\x07\\x0a::error::x\\u{202e}"),
            "{format}:\n{stdout}"
        );
        if format == "human" {
            // Code frames show the escaped source lines, underlined where the finding is.
            assert!(
                stdout.contains("1 | FROM ubuntu:latest\\x1b[2K\\x0d\\u{202e}"),
                "{stdout}"
            );
            assert!(stdout.contains("2 | USER root\\x07"), "{stdout}");
        }
        if format == "compact" {
            assert!(stdout.contains("\n./ ::error::y.yaml:"), "{stdout}");
        }
    }
}

#[test]
fn junit_is_well_formed_xml_text() {
    let tmp = hostile_tree();
    let out = rampart(tmp.path(), &["scan", "--format", "junit", "."]);
    let xml = String::from_utf8(out.stdout).unwrap();
    // Only the characters XML 1.0 allows: tab, newline, carriage return, and no C0 else.
    assert!(
        !xml.chars()
            .any(|c| (c < ' ' && !"\t\n\r".contains(c)) || c == '\u{fffe}' || c == '\u{ffff}'),
        "{xml}"
    );
    assert!(xml.contains("classname=\"pod-x\\x1b]0;pwned\\x07\\x0a::error::x\\u{202e}.yaml\""));
}

#[test]
fn json_reports_keep_the_value_and_escape_it() {
    let tmp = hostile_tree();
    for format in ["json", "sarif", "gitlab"] {
        let out = rampart(tmp.path(), &["scan", "--format", format, "."]);
        let text = String::from_utf8(out.stdout).unwrap();
        check_clean(format, &text, false);
        // The value itself survives, for programs.
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(
            doc.to_string()
                .contains("\\u001b]0;pwned\\u0007\\n::error::x\u{202e}"),
            "{format}"
        );
    }
}

#[test]
fn errors_on_stderr_escape_the_names_they_quote() {
    let tmp = tempfile::tempdir().unwrap();
    let out = rampart(tmp.path(), &["explain", HOSTILE]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    check_clean("explain", &stderr, false);
    assert!(
        stderr.contains("x\\x1b]0;pwned\\x07\\x0a::error::x\\u{202e}"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let missing = format!("missing-{HOSTILE}.sarif");
    let out = rampart(tmp.path(), &["merge", &missing]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    check_clean("merge", &stderr, false);
    assert!(stderr.contains("missing-x\\x1b"), "{stderr}");
}

#[test]
fn diffs_escape_names_and_content() {
    let tmp = tempfile::tempdir().unwrap();
    // A bidi override in a comment, and a line that GitHub Actions would run as a command in
    // the diff's context.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: nginx:1.25\n      args:\n        - |\n          ::stop-commands::pwned\n      securityContext: # \u{202e}evil\u{202c}\n        privileged: true\n";
    std::fs::write(tmp.path().join(format!("pod-{HOSTILE}.yaml")), pod).unwrap();
    let out = rampart(tmp.path(), &["scan", "--diff", "--unsafe-fixes", "."]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    check_clean("diff", &stdout, false);
    assert!(
        stdout.contains("+++ b/pod-x\\x1b]0;pwned\\x07\\x0a::error::x\\u{202e}.yaml"),
        "{stdout}"
    );
    assert!(stdout.contains("# \\u{202e}evil\\u{202c}"), "{stdout}");
    assert!(stdout.contains("\\x3a:stop-commands::pwned"), "{stdout}");
}

#[test]
fn config_names_its_source_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(HOSTILE);
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join(".rampart.toml"), "fail-on = \"high\"\n").unwrap();
    let out = rampart(tmp.path(), &["config", HOSTILE]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    check_clean("config", &stdout, false);
    assert!(
        stdout.contains("x\\x1b]0;pwned\\x07\\x0a::error::x\\u{202e}/.rampart.toml"),
        "{stdout}"
    );
}
