//! References: `var.x`, `local.x`, names bound by `count`, `each`, iterators and `for`,
//! `path.module`, `terraform.workspace`, and the attributes and indexes after them. A reference
//! to another object (`aws_s3_bucket.b.arn`) stays a `Ref` with its address, so resources can
//! be joined; a splat (`x[*].id`) into a value is unknown.

use std::path::Path;

use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::Decorated;

use super::budget::NODE_COST;
use super::module::Module;
use crate::model::{Node, Value};
use crate::source::Span;

impl Module<'_> {
    pub(super) fn traversal(&self, t: &Traversal, base: usize, span: Span, depth: usize) -> Node {
        let root = match &t.expr {
            Expression::Variable(v) => v.as_str().to_string(),
            other => {
                // e.g. `{a = 1}.a` or a function result indexed.
                let node = self.eval(other, base, depth);
                return match self.walk(&node, &t.operators, base, depth) {
                    Some(found) if !self.spent() && self.charged(found, span) => found.clone(),
                    _ => Node::unknown(span),
                };
            }
        };
        let mut ops = t.operators.iter();
        let first = match ops.clone().next().map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
            _ => None,
        };
        if let Some(node) = self.bound(&root) {
            if self.spent() {
                return Node::unknown(span);
            }
            return match self.walk(&node, &t.operators, base, depth) {
                Some(found) if !self.spent() => self.copy(found, span, None),
                // A missing attribute of a bound value: unknown, used here.
                Some(_) => Node::unknown(span),
                None => Node::unknown(span).relocated(span, None),
            };
        }
        let local;
        let resolved: Option<(&Node, Option<usize>)> = match (root.as_str(), first) {
            _ if self.spent() => None,
            ("var", Some(name)) => {
                ops.next();
                self.vars.get(&name).map(|(n, f)| (n, *f))
            }
            ("local", Some(name)) => {
                ops.next();
                local = self.local(&name, depth);
                local.as_ref().map(|(n, f)| (&**n, Some(*f)))
            }
            ("path", Some(name)) if name == "module" || name == "root" => {
                return self.path_module(span);
            }
            ("terraform", Some(name)) if name == "workspace" => {
                return Node::new(Value::String("default".to_string()), span);
            }
            ("each" | "count" | "path" | "terraform" | "self", _) => None,
            _ => return self.address(&root, &t.operators, span),
        };
        let Some((node, file)) = resolved else {
            return Node::unknown(span);
        };
        let rest: Vec<_> = ops.cloned().collect();
        match self.walk(node, &rest, base, depth) {
            // Spans of the value belong to the file it was written in: the copy used here
            // carries the use site's span and remembers the definition.
            Some(found) if !self.spent() => match file {
                Some(file) => self.copy(found, span, Some(file)),
                // From the command line: nowhere to point at but the use.
                None if self.charged(found, span) => found.placed(span),
                None => Node::unknown(span),
            },
            Some(_) => Node::unknown(span),
            // A missing attribute of a variable or local: unknown, used here.
            None => match file {
                Some(file) => Node::unknown(span).relocated(span, Some(file)),
                None => Node::unknown(span),
            },
        }
    }

    /// `path.module` and `path.root`: the module's directory (`.` when it has none).
    fn path_module(&self, span: Span) -> Node {
        let dir = self.dir.as_deref().unwrap_or(Path::new("."));
        let text = if dir.as_os_str().is_empty() {
            ".".to_string()
        } else {
            dir.to_string_lossy().into_owned()
        };
        self.force(NODE_COST + text.len() as u64, span);
        Node::new(Value::String(text), span)
    }

    /// A reference to another object: its address kept for joins, every index written `[*]`.
    fn address(&self, root: &str, ops: &[Decorated<TraversalOperator>], span: Span) -> Node {
        let mut text = root.to_string();
        for op in ops {
            match op.value() {
                TraversalOperator::GetAttr(a) => {
                    text.push('.');
                    text.push_str(a.as_str());
                }
                _ => text.push_str("[*]"),
            }
        }
        self.force(NODE_COST + text.len() as u64, span);
        Node::new(Value::Ref(text), span)
    }

    /// The part of `node` that `ops` select, without copying it; `None`: unknown.
    fn walk<'n>(
        &self,
        mut node: &'n Node,
        ops: &[Decorated<TraversalOperator>],
        base: usize,
        depth: usize,
    ) -> Option<&'n Node> {
        for op in ops {
            if !self.step(1, node.span) {
                return None;
            }
            node = match op.value() {
                TraversalOperator::GetAttr(a) => node.get(a.as_str())?,
                TraversalOperator::Index(e) => {
                    let key = self.eval(e, base, depth);
                    match (&node.value, &key.value) {
                        (Value::List(items), Value::Number(i)) => items.get(*i as usize)?,
                        (Value::Map(_), Value::String(k)) => node.get(k)?,
                        _ => return None,
                    }
                }
                TraversalOperator::LegacyIndex(i) => node.as_list().get(*i.value() as usize)?,
                _ => return None,
            };
        }
        Some(node)
    }
}
