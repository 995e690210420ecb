//! Blocks into resources: `resource`, `data` and `module` blocks of a file, their instances
//! (`count`, `for_each`), nested and `dynamic` blocks, and spans taken back to the JSON of a
//! `.tf.json` file.

use std::rc::Rc;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};
use hcl_edit::Span as _;

use super::budget::NODE_COST;
use super::iterate::object;
use super::module::{Module, ModuleFile, NOT_INSTANTIATED};
use super::tfvars::is_tfvars;
use super::{range, span_of};
use crate::model::{Entry, Node, Resource, ResourceKind, Value};
use crate::parse::terraform_json::SpanMap;
use crate::source::Span;

/// At most this many instances of one `count`/`for_each` resource or `dynamic` block are
/// evaluated; rules see the first ones.
pub(super) const MAX_INSTANCES: usize = 256;

impl<'a> Module<'a> {
    /// Resources, data sources and module calls of one file, evaluated.
    pub(crate) fn resources(&self, f: &ModuleFile<'a>) -> Vec<Resource> {
        if is_tfvars(f.name) {
            return Vec::new();
        }
        self.in_file(f.file, || self.file_resources(f))
    }

    fn file_resources(&self, f: &ModuleFile<'a>) -> Vec<Resource> {
        let mut out = Vec::new();
        for block in f.tf.body.blocks() {
            let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
            let (kind, name) = match (block.ident.as_str(), labels.as_slice()) {
                ("resource", [t, n]) => (("resource", *t, *n), format!("{t}.{n}")),
                ("data", [t, n]) => (("data", *t, *n), format!("data.{t}.{n}")),
                ("module", [n]) => (("module", "module", *n), format!("module.{n}")),
                _ => continue,
            };
            let span = span_of(block, f.tf.base);
            let head_end = block
                .labels
                .last()
                .and_then(|l| l.span())
                .map(|r| r.end + f.tf.base)
                .unwrap_or(span.start);
            let mut instances = self.instances(&block.body, f.tf.base);
            let mut kind = kind;
            if instances.is_empty() && kind.0 == "module" {
                // `terraform init` still downloads a call it creates no instance of: kept under
                // its own type for the rules about sources, never evaluated.
                instances.push(None);
                kind.1 = NOT_INSTANTIATED;
            }
            for (i, instance) in instances.into_iter().enumerate() {
                if i > 0 && self.spent() {
                    break; // past the budget, no more instances
                }
                let bound = instance.is_some();
                if let Some((name, value)) = instance {
                    self.scope.borrow_mut().push((name, Rc::new(value)));
                }
                let body = self.body(&block.body, f.tf.base, span, 0);
                if bound {
                    self.scope.borrow_mut().pop();
                }
                out.push(Resource {
                    kind: ResourceKind::Terraform {
                        block: kind.0.to_string(),
                        type_name: kind.1.to_string(),
                        name: kind.2.to_string(),
                    },
                    name: name.clone(),
                    span,
                    head: Span::new(span.start, head_end),
                    body,
                    provenance: None,
                    file: f.file,
                });
            }
        }
        for r in &mut out {
            self.place(r);
        }
        out
    }

    /// Spans of resources read from `file` taken back to the JSON configuration they were
    /// written for (the file's own, and origins in any JSON file of the module).
    fn place(&self, resource: &mut Resource) {
        if self.json_maps.is_empty() {
            return;
        }
        let own = self.json_maps.get(&resource.file).cloned();
        if let Some(map) = &own {
            let head = resource.head;
            let start = map.map(Span::new(head.start, head.start + 1)).start;
            let end = map.map(Span::new(head.end.saturating_sub(1), head.end)).end;
            resource.span = map.map(resource.span);
            resource.head = if start < end {
                Span::new(start, end)
            } else {
                resource.span
            };
        }
        self.place_node(&mut resource.body, resource.file, own.as_deref());
    }

    fn place_node(&self, node: &mut Node, file: usize, own: Option<&SpanMap>) {
        if let Some(map) = own {
            node.span = map.map(node.span);
        }
        if let Some(origin) = &mut node.origin {
            if let Some(map) = self.json_maps.get(&origin.file.unwrap_or(file)) {
                origin.span = map.map(origin.span);
            }
        }
        match &mut node.value {
            Value::List(items) => {
                for item in items {
                    self.place_node(item, file, own);
                }
            }
            Value::Map(entries) => {
                for e in entries {
                    if let Some(map) = own {
                        e.key_span = map.map(e.key_span);
                    }
                    self.place_node(&mut e.value, file, own);
                }
            }
            _ => {}
        }
    }

