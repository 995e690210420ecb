//! Linting off the server's loop, with a linter that blocks until the test lets it go: the
//! server answers requests while a lint runs, never publishes the results of a text that
//! changed meanwhile, lints only the latest text of a burst of edits, answers a code action
//! from the diagnostics of the text it was asked about, and shuts down cleanly mid-lint.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{unbounded, Receiver, Sender};
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use rampart_lsp::{
    path_to_uri, run, Diagnostic, Edit, Ending, FileDiagnostics, Fix, Level, Linter, Safety,
    Settings,
};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(10);

/// Lints of `slow.yaml` block until released. A diagnostic covers the whole text and its
/// message is that text, so a publication says which text it was computed from.
struct Gate {
    started: Sender<String>,
    release: Receiver<()>,
    linted: Mutex<Vec<String>>,
}

impl Linter for Gate {
    fn handles(&self, _: &Path) -> bool {
        true
    }

    fn lint(
        &self,
        path: &Path,
        text: &str,
        _open: &dyn Fn(&Path) -> Option<String>,
        _settings: &Settings,
    ) -> Vec<FileDiagnostics> {
        self.linted.lock().unwrap().push(text.to_string());
        if path.ends_with("slow.yaml") {
            self.started.send(text.to_string()).unwrap();
            // The test may end first.
            let _ = self.release.recv();
        }
        vec![FileDiagnostics {
            path: path.to_path_buf(),
            text: Arc::from(text),
            diagnostics: vec![Diagnostic {
                code: "T-001".into(),
                name: "test".into(),
                message: text.trim().into(),
                level: Level::Warning,
                start: 0,
                end: text.len(),
                href: String::new(),
                related: Vec::new(),
                fixes: vec![Fix {
                    title: format!("Replace {}", text.trim()),
                    safety: Safety::Unsafe,
                    edits: vec![Edit {
                        start: 0,
                        end: text.len(),
                        text: "fixed\n".into(),
                    }],
                }],
                suppress: None,
                unnecessary: false,
            }],
        }]
    }

    fn fix_all(
        &self,
        _: &Path,
        _: &str,
        _: &dyn Fn(&Path) -> Option<String>,
        _: &Settings,
    ) -> Option<String> {
        None
    }

    fn docs(&self, code: &str) -> Option<String> {
        Some(format!("# {code}"))
    }

    fn reload(&self) {}
}

/// A gate, how to see that a slow lint started, and how to release it.
fn gate() -> (Arc<Gate>, Receiver<String>, Sender<()>) {
    let (started_tx, started) = unbounded();
    let (release, release_rx) = unbounded();
    let gate = Arc::new(Gate {
        started: started_tx,
        release: release_rx,
        linted: Mutex::new(Vec::new()),
    });
    (gate, started, release)
}

struct Client {
    conn: Connection,
    server: Option<JoinHandle<Ending>>,
    gate: Arc<Gate>,
    started: Receiver<String>,
    release: Sender<()>,
    next_id: i32,
    /// Notifications and responses not looked at yet.
    seen: Vec<Message>,
}

impl Client {
    fn start() -> Client {
        let (gate, started, release) = gate();
        let (server, conn) = Connection::memory();
        let linter = gate.clone();
        let server = std::thread::spawn(move || run(server, linter).unwrap());
        let mut c = Client {
            conn,
            server: Some(server),
            gate,
            started,
            release,
            next_id: 0,
            seen: Vec::new(),
        };
        let id = c.send("initialize", json!({"capabilities": {}}));
        c.response(&id).result.unwrap();
        c.notify("initialized", json!({}));
        c
    }

    fn notify(&self, method: &str, params: Value) {
        let n = Notification::new(method.into(), params);
        self.conn.sender.send(Message::Notification(n)).unwrap();
    }

    fn send(&mut self, method: &str, params: Value) -> RequestId {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let req = Request::new(id.clone(), method.into(), params);
        self.conn.sender.send(Message::Request(req)).unwrap();
        id
    }

