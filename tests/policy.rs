//! Users' rule files end to end: `--policy` and `policies` in the configuration, every report
//! format, selection and suppressions, load errors, `rampart test`, and hostile rule files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{rampart, root, stderr, stdout};
use serde_json::Value;

const ACME: &str = "tests/policy/acme";

fn run(args: &[&str]) -> std::process::Output {
    rampart()
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap()
}

/// Run from `dir` (relative to the repository root).
fn run_in(dir: &str, args: &[&str]) -> std::process::Output {
    rampart()
        .current_dir(root().join(dir))
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap()
}

fn codes(json: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(json).unwrap();
    let mut out: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

fn validate_sarif(text: &str) -> Value {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("testdata/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let instance: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not match the schema: {errors:#?}"
    );
    instance
}

#[test]
fn policy_directory_in_human_json_and_sarif() {
    let fixtures = format!("{ACME}/tests");
    let human = run(&["scan", "--policy", ACME, "--select", "ACME-", &fixtures]);
    assert_eq!(human.status.code(), Some(1), "{}", stderr(&human));
    let text = stdout(&human);
    assert!(text.contains("ACME-002"), "{text}");
    assert!(
        text.contains("container \"app\" of Pod api may run as root"),
        "{text}"
    );

    let json = run(&[
        "scan", "--policy", ACME, "--select", "ACME-", "-f", "json", &fixtures,
    ]);
    assert_eq!(codes(&stdout(&json)), ["ACME-002"], "{}", stderr(&json));
    let v: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let finding = &v["findings"][0];
    assert_eq!(finding["name"], "root-user-allowed");
    // Reported at the container that does not set it (no pod-level setting to point at).
    assert_eq!(finding["location"]["start"]["line"], 7, "{finding}");
    assert_eq!(finding["fixes"][0]["applicability"], "unsafe");

    let sarif = run(&[
        "scan", "--policy", ACME, "--select", "ACME-", "-f", "sarif", &fixtures,
    ]);
    let log = validate_sarif(&stdout(&sarif));
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().any(|r| r["id"] == "ACME-002"), "{rules:?}");
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "ACME-002");
}

#[test]
fn configuration_policies_selection_and_suppressions() {
    let dir = "tests/policy/project";
    let all = run_in(dir, &["scan", "-f", "json", "--select", "ACME-", "deploy"]);
    assert_eq!(all.status.code(), Some(1), "{}", stderr(&all));
    // ACME-002 on the `app` container is suppressed by its comment; the sidecar's is not. The
    // bucket whose versioning is a variable without a value is not decided.
    assert_eq!(
        codes(&stdout(&all)),
        ["ACME-001", "ACME-002", "ACME-003"],
        "{}",
        stdout(&all)
    );
    let v: Value = serde_json::from_str(&stdout(&all)).unwrap();
    let suppressed = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["suppressed"].is_null())
        .count();
    assert_eq!(suppressed, 1);

    let one = run_in(
        dir,
        &["scan", "-f", "json", "--select", "ACME-001", "deploy"],
    );
    assert_eq!(codes(&stdout(&one)), ["ACME-001"]);
    let by_name = run_in(
        dir,
        &[
            "scan",
            "-f",
            "json",
            "--select",
            "team-label-missing",
            "deploy",
        ],
    );
    assert_eq!(codes(&stdout(&by_name)), ["ACME-001"]);
    let ignored = run_in(
        dir,
        &[
            "scan",
            "-f",
            "json",
            "--select",
            "ACME-",
            "--ignore",
            "ownership",
            "deploy",
        ],
    );
    assert_eq!(codes(&stdout(&ignored)), ["ACME-002", "ACME-003"]);

    let verbose = run_in(dir, &["scan", "-v", "--select", "ACME-003", "deploy"]);
    assert!(
        stderr(&verbose)
            .contains("ACME-003 on aws_s3_bucket.unknown: not decided, `resource.versioning.*.enabled` is not known before apply"),
        "{}",
        stderr(&verbose)
    );

    let rules = run_in(dir, &["rules"]);
    assert!(
        stdout(&rules).contains("Workload has no team label (from rules/acme.yaml)"),
        "{}",
        stdout(&rules)
    );
    let explain = run_in(dir, &["explain", "ACME-001"]);
    assert!(stdout(&explain).contains("A user's rule, from `rules/acme.yaml`"));
}

