//! Terraform's JSON configuration syntax (`*.tf.json`), read by writing the same configuration
//! as native HCL and parsing that: the evaluator then treats both alike. Every token written is
//! anchored to the JSON it came from, and [`SpanMap::map`] takes a span of the written text back
//! to the JSON file.
//!
//! Without provider schemas, a JSON object inside a resource is written as a nested block
//! unless its name is one of the common map-valued arguments (`tags`, `labels`, `metadata`,
//! `variables`…); a list of objects is written as repeated blocks. Rules read blocks and lists
//! of objects alike, so the guess only matters for maps.

use crate::model::{Entry, Node, Value};
use crate::parse::yaml;
use crate::source::Span;

/// Spans of the written HCL (`gen`) and of the JSON they came from, innermost last among
/// those that start at the same place.
#[derive(Clone, Debug, Default)]
pub(crate) struct SpanMap {
    anchors: Vec<(Span, Span)>,
    whole: Span,
}

impl SpanMap {
    /// The JSON span for a span of the written text: the smallest anchor that holds it.
    pub(crate) fn map(&self, gen: Span) -> Span {
        // Anchors are sorted by start, wider first; the holder of `gen` starts at or before it.
        let upto = self.anchors.partition_point(|(g, _)| g.start <= gen.start);
        let mut best: Option<(Span, Span)> = None;
        for &(g, j) in self.anchors[..upto].iter().rev().take(4096) {
            if g.start <= gen.start && gen.end <= g.end {
                match best {
                    Some((b, _)) if b.end - b.start <= g.end - g.start => {}
                    _ => best = Some((g, j)),
                }
                if g.end - g.start == gen.end - gen.start {
                    break;
                }
            }
        }
        best.map_or(self.whole, |(_, j)| j)
    }
}

/// Map-valued arguments written as `name = { … }` rather than as a nested block.
const MAP_ARGUMENTS: &[&str] = &[
    "tags",
    "tags_all",
    "default_tags",
    "labels",
    "resource_labels",
    "node_labels",
    "metadata",
    "variables",
    "parameters",
    "annotations",
    "triggers",
    "environment_variables",
    "app_settings",
    "settings",
    "attributes",
    "options",
    "values",
    "vars",
    "headers",
    "selector",
    "data",
    "map",
    "properties",
    "context",
];

/// Block types whose bodies are not read (or hold no expressions rules need).
const SKIPPED: &[&str] = &[
    "output",
    "provider",
    "terraform",
    "moved",
    "import",
    "check",
    "removed",
];
/// Meta-arguments of resources that are not evaluated.
const SKIPPED_META: &[&str] = &[
    "lifecycle",
    "provisioner",
    "connection",
    "depends_on",
    "provider",
];

struct Writer {
    out: String,
    anchors: Vec<(Span, Span)>,
    depth: usize,
}

const MAX_DEPTH: usize = 64;

impl Writer {
    fn push(&mut self, text: &str, from: Span) {
        let start = self.out.len();
        self.out.push_str(text);
        self.anchors.push((Span::new(start, self.out.len()), from));
    }

