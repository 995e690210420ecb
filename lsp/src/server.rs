//! The protocol: document store, incremental sync, publishing, code actions, hover,
//! configuration. Documents are linted on the server's loop whenever no message is waiting:
//! a burst of edits is applied before the next lint (the latest text wins), so results from
//! older text are never produced, and there is no hand-off to another thread on the way from
//! `didChange` to `publishDiagnostics`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use crossbeam_channel::{Sender, TryRecvError};
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types as lt;
use serde_json::{json, Value};

use crate::linter::{self, Linter, Settings};
use crate::position::{Encoding, Lines};

pub const FIX_ALL_KIND: &str = "source.fixAll.rampart";

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Serve over stdin/stdout until the client exits.
pub fn run_stdio(linter: Arc<dyn Linter>) -> Result<(), Error> {
    let (connection, io) = crate::transport::stdio();
    run(connection, linter)?;
    io.join()?;
    Ok(())
}

/// A `file://` URI for a path.
pub fn path_to_uri(path: &Path) -> Option<lt::Uri> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut s = String::from("file://");
    for b in abs.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    lt::Uri::from_str(&s).ok()
}

/// The path of a `file://` URI.
pub fn uri_to_path(uri: &lt::Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let rest = rest.find('/').map(|i| &rest[i..])?; // drop an authority (`localhost`)
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    Some(PathBuf::from(String::from_utf8(out).ok()?))
}

struct Doc {
    path: PathBuf,
    text: String,
    version: i32,
    generation: u64,
}

/// What was last published for a file, with the text it was computed from.
struct Published {
    generation: u64,
    text: Arc<str>,
    diagnostics: Vec<linter::Diagnostic>,
}

#[derive(Default)]
struct State {
    docs: HashMap<String, Doc>,
    published: HashMap<String, Published>,
    /// Documents waiting to be linted, oldest first, each once.
    queue: VecDeque<String>,
    queued: HashSet<String>,
    settings: Settings,
    generation: u64,
}

struct Server {
    sender: Sender<Message>,
    linter: Arc<dyn Linter>,
    encoding: Encoding,
    state: State,
    init_settings: Settings,
    pull_configuration: bool,
    next_request: u64,
    config_requests: HashSet<RequestId>,
}

