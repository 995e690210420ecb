//! Hostile input: a generated adversarial set (alias bombs, 100,000-deep nesting in YAML, HCL
//! and JSON, a 200 MB file, binary files with manifest and Terraform names, invalid UTF-8, NUL
//! bytes, very long lines, symlink loops, unreadable files, files that vanish mid-scan, a
//! Dockerfile with 10,000 continuation lines). Each file gets a located diagnostic or a clean
//! scan, the scan finishes in bounded time and memory, and nothing panics.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const NESTING: usize = 100_000;

const BACKTRACK: &str = include_str!("hostile/hcl-backtrack.tf");

/// What a file of the set must give.
struct Expect {
    path: &'static str,
    /// The rule of the diagnostic, or `None` for a clean scan without input errors.
    code: Option<&'static str>,
    /// Part of its message.
    says: &'static str,
}

fn write(dir: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// Builds the adversarial set under `dir`; returns what each file must give.
fn build_hostile_set(dir: &Path) -> Vec<Expect> {
    let n = NESTING;
    let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n";
    // Billion laughs: nine levels of nine aliases each.
    let mut bomb = format!("{manifest}  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 1..10u8 {
        let (this, prev) = ((b'a' + i) as char, (b'a' + i - 1) as char);
        let refs = vec![format!("*{prev}"); 9].join(",");
        bomb.push_str(&format!("  {this}: &{this} [{refs}]\n"));
    }
    write(dir, "alias_bomb.yaml", bomb);
    write(
        dir,
        "deep_flow.yaml",
        format!("{manifest}  x: {}{}\n", "[".repeat(n), "]".repeat(n)),
    );
    let block: String = (0..3000)
        .map(|i| format!("{}a:\n", " ".repeat(i + 1)))
        .collect();
    write(dir, "deep_block.yaml", format!("{manifest}{block}"));
    write(
        dir,
        "deep.json",
        format!(
            "{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"j\"}},\"data\":{}1{}}}\n",
            "{\"a\":".repeat(n),
            "}".repeat(n)
        ),
    );
    write(
        dir,
        "tf_list/main.tf",
        format!("locals {{\n  x = {}{}\n}}\n", "[".repeat(n), "]".repeat(n)),
    );
    write(
        dir,
        "tf_blocks/main.tf",
        format!(
            "resource \"aws_s3_bucket\" \"b\" {{\n{}{}}}\n",
            "a {\n".repeat(n),
            "}\n".repeat(n)
        ),
    );
    write(
        dir,
        "tf_expr/main.tf",
        format!(
            "locals {{\n  x = {}1{}\n  y = {}1\n}}\n",
            "(".repeat(n),
            ")".repeat(n),
            "-".repeat(n)
        ),
    );
    // A malformed expression the HCL parser backtracks on exponentially (found by fuzzing).
    write(dir, "tf_backtrack/main.tf", BACKTRACK);
    let binary: Vec<u8> = (0..=255u8).cycle().take(64 << 10).collect();
    write(dir, "binary.yaml", &binary);
    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    elf.extend_from_slice(&binary);
    write(dir, "tf_bin/binary.tf", elf);
    write(
        dir,
        "invalid_utf8.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: caf\xe9\n",
    );
    write(
        dir,
        "nul/Dockerfile",
        b"FROM alpine:3.20\nRUN echo \x00 hi\n",
    );
    write(
        dir,
        "long_line.yaml",
        format!("{manifest}  x: \"{}\"\n", "a".repeat(5_000_000)),
    );
    write(
        dir,
        "tf_long/main.tf",
        format!("locals {{\n  x = \"{}\"\n}}\n", "a".repeat(5_000_000)),
    );
    write(
        dir,
        "continuations/Dockerfile",
        format!(
            "FROM alpine:3.20\nRUN apk add \\\n{}    last\n",
            "    pkg \\\n".repeat(10_000)
        ),
    );
    write(
        dir,
        "long_run/Dockerfile",
        format!("FROM alpine:3.20\nRUN echo {}\n", "x ".repeat(2_000_000)),
    );
    // 200 MB of valid YAML: refused by size before it is read.
    {
        use std::io::Write;
        let chunk = format!("- name: item\n  value: \"{}\"\n", "v".repeat(100)).repeat(10_000);
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("huge.yaml")).unwrap());
        let mut written = 0;
        while written < 200_000_000 {
            f.write_all(chunk.as_bytes()).unwrap();
            written += chunk.len();
        }
    }
    std::os::unix::fs::symlink("loop_b.yaml", dir.join("loop_a.yaml")).unwrap();
    std::os::unix::fs::symlink("loop_a.yaml", dir.join("loop_b.yaml")).unwrap();
    std::fs::create_dir_all(dir.join("dirloop")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("dirloop/up")).unwrap();
    // A file that opens but cannot be read, even by root.
    std::os::unix::fs::symlink("/proc/self/mem", dir.join("proc_mem.yaml")).unwrap();

    let e = |path, code, says| Expect { path, code, says };
    vec![
        e("alias_bomb.yaml", Some("RAMPART-001"), "alias"),
        e("deep_flow.yaml", Some("RAMPART-001"), "nesting"),
        e("deep_block.yaml", Some("RAMPART-001"), "nesting"),
        e("deep.json", Some("RAMPART-001"), "nesting"),
        e("tf_list/main.tf", Some("RAMPART-001"), "nesting"),
        e("tf_blocks/main.tf", Some("RAMPART-001"), "nesting"),
        e("tf_expr/main.tf", Some("RAMPART-001"), "nesting"),
        e(
            "tf_backtrack/main.tf",
            Some("RAMPART-001"),
            "did not finish",
        ),
        e("binary.yaml", Some("RAMPART-002"), "binary file"),
        e("tf_bin/binary.tf", Some("RAMPART-002"), "binary file"),
        e("invalid_utf8.yaml", Some("RAMPART-002"), "not valid UTF-8"),
        e("nul/Dockerfile", Some("RAMPART-002"), "NUL byte"),
        e("long_line.yaml", None, ""),
        e("tf_long/main.tf", None, ""),
        e("continuations/Dockerfile", Some("DOCKER-017"), "apk add"),
        e(
            "long_run/Dockerfile",
            Some("RAMPART-001"),
            "limit for shell analysis",
        ),
        e("huge.yaml", Some("RAMPART-002"), "over the"),
        e("loop_a.yaml", Some("RAMPART-002"), "symbolic links"),
        e("proc_mem.yaml", Some("RAMPART-002"), "error"),
    ]
}

