//! The language server through an in-process client: every request it serves, both position
//! encodings, Terraform modules with unsaved buffers, configuration reload, and a storm of
//! random edits that ends with the same diagnostics as a fresh lint; and the binaries' exit
//! codes (1 for `exit` without `shutdown`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use rampart_lsp::position::{Encoding, Lines};
use rampart_lsp::{path_to_uri, run};
use serde_json::{json, Value};

struct Client {
    conn: Connection,
    queue: VecDeque<Notification>,
    next_id: i32,
    /// Answer to the server's workspace/configuration requests.
    configuration: Value,
}

impl Client {
    fn start(capabilities: Value, options: Value) -> Client {
        let (server, client) = Connection::memory();
        std::thread::spawn(move || {
            let _ = run(server, Arc::new(rampart::lsp::CoreLinter::new()));
        });
        let mut c = Client {
            conn: client,
            queue: VecDeque::new(),
            next_id: 0,
            configuration: Value::Null,
        };
        let init = c.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": capabilities, "initializationOptions": options}),
        );
        assert!(
            init["capabilities"]["codeActionProvider"].is_object(),
            "{init}"
        );
        c.notify("initialized", json!({}));
        c
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Message::Notification(Notification::new(
                method.into(),
                params,
            )))
            .unwrap();
    }

    fn pump(&mut self, timeout: Duration) -> Option<Message> {
        let msg = self.conn.receiver.recv_timeout(timeout).ok()?;
        if let Message::Request(req) = &msg {
            let result = match req.method.as_str() {
                "workspace/configuration" => json!([self.configuration]),
                _ => Value::Null,
            };
            self.conn
                .sender
                .send(Message::Response(Response::new_ok(req.id.clone(), result)))
                .unwrap();
        }
        Some(msg)
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.conn
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.into(),
                params,
            )))
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            match self.pump(Duration::from_millis(100)) {
                Some(Message::Response(r)) if r.id == id => {
                    assert!(r.error.is_none(), "{method}: {:?}", r.error);
                    return r.result.unwrap_or(Value::Null);
                }
                Some(Message::Notification(n)) => self.queue.push_back(n),
                _ => {}
            }
        }
        panic!("no response to {method}");
    }

    /// The next diagnostics published for `uri` that satisfy `ok`.
    fn diagnostics(&mut self, uri: &str, ok: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            while let Some(n) = self.queue.pop_front() {
                if n.method == "textDocument/publishDiagnostics"
                    && n.params["uri"] == uri
                    && ok(&n.params)
                {
                    return n.params;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no matching diagnostics for {uri}"
            );
            if let Some(Message::Notification(n)) = self.pump(Duration::from_millis(100)) {
                self.queue.push_back(n);
            }
        }
    }

    fn open(&self, uri: &str, text: &str, language: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }
}

