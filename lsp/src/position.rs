//! Byte offsets ↔ LSP positions, in the encoding negotiated with the client. Every conversion
//! of the server goes through this module. A text's line index is built once ([`Text`]) and
//! shared by every conversion on that text.

use std::borrow::Cow;
use std::sync::Arc;

use lsp_types::Position;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// Where the lines of one text start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }
}

/// A text with its line index.
pub struct Lines<'a> {
    text: &'a str,
    index: Cow<'a, LineIndex>,
}

impl<'a> Lines<'a> {
    /// Builds the line index of `text`.
    pub fn new(text: &'a str) -> Lines<'a> {
        Lines {
            text,
            index: Cow::Owned(LineIndex::new(text)),
        }
    }

    /// The position of a byte offset (clamped to the text and to a character boundary).
    pub fn position(&self, offset: usize, enc: Encoding) -> Position {
        let starts = &self.index.starts;
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let prefix = &self.text[starts[line]..offset];
        let character = match enc {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.encode_utf16().count(),
        };
        Position::new(line as u32, character as u32)
    }

    /// The byte offset of a position; positions past a line's end clamp to it, past the text
    /// to its end; a position inside a UTF-16 surrogate pair moves to the character's start.
    pub fn offset(&self, pos: Position, enc: Encoding) -> usize {
        let starts = &self.index.starts;
        let line = pos.line as usize;
        if line >= starts.len() {
            return self.text.len();
        }
        let start = starts[line];
        let end = starts
            .get(line + 1)
            .map(|s| s - 1)
            .unwrap_or(self.text.len());
        let line_text = &self.text[start..end];
        let want = pos.character as usize;
        let mut seen = 0;
        for (i, ch) in line_text.char_indices() {
            let width = match enc {
                Encoding::Utf8 => ch.len_utf8(),
                Encoding::Utf16 => ch.len_utf16(),
            };
            if seen + width > want {
                return start + i;
            }
            seen += width;
        }
        end
    }

    pub fn range(&self, start: usize, end: usize, enc: Encoding) -> lsp_types::Range {
        lsp_types::Range::new(self.position(start, enc), self.position(end, enc))
    }
}

/// A shared text and its line index, built once: the server keeps one per document version
/// and per linted file, and converts every position of that text with it.
#[derive(Clone, Debug)]
pub(crate) struct Text {
    text: Arc<str>,
    index: Arc<LineIndex>,
}

impl Text {
    pub(crate) fn new(text: impl Into<Arc<str>>) -> Text {
        let text = text.into();
        let index = Arc::new(LineIndex::new(&text));
        Text { text, index }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    pub(crate) fn shared(&self) -> &Arc<str> {
        &self.text
    }

    /// Is this the same text as `other` (the same allocation, or equal bytes)?
    pub(crate) fn is(&self, other: &Arc<str>) -> bool {
        Arc::ptr_eq(&self.text, other) || *self.text == **other
    }

    pub(crate) fn lines(&self) -> Lines<'_> {
        Lines {
            text: &self.text,
            index: Cow::Borrowed(&self.index),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf8_columns() {
        let text = "é😀x\r\nab";
        let lines = Lines::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(lines.position(x, Encoding::Utf16), Position::new(0, 3));
        assert_eq!(lines.position(x, Encoding::Utf8), Position::new(0, 6));
        assert_eq!(lines.offset(Position::new(0, 3), Encoding::Utf16), x);
        assert_eq!(lines.offset(Position::new(0, 6), Encoding::Utf8), x);
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(lines.offset(Position::new(0, 2), Encoding::Utf16), 2);
        // Past the line end: clamped before the line break.
        assert_eq!(
            lines.offset(Position::new(0, 99), Encoding::Utf16),
            text.find('\n').unwrap()
        );
        assert_eq!(
            lines.offset(Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
        assert_eq!(
            lines.position(text.len(), Encoding::Utf16),
            Position::new(1, 2)
        );
    }

    #[test]
    fn a_shared_text_converts_like_a_fresh_index() {
        let text = "a: é\r\nb: 😀\n\nc";
        let shared = Text::new(text);
        let fresh = Lines::new(text);
        for offset in 0..=text.len() + 2 {
            for enc in [Encoding::Utf8, Encoding::Utf16] {
                let pos = fresh.position(offset, enc);
                assert_eq!(shared.lines().position(offset, enc), pos);
                assert_eq!(shared.lines().offset(pos, enc), fresh.offset(pos, enc));
            }
        }
        assert!(shared.is(&Arc::from(text)));
        assert!(!shared.is(&Arc::from("a")));
    }
}