    /// A string as an HCL template literal: `${…}` and `%{…}` stay templates, as in JSON syntax.
    fn string(&mut self, s: &str, from: Span) {
        let mut text = String::with_capacity(s.len() + 2);
        text.push('"');
        let chars: Vec<char> = s.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            // `${…}` and `%{…}` hold HCL expressions, copied as they are (their strings use
            // plain quotes); `$${` and `%%{` are escapes for the literal text.
            if (c == '$' || c == '%') && chars.get(i + 1) == Some(&'{') {
                let end = interpolation_end(&chars, i + 2);
                text.extend(&chars[i..end]);
                i = end;
                continue;
            }
            if (c == '$' || c == '%')
                && chars.get(i + 1) == Some(&c)
                && chars.get(i + 2) == Some(&'{')
            {
                text.extend(&chars[i..i + 3]);
                i += 3;
                continue;
            }
            i += 1;
            match c {
                '"' => text.push_str("\\\""),
                '\\' => text.push_str("\\\\"),
                '\n' => text.push_str("\\n"),
                '\r' => text.push_str("\\r"),
                '\t' => text.push_str("\\t"),
                c if c.is_control() => text.push_str(&format!("\\u{:04x}", c as u32)),
                c => text.push(c),
            }
        }
        text.push('"');
        self.push(&text, from);
    }

    fn label(&mut self, s: &str, from: Span) {
        self.out.push(' ');
        // Labels are plain strings: no templates.
        self.string(&s.replace("${", "$${").replace("%{", "%%{"), from);
    }

    /// An expression: a JSON value in expression position.
    fn expr(&mut self, n: &Node) -> Option<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let start = self.out.len();
        match &n.value {
            Value::Null => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Number(x) => self.out.push_str(&crate::model::format_number(*x)),
            Value::String(s) => self.string(s, n.span),
            Value::List(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.expr(item)?;
                }
                self.out.push(']');
            }
            Value::Map(entries) => {
                self.out.push_str("{\n");
                for e in entries.iter().filter(|e| e.key != "//") {
                    self.string(&e.key.replace("${", "$${"), e.key_span);
                    self.out.push_str(" = ");
                    self.expr(&e.value)?;
                    self.out.push('\n');
                }
                self.out.push('}');
            }
            Value::Unknown | Value::Ref(_) | Value::Partial(_) => return None,
        }
        self.anchors
            .push((Span::new(start, self.out.len()), n.span));
        self.depth -= 1;
        Some(())
    }

    /// The arguments and nested blocks of a body.
    fn body(&mut self, entries: &[Entry]) -> Option<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        for e in entries {
            let key = e.key.as_str();
            if key == "//" || SKIPPED_META.contains(&key) {
                continue;
            }
            if key == "dynamic" {
                for d in e.value.entries() {
                    for item in instances(&d.value) {
                        self.block("dynamic", &[(&d.key, d.key_span)], item, e.key_span)?;
                    }
                }
                continue;
            }
            let blocks: Vec<&Node> = match &e.value.value {
                Value::Map(_) if !MAP_ARGUMENTS.contains(&key) => vec![&e.value],
                Value::List(items)
                    if !items.is_empty()
                        && !MAP_ARGUMENTS.contains(&key)
                        && items.iter().all(|i| i.is_map()) =>
                {
                    items.iter().collect()
                }
                _ => Vec::new(),
            };
            if blocks.is_empty() {
                self.attribute(e, false)?;
            } else {
                for b in blocks {
                    self.block(key, &[], b, e.key_span)?;
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    /// `ident "label"… { body }`, anchored to the JSON object (`key` names the block).
    fn block(
        &mut self,
        ident: &str,
        labels: &[(&str, Span)],
        body: &Node,
        key: Span,
    ) -> Option<()> {
        let start = self.out.len();
        // The block's name in the JSON stands for its header.
        self.push(ident, labels.last().map_or(key, |(_, s)| *s));
        for (label, span) in labels {
            self.label(label, *span);
        }
        self.out.push_str(" {\n");
        match &body.value {
            Value::Map(entries) if ident == "locals" => {
                for e in entries.iter().filter(|e| e.key != "//") {
                    self.attribute(e, false)?;
                }
            }
            Value::Map(entries) if ident == "variable" => {
                // A variable's default is a literal value: no templates in it.
                for e in entries.iter().filter(|e| e.key == "default") {
                    self.attribute(e, true)?;
                }
            }
            Value::Map(entries) => self.body(entries)?,
            _ => {}
        }
        self.out.push_str("}\n");
        let from = labels.last().map_or(key, |(_, s)| s.cover(body.span));
        self.anchors.push((Span::new(start, self.out.len()), from));
        Some(())
    }

    /// `name = value`, anchored to the JSON member; a literal value has `${` escaped so that it
    /// stays text.
    fn attribute(&mut self, e: &Entry, literal: bool) -> Option<()> {
        let start = self.out.len();
        self.push(&e.key, e.key_span);
        self.out.push_str(" = ");
        if literal {
            self.expr(&escape_templates(&e.value))?;
        } else {
            self.expr(&e.value)?;
        }
        self.anchors.push((
            Span::new(start, self.out.len()),
            e.key_span.cover(e.value.span),
        ));
        self.out.push('\n');
        Some(())
    }
}

fn escape_templates(n: &Node) -> Node {
    let value = match &n.value {
        Value::String(s) => Value::String(s.replace("${", "$${").replace("%{", "%%{")),
        Value::List(items) => Value::List(items.iter().map(escape_templates).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|e| Entry {
                    key: e.key.clone(),
                    key_span: e.key_span,
                    value: escape_templates(&e.value),
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Node::new(value, n.span)
}

/// Where an interpolation whose body starts at `from` ends (after its closing brace).
fn interpolation_end(chars: &[char], from: usize) -> usize {
    let mut depth = 1;
    let mut i = from;
    let mut quoted = false;
    while i < chars.len() {
        match (chars[i], quoted) {
            ('\\', true) => i += 1,
            ('"', _) => quoted = !quoted,
            ('{', false) => depth += 1,
            ('}', false) => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

/// A block given as one object or as a list of objects.
fn instances(n: &Node) -> Vec<&Node> {
    match &n.value {
        Value::List(items) => items.iter().filter(|i| i.is_map()).collect(),
        Value::Map(_) => vec![n],
        _ => Vec::new(),
    }
}

/// The native HCL for a Terraform JSON document, with its span map; `None` when the document
/// is not an object.
pub(crate) fn to_hcl(root: &Node, whole: Span) -> Option<(String, SpanMap)> {
    let Value::Map(top) = &root.value else {
        return None;
    };
    let mut w = Writer {
        out: String::new(),
        anchors: Vec::new(),
        depth: 0,
    };
    for e in top.iter().filter(|e| !SKIPPED.contains(&e.key.as_str())) {
        match e.key.as_str() {
            "resource" | "data" => {
                for t in e.value.entries() {
                    for n in t.value.entries() {
                        for body in instances(&n.value) {
                            w.block(
                                &e.key,
                                &[(&t.key, t.key_span), (&n.key, n.key_span)],
                                body,
                                e.key_span,
                            )?;
                        }
                    }
                }
            }
            "module" | "variable" => {
                for n in e.value.entries() {
                    for body in instances(&n.value) {
                        w.block(&e.key, &[(&n.key, n.key_span)], body, e.key_span)?;
                    }
                }
            }
            "locals" => {
                for body in instances(&e.value) {
                    w.block("locals", &[], body, e.key_span)?;
                }
            }
            _ => {}
        }
    }
    let mut anchors = w.anchors;
    anchors.sort_by(|(a, _), (b, _)| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    Some((w.out, SpanMap { anchors, whole }))
}

/// Parse `text` (a `.tf.json` file) into nodes with spans; errors are located in the JSON.
pub(crate) fn parse_json(text: &str) -> Result<Node, (String, Span)> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&text[start..]) {
        return Err(json_error(text, start, &e, "Terraform JSON"));
    }
    let (docs, error) = yaml::parse_stream(text, yaml::Limits::default());
    match (docs.into_iter().next(), error) {
        (Some(doc), None) => Ok(doc.root),
        (_, Some(e)) => Err((format!("Terraform JSON: {}", e.message), e.span)),
        (None, None) => Err(("Terraform JSON: empty file".into(), Span::new(0, 0))),
    }
}

/// What serde_json refused in `text` (JSON from byte `start`, after a byte-order mark), located
/// at the character it names; the message keeps serde_json's words without its position.
pub(crate) fn json_error(
    text: &str,
    start: usize,
    e: &serde_json::Error,
    what: &str,
) -> (String, Span) {
    let at = start + offset_of(&text[start..], e.line(), e.column());
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    let words = e.to_string();
    let words = words.split(" at line ").next().unwrap_or(&words);
    (format!("{what}: {words}"), Span::new(at, end))
}

/// The byte offset of serde_json's 1-based line and column (a column counts bytes).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut at = 0;
    for _ in 1..line {
        match memchr::memchr(b'\n', &text.as_bytes()[at..]) {
            Some(i) => at += i + 1,
            None => break,
        }
    }
    let mut at = (at + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A JSON document as a value; every node carries the span of the string it was decoded from.
/// `None` when it nests deeper than 64 levels.
pub(crate) fn json_node(json: &serde_json::Value, span: Span) -> Option<Node> {
    from_json(json, span, 0)
}

fn from_json(json: &serde_json::Value, span: Span, depth: usize) -> Option<Node> {
    if depth > MAX_DEPTH {
        return None;
    }
    let value = match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64()?),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => Value::List(
            items
                .iter()
                .map(|i| from_json(i, span, depth + 1))
                .collect::<Option<_>>()?,
        ),
        serde_json::Value::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| {
                    Some(Entry {
                        key: k.clone(),
                        key_span: span,
                        value: from_json(v, span, depth + 1)?,
                    })
                })
                .collect::<Option<_>>()?,
        ),
    };
    Some(Node::new(value, span))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> (String, SpanMap) {
        let root = parse_json(text).unwrap();
        to_hcl(&root, Span::new(0, text.len())).unwrap()
    }

    #[test]
    fn strings_stay_templates_and_expressions_keep_their_quotes() {
        let text = r#"{"resource": {"t": {"n": {
            "a": "say \"hi\" to ${var.who}",
            "b": "${jsonencode({x = \"y\"})}",
            "c": "cost: $${literal}",
            "d": "line\nbreak"
        }}}}"#;
        let (hcl, _) = written(text);
        assert!(hcl.contains(r#"a = "say \"hi\" to ${var.who}""#), "{hcl}");
        assert!(hcl.contains(r#"b = "${jsonencode({x = "y"})}""#), "{hcl}");
        assert!(hcl.contains(r#"c = "cost: $${literal}""#), "{hcl}");
        assert!(hcl.contains(r#"d = "line\nbreak""#), "{hcl}");
        assert!(hcl_edit::parser::parse_body(&hcl).is_ok(), "{hcl}");
    }

    #[test]
    fn spans_map_back_to_the_json() {
        let text = "{\"resource\": {\"aws_s3_bucket\": {\"site\": {\"acl\": \"public-read\"}}}}";
        let (hcl, map) = written(text);
        let at = hcl.find("\"public-read\"").unwrap();
        let span = map.map(Span::new(at, at + "\"public-read\"".len()));
        assert_eq!(&text[span.start..span.end], "\"public-read\"");
        let label = hcl.find("\"site\"").unwrap();
        let span = map.map(Span::new(label, label + 6));
        assert_eq!(&text[span.start..span.end], "\"site\"");
    }

    #[test]
    fn variable_defaults_are_literal_and_maps_stay_maps() {
        let text = r#"{
            "variable": {"v": {"default": "${not.an.expression}", "type": "string"}},
            "resource": {"aws_instance": {"i": {
                "tags": {"Name": "web"},
                "root_block_device": {"encrypted": false},
                "lifecycle": {"ignore_changes": ["tags"]}
            }}}
        }"#;
        let (hcl, _) = written(text);
        assert!(
            hcl.contains(r#"default = "$${not.an.expression}""#),
            "{hcl}"
        );
        assert!(hcl.contains("tags = {"), "{hcl}");
        assert!(hcl.contains("root_block_device {"), "{hcl}");
        assert!(!hcl.contains("lifecycle"), "{hcl}");
    }

    #[test]
    fn not_an_object_is_refused() {
        let root = parse_json("[1]").unwrap();
        assert!(to_hcl(&root, Span::new(0, 3)).is_none());
        assert!(parse_json("{\"a\": }").is_err());
    }
}
