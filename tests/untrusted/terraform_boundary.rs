//! Terraform module calls read only the scanned repository: a `source` path, a link or a
//! `.terraform/modules/modules.json` entry that leads elsewhere on the machine is reported (in
//! the scan's note, or as RAMPART-005 when asked for) and not read, unless the user allows the
//! directory with `--allow-read`.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// A module that opens SSH to what its caller passes (so the caller is where it is reported).
const OPEN_SSH: &str = "variable \"cidr\" {}\n\nresource \"aws_security_group\" \"ssh\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [var.cidr]\n  }\n}\n";

fn write(dir: &Path, rel: &str, content: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn scan(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["scan", "--format", "json"])
        .args(args)
        .output()
        .unwrap()
}

/// (path, line, code, message) of every finding.
fn findings(out: &Output) -> Vec<(String, u64, String, String)> {
    let j: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["location"]["start"]["line"].as_u64().unwrap(),
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn modules_outside_the_repository_are_reported_not_read() {
    let host = tempfile::tempdir().unwrap();
    let outside = host.path().join("elsewhere");
    write(&outside, "main.tf", OPEN_SSH);
    let repo = host.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::os::unix::fs::symlink(&outside, repo.join("linked")).unwrap();
    write(
        &repo,
        "main.tf",
        "module \"up\" {\n  source = \"../elsewhere\"\n  cidr   = \"0.0.0.0/0\"\n}\n\nmodule \"link\" {\n  source = \"./linked\"\n  cidr   = \"0.0.0.0/0\"\n}\n\nmodule \"registry\" {\n  source  = \"org/thing/aws\"\n  version = \"1.0.0\"\n  cidr    = \"0.0.0.0/0\"\n}\n",
    );
    write(
        &repo,
        ".terraform/modules/modules.json",
        &format!(
            "{{\"Modules\":[{{\"Key\":\"\",\"Source\":\"\",\"Dir\":\".\"}},{{\"Key\":\"registry\",\"Source\":\"org/thing/aws\",\"Dir\":\"{}\"}}]}}",
            outside.display()
        ),
    );
    // By default, one note lists them (by source, with the calling file).
    let out = scan(&repo, &["."]);
    assert_eq!(findings(&out), []);
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        j["notes"],
        serde_json::json!([
            "3 Terraform modules outside the scanned repository not read, their resources not checked (allow them with `--allow-read DIR`): `../elsewhere` (main.tf), `./linked` (main.tf), `org/thing/aws` (main.tf)"
        ])
    );
    // Asked for, each call is a finding that says where the module is.
    let out = scan(&repo, &["--select", "default,RAMPART-005", "."]);
    let found = findings(&out);
    let real = std::fs::canonicalize(&outside).unwrap();
    let lines: Vec<(u64, &str)> = found
        .iter()
        .map(|(_, line, code, _)| (*line, code.as_str()))
        .collect();
    assert_eq!(
        lines,
        [(2, "RAMPART-005"), (7, "RAMPART-005"), (12, "RAMPART-005")],
        "{found:?}"
    );
    for (path, _, _, message) in &found {
        assert_eq!(path, "main.tf");
        assert!(
            message.contains(&format!(
                "is in {}, outside the scanned repository",
                real.display()
            )),
            "{message}"
        );
    }

    // Allowed on the command line: the module is read and its finding reported at each call.
    let out = scan(&repo, &["--allow-read", outside.to_str().unwrap(), "."]);
    let found = findings(&out);
    let codes: Vec<(u64, &str)> = found
        .iter()
        .map(|(_, line, code, _)| (*line, code.as_str()))
        .collect();
    assert_eq!(
        codes,
        [(3, "TF-AWS-002"), (8, "TF-AWS-002"), (14, "TF-AWS-002")],
        "{found:?}"
    );
}

#[test]
fn a_scanned_subdirectory_reads_modules_of_its_repository() {
    let host = tempfile::tempdir().unwrap();
    let repo = host.path();
    write(repo, "modules/sg/main.tf", OPEN_SSH);
    write(
        repo,
        "envs/prod/main.tf",
        "module \"sg\" {\n  source = \"../../modules/sg\"\n  cidr   = \"0.0.0.0/0\"\n}\n",
    );
    // Outside git, the scanned directory is the boundary.
    let out = scan(
        &repo.join("envs/prod"),
        &["--select", "default,RAMPART-005", "."],
    );
    let found = findings(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].2, "RAMPART-005");
    assert!(found[0].3.contains("outside the scanned repository"));
    // In a git work tree, the whole repository is.
    std::fs::create_dir(repo.join(".git")).unwrap();
    let out = scan(&repo.join("envs/prod"), &["."]);
    let found = findings(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].2, "TF-AWS-002", "{found:?}");
}

/// A link to a `.tf` file outside the repository inside a module directory is not read.
#[test]
fn module_files_linked_from_outside_are_left_out() {
    let host = tempfile::tempdir().unwrap();
    write(host.path(), "elsewhere/open.tf", OPEN_SSH);
    let repo = host.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write(
        &repo,
        "modules/sg/outputs.tf",
        "output \"x\" {\n  value = 1\n}\n",
    );
    std::os::unix::fs::symlink(
        host.path().join("elsewhere/open.tf"),
        repo.join("modules/sg/open.tf"),
    )
    .unwrap();
    write(
        &repo,
        "main.tf",
        "module \"sg\" {\n  source = \"./modules/sg\"\n  cidr   = \"0.0.0.0/0\"\n}\n",
    );
    let out = scan(&repo, &["main.tf"]);
    let found = findings(&out);
    assert!(found.is_empty(), "{found:?}");
}
