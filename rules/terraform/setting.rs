//! The common shape of a Terraform rule: one attribute of a resource must have a safe value,
//! and an attribute left unset is judged by the provider's default for it.

use crate::edit::replace_scalar;
use crate::fix::{Applicability, Edit, Fix};
use crate::model::{Node, Resource, Value};
use crate::rule::{Context, Finding, RuleMeta};
use crate::source::Span;

pub(crate) use crate::terraform::attrs::lookup;

/// What the attribute must be.
pub(crate) enum Want {
    /// This boolean; `default` is the provider's value when unset.
    Bool { want: bool, default: bool },
    /// A string among `allowed` (compared without case); `default` when unset (`None`: an
    /// unset attribute is fine).
    OneOf {
        allowed: &'static [&'static str],
        default: Option<&'static str>,
    },
    /// A number of at least `min`; `default` when unset.
    AtLeast { min: f64, default: f64 },
    /// Set to anything that is not `null`/`""`/`[]`.
    Present,
}

/// A scalar as Terraform converts it for a string attribute: `min_tls_version = 1.1` is the
/// string `"1.1"`, `true` is `"true"`.
fn as_string(v: &Node) -> Option<String> {
    match &v.value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(crate::model::format_number(*n)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(crate) struct Setting {
    pub types: &'static [&'static str],
    /// Attribute path; a nested block on the way is its first instance.
    pub path: &'static [&'static str],
    pub want: Want,
    /// The HCL value a fix writes (`true`, `"TLS1_2_2019"`), and how safe it is.
    pub fix: Option<(&'static str, Applicability)>,
    /// Resources the setting does not apply to (a replica inherits its source's encryption).
    pub skip: Option<fn(&Resource) -> bool>,
}

/// What a rule learns about one resource that breaks its setting.
pub(crate) struct Broken<'a> {
    pub resource: &'a Resource,
    /// The value written, or `None` when unset (the provider default applies).
    pub value: Option<&'a Node>,
}

impl Setting {
    /// The resources whose setting is unsafe. Unknown values are never reported.
    pub(crate) fn broken<'a>(&self, resources: &'a [Resource]) -> Vec<Broken<'a>> {
        resources
            .iter()
            .filter(|r| matches!(r.tf_type(), Some(("resource", t)) if self.types.contains(&t)))
            .filter(|r| !self.skip.is_some_and(|skip| skip(r)))
            .filter_map(|r| {
                let value = lookup(&r.body, self.path);
                match value {
                    Some(v) if v.is_unknown() => None,
                    Some(v) if matches!(v.value, Value::Null) => {
                        self.bad_when_unset().then_some(Broken {
                            resource: r,
                            value: None,
                        })
                    }
                    Some(v) => self.bad(v).then_some(Broken {
                        resource: r,
                        value: Some(v),
                    }),
                    None => self.bad_when_unset().then_some(Broken {
                        resource: r,
                        value: None,
                    }),
                }
            })
            .collect()
    }

    /// Report every broken resource; `message(resource, value)` words the finding (`value` is
    /// `None` when unset).
    pub(crate) fn report(
        &self,
        meta: &'static RuleMeta,
        cx: &Context<'_>,
        out: &mut Vec<Finding>,
        message: impl Fn(&Resource, Option<&Node>) -> String,
    ) {
        for b in self.broken(cx.resources) {
            let text = message(b.resource, b.value);
            out.push(self.finding(meta, cx, &b, text));
        }
    }

    fn bad(&self, v: &Node) -> bool {
        match &self.want {
            Want::Bool { want, .. } => match &v.value {
                Value::Bool(b) => b != want,
                Value::String(s) => s
                    .to_ascii_lowercase()
                    .parse::<bool>()
                    .is_ok_and(|b| b != *want),
                _ => false,
            },
            Want::OneOf { allowed, .. } => {
                as_string(v).is_some_and(|s| !allowed.iter().any(|a| a.eq_ignore_ascii_case(&s)))
            }
            Want::AtLeast { min, .. } => v.as_f64().is_some_and(|n| n < *min),
            Want::Present => match &v.value {
                Value::String(s) => s.is_empty(),
                Value::List(items) => items.is_empty(),
                _ => false,
            },
        }
    }

    fn bad_when_unset(&self) -> bool {
        match &self.want {
            Want::Bool { want, default } => want != default,
            Want::OneOf { default, .. } => default.is_some(),
            Want::AtLeast { min, default } => default < min,
            Want::Present => true,
        }
    }

    /// A finding for one broken resource, at the value (or the resource's header when unset),
    /// with the fix: the value replaced, or the attribute written into the block.
    pub(crate) fn finding(
        &self,
        meta: &'static RuleMeta,
        cx: &Context<'_>,
        b: &Broken,
        message: String,
    ) -> Finding {
        let r = b.resource;
        let text = cx.text(r.file);
        let span = b
            .value
            .map(|v| v.span)
            .unwrap_or_else(|| self.unset_anchor(r));
        let fix = self.fix.and_then(|(value, applicability)| {
            let edit = match b.value {
                Some(v) => replace_scalar(text, v, value.trim_matches('"')),
                None => insert_setting(text, r, self.path, value),
            }?;
            let last = self.path.last().copied().unwrap_or_default();
            Some(Fix::new(
                format!("Set `{last} = {value}`"),
                applicability,
                vec![edit],
            ))
        });
        let mut f = Finding::on(meta, r, span, message).with_fix(fix);
        if let Some(v) = b.value {
            f = f.with_origin(v, r.file, self.path.last().copied().unwrap_or("the value"));
        }
        f
    }

    /// Where an unset attribute is reported: the nearest block of its path that is written,
    /// else the resource's header.
    fn unset_anchor(&self, r: &Resource) -> Span {
        let mut node = &r.body;
        let mut at = r.head;
        for key in &self.path[..self.path.len().saturating_sub(1)] {
            match node.entry(key) {
                Some(e) => {
                    at = e.key_span;
                    node = match e.value.as_list().first() {
                        Some(first) => first,
                        None => &e.value,
                    };
                }
                None => break,
            }
        }
        at
    }
}