    fn recv(&mut self, deadline: Instant) {
        let timeout = deadline.saturating_duration_since(Instant::now());
        match self.conn.receiver.recv_timeout(timeout) {
            Ok(m) => self.seen.push(m),
            Err(_) => panic!("the server said nothing in time; so far: {:?}", self.seen),
        }
    }

    fn response(&mut self, id: &RequestId) -> Response {
        let deadline = Instant::now() + WAIT;
        loop {
            let at = self
                .seen
                .iter()
                .position(|m| matches!(m, Message::Response(r) if r.id == *id));
            if let Some(at) = at {
                let Message::Response(r) = self.seen.remove(at) else {
                    unreachable!()
                };
                return r;
            }
            self.recv(deadline);
        }
    }

    /// Waits until the server has handled everything sent so far (it answers in order).
    fn barrier(&mut self) {
        let id = self.send(
            "textDocument/hover",
            json!({"textDocument": {"uri": "file:///not/open.yaml"}, "position": {"line": 0, "character": 0}}),
        );
        assert_eq!(self.response(&id).result, Some(Value::Null));
    }

    /// The messages of the diagnostics published for `uri` so far, with their versions.
    fn published(&self, uri: &str) -> Vec<(Value, Vec<String>)> {
        self.seen
            .iter()
            .filter_map(|m| match m {
                Message::Notification(n)
                    if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri =>
                {
                    let messages = n.params["diagnostics"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|d| {
                            let m = d["message"].as_str().unwrap();
                            m.strip_prefix("test: ").unwrap_or(m).to_string()
                        })
                        .collect();
                    Some((n.params["version"].clone(), messages))
                }
                _ => None,
            })
            .collect()
    }

    fn wait_published(&mut self, uri: &str, version: i32) -> Vec<String> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some((_, m)) = self.published(uri).into_iter().find(|(v, _)| *v == version) {
                return m;
            }
            self.recv(deadline);
        }
    }

    fn open(&self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
    }

    fn change(&self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn code_action(&mut self, uri: &str) -> RequestId {
        self.send(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}),
        )
    }

    fn titles(&mut self, id: &RequestId) -> Vec<String> {
        let r = self.response(id);
        assert!(r.error.is_none(), "{:?}", r.error);
        r.result
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap().to_string())
            .collect()
    }

    fn lint_started(&self) -> String {
        self.started.recv_timeout(WAIT).expect("a lint started")
    }

    fn end(mut self) -> Ending {
        let id = self.send("shutdown", Value::Null);
        assert!(self.response(&id).error.is_none());
        self.notify("exit", Value::Null);
        let ending = self.server.take().unwrap().join().unwrap();
        // Let a lint still blocked finish.
        let _ = self.release.send(());
        ending
    }
}

fn uri(name: &str) -> String {
    path_to_uri(&PathBuf::from("/work").join(name))
        .unwrap()
        .as_str()
        .to_string()
}

#[test]
fn hover_and_code_actions_answer_while_a_lint_runs() {
    let mut c = Client::start();
    let (fast, slow) = (uri("fast.yaml"), uri("slow.yaml"));
    c.open(&fast, "fast\n");
    assert_eq!(c.wait_published(&fast, 1), ["fast"]);
    c.open(&slow, "slow\n");
    assert_eq!(c.lint_started(), "slow\n");

    // The lint of slow.yaml is blocked: the other document is still served.
    let hover = c.send(
        "textDocument/hover",
        json!({"textDocument": {"uri": fast}, "position": {"line": 0, "character": 1}}),
    );
    let hover = c.response(&hover).result.unwrap();
    assert_eq!(hover["contents"]["value"], "# T-001");
    let actions = c.code_action(&fast);
    assert_eq!(c.titles(&actions), ["Replace fast (unsafe fix)"]);
    assert!(c.published(&slow).is_empty());

    c.release.send(()).unwrap();
    assert_eq!(c.wait_published(&slow, 1), ["slow"]);
    assert_eq!(c.end(), Ending::Clean);
}

