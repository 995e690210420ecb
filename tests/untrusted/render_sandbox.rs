//! Rendering a repository one does not trust: Kustomize and Helm run confined. Fake `kustomize`,
//! `helm` and `git` programs first on PATH record every invocation, its arguments, its
//! environment and its network namespace; the real `kubectl kustomize` builds hostile overlays
//! with the fake `git` on PATH.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// A value of the scan's environment that must never reach a render tool or a report.
const CANARY: &str = "canary-token-5b0c1e";

fn write(dir: &Path, rel: &str, content: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn link(target: &Path, at: &Path) {
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, at).unwrap();
}

/// A program `name` in `bin` that appends its name, arguments, environment and network
/// namespace to the file `name` in the directory `logs` (tools may run at the same time), then
/// runs `then` (shell, with the PATH it was given).
fn fake(bin: &Path, name: &str, logs: &Path, then: &str) {
    std::fs::create_dir_all(logs).unwrap();
    let log = logs.join(name);
    let script = format!(
        "#!/bin/sh\ngiven=\"$PATH\"\nPATH=/usr/bin:/bin\n{{\n  echo \"== {name} $*\"\n  echo \"netns $(readlink /proc/self/ns/net)\"\n  echo \"env PATH=$given\"\n  echo \"programs $(ls -A \"$given\" 2>/dev/null | wc -l)\"\n  env | grep -v '^PATH=' | grep -v '^given=' | sed 's/^/env /'\n}} >> '{log}'\nPATH=\"$given\"\n{then}\n",
        log = log.display()
    );
    let path = bin.join(name);
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A directory for fake programs (`bin`) and their logs (`logs`), outside the repository.
fn tools() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tools = tempfile::tempdir().unwrap();
    let bin = tools.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let logs = tools.path().join("logs");
    (tools, bin, logs)
}

fn rampart(dir: &Path, bin: &Path) -> Command {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::cargo_bin("rampart").unwrap();
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("PATH", path)
        .env("RAMPART_TEST_TOKEN", CANARY);
    cmd
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
}

/// The invocations logged in `logs`: (first line, the lines that follow it).
fn invocations(logs: &Path) -> Vec<(String, Vec<String>)> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(logs)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    names.sort();
    let text: String = names
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        match line.strip_prefix("== ") {
            Some(head) => out.push((head.to_string(), Vec::new())),
            None => {
                if let Some(last) = out.last_mut() {
                    last.1.push(line.to_string());
                }
            }
        }
    }
    out
}

fn env_of<'a>(lines: &'a [String], var: &str) -> Option<&'a str> {
    lines
        .iter()
        .find_map(|l| l.strip_prefix(&format!("env {var}=")))
}

