//! Encoding functions: base64, and JSON (`jsonencode` keeps its argument as a document;
//! `jsondecode` parses one).

use super::Call;
use crate::model::Value;
use crate::parse::terraform_json::json_node;
use crate::terraform::budget::NODE_COST;

pub(super) const NAMES: &[&str] = &["base64encode", "base64decode", "jsondecode"];

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
        _ => return None,
    })
}

/// `jsonencode`: the document keeps its structure, with the spans of what was written, instead
/// of becoming JSON text: rules read policies as data and point into them. Parts known only at
/// apply time (an ARN of another resource) stay unknown inside it.
pub(super) fn jsonencode(c: &Call) -> Option<Value> {
    Some(c.arg(0)?.value.clone())
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
        let kept = eval(r#"jsonencode({ a = var.x, b = "y" })"#);
        assert!(kept.get("a").unwrap().is_unknown());
        assert_eq!(kept.get("b").and_then(|b| b.as_str()), Some("y"));
    }
}
