//! Reading evaluated Terraform bodies: attributes and nested blocks by path.

use crate::model::{Node, Value};

/// The node at `path`, taking the first instance of each nested block.
pub(crate) fn lookup<'a>(body: &'a Node, path: &[&str]) -> Option<&'a Node> {
    let mut node = body;
    for (i, key) in path.iter().enumerate() {
        let next = node.get(key)?;
        node = if i + 1 < path.len() {
            match &next.value {
                Value::List(items) => items.first()?,
                _ => next,
            }
        } else {
            next
        };
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Entry;
    use crate::source::Span;

    #[test]
    fn lookup_takes_the_first_block_on_the_way() {
        let s = Span::default();
        let leaf = |v: f64| Node::new(Value::Number(v), s);
        let map = |k: &str, v: Node| {
            Node::new(
                Value::Map(vec![Entry {
                    key: k.to_string(),
                    key_span: s,
                    value: v,
                }]),
                s,
            )
        };
        let blocks = Node::new(
            Value::List(vec![map("port", leaf(22.0)), map("port", leaf(80.0))]),
            s,
        );
        let body = map("ingress", blocks);
        assert_eq!(
            lookup(&body, &["ingress", "port"]).and_then(Node::as_f64),
            Some(22.0)
        );
        // The last key is not unwrapped: a list stays a list.
        assert_eq!(
            lookup(&body, &["ingress"]).map(|n| n.as_list().len()),
            Some(2)
        );
        assert!(lookup(&body, &["egress", "port"]).is_none());
    }
}
