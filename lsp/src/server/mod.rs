//! The server: a loop that hands each message to a typed handler ([`dispatch`]), keeps the
//! open documents ([`documents`]), and hands lints to a worker thread ([`worker`]) whose
//! results it publishes ([`publish`]) when they are still current.
//!
//! A lint starts when no message is waiting, on the document's latest text: a burst of edits
//! is applied first and linted once. While it runs the loop goes on serving. A result for a
//! text that has changed since (or for settings that have) is not published: the document is
//! already queued for another lint. Hover and code actions answer from the diagnostics of
//! the text they are asked about; when that text is still being linted, the request waits
//! for the result (other messages are served meanwhile), and a request whose text changed
//! before it was linted is answered ContentModified, as the protocol says.

mod answers;
mod dispatch;
mod documents;
mod init;
mod publish;
mod worker;

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;

use crossbeam_channel::{select, unbounded, Receiver, Sender, TryRecvError};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lt;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use serde_json::{json, Value};

use crate::linter::{FileDiagnostics, Linter, Settings};
use crate::position::{Encoding, Text};
use crate::uri::path_to_uri;
use documents::Documents;
use publish::{publish, to_lsp, Indexes, View};
use worker::{Done, FixAllJob, FixedAll, LintJob, LintQueue, Linted, Worker};

pub const FIX_ALL_KIND: &str = "source.fixAll.rampart";

type Error = Box<dyn std::error::Error + Send + Sync>;

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// `exit` after `shutdown`, or the client closed the connection.
    Clean,
    /// `exit` without `shutdown` first: the process exits with code 1, as the protocol says.
    ExitWithoutShutdown,
}

impl Ending {
    /// The process's exit code.
    pub fn exit_code(self) -> u8 {
        match self {
            Ending::Clean => 0,
            Ending::ExitWithoutShutdown => 1,
        }
    }
}

/// Serve over stdin/stdout until the client exits.
pub fn run_stdio(linter: Arc<dyn Linter>) -> Result<Ending, Error> {
    let (connection, io) = crate::transport::stdio()?;
    let ending = run(connection, linter)?;
    io.join()?;
    Ok(ending)
}

/// Serve on `connection` until the client exits.
pub fn run(connection: Connection, linter: Arc<dyn Linter>) -> Result<Ending, Error> {
    let init = match init::handshake(&connection) {
        Ok(init) => init,
        Err(ending) => return Ok(ending),
    };
    let (done_tx, done) = unbounded();
    let mut server = Server {
        out: connection.sender.clone(),
        linter,
        encoding: init.encoding,
        docs: Documents::default(),
        views: HashMap::new(),
        lints: LintQueue::default(),
        lint_worker: Worker::spawn("rampart-lsp-lint", done_tx.clone())?,
        fix_worker: Worker::spawn("rampart-lsp-fix", done_tx)?,
        waiting: Vec::new(),
        fixing: HashMap::new(),
        settings: init.settings.clone(),
        init_settings: init.settings,
        epoch: 0,
        pull_configuration: init.pull_configuration,
        next_request: 0,
        config_requests: HashSet::new(),
        shut_down: false,
    };
    if init.watch {
        server.request(
            lt::request::RegisterCapability::METHOD,
            json!({"registrations": [{
                "id": "rampart-config-watch",
                "method": lt::notification::DidChangeWatchedFiles::METHOD,
                "registerOptions": {"watchers": [{"globPattern": "**/.rampart.toml"}]},
            }]}),
        );
    }
    Ok(server.serve(&connection.receiver, &done))
}

/// A request that needs a document's diagnostics.
pub(crate) enum Question {
    Hover(lt::HoverParams),
    CodeAction(lt::CodeActionParams),
}

/// A request waiting for the lint of the document text it asks about.
struct Waiting {
    id: RequestId,
    uri: String,
    generation: u64,
    question: Question,
}

/// A code action request waiting for its fix-all text.
struct Fixing {
    uri: lt::Uri,
    text: Text,
    actions: Vec<lt::CodeActionOrCommand>,
}

pub(crate) struct Server {
    out: Sender<Message>,
    linter: Arc<dyn Linter>,
    encoding: Encoding,
    docs: Documents,
    /// What each open document's diagnostics were last computed from.
    views: HashMap<String, View>,
    lints: LintQueue,
    lint_worker: Worker,
    fix_worker: Worker,
    waiting: Vec<Waiting>,
    fixing: HashMap<RequestId, Fixing>,
    settings: Settings,
    init_settings: Settings,
    /// Changes with the settings and on configuration reload: results computed before are
    /// stale.
    epoch: u64,
    pull_configuration: bool,
    next_request: u64,
    config_requests: HashSet<RequestId>,
    /// After `shutdown`, requests are answered InvalidRequest until `exit`.
    shut_down: bool,
}

