//! The open documents: their paths, current text (with its line index), version, and a
//! generation that changes with every new text of any document.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::TextDocumentContentChangeEvent;

use crate::position::{Encoding, Text};

pub(crate) struct Doc {
    pub(crate) path: PathBuf,
    pub(crate) text: Text,
    pub(crate) version: i32,
    /// Changes with every new text; results computed from another generation are stale.
    pub(crate) generation: u64,
}

/// The unsaved texts of the open documents, as a lint job takes them along.
pub(crate) type OpenTexts = Vec<(PathBuf, Arc<str>)>;

#[derive(Default)]
pub(crate) struct Documents {
    docs: HashMap<String, Doc>,
    generation: u64,
}

impl Documents {
    pub(crate) fn get(&self, uri: &str) -> Option<&Doc> {
        self.docs.get(uri)
    }

    fn next_generation(&mut self) -> u64 {
        self.generation += 1;
        self.generation
    }

    pub(crate) fn open(&mut self, uri: String, path: PathBuf, text: String, version: i32) {
        let generation = self.next_generation();
        let doc = Doc {
            path,
            text: Text::new(text),
            version,
            generation,
        };
        self.docs.insert(uri, doc);
    }

    /// Applies a `didChange`'s edits in order (each against the text the previous one left);
    /// `false` when the document is not open.
    pub(crate) fn change(
        &mut self,
        uri: &str,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
        enc: Encoding,
    ) -> bool {
        let generation = self.next_generation();
        let Some(doc) = self.docs.get_mut(uri) else {
            return false;
        };
        for change in changes {
            doc.text = match change.range {
                Some(range) => {
                    let lines = doc.text.lines();
                    let start = lines.offset(range.start, enc);
                    let end = lines.offset(range.end, enc).max(start);
                    let old = doc.text.as_str();
                    let mut new =
                        String::with_capacity(old.len() - (end - start) + change.text.len());
                    new.push_str(&old[..start]);
                    new.push_str(&change.text);
                    new.push_str(&old[end..]);
                    Text::new(new)
                }
                None => Text::new(change.text),
            };
        }
        doc.version = version;
        doc.generation = generation;
        true
    }

    /// A `didSave` that carries the text replaces it (the version stays).
    pub(crate) fn save(&mut self, uri: &str, text: String) {
        let generation = self.next_generation();
        if let Some(doc) = self.docs.get_mut(uri) {
            doc.text = Text::new(text);
            doc.generation = generation;
        }
    }

    pub(crate) fn close(&mut self, uri: &str) -> Option<Doc> {
        self.docs.remove(uri)
    }

    /// Every open document's URI, sorted.
    pub(crate) fn uris(&self) -> Vec<String> {
        let mut uris: Vec<String> = self.docs.keys().cloned().collect();
        uris.sort();
        uris
    }

    /// The open documents' texts by path, for the linter's view of unsaved buffers.
    pub(crate) fn open_texts(&self) -> OpenTexts {
        self.docs
            .values()
            .map(|d| (d.path.clone(), d.text.shared().clone()))
            .collect()
    }
}

/// The unsaved text of an open document, by path (only Terraform modules ask for it).
pub(crate) fn open_text(open: &OpenTexts, path: &Path) -> Option<String> {
    open.iter()
        .find(|(p, _)| p == path)
        .map(|(_, text)| text.to_string())
}
