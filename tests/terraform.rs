//! Terraform evaluated as Terraform would: variables and tfvars, `--var-file`/`--var`,
//! `count`/`for_each`, `dynamic` blocks, `file()`/`templatefile()`, module calls (local and
//! downloaded) with findings at the call site, and pre-commit scans of single files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use assert_cmd::Command;
use common::root;
use serde_json::Value;

/// The rules the evaluation fixtures are written for; others (encryption, deletion
/// protection…) also fire on them and are tested by their own fixtures.
const ABOUT: &[&str] = &[
    "TF-AWS-001",
    "TF-AWS-002",
    "TF-AWS-003",
    "TF-AWS-005",
    "RAMPART-005",
];

/// (path, line, code, message, related) of the findings of `rampart scan <args> --format
/// json` by the rules in [`ABOUT`], with the default rules and `RAMPART-005` asked for (each
/// module call that is not available a finding, not the scan's one note).
fn findings(args: &[&str]) -> Vec<(String, u64, String, String, Vec<String>)> {
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(root())
        .args(["scan", "--no-render", "--format", "json"])
        .args(["--select", "default,RAMPART-005"])
        .args(args)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| ABOUT.contains(&f["code"].as_str().unwrap()))
        .map(|f| {
            let related = f["related"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    format!(
                        "{}:{}: {}",
                        r["path"].as_str().unwrap(),
                        r["location"]["start"]["line"],
                        r["message"].as_str().unwrap()
                    )
                })
                .collect();
            (
                f["path"].as_str().unwrap().to_string(),
                f["location"]["start"]["line"].as_u64().unwrap(),
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
                related,
            )
        })
        .collect()
}

fn summary(args: &[&str]) -> Vec<String> {
    findings(args)
        .into_iter()
        .map(|(p, l, c, m, _)| format!("{p}:{l} {c} {m}"))
        .collect()
}

/// `path:line code message | related | …` for each finding; without the message when
/// `message` is false.
fn located(args: &[&str], message: bool) -> Vec<String> {
    findings(args)
        .into_iter()
        .map(|(p, l, c, m, r)| {
            let m = if message {
                format!(" {m}")
            } else {
                String::new()
            };
            format!("{p}:{l} {c}{m} | {}", r.join(" | "))
        })
        .collect()
}

const T: &str = "testdata/terraform";

#[test]
fn tfvars_override_variable_defaults() {
    let all = findings(&[&format!("{T}/tfvars")]);
    assert_eq!(all.len(), 1, "{all:?}");
    let (path, line, code, message, related) = &all[0];
    assert_eq!(
        (path.as_str(), *line, code.as_str()),
        ("testdata/terraform/tfvars/main.tf", 7, "TF-AWS-001")
    );
    assert!(message.contains("`public-read`"), "{message}");
    assert_eq!(
        related,
        &["testdata/terraform/tfvars/terraform.tfvars:1: the value is set here"]
    );
}

#[test]
fn json_variable_files_are_read_in_terraforms_order() {
    // terraform.tfvars, terraform.tfvars.json, then *.auto.tfvars(.json) by name.
    assert_eq!(
        located(&[&format!("{T}/tfvars-json")], false),
        [
            "testdata/terraform/tfvars-json/main.tf:12 TF-AWS-001 | testdata/terraform/tfvars-json/terraform.tfvars.json:2: the value is set here",
            "testdata/terraform/tfvars-json/main.tf:18 TF-AWS-003 | testdata/terraform/tfvars-json/z.auto.tfvars.json:3: publicly_accessible is set here",
        ]
    );
}

