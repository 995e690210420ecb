//! Collection functions: lists, sets and maps (`length`, `concat`, `merge`, `lookup`, `keys`,
//! `flatten`, `range`…), and `coalesce`, which takes the first usable argument.

use std::collections::HashMap;

use super::{scalar_string, Call};
use crate::model::{Entry, Node, Value};
use crate::terraform::budget::NODE_COST;
use crate::terraform::MAX_ITEMS;

pub(super) const NAMES: &[&str] = &[
    "length",
    "concat",
    "merge",
    "lookup",
    "element",
    "contains",
    "keys",
    "values",
    "zipmap",
    "flatten",
    "distinct",
    "compact",
    "one",
    "reverse",
    "sort",
    "slice",
    "coalescelist",
    "range",
];

pub(super) fn call(c: &Call) -> Option<Value> {
    let first = || c.arg(0);
    Some(match c.name {
        "length" => Value::Number(match &first()?.value {
            Value::List(i) => i.len(),
            Value::Map(e) => e.len(),
            Value::String(s) => s.chars().count(),
            _ => return None,
        } as f64),
        "concat" => Value::List(c.args.iter().flat_map(|a| a.as_list().to_vec()).collect()),
        "merge" => merge(c),
        "lookup" => match first()?.get(&c.string(1)?) {
            Some(v) => v.value.clone(),
            None => c.arg(2)?.value.clone(),
        },
        "element" => {
            let list = first()?.as_list();
            let i = c.number(1)? as usize;
            if list.is_empty() {
                return None;
            }
            list[i % list.len()].value.clone()
        }
        "contains" => {
            let needle = &c.arg(1)?.value;
            Value::Bool(first()?.as_list().iter().any(|i| &i.value == needle))
        }
        "keys" => Value::List(
            first()?
                .entries()
                .iter()
                .map(|e| Node::new(Value::String(e.key.clone()), e.key_span))
                .collect(),
        ),
        "values" => Value::List(first()?.entries().iter().map(|e| e.value.clone()).collect()),
        "zipmap" => zipmap(c)?,
        "flatten" => {
            let mut out = Vec::new();
            flatten(first()?, &mut out);
            Value::List(out)
        }
        "distinct" => distinct(c)?,
        "compact" => Value::List(
            first()?
                .as_list()
                .iter()
                .filter(|i| !matches!(&i.value, Value::Null) && i.as_str() != Some(""))
                .cloned()
                .collect(),
        ),
        "one" => match first()?.as_list() {
            [] => Value::Null,
            [one] => one.value.clone(),
            _ => return None,
        },
        "reverse" => match &first()?.value {
            Value::List(items) => Value::List(items.iter().rev().cloned().collect()),
            _ => return None,
        },
        "sort" => sort(c)?,
        "slice" => slice(c)?,
        "coalescelist" => c
            .args
            .iter()
            .find(|a| matches!(&a.value, Value::List(items) if !items.is_empty()))?
            .value
            .clone(),
        "range" => range(c)?,
        _ => return None,
    })
}

/// `coalesce`: the first argument neither null nor empty; unknown when an unknown one comes
/// first.
pub(super) fn coalesce(c: &Call) -> Option<Value> {
    for a in c.args {
        match &a.value {
            Value::Unknown | Value::Ref(_) => return None,
            Value::Null => continue,
            Value::String(s) if s.is_empty() => continue,
            v => return Some(v.clone()),
        }
    }
    None
}

/// `merge`: a later key wins, in the place of its last occurrence.
fn merge(c: &Call) -> Value {
    let all: Vec<&Entry> = c.args.iter().flat_map(|a| a.entries()).collect();
    let last: HashMap<&str, usize> = all
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key.as_str(), i))
        .collect();
    Value::Map(
        all.iter()
            .enumerate()
            .filter(|(i, e)| last[e.key.as_str()] == *i)
            .map(|(_, e)| (*e).clone())
            .collect(),
    )
}

fn zipmap(c: &Call) -> Option<Value> {
    let keys = c.arg(0)?.as_list();
    let values = c.arg(1)?.as_list();
    Some(Value::Map(
        keys.iter()
            .zip(values)
            .map(|(k, v)| {
                Some(Entry {
                    key: scalar_string(&k.value)?,
                    key_span: k.span,
                    value: v.clone(),
                })
            })
            .collect::<Option<_>>()?,
    ))
}

