//! Iteration: what a collection is iterated as (by `for` expressions, `for_each` and `dynamic`
//! blocks), and `for` expressions themselves.

use std::collections::HashMap;
use std::rc::Rc;

use hcl_edit::expr::ForExpr;

use super::budget::NODE_COST;
use super::module::Module;
use super::MAX_ITEMS;
use crate::model::{Entry, Node, Value};
use crate::source::Span;

/// What a `for` expression has built so far: the list, or the object's entries with the
/// index of each key.
#[derive(Default)]
struct Built {
    list: Vec<Node>,
    entries: Vec<Entry>,
    index: HashMap<String, usize>,
}

impl Module<'_> {
    /// The (key, value) pairs `node` is iterated as (see [`elements`]), charged as the
    /// copies they are; `None` when unknown or past the budget.
    pub(super) fn elements(&self, node: &Node, for_each: bool) -> Option<Vec<(Node, Node)>> {
        if !self.budget.spend_copy(node, self.at(node.span)) {
            return None;
        }
        let items = elements(node, for_each)?;
        self.spend(NODE_COST * items.len() as u64, node.span)
            .then_some(items)
    }

    /// `[for k, v in coll : value if cond]` and `{for k, v in coll : key => value...}`.
    pub(super) fn for_expr(&self, f: &ForExpr, base: usize, span: Span, d: usize) -> Node {
        let collection = self.eval(&f.intro.collection_expr, base, d);
        if collection.as_list().len() > MAX_ITEMS || collection.entries().len() > MAX_ITEMS {
            return Node::unknown(span);
        }
        let Some(items) = self.elements(&collection, false) else {
            return Node::unknown(span);
        };
        drop(collection);
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str().to_string());
        let value_var = f.intro.value_var.as_str().to_string();
        let mut built = Built::default();
        for (key, value) in items {
            if self.spent() {
                return Node::unknown(span);
            }
            let pushed = 1 + usize::from(key_var.is_some());
            if let Some(k) = &key_var {
                self.scope.borrow_mut().push((k.clone(), Rc::new(key)));
            }
            self.scope
                .borrow_mut()
                .push((value_var.clone(), Rc::new(value)));
            let result = self.for_item(f, base, span, d, &mut built);
            let mut scope = self.scope.borrow_mut();
            let len = scope.len();
            scope.truncate(len - pushed);
            if result.is_none() {
                return Node::unknown(span);
            }
        }
        if self.spent() || !self.spend(NODE_COST, span) {
            return Node::unknown(span);
        }
        match f.key_expr {
            None => Node::new(Value::List(built.list), span),
            Some(_) => Node::new(Value::Map(built.entries), span),
        }
    }

    /// One element of a `for` expression, its variables bound: added to what is built unless
    /// the condition drops it; `None` when the result is unknown (an unknown condition or key,
    /// a duplicate key without `...`).
    fn for_item(
        &self,
        f: &ForExpr,
        base: usize,
        span: Span,
        d: usize,
        built: &mut Built,
    ) -> Option<()> {
        if let Some(cond) = &f.cond {
            match self.eval(&cond.expr, base, d).value {
                Value::Bool(true) => {}
                Value::Bool(false) => return Some(()),
                _ => return None,
            }
        }
        let value = self.eval(&f.value_expr, base, d);
        let Some(key_expr) = &f.key_expr else {
            built.list.push(value);
            return Some(());
        };
        let key = self.eval(key_expr, base, d);
        let Value::String(k) = key.value else {
            return None;
        };
        match built.index.get(&k) {
            Some(&i) if f.grouping => {
                if let Value::List(items) = &mut built.entries[i].value.value {
                    items.push(value);
                }
            }
            Some(_) => return None, // duplicate keys are an error
            None => {
                built.index.insert(k.clone(), built.entries.len());
                built.entries.push(Entry {
                    key: k,
                    key_span: key.span,
                    value: if f.grouping {
                        Node::new(Value::List(vec![value]), span)
                    } else {
                        value
                    },
                })
            }
        }
        Some(())
    }
}

/// An object of `entries`, every key placed at `span` (`count`, `each` and iterators).
pub(super) fn object(entries: &[(&str, Node)], span: Span) -> Node {
    Node::new(
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| Entry {
                    key: k.to_string(),
                    key_span: span,
                    value: v.clone(),
                })
                .collect(),
        ),
        span,
    )
}

/// The (key, value) pairs a collection is iterated as: a list by index (or, for `for_each`, a
/// set of strings by its own value), a map by key. `None` when unknown.
fn elements(node: &Node, for_each: bool) -> Option<Vec<(Node, Node)>> {
    match &node.value {
        Value::List(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                if for_each {
                    let s = item.as_str()?;
                    Some((
                        Node::new(Value::String(s.to_string()), item.span),
                        item.clone(),
                    ))
                } else {
                    Some((Node::new(Value::Number(i as f64), item.span), item.clone()))
                }
            })
            .collect(),
        Value::Map(entries) => Some(
            entries
                .iter()
                .map(|e| {
                    (
                        Node::new(Value::String(e.key.clone()), e.key_span),
                        e.value.clone(),
                    )
                })
                .collect(),
        ),
        _ => None,
    }
}
