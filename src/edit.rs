//! Helpers that build textual edits which keep the file's style: indentation, line endings,
//! quoting. Fixes never re-serialise a file.

use crate::fix::Edit;
use crate::model::Node;
use crate::source::Span;

/// The line ending the file uses.
pub(crate) fn newline(text: &str) -> &'static str {
    // The first line break decides: called once per fix, it must not read the whole file.
    match memchr::memchr(b'\n', text.as_bytes()) {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Is the map written in block style (not `{…}`)?
pub(crate) fn is_block_map(text: &str, map: &Node) -> bool {
    map.is_map()
        && !matches!(text.as_bytes().get(map.span.start), Some(b'{'))
        && !map.entries().is_empty()
}

/// Insert YAML lines as new entries at the end of a block-style map, at the indentation of its
/// keys. `lines` are relative: nested lines carry their own extra indentation.
pub(crate) fn yaml_append_entries(text: &str, map: &Node, lines: &[String]) -> Option<Edit> {
    if !is_block_map(text, map) || map.origin.is_some() {
        return None;
    }
    // Only the key's own line matters: no index of the whole file (fixes are built for every
    // finding, and a large manifest has thousands).
    let first_key = map.entries().first()?.key_span.start;
    let line_start = text[..first_key].rfind('\n').map_or(0, |i| i + 1);
    let indent = first_key - line_start;
    let prefix = &text[line_start..first_key];
    // The key's column must be reachable with spaces (`- name:` lines are fine).
    if !prefix.chars().all(|c| c == ' ' || c == '-') {
        return None;
    }
    let last = map.entries().iter().map(|e| e.value.span.end).max()?;
    // A block scalar's span can run into the indentation of the next line.
    let last = text[..last].trim_end_matches([' ', '\t']).len();
    let at = end_of_line(text, last);
    let nl = newline(text);
    let mut insert = String::new();
    for line in lines {
        insert.push_str(nl);
        insert.push_str(&" ".repeat(indent));
        insert.push_str(line);
    }
    Some(Edit::insert(at, insert))
}

/// Set `path` (nested keys under the block map `map`) to the scalar `value`: replace the value
/// when the key exists, else add the missing keys, nested, at the end of the deepest map that
/// exists. `None` when the text cannot be edited in place (flow style, aliases).
pub(crate) fn yaml_set(text: &str, map: &Node, path: &[&str], value: &str) -> Option<Edit> {
    let (first, rest) = path.split_first()?;
    match map.get(first) {
        Some(node) if rest.is_empty() => replace_scalar(text, node, value),
        Some(node) if node.is_map() && !node.entries().is_empty() => {
            yaml_set(text, node, rest, value)
        }
        Some(_) => None,
        None => {
            let mut lines = Vec::new();
            for (depth, key) in path.iter().enumerate() {
                let indent = "  ".repeat(depth);
                if depth + 1 == path.len() {
                    lines.push(format!("{indent}{key}: {value}"));
                } else {
                    lines.push(format!("{indent}{key}:"));
                }
            }
            yaml_append_entries(text, map, &lines)
        }
    }
}

/// The offset of the end of the line holding `offset - 1` (before its line break).
pub(crate) fn end_of_line(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    if offset > 0 && text.as_bytes()[offset - 1] == b'\n' {
        let mut at = offset - 1;
        if at > 0 && text.as_bytes()[at - 1] == b'\r' {
            at -= 1;
        }
        return at;
    }
    match text[offset..].find('\n') {
        Some(i) => {
            let at = offset + i;
            if at > 0 && text.as_bytes()[at - 1] == b'\r' {
                at - 1
            } else {
                at
            }
        }
        None => text.len(),
    }
}

/// Replace a scalar, keeping its quotes when it is quoted.
pub(crate) fn replace_scalar(text: &str, node: &Node, value: &str) -> Option<Edit> {
    if node.origin.is_some() {
        return None; // reached through an alias or a variable: the text here is not the value
    }
    let raw = text.get(node.span.start..node.span.end)?;
    let quote = raw.chars().next().filter(|c| *c == '"' || *c == '\'');
    Some(match quote {
        Some(q) if raw.len() >= 2 && raw.ends_with(q) => {
            Edit::replace(Span::new(node.span.start + 1, node.span.end - 1), value)
        }
        _ => Edit::replace(node.span, value),
    })
}

/// The span of `needle` inside the text of `node` (the unquoted value within its quotes).
pub(crate) fn find_in(text: &str, node: &Node, needle: &str) -> Option<Span> {
    let raw = text.get(node.span.start..node.span.end)?;
    let i = raw.find(needle)?;
    Some(Span::new(
        node.span.start + i,
        node.span.start + i + needle.len(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply;
    use crate::parse::yaml::{parse_stream, Limits};

    #[test]
    fn appends_at_key_indentation() {
        let text = "containers:\n  - name: api\n    image: x\n  - name: b\n";
        let (docs, _) = parse_stream(text, Limits::default());
        let c = &docs[0].root.get("containers").unwrap().as_list()[0];
        let e =
            yaml_append_entries(text, c, &["resources:".into(), "  limits: {}".into()]).unwrap();
        assert_eq!(
            apply(text, &[&e]).unwrap(),
            "containers:\n  - name: api\n    image: x\n    resources:\n      limits: {}\n  - name: b\n"
        );
    }

    #[test]
    fn appends_after_a_folded_scalar() {
        let text =
            "c:\n  - name: a\n    command:\n      - >-\n        run\n        it\n  - name: b\n";
        let (docs, _) = parse_stream(text, Limits::default());
        let c = &docs[0].root.get("c").unwrap().as_list()[0];
        let e = yaml_append_entries(text, c, &["x: 1".into()]).unwrap();
        assert_eq!(
            apply(text, &[&e]).unwrap(),
            "c:\n  - name: a\n    command:\n      - >-\n        run\n        it\n    x: 1\n  - name: b\n"
        );
    }

    #[test]
    fn sets_nested_keys() {
        let text = "c:\n  name: api\n  securityContext:\n    privileged: false\n";
        let (docs, _) = parse_stream(text, Limits::default());
        let c = docs[0].root.get("c").unwrap();
        let e = yaml_set(
            text,
            c,
            &["securityContext", "seccompProfile", "type"],
            "RuntimeDefault",
        )
        .unwrap();
        assert_eq!(
            apply(text, &[&e]).unwrap(),
            "c:\n  name: api\n  securityContext:\n    privileged: false\n    seccompProfile:\n      type: RuntimeDefault\n"
        );
        let e = yaml_set(text, c, &["securityContext", "privileged"], "true").unwrap();
        assert_eq!(
            apply(text, &[&e]).unwrap(),
            "c:\n  name: api\n  securityContext:\n    privileged: true\n"
        );
        let e = yaml_set(text, c, &["resources", "limits", "cpu"], "1").unwrap();
        assert!(apply(text, &[&e])
            .unwrap()
            .ends_with("  resources:\n    limits:\n      cpu: 1\n"));
    }

    #[test]
    fn keeps_crlf_and_quotes() {
        let text = "a: \"x\"\r\nb: 1\r\n";
        let (docs, _) = parse_stream(text, Limits::default());
        let root = &docs[0].root;
        let e = replace_scalar(text, root.get("a").unwrap(), "y").unwrap();
        assert_eq!(apply(text, &[&e]).unwrap(), "a: \"y\"\r\nb: 1\r\n");
        let e = yaml_append_entries(text, root, &["c: 2".into()]).unwrap();
        assert_eq!(apply(text, &[&e]).unwrap(), "a: \"x\"\r\nb: 1\r\nc: 2\r\n");
    }
}