/// Waits for `child`, killing it after `limit`; its output is drained meanwhile so a full pipe
/// never blocks it.
fn wait_bounded(mut child: Child, limit: Duration) -> std::process::Output {
    use std::io::Read;
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(kb) = peak_rss_kb(child.id()) {
            PEAK_RSS_KB.fetch_max(kb, std::sync::atomic::Ordering::Relaxed);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("rampart did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::process::Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// The largest resident set seen of a child [`wait_bounded`] waited for, in kB.
static PEAK_RSS_KB: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// A running process's peak resident set (`VmHWM`), in kB.
fn peak_rss_kb(pid: u32) -> Option<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The largest resident set of any child this process has waited for, in MB (sampled while it
/// ran: its high-water mark just before it exited).
fn children_peak_rss_mb() -> i64 {
    PEAK_RSS_KB.load(std::sync::atomic::Ordering::Relaxed) / 1024
}

#[test]
fn every_hostile_file_gets_a_located_diagnostic_and_the_scan_finishes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let expected = build_hostile_set(dir);
    // Symlinks are not followed while walking; named on the command line, they are opened.
    let child = Command::new(assert_cmd::cargo::cargo_bin("rampart"))
        .current_dir(dir)
        .args([
            "scan",
            "--no-render",
            "--format",
            "json",
            ".",
            "loop_a.yaml",
            "proc_mem.yaml",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_bounded(child, Duration::from_secs(120));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("internal error"),
        "{stderr}"
    );
    let rss = children_peak_rss_mb();
    assert!(rss < 1024, "peak RSS {rss} MB");
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let findings = report["findings"].as_array().unwrap();
    let files = report["files"].as_array().unwrap();
    assert!(
        !findings.iter().any(|f| f["code"] == "RAMPART-003"),
        "no internal errors"
    );
    // The directory loop is not followed: no file is seen twice through it.
    assert!(!files
        .iter()
        .any(|f| f["path"].as_str().unwrap().contains("dirloop/up")));
    for e in &expected {
        let here: Vec<&Value> = findings
            .iter()
            .filter(|f| f["path"].as_str().unwrap().trim_start_matches("./") == e.path)
            .collect();
        assert!(
            files
                .iter()
                .any(|f| f["path"].as_str().unwrap().trim_start_matches("./") == e.path),
            "{} is not in the report",
            e.path
        );
        match e.code {
            Some(code) => {
                let hit = here
                    .iter()
                    .find(|f| f["code"] == code)
                    .unwrap_or_else(|| panic!("{}: no {code} in {here:#?}", e.path));
                assert!(
                    hit["message"].as_str().unwrap().contains(e.says),
                    "{}: {}",
                    e.path,
                    hit["message"]
                );
                assert!(hit["location"]["start"]["line"].as_u64().unwrap() >= 1);
            }
            None => assert!(
                !here
                    .iter()
                    .any(|f| f["code"].as_str().unwrap().starts_with("RAMPART-")),
                "{}: {here:#?}",
                e.path
            ),
        }
    }
    // Invalid UTF-8 is located at its byte: line 4, after `  name: caf`.
    let bad = findings
        .iter()
        .find(|f| f["path"] == "invalid_utf8.yaml" || f["path"] == "./invalid_utf8.yaml")
        .unwrap();
    assert_eq!(bad["location"]["start"]["line"], 4);
    assert_eq!(bad["location"]["start"]["column"], 12);
}

/// Directories and files that cannot be read. Root reads through file modes, so as root the
/// scan runs as `nobody` (through `setpriv`).
#[test]
fn unreadable_files_and_directories_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    write(dir, "locked/pod.yaml", "apiVersion: v1\nkind: Pod\n");
    write(dir, "secret.yaml", "apiVersion: v1\nkind: Pod\n");
    write(
        dir,
        "ok.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n",
    );
    std::fs::set_permissions(
        dir.join("secret.yaml"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("rampart");
    let mut cmd = if std::fs::read(dir.join("secret.yaml")).is_ok() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    let out = cmd
        .current_dir(dir)
        .args(["scan", "--format", "json", "."])
        .output();
    std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = match out {
        Ok(out) => out,
        Err(e) => {
            eprintln!("skipped: running as root and `setpriv` cannot drop privileges: {e}");
            return;
        }
    };
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let messages: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "RAMPART-002")
        .map(|f| format!("{} {}", f["path"], f["message"]))
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("secret.yaml") && m.contains("permission denied")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("locked")),
        "{messages:?}"
    );
    // The readable file is still checked.
    assert!(report["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"] == "ok.yaml" && f["status"] == "scanned"));
}

/// Files deleted while the scan runs are reported as gone, or checked if they were read first;
/// the scan itself finishes.
#[test]
fn files_that_vanish_mid_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let count = 3000;
    for i in 0..count {
        write(
            &dir,
            &format!("d{}/pod{i}.yaml", i % 30),
            format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  containers:\n    - name: a\n      image: nginx:1.27\n"),
        );
    }
    let child = Command::new(assert_cmd::cargo::cargo_bin("rampart"))
        .args(["scan", "-j", "1", "--format", "json"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let remover = {
        let dir = dir.clone();
        std::thread::spawn(move || {
            for i in (0..count).rev() {
                let _ = std::fs::remove_file(dir.join(format!("d{}/pod{i}.yaml", i % 30)));
            }
        })
    };
    let out = wait_bounded(child, Duration::from_secs(120));
    remover.join().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = report["files"].as_array().unwrap();
    let gone = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "RAMPART-002")
        .inspect(|f| {
            assert!(
                f["message"]
                    .as_str()
                    .unwrap()
                    .contains("removed during the scan"),
                "{f}"
            )
        })
        .count();
    let failed = files.iter().filter(|f| f["status"] == "failed").count();
    assert_eq!(gone, failed, "every vanished file says so");
    eprintln!(
        "{} files discovered, {failed} vanished before they were read",
        files.len()
    );
}
