//! Terraform module evaluation: a module is all `.tf` files of one directory. Variables
//! (defaults, `terraform.tfvars`, `*.auto.tfvars`), locals, string templates, heredocs,
//! conditionals and common functions are resolved; anything else stays `Unknown`, and a
//! reference to another object stays a `Ref` so resources can be joined.

use std::cell::RefCell;
use std::collections::HashMap;

use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span as _;

use crate::model::{Entry, Node, Resource, ResourceKind, Value};
use crate::parse::terraform::TfFile;
use crate::source::Span;

/// One parsed file of a module.
pub struct ModuleFile<'a> {
    /// Index of the file among the files linted together.
    pub file: usize,
    pub name: &'a str,
    pub tf: &'a TfFile,
}

#[derive(Clone, Copy)]
struct Loc<'a> {
    expr: &'a Expression,
    base: usize,
    file: usize,
}

pub struct Module<'a> {
    /// Variable values with the file they were written in.
    vars: HashMap<String, (Node, usize)>,
    locals: HashMap<String, Loc<'a>>,
    local_values: RefCell<HashMap<String, (Node, usize)>>,
    in_progress: RefCell<Vec<String>>,
}

const MAX_DEPTH: usize = 64;

impl<'a> Module<'a> {
    pub fn new(files: &[ModuleFile<'a>]) -> Module<'a> {
        let mut module = Module {
            vars: HashMap::new(),
            locals: HashMap::new(),
            local_values: RefCell::new(HashMap::new()),
            in_progress: RefCell::new(Vec::new()),
        };
        let empty = Module {
            vars: HashMap::new(),
            locals: HashMap::new(),
            local_values: RefCell::new(HashMap::new()),
            in_progress: RefCell::new(Vec::new()),
        };
        // Variable defaults and locals from .tf files.
        for f in files.iter().filter(|f| !is_tfvars(f.name)) {
            for block in f.tf.body.blocks() {
                match block.ident.as_str() {
                    "variable" => {
                        let Some(name) = block.labels.first().map(|l| l.as_str().to_string())
                        else {
                            continue;
                        };
                        let value = match block.body.get_attribute("default") {
                            Some(attr) => empty.eval(&attr.value, f.tf.base, 0),
                            None => Node::unknown(span_of(block, f.tf.base)),
                        };
                        module.vars.insert(name, (value, f.file));
                    }
                    "locals" => {
                        for attr in block.body.attributes() {
                            module.locals.insert(
                                attr.key.as_str().to_string(),
                                Loc {
                                    expr: &attr.value,
                                    base: f.tf.base,
                                    file: f.file,
                                },
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
        // terraform.tfvars, then *.auto.tfvars in lexical order, override defaults.
        let mut tfvars: Vec<&ModuleFile> = files.iter().filter(|f| is_tfvars(f.name)).collect();
        tfvars.sort_by_key(|f| (f.name != "terraform.tfvars", f.name));
        for f in tfvars {
            if f.name != "terraform.tfvars" && !f.name.ends_with(".auto.tfvars") {
                continue;
            }
            for attr in f.tf.body.attributes() {
                let name = attr.key.as_str();
                if module.vars.contains_key(name) {
                    let value = empty.eval(&attr.value, f.tf.base, 0);
                    module.vars.insert(name.to_string(), (value, f.file));
                }
            }
        }
        module
    }

    /// Resources, data sources and module calls of one file, evaluated.
    pub fn resources(&self, f: &ModuleFile<'a>) -> Vec<Resource> {
        let mut out = Vec::new();
        if is_tfvars(f.name) {
            return out;
        }
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
            out.push(Resource {
                kind: ResourceKind::Terraform {
                    block: kind.0.to_string(),
                    type_name: kind.1.to_string(),
                    name: kind.2.to_string(),
                },
                name,
                span,
                head: Span::new(span.start, head_end),
                body: self.body(&block.body, f.tf.base, span, 0),
                provenance: None,
                file: f.file,
            });
        }
        out
    }

    fn body(&self, body: &Body, base: usize, span: Span, depth: usize) -> Node {
        let mut entries: Vec<Entry> = Vec::new();
        for attr in body.attributes() {
            entries.push(Entry {
                key: attr.key.as_str().to_string(),
                key_span: range(attr.key.span(), base),
                value: self.eval(&attr.value, base, depth),
            });
        }
        for block in body.blocks() {
            let (key, node) = if block.ident.as_str() == "dynamic" {
                // `dynamic "x" { content { … } }`: the content is one (unknown-count) block.
                let key = block
                    .labels
                    .first()
                    .map(|l| l.as_str().to_string())
                    .unwrap_or_default();
                let content = block.body.get_blocks("content").next();
                let node = match content {
                    Some(c) => self.body(&c.body, base, span_of(c, base), depth + 1),
                    None => Node::unknown(span_of(block, base)),
                };
                (key, node)
            } else {
                let node = self.body(&block.body, base, span_of(block, base), depth + 1);
                (block.ident.as_str().to_string(), node)
            };
            let key_span = range(block.ident.span(), base);
            match entries.iter_mut().find(|e| e.key == key) {
                Some(Entry {
                    value:
                        Node {
                            value: Value::List(items),
                            ..
                        },
                    ..
                }) => items.push(node),
                _ => entries.push(Entry {
                    key,
                    key_span,
                    value: Node::new(Value::List(vec![node]), key_span),
                }),
            }
        }
        Node::new(Value::Map(entries), span)
    }

    /// Evaluate an expression; its spans are relative to a body parsed with offset `base`.
    pub fn eval(&self, expr: &Expression, base: usize, depth: usize) -> Node {
        let span = range(expr.span(), base);
        if depth > MAX_DEPTH {
            return Node::unknown(span);
        }
        let d = depth + 1;
        let value = match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => n
                .value()
                .as_f64()
                .map(Value::Number)
                .unwrap_or(Value::Unknown),
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::Array(items) => {
                Value::List(items.iter().map(|e| self.eval(e, base, d)).collect())
            }
            Expression::Object(obj) => {
                let mut entries = Vec::new();
                for (key, value) in obj.iter() {
                    let (k, key_span) = match key {
                        ObjectKey::Ident(id) => (id.as_str().to_string(), range(id.span(), base)),
                        ObjectKey::Expression(e) => {
                            let n = self.eval(e, base, d);
                            match n.value {
                                Value::String(s) => (s, n.span),
                                _ => return Node::unknown(span),
                            }
                        }
                    };
                    entries.push(Entry {
                        key: k,
                        key_span,
                        value: self.eval(value.expr(), base, d),
                    });
                }
                Value::Map(entries)
            }
            Expression::StringTemplate(t) => return self.template(t, base, span, d),
            Expression::HeredocTemplate(h) => {
                let mut node = self.template(&h.template, base, span, d);
                if let Value::String(s) = &mut node.value {
                    if h.indent().is_some() {
                        *s = dedent(s);
                    }
                }
                return node;
            }
            Expression::Parenthesis(p) => return self.eval(p.inner(), base, d),
            Expression::Variable(_) => Value::Unknown,
            Expression::Conditional(c) => {
                return match self.eval(&c.cond_expr, base, d).value {
                    Value::Bool(true) => self.eval(&c.true_expr, base, d),
                    Value::Bool(false) => self.eval(&c.false_expr, base, d),
                    _ => Node::unknown(span),
                };
            }
            Expression::Traversal(t) => return self.traversal(t, base, span, d),
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                let args: Vec<Node> = call.args.iter().map(|a| self.eval(a, base, d)).collect();
                return match call_function(name, &args, call.args.expand_final()) {
                    Some(value) => Node::new(value, span),
                    None => Node::unknown(span),
                };
            }
            Expression::UnaryOp(op) => {
                let v = self.eval(&op.expr, base, d);
                match (op.operator.value(), v.value) {
                    (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
                    (UnaryOperator::Neg, Value::Number(n)) => Value::Number(-n),
                    _ => Value::Unknown,
                }
            }
            Expression::BinaryOp(op) => {
                let l = self.eval(&op.lhs_expr, base, d);
                let r = self.eval(&op.rhs_expr, base, d);
                binary(*op.operator.value(), &l.value, &r.value)
            }
            Expression::ForExpr(_) => Value::Unknown,
        };
        Node::new(value, span)
    }

    fn template(&self, t: &Template, base: usize, span: Span, depth: usize) -> Node {
        let mut out = String::new();
        for element in t.iter() {
            match element {
                Element::Literal(s) => out.push_str(s.value()),
                Element::Interpolation(i) => match self.eval(&i.expr, base, depth).value {
                    Value::String(s) => out.push_str(&s),
                    Value::Number(n) => out.push_str(&crate::model::format_number(n)),
                    Value::Bool(b) => out.push_str(&b.to_string()),
                    _ => return Node::unknown(span),
                },
                Element::Directive(_) => return Node::unknown(span),
            }
        }
        Node::new(Value::String(out), span)
    }

    fn traversal(
        &self,
        t: &hcl_edit::expr::Traversal,
        base: usize,
        span: Span,
        depth: usize,
    ) -> Node {
        let root = match &t.expr {
            Expression::Variable(v) => v.as_str().to_string(),
            other => {
                // e.g. `{a = 1}.a` or a function result indexed.
                let node = self.eval(other, base, depth);
                return self.walk(node, &t.operators, base, span, depth);
            }
        };
        let mut ops = t.operators.iter();
        let first = match ops.clone().next().map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
            _ => None,
        };
        let resolved = match (root.as_str(), first) {
            ("var", Some(name)) => {
                ops.next();
                self.vars.get(&name).cloned()
            }
            ("local", Some(name)) => {
                ops.next();
                self.local(&name, depth)
            }
            ("each" | "count" | "path" | "terraform" | "self", _) => None,
            _ => {
                // A reference to another object: keep its address for joins.
                let mut text = root.clone();
                for op in &t.operators {
                    match op.value() {
                        TraversalOperator::GetAttr(a) => {
                            text.push('.');
                            text.push_str(a.as_str());
                        }
                        _ => text.push_str("[*]"),
                    }
                }
                return Node::new(Value::Ref(text), span);
            }
        };
        match resolved {
            Some((node, file)) => {
                let rest: Vec<_> = ops.cloned().collect();
                // Spans of the value belong to the file it was written in: the copy used here
                // carries the use site's span and remembers the definition.
                self.walk(node, &rest, base, span, depth)
                    .relocated(span, Some(file))
            }
            None => Node::unknown(span),
        }
    }

    fn walk(
        &self,
        mut node: Node,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        base: usize,
        span: Span,
        depth: usize,
    ) -> Node {
        for op in ops {
            node = match op.value() {
                TraversalOperator::GetAttr(a) => match node.get(a.as_str()) {
                    Some(n) => n.clone(),
                    None => return Node::unknown(span),
                },
                TraversalOperator::Index(e) => {
                    let key = self.eval(e, base, depth);
                    match (&node.value, &key.value) {
                        (Value::List(items), Value::Number(i)) => match items.get(*i as usize) {
                            Some(n) => n.clone(),
                            None => return Node::unknown(span),
                        },
                        (Value::Map(_), Value::String(k)) => match node.get(k) {
                            Some(n) => n.clone(),
                            None => return Node::unknown(span),
                        },
                        _ => return Node::unknown(span),
                    }
                }
                TraversalOperator::LegacyIndex(i) => {
                    match node.as_list().get(*i.value() as usize) {
                        Some(n) => n.clone(),
                        None => return Node::unknown(span),
                    }
                }
                _ => return Node::unknown(span),
            };
        }
        node
    }

    fn local(&self, name: &str, depth: usize) -> Option<(Node, usize)> {
        if let Some(v) = self.local_values.borrow().get(name) {
            return Some(v.clone());
        }
        let loc = *self.locals.get(name)?;
        if self.in_progress.borrow().iter().any(|n| n == name) {
            return None; // a cycle: Terraform rejects it; we stay unknown
        }
        self.in_progress.borrow_mut().push(name.to_string());
        let value = self.eval(loc.expr, loc.base, depth + 1);
        self.in_progress.borrow_mut().pop();
        self.local_values
            .borrow_mut()
            .insert(name.to_string(), (value.clone(), loc.file));
        Some((value, loc.file))
    }
}

pub fn is_tfvars(name: &str) -> bool {
    name.ends_with(".tfvars")
}

fn range(r: Option<std::ops::Range<usize>>, base: usize) -> Span {
    r.map(|r| Span::new(r.start + base, r.end + base))
        .unwrap_or_default()
}

fn span_of(block: &Block, base: usize) -> Span {
    range(block.span(), base)
}

/// `<<-EOT` removes the common leading whitespace.
fn dedent(s: &str) -> String {
    let indent = s
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    s.split_inclusive('\n')
        .map(|l| {
            if l.len() >= indent {
                &l[indent..]
            } else {
                l.trim_start()
            }
        })
        .collect()
}

fn binary(op: BinaryOperator, l: &Value, r: &Value) -> Value {
    use BinaryOperator::*;
    match (op, l, r) {
        (Eq, Value::Unknown | Value::Ref(_), _) | (Eq, _, Value::Unknown | Value::Ref(_)) => {
            Value::Unknown
        }
        (NotEq, Value::Unknown | Value::Ref(_), _) | (NotEq, _, Value::Unknown | Value::Ref(_)) => {
            Value::Unknown
        }
        (Eq, a, b) => Value::Bool(a == b),
        (NotEq, a, b) => Value::Bool(a != b),
        (And, Value::Bool(a), Value::Bool(b)) => Value::Bool(*a && *b),
        (Or, Value::Bool(a), Value::Bool(b)) => Value::Bool(*a || *b),
        (Plus, Value::Number(a), Value::Number(b)) => Value::Number(a + b),
        (Minus, Value::Number(a), Value::Number(b)) => Value::Number(a - b),
        (Mul, Value::Number(a), Value::Number(b)) => Value::Number(a * b),
        (Div, Value::Number(a), Value::Number(b)) if *b != 0.0 => Value::Number(a / b),
        (Less, Value::Number(a), Value::Number(b)) => Value::Bool(a < b),
        (LessEq, Value::Number(a), Value::Number(b)) => Value::Bool(a <= b),
        (Greater, Value::Number(a), Value::Number(b)) => Value::Bool(a > b),
        (GreaterEq, Value::Number(a), Value::Number(b)) => Value::Bool(a >= b),
        _ => Value::Unknown,
    }
}

fn known(args: &[Node]) -> bool {
    args.iter().all(|a| !contains_unknown(a))
}

fn contains_unknown(n: &Node) -> bool {
    match &n.value {
        Value::Unknown | Value::Ref(_) => true,
        Value::List(items) => items.iter().any(contains_unknown),
        Value::Map(entries) => entries.iter().any(|e| contains_unknown(&e.value)),
        _ => false,
    }
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(crate::model::format_number(*n)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The functions whose result can be known from known arguments. `None`: unknown.
fn call_function(name: &str, args: &[Node], expand: bool) -> Option<Value> {
    if expand {
        return None;
    }
    // `try` and `coalesce` take the first usable argument even when later ones are unknown.
    match name {
        "try" => {
            let first = args.first()?;
            return (!contains_unknown(first)).then(|| first.value.clone());
        }
        "coalesce" => {
            for a in args {
                match &a.value {
                    Value::Unknown | Value::Ref(_) => return None,
                    Value::Null => continue,
                    Value::String(s) if s.is_empty() => continue,
                    v => return Some(v.clone()),
                }
            }
            return None;
        }
        _ => {}
    }
    if !known(args) {
        return None;
    }
    let s = |i: usize| args.get(i).and_then(|a| scalar_string(&a.value));
    Some(match name {
        // The document keeps its structure, with the spans of what was written, instead of
        // becoming JSON text: rules read policies as data and point into them.
        "jsonencode" => args.first()?.value.clone(),
        "lower" => Value::String(s(0)?.to_lowercase()),
        "upper" => Value::String(s(0)?.to_uppercase()),
        "trimspace" => Value::String(s(0)?.trim().to_string()),
        "tostring" => Value::String(s(0)?),
        "tobool" => match s(0)?.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return None,
        },
        "tonumber" => Value::Number(s(0)?.parse().ok()?),
        "tolist" | "toset" | "tomap" => args.first()?.value.clone(),
        "length" => Value::Number(match &args.first()?.value {
            Value::List(i) => i.len(),
            Value::Map(e) => e.len(),
            Value::String(s) => s.chars().count(),
            _ => return None,
        } as f64),
        "join" => {
            let sep = s(0)?;
            let mut parts = Vec::new();
            for list in &args[1..] {
                for item in list.as_list() {
                    parts.push(scalar_string(&item.value)?);
                }
            }
            Value::String(parts.join(&sep))
        }
        "concat" => Value::List(args.iter().flat_map(|a| a.as_list().to_vec()).collect()),
        "merge" => {
            let mut entries: Vec<Entry> = Vec::new();
            for a in args {
                for e in a.entries() {
                    entries.retain(|x| x.key != e.key);
                    entries.push(e.clone());
                }
            }
            Value::Map(entries)
        }
        "lookup" => match args.first()?.get(&s(1)?) {
            Some(v) => v.value.clone(),
            None => args.get(2)?.value.clone(),
        },
        "element" => {
            let list = args.first()?.as_list();
            let i = args.get(1)?.as_f64()? as usize;
            if list.is_empty() {
                return None;
            }
            list[i % list.len()].value.clone()
        }
        "format" => {
            let fmt = s(0)?;
            let mut out = String::new();
            let mut rest = args[1..].iter();
            let mut chars = fmt.chars().peekable();
            while let Some(c) = chars.next() {
                if c != '%' {
                    out.push(c);
                    continue;
                }
                match chars.next()? {
                    '%' => out.push('%'),
                    's' | 'd' | 'v' => out.push_str(&scalar_string(&rest.next()?.value)?),
                    _ => return None,
                }
            }
            Value::String(out)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::terraform::parse;

    fn eval_file(text: &str) -> Vec<Resource> {
        let tf = parse(text).unwrap();
        let files = [ModuleFile {
            file: 0,
            name: "main.tf",
            tf: &tf,
        }];
        let module = Module::new(&files);
        module.resources(&files[0])
    }

    #[test]
    fn variables_locals_and_templates() {
        let text = r#"
variable "acl" { default = "public-read" }
variable "unset" {}
locals {
  suffix = "x"
  name   = "${var.acl}-${local.suffix}"
  up     = upper(local.suffix)
  pick   = var.acl == "private" ? "a" : "b"
}
resource "aws_s3_bucket" "logs" {
  acl    = var.acl
  bucket = local.name
  other  = var.unset
  up     = local.up
  pick   = local.pick
  ref    = aws_kms_key.k.arn
  tags   = merge({ a = "1" }, { b = "2" })
  grant {
    uri = "x"
  }
  grant {
    uri = "y"
  }
}
"#;
        let r = &eval_file(text)[0];
        assert_eq!(r.name, "aws_s3_bucket.logs");
        let acl = r.body.get("acl").unwrap();
        assert_eq!(acl.as_str(), Some("public-read"));
        assert_eq!(&text[acl.span.start..acl.span.end], "var.acl");
        let origin = acl.origin.unwrap();
        assert_eq!(&text[origin.span.start..origin.span.end], "\"public-read\"");
        assert_eq!(
            r.body.get("bucket").unwrap().as_str(),
            Some("public-read-x")
        );
        assert!(r.body.get("other").unwrap().is_unknown());
        assert_eq!(r.body.get("up").unwrap().as_str(), Some("X"));
        assert_eq!(r.body.get("pick").unwrap().as_str(), Some("b"));
        assert_eq!(
            r.body.get("ref").unwrap().as_ref_text(),
            Some("aws_kms_key.k.arn")
        );
        assert_eq!(r.body.get("tags").unwrap().entries().len(), 2);
        assert_eq!(r.body.get("grant").unwrap().as_list().len(), 2);
    }

    #[test]
    fn local_cycles_stay_unknown() {
        let text =
            "locals {\n a = local.b\n b = local.a\n}\nresource \"x\" \"y\" { v = local.a }\n";
        let r = &eval_file(text)[0];
        assert!(r.body.get("v").unwrap().is_unknown());
    }

    #[test]
    fn tfvars_override_defaults() {
        let main = parse("variable \"acl\" { default = \"private\" }\nresource \"aws_s3_bucket\" \"b\" { acl = var.acl }\n").unwrap();
        let vars = parse("acl = \"public-read\"\n").unwrap();
        let files = [
            ModuleFile {
                file: 0,
                name: "main.tf",
                tf: &main,
            },
            ModuleFile {
                file: 1,
                name: "terraform.tfvars",
                tf: &vars,
            },
        ];
        let module = Module::new(&files);
        let r = &module.resources(&files[0])[0];
        assert_eq!(r.body.get("acl").unwrap().as_str(), Some("public-read"));
    }
}
