//! Encoding functions: base64, JSON (`jsonencode` keeps its argument as a document;
//! `jsondecode` parses one) and `yamldecode`.

use super::Call;
use crate::model::Value;
use crate::parse::terraform_json::json_node;
use crate::terraform::budget::NODE_COST;

pub(super) const NAMES: &[&str] = &["base64encode", "base64decode", "jsondecode", "yamldecode"];

pub(super) fn call(c: &Call) -> Option<Value> {
    Some(match c.name {
        "base64encode" => Value::String(base64_encode(c.string(0)?.as_bytes())),
        "base64decode" => Value::String(String::from_utf8(base64_decode(&c.string(0)?)?).ok()?),
        "jsondecode" => {
            let text = c.string(0)?;
            // Every value but the first follows a `[`, `,` or `:`.
            let values = 1 + text.bytes().filter(|b| b"[,:".contains(b)).count() as u64;
            let _reserved = c.reserve(values * NODE_COST + text.len() as u64)?;
            let json: serde_json::Value = serde_json::from_str(&text).ok()?;
            json_node(&json, c.span)?.value
        }
        "yamldecode" => yaml_decode(c)?,
        _ => return None,
    })
}

/// `jsonencode`: the document keeps its structure, with the spans of what was written, instead
/// of becoming JSON text: rules read policies as data and point into them. Parts known only at
/// apply time (an ARN of another resource) stay unknown inside it.
pub(super) fn jsonencode(c: &Call) -> Option<Value> {
    Some(c.arg(0)?.value.clone())
}

/// `yamldecode`: one YAML document, its plain scalars read as Terraform reads them (YAML 1.1
/// booleans, nulls and numbers). A stream of several documents, or none, is an error in
/// Terraform: unknown. So is a number written in a form Terraform and the Kubernetes reading
/// of YAML disagree on (`010`, `1_000`, `1:30`, `0b11`, `0o10`), where the value is unknown.
fn yaml_decode(c: &Call) -> Option<Value> {
    use crate::parse::yaml;
    let text = c.string(0)?;
    // Every value but the first follows a line break, `-`, `,` or `:`.
    let values = 1 + text.bytes().filter(|b| b"\n-,:".contains(b)).count() as u64;
    let _reserved = c.reserve(values * NODE_COST + text.len() as u64)?;
    let limits = yaml::Limits {
        max_alias_nodes: 10_000,
        max_nodes: 100_000,
        ..yaml::Limits::default()
    };
    let (docs, error) = yaml::parse_stream(&text, limits);
    if error.is_some() || docs.len() != 1 {
        return None;
    }
    let mut root = docs.into_iter().next()?.root;
    yaml_values(&mut root, &text, c.span);
    Some(root.value)
}

/// The decoded document placed at the call, the numbers read differently made unknown.
fn yaml_values(node: &mut crate::model::Node, text: &str, span: crate::source::Span) {
    let written = text.get(node.span.start..node.span.end).unwrap_or("");
    let digits = written.trim_start_matches(['-', '+']);
    let disputed = digits.starts_with(|c: char| c.is_ascii_digit())
        && (digits.contains(['_', ':'])
            || (digits.len() > 1
                && digits.starts_with('0')
                && digits[1..].starts_with(|c: char| c.is_ascii_digit() || c == 'b' || c == 'o')));
    match &mut node.value {
        Value::List(items) => items.iter_mut().for_each(|n| yaml_values(n, text, span)),
        Value::Map(entries) => {
            for e in entries {
                e.key_span = span;
                yaml_values(&mut e.value, text, span);
            }
        }
        Value::Number(_) | Value::String(_) if disputed => node.value = Value::Unknown,
        _ => {}
    }
    node.span = span;
    node.origin = None;
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 with padding; whitespace is ignored. `None`: not base64.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if clean.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        let mut pad = 0;
        for (i, c) in chunk.iter().enumerate() {
            let v = match c {
                b'=' if i >= 2 => {
                    pad += 1;
                    0
                }
                _ if pad > 0 => return None,
                _ => BASE64.iter().position(|x| x == c)? as u32,
            };
            n |= v << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terraform::functions::eval;

    #[test]
    fn base64_round_trips() {
        for text in ["", "a", "ab", "abc", "password=hunter2\n"] {
            let encoded = base64_encode(text.as_bytes());
            assert_eq!(base64_decode(&encoded).unwrap(), text.as_bytes());
        }
        assert_eq!(base64_encode(b"abc"), "YWJj");
        assert_eq!(base64_encode(b"ab"), "YWI=");
        assert_eq!(base64_decode("YQ=="), Some(b"a".to_vec()));
        assert_eq!(base64_decode("Y=Q="), None);
    }

    #[test]
    fn encoding_functions() {
        assert_eq!(eval(r#"base64encode("abc")"#).as_str(), Some("YWJj"));
        assert_eq!(eval(r#"base64decode("YWJj")"#).as_str(), Some("abc"));
        // Not base64, or not UTF-8 once decoded.
        assert!(eval(r#"base64decode("YW")"#).is_unknown());
        assert!(eval(r#"base64decode("/w==")"#).is_unknown());
        let doc = eval(r#"jsondecode("{\"a\": [1, true]}")"#);
        assert_eq!(doc.get("a").map(|a| a.as_list().len()), Some(2));
        assert!(eval(r#"jsondecode("{")"#).is_unknown());
        // Checked against `terraform console` (1.11).
        let doc = eval(r#"yamldecode("a: 1\nb: [x, true]\nc: yes\nd: 0x10\ne: ~\nf: '010'")"#);
        assert_eq!(doc.get("a").and_then(|a| a.as_f64()), Some(1.0));
        let b: Vec<_> = doc
            .get("b")
            .unwrap()
            .as_list()
            .iter()
            .map(|n| n.value.clone())
            .collect();
        assert_eq!(b, [Value::String("x".into()), Value::Bool(true)]);
        assert_eq!(doc.get("c").and_then(|c| c.as_bool()), Some(true));
        assert_eq!(doc.get("d").and_then(|d| d.as_f64()), Some(16.0));
        assert_eq!(doc.get("e").map(|e| e.value.clone()), Some(Value::Null));
        assert_eq!(doc.get("f").and_then(|f| f.as_str()), Some("010"));
        assert_eq!(eval(r#"yamldecode("- 1\n- two")"#).as_list().len(), 2);
        assert_eq!(eval(r#"yamldecode("x")"#).as_str(), Some("x"));
        // Terraform reads 010 as 10 and 1_000 as a string: unknown here.
        let doc = eval(r#"yamldecode("a: 010\nb: 1_000\nc: 1:30\nd: 2")"#);
        assert!(doc.get("a").unwrap().is_unknown());
        assert!(doc.get("b").unwrap().is_unknown());
        assert!(doc.get("c").unwrap().is_unknown());
        assert_eq!(doc.get("d").and_then(|d| d.as_f64()), Some(2.0));
        // No document, several, or not YAML: Terraform fails.
        assert!(eval(r#"yamldecode("")"#).is_unknown());
        assert!(eval(r#"yamldecode("a: 1\n---\nb: 2")"#).is_unknown());
        assert!(eval(r#"yamldecode("a: [")"#).is_unknown());
        let kept = eval(r#"jsonencode({ a = var.x, b = "y" })"#);
        assert!(kept.get("a").unwrap().is_unknown());
        assert_eq!(kept.get("b").and_then(|b| b.as_str()), Some("y"));
    }
}