impl Server {
    fn serve(&mut self, messages: &Receiver<Message>, done: &Receiver<Done>) -> Ending {
        loop {
            // Messages first: a lint starts only when none is waiting.
            if self.lints.has_work() && !self.shut_down {
                match messages.try_recv() {
                    Ok(m) => match self.on_message(m) {
                        Some(ending) => return ending,
                        None => continue,
                    },
                    Err(TryRecvError::Empty) => self.start_lint(),
                    Err(TryRecvError::Disconnected) => return Ending::Clean,
                }
            }
            select! {
                recv(messages) -> m => match m {
                    Ok(m) => if let Some(ending) = self.on_message(m) {
                        return ending;
                    },
                    Err(_) => return Ending::Clean,
                },
                recv(done) -> d => match d {
                    Ok(Done::Lint(linted)) => self.on_linted(linted),
                    Ok(Done::FixAll(fixed)) => self.on_fixed_all(fixed),
                    Err(_) => {}
                },
            }
        }
    }

    fn on_message(&mut self, message: Message) -> Option<Ending> {
        match message {
            Message::Request(req) => self.on_request(req),
            Message::Notification(n) if n.method == lt::notification::Exit::METHOD => {
                return Some(if self.shut_down {
                    Ending::Clean
                } else {
                    Ending::ExitWithoutShutdown
                });
            }
            Message::Notification(_) if self.shut_down => {}
            Message::Notification(n) => self.on_notification(n),
            Message::Response(r) => self.on_response(r),
        }
        None
    }

    fn log(&self, message: &str) {
        let _ = self.out.send(Message::Notification(Notification::new(
            lt::notification::LogMessage::METHOD.into(),
            json!({"type": 1, "message": message}),
        )));
    }

    fn respond(&self, id: RequestId, result: impl serde::Serialize) {
        let result = serde_json::to_value(result).unwrap_or(Value::Null);
        let _ = self
            .out
            .send(Message::Response(Response::new_ok(id, result)));
    }

    fn respond_err(&self, id: RequestId, code: ErrorCode, message: String) {
        let _ = self.out.send(Message::Response(Response::new_err(
            id,
            code as i32,
            message,
        )));
    }

    fn request(&mut self, method: &str, params: Value) -> RequestId {
        self.next_request += 1;
        let id = RequestId::from(format!("rampart-{}", self.next_request));
        let _ = self.out.send(Message::Request(Request::new(
            id.clone(),
            method.into(),
            params,
        )));
        id
    }

    /// Settings changed or configuration was reloaded: every document again.
    fn settings_changed(&mut self) {
        self.epoch += 1;
        for uri in self.docs.uris() {
            self.lints.push(&uri);
        }
    }

    /// Hands the next queued document, with its latest text, to the lint worker.
    fn start_lint(&mut self) {
        while let Some(uri) = self.lints.next() {
            let Some(doc) = self.docs.get(&uri) else {
                continue;
            };
            let job = LintJob {
                uri: uri.clone(),
                generation: doc.generation,
                epoch: self.epoch,
                path: doc.path.clone(),
                text: doc.text.shared().clone(),
                open: self.docs.open_texts(),
                settings: self.settings.clone(),
            };
            self.lints.started(&uri, doc.generation);
            job.start(&self.lint_worker, self.linter.clone());
            return;
        }
    }

    /// A lint is done: publish it when it is still current, and answer the requests that
    /// waited for it.
    fn on_linted(&mut self, linted: Linted) {
        self.lints.finished();
        if let Some(path) = &linted.panicked {
            self.log(&format!(
                "rampart: internal error while linting {}",
                path.display()
            ));
        }
        if self.shut_down || linted.epoch != self.epoch {
            return;
        }
        let Some(doc) = self.docs.get(&linted.uri) else {
            return;
        };
        let own = linted.results.iter().find(|r| r.path == doc.path);
        let text = own.map_or(&linted.text, |r| &r.text);
        let view = View {
            generation: linted.generation,
            epoch: linted.epoch,
            path: doc.path.clone(),
            text: if doc.text.is(text) {
                doc.text.clone()
            } else {
                Text::new(text.clone())
            },
            diagnostics: own.map_or_else(|| Arc::from([]), |r| Arc::from(&r.diagnostics[..])),
        };
        if doc.generation == linted.generation {
            self.publish_results(&linted.uri, &view, &linted.results);
            self.views.insert(linted.uri.clone(), view.clone());
        }
        self.answer_waiting(&linted.uri, &view);
    }

    /// Publishes a current lint: the document's diagnostics, and those of the other files
    /// the change affects (open ones with their own version, when computed from their text).
    fn publish_results(&mut self, uri: &str, view: &View, results: &[FileDiagnostics]) {
        let mut indexes = Indexes::default();
        let mut files = Vec::new();
        for file in results {
            let file_uri = if file.path == view.path {
                lt::Uri::from_str(uri).ok()
            } else {
                path_to_uri(&file.path)
            };
            let Some(file_uri) = file_uri else { continue };
            let key = file_uri.as_str().to_string();
            let (version, text) = match self.docs.get(&key) {
                Some(d) if key == uri => (Some(d.version), view.text.clone()),
                Some(d) if d.text.is(&file.text) => {
                    let other = View {
                        generation: d.generation,
                        epoch: self.epoch,
                        path: file.path.clone(),
                        text: d.text.clone(),
                        diagnostics: Arc::from(&file.diagnostics[..]),
                    };
                    let version = Some(d.version);
                    self.views.insert(key, other.clone());
                    (version, other.text)
                }
                Some(_) => continue,
                None => (None, Text::new(file.text.clone())),
            };
            indexes.insert(&file.path, text.clone());
            files.push((file, file_uri, version, text));
        }
        for (file, file_uri, version, text) in files {
            let diagnostics = file
                .diagnostics
                .iter()
                .map(|d| to_lsp(d, &text, &mut indexes, self.encoding))
                .collect();
            publish(&self.out, &file_uri, diagnostics, version);
        }
    }

