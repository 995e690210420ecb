//! What go-yaml accepts and the strict YAML 1.2 parser rejects as "invalid indentation": lines
//! inside a flow collection (its items, its closing bracket) and continuation lines of a
//! quoted scalar that are not indented past the key holding them. go-yaml does not check
//! indentation there; the strict parser is given a copy with those lines indented just past
//! the key, and spans are mapped back.

/// The column of a line's key: its first character that is neither a space nor the `- ` of a
/// sequence entry.
fn key_col(line: &str) -> usize {
    line.char_indices()
        .find(|&(i, c)| c != ' ' && !(c == '-' && line[i + 1..].starts_with(' ')))
        .map_or(0, |(i, _)| i)
}

/// Lines to indent for the strict parser, with how many spaces: the line at `at` when it is
/// inside a flow collection (an item or the closing bracket) not indented past the key the
/// collection belongs to, or the continuation lines of a quoted scalar that starts at `at`,
/// whose indentation does not pass the column of the key on the scalar's first line.
pub(super) fn relaxations(text: &str, at: usize, quoted: bool) -> Vec<(usize, usize)> {
    let line_start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    if !quoted {
        let indent = text[line_start..]
            .bytes()
            .take_while(|b| *b == b' ')
            .count();
        let needed = flow_key_col(text, line_start).map_or(1, |col| col + 1);
        return vec![(line_start, needed.saturating_sub(indent).max(1))];
    }
    let key_col = key_col(&text[line_start..]);
    let Some(quote) = text[at..]
        .chars()
        .next()
        .filter(|c| *c == '\'' || *c == '"')
    else {
        return Vec::new();
    };
    let end = closing_quote(text, at, quote);
    let mut out = Vec::new();
    let mut pos = text[at..end].find('\n').map(|n| at + n + 1);
    while let Some(start) = pos {
        if start > end {
            break;
        }
        let indent = text[start..].bytes().take_while(|b| *b == b' ').count();
        if indent <= key_col {
            out.push((start, key_col + 1 - indent));
        }
        pos = text[start..end].find('\n').map(|n| start + n + 1);
    }
    out
}

/// The offset of the quote closing the scalar that opens at `at`, honouring `''` and
/// backslash escapes (the end of the text when it is not closed).
fn closing_quote(text: &str, at: usize, quote: char) -> usize {
    let bytes = text.as_bytes();
    let mut i = at + 1;
    while i < bytes.len() {
        let b = bytes[i];
        if quote == '"' && b == b'\\' {
            i += 2;
            continue;
        }
        if b == quote as u8 {
            if quote == '\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i;
        }
        i += 1;
    }
    text.len()
}

/// When `line_start` is inside a flow collection opened on an earlier line, the column of the
/// key on the line that opened it. A light scan of the lines before: quoted scalars and
/// comments skipped, a `[` or `{` opening a collection where a value starts (after `: `,
/// `- `, at the start of a line, or inside another collection).
fn flow_key_col(text: &str, line_start: usize) -> Option<usize> {
    let before = &text[..line_start];
    let bytes = before.as_bytes();
    let mut depth = 0usize;
    let mut opener = None;
    let mut current_line = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' => {
                current_line = i + 1;
                // A new document closes whatever was open.
                if before[current_line..].starts_with("---") {
                    depth = 0;
                }
            }
            b'\'' | b'"' if starts_value(before, i) || depth > 0 => {
                i = closing_quote(before, i, b as char);
            }
            b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n') => {
                i = before[i..].find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'[' | b'{' if depth > 0 || starts_value(before, i) => {
                if depth == 0 {
                    let line_end = before[current_line..]
                        .find('\n')
                        .map_or(before.len(), |n| current_line + n);
                    opener = Some(key_col(&before[current_line..line_end]));
                }
                depth += 1;
            }
            b']' | b'}' if depth > 0 => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    (depth > 0).then_some(opener).flatten()
}

/// Does a value start at `i`: after `: `, `- `, `? ` or only spaces on its line?
fn starts_value(text: &str, i: usize) -> bool {
    let line_start = text[..i].rfind('\n').map_or(0, |n| n + 1);
    let head = text[line_start..i].trim_end_matches(' ');
    head.is_empty()
        || (head.len() < text[line_start..i].len()
            && (head.ends_with(':') || head.ends_with('-') || head.ends_with('?')))
}

/// `text` with `count` spaces inserted at each original offset.
pub(super) fn with_inserts(text: &str, inserts: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len() + inserts.len() * 2);
    let mut last = 0;
    for &(at, count) in inserts {
        out.push_str(&text[last..at]);
        out.extend(std::iter::repeat_n(' ', count));
        last = at;
    }
    out.push_str(&text[last..]);
    out
}

/// The original offset of an offset in the relaxed copy (inside inserted spaces: the line
/// start they were inserted at).
pub(super) fn original_offset(inserts: &[(usize, usize)], m: usize) -> usize {
    let mut shift = 0;
    for &(at, count) in inserts {
        let start = at + shift;
        if m < start {
            break;
        }
        if m < start + count {
            return at;
        }
        shift += count;
    }
    m - shift
}
