//! Expressions: literals, collections, templates and heredocs, conditionals, operators and
//! function calls. References are resolved in `reference.rs`, `for` expressions in
//! `iterate.rs`, the functions in `functions/`.

use hcl_edit::expr::{BinaryOperator, Conditional, Expression, FuncCall, Object, ObjectKey};
use hcl_edit::expr::{UnaryOp, UnaryOperator};
use hcl_edit::template::{Element, HeredocTemplate, Template};
use hcl_edit::Span as _;

use super::budget::NODE_COST;
use super::module::Module;
use super::{range, MAX_DEPTH};
use crate::model::{Entry, Node, Partial, Value};
use crate::source::Span;

impl Module<'_> {
    /// Evaluate an expression; its spans are relative to a body parsed with offset `base`.
    /// Past the budget, only the text as written is evaluated: anything derived is unknown.
    pub(crate) fn eval(&self, expr: &Expression, base: usize, depth: usize) -> Node {
        let span = range(expr.span(), base);
        if depth > MAX_DEPTH {
            return Node::unknown(span);
        }
        let within = self.step(1, span);
        let d = depth + 1;
        let value = match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => n
                .value()
                .as_f64()
                .map(Value::Number)
                .unwrap_or(Value::Unknown),
            Expression::String(s) => {
                self.force(s.value().len() as u64, span);
                Value::String(s.value().clone())
            }
            Expression::Array(items) => {
                Value::List(items.iter().map(|e| self.eval(e, base, d)).collect())
            }
            Expression::Object(obj) => match self.object(obj, base, d) {
                Some(entries) => Value::Map(entries),
                None => return Node::unknown(span),
            },
            Expression::StringTemplate(t) => return self.template(t, base, span, d),
            Expression::HeredocTemplate(h) => return self.heredoc(h, base, span, d),
            Expression::Parenthesis(p) => return self.eval(p.inner(), base, d),
            Expression::Variable(v) => {
                return match self.bound(v.as_str()) {
                    Some(node) if within => self.copy(&node, span, None),
                    _ => Node::unknown(span),
                }
            }
            Expression::Conditional(c) => return self.conditional(c, base, span, d),
            Expression::Traversal(t) => return self.traversal(t, base, span, d),
            Expression::FuncCall(call) => {
                if !within {
                    return Node::unknown(span);
                }
                return self.call(call, base, span, d);
            }
            Expression::UnaryOp(op) => self.unary(op, base, d),
            Expression::BinaryOp(op) => {
                let l = self.eval(&op.lhs_expr, base, d);
                let r = self.eval(&op.rhs_expr, base, d);
                binary(*op.operator.value(), &l.value, &r.value)
            }
            Expression::ForExpr(f) => {
                if !within {
                    return Node::unknown(span);
                }
                return self.for_expr(f, base, span, d);
            }
        };
        self.force(NODE_COST, span);
        Node::new(value, span)
    }

    /// The entries of an object expression; `None` (unknown) when a key is not a string. A key
    /// given twice (`{ a = 1, "a" = 2 }`) keeps its last value, as in Terraform.
    fn object(&self, obj: &Object, base: usize, d: usize) -> Option<Vec<Entry>> {
        let mut entries = Vec::new();
        for (key, value) in obj.iter() {
            let (k, key_span) = match key {
                ObjectKey::Ident(id) => (id.as_str().to_string(), range(id.span(), base)),
                ObjectKey::Expression(e) => {
                    let n = self.eval(e, base, d);
                    match n.value {
                        Value::String(s) => (s, n.span),
                        _ => return None,
                    }
                }
            };
            self.force(k.len() as u64, key_span);
            entries.retain(|e: &Entry| e.key != k);
            entries.push(Entry {
                key: k,
                key_span,
                value: self.eval(value.expr(), base, d),
            });
        }
        Some(entries)
    }

    /// `cond ? a : b`: the branch the condition picks; unknown when the condition is.
    fn conditional(&self, c: &Conditional, base: usize, span: Span, d: usize) -> Node {
        match self.eval(&c.cond_expr, base, d).value {
            Value::Bool(true) => self.eval(&c.true_expr, base, d),
            Value::Bool(false) => self.eval(&c.false_expr, base, d),
            _ => Node::unknown(span),
        }
    }

    fn unary(&self, op: &UnaryOp, base: usize, d: usize) -> Value {
        let v = self.eval(&op.expr, base, d);
        match (op.operator.value(), v.value) {
            (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
            (UnaryOperator::Neg, Value::Number(n)) => Value::Number(-n),
            _ => Value::Unknown,
        }
    }

    /// A function call, its result charged; unknown past the budget, with an expanded final
    /// argument (`f(list...)`), or when the function cannot tell.
    fn call(&self, call: &FuncCall, base: usize, span: Span, d: usize) -> Node {
        let name = call.name.name.as_str();
        let args: Vec<Node> = call.args.iter().map(|a| self.eval(a, base, d)).collect();
        if call.args.expand_final() || self.spent() {
            return Node::unknown(span);
        }
        let value = match name {
            "file" | "templatefile" | "fileexists" => self.file_function(name, &args, span, d),
            _ => self.function(name, &args, span),
        };
        drop(args);
        match value.map(|v| Node::new(v, span)) {
            Some(node) if self.charged(&node, span) => node,
            _ => Node::unknown(span),
        }
    }

    fn heredoc(&self, h: &HeredocTemplate, base: usize, span: Span, d: usize) -> Node {
        let mut node = self.template(&h.template, base, span, d);
        if h.indent().is_some() {
            match &mut node.value {
                Value::String(s) => *s = dedent(s),
                // The indent to remove may be in the unknown part.
                Value::Partial(_) => node.value = Value::Unknown,
                _ => {}
            }
        }
        node
    }

    /// A string template (also the text a `templatefile()` reads). Directives (`%{if}`,
    /// `%{for}`) are not evaluated: unknown. Unknown interpolations leave the string partly
    /// known: the text before the first one and after the last one is kept
    /// ([`Value::Partial`]).
    pub(super) fn template(&self, t: &Template, base: usize, span: Span, depth: usize) -> Node {
        // `"${expr}"` alone is the expression's value, unconverted (a list stays a list).
        let mut elements = t.iter();
        if let (Some(Element::Interpolation(i)), None) = (elements.next(), elements.next()) {
            return self.eval(&i.expr, base, depth);
        }
        let mut out = Pieces::default();
        for element in t.iter() {
            match element {
                Element::Literal(s) => {
                    // The text as written is kept past the budget (a heredoc policy).
                    self.force(s.value().len() as u64, span);
                    out.push(s.value());
                }
                Element::Interpolation(i) => {
                    if self.spent() {
                        return Node::unknown(span);
                    }
                    let piece = match self.eval(&i.expr, base, depth).value {
                        Value::String(s) => s,
                        Value::Number(n) => crate::model::format_number(n),
                        Value::Bool(b) => b.to_string(),
                        Value::Partial(part) => {
                            out.gap(&part.prefix, part.suffix);
                            continue;
                        }
                        Value::Unknown | Value::Ref(_) => {
                            out.gap("", String::new());
                            continue;
                        }
                        _ => return Node::unknown(span),
                    };
                    if !self.spend(piece.len() as u64, span) {
                        return Node::unknown(span);
                    }
                    out.push(&piece);
                }
                Element::Directive(_) => return Node::unknown(span),
            }
        }
        self.force(NODE_COST, span);
        Node::new(out.value(), span)
    }
}

