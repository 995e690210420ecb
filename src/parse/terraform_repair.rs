//! Valid Terraform that hcl-edit 0.10 rejects, read as Terraform reads it. Every rewrite keeps
//! the text's length and byte offsets (bytes are replaced one for one), so every span the
//! parser reports is a span of the file.
//!
//! - A key given twice in an object constructor (`{ a = 1, a = 2 }`): hcl-edit refuses it,
//!   Terraform keeps the last value. The earlier items are blanked out.
//! - A line break inside the key or value of a `for` object expression, or its collection
//!   (`{ for k, v in m : k => v.on\n ? "a"\n : "b" }`): Terraform ignores line breaks inside
//!   a `for` expression, hcl-edit only inside its condition. The line break becomes a space,
//!   and is kept only when the parsed file shows it inside a `for` expression (elsewhere a line
//!   break ends an attribute or an object item, and Terraform rejects the file too).
//!
//! Anything else keeps the parser's first error.

use hcl_edit::expr::{Expression, Object, ObjectKey};
use hcl_edit::structure::Body;
use hcl_edit::visit::{self, Visit};
use hcl_edit::Span as _;

/// At most this many rewrites per file, and parses of at most [`MAX_REPARSED`] bytes in all;
/// past them the first error stands.
const MAX_REPAIRS: usize = 64;
const MAX_REPARSED: usize = 32 << 20;

/// The body of `text` (which the parser rejected with an error at `first_error`) as Terraform
/// reads it, or `None` when the error is not one of the shapes above.
pub(super) fn repair(text: &str, first_error: usize, message: &str) -> Option<Body> {
    let mut work = text.as_bytes().to_vec();
    let mut keys: Vec<std::ops::Range<usize>> = Vec::new();
    let mut breaks: Vec<std::ops::Range<usize>> = Vec::new();
    let (mut at, mut message) = (first_error, message.to_string());
    let mut parsed = None;
    let rounds = MAX_REPAIRS.min(MAX_REPARSED / text.len().max(1)).max(2);
    for _ in 0..rounds {
        if message.contains("redefined object key") {
            let key = at..at + key_len(&work, at)?;
            let name = placeholder(&work, key.len())?;
            work[key.clone()].copy_from_slice(name.as_bytes());
            keys.push(key);
        } else {
            let gap = line_break_around(&work, at)?;
            if breaks.contains(&gap) {
                return None;
            }
            for b in &mut work[gap.clone()] {
                *b = b' ';
            }
            breaks.push(gap);
        }
        match hcl_edit::parser::parse_body(std::str::from_utf8(&work).ok()?) {
            Ok(body) => {
                parsed = Some(body);
                break;
            }
            Err(e) => {
                at = e.location().offset();
                message = e.message().to_string();
            }
        }
    }
    let body = parsed?;
    let mut check = Contexts::new(&breaks);
    check.visit_body(&body);
    if !check.all_in_for() {
        return None;
    }
    if keys.is_empty() {
        return Some(body);
    }
    // Blank the items a later duplicate replaces, and parse again with the keys as written.
    let mut dups = Duplicates {
        text,
        keys: &keys,
        earlier: Vec::new(),
    };
    dups.visit_body(&body);
    for key in &keys {
        work[key.clone()].copy_from_slice(&text.as_bytes()[key.clone()]);
    }
    for item in &dups.earlier {
        for b in &mut work[item.clone()] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    hcl_edit::parser::parse_body(std::str::from_utf8(&work).ok()?).ok()
}

/// The length of the object key starting at `at`: an identifier or a string without
/// interpolation.
fn key_len(text: &[u8], at: usize) -> Option<usize> {
    let rest = std::str::from_utf8(text.get(at..)?).ok()?;
    let mut chars = rest.char_indices();
    match chars.next()? {
        (_, '"') => {
            let mut escaped = false;
            for (i, c) in chars {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => return Some(i + 1),
                    '\n' => return None,
                    '{' if rest[..i].ends_with(['$', '%']) => return None,
                    _ => {}
                }
            }
            None
        }
        (_, c) if c.is_alphabetic() || c == '_' => Some(
            chars
                .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '-'))
                .map_or(rest.len(), |(i, _)| i),
        ),
        _ => None,
    }
}

/// An identifier of `len` bytes that is not a word of `text`, so no key of the object is it.
fn placeholder(text: &[u8], len: usize) -> Option<String> {
    const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
    const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..2000usize)
        .map(|n| {
            let mut name = vec![FIRST[n % FIRST.len()]];
            let mut n = n / FIRST.len();
            while name.len() < len {
                name.push(REST[n % REST.len()]);
                n /= REST.len();
            }
            name
        })
        .filter(|name| name.len() == len)
        .find(|name| !is_word(text, name))
        .and_then(|name| String::from_utf8(name).ok())
}