fn codes(d: &Value) -> Vec<String> {
    let mut v: Vec<String> = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn uri(path: &Path) -> String {
    path_to_uri(path).unwrap().as_str().to_string()
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: café\nspec:\n  containers:\n    - {name: \"naïve-😀\", image: \"a:1.0\", resources: {limits: {cpu: 1, memory: 1Gi}}, securityContext: {privileged: true, allowPrivilegeEscalation: false, runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}}\n  serviceAccountName: app\n  automountServiceAccountToken: false\n";

fn privileged_range(d: &Value) -> Value {
    d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "K8S-001")
        .expect("K8S-001")["range"]
        .clone()
}

#[test]
fn diagnostics_in_utf16_and_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pod.yaml");
    std::fs::write(&path, POD).unwrap();
    let u = uri(&path);
    let at = POD.find("true,").unwrap();
    for (caps, enc) in [
        (json!({}), Encoding::Utf16),
        (
            json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
            Encoding::Utf8,
        ),
    ] {
        let mut c = Client::start(caps, Value::Null);
        c.open(&u, POD, "yaml");
        let d = c.diagnostics(&u, |d| !d["diagnostics"].as_array().unwrap().is_empty());
        assert_eq!(codes(&d), ["K8S-001"]);
        let want = Lines::new(POD).range(at, at + 4, enc);
        assert_eq!(
            privileged_range(&d),
            serde_json::to_value(want).unwrap(),
            "{enc:?}"
        );
        let diag = &d["diagnostics"][0];
        assert_eq!(diag["source"], "rampart");
        assert_eq!(diag["severity"], 1);
        assert!(diag["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/K8S-001.md"));
        assert_eq!(d["version"], 1);
    }
    // The columns really differ: é, ï and 😀 sit before the value on that line.
    assert_ne!(
        Lines::new(POD).position(at, Encoding::Utf16),
        Lines::new(POD).position(at, Encoding::Utf8)
    );
}

fn apply(text: &str, edits: &[Value], enc: Encoding) -> String {
    let lines = Lines::new(text);
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let r: lsp_types::Range = serde_json::from_value(e["range"].clone()).unwrap();
            (
                lines.offset(r.start, enc),
                lines.offset(r.end, enc),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort();
    let mut out = text.to_string();
    for (s, e, t) in spans.into_iter().rev() {
        out.replace_range(s..e, &t);
    }
    out
}

#[test]
fn code_actions_hover_changes_and_close() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pod.yaml");
    let text = format!("# rampart:ignore[K8S-002] no longer needed\n{POD}");
    std::fs::write(&path, &text).unwrap();
    let u = uri(&path);
    let mut c = Client::start(json!({}), Value::Null);
    c.open(&u, &text, "yaml");
    let d = c.diagnostics(&u, |d| codes(d) == ["K8S-001", "RAMPART-004"]);
    let unused = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "RAMPART-004")
        .unwrap();
    assert_eq!(
        unused["tags"],
        json!([1]),
        "unused suppressions are shown as unnecessary"
    );
    let range = privileged_range(&d);

    // Hover shows the rule's documentation.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": range["start"]}),
    );
    let doc = hover["contents"]["value"].as_str().unwrap();
    assert!(
        doc.starts_with("# K8S-001 privileged-container") && doc.contains("## Why it matters"),
        "{doc}"
    );
    assert_eq!(hover["range"], range);

    // Code actions: the fix (labelled unsafe), the suppression, and fix-all for the safe fix.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": range, "context": {"diagnostics": []}}),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Set `privileged: false` (unsafe fix)",
            "Suppress K8S-001 privileged-container here",
            "Fix all safe problems in this file",
        ]
    );
    let fix_all = &actions[2];
    assert_eq!(fix_all["kind"], "source.fixAll.rampart");
    let only = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": range, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    assert_eq!(only.as_array().unwrap().len(), 1);

    // Apply the suppression: the finding is silenced (and the new suppression is used).
    let edits = actions[1]["edit"]["changes"][&u]
        .as_array()
        .unwrap()
        .clone();
    let suppressed = apply(&text, &edits, Encoding::Utf16);
    assert!(
        suppressed
            .contains("    # rampart:ignore[K8S-001] TODO: why this is acceptable\n    - {name"),
        "{suppressed}"
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": suppressed}]}),
    );
    let d = c.diagnostics(&u, |d| d["version"] == 2);
    assert_eq!(codes(&d), ["RAMPART-004"]);

    // Back to the original by an incremental edit, then apply the fix: the finding is gone.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 3}, "contentChanges": [{"text": text}]}),
    );
    c.diagnostics(&u, |d| d["version"] == 3);
    let edits = actions[0]["edit"]["changes"][&u]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edits.len(), 1);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 4}, "contentChanges": [{"range": edits[0]["range"], "text": edits[0]["newText"]}]}),
    );
    let d = c.diagnostics(&u, |d| d["version"] == 4);
    assert_eq!(codes(&d), ["RAMPART-004"]);
    // Fix-all removes the unused suppression.
    let fixed = apply(
        &apply(&text, &edits, Encoding::Utf16),
        fix_all["edit"]["changes"][&u].as_array().unwrap(),
        Encoding::Utf16,
    );
    assert!(!fixed.contains("rampart:ignore"));

    c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    let d = c.diagnostics(&u, |d| d["diagnostics"].as_array().unwrap().is_empty());
    assert!(d["version"].is_null());
}