/// The scan's statuses of rendered files: path → (status, reason).
fn renders(j: &Value) -> Vec<(String, String, String)> {
    j["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().contains("]"))
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap_or("").to_string(),
                f["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

const PRIVILEGED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: rendered\nspec:\n  containers:\n    - name: a\n      image: registry.example.com/a:1.0.0\n      securityContext:\n        privileged: true\n";

#[test]
fn render_tools_get_an_empty_environment_no_path_no_network_and_a_copy_of_the_chart() {
    let repo = tempfile::tempdir().unwrap();
    let d = repo.path();
    let (tools, bin, log) = tools();
    let outside = tools.path().join("secret.txt");
    std::fs::write(&outside, CANARY).unwrap();
    // The fake tools try what a hostile build would: run git, read the chart they were given.
    let emit = format!("git fetch origin 2>/dev/null\nprintf '%s' '{PRIVILEGED_POD}'");
    fake(&bin, "kustomize", &log, &emit);
    fake(
        &bin,
        "helm",
        &log,
        &format!(
            "/usr/bin/find \"$3\" | /bin/sed 's/^/file /' >> '{}'\n{emit}",
            log.join("helm").display()
        ),
    );
    fake(&bin, "git", &log, "exit 0");

    write(
        d,
        "overlay/kustomization.yaml",
        "resources:\n  - pod.yaml\n",
    );
    write(d, "overlay/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: registry.example.com/a:1.0.0\n");
    write(
        d,
        "chart/Chart.yaml",
        "apiVersion: v2\nname: shop\nversion: 1.0.0\n",
    );
    write(d, "chart/values.yaml", "image: nginx\n");
    write(d, "chart/templates/pod.yaml", "kind: Pod\n");
    link(
        Path::new("../values.yaml"),
        &d.join("chart/files/values-link"),
    );
    write(
        d,
        "leaky/Chart.yaml",
        "apiVersion: v2\nname: leaky\nversion: 1.0.0\n",
    );
    write(
        d,
        "leaky/templates/cm.yaml",
        "{{ .Files.Get \"files/token\" }}\n",
    );
    link(&outside, &d.join("leaky/files/token"));

    let out = rampart(d, &bin)
        .args(["scan", "--format", "json", "."])
        .output()
        .unwrap();
    let j = json(&out);
    assert!(!stdout(&out).contains(CANARY), "{}", stdout(&out));
    let calls = invocations(&log);
    let heads: Vec<&str> = calls.iter().map(|(h, _)| h.as_str()).collect();
    // git is never run (the tools find no program on their PATH); helm renders one chart.
    assert_eq!(heads.len(), 2, "{heads:?}");
    let by = |prefix: &str| {
        calls
            .iter()
            .find(|(h, _)| h.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix}: {heads:?}"))
    };
    let (kustomize, helm) = (by("kustomize build "), by("helm template rampart "));
    assert!(!kustomize.0.contains("LoadRestrictions"), "{heads:?}");
    for (head, lines) in &calls {
        let env: Vec<&String> = lines.iter().filter(|l| l.starts_with("env ")).collect();
        assert!(
            !lines.iter().any(|l| l.contains(CANARY)),
            "{head}: the scan's environment reached the tool: {env:?}"
        );
        let path = env_of(lines, "PATH").unwrap_or_else(|| panic!("{head}: {lines:?}"));
        assert!(
            !path.contains(':') && path.contains("rampart-render-"),
            "{head}: PATH {path}"
        );
        assert!(
            lines.iter().any(|l| l == "programs 0"),
            "{head}: PATH {path} has programs on it"
        );
        assert_eq!(env_of(lines, "HTTPS_PROXY"), Some("http://127.0.0.1:9"));
        assert_eq!(env_of(lines, "GIT_ALLOW_PROTOCOL"), Some("none"));
        assert!(env_of(lines, "HELM_PLUGINS").is_some(), "{head}");
        let home = env_of(lines, "HOME").unwrap();
        assert!(
            !home.starts_with(d.to_str().unwrap()),
            "{head}: HOME {home}"
        );
        if unshare_works() {
            let ours = std::fs::read_link("/proc/self/ns/net").unwrap();
            let theirs = lines.iter().find_map(|l| l.strip_prefix("netns ")).unwrap();
            assert_ne!(
                Path::new(theirs),
                ours,
                "{head}: runs in the scan's network namespace"
            );
        }
    }
    // Helm got a copy outside the repository, the link inside the chart as a plain file.
    let files: Vec<&str> = helm
        .1
        .iter()
        .filter_map(|l| l.strip_prefix("file "))
        .collect();
    let chart_copy = PathBuf::from(files[0]);
    assert!(!chart_copy.starts_with(d), "{files:?}");
    let copied = chart_copy.join("files/values-link");
    assert!(files.contains(&copied.to_str().unwrap()), "{files:?}");
    // The copy is removed after the render.
    assert!(!chart_copy.exists());
    // The chart that links outside itself is not rendered, and says why.
    let r = renders(&j);
    assert!(
        r.iter().any(|(p, s, why)| p == "leaky/[helm template]"
            && s == "skipped"
            && why.contains("`files/token` links outside the chart")),
        "{r:?}"
    );
    // What the tools printed was checked: each finding is placed in a real file (what the fake
    // tools print comes from none, so the chart's Chart.yaml and the overlay's kustomization),
    // and names where it is in the render.
    let codes: Vec<(&str, &str)> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| Some((f["rendered"]["path"].as_str()?, f["code"].as_str().unwrap())))
        .collect();
    let placed: Vec<(&str, &str)> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert!(
        placed.contains(&("chart/Chart.yaml", "K8S-001")),
        "{placed:?}"
    );
    assert!(
        placed.contains(&("overlay/kustomization.yaml", "K8S-001")),
        "{placed:?}"
    );
    assert!(
        codes.contains(&("chart/[helm template]", "K8S-001")),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("overlay/[kustomize build]", "K8S-001")),
        "{codes:?}"
    );

    // Reading outside the overlay is the user's decision, on the command line only.
    std::fs::remove_dir_all(&log).unwrap();
    std::fs::create_dir(&log).unwrap();
    write(
        d,
        ".rampart.toml",
        "kustomize-load-restrictor = \"LoadRestrictionsNone\"\n",
    );
    let out = rampart(d, &bin)
        .args(["scan", "--format", "json", "--no-progress", "overlay"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a configuration file cannot opt in"
    );
    std::fs::remove_file(d.join(".rampart.toml")).unwrap();
    let out = rampart(d, &bin)
        .args([
            "scan",
            "--format",
            "json",
            "--kustomize-load-restrictor",
            "LoadRestrictionsNone",
            "overlay",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    let calls = invocations(&log);
    assert_eq!(calls.len(), 1);
    assert!(
        calls[0]
            .0
            .ends_with("--load-restrictor LoadRestrictionsNone"),
        "{:?}",
        calls[0].0
    );
}

fn unshare_works() -> bool {
    std::process::Command::new("/usr/bin/unshare")
        .args(["--net", "--map-root-user", "--", "/bin/true"])
        .status()
        .is_ok_and(|s| s.success())
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// Overlays built with the real Kustomize (kubectl's): each one that reads a host file or a
/// remote base fails with a note, git is never started, and no host data reaches the report.
#[test]
fn hostile_overlays_never_read_the_host_or_fetch() {
    if !on_path("kubectl") && !on_path("kustomize") {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have kubectl or kustomize"
        );
        eprintln!("SKIPPED hostile_overlays_never_read_the_host_or_fetch: no kubectl or kustomize");
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    let d = repo.path();
    let (tools, bin, log) = tools();
    fake(&bin, "git", &log, "exit 1");
    fake(&bin, "ssh", &log, "exit 1");
    let secret = tools.path().join("host-secret");
    std::fs::write(&secret, format!("token={CANARY}\n")).unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: victim\nspec:\n  containers:\n    - name: a\n      image: registry.example.com/a:1.0.0\n";
    // The environment of the tool itself, copied into a name that every format prints.
    let replace = "replacements:\n  - source: {kind: ConfigMap, name: leak, fieldPath: data.h}\n    targets:\n      - select: {kind: Pod}\n        fieldPaths: [metadata.name]\n";
    write(d, "environ/pod.yaml", pod);
    write(
        d,
        "environ/kustomization.yaml",
        &format!("resources: [pod.yaml]\nconfigMapGenerator:\n  - name: leak\n    files: [h=/proc/self/environ]\n{replace}"),
    );
    // A host file through an absolute path, and through a link inside the overlay.
    write(d, "absolute/pod.yaml", pod);
    write(
        d,
        "absolute/kustomization.yaml",
        &format!(
            "resources: [pod.yaml]\nconfigMapGenerator:\n  - name: leak\n    files: [h={}]\n{replace}",
            secret.display()
        ),
    );
    write(d, "linked/pod.yaml", pod);
    link(&secret, &d.join("linked/h"));
    write(
        d,
        "linked/kustomization.yaml",
        &format!(
            "resources: [pod.yaml]\nconfigMapGenerator:\n  - name: leak\n    files: [h]\n{replace}"
        ),
    );
    // Remote bases behind a local one, in the forms a string test misses.
    write(
        d,
        "remote-base/kustomization.yaml",
        "resources:\n  - ssh://git@github.com/org/repo.git//deploy\n",
    );
    write(
        d,
        "via-base/kustomization.yaml",
        "resources:\n  - ../remote-base\n",
    );
    write(
        d,
        "scp-style/kustomization.yaml",
        "resources:\n  - git@github.com:org/repo.git\n",
    );
    write(
        d,
        "http/kustomization.yaml",
        "resources:\n  - https://raw.githubusercontent.com/org/repo/main/pod.yaml\n",
    );

    let out = rampart(d, &bin)
        .args(["scan", "--format", "json", "."])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(!text.contains(CANARY), "{text}");
    assert!(
        !text.contains("PATH="),
        "an environment reached the report: {text}"
    );
    assert!(
        invocations(&log).is_empty(),
        "git or ssh was started: {:?}",
        invocations(&log)
    );
    let j = json(&out);
    let r = renders(&j);
    let status = |p: &str| {
        r.iter()
            .find(|(path, ..)| path == &format!("{p}/[kustomize build]"))
            .unwrap_or_else(|| panic!("{p}: {r:?}"))
            .clone()
    };
    for overlay in ["environ", "absolute", "linked"] {
        let (_, s, why) = status(overlay);
        assert_eq!(s, "skipped", "{overlay}: {r:?}");
        assert!(why.contains("kustomize failed"), "{overlay}: {why}");
        assert!(why.contains("security"), "{overlay}: {why}");
    }
    for overlay in ["via-base", "scp-style", "http"] {
        let (_, s, why) = status(overlay);
        assert_eq!(s, "skipped", "{overlay}: {r:?}");
        assert!(
            why.contains("remote resources") || why.contains("kustomize failed"),
            "{overlay}: {why}"
        );
    }
}

/// The number of times the fake `name` in `logs` was started.
fn runs(logs: &Path, name: &str) -> usize {
    invocations(logs)
        .iter()
        .filter(|(h, _)| h.starts_with(&format!("{name} ")))
        .count()
}

/// A render is kept in the cache and taken from it while nothing it reads changes: a change to
/// a base outside the overlay, to the tool or to the options renders again, and so do
/// `--no-cache` and `render-cache = false`. A failure the tool gave is kept too.
#[test]
fn unchanged_renders_come_from_the_cache() {
    let repo = tempfile::tempdir().unwrap();
    let d = repo.path();
    let (tools, bin, log) = tools();
    let cache = tools.path().join("cache");
    // The fake prints the pod it finds below the overlay's wrapper, so its output follows the
    // files, and fails when the overlay says so.
    let emit = "if /bin/grep -rq fail \"$2\"/target/; then echo 'Error: bad overlay' >&2; exit 1; fi\n/bin/cat \"$2\"/target/../base/pod.yaml 2>/dev/null || /bin/cat \"$2\"/target/pod.yaml";
    fake(&bin, "kustomize", &log, emit);
    fake(&bin, "kubectl", &log, "exit 1");
    write(d, "app/base/pod.yaml", PRIVILEGED_POD);
    write(d, "app/base/kustomization.yaml", "resources: [pod.yaml]\n");
    write(
        d,
        "app/prod/kustomization.yaml",
        "resources: [../base]\nnamePrefix: prod-\n",
    );
    write(d, "broken/kustomization.yaml", "resources: [fail.yaml]\n");
    let scan = |extra: &[&str]| {
        let out = rampart(d, &bin)
            .env("RAMPART_CACHE_DIR", &cache)
            .args(["scan", "--format", "json", "--no-progress"])
            .args(extra)
            .arg(".")
            .output()
            .unwrap();
        json(&out)
    };
    let first = scan(&[]);
    // kustomize is preferred to kubectl, and each overlay is built once.
    assert_eq!(runs(&log, "kustomize"), 2, "{:?}", invocations(&log));
    assert_eq!(runs(&log, "kubectl"), 0);
    let entries = || std::fs::read_dir(cache.join("render")).unwrap().count();
    assert_eq!(entries(), 2, "a build and a failure are kept");
    let second = scan(&[]);
    assert_eq!(runs(&log, "kustomize"), 2, "nothing rendered again");
    assert_eq!(first["findings"], second["findings"]);
    assert_eq!(renders(&first), renders(&second));
    assert!(
        renders(&second)
            .iter()
            .any(|(p, s, why)| p == "broken/[kustomize build]"
                && s == "skipped"
                && why.contains("bad overlay")),
        "{:?}",
        renders(&second)
    );
    // A base the overlay reads from outside its directory changes: built again.
    write(
        d,
        "app/base/pod.yaml",
        &PRIVILEGED_POD.replace("privileged: true", "privileged: false"),
    );
    scan(&[]);
    assert_eq!(runs(&log, "kustomize"), 3);
    // A corrupt entry is a miss.
    for e in std::fs::read_dir(cache.join("render")).unwrap() {
        std::fs::write(e.unwrap().path(), "rampart render cache 1\n").unwrap();
    }
    scan(&[]);
    assert_eq!(runs(&log, "kustomize"), 5);
    scan(&["--no-cache"]);
    assert_eq!(runs(&log, "kustomize"), 7);
    write(d, ".rampart.toml", "render-cache = false\n");
    scan(&[]);
    assert_eq!(runs(&log, "kustomize"), 9);
    std::fs::remove_file(d.join(".rampart.toml")).unwrap();
    scan(&[]);
    assert_eq!(
        runs(&log, "kustomize"),
        9,
        "cached again without the setting"
    );
    // Another tool is another key.
    fake(&bin, "kustomize", &log, &format!("# v2\n{emit}"));
    scan(&[]);
    assert_eq!(runs(&log, "kustomize"), 11);
    // A cache directory that is a link is not used, and the scan says so.
    let elsewhere = tools.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    link(&elsewhere, &tools.path().join("linked-cache"));
    let out = rampart(d, &bin)
        .env("RAMPART_CACHE_DIR", tools.path().join("linked-cache"))
        .args(["scan", "--format", "json", "--no-progress", "."])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("render cache not used"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}