fn negotiate(caps: &lt::ClientCapabilities) -> Encoding {
    let offered = caps
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&lt::PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

/// Wait for `initialize`: other requests are answered ServerNotInitialized, an `initialize`
/// whose parameters cannot be read InvalidParams; `None` when the client exits first.
fn initialize(connection: &Connection) -> Option<(RequestId, lt::InitializeParams)> {
    loop {
        let req = match connection.receiver.recv().ok()? {
            Message::Request(req) => req,
            Message::Notification(n) if n.method == "exit" => return None,
            _ => continue,
        };
        let error = if req.method == "initialize" {
            match serde_json::from_value(req.params) {
                Ok(init) => return Some((req.id, init)),
                Err(e) => bad_params(e),
            }
        } else {
            (
                lsp_server::ErrorCode::ServerNotInitialized as i32,
                format!("{} before initialize", req.method),
            )
        };
        let _ = connection.sender.send(Message::Response(Response::new_err(
            req.id, error.0, error.1,
        )));
    }
}

pub fn run(connection: Connection, linter: Arc<dyn Linter>) -> Result<(), Error> {
    let Some((id, init)) = initialize(&connection) else {
        return Ok(());
    };
    let encoding = negotiate(&init.capabilities);
    let init_settings: Settings = init
        .initialization_options
        .clone()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let capabilities = lt::ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => lt::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lt::PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(lt::TextDocumentSyncCapability::Options(
            lt::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lt::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lt::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        code_action_provider: Some(lt::CodeActionProviderCapability::Options(
            lt::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lt::CodeActionKind::QUICKFIX,
                    lt::CodeActionKind::new(FIX_ALL_KIND),
                ]),
                resolve_provider: Some(false),
                ..Default::default()
            },
        )),
        hover_provider: Some(lt::HoverProviderCapability::Simple(true)),
        workspace: Some(lt::WorkspaceServerCapabilities {
            workspace_folders: Some(lt::WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(lt::OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    };
    // `initialized` is handled by the loop below.
    let _ = connection.sender.send(Message::Response(Response::new_ok(
        id,
        json!({
            "capabilities": capabilities,
            "serverInfo": {"name": "rampart", "version": env!("CARGO_PKG_VERSION")},
        }),
    )));
    let workspace = init.capabilities.workspace.as_ref();
    let pull_configuration = workspace.and_then(|w| w.configuration).unwrap_or(false);
    let watch = workspace
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);

    let mut server = Server {
        sender: connection.sender.clone(),
        linter,
        encoding,
        state: State {
            settings: init_settings.clone(),
            ..State::default()
        },
        init_settings,
        pull_configuration,
        next_request: 0,
        config_requests: HashSet::new(),
    };
    if watch {
        server.request(
            "client/registerCapability",
            json!({"registrations": [{
                "id": "rampart-config-watch",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": {"watchers": [{"globPattern": "**/.rampart.toml"}]},
            }]}),
        );
    }
    // After `shutdown`, requests are answered InvalidRequest until `exit`.
    let mut shut_down = false;
    loop {
        // Messages first; lint only when none is waiting.
        let message = if server.state.queue.is_empty() {
            match connection.receiver.recv() {
                Ok(m) => m,
                Err(_) => return Ok(()),
            }
        } else {
            match connection.receiver.try_recv() {
                Ok(m) => m,
                Err(TryRecvError::Empty) => {
                    server.lint_next();
                    continue;
                }
                Err(TryRecvError::Disconnected) => return Ok(()),
            }
        };
        match message {
            Message::Request(req) if shut_down => {
                let _ = server.sender.send(Message::Response(Response::new_err(
                    req.id,
                    lsp_server::ErrorCode::InvalidRequest as i32,
                    format!("{} after shutdown", req.method),
                )));
            }
            Message::Request(req) if req.method == "shutdown" => {
                shut_down = true;
                server.state.queue.clear();
                server.state.queued.clear();
                let _ = server
                    .sender
                    .send(Message::Response(Response::new_ok(req.id, Value::Null)));
            }
            Message::Notification(n) if n.method == "exit" => return Ok(()),
            Message::Notification(_) if shut_down => {}
            Message::Request(req) => {
                let id = req.id.clone();
                let method = req.method.clone();
                let response = catch_unwind(AssertUnwindSafe(|| server.handle_request(req)))
                    .unwrap_or_else(|_| {
                        server.log(&format!("rampart: internal error while handling {method}"));
                        Err((
                            lsp_server::ErrorCode::InternalError as i32,
                            "internal error".into(),
                        ))
                    });
                let response = match response {
                    Ok(result) => Response::new_ok(id, result),
                    Err((code, message)) => Response::new_err(id, code, message),
                };
                let _ = server.sender.send(Message::Response(response));
            }
            Message::Notification(n) => {
                let method = n.method.clone();
                if catch_unwind(AssertUnwindSafe(|| server.handle_notification(n))).is_err() {
                    server.log(&format!("rampart: internal error while handling {method}"));
                }
            }
            Message::Response(r) => server.handle_response(r),
        }
    }
}

type HandlerResult = Result<Value, (i32, String)>;

fn bad_params(e: serde_json::Error) -> (i32, String) {
    (lsp_server::ErrorCode::InvalidParams as i32, e.to_string())
}

impl Server {
    fn log(&self, message: &str) {
        let _ = self.sender.send(Message::Notification(Notification::new(
            "window/logMessage".into(),
            json!({"type": 1, "message": message}),
        )));
    }

    fn request(&mut self, method: &str, params: Value) -> RequestId {
        self.next_request += 1;
        let id = RequestId::from(format!("rampart-{}", self.next_request));
        let _ = self.sender.send(Message::Request(Request::new(
            id.clone(),
            method.into(),
            params,
        )));
        id
    }

    fn schedule(&mut self, uri: &str) {
        if self.state.queued.insert(uri.to_string()) {
            self.state.queue.push_back(uri.to_string());
        }
    }

    fn schedule_all(&mut self) {
        let mut uris: Vec<String> = self.state.docs.keys().cloned().collect();
        uris.sort();
        for uri in uris {
            self.schedule(&uri);
        }
    }

    /// Lint the next queued document (its latest text) and publish, for it and for the
    /// other files the change affects.
    fn lint_next(&mut self) {
        let Some(uri) = self.state.queue.pop_front() else {
            return;
        };
        self.state.queued.remove(&uri);
        let Some(doc) = self.state.docs.get(&uri) else {
            return;
        };
        let (path, generation) = (doc.path.clone(), doc.generation);
        let results = self.run_lint(&uri);
        for file in results {
            let file_uri = if file.path == path {
                lt::Uri::from_str(&uri).ok()
            } else {
                path_to_uri(&file.path)
            };
            let Some(file_uri) = file_uri else { continue };
            let key = file_uri.as_str().to_string();
            let (gen, version) = match self.state.docs.get(&key) {
                Some(d) if key == uri => (generation, Some(d.version)),
                // Another open document: published with its own version, from its own text.
                Some(d) if *d.text == *file.text => (d.generation, Some(d.version)),
                Some(_) => continue,
                None => (0, None),
            };
            let lines = Lines::new(&file.text);
            let lsp: Vec<lt::Diagnostic> = file
                .diagnostics
                .iter()
                .map(|d| to_lsp(d, &lines, self.encoding))
                .collect();
            publish(&self.sender, &file_uri, lsp, version);
            self.state.published.insert(
                key,
                Published {
                    generation: gen,
                    text: file.text,
                    diagnostics: file.diagnostics,
                },
            );
        }
    }

    /// Lint a document's current text; a failure of the linter becomes a diagnostic and a log
    /// line, never the end of the server.
    fn run_lint(&self, uri: &str) -> Vec<linter::FileDiagnostics> {
        let Some(doc) = self.state.docs.get(uri) else {
            return Vec::new();
        };
        let docs = &self.state.docs;
        let open = |p: &Path| open_text(docs, p);
        let settings = &self.state.settings;
        match catch_unwind(AssertUnwindSafe(|| {
            self.linter.lint(&doc.path, &doc.text, &open, settings)
        })) {
            Ok(results) => results,
            Err(_) => {
                self.log(&format!(
                    "rampart: internal error while linting {}",
                    doc.path.display()
                ));
                vec![linter::FileDiagnostics {
                    path: doc.path.clone(),
                    text: Arc::from(doc.text.as_str()),
                    diagnostics: vec![linter::Diagnostic {
                        code: "RAMPART-003".into(),
                        name: "internal-error".into(),
                        message: "rampart failed on this file; the error is in the server log"
                            .into(),
                        level: linter::Level::Error,
                        start: 0,
                        end: 0,
                        href: String::new(),
                        related: Vec::new(),
                        fixes: Vec::new(),
                        suppress: None,
                        unnecessary: false,
                    }],
                }]
            }
        }
    }

    fn request_configuration(&mut self) {
        if self.pull_configuration {
            let id = self.request(
                "workspace/configuration",
                json!({"items": [{"section": "rampart"}]}),
            );
            self.config_requests.insert(id);
        }
    }

    fn handle_response(&mut self, r: Response) {
        if !self.config_requests.remove(&r.id) {
            return;
        }
        let pulled = r
            .result
            .as_ref()
            .and_then(|v| v.get(0))
            .filter(|v| !v.is_null())
            .and_then(|v| serde_json::from_value::<Settings>(v.clone()).ok());
        if let Some(s) = pulled {
            let merged = Settings {
                profile: s.profile.or(self.init_settings.profile.clone()),
                severity: s.severity.or(self.init_settings.severity.clone()),
            };
            self.state.settings = merged;
            self.schedule_all();
        }
    }

    fn handle_notification(&mut self, n: Notification) {
        match n.method.as_str() {
            "initialized" => self.request_configuration(),
            "textDocument/didOpen" => {
                let Ok(p) = serde_json::from_value::<lt::DidOpenTextDocumentParams>(n.params)
                else {
                    return;
                };
                let Some(path) = uri_to_path(&p.text_document.uri) else {
                    return;
                };
                if !self.linter.handles(&path) {
                    return;
                }
                let uri = p.text_document.uri.as_str().to_string();
                {
                    let st = &mut self.state;
                    st.generation += 1;
                    let generation = st.generation;
                    st.docs.insert(
                        uri.clone(),
                        Doc {
                            path,
                            text: p.text_document.text,
                            version: p.text_document.version,
                            generation,
                        },
                    );
                }
                self.schedule(&uri);
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<lt::DidChangeTextDocumentParams>(n.params)
                else {
                    return;
                };
                let uri = p.text_document.uri.as_str().to_string();
                {
                    let st = &mut self.state;
                    st.generation += 1;
                    let generation = st.generation;
                    let Some(doc) = st.docs.get_mut(&uri) else {
                        return;
                    };
                    for change in p.content_changes {
                        match change.range {
                            Some(range) => {
                                let lines = Lines::new(&doc.text);
                                let start = lines.offset(range.start, self.encoding);
                                let end = lines.offset(range.end, self.encoding).max(start);
                                doc.text.replace_range(start..end, &change.text);
                            }
                            None => doc.text = change.text,
                        }
                    }
                    doc.version = p.text_document.version;
                    doc.generation = generation;
                }
                self.schedule(&uri);
            }
            "textDocument/didSave" => {
                let Ok(p) = serde_json::from_value::<lt::DidSaveTextDocumentParams>(n.params)
                else {
                    return;
                };
                let uri = p.text_document.uri.as_str().to_string();
                if let Some(text) = p.text {
                    let st = &mut self.state;
                    st.generation += 1;
                    let generation = st.generation;
                    if let Some(doc) = st.docs.get_mut(&uri) {
                        doc.text = text;
                        doc.generation = generation;
                    }
                }
                self.schedule(&uri);
            }
            "textDocument/didClose" => {
                let Ok(p) = serde_json::from_value::<lt::DidCloseTextDocumentParams>(n.params)
                else {
                    return;
                };
                let uri = p.text_document.uri.as_str().to_string();
                {
                    self.state.docs.remove(&uri);
                    self.state.published.remove(&uri);
                }
                publish(&self.sender, &p.text_document.uri, Vec::new(), None);
            }
            "workspace/didChangeConfiguration" => {
                let p: Option<lt::DidChangeConfigurationParams> =
                    serde_json::from_value(n.params).ok();
                let inline = p
                    .and_then(|p| p.settings.get("rampart").cloned())
                    .and_then(|v| serde_json::from_value::<Settings>(v).ok());
                match inline {
                    Some(s) => {
                        self.state.settings = s;
                        self.schedule_all();
                    }
                    None => self.request_configuration(),
                }
            }
            "workspace/didChangeWatchedFiles" => {
                let Ok(p) = serde_json::from_value::<lt::DidChangeWatchedFilesParams>(n.params)
                else {
                    return;
                };
                if p.changes
                    .iter()
                    .any(|c| c.uri.as_str().ends_with(".rampart.toml"))
                {
                    self.linter.reload();
                    self.schedule_all();
                }
            }
            _ => {}
        }
    }

    fn handle_request(&mut self, req: Request) -> HandlerResult {
        match req.method.as_str() {
            "textDocument/codeAction" => {
                let p: lt::CodeActionParams =
                    serde_json::from_value(req.params).map_err(bad_params)?;
                Ok(serde_json::to_value(self.code_actions(p)).unwrap_or(Value::Null))
            }
            "textDocument/hover" => {
                let p: lt::HoverParams = serde_json::from_value(req.params).map_err(bad_params)?;
                Ok(serde_json::to_value(self.hover(p)).unwrap_or(Value::Null))
            }
            _ => Err((
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("rampart does not handle {}", req.method),
            )),
        }
    }

    /// The current document's diagnostics, linting now if the published ones are stale.
    fn fresh(&self, uri: &str) -> Option<(Arc<str>, Vec<linter::Diagnostic>, PathBuf)> {
        let doc = self.state.docs.get(uri)?;
        if let Some(p) = self
            .state
            .published
            .get(uri)
            .filter(|p| p.generation == doc.generation)
        {
            return Some((p.text.clone(), p.diagnostics.clone(), doc.path.clone()));
        }
        let mine = self
            .run_lint(uri)
            .into_iter()
            .find(|r| r.path == doc.path)?;
        Some((mine.text, mine.diagnostics, doc.path.clone()))
    }

    fn code_actions(&self, p: lt::CodeActionParams) -> Vec<lt::CodeActionOrCommand> {
        let uri = p.text_document.uri.as_str().to_string();
        let Some((text, diagnostics, path)) = self.fresh(&uri) else {
            return Vec::new();
        };
        let lines = Lines::new(&text);
        let enc = self.encoding;
        let start = lines.offset(p.range.start, enc);
        let end = lines.offset(p.range.end, enc);
        let wants = |kind: &str| {
            p.context
                .only
                .as_ref()
                .is_none_or(|only| only.iter().any(|k| kind.starts_with(k.as_str())))
        };
        let edit = |edits: &[linter::Edit]| -> lt::WorkspaceEdit {
            let text_edits = edits
                .iter()
                .map(|e| lt::TextEdit::new(lines.range(e.start, e.end, enc), e.text.clone()))
                .collect();
            lt::WorkspaceEdit {
                changes: Some(HashMap::from([(p.text_document.uri.clone(), text_edits)])),
                ..Default::default()
            }
        };
        let mut actions = Vec::new();
        if wants(lt::CodeActionKind::QUICKFIX.as_str()) {
            for d in diagnostics
                .iter()
                .filter(|d| d.start <= end && start <= d.end)
            {
                let lsp_diag = to_lsp(d, &lines, enc);
                for fix in &d.fixes {
                    let label = match fix.safety {
                        linter::Safety::Safe => "safe fix",
                        linter::Safety::Unsafe => "unsafe fix",
                        linter::Safety::DisplayOnly => "suggestion: fill in the value",
                    };
                    actions.push(lt::CodeActionOrCommand::CodeAction(lt::CodeAction {
                        title: format!("{} ({label})", fix.title),
                        kind: Some(lt::CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![lsp_diag.clone()]),
                        edit: Some(edit(&fix.edits)),
                        is_preferred: Some(fix.safety == linter::Safety::Safe),
                        ..Default::default()
                    }));
                }
                if let Some(s) = &d.suppress {
                    actions.push(lt::CodeActionOrCommand::CodeAction(lt::CodeAction {
                        title: format!("Suppress {} {} here", d.code, d.name),
                        kind: Some(lt::CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![lsp_diag.clone()]),
                        edit: Some(edit(std::slice::from_ref(s))),
                        ..Default::default()
                    }));
                }
            }
        }
        let any_safe = diagnostics
            .iter()
            .any(|d| d.fixes.iter().any(|f| f.safety == linter::Safety::Safe));
        if any_safe && wants(FIX_ALL_KIND) {
            let docs = &self.state.docs;
            let settings = &self.state.settings;
            let open = |p: &Path| open_text(docs, p);
            let fixed = catch_unwind(AssertUnwindSafe(|| {
                self.linter.fix_all(&path, &text, &open, settings)
            }))
            .ok()
            .flatten();
            if let Some(fixed) = fixed {
                let (s, e, replacement) = minimal_edit(&text, &fixed);
                actions.push(lt::CodeActionOrCommand::CodeAction(lt::CodeAction {
                    title: "Fix all safe problems in this file".into(),
                    kind: Some(lt::CodeActionKind::new(FIX_ALL_KIND)),
                    edit: Some(edit(&[linter::Edit {
                        start: s,
                        end: e,
                        text: replacement,
                    }])),
                    ..Default::default()
                }));
            }
        }
        actions
    }

    fn hover(&self, p: lt::HoverParams) -> Option<lt::Hover> {
        let uri = p
            .text_document_position_params
            .text_document
            .uri
            .as_str()
            .to_string();
        let (text, diagnostics, _) = self.fresh(&uri)?;
        let lines = Lines::new(&text);
        let at = lines.offset(p.text_document_position_params.position, self.encoding);
        let d = diagnostics.iter().find(|d| d.start <= at && at <= d.end)?;
        let docs = self.linter.docs(&d.code)?;
        Some(lt::Hover {
            contents: lt::HoverContents::Markup(lt::MarkupContent {
                kind: lt::MarkupKind::Markdown,
                value: docs,
            }),
            range: Some(lines.range(d.start, d.end, self.encoding)),
        })
    }
}

/// The smallest single edit turning `old` into `new` (common prefix and suffix kept), so the
/// editor's cursor and folds stay put.
fn minimal_edit(old: &str, new: &str) -> (usize, usize, String) {
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    (
        prefix,
        old.len() - suffix,
        new[prefix..new.len() - suffix].to_string(),
    )
}

/// The unsaved text of an open document, by path (only Terraform modules ask for it).
fn open_text(docs: &HashMap<String, Doc>, path: &Path) -> Option<String> {
    docs.values()
        .find(|d| d.path == path)
        .map(|d| d.text.clone())
}

fn to_lsp(d: &linter::Diagnostic, lines: &Lines, enc: Encoding) -> lt::Diagnostic {
    let severity = match d.level {
        linter::Level::Error => lt::DiagnosticSeverity::ERROR,
        linter::Level::Warning => lt::DiagnosticSeverity::WARNING,
        linter::Level::Information => lt::DiagnosticSeverity::INFORMATION,
        linter::Level::Hint => lt::DiagnosticSeverity::HINT,
    };
    let related: Vec<lt::DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            let uri = path_to_uri(&r.path)?;
            let rl = Lines::new(&r.text);
            Some(lt::DiagnosticRelatedInformation {
                location: lt::Location::new(uri, rl.range(r.start, r.end, enc)),
                message: r.message.clone(),
            })
        })
        .collect();
    lt::Diagnostic {
        range: lines.range(d.start, d.end, enc),
        severity: Some(severity),
        code: Some(lt::NumberOrString::String(d.code.clone())),
        code_description: lt::Uri::from_str(&d.href)
            .ok()
            .map(|href| lt::CodeDescription { href }),
        source: Some("rampart".into()),
        message: format!("{}: {}", d.name, d.message),
        related_information: (!related.is_empty()).then_some(related),
        tags: d.unnecessary.then(|| vec![lt::DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

fn publish(
    sender: &Sender<Message>,
    uri: &lt::Uri,
    diagnostics: Vec<lt::Diagnostic>,
    version: Option<i32>,
) {
    let params = lt::PublishDiagnosticsParams {
        uri: uri.clone(),
        diagnostics,
        version,
    };
    let _ = sender.send(Message::Notification(Notification::new(
        "textDocument/publishDiagnostics".into(),
        serde_json::to_value(params).unwrap_or(Value::Null),
    )));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip() {
        let p = PathBuf::from("/tmp/a dir/é/x.yaml");
        let uri = path_to_uri(&p).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20dir/%C3%A9/x.yaml");
        assert_eq!(uri_to_path(&uri).unwrap(), p);
    }

    #[test]
    fn minimal_edits() {
        assert_eq!(
            minimal_edit("a: true\n", "a: false\n"),
            (3, 6, "fals".into())
        );
        assert_eq!(minimal_edit("x", "x"), (1, 1, String::new()));
        assert_eq!(minimal_edit("é1é", "é2é"), (2, 3, "2".into()));
    }
}