/// `rampart scan --format compact` of a directory made of `files` (name, text).
fn compact_scan_of(files: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .args(["scan", "--format", "compact"])
        .arg(dir.path())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_broken_json_variable_file_is_a_located_parse_error() {
    let stdout = compact_scan_of(&[
        (
            "main.tf",
            "variable \"acl\" {\n  default = \"private\"\n}\n",
        ),
        (
            "terraform.tfvars.json",
            "{\n  \"acl\": \"public-read\",\n}\n",
        ),
    ]);
    assert!(
        stdout.contains("terraform.tfvars.json:3:1: medium RAMPART-001"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Terraform does not parse: JSON variables file: trailing comma\n"),
        "{stdout}"
    );
}

#[test]
fn var_file_and_var_on_the_command_line() {
    let dir = format!("{T}/cli-vars");
    assert!(summary(&[&dir]).is_empty(), "the default is private");
    let file = format!("{dir}/prod.tfvars");
    let with_file = findings(&[&dir, "--var-file", &file]);
    assert_eq!(with_file.len(), 1, "{with_file:?}");
    assert_eq!(with_file[0].2, "TF-AWS-003");
    assert_eq!(
        with_file[0].4,
        ["testdata/terraform/cli-vars/prod.tfvars:1: publicly_accessible is set here"]
    );
    // Later ones win, whichever kind, as with `terraform plan`.
    assert!(summary(&[&dir, "--var-file", &file, "--var", "public=false"]).is_empty());
    assert_eq!(
        summary(&[&dir, "--var", "public=false", "--var-file", &file]).len(),
        1
    );
    let json = format!("{dir}/prod.tfvars.json");
    let with_json = findings(&[&dir, "--var", "public=false", "--var-file", &json]);
    assert_eq!(
        with_json[0].4,
        ["testdata/terraform/cli-vars/prod.tfvars.json:1: publicly_accessible is set here"]
    );
    let with_var = summary(&[&dir, "--var", "public=true"]);
    assert_eq!(
        with_var,
        ["testdata/terraform/cli-vars/main.tf:9 TF-AWS-003 aws_db_instance.app is reachable from outside its VPC (`publicly_accessible = true`)"]
    );
}

#[test]
fn count_and_for_each_instances_are_each_checked_and_reported_once() {
    let got = summary(&[&format!("{T}/instances")]);
    assert_eq!(
        got,
        [
            "testdata/terraform/instances/main.tf:11 TF-AWS-001 aws_s3_bucket.each is public: ACL `public-read`",
            "testdata/terraform/instances/main.tf:17 TF-AWS-001 aws_s3_bucket.counted is public: ACL `public-read`",
        ],
        "three counted buckets share one finding; `count = 0` creates nothing"
    );
}

#[test]
fn dynamic_blocks_are_expanded() {
    let got = findings(&[&format!("{T}/dynamic")]);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].1, 19);
    assert!(got[0].3.contains("SSH (22)"), "{}", got[0].3);
    // Port 443 open to the world is deliberate for a web server; 5432 is internal.
    assert!(!got[0].3.contains("5432"));
}

#[test]
fn file_and_templatefile_read_below_the_scan_root_only() {
    let got = summary(&[&format!("{T}/files")]);
    assert_eq!(
        got,
        [
            "testdata/terraform/files/main.tf:3 TF-AWS-005 aws_iam_policy.from_file allows every action on every resource (administrator access)",
            "testdata/terraform/files/main.tf:8 TF-AWS-005 aws_iam_policy.from_template allows every action on every resource (administrator access)",
        ]
    );
}

#[test]
fn module_calls_report_at_the_call_site() {
    let lines = located(&[&format!("{T}/modules/root")], true);
    assert_eq!(
        lines,
        [
            // Turned on by the call (`count = var.open_ssh ? 1 : 0`): reported at the call.
            "testdata/terraform/modules/root/main.tf:1 TF-AWS-002 module.db: aws_security_group.ssh allows SSH (22) from anywhere (`0.0.0.0/0`) | testdata/terraform/modules/db/main.tf:23: in module.db here",
            // Caused by an argument: reported at the argument.
            "testdata/terraform/modules/root/main.tf:4 TF-AWS-003 module.db: aws_db_instance.this is reachable from outside its VPC (`publicly_accessible = true`) | testdata/terraform/modules/db/main.tf:12: used in module.db here",
            // A registry module downloaded by `terraform init`, found through modules.json.
            "testdata/terraform/modules/root/main.tf:12 TF-AWS-002 module.network: aws_security_group.default allows every port and protocol from anywhere (`0.0.0.0/0`) | testdata/terraform/modules/root/.terraform/modules/network/main.tf:8: in module.network here",
            // Never fetched: noted once.
            "testdata/terraform/modules/root/main.tf:18 RAMPART-005 module `git::https://example.com/modules/cache.git?ref=v1` is not available locally: its resources are not checked (run `terraform init -backend=false` to download it) | ",
            // `for_each` on a call: each instance is evaluated with its `each.value`; only the
            // "demo" instance makes the database public. The `count = 0` call creates nothing.
            "testdata/terraform/modules/root/main.tf:26 TF-AWS-003 module.db_per_env: aws_db_instance.this is reachable from outside its VPC (`publicly_accessible = true`) | testdata/terraform/modules/db/main.tf:12: used in module.db_per_env here",
        ]
    );
    // The module's own scan, with its defaults, finds nothing: the findings belong to the call.
    assert!(summary(&[&format!("{T}/modules/db")]).is_empty());
}