/// A template's text as it is built: known throughout, or a known prefix, an unknown middle
/// and the known text after it.
#[derive(Default)]
struct Pieces {
    prefix: String,
    /// The text after the last unknown part; `None` while everything is known.
    suffix: Option<String>,
}

impl Pieces {
    fn push(&mut self, text: &str) {
        match &mut self.suffix {
            Some(s) => s.push_str(text),
            None => self.prefix.push_str(text),
        }
    }

    /// A part known as `prefix`, something unknown, then `suffix`.
    fn gap(&mut self, prefix: &str, suffix: String) {
        if self.suffix.is_none() {
            self.prefix.push_str(prefix);
        }
        self.suffix = Some(suffix);
    }

    fn value(self) -> Value {
        match self.suffix {
            None => Value::String(self.prefix),
            Some(suffix) if self.prefix.is_empty() && suffix.is_empty() => Value::Unknown,
            Some(suffix) => Value::Partial(Box::new(Partial {
                prefix: self.prefix,
                suffix,
            })),
        }
    }
}

/// `<<-EOT` removes the common leading spaces and tabs of the lines with text on them; blank
/// lines, and lines of only spaces and tabs, are kept as they are (as `terraform console`
/// shows).
fn dedent(s: &str) -> String {
    let lead = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    let has_text = |l: &str| !l.trim_matches([' ', '\t', '\r', '\n']).is_empty();
    let indent = s
        .lines()
        .filter(|l| has_text(l))
        .map(lead)
        .min()
        .unwrap_or(0);
    s.split_inclusive('\n')
        .map(|l| if has_text(l) { &l[indent..] } else { l })
        .collect()
}

