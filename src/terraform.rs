//! Terraform module evaluation: a module is all `.tf` and `.tf.json` files of one directory.
//! Variables (defaults, `terraform.tfvars`, `*.auto.tfvars`, their `.json` forms), locals,
//! string templates, heredocs, conditionals and common functions are resolved; anything else stays `Unknown`, and a
//! reference to another object stays a `Ref` so resources can be joined.

pub(crate) mod attrs;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span as _;

use crate::model::{Entry, Node, Resource, ResourceKind, Value};
use crate::parse::terraform::TfFile;
pub use crate::parse::terraform_json::json_node;
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
    /// Variable values with the file they were written in (`None`: the command line).
    vars: HashMap<String, (Node, Option<usize>)>,
    locals: HashMap<String, Loc<'a>>,
    local_values: RefCell<HashMap<String, (Rc<Node>, usize)>>,
    in_progress: RefCell<Vec<String>>,
    /// Names bound while evaluating: `count`, `each`, a `dynamic` block's iterator, the
    /// variables of a `for` expression. Innermost last.
    scope: RefCell<Vec<(String, Rc<Node>)>>,
    dir: Option<PathBuf>,
    root: Option<PathBuf>,
    /// Span maps of the module's JSON configuration files (`*.tf.json`), by file index.
    json_maps: HashMap<usize, std::sync::Arc<crate::parse::terraform_json::SpanMap>>,
    /// Shared by every module evaluated for one root module.
    budget: Rc<Budget>,
    /// The file whose expressions are being evaluated (where the budget ran out).
    file: Cell<Option<usize>>,
    /// Set while evaluating text read by `templatefile()`: the call, where the budget ran out.
    foreign: Cell<Option<Span>>,
}

/// Values built by one evaluation (a root module with every module it calls, each call
/// instance included), in bytes: a value node costs [`NODE_COST`], a string or map key its
/// length. The largest real modules build a few MiB.
pub const MAX_BUILT: u64 = 128 << 20;
/// Evaluation steps (expressions evaluated, traversal steps, comparisons) of one evaluation;
/// the largest real modules take a few tens of thousands.
pub const MAX_STEPS: u64 = 4_000_000;
/// What one value node of a list or map costs, in bytes of [`MAX_BUILT`].
pub const NODE_COST: u64 = std::mem::size_of::<Entry>() as u64;

/// Which part of the [`Budget`] ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// The size of the values built.
    Size,
    /// The number of evaluation steps.
    Steps,
}

/// Where the budget ran out: an expression of a file among the files linted together (`None`:
/// a value given on the command line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exhausted {
    pub file: Option<usize>,
    pub span: Span,
    pub limit: Limit,
}

/// What one evaluation may build and do. Every value is charged when it is built (a copy of
/// a variable, local or bound iterator, a template, a function result, a `for` expression);
/// past the budget, derived values are unknown and `count`, `for_each` and `dynamic` make no
/// more instances. Only the text as written is still evaluated, so the work done after the
/// budget ran out is proportional to the text.
#[derive(Debug)]
pub struct Budget {
    max_built: u64,
    max_steps: u64,
    built: Cell<u64>,
    steps: Cell<u64>,
    /// Literal values built after the budget ran out.
    after: Cell<u64>,
    exhausted: Cell<Option<Exhausted>>,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget::with_limits(MAX_BUILT, MAX_STEPS)
    }
}

impl Budget {
    pub fn new() -> Budget {
        Budget::default()
    }

    pub fn with_limits(max_built: u64, max_steps: u64) -> Budget {
        Budget {
            max_built,
            max_steps,
            built: Cell::new(0),
            steps: Cell::new(0),
            after: Cell::new(0),
            exhausted: Cell::new(None),
        }
    }

    /// Bytes of values built within the budget (never more than its limit).
    pub fn built(&self) -> u64 {
        self.built.get()
    }

    /// Evaluation steps taken (past the limit, the steps of literal text only).
    pub fn steps(&self) -> u64 {
        self.steps.get()
    }

    /// Bytes of literal values built after the budget ran out.
    pub fn built_after(&self) -> u64 {
        self.after.get()
    }

    pub fn max_built(&self) -> u64 {
        self.max_built
    }

    pub fn max_steps(&self) -> u64 {
        self.max_steps
    }

    /// Where the budget ran out first, if it did.
    pub fn exhausted(&self) -> Option<Exhausted> {
        self.exhausted.get()
    }

    fn run_out(&self, at: (Option<usize>, Span), limit: Limit) {
        if self.exhausted.get().is_none() {
            self.exhausted.set(Some(Exhausted {
                file: at.0,
                span: at.1,
                limit,
            }));
        }
    }

    /// Charge `cost` bytes for a value about to be built: `false` (and nothing charged) when
    /// it does not fit.
    fn spend(&self, cost: u64, at: (Option<usize>, Span)) -> bool {
        if self.exhausted.get().is_some() {
            return false;
        }
        match self.built.get().checked_add(cost) {
            Some(total) if total <= self.max_built => {
                self.built.set(total);
                true
            }
            _ => {
                self.run_out(at, Limit::Size);
                false
            }
        }
    }

    /// Charge a literal value, which is built whatever the budget says.
    fn force(&self, cost: u64, at: (Option<usize>, Span)) {
        if !self.spend(cost, at) {
            self.after.set(self.after.get().saturating_add(cost));
        }
    }

    /// Give back bytes charged for a value that turned out smaller.
    fn refund(&self, cost: u64) {
        self.built.set(self.built.get().saturating_sub(cost));
    }

    /// Count `n` steps: `false` once the steps run out.
    fn step(&self, n: u64, at: (Option<usize>, Span)) -> bool {
        let total = self.steps.get().saturating_add(n);
        self.steps.set(total);
        if total > self.max_steps {
            self.run_out(at, Limit::Steps);
        }
        self.exhausted.get().is_none()
    }

    /// The cost of a copy of `node`, found by a walk that stops as soon as it is over
    /// `limit`: `None` then.
    fn cost_of(node: &Node, limit: u64) -> Option<u64> {
        let mut total = 0u64;
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            total = total.saturating_add(NODE_COST);
            match &n.value {
                Value::String(s) | Value::Ref(s) => total = total.saturating_add(s.len() as u64),
                Value::List(items) => stack.extend(items),
                Value::Map(entries) => {
                    for e in entries {
                        total = total.saturating_add(e.key.len() as u64);
                        stack.push(&e.value);
                    }
                }
                _ => {}
            }
            if total > limit {
                return None;
            }
        }
        Some(total)
    }

    /// Charge a copy of `node` (see [`Budget::spend`]).
    fn spend_copy(&self, node: &Node, at: (Option<usize>, Span)) -> bool {
        if self.exhausted.get().is_some() {
            return false;
        }
        let left = self.max_built - self.built.get();
        match Budget::cost_of(node, left) {
            Some(cost) => self.spend(cost, at),
            None => {
                self.run_out(at, Limit::Size);
                false
            }
        }
    }
}

/// What a module is evaluated with besides its own files.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// Values that override defaults and tfvars, later entries winning: `--var-file` and
    /// `--var` for a root module, the call's arguments for a called one. The file is where the
    /// value was written, among the files linted together (`None`: the command line).
    pub values: Vec<(String, Node, Option<usize>)>,
    /// A called module does not read `terraform.tfvars` or `*.auto.tfvars`.
    pub called: bool,
    /// The module's directory (`path.module`, relative paths of `file()`).
    pub dir: Option<PathBuf>,
    /// `file()` and `templatefile()` read only below this directory.
    pub root: Option<PathBuf>,
}

