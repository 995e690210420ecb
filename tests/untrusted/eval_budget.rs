//! Terraform evaluation within its budget: locals, templates and functions that multiply what
//! they build finish quickly with one located RAMPART-006 diagnostic, the rest of the module
//! is still checked, and `file()` never waits on a FIFO.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rampart::config::Config;
use rampart::engine::{self, ConfigSource, ScanOptions};
use rampart::lint::FileResult;
use rampart::source::{FileKind, SourceFile};

const BUDGET: &str = "RAMPART-006";
const PUBLIC_ACL: &str = "TF-AWS-001";

/// An ordinary finding beside the bomb.
const BUCKET: &str =
    "resource \"aws_s3_bucket\" \"site\" {\n  bucket = \"site\"\n  acl    = \"public-read\"\n}\n";

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

/// Scan `dir` with every default rule, failing when it takes longer than `limit` (the scan
/// runs on another thread, so a scan that never ends fails the test instead of hanging it).
fn scan_within(dir: &Path, limit: Duration) -> Vec<FileResult> {
    let (tx, rx) = mpsc::channel();
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        let options = ScanOptions {
            config: ConfigSource::Fixed(Config::default()),
            jobs: 1,
            ..ScanOptions::default()
        };
        let _ = tx.send(engine::scan(&[dir], &options).unwrap().files);
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("the scan did not finish within {limit:?}"))
}

/// (file name, code, located text) of every finding.
fn findings(results: &[FileResult]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for r in results {
        for f in &r.findings {
            let text = &r.unit[f.file].text;
            out.push((
                r.unit[f.file]
                    .path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                f.meta.code.to_string(),
                text[f.span.start..f.span.end].to_string(),
            ));
        }
    }
    out
}

/// The bomb gives one RAMPART-006 in `bomb.tf`, at text that `at` accepts, and the public
/// bucket of `main.tf` is still reported.
fn assert_stopped(results: &[FileResult], at: impl Fn(&str) -> bool) {
    let all = findings(results);
    let budget: Vec<_> = all.iter().filter(|f| f.1 == BUDGET).collect();
    assert_eq!(budget.len(), 1, "{all:?}");
    assert_eq!(budget[0].0, "bomb.tf", "{all:?}");
    assert!(at(&budget[0].2), "located at `{}`", budget[0].2);
    assert!(
        all.iter()
            .any(|f| f.0 == "main.tf" && f.1 == PUBLIC_ACL && f.2.contains("public-read")),
        "{all:?}"
    );
    let r = results
        .iter()
        .find(|r| r.path.ends_with("bomb.tf"))
        .unwrap();
    let f = r.findings.iter().find(|f| f.meta.code == BUDGET).unwrap();
    assert!(f.message.contains("MiB of values"), "{}", f.message);
}

fn module(name: &str, bomb: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix(name).tempdir().unwrap();
    write(dir.path(), "main.tf", BUCKET);
    write(dir.path(), "bomb.tf", bomb);
    dir
}

/// 1 KB of locals: each level a list of ten copies of the one before; twelve levels are
/// 10^12 elements.
fn list_bomb() -> String {
    let mut text = String::from("locals {\n  l0 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n");
    for i in 1..=12 {
        let refs = vec![format!("local.l{}", i - 1); 10].join(", ");
        text.push_str(&format!("  l{i} = [{refs}]\n"));
    }
    text.push_str("}\nresource \"null_resource\" \"x\" {\n  triggers = { v = local.l12 }\n}\n");
    text
}

#[test]
fn nested_lists_stop_at_the_budget() {
    let dir = module("lists", &list_bomb());
    let start = Instant::now();
    let results = scan_within(dir.path(), Duration::from_secs(60));
    assert_stopped(&results, |t| t.starts_with("local.l"));
    eprintln!("list bomb: {:?}", start.elapsed());
}

#[test]
fn doubled_strings_stop_at_the_budget() {
    // Eight levels of eight copies: 64 B * 8^8 = 1 GiB at the top.
    let mut text = format!("locals {{\n  s0 = \"{}\"\n", "x".repeat(64));
    for i in 1..=8 {
        let refs = format!("${{local.s{}}}", i - 1).repeat(8);
        text.push_str(&format!("  s{i} = \"{refs}\"\n"));
    }
    text.push_str("}\nresource \"null_resource\" \"x\" {\n  triggers = { v = local.s8 }\n}\n");
    let dir = module("strings", &text);
    let results = scan_within(dir.path(), Duration::from_secs(60));
    assert_stopped(&results, |t| t.contains("local.s"));
}