fn flatten(n: &Node, out: &mut Vec<Node>) {
    match &n.value {
        Value::List(items) => items.iter().for_each(|i| flatten(i, out)),
        _ => out.push(n.clone()),
    }
}

/// `distinct`: each comparison with what is kept counted as a step.
fn distinct(c: &Call) -> Option<Value> {
    let mut out: Vec<Node> = Vec::new();
    for i in c.arg(0)?.as_list() {
        if !c.step(out.len() as u64) {
            return None;
        }
        if !out.iter().any(|o| o.value == i.value) {
            out.push(i.clone());
        }
    }
    Some(Value::List(out))
}

/// `sort`: lexical order of the elements as strings; unknown unless all are scalars.
fn sort(c: &Call) -> Option<Value> {
    match &c.arg(0)?.value {
        Value::List(items) => {
            let mut items = items.clone();
            if items.iter().any(|i| scalar_string(&i.value).is_none()) {
                return None;
            }
            items.sort_by_key(|i| scalar_string(&i.value));
            Some(Value::List(items))
        }
        _ => None,
    }
}

fn slice(c: &Call) -> Option<Value> {
    match &c.arg(0)?.value {
        Value::List(items) => {
            let (from, to) = (c.number(1)?, c.number(2)?);
            if from < 0.0 || to < from || to as usize > items.len() {
                return None;
            }
            Some(Value::List(items[from as usize..to as usize].to_vec()))
        }
        _ => None,
    }
}

/// `range(end)` or `range(start, end)` over integers, at most [`MAX_ITEMS`] of them, reserved
/// first.
fn range(c: &Call) -> Option<Value> {
    let (start, end) = match c.args {
        [end] => (0.0, end.as_f64()?),
        [start, end, ..] => (start.as_f64()?, end.as_f64()?),
        _ => return None,
    };
    if end - start > MAX_ITEMS as f64 || start.fract() != 0.0 || end.fract() != 0.0 {
        return None;
    }
    let _reserved = c.reserve((end - start).max(0.0) as u64 * NODE_COST)?;
    Some(Value::List(
        (start as i64..end as i64)
            .map(|i| Node::new(Value::Number(i as f64), c.span))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use crate::terraform::functions::eval;

    fn numbers(expr: &str) -> Vec<f64> {
        eval(expr)
            .as_list()
            .iter()
            .filter_map(|n| n.as_f64())
            .collect()
    }

    #[test]
    fn list_and_map_functions() {
        assert_eq!(eval(r#"length("h\u00e9")"#).as_f64(), Some(2.0));
        assert_eq!(numbers("concat([1], [2, 3])"), [1.0, 2.0, 3.0]);
        let merged = eval("merge({ a = 1, b = 2 }, { a = 3 })");
        let keys: Vec<_> = merged.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(merged.get("a").and_then(|n| n.as_f64()), Some(3.0));
        assert_eq!(eval(r#"lookup({ a = 1 }, "b", 7)"#).as_f64(), Some(7.0));
        assert!(eval(r#"lookup({ a = 1 }, "b")"#).is_unknown());
        assert_eq!(eval("element([1, 2], 3)").as_f64(), Some(2.0));
        assert!(eval("element([], 0)").is_unknown());
        assert_eq!(numbers("distinct([1, 2, 1])"), [1.0, 2.0]);
        assert_eq!(eval(r#"compact(["a", "", null])"#).as_list().len(), 1);
        assert_eq!(eval("one([])").value, crate::model::Value::Null);
        assert!(eval("one([1, 2])").is_unknown());
        assert_eq!(numbers("range(2, 5)"), [2.0, 3.0, 4.0]);
        assert!(eval("range(0.5)").is_unknown());
        assert!(eval("slice([1, 2], 1, 3)").is_unknown());
    }

    #[test]
    fn coalesce_stops_at_the_first_usable_argument() {
        assert_eq!(
            eval(r#"coalesce(null, "", "x", var.later)"#).as_str(),
            Some("x")
        );
        assert!(eval(r#"coalesce(var.first, "x")"#).is_unknown());
        assert!(eval(r#"coalesce(null, "")"#).is_unknown());
    }
}