#[test]
fn an_argument_passed_through_a_module_is_reported_where_the_root_sets_it() {
    let lines = located(&[&format!("{T}/nested/root")], true);
    assert_eq!(
        lines,
        ["testdata/terraform/nested/root/main.tf:4 TF-AWS-001 module.site.module.bucket: aws_s3_bucket.this is public: ACL `public-read` | testdata/terraform/nested/bucket/main.tf:7: used in module.site.module.bucket here"]
    );
    // Neither module is public with its own defaults.
    assert!(summary(&[&format!("{T}/nested/site")]).is_empty());
    assert!(summary(&[&format!("{T}/nested/bucket")]).is_empty());
}

#[test]
fn json_configuration_is_evaluated_and_located_in_the_json() {
    let lines = located(&[&format!("{T}/json")], false);
    assert_eq!(
        lines,
        [
            // `"${var.acl}"`, the variable's default written in the same file.
            "testdata/terraform/json/main.tf.json:14 TF-AWS-001 | testdata/terraform/json/main.tf.json:4: the value is set here",
            // An `ingress` list of objects is a list of blocks.
            "testdata/terraform/json/main.tf.json:30 TF-AWS-002 | ",
            // An `ingress` object is one block; the CIDR comes from another JSON file.
            "testdata/terraform/json/main.tf.json:42 TF-AWS-002 | testdata/terraform/json/variables.tf.json:6: the CIDR is set here",
            "testdata/terraform/json/main.tf.json:51 TF-AWS-003 | ",
            // `"${jsonencode({...})}"` is the document itself.
            "testdata/terraform/json/main.tf.json:57 TF-AWS-005 | ",
            "testdata/terraform/json/main.tf.json:63 RAMPART-005 | ",
        ]
    );
    // Fixes are HCL: none is offered for a JSON file.
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(root())
        .args([
            "scan",
            "--no-render",
            "--format",
            "json",
            &format!("{T}/json"),
        ])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["fixes"].as_array().is_none_or(|x| x.is_empty())));
}

#[test]
fn broken_json_configuration_is_a_located_parse_error() {
    let stdout = compact_scan_of(&[(
        "main.tf.json",
        "{\n  \"resource\": {\n    \"aws_s3_bucket\": {\n      \"b\": { \"acl\": \"public-read\" },\n    }\n  }\n}\n",
    )]);
    assert!(
        stdout.contains("main.tf.json:5:5: medium RAMPART-001 parse-error: Terraform does not parse: Terraform JSON: trailing comma\n"),
        "{stdout}"
    );
}

#[test]
fn a_single_file_is_evaluated_with_its_directory_but_only_it_is_reported() {
    let got = summary(&[&format!("{T}/precommit/main.tf")]);
    assert_eq!(
        got,
        ["testdata/terraform/precommit/main.tf:3 TF-AWS-001 aws_s3_bucket.data is public: ACL `public-read-write`"],
        "the variable's default comes from variables.tf, whose own finding is not reported"
    );
}

#[test]
fn sadcloud_flags_follow_module_arguments() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = corpus.join("nccgroup__sadcloud/sadcloud");
    let dir = dir.to_str().unwrap();
    // The copy has no `.git`: its modules beside the scanned directory are read when allowed.
    let repository = corpus.join("nccgroup__sadcloud");
    let allow = ["--allow-read", repository.to_str().unwrap()];
    let outside = summary(&[dir]);
    assert!(
        !outside.is_empty() && outside.iter().all(|f| f.contains("RAMPART-005")),
        "{outside:#?}"
    );
    // Its terraform.tfvars turns every finding off: nothing is created, nothing reported.
    assert!(summary(&[dir, allow[0], allow[1]]).is_empty());
    let on = summary(&[dir, allow[0], allow[1], "--var", "all_findings=true"]);
    assert!(on.len() >= 10, "{on:#?}");
    assert!(on
        .iter()
        .any(|f| f.contains("module.rds: aws_db_instance.main")));
    assert!(on.iter().all(|f| f.contains("sadcloud/main.tf:")));
}