    /// The instances of a block with `count` or `for_each`: the binding of `count`/`each` for
    /// each one. One unbound instance without either; none for `count = 0` or an empty
    /// collection; one instance with an unknown binding when the count or collection is unknown.
    fn instances(&self, body: &Body, base: usize) -> Vec<Option<(String, Node)>> {
        if let Some(count) = body.get_attribute("count") {
            let node = self.eval(&count.value, base, 0);
            let span = node.span;
            return match node.value {
                _ if self.spent() => vec![Some(("count".to_string(), Node::unknown(span)))],
                Value::Number(n) if n >= 0.0 => (0..(n as usize).min(MAX_INSTANCES))
                    .map(|i| {
                        let index = Node::new(Value::Number(i as f64), span);
                        Some(("count".to_string(), object(&[("index", index)], span)))
                    })
                    .collect(),
                _ => vec![Some(("count".to_string(), Node::unknown(span)))],
            };
        }
        if let Some(each) = body.get_attribute("for_each") {
            let node = self.eval(&each.value, base, 0);
            let span = node.span;
            return match self.elements(&node, true) {
                Some(items) => items
                    .into_iter()
                    .take(MAX_INSTANCES)
                    .map(|(key, value)| {
                        Some((
                            "each".to_string(),
                            object(&[("key", key), ("value", value)], span),
                        ))
                    })
                    .collect(),
                None => vec![Some(("each".to_string(), Node::unknown(span)))],
            };
        }
        vec![None]
    }

    fn body(&self, body: &Body, base: usize, span: Span, depth: usize) -> Node {
        let mut entries: Vec<Entry> = Vec::new();
        self.step(1, span);
        self.force(NODE_COST, span);
        for attr in body.attributes() {
            self.force(attr.key.as_str().len() as u64, span);
            entries.push(Entry {
                key: attr.key.as_str().to_string(),
                key_span: range(attr.key.span(), base),
                value: self.eval(&attr.value, base, depth),
            });
        }
        for block in body.blocks() {
            let (key, nodes) = if block.ident.as_str() == "dynamic" {
                let key = block
                    .labels
                    .first()
                    .map(|l| l.as_str().to_string())
                    .unwrap_or_default();
                (key.clone(), self.dynamic(block, &key, base, depth))
            } else {
                let node = self.body(&block.body, base, span_of(block, base), depth + 1);
                (block.ident.as_str().to_string(), vec![node])
            };
            let key_span = range(block.ident.span(), base);
            self.force(NODE_COST + key.len() as u64, key_span);
            match entries.iter_mut().find(|e| e.key == key) {
                Some(Entry {
                    value:
                        Node {
                            value: Value::List(items),
                            ..
                        },
                    ..
                }) => items.extend(nodes),
                _ => entries.push(Entry {
                    key,
                    key_span,
                    value: Node::new(Value::List(nodes), key_span),
                }),
            }
        }
        Node::new(Value::Map(entries), span)
    }

    /// `dynamic "x" { for_each = …, iterator = it, content { … } }`: one block per element, with
    /// the iterator (`x` unless renamed) bound to `{key, value}`; one block with an unknown
    /// iterator when the collection is unknown.
    fn dynamic(&self, block: &Block, label: &str, base: usize, depth: usize) -> Vec<Node> {
        let Some(content) = block.body.get_blocks("content").next() else {
            return vec![Node::unknown(span_of(block, base))];
        };
        let iterator = match block.body.get_attribute("iterator").map(|a| &a.value) {
            Some(Expression::Variable(v)) => v.as_str().to_string(),
            _ => label.to_string(),
        };
        let collection = block
            .body
            .get_attribute("for_each")
            .map(|a| self.eval(&a.value, base, depth + 1));
        let span = collection.as_ref().map(|c| c.span).unwrap_or_default();
        let bindings: Vec<Node> = match collection.as_ref().and_then(|c| self.elements(c, false)) {
            Some(items) => items
                .into_iter()
                .take(MAX_INSTANCES)
                .map(|(key, value)| object(&[("key", key), ("value", value)], span))
                .collect(),
            None => vec![Node::unknown(span)],
        };
        let mut out = Vec::new();
        for binding in bindings {
            if !out.is_empty() && self.spent() {
                break; // past the budget, no more blocks
            }
            self.scope
                .borrow_mut()
                .push((iterator.clone(), Rc::new(binding)));
            out.push(self.body(&content.body, base, span_of(content, base), depth + 1));
            self.scope.borrow_mut().pop();
        }
        out
    }
}