/// The type of a `module` call with `count = 0` or an empty `for_each`: Terraform creates none
/// of its resources, but `terraform init` still fetches its source.
pub const NOT_INSTANTIATED: &str = "module (no instance)";

/// At most this many instances of one `count`/`for_each` resource or `dynamic` block are
/// evaluated; rules see the first ones.
pub const MAX_INSTANCES: usize = 256;
/// Files read by `file()`/`templatefile()` larger than this stay unknown.
const MAX_READ: u64 = 1 << 20;

const MAX_DEPTH: usize = 64;

impl<'a> Module<'a> {
    pub fn new(files: &[ModuleFile<'a>]) -> Module<'a> {
        Module::with_inputs(files, &Inputs::default())
    }

    fn empty(budget: Rc<Budget>) -> Module<'a> {
        Module {
            vars: HashMap::new(),
            locals: HashMap::new(),
            local_values: RefCell::new(HashMap::new()),
            in_progress: RefCell::new(Vec::new()),
            scope: RefCell::new(Vec::new()),
            dir: None,
            root: None,
            json_maps: HashMap::new(),
            budget,
            file: Cell::new(None),
            foreign: Cell::new(None),
        }
    }

    /// A module evaluated with a budget of its own.
    pub fn with_inputs(files: &[ModuleFile<'a>], inputs: &Inputs) -> Module<'a> {
        Module::with_budget(files, inputs, Rc::new(Budget::new()))
    }

    /// A module evaluated within `budget`, which other modules may share.
    pub fn with_budget(
        files: &[ModuleFile<'a>],
        inputs: &Inputs,
        budget: Rc<Budget>,
    ) -> Module<'a> {
        let mut module = Module::empty(budget.clone());
        module.dir = inputs.dir.clone();
        module.root = inputs.root.clone();
        module.json_maps = files
            .iter()
            .filter_map(|f| f.tf.json_map.clone().map(|m| (f.file, m)))
            .collect();
        let empty = Module::empty(budget.clone());
        // Variable defaults and locals from .tf files.
        for f in files.iter().filter(|f| !is_tfvars(f.name)) {
            empty.file.set(Some(f.file));
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
                        module.vars.insert(name, (value, Some(f.file)));
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
        // terraform.tfvars, terraform.tfvars.json, then *.auto.tfvars(.json) in lexical order
        // of their names, override defaults; a called module reads none of them.
        let mut tfvars: Vec<&ModuleFile> = files
            .iter()
            .filter(|f| !inputs.called && tfvars_rank(f.name).is_some())
            .collect();
        tfvars.sort_by_key(|f| (tfvars_rank(f.name), f.name));
        for f in tfvars {
            for (name, value, file) in tfvars_values(f.tf, f.file, &budget) {
                if module.vars.contains_key(&name) {
                    module.vars.insert(name, (value, file));
                }
            }
        }
        for (name, value, file) in &inputs.values {
            if module.vars.contains_key(name) {
                // A call's argument is copied into each instance of the module it calls.
                let at = (*file, value.span);
                let value = if budget.spend_copy(value, at) {
                    value.clone()
                } else {
                    Node::unknown(value.span)
                };
                module.vars.insert(name.clone(), (value, *file));
            }
        }
        module
    }

    /// The budget this module is evaluated within.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// Where an expression at `span` of the file being evaluated is reported.
    fn at(&self, span: Span) -> (Option<usize>, Span) {
        (self.file.get(), self.foreign.get().unwrap_or(span))
    }

    fn spent(&self) -> bool {
        self.budget.exhausted().is_some()
    }

    fn spend(&self, cost: u64, span: Span) -> bool {
        self.budget.spend(cost, self.at(span))
    }

    fn force(&self, cost: u64, span: Span) {
        self.budget.force(cost, self.at(span))
    }

    fn step(&self, n: u64, span: Span) -> bool {
        self.budget.step(n, self.at(span))
    }

    /// Charge a copy of `node` made for the expression at `span`.
    fn charged(&self, node: &Node, span: Span) -> bool {
        self.budget.spend_copy(node, self.at(span))
    }

    /// A copy of `node` used at `span` (see [`Node::relocated`]), charged: unknown when it
    /// does not fit.
    fn copy(&self, node: &Node, span: Span, file: Option<usize>) -> Node {
        if self.charged(node, span) {
            node.relocated(span, file)
        } else {
            Node::unknown(span)
        }
    }

    /// Run `f` with the expressions of `file` being evaluated.
    fn in_file<T>(&self, file: usize, f: impl FnOnce() -> T) -> T {
        let saved = self.file.replace(Some(file));
        let out = f();
        self.file.set(saved);
        out
    }

    /// Resources, data sources and module calls of one file, evaluated.
    pub fn resources(&self, f: &ModuleFile<'a>) -> Vec<Resource> {
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

    fn place_node(
        &self,
        node: &mut Node,
        file: usize,
        own: Option<&crate::parse::terraform_json::SpanMap>,
    ) {
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

    /// Evaluate an expression; its spans are relative to a body parsed with offset `base`.
    /// Past the budget, only the text as written is evaluated: anything derived is unknown.
    pub fn eval(&self, expr: &Expression, base: usize, depth: usize) -> Node {
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
                    self.force(k.len() as u64, key_span);
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
            Expression::Variable(v) => {
                return match self.bound(v.as_str()) {
                    Some(node) if within => self.copy(&node, span, None),
                    _ => Node::unknown(span),
                }
            }
            Expression::Conditional(c) => {
                return match self.eval(&c.cond_expr, base, d).value {
                    Value::Bool(true) => self.eval(&c.true_expr, base, d),
                    Value::Bool(false) => self.eval(&c.false_expr, base, d),
                    _ => Node::unknown(span),
                };
            }
            Expression::Traversal(t) => return self.traversal(t, base, span, d),
            Expression::FuncCall(call) => {
                if !within {
                    return Node::unknown(span);
                }
                let name = call.name.name.as_str();
                let args: Vec<Node> = call.args.iter().map(|a| self.eval(a, base, d)).collect();
                if call.args.expand_final() || self.spent() {
                    return Node::unknown(span);
                }
                let value = match name {
                    "file" | "templatefile" | "fileexists" => {
                        self.file_function(name, &args, span, d)
                    }
                    _ => self.function(name, &args, span),
                };
                drop(args);
                return match value.map(|v| Node::new(v, span)) {
                    Some(node) if self.charged(&node, span) => node,
                    _ => Node::unknown(span),
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

    fn template(&self, t: &Template, base: usize, span: Span, depth: usize) -> Node {
        // `"${expr}"` alone is the expression's value, unconverted (a list stays a list).
        let mut elements = t.iter();
        if let (Some(Element::Interpolation(i)), None) = (elements.next(), elements.next()) {
            return self.eval(&i.expr, base, depth);
        }
        let mut out = String::new();
        for element in t.iter() {
            match element {
                Element::Literal(s) => {
                    // The text as written is kept past the budget (a heredoc policy).
                    self.force(s.value().len() as u64, span);
                    out.push_str(s.value());
                }
                Element::Interpolation(i) => {
                    if self.spent() {
                        return Node::unknown(span);
                    }
                    let piece = match self.eval(&i.expr, base, depth).value {
                        Value::String(s) => s,
                        Value::Number(n) => crate::model::format_number(n),
                        Value::Bool(b) => b.to_string(),
                        _ => return Node::unknown(span),
                    };
                    if !self.spend(piece.len() as u64, span) {
                        return Node::unknown(span);
                    }
                    out.push_str(&piece);
                }
                Element::Directive(_) => return Node::unknown(span),
            }
        }
        self.force(NODE_COST, span);
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
                let dir = self.dir.as_deref().unwrap_or(Path::new("."));
                let text = if dir.as_os_str().is_empty() {
                    ".".to_string()
                } else {
                    dir.to_string_lossy().into_owned()
                };
                self.force(NODE_COST + text.len() as u64, span);
                return Node::new(Value::String(text), span);
            }
            ("terraform", Some(name)) if name == "workspace" => {
                return Node::new(Value::String("default".to_string()), span);
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
                self.force(NODE_COST + text.len() as u64, span);
                return Node::new(Value::Ref(text), span);
            }
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

    /// The part of `node` that `ops` select, without copying it; `None`: unknown.
    fn walk<'n>(
        &self,
        mut node: &'n Node,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
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

    /// The value bound to `name` by the innermost `count`/`each`/iterator/`for` variable.
    fn bound(&self, name: &str) -> Option<Rc<Node>> {
        self.scope
            .borrow()
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// The (key, value) pairs `node` is iterated as (see [`elements`]), charged as the
    /// copies they are; `None` when unknown or past the budget.
    fn elements(&self, node: &Node, for_each: bool) -> Option<Vec<(Node, Node)>> {
        if !self.budget.spend_copy(node, self.at(node.span)) {
            return None;
        }
        let items = elements(node, for_each)?;
        self.spend(NODE_COST * items.len() as u64, node.span)
            .then_some(items)
    }

    /// `[for k, v in coll : value if cond]` and `{for k, v in coll : key => value...}`.
    fn for_expr(&self, f: &hcl_edit::expr::ForExpr, base: usize, span: Span, d: usize) -> Node {
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
        let mut list = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
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
            let result = (|| {
                if let Some(cond) = &f.cond {
                    match self.eval(&cond.expr, base, d).value {
                        Value::Bool(true) => {}
                        Value::Bool(false) => return Some(true),
                        _ => return None,
                    }
                }
                let value = self.eval(&f.value_expr, base, d);
                match &f.key_expr {
                    None => list.push(value),
                    Some(key_expr) => {
                        let key = self.eval(key_expr, base, d);
                        let Value::String(k) = key.value else {
                            return None;
                        };
                        match index.get(&k) {
                            Some(&i) if f.grouping => {
                                if let Value::List(items) = &mut entries[i].value.value {
                                    items.push(value);
                                }
                            }
                            Some(_) => return None, // duplicate keys are an error
                            None => {
                                index.insert(k.clone(), entries.len());
                                entries.push(Entry {
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
                    }
                }
                Some(true)
            })();
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
            None => Node::new(Value::List(list), span),
            Some(_) => Node::new(Value::Map(entries), span),
        }
    }

    /// `file`, `fileexists` and `templatefile`, reading only regular files below the scan
    /// root. `span` is the call's.
    fn file_function(&self, name: &str, args: &[Node], span: Span, depth: usize) -> Option<Value> {
        let path = args.first()?.as_str()?;
        let root = self.root.as_ref()?;
        let dir = self.dir.as_deref().unwrap_or(Path::new("."));
        let full = if Path::new(path).is_absolute() {
            PathBuf::from(path)
        } else if path.starts_with(&*dir.to_string_lossy()) && !dir.as_os_str().is_empty() {
            // `"${path.module}/x"` is already relative to the working directory.
            PathBuf::from(path)
        } else {
            dir.join(path)
        };
        let canonical = std::fs::canonicalize(&full).ok()?;
        if !std::fs::canonicalize(root).is_ok_and(|r| canonical.starts_with(r)) {
            return None;
        }
        if name == "fileexists" {
            // Terraform's `fileexists` is true for regular files only (and fails otherwise).
            return Some(Value::Bool(canonical.is_file()));
        }
        // The canonical path was checked to be inside the root: open that one, so that no
        // link swapped in since leads elsewhere.
        let text = read_regular_file(&canonical, MAX_READ)?;
        if !self.step(text.len() as u64 / 64, span) {
            return None;
        }
        if name == "file" {
            return Some(Value::String(text));
        }
        let vars = args.get(1)?;
        let template = hcl_edit::parser::parse_template(&text).ok()?;
        let bindings: Vec<(String, Rc<Node>)> = vars
            .entries()
            .iter()
            .map(|e| (e.key.clone(), Rc::new(e.value.clone())))
            .collect();
        // A template sees only its variables: bind them over everything else.
        let saved = std::mem::take(&mut *self.scope.borrow_mut());
        self.scope.borrow_mut().extend(bindings);
        // Its text is not among the files linted: the budget running out in it is the call's.
        let foreign = self
            .foreign
            .replace(Some(self.foreign.get().unwrap_or(span)));
        let node = self.template(&template, 0, Span::default(), depth + 1);
        self.foreign.set(foreign);
        *self.scope.borrow_mut() = saved;
        match node.value {
            Value::String(s) => Some(Value::String(s)),
            _ => None,
        }
    }

    fn local(&self, name: &str, depth: usize) -> Option<(Rc<Node>, usize)> {
        if let Some(v) = self.local_values.borrow().get(name) {
            return Some(v.clone());
        }
        let loc = *self.locals.get(name)?;
        if self.spent() || self.in_progress.borrow().iter().any(|n| n == name) {
            return None; // a cycle: Terraform rejects it; we stay unknown
        }
        self.in_progress.borrow_mut().push(name.to_string());
        let value = Rc::new(self.in_file(loc.file, || self.eval(loc.expr, loc.base, depth + 1)));
        self.in_progress.borrow_mut().pop();
        self.local_values
            .borrow_mut()
            .insert(name.to_string(), (value.clone(), loc.file));
        Some((value, loc.file))
    }
}

/// The assignments of a `.tfvars` or `.tfvars.json` file, evaluated within `budget` (they may
/// not refer to anything).
pub fn tfvars_values(
    tf: &TfFile,
    file: usize,
    budget: &Rc<Budget>,
) -> Vec<(String, Node, Option<usize>)> {
    if let Some(vars) = &tf.json_vars {
        return vars
            .iter()
            .map(|(name, _, value)| (name.clone(), value.clone(), Some(file)))
            .collect();
    }
    let empty = Module::empty(budget.clone());
    empty.file.set(Some(file));
    tf.body
        .attributes()
        .map(|attr| {
            (
                attr.key.as_str().to_string(),
                empty.eval(&attr.value, tf.base, 0),
                Some(file),
            )
        })
        .collect()
}

/// The order in which Terraform reads the variable files of a root module by itself:
/// `terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars` and `*.auto.tfvars.json`
/// (by name). `None`: a variable file read only when named with `--var-file`.
fn tfvars_rank(name: &str) -> Option<u8> {
    match name {
        "terraform.tfvars" => Some(0),
        "terraform.tfvars.json" => Some(1),
        _ if name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json") => Some(2),
        _ => None,
    }
}

/// A `--var name=value` value: numbers, `true`/`false`, lists and objects written in HCL are
/// typed as Terraform types them; anything else is a string.
pub fn cli_value(text: &str) -> Node {
    let span = Span::default();
    let trimmed = text.trim();
    if let Ok(n) = trimmed.parse::<f64>() {
        return Node::new(Value::Number(n), span);
    }
    match trimmed {
        "true" => return Node::new(Value::Bool(true), span),
        "false" => return Node::new(Value::Bool(false), span),
        _ => {}
    }
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        if let Ok(expr) = hcl_edit::parser::parse_expr(trimmed) {
            return Module::empty(Rc::new(Budget::new()))
                .eval(&expr, 0, 0)
                .placed(span);
        }
    }
    Node::new(Value::String(text.to_string()), span)
}

/// A `for` expression over more elements than this stays unknown.
const MAX_ITEMS: usize = 10_000;

fn object(entries: &[(&str, Node)], span: Span) -> Node {
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

pub fn is_tfvars(name: &str) -> bool {
    name.ends_with(".tfvars") || name.ends_with(".tfvars.json")
}

fn range(r: Option<std::ops::Range<usize>>, base: usize) -> Span {
    r.map(|r| Span::new(r.start + base, r.end + base))
        .unwrap_or_default()
}

fn span_of(block: &Block, base: usize) -> Span {
    range(block.span(), base)
}

/// The text of the regular file at `path`, if it holds at most `max` bytes of UTF-8. A FIFO, a
/// device or a directory is never read (nor waited on): see [`crate::source::open_regular`].
fn read_regular_file(path: &Path, max: u64) -> Option<String> {
    // The path is canonical: a link here was swapped in after it was resolved.
    let file = crate::source::open_regular_resolved(path).ok()?;
    let bytes = crate::source::read_bounded(file, max).ok()?;
    String::from_utf8(bytes).ok()
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

impl Module<'_> {
    /// Charge `cost` bytes for a function result about to be built, given back once it is built
    /// (the result is charged as a whole then): `None` when it does not fit.
    fn reserve(&self, cost: u64, span: Span) -> Option<Reserved<'_>> {
        self.spend(cost, span).then_some(Reserved {
            budget: &self.budget,
            cost,
        })
    }

    /// The functions whose result can be known from known arguments. `None`: unknown. The result
    /// is charged by the caller; a function whose result can be much larger than its arguments
    /// reserves its size before building it.
    fn function(&self, name: &str, args: &[Node], span: Span) -> Option<Value> {
        // `try` and `coalesce` take the first usable argument even when later ones are unknown.
        match name {
            "try" => {
                let first = args.first()?;
                return (!contains_unknown(first)).then(|| first.value.clone());
            }
            // The document keeps its structure, with the spans of what was written, instead of
            // becoming JSON text: rules read policies as data and point into them. Parts known only
            // at apply time (an ARN of another resource) stay unknown inside it.
            "jsonencode" => return Some(args.first()?.value.clone()),
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
                let size = parts.iter().map(|p| p.len() as u64).sum::<u64>()
                    + (sep.len() as u64).saturating_mul(parts.len().saturating_sub(1) as u64);
                let _reserved = self.reserve(size, span)?;
                Value::String(parts.join(&sep))
            }
            "concat" => Value::List(args.iter().flat_map(|a| a.as_list().to_vec()).collect()),
            "merge" => {
                // A later key wins, in the place of its last occurrence.
                let all: Vec<&Entry> = args.iter().flat_map(|a| a.entries()).collect();
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
            "jsondecode" => {
                let text = s(0)?;
                // Every value but the first follows a `[`, `,` or `:`.
                let values = 1 + text.bytes().filter(|b| b"[,:".contains(b)).count() as u64;
                let _reserved = self.reserve(values * NODE_COST + text.len() as u64, span)?;
                let json: serde_json::Value = serde_json::from_str(&text).ok()?;
                json_node(&json, span)?.value
            }
            "split" => {
                let (sep, text) = (s(0)?, s(1)?);
                let pieces = if sep.is_empty() {
                    text.chars().count() + 2
                } else {
                    text.matches(sep.as_str()).count() + 1
                };
                let _reserved =
                    self.reserve(pieces as u64 * NODE_COST + text.len() as u64, span)?;
                Value::List(
                    text.split(sep.as_str())
                        .map(|p| Node::new(Value::String(p.to_string()), span))
                        .collect(),
                )
            }
            "replace" => {
                let (text, from, to) = (s(0)?, s(1)?, s(2)?);
                match from.strip_prefix('/').and_then(|f| f.strip_suffix('/')) {
                    // `/.../` is a regular expression (RE2 syntax, `$1` in the replacement).
                    Some(pattern) => Value::String(self.replace_regex(&text, pattern, &to, span)?),
                    None => {
                        let count = if from.is_empty() {
                            text.chars().count() + 1
                        } else {
                            text.matches(from.as_str()).count()
                        } as u64;
                        let size = (text.len() as u64)
                            .saturating_add(count.saturating_mul(to.len() as u64));
                        let _reserved = self.reserve(size, span)?;
                        Value::String(text.replace(&from, &to))
                    }
                }
            }
            "trimprefix" => {
                let (text, prefix) = (s(0)?, s(1)?);
                Value::String(
                    text.strip_prefix(prefix.as_str())
                        .unwrap_or(&text)
                        .to_string(),
                )
            }
            "trimsuffix" => {
                let (text, suffix) = (s(0)?, s(1)?);
                Value::String(
                    text.strip_suffix(suffix.as_str())
                        .unwrap_or(&text)
                        .to_string(),
                )
            }
            "startswith" => Value::Bool(s(0)?.starts_with(s(1)?.as_str())),
            "endswith" => Value::Bool(s(0)?.ends_with(s(1)?.as_str())),
            "contains" => {
                let needle = &args.get(1)?.value;
                Value::Bool(args.first()?.as_list().iter().any(|i| &i.value == needle))
            }
            "keys" => Value::List(
                args.first()?
                    .entries()
                    .iter()
                    .map(|e| Node::new(Value::String(e.key.clone()), e.key_span))
                    .collect(),
            ),
            "values" => Value::List(
                args.first()?
                    .entries()
                    .iter()
                    .map(|e| e.value.clone())
                    .collect(),
            ),
            "zipmap" => {
                let keys = args.first()?.as_list();
                let values = args.get(1)?.as_list();
                Value::Map(
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
                )
            }
            "flatten" => {
                fn flat(n: &Node, out: &mut Vec<Node>) {
                    match &n.value {
                        Value::List(items) => items.iter().for_each(|i| flat(i, out)),
                        _ => out.push(n.clone()),
                    }
                }
                let mut out = Vec::new();
                flat(args.first()?, &mut out);
                Value::List(out)
            }
            "distinct" => {
                let mut out: Vec<Node> = Vec::new();
                for i in args.first()?.as_list() {
                    if !self.step(out.len() as u64, span) {
                        return None;
                    }
                    if !out.iter().any(|o| o.value == i.value) {
                        out.push(i.clone());
                    }
                }
                Value::List(out)
            }
            "compact" => Value::List(
                args.first()?
                    .as_list()
                    .iter()
                    .filter(|i| !matches!(&i.value, Value::Null) && i.as_str() != Some(""))
                    .cloned()
                    .collect(),
            ),
            "one" => match args.first()?.as_list() {
                [] => Value::Null,
                [one] => one.value.clone(),
                _ => return None,
            },
            "min" | "max" => {
                let numbers: Vec<f64> = args.iter().map(|a| a.as_f64()).collect::<Option<_>>()?;
                let pick = if name == "min" { f64::min } else { f64::max };
                Value::Number(numbers.into_iter().reduce(pick)?)
            }
            "abs" => Value::Number(args.first()?.as_f64()?.abs()),
            "range" => {
                let (start, end) = match args {
                    [end] => (0.0, end.as_f64()?),
                    [start, end, ..] => (start.as_f64()?, end.as_f64()?),
                    _ => return None,
                };
                if end - start > MAX_ITEMS as f64 || start.fract() != 0.0 || end.fract() != 0.0 {
                    return None;
                }
                let _reserved = self.reserve((end - start).max(0.0) as u64 * NODE_COST, span)?;
                Value::List(
                    (start as i64..end as i64)
                        .map(|i| Node::new(Value::Number(i as f64), span))
                        .collect(),
                )
            }
            "cidrsubnet" => Value::String(cidrsubnet(
                &s(0)?,
                args.get(1)?.as_f64()? as u32,
                args.get(2)?.as_f64()? as u128,
            )?),
            "can" => Value::Bool(true),
            // No match is an error in Terraform: unknown here (and `try` moves on).
            "regex" => {
                let (pattern, text) = (s(0)?, s(1)?);
                let re = self.regex(&pattern, &text, span)?;
                regex_match(&re, re.captures(&text)?, span)
            }
            "regexall" => {
                let (pattern, text) = (s(0)?, s(1)?);
                let re = self.regex(&pattern, &text, span)?;
                let per_match = NODE_COST * (re.captures_len() as u64 + 1);
                let mut reserved = Vec::new();
                let mut out = Vec::new();
                for c in re.captures_iter(&text).take(MAX_ITEMS) {
                    reserved.push(self.reserve(per_match + c[0].len() as u64, span)?);
                    out.push(Node::new(regex_match(&re, c, span), span));
                }
                Value::List(out)
            }
            "substr" => {
                let (text, offset, length) =
                    (s(0)?, args.get(1)?.as_f64()?, args.get(2)?.as_f64()?);
                let chars: Vec<char> = text.chars().collect();
                let start = if offset < 0.0 {
                    chars.len().checked_sub((-offset) as usize)?
                } else {
                    (offset as usize).min(chars.len())
                };
                let end = if length < 0.0 {
                    chars.len()
                } else {
                    (start + length as usize).min(chars.len())
                };
                Value::String(chars[start..end].iter().collect())
            }
            "reverse" => match &args.first()?.value {
                Value::List(items) => Value::List(items.iter().rev().cloned().collect()),
                _ => return None,
            },
            "sort" => match &args.first()?.value {
                Value::List(items) => {
                    let mut items = items.clone();
                    if items.iter().any(|i| scalar_string(&i.value).is_none()) {
                        return None;
                    }
                    items.sort_by_key(|i| scalar_string(&i.value));
                    Value::List(items)
                }
                _ => return None,
            },
            "slice" => match &args.first()?.value {
                Value::List(items) => {
                    let (from, to) = (args.get(1)?.as_f64()?, args.get(2)?.as_f64()?);
                    if from < 0.0 || to < from || to as usize > items.len() {
                        return None;
                    }
                    Value::List(items[from as usize..to as usize].to_vec())
                }
                _ => return None,
            },
            "coalescelist" => args
                .iter()
                .find(|a| matches!(&a.value, Value::List(items) if !items.is_empty()))?
                .value
                .clone(),
            "base64encode" => Value::String(base64_encode(s(0)?.as_bytes())),
            "base64decode" => Value::String(String::from_utf8(base64_decode(&s(0)?)?).ok()?),
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

    /// A Terraform regular expression to run over `text`, its work counted as steps; an invalid
    /// or oversized one is unknown. Its size is that of its automaton (`a{100}{100}` is short but
    /// has 10,000 states): compiling costs a step per state, and matching, at worst, every state
    /// for every byte of the text.
    fn regex(&self, pattern: &str, text: &str, span: Span) -> Option<regex::Regex> {
        let states = regex_states(pattern)?;
        let matching = states.saturating_mul(text.len() as u64 + 1) / REGEX_STATES_PER_STEP;
        if !self.step(states.saturating_add(matching), span) {
            return None;
        }
        compile_regex(pattern)
    }

    /// `replace` with a regular expression, the result reserved as it is built.
    fn replace_regex(&self, text: &str, pattern: &str, to: &str, span: Span) -> Option<String> {
        let re = self.regex(pattern, text, span)?;
        let mut reserved = Vec::new();
        let mut out = String::new();
        let mut last = 0;
        for caps in re.captures_iter(text) {
            let m = caps.get(0)?;
            // Each `$n` of the replacement (two bytes at least) stands for at most the match.
            let most = (to.len() as u64).saturating_mul(1 + m.len() as u64 / 2);
            reserved.push(self.reserve((m.start() - last) as u64 + most, span)?);
            out.push_str(&text[last..m.start()]);
            caps.expand(to, &mut out);
            last = m.end();
        }
        reserved.push(self.reserve((text.len() - last) as u64, span)?);
        out.push_str(&text[last..]);
        Some(out)
    }
}

/// A reservation of the budget, given back when dropped.
struct Reserved<'b> {
    budget: &'b Budget,
    cost: u64,
}

impl Drop for Reserved<'_> {
    fn drop(&mut self) {
        self.budget.refund(self.cost);
    }
}

/// States of a regular expression's automaton visited for one byte of text, counted as one
/// evaluation step: engines that match faster than state by state (a DFA, a literal search)
/// usually do.
const REGEX_STATES_PER_STEP: u64 = 16;

/// The number of states of the automaton of `pattern`, as the regex crate would build it
/// (`None`: invalid or oversized).
fn regex_states(pattern: &str) -> Option<u64> {
    use regex_automata::nfa::thompson;
    let nfa = thompson::Compiler::new()
        .configure(thompson::Config::new().nfa_size_limit(Some(REGEX_SIZE_LIMIT)))
        .build(pattern)
        .ok()?;
    Some(nfa.states().len() as u64)
}

const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A Terraform regular expression; an invalid or oversized one is unknown.
fn compile_regex(pattern: &str) -> Option<regex::Regex> {
    regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .ok()
}

/// What `regex()` returns for one match: the matched text without capture groups, the
/// groups as a list when unnamed, or as an object when named.
fn regex_match(re: &regex::Regex, caps: regex::Captures, span: Span) -> Value {
    let group = |m: Option<regex::Match>| match m {
        Some(m) => Node::new(Value::String(m.as_str().to_string()), span),
        None => Node::new(Value::Null, span),
    };
    if re.captures_len() == 1 {
        return Value::String(caps[0].to_string());
    }
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    if names.iter().all(Option::is_some) {
        Value::Map(
            names
                .iter()
                .flatten()
                .map(|n| Entry {
                    key: n.to_string(),
                    key_span: span,
                    value: group(caps.name(n)),
                })
                .collect(),
        )
    } else {
        Value::List((1..re.captures_len()).map(|i| group(caps.get(i))).collect())
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if clean.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        let mut pad = 0;
        for (i, c) in chunk.iter().enumerate() {
            let v = match c {
                b'=' if i >= 2 => {
                    pad += 1;
                    0
                }
                _ if pad > 0 => return None,
                _ => BASE64.iter().position(|x| x == c)? as u32,
            };
            n |= v << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

/// `cidrsubnet(prefix, newbits, netnum)` for IPv4 and IPv6 prefixes.
fn cidrsubnet(prefix: &str, newbits: u32, netnum: u128) -> Option<String> {
    let (addr, len) = prefix.split_once('/')?;
    let len: u32 = len.parse().ok()?;
    match addr.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(a) => {
            let new_len = len.checked_add(newbits).filter(|l| *l <= 32)?;
            if newbits < 128 && netnum >> newbits != 0 {
                return None;
            }
            let base = u32::from(a) & mask32(len);
            let net = base | (netnum as u32).checked_shl(32 - new_len).unwrap_or(0);
            Some(format!("{}/{}", std::net::Ipv4Addr::from(net), new_len))
        }
        std::net::IpAddr::V6(a) => {
            let new_len = len.checked_add(newbits).filter(|l| *l <= 128)?;
            if newbits < 128 && netnum >> newbits != 0 {
                return None;
            }
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            let base = u128::from(a) & mask;
            let shift = 128 - new_len;
            let net = base | netnum.checked_shl(shift).unwrap_or(0);
            Some(format!("{}/{}", std::net::Ipv6Addr::from(net), new_len))
        }
    }
}

fn mask32(len: u32) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len)
    }
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
        let origin = acl.origin.as_deref().unwrap();
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

    /// The resources of `text` evaluated within `budget`.
    fn eval_within(text: &str, budget: &Rc<Budget>) -> Vec<Resource> {
        let tf = parse(text).unwrap();
        let files = [ModuleFile {
            file: 0,
            name: "main.tf",
            tf: &tf,
        }];
        let module = Module::with_budget(&files, &Inputs::default(), budget.clone());
        module.resources(&files[0])
    }

    fn at(text: &str, e: Exhausted) -> &str {
        &text[e.span.start..e.span.end]
    }

    #[test]
    fn copies_are_charged_by_size_and_the_walk_stops_at_the_limit() {
        let s = Span::default();
        let leaf = |t: &str| Node::new(Value::String(t.to_string()), s);
        let list = Node::new(Value::List(vec![leaf("abc"), leaf("de")]), s);
        assert_eq!(Budget::cost_of(&list, u64::MAX), Some(3 * NODE_COST + 5));
        assert_eq!(Budget::cost_of(&list, 3 * NODE_COST + 4), None);
        let map = Node::new(
            Value::Map(vec![Entry {
                key: "key".to_string(),
                key_span: s,
                value: list.clone(),
            }]),
            s,
        );
        assert_eq!(Budget::cost_of(&map, u64::MAX), Some(4 * NODE_COST + 8));

        let budget = Budget::with_limits(4 * NODE_COST + 8, 100);
        assert!(budget.spend_copy(&map, (Some(0), s)));
        assert_eq!(budget.built(), 4 * NODE_COST + 8);
        assert!(budget.exhausted().is_none());
        // Nothing more fits, and what does not fit is not charged.
        assert!(!budget.spend_copy(&leaf(""), (Some(1), Span::new(3, 4))));
        assert_eq!(budget.built(), 4 * NODE_COST + 8);
        let e = budget.exhausted().unwrap();
        assert_eq!(
            (e.file, e.span, e.limit),
            (Some(1), Span::new(3, 4), Limit::Size)
        );
        // The first place it ran out is kept; literals are still built, counted apart.
        assert!(!budget.spend(1, (Some(2), s)));
        budget.force(10, (Some(2), s));
        assert_eq!(budget.built_after(), 10);
        assert_eq!(budget.exhausted().unwrap().file, Some(1));
    }

    #[test]
    fn steps_run_out() {
        let budget = Budget::with_limits(u64::MAX, 10);
        assert!(budget.step(10, (Some(0), Span::default())));
        assert!(!budget.step(1, (Some(0), Span::new(1, 2))));
        assert_eq!(budget.exhausted().unwrap().limit, Limit::Steps);
    }

    #[test]
    fn a_small_module_builds_what_it_uses() {
        let text = "locals {\n a = \"abc\"\n b = \"${local.a}-${local.a}\"\n}\nresource \"r\" \"x\" { v = local.b }\n";
        let budget = Rc::new(Budget::new());
        let r = &eval_within(text, &budget)[0];
        assert_eq!(r.body.get("v").unwrap().as_str(), Some("abc-abc"));
        assert!(budget.exhausted().is_none());
        // Literals, two copies of `a`, the template, one copy of `b`, the resource body.
        assert!(budget.built() > 4 * NODE_COST && budget.built() < 32 * NODE_COST);
        assert!(budget.steps() > 5 && budget.steps() < 50);
    }

    #[test]
    fn multiplied_lists_stop_at_the_budget() {
        let mut text = String::from("locals {\n  l0 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n");
        for i in 1..12 {
            let refs = vec![format!("local.l{}", i - 1); 10].join(", ");
            text.push_str(&format!("  l{i} = [{refs}]\n"));
        }
        text.push_str("}\nresource \"r\" \"x\" {\n  v   = local.l11\n  acl = \"public-read\"\n}\n");
        let budget = Rc::new(Budget::with_limits(1 << 20, MAX_STEPS));
        let r = &eval_within(&text, &budget)[0];
        assert!(r.body.get("v").unwrap().is_unknown());
        // What is written as it is still counts.
        assert_eq!(r.body.get("acl").unwrap().as_str(), Some("public-read"));
        let e = budget.exhausted().unwrap();
        assert_eq!(e.limit, Limit::Size);
        assert!(at(&text, e).starts_with("local.l"), "{}", at(&text, e));
        assert!(budget.built() <= 1 << 20);
    }

    #[test]
    fn doubled_strings_stop_at_the_budget() {
        let mut text = String::from("locals {\n  s0 = \"0123456789abcdef\"\n");
        for i in 1..20 {
            text.push_str(&format!(
                "  s{i} = \"${{local.s{0}}}${{local.s{0}}}\"\n",
                i - 1
            ));
        }
        text.push_str("}\nresource \"r\" \"x\" { v = local.s19 }\n");
        let budget = Rc::new(Budget::with_limits(1 << 20, MAX_STEPS));
        let r = &eval_within(&text, &budget)[0];
        assert!(r.body.get("v").unwrap().is_unknown());
        let e = budget.exhausted().unwrap();
        assert_eq!(e.limit, Limit::Size);
        assert!(at(&text, e).contains("local.s"), "{}", at(&text, e));
        assert!(budget.built() <= 1 << 20);
    }

    #[test]
    fn functions_with_large_results_reserve_them_first() {
        let cases = [
            // A separator much longer than the parts.
            "join(local.sep, range(1000))",
            // Every character replaced by a long text.
            "replace(local.sep, \"/./\", local.sep)",
            "replace(local.sep, \"a\", local.sep)",
            "split(\"\", join(\"\", [local.big, local.big, local.big]))",
            "[for i in range(400) : local.big]",
            "jsondecode(\"[${local.commas}${local.commas}0]\")",
        ];
        for expr in cases {
            let text = format!(
                "locals {{\n  a = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n  b = \"${{local.a}}${{local.a}}${{local.a}}${{local.a}}\"\n  sep = \"${{local.b}}${{local.b}}${{local.b}}${{local.b}}\"\n  big = \"${{local.sep}}${{local.sep}}${{local.sep}}${{local.sep}}\"\n  commas = replace(local.big, \"a\", \"0,\")\n}}\nresource \"r\" \"x\" {{ v = {expr} }}\n"
            );
            let budget = Rc::new(Budget::with_limits(512 << 10, MAX_STEPS));
            let r = &eval_within(&text, &budget)[0];
            assert!(r.body.get("v").unwrap().is_unknown(), "{expr}");
            let e = budget
                .exhausted()
                .unwrap_or_else(|| panic!("{expr}: no exhaustion"));
            // In the expression (at the function, or at a copy it makes).
            let start = text.rfind(expr).unwrap();
            assert!(
                e.span.start >= start && e.span.end <= start + expr.len(),
                "{expr}: at {}",
                at(&text, e)
            );
            assert!(budget.built() <= 512 << 10, "{expr}");
        }
    }

    #[test]
    fn nested_iterations_run_out_of_steps() {
        let text = "resource \"r\" \"x\" {\n  v = [for i in range(1000) : [for j in range(1000) : 1]]\n}\n";
        let budget = Rc::new(Budget::with_limits(MAX_BUILT, 100_000));
        let r = &eval_within(text, &budget)[0];
        assert!(r.body.get("v").unwrap().is_unknown());
        assert_eq!(budget.exhausted().unwrap().limit, Limit::Steps);
        assert!(budget.steps() < 200_000);
    }

    #[test]
    fn regular_expressions_cost_their_automaton_over_the_text() {
        // Short, but ten thousand states: matching 64 KiB may visit them all for each byte.
        let text = "locals {\n  a0 = \"aaaaaaaaaaaaaaaa\"\n  a1 = \"${local.a0}${local.a0}${local.a0}${local.a0}${local.a0}${local.a0}${local.a0}${local.a0}\"\n  a2 = \"${local.a1}${local.a1}${local.a1}${local.a1}${local.a1}${local.a1}${local.a1}${local.a1}\"\n  a3 = \"${local.a2}${local.a2}${local.a2}${local.a2}${local.a2}${local.a2}${local.a2}${local.a2}\"\n}\nresource \"r\" \"x\" {\n  small = regex(\"^a+\", \"aaa\")\n  big   = regex(\"(?:a{100}){95}b\", local.a3)\n}\n";
        let budget = Rc::new(Budget::new());
        let r = &eval_within(text, &budget)[0];
        assert_eq!(r.body.get("small").unwrap().as_str(), Some("aaa"));
        assert!(r.body.get("big").unwrap().is_unknown());
        let e = budget.exhausted().unwrap();
        assert_eq!(e.limit, Limit::Steps);
        assert!(
            at(text, e).starts_with("regex(\"(?:a{100}"),
            "{}",
            at(text, e)
        );
        assert!(regex_states("(?:a{100}){95}b").unwrap() > 9_500);
        assert!(regex_states("^arn:aws:s3:::(.*)$").unwrap() < 100);
    }

    #[test]
    fn past_the_budget_instances_are_not_multiplied() {
        let text = r#"
locals {
  big = [for i in range(10000) : "xxxxxxxxxxxxxxxx"]
}
resource "r" "bomb" { v = local.big }
resource "r" "many" {
  count = 200
  acl   = "public-read"
  dynamic "rule" {
    for_each = [1, 2, 3]
    content { port = 22 }
  }
}
"#;
        let budget = Rc::new(Budget::with_limits(64 << 10, MAX_STEPS));
        let rs = eval_within(text, &budget);
        assert!(budget.exhausted().is_some());
        let many: Vec<_> = rs.iter().filter(|r| r.name == "r.many").collect();
        assert_eq!(many.len(), 1);
        assert_eq!(
            many[0].body.get("acl").unwrap().as_str(),
            Some("public-read")
        );
        assert_eq!(many[0].body.get("rule").unwrap().as_list().len(), 1);
        // Literal text only, after the budget ran out.
        assert!(budget.built_after() < 64 * text.len() as u64);
    }

    #[test]
    fn modules_sharing_a_budget_share_its_limit() {
        let text = "variable \"big\" {}\nresource \"r\" \"x\" { v = [var.big, var.big] }\n";
        let tf = parse(text).unwrap();
        let files = [ModuleFile {
            file: 0,
            name: "main.tf",
            tf: &tf,
        }];
        let s = Span::default();
        let big = Node::new(Value::String("x".repeat(10_000)), s);
        let inputs = Inputs {
            values: vec![("big".to_string(), big, None)],
            called: true,
            ..Inputs::default()
        };
        let budget = Rc::new(Budget::with_limits(200_000, MAX_STEPS));
        let mut known = 0;
        for _ in 0..100 {
            let module = Module::with_budget(&files, &inputs, budget.clone());
            let r = &module.resources(&files[0])[0];
            if !r.body.get("v").unwrap().as_list()[1].is_unknown() {
                known += 1;
            }
        }
        // Each instance copies the input three times: six instances fit.
        assert!((5..=7).contains(&known), "{known}");
        assert!(budget.built() <= 200_000);
        assert!(budget.exhausted().is_some());
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

    #[test]
    fn count_and_for_each_instances() {
        let text = r#"
variable "n" { default = 2 }
resource "a" "counted" {
  count = var.n
  name  = "x-${count.index}"
}
resource "a" "none" {
  count = 0
}
resource "a" "each" {
  for_each = { web = "public-read", logs = "private" }
  acl      = each.value
  name     = each.key
}
resource "a" "set" {
  for_each = toset(["p", "q"])
  name     = each.value
}
resource "a" "unknown" {
  for_each = var.missing
  acl      = each.value
}
"#;
        let rs = eval_file(text);
        let names = |n: &str| -> Vec<String> {
            rs.iter()
                .filter(|r| r.name == n)
                .map(|r| {
                    r.body
                        .get("name")
                        .and_then(Node::as_str)
                        .unwrap_or("?")
                        .to_string()
                })
                .collect()
        };
        assert_eq!(names("a.counted"), ["x-0", "x-1"]);
        assert!(names("a.none").is_empty());
        assert_eq!(names("a.each"), ["web", "logs"]);
        assert_eq!(names("a.set"), ["p", "q"]);
        let web = rs.iter().find(|r| r.name == "a.each").unwrap();
        let acl = web.body.get("acl").unwrap();
        assert_eq!(acl.as_str(), Some("public-read"));
        // Reported where it is used, with the literal as its origin.
        assert_eq!(&text[acl.span.start..acl.span.end], "each.value");
        let o = acl.origin.as_ref().unwrap().span;
        assert_eq!(&text[o.start..o.end], "\"public-read\"");
        let unknown: Vec<_> = rs.iter().filter(|r| r.name == "a.unknown").collect();
        assert_eq!(unknown.len(), 1);
        assert!(unknown[0].body.get("acl").unwrap().is_unknown());
    }

    #[test]
    fn dynamic_blocks_expand() {
        let text = r#"
locals {
  rules = [
    { port = 22, cidr = "0.0.0.0/0" },
    { port = 443, cidr = "10.0.0.0/8" },
  ]
}
resource "aws_security_group" "sg" {
  ingress { from_port = 80 }
  dynamic "ingress" {
    for_each = local.rules
    content {
      from_port   = ingress.value.port
      cidr_blocks = [ingress.value.cidr]
    }
  }
  dynamic "egress" {
    for_each = var.unknown
    iterator = rule
    content {
      to_port = rule.value
    }
  }
}
"#;
        let r = &eval_file(text)[0];
        let ingress = r.body.get("ingress").unwrap().as_list();
        let ports: Vec<_> = ingress
            .iter()
            .map(|i| i.get("from_port").unwrap().as_f64())
            .collect();
        assert_eq!(ports, [Some(80.0), Some(22.0), Some(443.0)]);
        let cidr = &ingress[1].get("cidr_blocks").unwrap().as_list()[0];
        assert_eq!(cidr.as_str(), Some("0.0.0.0/0"));
        let egress = r.body.get("egress").unwrap().as_list();
        assert_eq!(egress.len(), 1);
        let to_port = egress[0].get("to_port").unwrap();
        assert!(to_port.is_unknown());
        // Unknown where it is used, as before the evaluation had a budget.
        assert_eq!(to_port.origin.as_ref().unwrap().span, to_port.span);
    }

    #[test]
    fn for_expressions_and_functions() {
        let text = r#"
locals {
  ports  = [for p in [22, 80, 3389] : p if p != 80]
  byname = { for name, cidr in { a = "0.0.0.0/0" } : upper(name) => cidr }
  doc    = jsondecode("{\"Statement\": [{\"Action\": \"*\"}]}")
  parts  = split(",", "a,b")
  subnet = cidrsubnet("10.0.0.0/16", 8, 2)
  v6     = cidrsubnet("2001:db8::/32", 16, 1)
  keys   = keys({ x = 1, y = 2 })
  flat   = flatten([[1], [2, [3]]])
  trim   = trimprefix("arn:aws", "arn:")
  has    = contains(["a", "b"], "b")
  zip    = zipmap(["k"], ["v"])
  ws     = terraform.workspace
}
resource "r" "x" {
  ports  = local.ports
  byname = local.byname
  action = local.doc.Statement[0].Action
  parts  = local.parts
  subnet = local.subnet
  v6     = local.v6
  keys   = local.keys
  flat   = length(local.flat)
  trim   = local.trim
  has    = local.has
  zip    = local.zip.k
  ws     = local.ws
}
"#;
        let r = &eval_file(text)[0];
        let get = |k: &str| r.body.get(k).unwrap();
        let ports: Vec<_> = get("ports").as_list().iter().map(|p| p.as_f64()).collect();
        assert_eq!(ports, [Some(22.0), Some(3389.0)]);
        assert_eq!(get("byname").get("A").unwrap().as_str(), Some("0.0.0.0/0"));
        assert_eq!(get("action").as_str(), Some("*"));
        assert_eq!(get("parts").as_list().len(), 2);
        assert_eq!(get("subnet").as_str(), Some("10.0.2.0/24"));
        assert_eq!(get("v6").as_str(), Some("2001:db8:1::/48"));
        assert_eq!(get("keys").as_list()[1].as_str(), Some("y"));
        assert_eq!(get("flat").as_f64(), Some(3.0));
        assert_eq!(get("trim").as_str(), Some("aws"));
        assert_eq!(get("has").as_bool(), Some(true));
        assert_eq!(get("zip").as_str(), Some("v"));
        assert_eq!(get("ws").as_str(), Some("default"));
    }

    #[test]
    fn regular_expressions_and_list_functions() {
        let text = r#"
resource "r" "x" {
  bucket  = replace("My_Site.Logs", "/[^a-z0-9-]+/", "-")
  literal = replace("a.b.c", ".", "/")
  group   = replace("arn:aws:s3:::logs", "/^arn:aws:s3:::(.*)$/", "bucket $1")
  first   = regex("[0-9]+", "port 8080 and 22")
  groups  = regex("^(\\w+)://([^/]+)", "https://example.com/x")
  named   = regex("(?P<user>\\w+)@(?P<host>[\\w.]+)", "ops@example.com")
  all     = regexall("[0-9]+", "22, 80 and 443")
  none    = regex("x", "abc")
  bad     = replace("a", "/(/", "b")
  sub     = substr("hello world", -5, -1)
  sorted  = sort(["b", "c", "a"])
  rev     = reverse([1, 2, 3])
  part    = slice(["a", "b", "c", "d"], 1, 3)
  firstl  = coalescelist([], ["x"])
}
"#;
        let r = &eval_file(text)[0];
        let get = |k: &str| r.body.get(k).unwrap();
        let strs = |k: &str| -> Vec<String> {
            get(k)
                .as_list()
                .iter()
                .map(|i| match &i.value {
                    Value::Number(n) => crate::model::format_number(*n),
                    v => scalar_string(v).unwrap(),
                })
                .collect()
        };
        assert_eq!(get("bucket").as_str(), Some("-y-ite-ogs"));
        assert_eq!(get("literal").as_str(), Some("a/b/c"));
        assert_eq!(get("group").as_str(), Some("bucket logs"));
        assert_eq!(get("first").as_str(), Some("8080"));
        assert_eq!(strs("groups"), ["https", "example.com"]);
        assert_eq!(
            get("named").get("host").unwrap().as_str(),
            Some("example.com")
        );
        assert_eq!(strs("all"), ["22", "80", "443"]);
        // No match and an invalid expression are errors in Terraform: unknown, never guessed.
        assert_eq!(get("none").value, Value::Unknown);
        assert_eq!(get("bad").value, Value::Unknown);
        assert_eq!(get("sub").as_str(), Some("world"));
        assert_eq!(strs("sorted"), ["a", "b", "c"]);
        assert_eq!(strs("rev"), ["3", "2", "1"]);
        assert_eq!(strs("part"), ["b", "c"]);
        assert_eq!(strs("firstl"), ["x"]);
    }

    #[test]
    fn jsonencode_keeps_its_structure_around_unknown_parts() {
        let text = r#"
resource "r" "x" {
  policy = jsonencode({
    Statement = [{ Principal = "*", Resource = "${aws_s3_bucket.b.arn}/*" }]
  })
}
"#;
        let r = &eval_file(text)[0];
        let st = &r
            .body
            .get("policy")
            .unwrap()
            .get("Statement")
            .unwrap()
            .as_list()[0];
        assert_eq!(st.get("Principal").unwrap().as_str(), Some("*"));
        assert!(st.get("Resource").unwrap().is_unknown());
    }

    #[test]
    fn base64_round_trips() {
        for text in ["", "a", "ab", "abc", "password=hunter2\n"] {
            let encoded = base64_encode(text.as_bytes());
            assert_eq!(base64_decode(&encoded).unwrap(), text.as_bytes());
        }
        assert_eq!(base64_encode(b"abc"), "YWJj");
        assert_eq!(base64_encode(b"ab"), "YWI=");
        assert_eq!(base64_decode("YQ=="), Some(b"a".to_vec()));
        assert_eq!(base64_decode("Y=Q="), None);
    }

    #[test]
    fn cidrsubnet_matches_terraform() {
        assert_eq!(
            cidrsubnet("172.16.0.0/12", 4, 2).as_deref(),
            Some("172.18.0.0/16")
        );
        assert_eq!(
            cidrsubnet("10.1.2.0/24", 4, 15).as_deref(),
            Some("10.1.2.240/28")
        );
        assert_eq!(
            cidrsubnet("10.0.0.0/8", 0, 0).as_deref(),
            Some("10.0.0.0/8")
        );
        assert_eq!(cidrsubnet("10.0.0.0/30", 4, 0), None);
        assert_eq!(cidrsubnet("10.0.0.0/24", 2, 4), None);
    }
}
