//! Text from scanned files (file names, names and values in messages, source lines in code
//! frames) is written to terminals and CI logs. Control characters in it could rewrite the
//! reader's terminal (ESC, BEL, CR), start a workflow command in a CI log (a newline followed by
//! `::`), or hide code in a review (bidi overrides). Every text format passes such text through
//! this one module.
//!
//! What is escaped: C0 controls (U+0000–U+001F), DEL (U+007F), C1 controls (U+0080–U+009F) and
//! the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). ASCII controls
//! are written `\xNN` (`\x1b` for ESC), the others `\u{NNNN}` (`\u{202e}`); everything else,
//! backslashes included, is kept as it is.

use std::borrow::Cow;

/// The one-line escaping lives below the reports (configuration output uses it too).
pub(crate) use crate::text::is_unsafe;
pub(crate) use crate::text::line;
use crate::text::push_escaped;

/// A path that may start a line of output: [`line`], and `./` in front of one that starts with
/// `::` (after white space, which GitHub Actions skips), so that no line of a report reads as a
/// CI workflow command.
pub(crate) fn line_start_path(path: &str) -> Cow<'_, str> {
    let escaped = line(path);
    if escaped.trim_start().starts_with("::") {
        Cow::Owned(format!("./{escaped}"))
    } else {
        escaped
    }
}

/// Lines of text where none may read as a CI workflow command: in a line that starts with `::`
/// after white space, the first `:` is written `\x3a`.
pub(crate) fn without_commands(s: &str) -> Cow<'_, str> {
    let command = |l: &str| l.trim_start().starts_with("::");
    if !s.lines().any(command) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for l in s.split_inclusive('\n') {
        if command(l) {
            let at = l.len() - l.trim_start().len();
            out.push_str(&l[..at]);
            out.push_str("\\x3a");
            out.push_str(&l[at + 1..]);
        } else {
            out.push_str(l);
        }
    }
    Cow::Owned(out)
}

/// Whether the character at byte `at` of `s` is kept in a block of lines: newlines, tabs and the
/// `\r` of a `\r\n` are layout.
fn layout(s: &str, at: usize, c: char) -> bool {
    match c {
        '\n' | '\t' => true,
        '\r' => s.as_bytes().get(at + 1) == Some(&b'\n'),
        _ => false,
    }
}

/// Lines of text (source lines of a code frame): like [`line`] but line breaks and tabs are
/// kept. `offsets` are byte offsets into `s`; they are returned mapped into the result.
pub(crate) fn block_with_offsets(s: &str, offsets: &[usize]) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(s.len());
    let mut mapped: Vec<Option<usize>> = vec![None; offsets.len()];
    for (at, c) in s.char_indices() {
        for (i, o) in offsets.iter().enumerate() {
            if mapped[i].is_none() && *o <= at {
                mapped[i] = Some(out.len());
            }
        }
        if is_unsafe(c) && !layout(s, at, c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    let end = out.len();
    let mapped = mapped.into_iter().map(|m| m.unwrap_or(end)).collect();
    (out, mapped)
}

/// Lines of text (a diff of a file): [`block_with_offsets`] without offsets.
pub(crate) fn block(s: &str) -> String {
    block_with_offsets(s, &[]).0
}

/// Serialised JSON with the unsafe characters that JSON allows raw in strings (DEL, C1
/// controls, bidi controls; serialisers escape the C0 ones) written as `\uNNNN` escapes, which
/// mean the same to a JSON reader. Raw newlines are the layout of pretty-printed JSON.
pub(crate) fn json(serialised: String) -> String {
    let escaped = crate::text::escape_each(
        &serialised,
        |c| is_unsafe(c) && c != '\n',
        |out, c| {
            use std::fmt::Write;
            let _ = write!(out, "\\u{:04x}", c as u32);
        },
    );
    match escaped {
        std::borrow::Cow::Borrowed(_) => serialised,
        std::borrow::Cow::Owned(s) => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_control_and_bidi_character() {
        assert_eq!(line("a\u{1b}]0;x\u{7}b"), "a\\x1b]0;x\\x07b");
        assert_eq!(line("a\n::error::x"), "a\\x0a::error::x");
        assert_eq!(line("\r\t\u{0}\u{7f}"), "\\x0d\\x09\\x00\\x7f");
        assert_eq!(line("\u{85}\u{9b}"), "\\u{85}\\u{9b}");
        assert_eq!(
            line("\u{202e}\u{2066}\u{2069}\u{202a}"),
            "\\u{202e}\\u{2066}\\u{2069}\\u{202a}"
        );
    }

    #[test]
    fn keeps_ordinary_text_as_it_is() {
        for s in [
            "plain",
            "café 日本 🦀",
            "C:\\path\\x1b",
            "\u{a0}\u{200b}\u{2067}x",
        ] {
            let expected = s.replace('\u{2067}', "\\u{2067}");
            assert_eq!(line(s), expected);
        }
        assert!(matches!(line("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_keeps_its_meaning() {
        let v = serde_json::json!({"m": "a\u{1b}\u{7f}\u{9b}\u{202e}b\n"});
        let out = json(serde_json::to_string(&v).unwrap());
        assert!(!out.chars().any(is_unsafe), "{out}");
        assert_eq!(out, r#"{"m":"a\u001b\u007f\u009b\u202eb\n"}"#);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap(), v);
        let pretty = json(serde_json::to_string_pretty(&v).unwrap());
        assert_eq!(
            pretty,
            "{\n  \"m\": \"a\\u001b\\u007f\\u009b\\u202eb\\n\"\n}"
        );
    }

    #[test]
    fn a_path_never_starts_a_workflow_command() {
        assert_eq!(line_start_path("::error::x.yaml"), "./::error::x.yaml");
        assert_eq!(line_start_path("a/::b"), "a/::b");
        assert_eq!(line_start_path(":x"), ":x");
        assert_eq!(line_start_path(" \u{a0}::x"), "./ \u{a0}::x");
    }

    #[test]
    fn no_line_reads_as_a_command() {
        assert_eq!(
            without_commands(" ::error::x\n+::y\n \t::z\n a::b\n"),
            " \\x3a:error::x\n+::y\n \t\\x3a:z\n a::b\n"
        );
        assert!(matches!(without_commands(" a\n+::b"), Cow::Borrowed(_)));
    }

    #[test]
    fn blocks_keep_their_layout_and_map_offsets() {
        assert_eq!(block_with_offsets("a\r\n\tb\n", &[]).0, "a\r\n\tb\n");
        assert_eq!(
            block_with_offsets("a\rb\u{1b}[2K\n", &[]).0,
            "a\\x0db\\x1b[2K\n"
        );
        let s = "x\u{1b}y\u{202e}z";
        let (out, at) = block_with_offsets(s, &[0, 1, 2, 3, 6, 7, s.len()]);
        assert_eq!(out, "x\\x1by\\u{202e}z");
        assert_eq!(at, vec![0, 1, 5, 6, 14, 15, 15]);
    }
}
