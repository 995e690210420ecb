//! The `initialize` handshake: the position encoding, the server's capabilities, the client's
//! settings and what it can do (pull configuration, watch files).

use lsp_server::{Connection, ErrorCode, Message, RequestId, Response};
use lsp_types as lt;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use serde_json::json;

use super::Ending;
use crate::linter::Settings;
use crate::position::Encoding;
use crate::server::FIX_ALL_KIND;

/// What the handshake settled.
pub(crate) struct Init {
    pub(crate) encoding: Encoding,
    pub(crate) settings: Settings,
    /// The client answers `workspace/configuration`.
    pub(crate) pull_configuration: bool,
    /// The client registers file watchers on request.
    pub(crate) watch: bool,
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

/// Waits for `initialize` and answers it. Other requests are answered ServerNotInitialized,
/// an `initialize` whose parameters cannot be read InvalidParams. `Err` when the client
/// leaves first.
pub(crate) fn handshake(connection: &Connection) -> Result<Init, Ending> {
    let (id, params) = wait_for_initialize(connection)?;
    let encoding = negotiate(&params.capabilities);
    let settings: Settings = params
        .initialization_options
        .clone()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    // `initialized` is handled by the server's loop.
    let _ = connection.sender.send(Message::Response(Response::new_ok(
        id,
        json!({
            "capabilities": capabilities(encoding),
            "serverInfo": {"name": "rampart", "version": env!("CARGO_PKG_VERSION")},
        }),
    )));
    let workspace = params.capabilities.workspace.as_ref();
    Ok(Init {
        encoding,
        settings,
        pull_configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
        watch: workspace
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
    })
}

fn wait_for_initialize(
    connection: &Connection,
) -> Result<(RequestId, lt::InitializeParams), Ending> {
    loop {
        let req = match connection.receiver.recv() {
            Err(_) => return Err(Ending::Clean),
            Ok(Message::Request(req)) => req,
            Ok(Message::Notification(n)) if n.method == lt::notification::Exit::METHOD => {
                return Err(Ending::ExitWithoutShutdown)
            }
            Ok(_) => continue,
        };
        let (code, message) = if req.method == lt::request::Initialize::METHOD {
            match serde_json::from_value(req.params) {
                Ok(init) => return Ok((req.id, init)),
                Err(e) => (ErrorCode::InvalidParams, e.to_string()),
            }
        } else {
            (
                ErrorCode::ServerNotInitialized,
                format!("{} before initialize", req.method),
            )
        };
        let _ = connection.sender.send(Message::Response(Response::new_err(
            req.id,
            code as i32,
            message,
        )));
    }
}

fn capabilities(encoding: Encoding) -> lt::ServerCapabilities {
    lt::ServerCapabilities {
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
    }
}