fn is_word(text: &[u8], word: &[u8]) -> bool {
    let part = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b >= 0x80;
    text.windows(word.len()).enumerate().any(|(i, w)| {
        w == word
            && (i == 0 || !part(text[i - 1]))
            && text.get(i + word.len()).is_none_or(|b| !part(*b))
    })
}

/// The blank run of text around `at` when it holds a line break and the line it starts on has
/// no comment (a comment would run on past the joined line).
fn line_break_around(text: &[u8], at: usize) -> Option<std::ops::Range<usize>> {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let at = at.min(text.len());
    let start = at - text[..at].iter().rev().take_while(|b| blank(b)).count();
    let end = at + text[at..].iter().take_while(|b| blank(b)).count();
    if start == 0 || end == text.len() || !text[start..end].contains(&b'\n') {
        return None;
    }
    let line = text[..start]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let before = &text[line..start];
    let comment = before.contains(&b'#') || before.windows(2).any(|w| w == b"//" || w == b"/*");
    (!comment).then_some(start..end)
}

/// Whether each joined line break is directly inside a `for` expression: the innermost
/// expression around it that takes line breaks (object, list, parentheses, call, template or
/// `for`) is a `for`.
struct Contexts<'a> {
    breaks: &'a [std::ops::Range<usize>],
    innermost: Vec<bool>,
}

impl<'a> Contexts<'a> {
    fn new(breaks: &'a [std::ops::Range<usize>]) -> Self {
        Contexts {
            breaks,
            innermost: vec![false; breaks.len()],
        }
    }

    fn all_in_for(&self) -> bool {
        self.innermost.iter().all(|ok| *ok)
    }
}

impl Visit for Contexts<'_> {
    fn visit_expr(&mut self, expr: &Expression) {
        let is_for = match expr {
            Expression::ForExpr(_) => true,
            Expression::Object(_)
            | Expression::Array(_)
            | Expression::Parenthesis(_)
            | Expression::FuncCall(_)
            | Expression::StringTemplate(_)
            | Expression::HeredocTemplate(_) => false,
            _ => return visit::visit_expr(self, expr),
        };
        if let Some(span) = expr.span() {
            // Pre-order: a context set later for the same break is nested in this one.
            for (i, gap) in self.breaks.iter().enumerate() {
                if span.start < gap.start && gap.end < span.end {
                    self.innermost[i] = is_for;
                }
            }
        }
        visit::visit_expr(self, expr);
    }
}

/// The items of objects that a later item with a rewritten key replaces.
struct Duplicates<'a> {
    text: &'a str,
    keys: &'a [std::ops::Range<usize>],
    earlier: Vec<std::ops::Range<usize>>,
}

impl Duplicates<'_> {
    /// The key as Terraform reads it, from the text as written.
    fn name(&self, key: &ObjectKey) -> Option<String> {
        let span = match key {
            ObjectKey::Ident(id) => id.span(),
            ObjectKey::Expression(e) => e.span(),
        }?;
        let written = self.text.get(span)?;
        if written.starts_with('"') {
            match hcl_edit::parser::parse_expr(written).ok()? {
                Expression::String(s) => Some(s.value().clone()),
                _ => None,
            }
        } else {
            Some(written.to_string())
        }
    }

    /// An item from its key to the end of its value and the comma after it.
    fn item(&self, key: &ObjectKey, value: &Expression) -> Option<std::ops::Range<usize>> {
        let start = match key {
            ObjectKey::Ident(id) => id.span(),
            ObjectKey::Expression(e) => e.span(),
        }?
        .start;
        let end = value.span()?.end;
        let rest = self.text.as_bytes().get(end..)?;
        let blank = rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        let comma = usize::from(rest.get(blank) == Some(&b','));
        Some(start..end + if comma == 1 { blank + 1 } else { 0 })
    }
}

