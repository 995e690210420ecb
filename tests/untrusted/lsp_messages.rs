//! The language server binary over pipes, fed what a broken or hostile client sends: a body
//! that is not JSON, JSON that is not a message, a lone UTF-16 surrogate escape in a document's
//! text, a request after `shutdown`. Each gets the answer JSON-RPC and LSP prescribe, the
//! server keeps serving, and it exits cleanly on `exit`.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(30);

struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
}

/// Read `Content-Length` framed messages from the server's stdout.
fn frames(stdout: impl Read + Send + 'static) -> Receiver<Value> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        loop {
            let mut length = None;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(v) = line.strip_prefix("Content-Length: ") {
                    length = v.parse::<usize>().ok();
                }
            }
            let mut body = vec![0; length.expect("a Content-Length header")];
            if r.read_exact(&mut body).is_err() {
                return;
            }
            let _ = tx.send(serde_json::from_slice(&body).expect("the server writes JSON"));
        }
    });
    rx
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rampart"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let messages = frames(child.stdout.take().unwrap());
        Server {
            child,
            stdin,
            messages,
        }
    }

    /// Send a body as it is, framed.
    fn send_raw(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, message: Value) {
        self.send_raw(&message.to_string());
    }

    /// The next message that `wanted` accepts; server requests are answered on the way.
    fn wait(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = match self.messages.recv_timeout(left) {
                Ok(m) => m,
                Err(_) => panic!("no {what} from the server: {:?}", self.child.try_wait()),
            };
            if wanted(&m) {
                return m;
            }
            if m.get("method").is_some() && m.get("id").is_some() {
                let id = m["id"].clone();
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
            }
        }
    }

    /// The response to request `id`.
    fn response(&mut self, id: Value) -> Value {
        self.wait(&format!("response {id}"), |m| {
            m["id"] == id && m.get("method").is_none()
        })
    }
}

#[test]
fn bad_messages_are_answered_and_the_server_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("file://{}/pod.yaml", dir.path().display());
    let mut s = Server::start();
    s.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": null, "rootUri": null, "capabilities": {}}}));
    let init = s.response(json!(1));
    assert!(init["result"]["capabilities"].is_object(), "{init}");
    s.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));

    // Not JSON: a parse error with id null.
    s.send_raw("{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": ");
    let parse = s.response(Value::Null);
    assert_eq!(parse["error"]["code"], -32700, "{parse}");
    // JSON, but not a request: invalid request, answered with its id.
    s.send_raw(r#"{"jsonrpc": "2.0", "id": 3, "method": 42}"#);
    let invalid = s.response(json!(3));
    assert_eq!(invalid["error"]["code"], -32600, "{invalid}");
    s.send_raw("[]");
    let invalid = s.response(Value::Null);
    assert_eq!(invalid["error"]["code"], -32600, "{invalid}");

    // A lone surrogate escape in the text of a document: decoded as U+FFFD, and linted.
    let text = "apiVersion: v1\\nkind: Pod\\nmetadata:\\n  name: web\\ud83d\\nspec:\\n  containers:\\n    - name: app\\n      image: nginx:1.25\\n      securityContext:\\n        privileged: true\\n";
    s.send_raw(&format!(
        r#"{{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {{"textDocument": {{"uri": "{uri}", "languageId": "yaml", "version": 1, "text": "{text}"}}}}}}"#
    ));
    let published = s.wait("diagnostics", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
    });
    let diagnostics = published["params"]["diagnostics"].as_array().unwrap();
    let privileged = diagnostics
        .iter()
        .find(|d| d["code"] == "K8S-001")
        .unwrap_or_else(|| panic!("{published}"));
    assert!(
        privileged["message"]
            .as_str()
            .unwrap()
            .contains("web\u{fffd}"),
        "{privileged}"
    );

    // A valid request is still served.
    s.send(json!({"jsonrpc": "2.0", "id": 4, "method": "textDocument/hover", "params": {"textDocument": {"uri": uri}, "position": privileged["range"]["start"]}}));
    let hover = s.response(json!(4));
    assert!(hover.get("error").is_none(), "{hover}");
    assert!(hover["result"]["contents"].is_object(), "{hover}");

    // After shutdown, a request is refused (InvalidRequest) and the server waits for exit.
    s.send(json!({"jsonrpc": "2.0", "id": 5, "method": "shutdown"}));
    let shutdown = s.response(json!(5));
    assert!(shutdown.get("error").is_none(), "{shutdown}");
    s.send(json!({"jsonrpc": "2.0", "id": 6, "method": "textDocument/hover", "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}}));
    let refused = s.response(json!(6));
    assert_eq!(refused["error"]["code"], -32600, "{refused}");
    s.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    s.child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
}

#[test]
fn requests_before_initialize_and_a_broken_initialize_are_answered() {
    let mut s = Server::start();
    s.send_raw("not json at all");
    assert_eq!(s.response(Value::Null)["error"]["code"], -32700);
    s.send(json!({"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": {}}));
    assert_eq!(s.response(json!(1))["error"]["code"], -32002);
    s.send(
        json!({"jsonrpc": "2.0", "id": 2, "method": "initialize", "params": {"capabilities": 7}}),
    );
    assert_eq!(s.response(json!(2))["error"]["code"], -32602);
    s.send(json!({"jsonrpc": "2.0", "id": 3, "method": "initialize", "params": {"processId": null, "rootUri": null, "capabilities": {}}}));
    assert!(s.response(json!(3))["result"]["capabilities"].is_object());
    // End of input without shutdown: the server stops.
    drop(s.stdin);
    let deadline = Instant::now() + TIMEOUT;
    while s.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}
