//! The Kubernetes rules over the objects that Terraform's Kubernetes provider creates
//! ([`crate::k8s::terraform`]): findings in the `.tf` file, and fixes only where they are
//! clearly right in HCL.
//!
//! The Kubernetes rules write their fixes for YAML. A fix is kept for a provider resource only
//! when each of its edits changes a literal written in the `.tf` file, within the literal, to
//! text that is the same literal in HCL (`true` for `false`, a number for a number, words
//! inside a quoted string); its title then names the provider's field (`privileged = false`).
//! Any other fix (new keys, YAML lines) is dropped: the finding stays, without a fix.

use std::collections::HashMap;

use crate::fix::Fix;
use crate::model::{Node, Resource, Value};
use crate::rule::{Context, Domain, Finding, Rule, RuleMeta, RuleSettings};
use crate::source::{SourceFile, Span};

use super::run_rules;

/// Run the Kubernetes rules over the provider's objects of `cx.resources`' module instance.
/// The objects, and what the rules find in them.
pub(super) fn check(
    cx: &Context<'_>,
    enabled: &dyn Fn(&RuleMeta) -> bool,
    rules: &[&dyn Rule],
) -> (Vec<Resource>, Vec<Finding>) {
    let objects = crate::k8s::terraform::objects(cx.resources);
    if objects.is_empty() {
        return (objects, Vec::new());
    }
    // The module's objects are judged with the NetworkPolicies of the module only: the
    // scan's manifests are not seen here, so the set is never taken for complete.
    let settings = RuleSettings {
        network_policies_complete: false,
        ..cx.settings.clone()
    };
    let within = Context {
        files: cx.files,
        resources: &objects,
        dockerfile: None,
        scripts: &[],
        settings: &settings,
        set: cx.set,
    };
    let mut found = run_rules(&within, Domain::Kubernetes, enabled, rules);
    // The written literals of each file, gathered once, for the findings with a fix.
    let mut literals: HashMap<usize, Vec<Span>> = HashMap::new();
    for f in &mut found {
        let Some(file) = cx.files.get(f.file) else {
            f.fixes.clear();
            continue;
        };
        // A `kubernetes_manifest` is written with Kubernetes' names; the other resources
        // with the provider's, which messages and fix titles then use.
        let provider_names = !f
            .resource
            .as_deref()
            .is_some_and(|r| r.starts_with("kubernetes_manifest."));
        if provider_names {
            f.message = hcl_title(&f.message);
            for r in &mut f.related {
                r.message = related_in_hcl(&r.message);
            }
        }
        if f.fixes.is_empty() {
            continue;
        }
        let literals = literals
            .entry(f.file)
            .or_insert_with(|| written_literals(&objects, f.file, file));
        f.fixes = std::mem::take(&mut f.fixes)
            .into_iter()
            .filter_map(|fix| in_hcl(fix, &file.text, literals, provider_names))
            .collect();
    }
    (objects, found)
}

/// The spans of the scalars of `file`'s objects that are written there as HCL literals.
fn written_literals(objects: &[Resource], index: usize, file: &SourceFile) -> Vec<Span> {
    let mut out = Vec::new();
    let mut stack: Vec<&Node> = objects
        .iter()
        .filter(|o| o.file == index)
        .map(|o| &o.body)
        .collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::List(items) => stack.extend(items),
            Value::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            _ if is_literal(node, &file.text) => out.push(node.span),
            _ => {}
        }
    }
    out
}

/// Is the node's text in the file the HCL literal of its value? (`true`, `1000`, `"1000"` for
/// a user ID, `"nginx:1.27"`.) Templates, references and values from elsewhere are not.
fn is_literal(node: &Node, text: &str) -> bool {
    if node.origin.is_some() {
        return false;
    }
    let Some(raw) = text.get(node.span.start..node.span.end) else {
        return false;
    };
    let quoted = |inner: &str| {
        raw.len() >= 2
            && raw.starts_with('"')
            && raw.ends_with('"')
            && &raw[1..raw.len() - 1] == inner
            && plain(inner)
    };
    match &node.value {
        Value::Bool(b) => raw == if *b { "true" } else { "false" },
        Value::Number(n) => {
            let unquoted = raw.trim_matches('"');
            (raw == unquoted || quoted(unquoted)) && unquoted.parse::<f64>().ok() == Some(*n)
        }
        Value::String(s) => quoted(s),
        _ => false,
    }
}

/// Text that reads the same inside an HCL string as it does in YAML: no quotes, escapes,
/// template sequences or line breaks.
fn plain(text: &str) -> bool {
    !text.contains(['"', '\\', '\n', '\r']) && !text.contains("${") && !text.contains("%{")
}