impl Visit for Duplicates<'_> {
    fn visit_object(&mut self, object: &Object) {
        let items: Vec<_> = object.iter().collect();
        for (i, (key, _)) in items.iter().enumerate() {
            let rewritten = match key {
                ObjectKey::Ident(id) => id.span(),
                ObjectKey::Expression(e) => e.span(),
            }
            .is_some_and(|s| self.keys.iter().any(|k| k.start == s.start));
            let Some(name) = rewritten.then(|| self.name(key)).flatten() else {
                continue;
            };
            for (k, v) in &items[..i] {
                if self.name(k).as_deref() == Some(name.as_str()) {
                    if let Some(item) = self.item(k, v.expr()) {
                        self.earlier.push(item);
                    }
                }
            }
        }
        visit::visit_object(self, object);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<Body> {
        match hcl_edit::parser::parse_body(text) {
            Ok(body) => Some(body),
            Err(e) => repair(text, e.location().offset(), e.message()),
        }
    }

    /// The object items of the first attribute, as `key=value source text` pairs.
    fn items(text: &str) -> Vec<String> {
        let body = parse(text).expect("parses");
        let attr = body.attributes().next().expect("an attribute");
        let Expression::Object(object) = &attr.value else {
            panic!("not an object");
        };
        object
            .iter()
            .map(|(k, v)| {
                let k = match k {
                    ObjectKey::Ident(id) => id.span(),
                    ObjectKey::Expression(e) => e.span(),
                }
                .unwrap();
                let v = v.expr().span().unwrap();
                format!("{}={}", &text[k], &text[v])
            })
            .collect()
    }

    #[test]
    fn the_last_of_a_repeated_key_is_kept() {
        assert_eq!(items("x = { a = 1, a = 2 }\n"), ["a=2"]);
        assert_eq!(
            items("x = { a = 1, b = 0, a = 2, a = 3 }\n"),
            ["b=0", "a=3"]
        );
        assert_eq!(
            items("x = {\n  \"k\" = 1\n  k2 = 0\n  \"k\" = 2\n}\n"),
            ["k2=0", "\"k\"=2"]
        );
        // The earlier value may span lines; spans stay those of the text.
        let text = "x = {\n  a = {\n    é = \"ü\"\n  }\n  a = \"ß\"\n}\n";
        assert_eq!(items(text), ["a=\"ß\""]);
        // One-letter keys need a one-letter stand-in that is no key of the object.
        let text = "x = { a = 1, b = 1, c = 1, a = 2 }\n";
        assert_eq!(items(text), ["b=1", "c=1", "a=2"]);
    }

    #[test]
    fn repeated_keys_in_nested_objects_are_found() {
        let text = "x = { outer = { a = 1, a = 2 }, b = { c = [{ d = 1, d = 2 }] } }\n";
        let body = parse(text).expect("parses");
        let printed = body.attributes().next().unwrap().value.to_string();
        assert!(
            !printed.contains("a = 1") && printed.contains("a = 2"),
            "{printed}"
        );
        assert!(
            !printed.contains("d = 1") && printed.contains("d = 2"),
            "{printed}"
        );
    }

    #[test]
    fn a_for_object_expression_may_break_lines() {
        for text in [
            "x = { for k, v in var.m : k => v.on\n  ? \"a\"\n  : \"b\" }\n",
            "x = { for k, v in var.m : k => v.on ? \"a\"\n  : \"b\" }\n",
            "x = { for k, v in var.m : k => v.on ?\n  \"a\" :\n  \"b\" }\n",
            "x = { for k, v in var.m : k => v.a\r\n  && v.b }\r\n",
            "x = { for k, v in var.m : k => v.a\n\n  ? 1 : 2 if v.on }\n",
        ] {
            let body = parse(text).unwrap_or_else(|| panic!("{text:?}"));
            let attr = body.attributes().next().unwrap();
            let Expression::ForExpr(f) = &attr.value else {
                panic!("{text:?}");
            };
            // The value keeps its place in the text.
            let v = f.value_expr.span().unwrap();
            assert!(text[v].starts_with("v."), "{text:?}");
        }
    }

    #[test]
    fn line_breaks_terraform_rejects_stay_errors() {
        for text in [
            // An attribute ends at the line break.
            "x = true\n  ? 1 : 2\n",
            // So does an object item, also inside a `for` value.
            "x = { a = true\n  ? 1 : 2 }\n",
            "x = { for k, v in var.m : k => {\n  a = v.on\n  ? 1 : 2 } }\n",
            // A comment would swallow the joined line.
            "x = { for k, v in var.m : k => v.on # why\n  ? 1 : 2 }\n",
            // Not valid anywhere.
            "x = { for k, v in var.m : k => v.on\n  ?? 1 : 2 }\n",
            "x = { a = 1, a = }\n",
            "x = { (k) = 1, (k) = 2 }\n",
            "x = { \"a${b}\" = 1, \"a${b}\" = 2 }\n",
        ] {
            assert!(parse(text).is_none(), "{text:?}");
        }
    }

    #[test]
    fn hostile_repetitions_end() {
        // More repeated keys than rewrites: the error stands, quickly.
        let items: Vec<String> = (0..200).map(|i| format!("a = {i}")).collect();
        let text = format!("x = {{ {} }}\n", items.join(", "));
        assert!(parse(&text).is_none());
        let breaks = "x = { for k, v in m : k => v\n ? 1\n : ".repeat(40) + "0 }\n";
        assert!(parse(&breaks).is_none());
        // Within the limit, a long chain of line breaks is read.
        let text = format!(
            "x = {{ for k, v in m : k => {}0 }}\n",
            "v\n ? 1\n : ".repeat(20)
        );
        assert!(parse(&text).is_some());
    }
}
