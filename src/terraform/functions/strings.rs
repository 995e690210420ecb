//! String functions: case, trimming, joining and splitting, replacing (a `/…/` pattern is a
//! regular expression, see `regex.rs`), `substr` and `format`.

use super::{scalar_string, Call};
use crate::model::{Node, Value};
use crate::terraform::budget::NODE_COST;

pub(super) const NAMES: &[&str] = &[
    "lower",
    "upper",
    "trimspace",
    "trimprefix",
    "trimsuffix",
    "startswith",
    "endswith",
    "join",
    "split",
    "replace",
    "substr",
    "format",
];

pub(super) fn call(c: &Call) -> Option<Value> {
    Some(match c.name {
        "lower" => Value::String(c.string(0)?.to_lowercase()),
        "upper" => Value::String(c.string(0)?.to_uppercase()),
        "trimspace" => Value::String(c.string(0)?.trim().to_string()),
        "trimprefix" => {
            let (text, prefix) = (c.string(0)?, c.string(1)?);
            Value::String(
                text.strip_prefix(prefix.as_str())
                    .unwrap_or(&text)
                    .to_string(),
            )
        }
        "trimsuffix" => {
            let (text, suffix) = (c.string(0)?, c.string(1)?);
            Value::String(
                text.strip_suffix(suffix.as_str())
                    .unwrap_or(&text)
                    .to_string(),
            )
        }
        "startswith" => Value::Bool(c.string(0)?.starts_with(c.string(1)?.as_str())),
        "endswith" => Value::Bool(c.string(0)?.ends_with(c.string(1)?.as_str())),
        "join" => join(c)?,
        "split" => split(c)?,
        "replace" => replace(c)?,
        "substr" => substr(c)?,
        "format" => format(c)?,
        _ => return None,
    })
}

/// `join(sep, list...)`: the result reserved first (a long separator between many parts).
fn join(c: &Call) -> Option<Value> {
    let sep = c.string(0)?;
    let mut parts = Vec::new();
    for list in &c.args[1..] {
        for item in list.as_list() {
            parts.push(scalar_string(&item.value)?);
        }
    }
    let size = parts.iter().map(|p| p.len() as u64).sum::<u64>()
        + (sep.len() as u64).saturating_mul(parts.len().saturating_sub(1) as u64);
    let _reserved = c.reserve(size)?;
    Some(Value::String(parts.join(&sep)))
}

/// `split(sep, text)`; an empty separator splits into characters, and an empty text then has
/// none (Terraform follows Go's `strings.Split`).
fn split(c: &Call) -> Option<Value> {
    let (sep, text) = (c.string(0)?, c.string(1)?);
    let pieces = if sep.is_empty() {
        text.chars().count()
    } else {
        text.matches(sep.as_str()).count() + 1
    };
    let _reserved = c.reserve(pieces as u64 * NODE_COST + text.len() as u64)?;
    let node = |p: &str| Node::new(Value::String(p.to_string()), c.span);
    Some(Value::List(if sep.is_empty() {
        text.char_indices()
            .map(|(i, ch)| node(&text[i..i + ch.len_utf8()]))
            .collect()
    } else {
        text.split(sep.as_str()).map(node).collect()
    }))
}

fn replace(c: &Call) -> Option<Value> {
    let (text, from, to) = (c.string(0)?, c.string(1)?, c.string(2)?);
    match from.strip_prefix('/').and_then(|f| f.strip_suffix('/')) {
        // `/.../` is a regular expression (RE2 syntax, `$1` in the replacement).
        Some(pattern) => Some(Value::String(super::regex::replace(
            c, &text, pattern, &to,
        )?)),
        None => {
            let count = if from.is_empty() {
                text.chars().count() + 1
            } else {
                text.matches(from.as_str()).count()
            } as u64;
            let size = (text.len() as u64).saturating_add(count.saturating_mul(to.len() as u64));
            let _reserved = c.reserve(size)?;
            Some(Value::String(text.replace(&from, &to)))
        }
    }
}

/// `substr(text, offset, length)` in characters; a negative offset counts from the end, a
/// negative length takes the rest.
fn substr(c: &Call) -> Option<Value> {
    let (text, offset, length) = (c.string(0)?, c.number(1)?, c.number(2)?);
    let chars: Vec<char> = text.chars().collect();
    let start = if offset < 0.0 {
        chars.len().checked_sub((-offset) as usize)?
    } else {
        (offset as usize).min(chars.len())
    };
    let end = if length < 0.0 {
        chars.len()
    } else {
        (start + length as usize).min(chars.len())
    };
    Some(Value::String(chars[start..end].iter().collect()))
}

/// `format` with the `%s`, `%d`, `%v` and `%%` verbs; any other verb is unknown.
fn format(c: &Call) -> Option<Value> {
    let fmt = c.string(0)?;
    let mut out = String::new();
    let mut rest = c.args[1..].iter();
    let mut chars = fmt.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' | 'd' | 'v' => out.push_str(&scalar_string(&rest.next()?.value)?),
            _ => return None,
        }
    }
    Some(Value::String(out))
}

#[cfg(test)]
mod tests {
    use crate::terraform::functions::eval;

    #[test]
    fn string_functions() {
        assert_eq!(eval(r#"upper("aé")"#).as_str(), Some("A\u{c9}"));
        assert_eq!(eval(r#"trimspace("  x \n")"#).as_str(), Some("x"));
        assert_eq!(eval(r#"trimsuffix("a.tf", ".tf")"#).as_str(), Some("a"));
        assert_eq!(
            eval(r#"startswith("arn:aws", "arn:")"#).as_bool(),
            Some(true)
        );
        assert_eq!(eval(r#"substr("héllo", 1, 3)"#).as_str(), Some("\u{e9}ll"));
        assert_eq!(
            eval(r#"format("%s-%d %%", "web", 3)"#).as_str(),
            Some("web-3 %")
        );
        // An unsupported verb or a missing argument: unknown.
        assert!(eval(r#"format("%q", "x")"#).is_unknown());
        assert!(eval(r#"format("%s-%s", "x")"#).is_unknown());
        assert_eq!(
            eval(r#"join("-", ["a", 1], [true])"#).as_str(),
            Some("a-1-true")
        );
        assert_eq!(
            eval(r#"replace("a-b-c", "-", "+")"#).as_str(),
            Some("a+b+c")
        );
        assert_eq!(eval("lower(8080)").as_str(), Some("8080"));
        // Checked against `terraform console` (1.11).
        let split = |e: &str| -> Vec<String> {
            eval(e)
                .as_list()
                .iter()
                .map(|n| n.as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(split(r#"split("", "héé")"#), ["h", "é", "é"]);
        assert!(split(r#"split("", "")"#).is_empty());
        assert_eq!(split(r#"split(",", "")"#), [""]);
        assert_eq!(split(r#"split(",", "a,,b")"#), ["a", "", "b"]);
        assert!(eval("lower(var.unknown)").is_unknown());
    }
}