#[test]
fn functions_that_multiply_their_input_stop_at_the_budget() {
    // Each bomb, with what the diagnostic may point at: the function, or a copy it makes.
    let bombs: [(&str, &[&str]); 5] = [
        // A regular expression of 10,000 states matched over 512 KiB.
        (
            "locals {\n  a0 = \"aaaaaaaaaaaaaaaa\"\n  a1 = \"${local.a0}${local.a0}${local.a0}${local.a0}${local.a0}${local.a0}${local.a0}${local.a0}\"\n  a2 = \"${local.a1}${local.a1}${local.a1}${local.a1}${local.a1}${local.a1}${local.a1}${local.a1}\"\n  a3 = \"${local.a2}${local.a2}${local.a2}${local.a2}${local.a2}${local.a2}${local.a2}${local.a2}\"\n  a4 = \"${local.a3}${local.a3}${local.a3}${local.a3}${local.a3}${local.a3}${local.a3}${local.a3}\"\n  a5 = \"${local.a4}${local.a4}${local.a4}${local.a4}${local.a4}${local.a4}${local.a4}${local.a4}\"\n}\nresource \"null_resource\" \"x\" { triggers = { v = regex(\"(?:a{100}){95}b\", local.a5) } }\n",
            &["regex("],
        ),
        // Every character replaced by the whole text: 64^(2^n).
        (
            "locals {\n  s0 = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n  s1 = replace(local.s0, \"a\", local.s0)\n  s2 = replace(local.s1, \"a\", local.s1)\n  s3 = replace(local.s2, \"a\", local.s2)\n}\nresource \"null_resource\" \"x\" { triggers = { v = local.s3 } }\n",
            &["replace(local.s2", "local.s2"],
        ),
        // The same with a regular expression.
        (
            "locals {\n  s0 = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n  s1 = replace(local.s0, \"/a/\", local.s0)\n  s2 = replace(local.s1, \"/a/\", local.s1)\n  s3 = replace(local.s2, \"/a/\", local.s2)\n}\nresource \"null_resource\" \"x\" { triggers = { v = local.s3 } }\n",
            &["replace(local.s2", "local.s2"],
        ),
        // A long separator between many short parts, joined again.
        (
            "locals {\n  s0 = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n  s1 = join(local.s0, range(3000))\n  s2 = join(local.s1, range(3000))\n}\nresource \"null_resource\" \"x\" { triggers = { v = local.s2 } }\n",
            &["join(local.s1", "local.s1"],
        ),
        // Nested iterations: 10^8 pairs.
        (
            "resource \"null_resource\" \"x\" {\n  triggers = { v = [for i in range(10000) : [for j in range(10000) : [i, j]]] }\n}\n",
            &["[for", "range(10000)", "i", "j"],
        ),
    ];
    for (bomb, at) in bombs {
        let dir = module("functions", bomb);
        let results = scan_within(dir.path(), Duration::from_secs(60));
        let all = findings(&results);
        let budget: Vec<_> = all.iter().filter(|f| f.1 == BUDGET).collect();
        assert_eq!(budget.len(), 1, "{bomb}: {all:?}");
        assert_eq!(budget[0].0, "bomb.tf");
        assert!(
            at.iter().any(|w| budget[0].2.starts_with(w)),
            "{bomb}: at `{}`",
            budget[0].2
        );
        assert!(all.iter().any(|f| f.1 == PUBLIC_ACL), "{bomb}: {all:?}");
    }
}

