//! The common resource model: a spanned tree of values and the resources found in a file.

use crate::source::Span;

/// A value with the span of its text. Map entries also keep the span of their key.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub value: Value,
    pub span: Span,
    /// Where the value was written when it is reached through a YAML alias or a Terraform
    /// variable/local (the node itself carries the span of the use). Boxed: most nodes have
    /// none, and a node is kept for every value of a file.
    pub origin: Option<Box<Origin>>,
}

/// Where a value reached indirectly was written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Origin {
    /// Index of the file among the files linted together; `None`: the node's own file.
    pub file: Option<usize>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Node>),
    Map(Vec<Entry>),
    /// A value that cannot be known before apply (a variable without default, a function of
    /// unknowns). Never triggers a rule on its own.
    Unknown,
    /// A Terraform reference to another object (`aws_s3_bucket.logs.id`): unknown as a value,
    /// kept so that resources can be joined to the resource they configure.
    Ref(String),
    /// A string known only in part: a template whose interpolations are partly unknown
    /// (`"serviceAccount:${google_service_account.x.email}"` has the prefix `serviceAccount:`).
    /// It is `prefix`, then an unknown middle (possibly empty), then `suffix`. Unknown as a
    /// value ([`Node::is_unknown`]); rules may judge what is known with [`Node::starts_with`]
    /// and [`Node::ends_with`], and equality with it is unknown unless the known parts already
    /// differ ([`Node::could_be`]). Boxed: it is rare, and a node is kept for every value.
    Partial(Box<Partial>),
}

/// The known ends of a partly known string ([`Value::Partial`]); at least one is not empty.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Partial {
    pub prefix: String,
    pub suffix: String,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    pub(crate) fn new(value: Value, span: Span) -> Node {
        Node {
            value,
            span,
            origin: None,
        }
    }

    pub(crate) fn unknown(span: Span) -> Node {
        Node::new(Value::Unknown, span)
    }

    /// The entry of a map by key.
    pub(crate) fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().rev().find(|e| e.key == key),
            _ => None,
        }
    }

    /// The value of a map entry by key.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Follow a path of map keys.
    pub(crate) fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub(crate) fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub(crate) fn as_list(&self) -> &[Node] {
        match &self.value {
            Value::List(items) => items,
            _ => &[],
        }
    }

    pub(crate) fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub(crate) fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    pub(crate) fn is_unknown(&self) -> bool {
        matches!(
            self.value,
            Value::Unknown | Value::Ref(_) | Value::Partial(_)
        )
    }

    /// Whether the string certainly starts with `p`: a known string that does, or a partly
    /// known one whose known prefix does.
    pub(crate) fn starts_with(&self, p: &str) -> bool {
        match &self.value {
            Value::String(s) => s.starts_with(p),
            Value::Partial(part) => part.prefix.starts_with(p),
            _ => false,
        }
    }

    /// Whether the string certainly ends with `p` (see [`Node::starts_with`]).
    pub(crate) fn ends_with(&self, p: &str) -> bool {
        match &self.value {
            Value::String(s) => s.ends_with(p),
            Value::Partial(part) => part.suffix.ends_with(p),
            _ => false,
        }
    }

    /// The known text of a string: the whole of a known one (and `""`), the prefix and suffix
    /// of a partly known one.
    pub(crate) fn known_parts(&self) -> Option<[&str; 2]> {
        match &self.value {
            Value::String(s) => Some([s, ""]),
            Value::Partial(part) => Some([&part.prefix, &part.suffix]),
            _ => None,
        }
    }

    /// Whether the value is the string `s`: `Some` when that is known, `None` when it is not
    /// (unknown, or partly known with known parts that fit `s`).
    pub(crate) fn could_be(&self, s: &str) -> Option<bool> {
        match &self.value {
            Value::String(v) => Some(v == s),
            Value::Partial(part) => {
                let fits = s.len() >= part.prefix.len() + part.suffix.len()
                    && s.starts_with(part.prefix.as_str())
                    && s.ends_with(part.suffix.as_str());
                if fits {
                    None
                } else {
                    Some(false)
                }
            }
            Value::Unknown | Value::Ref(_) => None,
            _ => Some(false),
        }
    }

    /// The reference text when the value is a Terraform reference.
    pub(crate) fn as_ref_text(&self) -> Option<&str> {
        match &self.value {
            Value::Ref(r) => Some(r),
            _ => None,
        }
    }

    /// A scalar rendered as text (for messages): strings bare, others as written.
    pub(crate) fn display(&self) -> String {
        match &self.value {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => format_number(*n),
            Value::String(s) => s.clone(),
            Value::List(_) => "[…]".into(),
            Value::Map(_) => "{…}".into(),
            Value::Unknown => "(unknown)".into(),
            Value::Ref(r) => r.clone(),
            Value::Partial(part) => format!("{}${{…}}{}", part.prefix, part.suffix),
        }
    }

    /// A copy placed at a use site (an alias, a variable reference): every span becomes `at`
    /// and `origin` records where each value was written.
    pub(crate) fn relocated(&self, at: Span, file: Option<usize>) -> Node {
        let value = match &self.value {
            Value::List(items) => {
                Value::List(items.iter().map(|n| n.relocated(at, file)).collect())
            }
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|e| Entry {
                        key: e.key.clone(),
                        key_span: at,
                        value: e.value.relocated(at, file),
                    })
                    .collect(),
            ),
            other => other.clone(),
        };
        Node {
            value,
            span: at,
            origin: Some(self.origin.clone().unwrap_or_else(|| {
                Box::new(Origin {
                    file,
                    span: self.span,
                })
            })),
        }
    }

    /// A copy with every span at `at` and no origin: a value that was not written in any
    /// file (a `--var` on the command line).
    pub(crate) fn placed(&self, at: Span) -> Node {
        let value = match &self.value {
            Value::List(items) => Value::List(items.iter().map(|n| n.placed(at)).collect()),
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|e| Entry {
                        key: e.key.clone(),
                        key_span: at,
                        value: e.value.placed(at),
                    })
                    .collect(),
            ),
            other => other.clone(),
        };
        Node::new(value, at)
    }

    /// The value as written in `text` when it was written here, else its display form.
    pub(crate) fn written<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        match (&self.origin, text.get(self.span.start..self.span.end)) {
            (None, Some(raw)) if !raw.is_empty() => std::borrow::Cow::Borrowed(raw.trim()),
            _ => std::borrow::Cow::Owned(self.display()),
        }
    }

    /// Count of nodes in the tree, for budgets.
    pub(crate) fn size(&self) -> usize {
        1 + match &self.value {
            Value::List(items) => items.iter().map(Node::size).sum(),
            Value::Map(entries) => entries.iter().map(|e| e.value.size()).sum(),
            _ => 0,
        }
    }
}

