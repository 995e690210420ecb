//! YAML streams (Kubernetes manifests, Helm output) into spanned nodes.
//!
//! Built on saphyr-parser's event stream. Scalars are resolved the way Kubernetes' YAML decoder
//! (go-yaml v2, YAML 1.1) resolves them, so `yes`/`no`/`on`/`off`/`y`/`n` are booleans. Anchors
//! are resolved with a budget, so an alias bomb is refused with a located error instead of
//! exhausting memory; nesting is limited for the same reason.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

use crate::model::{Entry, Node, Value};
use crate::source::Span;

mod relax;
mod scalar;

use relax::{original_offset, relaxations, with_inserts};

pub(crate) use scalar::resolve_plain;

/// Values one stream may hold by default. Real manifests hold a few thousand per document
/// (the largest `kind: List` exports some hundred thousand); each value costs about a hundred
/// bytes in the model.
pub(crate) const MAX_NODES: usize = 1_000_000;

/// Limits that keep hostile input bounded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub max_depth: usize,
    /// Nodes that alias expansion may add to one stream.
    pub max_alias_nodes: usize,
    /// Values (scalars, lists and maps) one stream may hold; past it the document being read
    /// is dropped with an error, and the documents before it are kept.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 256,
            max_alias_nodes: 1_000_000,
            max_nodes: MAX_NODES,
        }
    }
}

/// One document of a stream.
#[derive(Clone, Debug)]
pub(crate) struct YamlDoc {
    pub root: Node,
    /// The document from its first to its last byte.
    pub span: Span,
    /// `# Source: chart/templates/x.yaml` written by `helm template` before the document.
    pub helm_source: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct YamlError {
    pub message: String,
    pub span: Span,
}

/// Parse a whole stream. Documents before an error are kept.
///
/// The YAML 1.2 parser is stricter than the one Kubernetes uses (go-yaml, a libyaml port) about
/// one thing real manifests do: continuation lines of a multi-line quoted scalar, and the items
/// and closing bracket of a flow collection, not indented past their key (go-yaml does not
/// check indentation there). When the parse fails there, it is retried on a copy with those
/// lines indented just past the key (`relax`), and every span is mapped back to the original
/// text.
pub(crate) fn parse_stream(text: &str, limits: Limits) -> (Vec<YamlDoc>, Option<YamlError>) {
    let first = parse_strict(text, limits);
    if !first
        .1
        .as_ref()
        .is_some_and(|e| e.message.starts_with("invalid indentation"))
    {
        return first;
    }
    let mut inserts: Vec<(usize, usize)> = Vec::new();
    for _ in 0..64 {
        let relaxed = with_inserts(text, &inserts);
        let (mut docs, error) = parse_strict(&relaxed, limits);
        let e = match error {
            Some(e) if e.message.starts_with("invalid indentation") => e,
            other => {
                let map = |m: usize| original_offset(&inserts, m);
                for d in &mut docs {
                    remap(&mut d.root, &map);
                    d.span = Span::new(map(d.span.start), map(d.span.end));
                }
                let error = other.map(|e| YamlError {
                    span: Span::new(map(e.span.start), map(e.span.end)),
                    ..e
                });
                attach_helm_sources(text, &mut docs);
                return (docs, error);
            }
        };
        let at = original_offset(&inserts, e.span.start);
        let more = relaxations(text, at, e.message.contains("quoted scalar"));
        if more.is_empty() || more.iter().any(|m| inserts.contains(m)) {
            break;
        }
        inserts.extend(more);
        inserts.sort();
    }
    first
}

fn remap(node: &mut Node, map: &dyn Fn(usize) -> usize) {
    node.span = Span::new(map(node.span.start), map(node.span.end));
    if let Some(o) = &mut node.origin {
        o.span = Span::new(map(o.span.start), map(o.span.end));
    }
    match &mut node.value {
        Value::List(items) => items.iter_mut().for_each(|n| remap(n, map)),
        Value::Map(entries) => {
            for e in entries {
                e.key_span = Span::new(map(e.key_span.start), map(e.key_span.end));
                remap(&mut e.value, map);
            }
        }
        _ => {}
    }
}

/// A stream that opens with a flow collection (JSON) is read as if it started with `--- `.
///
/// The scanner keeps every token while a collection at the top might still turn out to be a
/// key (`{a: 1}: b`), and inside a flow collection it never gives up on that: a JSON manifest
/// was tokenized whole before its first value, at hundreds of bytes a value. After `--- ` no
/// key can start there, so values stream. Spans are mapped back to `text`.
fn parse_strict(text: &str, limits: Limits) -> (Vec<YamlDoc>, Option<YamlError>) {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let opens_flow = matches!(
        text[bom..].trim_start().as_bytes().first(),
        Some(b'{') | Some(b'[')
    );
    if !opens_flow {
        return parse_events(text, limits);
    }
    const MARKER: &str = "--- ";
    let marked = format!("{}{MARKER}{}", &text[..bom], &text[bom..]);
    // (A flow collection used as a key of the first document, `{a: 1}: b`, no longer parses:
    // no manifest is written so.)
    let (mut docs, error) = parse_events(&marked, limits);
    let map = |m: usize| {
        if m <= bom {
            m
        } else {
            m.saturating_sub(MARKER.len()).max(bom)
        }
    };
    for d in &mut docs {
        remap(&mut d.root, &map);
        d.span = Span::new(map(d.span.start), map(d.span.end));
        d.helm_source = None;
    }
    attach_helm_sources(text, &mut docs);
    let error = error.map(|e| YamlError {
        span: Span::new(map(e.span.start), map(e.span.end)),
        ..e
    });
    (docs, error)
}

fn parse_events(text: &str, limits: Limits) -> (Vec<YamlDoc>, Option<YamlError>) {
    let offsets = CharOffsets::new(text);
    let mut builder = Builder {
        text,
        offsets: &offsets,
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        nodes: 0,
        docs: Vec::new(),
        doc_start: 0,
    };
    let mut parser = Parser::new_from_str(text);
    let error = loop {
        match parser.next_event() {
            None => break None,
            Some(Err(e)) => break Some(builder.scan_error(&e)),
            Some(Ok((event, span))) => {
                let span = Span::new(
                    offsets.byte(span.start.index()),
                    offsets.byte(span.end.index()),
                );
                if let Err(e) = builder.event(event, span) {
                    break Some(e);
                }
            }
        }
    };
    let mut docs = builder.docs;
    attach_helm_sources(text, &mut docs);
    (docs, error)
}

/// saphyr reports positions in characters; the model keeps bytes.
struct CharOffsets {
    /// Byte offset of each character, plus the end. Empty when the text is ASCII.
    table: Vec<usize>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> CharOffsets {
        let table = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .collect()
        };
        CharOffsets {
            table,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.table.is_empty() {
            char_index.min(self.len)
        } else {
            self.table.get(char_index).copied().unwrap_or(self.len)
        }
    }
}

enum Frame {
    Seq {
        start: Span,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: Span,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<(String, Span, bool)>,
        merges: Vec<Node>,
    },
}

struct Builder<'a> {
    text: &'a str,
    offsets: &'a CharOffsets,
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
    nodes: usize,
    docs: Vec<YamlDoc>,
    doc_start: usize,
}