#[test]
fn fixes_of_users_rules_are_applied_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let pod = dir.path().join("pod.yaml");
    std::fs::copy(
        root().join(ACME).join("tests/ACME-002/violating/pod.yaml"),
        &pod,
    )
    .unwrap();
    let policy = root().join(ACME);
    let out = rampart()
        .args(["scan", "--policy"])
        .arg(&policy)
        .args(["--select", "ACME-002", "--fix", "--unsafe-fixes"])
        .arg(&pod)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let fixed = std::fs::read_to_string(&pod).unwrap();
    assert!(
        fixed.contains("securityContext:\n        runAsNonRoot: true"),
        "{fixed}"
    );
}

fn write(dir: &Path, name: &str, text: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn load_errors_name_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "bad.yaml",
        b"rules:\n  - code: ACME-010\n    name: typo\n    titel: Privileged\n    match: {containers: [\"*\"]}\n    condition: container.securityContext.privilegd == true\n  - code: K8S-001\n    name: mine\n    title: t\n    match: {kinds: [Deploymnet]}\n    condition: object.kind == 'x'\n",
    );
    let out = run(&["scan", "--policy", &file, "testdata/K8S-001/negative"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for want in [
        "bad.yaml:4:5: unknown key `titel` in a rule; did you mean `title`?",
        "bad.yaml:6:42: condition: unknown field `privilegd`; did you mean `privileged`?",
        "bad.yaml:7:11: code `K8S-001`: the `K8S` prefix belongs to rampart's own rules",
        "bad.yaml:10:21: unknown Kubernetes kind `Deploymnet`; did you mean `Deployment`?",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    // A code another rule file already took.
    let again = write(
        dir.path(),
        "again.yaml",
        &std::fs::read(root().join(ACME).join("acme.yaml")).unwrap(),
    );
    let out = run(&[
        "scan",
        "--policy",
        ACME,
        "--policy",
        &again,
        "testdata/K8S-001/negative",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("code `ACME-001` is already taken"),
        "{}",
        stderr(&out)
    );
    // A syntax error in the condition.
    let syntax = write(
        dir.path(),
        "syntax.yaml",
        b"rules:\n  - code: ACME-020\n    name: broken\n    title: t\n    match: {kinds: [Pod]}\n    condition: object.kind == ((\n",
    );
    let out = run(&["scan", "--policy", &syntax, "testdata/K8S-001/negative"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("syntax.yaml:6:"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("condition does not parse"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn rampart_test_passes_and_fails() {
    let ok = run(&["test", ACME]);
    assert_eq!(ok.status.code(), Some(0), "{}{}", stdout(&ok), stderr(&ok));
    assert!(
        stdout(&ok).ends_with("4 passed, 0 failed\n"),
        "{}",
        stdout(&ok)
    );
    assert!(stdout(&ok).contains("ok ACME-002 root-user-allowed: 2 examples"));

    let bad = run(&["test", "tests/policy/failing"]);
    assert_eq!(bad.status.code(), Some(1));
    let text = stdout(&bad);
    assert!(text.contains("FAIL WRONG-001 host-network-used"), "{text}");
    assert!(
        text.contains(
            "violating example 1 (line 10): should be a violation, but WRONG-001 found nothing"
        ),
        "{text}"
    );
    assert!(text.ends_with("0 passed, 1 failed\n"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let broken = write(
        dir.path(),
        "r.yaml",
        b"rules:\n  - code: ACME-030\n    name: x\n    title: t\n    match: {kinds: [Pod]}\n    condition: object.kind == 'Pod'\n    examples:\n      compliant:\n        - apiVersion: v1\n          kind: Pod\n          metadata: {name: p}\n",
    );
    let out = run(&["test", &broken]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("should be compliant, but found: 2:7: Pod p: t"),
        "{}",
        stdout(&out)
    );
}

/// Each hostile rule file is refused with a located error, quickly.
#[test]
fn hostile_rule_files_are_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rule = |cond: &str| {
        format!(
            "rules:\n  - code: EVIL-001\n    name: evil\n    title: t\n    match: {{containers: [\"*\"]}}\n    condition: {cond}\n"
        )
    };
    let nested = format!("'{}1{} == 1'", "(".repeat(5_000), ")".repeat(5_000));
    let deep_comprehension =
        "'podSpec.containers.all(a, podSpec.containers.all(b, podSpec.containers.all(c, a == b)))'";
    let mut huge = rule("object.kind == 'x'").into_bytes();
    huge.extend(std::iter::repeat_n(b'#', 2 << 20));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("nested.yaml", rule(&nested).into_bytes(), "condition"),
        (
            "comprehension.yaml",
            rule(deep_comprehension).into_bytes(),
            "nests comprehensions 3 deep",
        ),
        ("huge.yaml", huge, "limit"),
        ("binary.yaml", vec![0, 159, 146, 150, 255, 0, 1, 2], "bin"),
        (
            "aliases.yaml",
            b"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nrules: [*e]\n".to_vec(),
            "bin",
        ),
        (
            "long.yaml",
            rule(&format!("'{}'", "object.kind == 'x' || ".repeat(2_000) + "true")).into_bytes(),
            "over the limit",
        ),
    ];
    for (name, bytes, _) in &cases {
        let file = write(d, name, bytes);
        let start = Instant::now();
        let out = run(&["scan", "--policy", &file, "testdata/K8S-001/negative"]);
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{name} took {:?}",
            start.elapsed()
        );
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("{name}:")),
            "{name}: the error names the file: {}",
            stderr(&out)
        );
    }
    let comprehension = write(d, "c.yaml", &rule(deep_comprehension).into_bytes());
    let out = run(&[
        "scan",
        "--policy",
        &comprehension,
        "testdata/K8S-001/negative",
    ]);
    assert!(
        stderr(&out).contains("nests comprehensions 3 deep"),
        "{}",
        stderr(&out)
    );
}

/// Two levels of comprehensions over a long list are allowed and stay bounded.
#[test]
fn allowed_comprehensions_over_big_lists_finish() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let policy = write(
        d,
        "r.yaml",
        b"rules:\n  - code: BIG-001\n    name: duplicate-env\n    title: Duplicate environment variable\n    match: {containers: [\"*\"]}\n    condition: has(container.env) && container.env.exists(a, container.env.filter(b, has(a.name) && has(b.name) && a.name == b.name).size() > 1)\n",
    );
    let mut manifest = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: a\n      env:\n",
    );
    for i in 0..2_000 {
        manifest.push_str(&format!("        - {{name: V{i}, value: x}}\n"));
    }
    let pod = write(d, "pod.yaml", manifest.as_bytes());
    let start = Instant::now();
    let out = run(&[
        "scan", "-v", "--policy", &policy, "--select", "BIG-001", &pod,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    // 2,000 × 2,000 steps are over the budget: not decided, and `-v` says so.
    assert!(
        stderr(&out).contains(
            "BIG-001 on Pod p: not decided, the condition would take about 4000000 steps"
        ),
        "{}",
        stderr(&out)
    );
    // With a short list, the same rule runs and finds the duplicate.
    let short = write(
        d,
        "short.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: a\n      env:\n        - {name: A, value: x}\n        - {name: A, value: y}\n",
    );
    let out = run(&["scan", "--policy", &policy, "--select", "BIG-001", &short]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

/// `select` in the configuration may name the users' rules of its own `policies`.
#[test]
fn configuration_selects_its_own_users_rules() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("rules")).unwrap();
    std::fs::copy(
        root().join(ACME).join("acme.yaml"),
        d.join("rules/acme.yaml"),
    )
    .unwrap();
    std::fs::write(
        d.join(".rampart.toml"),
        "policies = [\"rules\"]\nselect = [\"team-label-missing\"]\n",
    )
    .unwrap();
    std::fs::write(
        d.join("web.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: a}]\n",
    )
    .unwrap();
    let out = rampart()
        .current_dir(d)
        .args(["scan", "-f", "json", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(codes(&stdout(&out)), ["ACME-001"]);
    let config = rampart()
        .current_dir(d)
        .args(["config", "."])
        .output()
        .unwrap();
    assert!(
        stdout(&config).contains("policies = ["),
        "{}",
        stdout(&config)
    );
}