    /// Answers a request that needs `uri`'s diagnostics now, or when they are computed.
    fn ask(&mut self, id: RequestId, uri: &lt::Uri, question: Question) {
        let key = uri.as_str();
        let Some(doc) = self.docs.get(key) else {
            return self.answer(id, None, question);
        };
        let generation = doc.generation;
        match self.views.get(key) {
            Some(v) if v.generation == generation && v.epoch == self.epoch => {
                let view = v.clone();
                self.answer(id, Some(&view), question);
            }
            _ => {
                if !self.lints.covers(key, generation) {
                    self.lints.push(key);
                }
                self.waiting.push(Waiting {
                    id,
                    uri: key.to_string(),
                    generation,
                    question,
                });
            }
        }
    }

    /// Answers the requests about `view`'s document that waited for its text (or for an
    /// older one, which will never be linted: ContentModified).
    fn answer_waiting(&mut self, uri: &str, view: &View) {
        let (ready, waiting): (Vec<Waiting>, Vec<Waiting>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|w| w.uri == uri && w.generation <= view.generation);
        self.waiting = waiting;
        for w in ready {
            if w.generation == view.generation {
                self.answer(w.id, Some(view), w.question);
            } else {
                self.respond_err(
                    w.id,
                    ErrorCode::ContentModified,
                    "the document changed before its diagnostics were computed".into(),
                );
            }
        }
    }

    /// Answers the requests about a document that is not open any more.
    fn forget_waiting(&mut self, uri: &str) {
        let (gone, waiting): (Vec<Waiting>, Vec<Waiting>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|w| w.uri == uri);
        self.waiting = waiting;
        for w in gone {
            self.answer(w.id, None, w.question);
        }
    }

    /// The answer to a question, from the diagnostics of the text it asks about (`None`: the
    /// document is not open). A code action with safe fixes waits for its fix-all text.
    fn answer(&mut self, id: RequestId, view: Option<&View>, question: Question) {
        dispatch::guard(self, "a request", Some(id.clone()), |s| match question {
            Question::Hover(p) => {
                let hover = view.and_then(|v| answers::hover(v, &p, &*s.linter, s.encoding));
                s.respond(id, hover);
            }
            Question::CodeAction(p) => {
                let Some(view) = view else {
                    return s.respond(id, Vec::<lt::CodeActionOrCommand>::new());
                };
                let (actions, fix_all) = answers::code_actions(view, &p, s.encoding);
                if !fix_all {
                    return s.respond(id, actions);
                }
                let job = FixAllJob {
                    request: id.clone(),
                    path: view.path.clone(),
                    text: view.text.shared().clone(),
                    open: s.docs.open_texts(),
                    settings: s.settings.clone(),
                };
                job.start(&s.fix_worker, s.linter.clone());
                let uri = p.text_document.uri;
                let text = view.text.clone();
                s.fixing.insert(id, Fixing { uri, text, actions });
            }
        });
    }

    fn on_fixed_all(&mut self, fixed: FixedAll) {
        let Some(mut pending) = self.fixing.remove(&fixed.request) else {
            return; // cancelled, or answered at shutdown
        };
        if let Some(new) = fixed.fixed {
            let action = answers::fix_all_action(&pending.uri, &pending.text, &new, self.encoding);
            pending.actions.push(action);
        }
        self.respond(fixed.request, pending.actions);
    }

    /// Answers a waiting request `RequestCanceled` (`$/cancelRequest`) or `RequestFailed`
    /// (shutdown); `false` when it is not waiting.
    fn drop_waiting(&mut self, id: &RequestId, code: ErrorCode, why: &str) -> bool {
        let found = self.fixing.remove(id).is_some() || {
            let before = self.waiting.len();
            self.waiting.retain(|w| w.id != *id);
            self.waiting.len() < before
        };
        if found {
            self.respond_err(id.clone(), code, why.into());
        }
        found
    }

    fn shutdown(&mut self, id: RequestId) {
        self.shut_down = true;
        self.lints.clear();
        let ids: Vec<RequestId> = (self.waiting.iter().map(|w| w.id.clone()))
            .chain(self.fixing.keys().cloned())
            .collect();
        for waiting in ids {
            self.drop_waiting(
                &waiting,
                ErrorCode::RequestFailed,
                "the server is shutting down",
            );
        }
        self.respond(id, Value::Null);
    }
}
