//! A module being evaluated: its variables, locals and the names bound while evaluating, what
//! it was given (inputs, directories), and the budget it is evaluated within.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

use hcl_edit::expr::Expression;

use super::budget::{Budget, Reserved};
use super::span_of;
use super::tfvars::is_tfvars;
use crate::model::Node;
use crate::parse::terraform::TfFile;
use crate::parse::terraform_json::SpanMap;
use crate::source::Span;

/// One parsed file of a module.
pub(crate) struct ModuleFile<'a> {
    /// Index of the file among the files linted together.
    pub file: usize,
    pub name: &'a str,
    pub tf: &'a TfFile,
}

#[derive(Clone, Copy)]
pub(super) struct Loc<'a> {
    pub(super) expr: &'a Expression,
    pub(super) base: usize,
    pub(super) file: usize,
}

/// A module being evaluated. Its expressions are evaluated by `Module::eval` (`eval.rs`),
/// its blocks made into resources by [`Module::resources`] (`blocks.rs`).
pub(crate) struct Module<'a> {
    /// Variable values with the file they were written in (`None`: the command line).
    pub(super) vars: HashMap<String, (Node, Option<usize>)>,
    pub(super) locals: HashMap<String, Loc<'a>>,
    pub(super) local_values: RefCell<HashMap<String, (Rc<Node>, usize)>>,
    pub(super) in_progress: RefCell<Vec<String>>,
    /// Names bound while evaluating: `count`, `each`, a `dynamic` block's iterator, the
    /// variables of a `for` expression. Innermost last.
    pub(super) scope: RefCell<Vec<(String, Rc<Node>)>>,
    pub(super) dir: Option<PathBuf>,
    pub(super) root: Option<PathBuf>,
    /// Span maps of the module's JSON configuration files (`*.tf.json`), by file index.
    pub(super) json_maps: HashMap<usize, std::sync::Arc<SpanMap>>,
    /// Shared by every module evaluated for one root module.
    pub(super) budget: Rc<Budget>,
    /// The file whose expressions are being evaluated (where the budget ran out).
    pub(super) file: Cell<Option<usize>>,
    /// Set while evaluating text read by `templatefile()`: the call, where the budget ran out.
    pub(super) foreign: Cell<Option<Span>>,
}

/// What a module is evaluated with besides its own files.
#[derive(Clone, Debug, Default)]
pub(crate) struct Inputs {
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
pub(crate) const NOT_INSTANTIATED: &str = "module (no instance)";

impl<'a> Module<'a> {
    pub(crate) fn new(files: &[ModuleFile<'a>]) -> Module<'a> {
        Module::with_inputs(files, &Inputs::default())
    }

    pub(super) fn empty(budget: Rc<Budget>) -> Module<'a> {
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
    pub(crate) fn with_inputs(files: &[ModuleFile<'a>], inputs: &Inputs) -> Module<'a> {
        Module::with_budget(files, inputs, Rc::new(Budget::new()))
    }

    /// A module evaluated within `budget`, which other modules may share.
    pub(crate) fn with_budget(
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
        module.declare(files, &budget);
        if !inputs.called {
            // A called module reads no variable files of its own.
            module.read_tfvars(files, &budget);
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

    /// Variable defaults (evaluated, referring to nothing) and locals (kept to be evaluated
    /// when used) of the module's `.tf` files.
    fn declare(&mut self, files: &[ModuleFile<'a>], budget: &Rc<Budget>) {
        let empty = Module::empty(budget.clone());
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
                        self.vars.insert(name, (value, Some(f.file)));
                    }
                    "locals" => {
                        for attr in block.body.attributes() {
                            self.locals.insert(
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
    }

    /// Where an expression at `span` of the file being evaluated is reported.
    pub(super) fn at(&self, span: Span) -> (Option<usize>, Span) {
        (self.file.get(), self.foreign.get().unwrap_or(span))
    }

    pub(super) fn spent(&self) -> bool {
        self.budget.exhausted().is_some()
    }

    pub(super) fn spend(&self, cost: u64, span: Span) -> bool {
        self.budget.spend(cost, self.at(span))
    }

    pub(super) fn force(&self, cost: u64, span: Span) {
        self.budget.force(cost, self.at(span))
    }

    pub(super) fn step(&self, n: u64, span: Span) -> bool {
        self.budget.step(n, self.at(span))
    }

    /// Charge a copy of `node` made for the expression at `span`.
    pub(super) fn charged(&self, node: &Node, span: Span) -> bool {
        self.budget.spend_copy(node, self.at(span))
    }

    /// A copy of `node` used at `span` (see [`Node::relocated`]), charged: unknown when it
    /// does not fit.
    pub(super) fn copy(&self, node: &Node, span: Span, file: Option<usize>) -> Node {
        if self.charged(node, span) {
            node.relocated(span, file)
        } else {
            Node::unknown(span)
        }
    }

    /// Run `f` with the expressions of `file` being evaluated.
    pub(super) fn in_file<T>(&self, file: usize, f: impl FnOnce() -> T) -> T {
        let saved = self.file.replace(Some(file));
        let out = f();
        self.file.set(saved);
        out
    }

    /// Charge `cost` bytes for a function result about to be built, given back once it is built
    /// (the result is charged as a whole then): `None` when it does not fit.
    pub(super) fn reserve(&self, cost: u64, span: Span) -> Option<Reserved<'_>> {
        self.budget.reserve(cost, self.at(span))
    }

    /// The value bound to `name` by the innermost `count`/`each`/iterator/`for` variable.
    pub(super) fn bound(&self, name: &str) -> Option<Rc<Node>> {
        self.scope
            .borrow()
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// The value of local `name` with the file it is written in, evaluated once.
    pub(super) fn local(&self, name: &str, depth: usize) -> Option<(Rc<Node>, usize)> {
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