#[test]
fn terraform_siblings_use_unsaved_buffers() {
    let dir = tempfile::tempdir().unwrap();
    let vars = dir.path().join("variables.tf");
    let main = dir.path().join("main.tf");
    std::fs::write(&vars, "variable \"acl\" {\n  default = \"private\"\n}\n").unwrap();
    let main_text = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl    = var.acl\n}\n";
    std::fs::write(&main, main_text).unwrap();
    let (uv, um) = (uri(&vars), uri(&main));
    // Only high and above: the bucket's low-severity hygiene findings are not what this is about.
    let mut c = Client::start(json!({}), json!({"severity": "high"}));
    c.open(&um, main_text, "terraform");
    c.diagnostics(&um, |d| d["diagnostics"].as_array().unwrap().is_empty());
    c.open(
        &uv,
        "variable \"acl\" {\n  default = \"private\"\n}\n",
        "terraform",
    );
    // Typing in variables.tf (unsaved) updates main.tf.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uv, "version": 2}, "contentChanges": [{"text": "variable \"acl\" {\n  default = \"public-read\"\n}\n"}]}),
    );
    let d = c.diagnostics(&um, |d| !d["diagnostics"].as_array().unwrap().is_empty());
    assert_eq!(codes(&d), ["TF-AWS-001"]);
    let related = &d["diagnostics"][0]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uv);
    assert_eq!(
        related["location"]["range"]["start"],
        json!({"line": 1, "character": 12})
    );
}

#[test]
fn configuration_reload_and_client_settings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pod.yaml");
    let text = POD.replace("spec:\n", "spec:\n  hostPID: true\n");
    std::fs::write(&path, &text).unwrap();
    let u = uri(&path);
    // Client settings: only critical findings.
    let mut c = Client::start(
        json!({"workspace": {"configuration": true}}),
        json!({"severity": "critical"}),
    );
    c.open(&u, &text, "yaml");
    let d = c.diagnostics(&u, |_| true);
    assert_eq!(
        codes(&d),
        ["K8S-001"],
        "hostPID is high, below the threshold"
    );
    // .rampart.toml appears: reloaded on didChangeWatchedFiles.
    std::fs::write(dir.path().join(".rampart.toml"), "ignore = [\"K8S-001\"]\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&dir.path().join(".rampart.toml")), "type": 1}]}),
    );
    let d = c.diagnostics(&u, |d| codes(d).is_empty());
    assert!(codes(&d).is_empty());
    // Settings pulled with workspace/configuration after a change.
    c.configuration = json!({"severity": "low"});
    c.notify("workspace/didChangeConfiguration", json!({"settings": {}}));
    let d = c.diagnostics(&u, |d| !codes(d).is_empty());
    assert_eq!(codes(&d), ["K8S-003"]);
    // A broken configuration file is reported, not fatal.
    std::fs::write(dir.path().join(".rampart.toml"), "ignroe = []\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&dir.path().join(".rampart.toml")), "type": 2}]}),
    );
    let d = c.diagnostics(&u, |d| codes(d).contains(&"configuration".to_string()));
    let msg = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "configuration")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("did you mean `ignore`"), "{msg}");
}

/// A small deterministic random generator (no extra dependency).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn an_edit_storm_never_breaks_the_server_and_ends_like_a_fresh_lint() {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("storm.yaml");
    std::fs::write(&path, POD).unwrap();
    let u = uri(&path);
    let mut c = Client::start(json!({}), Value::Null);
    c.open(&u, POD, "yaml");
    let mut text = POD.to_string();
    let pieces = [
        "true",
        "false",
        "\n",
        "  ",
        "- ",
        "{",
        "}",
        "[",
        ":",
        "\"",
        "é",
        "😀",
        "privileged: true\n",
        "\t",
        "*a",
        "&a ",
        "---\n",
        "#",
    ];
    let mut rng = Rng(0x9E3779B97F4A7C15);
    let mut version = 1;
    for _ in 0..3000 {
        version += 1;
        let lines = Lines::new(&text);
        let len = text.len();
        let mut a = rng.below(len + 1);
        while !text.is_char_boundary(a) {
            a -= 1;
        }
        let mut b = (a + rng.below(8)).min(len);
        while !text.is_char_boundary(b) {
            b -= 1;
        }
        let insert = if rng.below(3) == 0 {
            ""
        } else {
            pieces[rng.below(pieces.len())]
        };
        let range = lines.range(a, b, Encoding::Utf16);
        text.replace_range(a..b, insert);
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": version}, "contentChanges": [{"range": range, "text": insert}]}),
        );
        if version % 500 == 0 {
            // Requests in the middle of the storm get answers.
            c.request(
                "textDocument/hover",
                json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": 0}}),
            );
            c.request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": u}, "range": range, "context": {"diagnostics": []}}),
            );
        }
    }
    let last = version;
    let d = c.diagnostics(&u, |d| d["version"] == last);
    // The same as a fresh lint of the final text.
    let fresh = rampart::lint::lint_one(rampart::lint::Unit::file(
        &path,
        &text,
        rampart::source::FileKind::Kubernetes,
        &rampart::config::Config::default(),
    ));
    let lines = Lines::new(&text);
    let mut want: Vec<(String, Value)> = fresh
        .active()
        .map(|f| {
            (
                f.meta.code.to_string(),
                serde_json::to_value(lines.range(f.span.start, f.span.end, Encoding::Utf16))
                    .unwrap(),
            )
        })
        .collect();
    let mut got: Vec<(String, Value)> = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["code"].as_str().unwrap().to_string(), x["range"].clone()))
        .collect();
    want.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.to_string().cmp(&b.1.to_string())));
    got.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.to_string().cmp(&b.1.to_string())));
    assert_eq!(got, want, "final text:\n{text}");
}

