//! Hover and code actions, answered from a document's diagnostics and the text they were
//! computed from (a [`View`]), so their ranges are the ones the client was shown.

use std::collections::HashMap;

use lsp_types as lt;

use super::publish::{to_lsp, Indexes, View};
use crate::linter::{self, Linter, Safety};
use crate::position::{Encoding, Text};
use crate::server::FIX_ALL_KIND;

pub(crate) fn hover(
    view: &View,
    p: &lt::HoverParams,
    linter: &dyn Linter,
    enc: Encoding,
) -> Option<lt::Hover> {
    let lines = view.text.lines();
    let at = lines.offset(p.text_document_position_params.position, enc);
    let d = view
        .diagnostics
        .iter()
        .find(|d| d.start <= at && at <= d.end)?;
    let docs = linter.docs(&d.code)?;
    Some(lt::Hover {
        contents: lt::HoverContents::Markup(lt::MarkupContent {
            kind: lt::MarkupKind::Markdown,
            value: docs,
        }),
        range: Some(lines.range(d.start, d.end, enc)),
    })
}

/// A document's code actions: the quick fixes now, and whether a fix-all should be added
/// (the linter computes its text on a worker; see [`fix_all_action`]).
pub(crate) fn code_actions(
    view: &View,
    p: &lt::CodeActionParams,
    enc: Encoding,
) -> (Vec<lt::CodeActionOrCommand>, bool) {
    let lines = view.text.lines();
    let start = lines.offset(p.range.start, enc);
    let end = lines.offset(p.range.end, enc);
    let wants = |kind: &str| {
        p.context
            .only
            .as_ref()
            .is_none_or(|only| only.iter().any(|k| kind.starts_with(k.as_str())))
    };
    let mut actions = Vec::new();
    if wants(lt::CodeActionKind::QUICKFIX.as_str()) {
        let mut indexes = Indexes::default();
        indexes.insert(&view.path, view.text.clone());
        for d in view
            .diagnostics
            .iter()
            .filter(|d| d.start <= end && start <= d.end)
        {
            let lsp_diag = to_lsp(d, &view.text, &mut indexes, enc);
            quick_fixes(
                d,
                &lsp_diag,
                &view.text,
                &p.text_document.uri,
                enc,
                &mut actions,
            );
        }
    }
    let any_safe = view
        .diagnostics
        .iter()
        .any(|d| d.fixes.iter().any(|f| f.safety == Safety::Safe));
    (actions, any_safe && wants(FIX_ALL_KIND))
}

/// One action per fix of `d`, labelled with its safety, and its suppression.
fn quick_fixes(
    d: &linter::Diagnostic,
    lsp_diag: &lt::Diagnostic,
    text: &Text,
    uri: &lt::Uri,
    enc: Encoding,
    actions: &mut Vec<lt::CodeActionOrCommand>,
) {
    for fix in &d.fixes {
        let label = match fix.safety {
            Safety::Safe => "safe fix",
            Safety::Unsafe => "unsafe fix",
            Safety::DisplayOnly => "suggestion: fill in the value",
        };
        actions.push(lt::CodeActionOrCommand::CodeAction(lt::CodeAction {
            title: format!("{} ({label})", fix.title),
            kind: Some(lt::CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![lsp_diag.clone()]),
            edit: Some(workspace_edit(uri, text, &fix.edits, enc)),
            is_preferred: Some(fix.safety == Safety::Safe),
            ..Default::default()
        }));
    }
    if let Some(s) = &d.suppress {
        actions.push(lt::CodeActionOrCommand::CodeAction(lt::CodeAction {
            title: format!("Suppress {} {} here", d.code, d.name),
            kind: Some(lt::CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![lsp_diag.clone()]),
            edit: Some(workspace_edit(uri, text, std::slice::from_ref(s), enc)),
            ..Default::default()
        }));
    }
}

/// The fix-all action turning `text` into `fixed`.
pub(crate) fn fix_all_action(
    uri: &lt::Uri,
    text: &Text,
    fixed: &str,
    enc: Encoding,
) -> lt::CodeActionOrCommand {
    let (start, end, replacement) = minimal_edit(text.as_str(), fixed);
    let edit = linter::Edit {
        start,
        end,
        text: replacement,
    };
    lt::CodeActionOrCommand::CodeAction(lt::CodeAction {
        title: "Fix all safe problems in this file".into(),
        kind: Some(lt::CodeActionKind::new(FIX_ALL_KIND)),
        edit: Some(workspace_edit(uri, text, &[edit], enc)),
        ..Default::default()
    })
}

fn workspace_edit(
    uri: &lt::Uri,
    text: &Text,
    edits: &[linter::Edit],
    enc: Encoding,
) -> lt::WorkspaceEdit {
    let lines = text.lines();
    let text_edits = edits
        .iter()
        .map(|e| lt::TextEdit::new(lines.range(e.start, e.end, enc), e.text.clone()))
        .collect();
    lt::WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), text_edits)])),
        ..Default::default()
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

#[cfg(test)]
mod tests {
    use super::*;

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
