//! Escaping text for one line of output: control and bidi characters in file names and
//! values could otherwise rewrite a terminal or hide text. `report::text` builds the reports'
//! escaping on this (it explains what is escaped and why); configuration output uses it too.

use std::borrow::Cow;

/// Whether `c` is escaped on output.
pub(crate) fn is_unsafe(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `\xNN` for an ASCII character, `\u{NNNN}` for any other.
pub(crate) fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write;
    if c.is_ascii() {
        let _ = write!(out, "\\x{:02x}", c as u32);
    } else {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    }
}

/// Text for one line: every unsafe character escaped, newlines and tabs too.
pub(crate) fn line(s: &str) -> Cow<'_, str> {
    escape_each(s, is_unsafe, push_escaped)
}

/// `s` with each character that `escaped` picks written by `write` instead; `s` itself when
/// there is none.
pub(crate) fn escape_each(
    s: &str,
    escaped: impl Fn(char) -> bool,
    write: impl Fn(&mut String, char),
) -> Cow<'_, str> {
    if !s.chars().any(&escaped) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if escaped(c) {
            write(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Pretty-printed JSON of a value that always serialises: `serde_json::Value`s and structures
/// of strings, numbers, lists and maps with string keys.
#[allow(
    clippy::expect_used,
    reason = "only values with string keys are passed, which serde_json always serialises"
)]
pub(crate) fn pretty_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("JSON values serialise")
}