#[test]
fn stale_results_are_dropped_and_a_burst_of_edits_is_linted_once() {
    let mut c = Client::start();
    let slow = uri("slow.yaml");
    c.open(&slow, "one\n");
    assert_eq!(c.lint_started(), "one\n");
    c.change(&slow, 2, "two\n");
    c.change(&slow, 3, "three\n");
    c.barrier();

    // The lint of version 1 ends after the edits: its results are not published, and the
    // next lint takes the latest text.
    c.release.send(()).unwrap();
    assert_eq!(c.lint_started(), "three\n");
    c.release.send(()).unwrap();
    assert_eq!(c.wait_published(&slow, 3), ["three"]);
    c.barrier();
    assert_eq!(c.published(&slow), [(json!(3), vec!["three".to_string()])]);
    assert_eq!(*c.gate.linted.lock().unwrap(), ["one\n", "three\n"]);
    assert_eq!(c.end(), Ending::Clean);
}

#[test]
fn code_actions_use_the_diagnostics_of_the_text_they_ask_about() {
    let mut c = Client::start();
    let slow = uri("slow.yaml");
    c.open(&slow, "one\n");
    assert_eq!(c.lint_started(), "one\n");
    // Asked about version 1 while it is being linted: answered from that lint.
    let first = c.code_action(&slow);
    c.change(&slow, 2, "two\n");
    // Asked about version 2, which changes before it is linted: ContentModified.
    let second = c.code_action(&slow);
    c.change(&slow, 3, "three\n");
    let third = c.code_action(&slow);
    // A waiting request can be cancelled.
    let cancelled = c.code_action(&slow);
    c.notify("$/cancelRequest", json!({ "id": cancelled }));
    c.barrier();
    assert_eq!(c.response(&cancelled).error.unwrap().code, -32800);

    c.release.send(()).unwrap();
    assert_eq!(c.titles(&first), ["Replace one (unsafe fix)"]);
    assert_eq!(c.lint_started(), "three\n");
    c.release.send(()).unwrap();
    assert_eq!(c.titles(&third), ["Replace three (unsafe fix)"]);
    assert_eq!(c.response(&second).error.unwrap().code, -32801);
    assert_eq!(c.published(&slow), [(json!(3), vec!["three".to_string()])]);
    assert_eq!(c.end(), Ending::Clean);
}

#[test]
fn shutdown_and_exit_while_a_lint_runs() {
    let mut c = Client::start();
    let slow = uri("slow.yaml");
    c.open(&slow, "one\n");
    assert_eq!(c.lint_started(), "one\n");
    let waiting = c.code_action(&slow);
    let id = c.send("shutdown", Value::Null);
    // The waiting request is answered before the shutdown.
    assert_eq!(c.response(&waiting).error.unwrap().code, -32803);
    assert!(c.response(&id).error.is_none());
    let after = c.send("textDocument/hover", json!({}));
    assert_eq!(c.response(&after).error.unwrap().code, -32600);
    c.notify("exit", Value::Null);
    assert_eq!(c.server.take().unwrap().join().unwrap(), Ending::Clean);
    c.release.send(()).unwrap();
}

#[test]
fn exit_without_shutdown_is_not_a_clean_ending() {
    // After initialize.
    let mut c = Client::start();
    c.notify("exit", Value::Null);
    assert_eq!(
        c.server.take().unwrap().join().unwrap(),
        Ending::ExitWithoutShutdown
    );
    assert_eq!(Ending::ExitWithoutShutdown.exit_code(), 1);
    // Before initialize.
    let (server, conn) = Connection::memory();
    let (gate, _started, _release) = gate();
    let handle = std::thread::spawn(move || run(server, gate).unwrap());
    conn.sender
        .send(Message::Notification(Notification::new(
            "exit".into(),
            Value::Null,
        )))
        .unwrap();
    assert_eq!(handle.join().unwrap(), Ending::ExitWithoutShutdown);
    // The connection closes without exit: the client is gone, nothing to report.
    let c = Client::start();
    let Client { conn, server, .. } = c;
    drop(conn);
    assert_eq!(server.unwrap().join().unwrap(), Ending::Clean);
}
