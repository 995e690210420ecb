//! Plain scalars as Kubernetes reads them: YAML 1.1 (go-yaml v2) booleans, nulls and numbers.

use crate::model::Value;

/// Resolve a plain scalar as YAML 1.1 (go-yaml v2, used by Kubernetes) does.
pub(crate) fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        _ => {}
    }
    // Every special word is at most five bytes: no need to look further (or allocate).
    if s.len() <= 5 {
        let is = |w: &str| s.eq_ignore_ascii_case(w);
        if is("y") || is("yes") || is("true") || is("on") {
            return Value::Bool(true);
        }
        if is("n") || is("no") || is("false") || is("off") {
            return Value::Bool(false);
        }
        if is(".inf") || is("+.inf") {
            return Value::Number(f64::INFINITY);
        }
        if is("-.inf") {
            return Value::Number(f64::NEG_INFINITY);
        }
        if is(".nan") {
            return Value::Number(f64::NAN);
        }
    }
    if let Some(n) = parse_yaml11_number(s) {
        return Value::Number(n);
    }
    Value::String(s.to_string())
}

fn parse_yaml11_number(s: &str) -> Option<f64> {
    let first = s.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    let clean: std::borrow::Cow<str> = if s.contains('_') {
        s.chars().filter(|c| *c != '_').collect::<String>().into()
    } else {
        s.into()
    };
    let (sign, body) = match clean.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    if body.is_empty() {
        return None;
    }
    let int = |digits: &str, radix| i64::from_str_radix(digits, radix).ok().map(|v| v as f64);
    let value = if let Some(hex) = body.strip_prefix("0x") {
        int(hex, 16)?
    } else if let Some(bin) = body.strip_prefix("0b") {
        int(bin, 2)?
    } else if body.len() > 1 && body.starts_with('0') && body.bytes().all(|b| b.is_ascii_digit()) {
        int(&body[1..], 8)?
    } else if body.bytes().all(|b| b.is_ascii_digit()) {
        body.parse::<f64>().ok()?
    } else if body.contains(':') {
        // Sexagesimal, e.g. 1:30 = 90.
        let mut total = 0.0;
        for part in body.split(':') {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            total = total * 60.0 + part.parse::<f64>().ok()?;
        }
        total
    } else {
        // Floats need a digit and only float characters.
        if !body.bytes().any(|b| b.is_ascii_digit())
            || !body
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    Some(sign * value)
}
