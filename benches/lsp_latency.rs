//! Language server latency: time from `didChange` to the `publishDiagnostics` for that version,
//! on a 2,000-line multi-document manifest and on a 50-file Terraform module, through the real
//! server over an in-memory connection. Prints p50/p99 against the budgets (10 ms, 50 ms),
//! and the time a hover on another document takes while the manifest is being linted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};

// The parsers allocate a node per value: mimalloc makes that about twice as fast as the
// system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn start() -> Connection {
    let (server, client) = Connection::memory();
    std::thread::spawn(move || {
        let _ = rampart_lsp::run(server, Arc::new(rampart::lsp::CoreLinter::new()));
    });
    client
        .sender
        .send(Message::Request(Request::new(
            RequestId::from(1),
            "initialize".into(),
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        )))
        .unwrap();
    loop {
        if let Message::Response(_) = client.receiver.recv().unwrap() {
            break;
        }
    }
    notify(&client, "initialized", json!({}));
    client
}

fn notify(c: &Connection, method: &str, params: Value) {
    c.sender
        .send(Message::Notification(Notification::new(
            method.into(),
            params,
        )))
        .unwrap();
}

/// Waits for the diagnostics of `version`; returns their codes.
fn wait_version(c: &Connection, uri: &str, version: i64) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let msg = c
            .receiver
            .recv_timeout(deadline - Instant::now())
            .expect("diagnostics in time");
        if let Message::Notification(n) = msg {
            if n.method == "textDocument/publishDiagnostics"
                && n.params["uri"] == uri
                && n.params["version"] == version
            {
                return n.params["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d["code"].as_str().unwrap_or("").to_string())
                    .collect();
            }
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Edit `uri` `rounds` times (toggling a value on one line) and time each publication.
fn measure(c: &Connection, uri: &str, text: &str, line: u32, rounds: usize) -> Vec<Duration> {
    let col = text
        .lines()
        .nth(line as usize)
        .unwrap()
        .find("true ")
        .expect("a `true ` to toggle") as u32;
    let mut version = 1;
    notify(
        c,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "x", "version": version, "text": text}}),
    );
    let first = wait_version(c, uri, version);
    assert!(
        first.iter().filter(|c| *c == "K8S-002").count() == 50,
        "{first:?}"
    );
    let mut times = Vec::with_capacity(rounds);
    for i in 0..rounds {
        version += 1;
        let new = if i % 2 == 0 { "false" } else { "true " };
        let start = Instant::now();
        notify(
            c,
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{
                "range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 5}},
                "text": new,
            }]}),
        );
        let codes = wait_version(c, uri, version);
        times.push(start.elapsed());
        // The edit really flips the first Deployment's finding: the text still parses.
        let want = if i % 2 == 0 { 49 } else { 50 };
        assert_eq!(
            codes.iter().filter(|c| *c == "K8S-002").count(),
            want,
            "{codes:?}"
        );
        assert!(!codes.iter().any(|c| c == "RAMPART-001"));
    }
    times.sort();
    times
}

fn report(name: &str, times: &[Duration], budget_ms: f64) {
    let what = if name.contains("round trip") {
        "requests"
    } else {
        "edits"
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} {what} (budget p99 {budget_ms} ms)",
        ms(percentile(times, 0.5)),
        ms(percentile(times, 0.99)),
        ms(*times.last().unwrap()),
        times.len()
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();

    // A 2,000-line manifest: 50 Deployments of 40 lines.
    let mut manifest = String::new();
    for i in 0..50 {
        manifest.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\n  namespace: shop\n  labels:\n    app: web-{i}\n    tier: frontend\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: web-{i}\n  template:\n    metadata:\n      labels:\n        app: web-{i}\n    spec:\n      hostNetwork: true \n      containers:\n        - name: web\n          image: nginx:1.27.{i}\n          ports:\n            - containerPort: 8080\n          resources:\n            requests: {{cpu: 100m, memory: 128Mi}}\n            limits: {{cpu: 500m, memory: 256Mi}}\n          securityContext:\n            privileged: false\n            runAsNonRoot: true\n        - name: sidecar\n          image: example/sidecar:2.{i}\n          resources:\n            limits: {{cpu: 100m, memory: 64Mi}}\n          env:\n            - name: MODE\n              value: proxy\n      terminationGracePeriodSeconds: 30\n      dnsPolicy: ClusterFirst\n"
        ));
    }
    assert_eq!(manifest.lines().count(), 2000);
    let path = dir.path().join("big.yaml");
    std::fs::write(&path, &manifest).unwrap();
    let uri = rampart_lsp::path_to_uri(&path)
        .unwrap()
        .as_str()
        .to_string();
    // Line 19 is the first `hostNetwork: true ` (the value starts at column 16).
    assert!(manifest
        .lines()
        .nth(19)
        .unwrap()
        .starts_with("      hostNetwork: true"));
    let c = start();
    let times = measure(&c, &uri, &manifest, 19, 300);
    report("2,000-line manifest", &times, 10.0);
    // The same round trip with no work behind it: what the machine adds (thread wake-ups).
    let times = round_trips(&c, &uri, 300);
    report("no-op request round trip (baseline)", &times, 1.0);
    // Hover on another document sent while the manifest is being linted.
    let times = hover_during_lint(&c, &uri, &manifest, &dir.path().join("small.yaml"));
    report("hover round trip during a manifest lint", &times, 1.0);

    // A 50-file Terraform module.
    let module = dir.path().join("module");
    std::fs::create_dir_all(&module).unwrap();
    for i in 0..50 {
        std::fs::write(
            module.join(format!("file{i:02}.tf")),
            format!(
                "variable \"acl_{i}\" {{\n  default = \"private\"\n}}\n\nlocals {{\n  name_{i} = \"bucket-${{var.acl_{i}}}\"\n}}\n\nresource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = local.name_{i}\n  acl    = var.acl_{i}\n  tags   = {{ Team = \"shop\", Index = \"{i}\" }}\n}}\n\nresource \"aws_s3_bucket_acl\" \"b{i}\" {{\n  bucket = aws_s3_bucket.b{i}.id\n  acl    = \"private\"\n}}\n"
            ),
        )
        .unwrap();
    }
    let main_tf = "resource \"aws_s3_bucket\" \"main\" {\n  bucket = \"main\"\n  acl    = var.acl_0\n  versioned = true \n}\n";
    let main_path = module.join("main.tf");
    std::fs::write(&main_path, main_tf).unwrap();
    let uri = rampart_lsp::path_to_uri(&main_path)
        .unwrap()
        .as_str()
        .to_string();
    let c = start();
    // Line 3 `  versioned = true ` has its value at column 14; the edit re-evaluates the module.
    let times = measure_tf(&c, &uri, main_tf, 200);
    report("50-file Terraform module", &times, 50.0);
}