#[test]
fn a_module_called_many_times_with_a_big_input_shares_one_budget() {
    let dir = tempfile::Builder::new().prefix("calls").tempdir().unwrap();
    // 2 MiB built once in the root, then passed to 100 calls that copy it twice each.
    let mut root = String::from(
        "locals {\n  s0 = \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n",
    );
    for i in 1..=5 {
        let refs = format!("${{local.s{}}}", i - 1).repeat(8);
        root.push_str(&format!("  s{i} = \"{refs}\"\n"));
    }
    root.push_str("}\n");
    for i in 0..100 {
        root.push_str(&format!(
            "module \"m{i}\" {{\n  source = \"./m\"\n  big    = local.s5\n}}\n"
        ));
    }
    write(dir.path(), "bomb.tf", &root);
    write(dir.path(), "main.tf", BUCKET);
    write(
        dir.path(),
        "m/main.tf",
        "variable \"big\" {}\nresource \"null_resource\" \"x\" {\n  triggers = { a = var.big, b = var.big }\n}\n",
    );
    let results = scan_within(dir.path(), Duration::from_secs(60));
    let all = findings(&results);
    let budget: Vec<_> = all.iter().filter(|f| f.1 == BUDGET).collect();
    assert_eq!(budget.len(), 1, "{all:?}");
    // Reported in the root module, at the call whose evaluation ran out.
    assert_eq!(budget[0].0, "bomb.tf", "{all:?}");
    assert!(
        budget[0].2.starts_with("module \"m") || budget[0].2.starts_with("local.s5"),
        "at `{}`",
        budget[0].2
    );
    assert!(all.iter().any(|f| f.1 == PUBLIC_ACL), "{all:?}");
}

#[test]
fn the_language_server_entry_point_stops_at_the_budget() {
    // The server lints an open buffer with its directory as a module unit.
    let dir = tempfile::Builder::new().prefix("lsp").tempdir().unwrap();
    let files = vec![
        SourceFile::new(dir.path().join("bomb.tf"), FileKind::Terraform, list_bomb()),
        SourceFile::new(dir.path().join("main.tf"), FileKind::Terraform, BUCKET),
    ];
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let unit = rampart::lint::Unit::module(files, &[true, true], &Config::default());
        let _ = tx.send(rampart::lint::lint(unit));
    });
    let results = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the lint did not finish");
    assert_stopped(&results, |t| t.starts_with("local.l"));
}

#[cfg(unix)]
#[test]
fn file_functions_do_not_wait_on_a_fifo() {
    let dir = tempfile::Builder::new().prefix("fifo").tempdir().unwrap();
    let fifo = dir.path().join("x");
    crate::common::mkfifo(&fifo);
    std::os::unix::fs::symlink("x", dir.path().join("link")).unwrap();
    write(dir.path(), "policy.json", "{\"Statement\": []}");
    write(
        dir.path(),
        "main.tf",
        &format!(
            "{BUCKET}resource \"aws_s3_bucket\" \"logs\" {{\n  bucket = \"logs\"\n  acl    = file(\"x\")\n  policy = templatefile(\"link\", {{}})\n  exists = fileexists(\"x\")\n  json   = file(\"policy.json\")\n}}\n"
        ),
    );
    let results = scan_within(dir.path(), Duration::from_secs(20));
    let all = findings(&results);
    assert!(all.iter().any(|f| f.1 == PUBLIC_ACL), "{all:?}");
    assert!(!all.iter().any(|f| f.1.starts_with("RAMPART")), "{all:?}");
}

#[test]
fn a_bomb_in_a_called_module_is_reported_at_the_call() {
    let dir = tempfile::Builder::new().prefix("called").tempdir().unwrap();
    write(
        dir.path(),
        "bomb.tf",
        "module \"inner\" {\n  source = \"./inner\"\n}\n",
    );
    write(dir.path(), "main.tf", BUCKET);
    write(dir.path(), "inner/main.tf", &list_bomb());
    let results = scan_within(dir.path(), Duration::from_secs(60));
    let all = findings(&results);
    // Once at the call, and once in the called module's own scan.
    let budget: Vec<_> = all.iter().filter(|f| f.1 == BUDGET).collect();
    assert_eq!(budget.len(), 2, "{all:?}");
    assert!(
        budget
            .iter()
            .any(|f| f.0 == "bomb.tf" && f.2.starts_with("module \"inner\"")),
        "{all:?}"
    );
    assert!(
        budget
            .iter()
            .any(|f| f.0 == "main.tf" && f.2.starts_with("local.l")),
        "{all:?}"
    );
    let r = results
        .iter()
        .find(|r| r.path.ends_with("bomb.tf"))
        .unwrap();
    let f = r.findings.iter().find(|f| f.meta.code == BUDGET).unwrap();
    assert!(
        f.message.starts_with("evaluating the module called here"),
        "{}",
        f.message
    );
    assert!(all.iter().any(|f| f.1 == PUBLIC_ACL), "{all:?}");
}