impl Builder<'_> {
    fn scan_error(&self, e: &ScanError) -> YamlError {
        let at = self.offsets.byte(e.marker().index());
        let message = if e.info().contains("recursion limit") {
            "nesting too deep (recursion limit exceeded); the document was not read".to_string()
        } else {
            e.info().to_string()
        };
        YamlError {
            message,
            span: point_span(self.text, at),
        }
    }

    /// One parser event into the tree being built. One arm per kind of event (scalar,
    /// sequence and mapping start and end, alias, document boundaries): the builder's whole
    /// state machine is read in one place, which is why this function is longer than most.
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlError> {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => Ok(()),
            Event::DocumentStart(_) => {
                self.doc_start = span.start;
                Ok(())
            }
            Event::DocumentEnd => Ok(()),
            Event::Scalar(text, style, anchor, tag) => {
                let is_str_tag = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let value = if style == ScalarStyle::Plain && !is_str_tag {
                    resolve_plain(&text)
                } else {
                    Value::String(text.into_owned())
                };
                let plain = style == ScalarStyle::Plain;
                let node = Node::new(value, span);
                self.remember(anchor, &node);
                self.push_scalar_or_key(node, plain)
            }
            Event::SequenceStart(anchor, _) => {
                self.enter(span)?;
                self.stack.push(Frame::Seq {
                    start: span,
                    anchor,
                    items: Vec::new(),
                });
                Ok(())
            }
            Event::MappingStart(anchor, _) => {
                self.enter(span)?;
                self.stack.push(Frame::Map {
                    start: span,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                    merges: Vec::new(),
                });
                Ok(())
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Seq {
                    start,
                    anchor,
                    items,
                }) => {
                    let end = collection_end(self.text, start, span, items.last().map(|n| n.span));
                    let node = Node::new(Value::List(items), Span::new(start.start, end));
                    self.remember(anchor, &node);
                    self.push_scalar_or_key(node, false)
                }
                _ => Err(self.unbalanced(span)),
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Map {
                    start,
                    anchor,
                    mut entries,
                    merges,
                    ..
                }) => {
                    let last = entries.last().map(|e| e.value.span);
                    apply_merges(&mut entries, merges);
                    let end = collection_end(self.text, start, span, last);
                    let node = Node::new(Value::Map(entries), Span::new(start.start, end));
                    self.remember(anchor, &node);
                    self.push_scalar_or_key(node, false)
                }
                _ => Err(self.unbalanced(span)),
            },
            Event::Alias(id) => {
                let Some((target, size)) = self.anchors.get(&id) else {
                    return Err(YamlError {
                        message: "alias refers to an unknown anchor".into(),
                        span,
                    });
                };
                self.alias_nodes += *size;
                if self.alias_nodes > self.limits.max_alias_nodes {
                    return Err(YamlError {
                        message: format!(
                            "aliases expand to more than {} nodes (an alias bomb?); the document was not read",
                            self.limits.max_alias_nodes
                        ),
                        span,
                    });
                }
                let node = target.relocated(span, None);
                self.push_scalar_or_key(node, false)
            }
        }
    }

    fn enter(&self, span: Span) -> Result<(), YamlError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(YamlError {
                message: format!(
                    "nesting deeper than {} levels; the document was not read",
                    self.limits.max_depth
                ),
                span: point_span(self.text, span.start),
            });
        }
        Ok(())
    }

    fn unbalanced(&self, span: Span) -> YamlError {
        YamlError {
            message: "unbalanced collection end".into(),
            span,
        }
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), node.size()));
        }
    }

    fn push_scalar_or_key(&mut self, node: Node, plain: bool) -> Result<(), YamlError> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(YamlError {
                message: format!(
                    "more than {} values in this file, over the limit; the document was not read",
                    self.limits.max_nodes
                ),
                span: point_span(self.text, node.span.start),
            });
        }
        match self.stack.last_mut() {
            None => {
                let span = Span::new(self.doc_start.min(node.span.start), node.span.end);
                self.docs.push(YamlDoc {
                    root: node,
                    span,
                    helm_source: None,
                });
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                merges,
                ..
            }) => match key.take() {
                None => {
                    let span = node.span;
                    let text = match node.value {
                        Value::String(s) => s,
                        _ => self.text[span.start..span.end].to_string(),
                    };
                    *key = Some((text, span, plain));
                }
                Some((k, key_span, key_plain)) => {
                    if key_plain && k == "<<" {
                        merges.push(node);
                    } else {
                        entries.push(Entry {
                            key: k,
                            key_span,
                            value: node,
                        });
                    }
                }
            },
        }
        Ok(())
    }
}

