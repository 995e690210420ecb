//! Each message to its typed handler: requests and notifications by their `METHOD`, with
//! their parameters decoded. A request whose parameters cannot be read is answered
//! InvalidParams, an unknown one MethodNotFound; a notification that cannot be read is
//! ignored. A handler that panics is logged (and its request answered InternalError); the
//! server goes on.

use std::panic::{catch_unwind, AssertUnwindSafe};

use lsp_server::{ErrorCode, Notification, Request, RequestId, Response};
use lsp_types as lt;
use lsp_types::notification as n;
use lsp_types::request::{self as r, Request as _};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::publish::publish;
use super::{Question, Server};
use crate::linter::Settings;
use crate::uri::uri_to_path;

/// Runs a handler; a panic is logged and, for a request, answered InternalError.
pub(crate) fn guard(
    server: &mut Server,
    what: &str,
    request: Option<RequestId>,
    handler: impl FnOnce(&mut Server),
) {
    if catch_unwind(AssertUnwindSafe(|| handler(server))).is_err() {
        server.log(&format!("rampart: internal error while handling {what}"));
        if let Some(id) = request {
            server.respond_err(id, ErrorCode::InternalError, "internal error".into());
        }
    }
}

/// A request on its way to the handler of its method.
struct Requests<'a> {
    server: &'a mut Server,
    req: Option<Request>,
}

impl Requests<'_> {
    fn on<R: r::Request>(mut self, handler: fn(&mut Server, RequestId, R::Params)) -> Self
    where
        R::Params: DeserializeOwned,
    {
        let Some(req) = self.req.take_if(|req| req.method == R::METHOD) else {
            return self;
        };
        match serde_json::from_value::<R::Params>(req.params) {
            Ok(params) => {
                let id = req.id.clone();
                guard(self.server, R::METHOD, Some(req.id), |s| {
                    handler(s, id, params)
                });
            }
            Err(e) => self
                .server
                .respond_err(req.id, ErrorCode::InvalidParams, e.to_string()),
        }
        self
    }

    fn finish(self) {
        if let Some(req) = self.req {
            let why = format!("rampart does not handle {}", req.method);
            self.server
                .respond_err(req.id, ErrorCode::MethodNotFound, why);
        }
    }
}

/// A notification on its way to the handler of its method.
struct Notifications<'a> {
    server: &'a mut Server,
    n: Option<Notification>,
}

impl Notifications<'_> {
    fn on<N: n::Notification>(self, handler: fn(&mut Server, N::Params)) -> Self
    where
        N::Params: DeserializeOwned,
    {
        self.lenient::<N>(|s, params| {
            if let Some(params) = params {
                handler(s, params)
            }
        })
    }

    /// The handler also runs when the parameters cannot be read (with `None`).
    fn lenient<N: n::Notification>(
        mut self,
        handler: impl FnOnce(&mut Server, Option<N::Params>),
    ) -> Self
    where
        N::Params: DeserializeOwned,
    {
        if let Some(n) = self.n.take_if(|n| n.method == N::METHOD) {
            let params = serde_json::from_value::<N::Params>(n.params).ok();
            guard(self.server, N::METHOD, None, |s| handler(s, params));
        }
        self
    }
}

impl Server {
    pub(super) fn on_request(&mut self, req: Request) {
        if self.shut_down {
            let why = format!("{} after shutdown", req.method);
            return self.respond_err(req.id, ErrorCode::InvalidRequest, why);
        }
        if req.method == r::Shutdown::METHOD {
            // Whatever its parameters.
            return self.shutdown(req.id);
        }
        Requests {
            server: self,
            req: Some(req),
        }
        .on::<r::HoverRequest>(|s, id, p| {
            let uri = p.text_document_position_params.text_document.uri.clone();
            s.ask(id, &uri, Question::Hover(p));
        })
        .on::<r::CodeActionRequest>(|s, id, p| {
            let uri = p.text_document.uri.clone();
            s.ask(id, &uri, Question::CodeAction(p));
        })
        .finish();
    }

    pub(super) fn on_notification(&mut self, n: Notification) {
        Notifications {
            server: self,
            n: Some(n),
        }
        .on::<n::Initialized>(|s, _| s.request_configuration())
        .on::<n::DidOpenTextDocument>(Server::did_open)
        .on::<n::DidChangeTextDocument>(|s, p| {
            let uri = p.text_document.uri.as_str();
            let enc = s.encoding;
            if s.docs
                .change(uri, p.content_changes, p.text_document.version, enc)
            {
                s.lints.push(uri);
            }
        })
        .on::<n::DidSaveTextDocument>(|s, p| {
            let uri = p.text_document.uri.as_str();
            if let Some(text) = p.text {
                s.docs.save(uri, text);
            }
            if s.docs.get(uri).is_some() {
                s.lints.push(uri);
            }
        })
        .on::<n::DidCloseTextDocument>(|s, p| {
            let uri = p.text_document.uri.as_str();
            s.docs.close(uri);
            s.views.remove(uri);
            s.forget_waiting(uri);
            publish(&s.out, &p.text_document.uri, Vec::new(), None);
        })
        .lenient::<n::DidChangeConfiguration>(|s, p| {
            let inline = p
                .and_then(|p| p.settings.get("rampart").cloned())
                .and_then(|v| serde_json::from_value::<Settings>(v).ok());
            match inline {
                Some(settings) => {
                    s.settings = settings;
                    s.settings_changed();
                }
                None => s.request_configuration(),
            }
        })
        .on::<n::DidChangeWatchedFiles>(|s, p| {
            if p.changes
                .iter()
                .any(|c| c.uri.as_str().ends_with(".rampart.toml"))
            {
                s.linter.reload();
                s.settings_changed();
            }
        })
        .on::<n::Cancel>(|s, p| {
            let id = match p.id {
                lt::NumberOrString::Number(n) => RequestId::from(n),
                lt::NumberOrString::String(s) => RequestId::from(s),
            };
            s.drop_waiting(&id, ErrorCode::RequestCanceled, "cancelled");
        });
    }

    fn did_open(&mut self, p: lt::DidOpenTextDocumentParams) {
        let Some(path) = uri_to_path(&p.text_document.uri) else {
            return;
        };
        if !self.linter.handles(&path) {
            return;
        }
        let uri = p.text_document.uri.as_str().to_string();
        let doc = p.text_document;
        self.docs.open(uri.clone(), path, doc.text, doc.version);
        self.lints.push(&uri);
    }

    fn request_configuration(&mut self) {
        if self.pull_configuration {
            let id = self.request(
                r::WorkspaceConfiguration::METHOD,
                json!({"items": [{"section": "rampart"}]}),
            );
            self.config_requests.insert(id);
        }
    }

    /// The answer to a `workspace/configuration` request: the client's settings, over the
    /// ones it gave at initialization.
    pub(super) fn on_response(&mut self, r: Response) {
        if !self.config_requests.remove(&r.id) {
            return;
        }
        let pulled = r
            .result
            .as_ref()
            .and_then(|v| v.get(0))
            .filter(|v| !v.is_null())
            .and_then(|v: &Value| serde_json::from_value::<Settings>(v.clone()).ok());
        if let Some(s) = pulled {
            self.settings = Settings {
                profile: s.profile.or(self.init_settings.profile.clone()),
                severity: s.severity.or(self.init_settings.severity.clone()),
            };
            self.settings_changed();
        }
    }
}