#[test]
fn plan_json_is_checked_and_located_in_the_source() {
    // Found by name in a directory scan; the value (`var.acl`, set only in the pipeline) is
    // known in the plan, and the finding lands on the .tf line that declares it.
    let lines = located(&[&format!("{T}/plan/prod.tfplan.json")], false);
    assert_eq!(
        lines,
        [
            "testdata/terraform/plan/db/main.tf:8 TF-AWS-003 | testdata/terraform/plan/prod.tfplan.json:50: planned value of aws_db_instance.this",
            "testdata/terraform/plan/main.tf:12 TF-AWS-001 | testdata/terraform/plan/prod.tfplan.json:29: planned value of aws_s3_bucket_acl.site | testdata/terraform/plan/prod.tfplan.json:12: aws_s3_bucket.site is declared here",
            // A registry module `terraform init` downloaded: reported at the root's call.
            "testdata/terraform/plan/main.tf:20 TF-AWS-003 | testdata/terraform/plan/.terraform/modules/cache/main.tf:8: in module.cache here | testdata/terraform/plan/prod.tfplan.json:69: planned value of aws_db_instance.cache",
        ]
    );
    // `--plan` takes any name; without its sources beside it, the plan itself is the location.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("out.json");
    std::fs::copy(root().join(T).join("plan/prod.tfplan.json"), &copy).unwrap();
    let got = findings(&["--plan", copy.to_str().unwrap()]);
    let at: Vec<(u64, &str)> = got.iter().map(|f| (f.1, f.2.as_str())).collect();
    assert_eq!(
        at,
        [(29, "TF-AWS-001"), (50, "TF-AWS-003"), (69, "TF-AWS-003")]
    );
    assert!(got.iter().all(|f| f.0.ends_with("out.json")));
    // Compact output names the source file too.
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .current_dir(root())
        .args(["scan", "--format", "compact"])
        .arg(format!("{T}/plan/prod.tfplan.json"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("testdata/terraform/plan/main.tf:12:12: critical TF-AWS-001"),
        "{text}"
    );
}

#[test]
fn a_json_file_without_planned_values_is_not_a_plan() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.tfplan.json");
    std::fs::write(&path, "{\"format_version\": \"1.0\"}").unwrap();
    let out = Command::cargo_bin("rampart")
        .unwrap()
        .args(["scan", "--format", "json", path.to_str().unwrap()])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["files"][0]["status"], "skipped");
    assert!(json["files"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("terraform show -json"));
}

/// `terraform fmt -check` accepts every fixed Terraform fixture that it accepted before the
/// fixes (skipped when terraform is not installed).
#[test]
fn fixed_files_stay_terraform_fmt_clean() {
    let fmt_ok = |dir: &std::path::Path| {
        std::process::Command::new("terraform")
            .args(["fmt", "-check", "-recursive"])
            .arg(dir)
            .output()
            .map(|o| o.status.success())
    };
    let tmp = tempfile::tempdir().unwrap();
    if fmt_ok(tmp.path()).is_err() {
        eprintln!("skipped: terraform is not installed");
        return;
    }
    let mut checked = 0;
    for rule in std::fs::read_dir(root().join("testdata")).unwrap() {
        let rule = rule.unwrap().path();
        let name = rule.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("TF-") {
            continue;
        }
        for fixture in std::fs::read_dir(rule.join("positive")).unwrap() {
            let fixture = fixture.unwrap().path();
            let copy = tmp.path().join(format!(
                "{name}-{}",
                fixture.file_name().unwrap().to_string_lossy()
            ));
            std::fs::create_dir_all(&copy).unwrap();
            for f in std::fs::read_dir(&fixture).unwrap() {
                let f = f.unwrap().path();
                if f.is_file() {
                    std::fs::copy(&f, copy.join(f.file_name().unwrap())).unwrap();
                }
            }
            if !fmt_ok(&copy).unwrap() {
                continue; // not formatted to begin with
            }
            let before = std::fs::read_to_string(copy.join("main.tf")).unwrap();
            Command::cargo_bin("rampart")
                .unwrap()
                .args(["scan", "--fix", "--unsafe-fixes", "--no-render"])
                .arg(&copy)
                .output()
                .unwrap();
            let after = std::fs::read_to_string(copy.join("main.tf")).unwrap();
            assert!(
                fmt_ok(&copy).unwrap(),
                "{}: terraform fmt rejects the fixed file:\n{after}",
                fixture.display()
            );
            if before != after {
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 10,
        "only {checked} fixtures were changed by fixes"
    );
}