/// Requests that do no work (hover far from any finding): the cost of the round trip alone.
fn round_trips(c: &Connection, uri: &str, rounds: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let id = RequestId::from(1000 + i as i32);
        let start = Instant::now();
        c.sender
            .send(Message::Request(Request::new(
                id.clone(),
                "textDocument/hover".into(),
                json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 0}}),
            )))
            .unwrap();
        loop {
            if let Message::Response(r) = c.receiver.recv().unwrap() {
                if r.id == id {
                    break;
                }
            }
        }
        times.push(start.elapsed());
    }
    times.sort();
    times
}

fn measure_tf(c: &Connection, uri: &str, text: &str, rounds: usize) -> Vec<Duration> {
    let mut version = 1;
    notify(
        c,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "terraform", "version": version, "text": text}}),
    );
    // The buckets draw the low-severity hygiene findings (versioning, logging, KMS); the edits
    // below must not change them.
    let first = wait_version(c, uri, version);
    assert!(!first.iter().any(|c| c == "RAMPART-001"), "{first:?}");
    let mut times = Vec::with_capacity(rounds);
    for i in 0..rounds {
        version += 1;
        let new = if i % 2 == 0 { "false" } else { "true " };
        let start = Instant::now();
        notify(
            c,
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{
                "range": {"start": {"line": 3, "character": 14}, "end": {"line": 3, "character": 19}},
                "text": new,
            }]}),
        );
        let codes = wait_version(c, uri, version);
        assert_eq!(codes, first);
        times.push(start.elapsed());
    }
    times.sort();
    times
}

/// Edits the manifest (opened by `measure`, at version 301, `true ` on line 19), waits 0.5 ms so
/// that its lint has started, then times a hover on a small open document (away from its
/// finding: the round trip alone, as in `round_trips`).
fn hover_during_lint(
    c: &Connection,
    uri: &str,
    text: &str,
    small: &std::path::Path,
) -> Vec<Duration> {
    let col = text.lines().nth(19).unwrap().find("true ").unwrap() as u32;
    let small_text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: small\nspec:\n  hostPID: true\n  containers:\n    - {name: a, image: \"a:1.0\"}\n";
    let small_uri = rampart_lsp::path_to_uri(small)
        .unwrap()
        .as_str()
        .to_string();
    notify(
        c,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": small_uri, "languageId": "yaml", "version": 1, "text": small_text}}),
    );
    wait_version(c, &small_uri, 1);
    let mut times = Vec::new();
    for i in 0..100 {
        let version = 302 + i as i64;
        let new = if i % 2 == 0 { "false" } else { "true " };
        notify(
            c,
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{
                "range": {"start": {"line": 19, "character": col}, "end": {"line": 19, "character": col + 5}},
                "text": new,
            }]}),
        );
        std::thread::sleep(Duration::from_micros(500));
        let id = RequestId::from(5000 + i);
        let start = Instant::now();
        c.sender
            .send(Message::Request(Request::new(
                id.clone(),
                "textDocument/hover".into(),
                json!({"textDocument": {"uri": small_uri}, "position": {"line": 1, "character": 0}}),
            )))
            .unwrap();
        // The hover's answer, then the manifest's diagnostics (which may come first).
        let (mut answered, mut published) = (false, false);
        while !(answered && published) {
            match c.receiver.recv().unwrap() {
                Message::Response(r) if r.id == id => {
                    times.push(start.elapsed());
                    answered = true;
                }
                Message::Notification(n)
                    if n.method == "textDocument/publishDiagnostics"
                        && n.params["uri"] == uri
                        && n.params["version"] == version =>
                {
                    published = true
                }
                _ => {}
            }
        }
    }
    times.sort();
    times
}
