//! Build-argument substitution in `FROM` lines and `ARG` defaults, as Docker does it before
//! the build: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}`.

use crate::source::Span;

/// Substitute `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alt}` from global `ARG` defaults.
/// `None` when a variable has no value.
pub(crate) fn substitute(input: &str, args: &[(String, Option<String>, Span)]) -> Option<String> {
    let lookup = |name: &str| -> Option<String> {
        args.iter()
            .rev()
            .find(|(n, _, _)| n == name)
            .and_then(|(_, v, _)| v.clone())
    };
    let mut out = String::new();
    let mut rest = input;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            let close = inner.find('}')?;
            let expr = &inner[..close];
            let value = if let Some((name, default)) = expr.split_once(":-") {
                lookup(name)
                    .filter(|v| !v.is_empty())
                    .unwrap_or_else(|| default.to_string())
            } else if let Some((name, alt)) = expr.split_once(":+") {
                match lookup(name) {
                    Some(v) if !v.is_empty() => alt.to_string(),
                    _ => String::new(),
                }
            } else {
                lookup(expr)?
            };
            out.push_str(&value);
            rest = &inner[close + 1..];
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if len == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            out.push_str(&lookup(&after[..len])?);
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    Some(out)
}

/// A value without the one pair of quotes around it (ARG defaults).
pub(super) fn unquote(s: &str) -> String {
    let s = s.trim();
    if s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')))
    {
        s[1..s.len() - 1].to_string()
    } else {
        s.to_string()
    }
}