/// An edit that writes `path = value` into a resource: into the deepest block of the path
/// that exists, creating the blocks below it. The new lines go before the block's closing
/// brace after a blank line, so `terraform fmt` alignment of the lines above is untouched.
pub(crate) fn insert_setting(text: &str, r: &Resource, path: &[&str], value: &str) -> Option<Edit> {
    let mut block_span = r.span;
    let mut node = &r.body;
    let mut depth = 0;
    for key in &path[..path.len().saturating_sub(1)] {
        let Some(first) = node.get(key).and_then(|n| n.as_list().first()) else {
            break;
        };
        if first.origin.is_some() {
            return None; // a block from a `dynamic`/variable: not written here
        }
        block_span = first.span;
        node = first;
        depth += 1;
    }
    if r.body.origin.is_some() {
        return None;
    }
    insert_lines(text, block_span, &path[depth..], value)
}

/// An edit that writes `path = value` (creating the blocks of `path` but its last key) into
/// the block spanning `block_span`, before its closing brace.
pub(crate) fn insert_lines(
    text: &str,
    block_span: Span,
    rest: &[&str],
    value: &str,
) -> Option<Edit> {
    if rest.is_empty() {
        return None;
    }
    let close = block_span.end.checked_sub(1)?;
    if text.as_bytes().get(close) != Some(&b'}') {
        return None;
    }
    let line_start = text[..close].rfind('\n').map(|i| i + 1)?;
    let indent = &text[line_start..close];
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None; // `{ … }` on one line
    }
    let nl = crate::edit::newline(text);
    let mut lines = String::new();
    let unit = "  ";
    let mut prefix = format!("{indent}{unit}");
    for key in &rest[..rest.len() - 1] {
        lines.push_str(&format!("{prefix}{key} {{{nl}"));
        prefix.push_str(unit);
    }
    lines.push_str(&format!("{prefix}{} = {value}{nl}", rest[rest.len() - 1]));
    for _ in 0..rest.len() - 1 {
        prefix.truncate(prefix.len() - unit.len());
        lines.push_str(&format!("{prefix}}}{nl}"));
    }
    let before = &text[..line_start];
    let blank = if before.ends_with(&format!("{{{nl}")) || before.ends_with(&format!("{nl}{nl}")) {
        ""
    } else {
        nl
    };
    Some(Edit::replace(
        Span::new(line_start, line_start),
        format!("{blank}{lines}"),
    ))
}

/// The span of `needle` where it is written inside `node`'s text in the file (a value inside a
/// heredoc or a JSON string), or the whole node when it is not written there once as is.
pub(crate) fn narrow(text: &str, node: &Node, needle: &str) -> Span {
    let written = text
        .get(node.span.start..node.span.end)
        .filter(|_| node.origin.is_none() && !needle.is_empty());
    match written.and_then(|w| w.find(needle).filter(|i| !w[i + 1..].contains(needle))) {
        Some(i) => Span::new(node.span.start + i, node.span.start + i + needle.len()),
        None => node.span,
    }
}