pub(crate) fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// What a resource is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ResourceKind {
    /// A Kubernetes object.
    Kubernetes { api_version: String, kind: String },
    /// A Terraform block: `resource`, `data`, `module`, `variable`, `locals`, `output`, `provider`…
    Terraform {
        block: String,
        type_name: String,
        name: String,
    },
    /// A Dockerfile build stage.
    DockerStage { index: usize, name: Option<String> },
}

/// One thing a rule can look at: a Kubernetes object, a Terraform block, a Dockerfile stage.
#[derive(Clone, Debug)]
pub(crate) struct Resource {
    pub kind: ResourceKind,
    /// A name for messages and fingerprints: `Deployment shop/web`, `aws_s3_bucket.logs`,
    /// `stage "build"`.
    pub name: String,
    /// The whole resource in the file.
    pub span: Span,
    /// The span to point at when the resource as a whole is at fault (the `kind:` value, the
    /// block header, the `FROM` instruction).
    pub head: Span,
    pub body: Node,
    /// Helm `# Source:` template, or Terraform module path.
    pub provenance: Option<String>,
    /// Index of the file the resource was written in, within the files linted together.
    pub file: usize,
}

impl Resource {
    pub(crate) fn k8s_kind(&self) -> Option<&str> {
        match &self.kind {
            ResourceKind::Kubernetes { kind, .. } => Some(kind),
            _ => None,
        }
    }

    pub(crate) fn tf_type(&self) -> Option<(&str, &str)> {
        match &self.kind {
            ResourceKind::Terraform {
                block, type_name, ..
            } => Some((block, type_name)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod size_tests {
    #[test]
    fn a_node_stays_small() {
        // One is kept for every value of a file; see `yaml::MAX_NODES`.
        assert!(std::mem::size_of::<super::Node>() <= 56);
    }
}