/// The fix, if each edit stays inside one literal and leaves it a literal; with the title
/// naming the provider's field.
fn in_hcl(fix: Fix, text: &str, literals: &[Span], provider_names: bool) -> Option<Fix> {
    let fits = |e: &crate::fix::Edit, l: &Span| {
        if !plain(&e.replacement) {
            false
        } else if quoted_at(text, l) {
            // Inside the quotes of a string.
            l.start < e.span.start && e.span.end < l.end
        } else {
            // All of `true`, `false` or a number, for another of them.
            e.span == *l && bare_literal(&e.replacement)
        }
    };
    let ok = !fix.edits.is_empty()
        && fix
            .edits
            .iter()
            .all(|e| literals.iter().any(|l| fits(e, l)));
    ok.then(|| Fix {
        title: if provider_names {
            hcl_title(&fix.title)
        } else {
            fix.title.clone()
        },
        ..fix
    })
}

/// Does the literal at `span` start with a quote (so an edit of all of it keeps a string)?
fn quoted_at(text: &str, span: &Span) -> bool {
    text.as_bytes().get(span.start) == Some(&b'"')
}

/// `true`, `false` or a number: a replacement that is a literal without quotes.
fn bare_literal(s: &str) -> bool {
    s == "true" || s == "false" || (!s.is_empty() && s.parse::<f64>().is_ok())
}

/// `` Set `privileged: false` `` → `` Set `privileged = false` ``, with string values quoted
/// (`` `image_pull_policy = "Always"` ``): a fix title or message in the provider's words.
fn hcl_title(title: &str) -> String {
    let mut out = String::with_capacity(title.len() + 8);
    let mut parts = title.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for (i, part) in parts.enumerate() {
        out.push('`');
        // Odd pieces are inside backticks.
        let inside = i % 2 == 0;
        match part.split_once(": ").filter(|(k, _)| inside && is_field(k)) {
            Some((key, value)) => {
                let value = if bare_literal(value) || value.starts_with('"') {
                    value.to_string()
                } else {
                    format!("\"{value}\"")
                };
                out.push_str(&format!(
                    "{} = {value}",
                    crate::k8s::terraform::snake_case(key)
                ));
            }
            None => out.push_str(part),
        }
    }
    out
}

/// `runAsUser is set here` → `run_as_user is set here`.
fn related_in_hcl(message: &str) -> String {
    match message.split_once(' ') {
        Some((first, rest)) if is_field(first) && first.chars().any(|c| c.is_ascii_uppercase()) => {
            format!("{} {rest}", crate::k8s::terraform::snake_case(first))
        }
        _ => message.to_string(),
    }
}

fn is_field(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_name_the_providers_fields() {
        assert_eq!(
            hcl_title("Set `privileged: false`"),
            "Set `privileged = false`"
        );
        assert_eq!(
            hcl_title("Set `imagePullPolicy: Always`"),
            "Set `image_pull_policy = \"Always\"`"
        );
        assert_eq!(hcl_title("Run as UID 10001"), "Run as UID 10001");
        assert_eq!(
            related_in_hcl("runAsUser is set here"),
            "run_as_user is set here"
        );
        assert_eq!(
            related_in_hcl("the sysctl is set here"),
            "the sysctl is set here"
        );
    }

    #[test]
    fn only_literals_are_edited() {
        let text = r#"a = true
b = "${var.x}"
c = "0"
"#;
        let at = |needle: &str| {
            let start = text.find(needle).unwrap();
            Span::new(start, start + needle.len())
        };
        let node = |value, needle| Node::new(value, at(needle));
        assert!(is_literal(&node(Value::Bool(true), "true"), text));
        assert!(!is_literal(&node(Value::Bool(false), "true"), text));
        assert!(!is_literal(
            &node(Value::String("x".into()), "\"${var.x}\""),
            text
        ));
        assert!(is_literal(&node(Value::Number(0.0), "\"0\""), text));
        // An edit inside the quotes of a literal is kept; one replacing a whole quoted
        // string with a bare word, or inserting YAML lines, is not.
        let literals = vec![at("true"), at("\"0\"")];
        let fix = |span: Span, text: &str| {
            Fix::new(
                "Set `runAsUser: 10001`",
                crate::fix::Applicability::Unsafe,
                vec![crate::fix::Edit::replace(span, text)],
            )
        };
        let inside = Span::new(at("\"0\"").start + 1, at("\"0\"").end - 1);
        let kept = in_hcl(fix(inside, "10001"), text, &literals, true).unwrap();
        assert_eq!(kept.title, "Set `run_as_user = 10001`");
        assert!(in_hcl(fix(at("\"0\""), "Always"), text, &literals, true).is_none());
        assert!(in_hcl(fix(at("true"), "false"), text, &literals, true).is_some());
        assert!(in_hcl(fix(at("true"), "no"), text, &literals, true).is_none());
        assert!(in_hcl(fix(Span::empty(9), "x:\n  y: 1"), text, &literals, true).is_none());
    }
}
