//! From the linter's byte ranges to the protocol's diagnostics, and `publishDiagnostics`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use crossbeam_channel::Sender;
use lsp_server::{Message, Notification};
use lsp_types as lt;
use lsp_types::notification::Notification as _;

use crate::linter;
use crate::position::{Encoding, Text};
use crate::uri::path_to_uri;

/// The line indexes of the files one lint result (or one code action) converts positions in:
/// each file's index is built once, however many diagnostics point into it.
#[derive(Default)]
pub(crate) struct Indexes {
    by_path: HashMap<PathBuf, Text>,
}

impl Indexes {
    /// Converts positions of `path` with `text` (an already indexed text of that file).
    pub(crate) fn insert(&mut self, path: &Path, text: Text) {
        self.by_path.insert(path.to_path_buf(), text);
    }

    /// The indexed text of `path`, when it is `text`; indexed now otherwise.
    pub(crate) fn get(&mut self, path: &Path, text: &Arc<str>) -> &Text {
        let known = self.by_path.get(path).is_some_and(|t| t.is(text));
        if !known {
            self.by_path
                .insert(path.to_path_buf(), Text::new(text.clone()));
        }
        &self.by_path[path]
    }
}

pub(crate) fn to_lsp(
    d: &linter::Diagnostic,
    text: &Text,
    indexes: &mut Indexes,
    enc: Encoding,
) -> lt::Diagnostic {
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
            let range = indexes
                .get(&r.path, &r.text)
                .lines()
                .range(r.start, r.end, enc);
            Some(lt::DiagnosticRelatedInformation {
                location: lt::Location::new(uri, range),
                message: r.message.clone(),
            })
        })
        .collect();
    lt::Diagnostic {
        range: text.lines().range(d.start, d.end, enc),
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

pub(crate) fn publish(
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
        lt::notification::PublishDiagnostics::METHOD.into(),
        serde_json::to_value(params).unwrap_or_default(),
    )));
}

/// A document's diagnostics with the text (and line index) they were computed from: what
/// hover and code actions answer with.
#[derive(Clone)]
pub(crate) struct View {
    pub(crate) generation: u64,
    pub(crate) epoch: u64,
    pub(crate) path: PathBuf,
    pub(crate) text: Text,
    pub(crate) diagnostics: Arc<[linter::Diagnostic]>,
}