/// Framed messages for a server on stdio.
fn frames(messages: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in messages {
        let body = m.to_string();
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }
    out
}

#[test]
fn the_exit_code_says_whether_shutdown_came_first() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let init =
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}});
    let shutdown = json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"});
    let exit = json!({"jsonrpc": "2.0", "method": "exit"});
    let cases = [
        (vec![init.clone(), shutdown, exit.clone()], 0),
        (vec![init, exit.clone()], 1),
        (vec![exit], 1),
    ];
    for (bin, args) in [(env!("CARGO_BIN_EXE_rampart"), &["lsp"][..])] {
        for (messages, code) in &cases {
            let mut child = Command::new(bin)
                .args(args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            // The server stops reading at `exit`; the pipe stays open until then.
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(&frames(messages)).unwrap();
            let out = child.wait_with_output().unwrap();
            drop(stdin);
            let methods: Vec<&Value> = messages.iter().map(|m| &m["method"]).collect();
            assert_eq!(out.status.code(), Some(*code), "{bin} {methods:?}: {out:?}");
        }
    }
}

#[test]
fn a_misplaced_suppression_says_where_its_rule_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    let text = "FROM alpine:3.19\n# rampart:ignore[DOCKER-002] runs as root on purpose\nRUN apk add --no-cache curl=8.5.0-r0\n";
    std::fs::write(&path, text).unwrap();
    let u = uri(&path);
    let mut c = Client::start(json!({}), Value::Null);
    c.open(&u, text, "dockerfile");
    let d = c.diagnostics(&u, |d| codes(d).contains(&"RAMPART-004".to_string()));
    let unused = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "RAMPART-004")
        .unwrap();
    assert_eq!(
        unused["message"],
        "unused-suppression: suppression of DOCKER-002 is unused here: DOCKER-002 is reported at line 1 (`FROM alpine:3.19`)"
    );
    assert_eq!(unused["range"]["start"]["line"], 1);
    // The place it is reported at is a related location the editor can go to.
    let related = &unused["relatedInformation"][0];
    assert_eq!(related["message"], "DOCKER-002 is reported here");
    assert_eq!(related["location"]["uri"], u.as_str());
    assert_eq!(related["location"]["range"]["start"]["line"], 0);
}

#[test]
fn a_module_that_is_not_available_is_a_hint_at_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.tf");
    let text = "module \"vpc\" {\n  source  = \"terraform-aws-modules/vpc/aws\"\n  version = \"5.1.0\"\n}\n";
    std::fs::write(&path, text).unwrap();
    let u = uri(&path);
    let mut c = Client::start(json!({}), Value::Null);
    c.open(&u, text, "terraform");
    let d = c.diagnostics(&u, |d| codes(d) == ["RAMPART-005"]);
    let hint = &d["diagnostics"][0];
    assert_eq!(hint["severity"], 4, "{hint}");
    assert_eq!(hint["range"]["start"], json!({"line": 1, "character": 12}));
    assert!(
        hint["message"]
            .as_str()
            .unwrap()
            .contains("module `terraform-aws-modules/vpc/aws` is not available locally"),
        "{hint}"
    );
    assert_eq!(
        hint["codeDescription"]["href"],
        "https://github.com/rampart-lint/rampart/blob/main/docs/rules/RAMPART-005.md"
    );
}
