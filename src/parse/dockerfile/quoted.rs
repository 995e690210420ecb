//! Lines the grammar rejects but Docker accepts: instructions whose arguments Docker splits
//! into words and unquotes like a shell (`USER "app"`, `COPY "a b" /c`), read word by word.

use super::{Flag, Form, Instruction};
use crate::source::Span;

/// Instructions whose arguments Docker splits into words and then unquotes like a shell; the
/// grammar rejects some quoted forms of them.
const QUOTED_WORDS: &[&str] = &[
    "USER",
    "WORKDIR",
    "ADD",
    "COPY",
    "VOLUME",
    "STOPSIGNAL",
    "EXPOSE",
];

/// The logical lines (continuations joined) that hold a grammar error, start with one of
/// [`QUOTED_WORDS`], hold no control character and whose quotes Docker accepts.
pub(super) fn quoted_lines(text: &str, root: tree_sitter::Node, escape: char) -> Vec<Span> {
    let mut lines: Vec<Span> = Vec::new();
    let mut cursor = root.walk();
    for node in root.children(&mut cursor) {
        if !(node.is_error() || node.has_error()) {
            continue;
        }
        let line = logical_line(text, node.start_byte(), escape);
        if lines.contains(&line) {
            continue;
        }
        let body = &text[line.start..line.end];
        let keyword = body.split_whitespace().next().unwrap_or("");
        if !QUOTED_WORDS.iter().any(|k| k.eq_ignore_ascii_case(keyword)) {
            continue;
        }
        let args = body[keyword.len()..].trim();
        // Every node of the line must start on it: an error that runs past it is not ours.
        let contained = node.end_byte() <= line.end + 1;
        let printable = !args.chars().any(|c| c.is_control() && !c.is_whitespace());
        if contained && printable && shell_words(args, escape).is_some() {
            lines.push(line);
        }
    }
    lines
}

/// The logical line holding byte `at`: from the start of its line to the end of the last line
/// it continues onto (a line ending in the escape character continues).
fn logical_line(text: &str, at: usize, escape: char) -> Span {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut end = start;
    loop {
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        let line = text[end..line_end].trim_end_matches('\r').trim_end();
        if line.ends_with(escape) && line_end < text.len() {
            end = line_end + 1;
        } else {
            return Span::new(start, line_end);
        }
    }
}

/// An instruction read from `line` as Docker reads one the grammar rejected for its quotes.
pub(super) fn quoted_instruction(text: &str, line: Span, stage: Option<usize>) -> Instruction {
    let body = &text[line.start..line.end];
    let lead = body.len() - body.trim_start().len();
    let keyword_len = body[lead..]
        .find(char::is_whitespace)
        .unwrap_or(body.len() - lead);
    let keyword_span = Span::new(line.start + lead, line.start + lead + keyword_len);
    let keyword = text[keyword_span.start..keyword_span.end].to_ascii_uppercase();
    let mut at = keyword_span.end;
    let mut flags = Vec::new();
    // Leading `--flag=value` words (ADD and COPY).
    loop {
        let rest = &text[at..line.end];
        let skip = rest.len() - rest.trim_start().len();
        let word_start = at + skip;
        let word_len = text[word_start..line.end]
            .find(char::is_whitespace)
            .unwrap_or(line.end - word_start);
        let word = &text[word_start..word_start + word_len];
        match word.strip_prefix("--") {
            Some(raw) if !raw.is_empty() => {
                let (name, value) = raw.split_once('=').unwrap_or((raw, ""));
                flags.push(Flag {
                    name: name.to_ascii_lowercase(),
                    value: value.to_string(),
                    span: Span::new(word_start, word_start + word_len),
                });
                at = word_start + word_len;
            }
            _ => {
                at = word_start;
                break;
            }
        }
    }
    let end = line.start + body.trim_end().len();
    let args_span = Span::new(at.min(end), end);
    let user = (keyword == "USER").then(|| {
        let raw = &text[args_span.start..args_span.end];
        (
            shell_word(raw).unwrap_or_else(|| raw.to_string()),
            args_span,
        )
    });
    Instruction {
        keyword,
        keyword_span,
        span: Span::new(line.start + lead, end),
        args_span,
        flags,
        form: Form::None,
        json_args: Vec::new(),
        user,
        stage,
        shell: None,
    }
}

/// `text` split into words at unquoted white space, each unquoted and unescaped as Docker's
/// shell lexer does (`'…'` literal, `"…"` with `\"`, `\\`, `\$` escapes, a backslash elsewhere
/// escaping the next character), with the byte range of each word in `text`. `None` when a
/// quote is not closed.
pub(crate) fn shell_words(
    text: &str,
    escape: char,
) -> Option<Vec<(String, std::ops::Range<usize>)>> {
    let mut words = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut current: Option<(String, usize)> = None;
    while let Some((i, c)) = chars.next() {
        // A line continuation separates words like white space.
        let continuation = c == escape && matches!(chars.peek(), Some((_, '\n' | '\r')));
        if c.is_whitespace() || continuation {
            if continuation {
                chars.next_if(|(_, x)| *x == '\r');
                chars.next_if(|(_, x)| *x == '\n');
            }
            if let Some((word, start)) = current.take() {
                words.push((word, start..i));
            }
            continue;
        }
        let (word, _) = current.get_or_insert_with(|| (String::new(), i));
        match c {
            '\'' => loop {
                match chars.next() {
                    Some((_, '\'')) => break,
                    Some((_, x)) => word.push(x),
                    None => return None,
                }
            },
            '"' => loop {
                match chars.next() {
                    Some((_, '"')) => break,
                    Some((_, x)) if x == escape => match chars.next() {
                        Some((_, y)) if matches!(y, '"' | '$' | '`') || y == escape => word.push(y),
                        Some((_, y)) => {
                            word.push(x);
                            word.push(y);
                        }
                        None => return None,
                    },
                    Some((_, x)) => word.push(x),
                    None => return None,
                }
            },
            c if c == escape => match chars.next() {
                Some((_, x)) => word.push(x),
                None => word.push(c),
            },
            c => word.push(c),
        }
    }
    if let Some((word, start)) = current {
        words.push((word, start..text.len()));
    }
    Some(words)
}

/// One word unquoted (`"app"` → `app`); `None` when it is not one well-quoted word.
pub(crate) fn shell_word(text: &str) -> Option<String> {
    let mut words = shell_words(text.trim(), '\\')?;
    if words.len() == 1 {
        words.pop().map(|(w, _)| w)
    } else {
        None
    }
}