/// A binary operator over known operands; unknown otherwise (and for a division by zero). A
/// partly known string equals no string its known parts already differ from.
fn binary(op: BinaryOperator, l: &Value, r: &Value) -> Value {
    use BinaryOperator::*;
    let partial = |p: &Value, s: &Value| match (p, s) {
        (Value::Partial(_), Value::String(s)) => Node::new(p.clone(), Span::default()).could_be(s),
        _ => None,
    };
    if matches!(op, Eq | NotEq) {
        if let Some(same) = partial(l, r).or_else(|| partial(r, l)) {
            return Value::Bool(same == (op == Eq));
        }
    }
    let partial = |v: &Value| matches!(v, Value::Partial(_));
    if partial(l) || partial(r) {
        return Value::Unknown;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heredocs_lose_their_common_indent() {
        assert_eq!(dedent("    a\n      b\n    c\n"), "a\n  b\nc\n");
        assert_eq!(dedent("  a\n b\n"), " a\nb\n");
        // Checked against `terraform console` (1.11): blank lines stay, lines of only spaces
        // stay as written, a tab is one character of indent.
        assert_eq!(dedent("    a\n\n      b\n    c\n"), "a\n\n  b\nc\n");
        assert_eq!(dedent("    a\n      \n    b\n"), "a\n      \nb\n");
        assert_eq!(dedent("    a\n   \n\n    b\n"), "a\n   \n\nb\n");
        assert_eq!(dedent("\ta\n\t\tb\n"), "a\n\tb\n");
        assert_eq!(dedent("  a\r\n\r\n  b\r\n"), "a\r\n\r\nb\r\n");
    }

    #[test]
    fn operators_need_known_operands() {
        use BinaryOperator::*;
        let n = |v: f64| Value::Number(v);
        assert_eq!(binary(Plus, &n(1.0), &n(2.0)), n(3.0));
        assert_eq!(binary(Div, &n(1.0), &n(0.0)), Value::Unknown);
        assert_eq!(
            binary(Eq, &Value::Ref("a.b".into()), &n(1.0)),
            Value::Unknown
        );
        assert_eq!(binary(NotEq, &n(1.0), &Value::Null), Value::Bool(true));
        assert_eq!(binary(And, &Value::Bool(true), &n(1.0)), Value::Unknown);
        // A partly known string: equal to nothing its known parts rule out.
        let sa = Value::Partial(Box::new(Partial {
            prefix: "serviceAccount:".into(),
            suffix: String::new(),
        }));
        let s = |v: &str| Value::String(v.into());
        assert_eq!(binary(Eq, &sa, &s("allUsers")), Value::Bool(false));
        assert_eq!(binary(NotEq, &s("allUsers"), &sa), Value::Bool(true));
        assert_eq!(binary(Eq, &sa, &s("serviceAccount:a@b")), Value::Unknown);
        assert_eq!(binary(Eq, &sa, &s("serviceAccount:")), Value::Unknown);
        assert_eq!(binary(Eq, &sa, &sa), Value::Unknown);
        assert_eq!(binary(Eq, &sa, &n(1.0)), Value::Unknown);
    }
}