/// YAML merge keys: entries of the merged maps that the map does not set itself.
fn apply_merges(entries: &mut Vec<Entry>, merges: Vec<Node>) {
    for merged in merges {
        let maps: Vec<Node> = match merged.value {
            Value::List(items) => items,
            _ => vec![merged],
        };
        for map in maps {
            if let Value::Map(extra) = map.value {
                for e in extra {
                    if !entries.iter().any(|x| x.key == e.key) {
                        entries.push(e);
                    }
                }
            }
        }
    }
}

/// A collection ends at its closing bracket (flow style) or at the end of its last child.
fn collection_end(text: &str, start: Span, end_event: Span, last_child: Option<Span>) -> usize {
    let flow = matches!(text.as_bytes().get(start.start), Some(b'{') | Some(b'['));
    match (flow, last_child) {
        (true, _) => end_event.end.max(start.end),
        (false, Some(last)) => last.end,
        (false, None) => start.end,
    }
}

/// A one-character span at `at` (empty at the end of the text).
fn point_span(text: &str, at: usize) -> Span {
    let at = at.min(text.len());
    let end = text[at..]
        .chars()
        .next()
        .map(|c| at + c.len_utf8())
        .unwrap_or(at);
    Span::new(at, end)
}

fn attach_helm_sources(text: &str, docs: &mut [YamlDoc]) {
    if !text.contains("# Source: ") {
        return;
    }
    let mut sources = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.trim_start().strip_prefix("# Source: ") {
            sources.push((offset, rest.trim().to_string()));
        }
        offset += line.len();
    }
    let mut prev_end = 0;
    for doc in docs.iter_mut() {
        let start = doc.root.span.start;
        doc.helm_source = sources
            .iter()
            .rev()
            .find(|(at, _)| *at >= prev_end && *at < start)
            .map(|(_, s)| s.clone());
        prev_end = doc.root.span.end;
    }
}

#[cfg(test)]
mod tests;
