//! The function library: the Terraform functions whose result can be known from known
//! arguments, by family. A function not listed here, or given an unknown argument, is unknown.
//! The file functions (`file`, `fileexists`, `templatefile`) read below the scan root and
//! are in `filesystem.rs`.
//!
//! A result is charged by the caller once it is built; a function whose result can be much
//! larger than its arguments reserves its size first ([`Call::reserve`]).

mod collections;
mod conversion;
mod encoding;
mod filesystem;
mod network;
mod numeric;
mod regex;
mod strings;

pub(crate) use encoding::base64_decode;

use super::budget::Reserved;
use super::module::Module;
use crate::model::{Node, Value};
use crate::source::Span;

/// One call of a library function: its name, its evaluated arguments and where it is.
pub(super) struct Call<'c, 'a> {
    module: &'c Module<'a>,
    name: &'c str,
    args: &'c [Node],
    span: Span,
}

impl<'c> Call<'c, '_> {
    fn arg(&self, i: usize) -> Option<&'c Node> {
        self.args.get(i)
    }

    /// Argument `i` as a string, numbers and booleans converted as Terraform converts them.
    fn string(&self, i: usize) -> Option<String> {
        self.arg(i).and_then(|a| scalar_string(&a.value))
    }

    fn number(&self, i: usize) -> Option<f64> {
        self.arg(i)?.as_f64()
    }

    /// Reserve `cost` bytes of the budget for the result about to be built (see
    /// [`Module::reserve`]).
    fn reserve(&self, cost: u64) -> Option<Reserved<'c>> {
        self.module.reserve(cost, self.span)
    }

    /// Count `n` evaluation steps: `false` once the steps run out.
    fn step(&self, n: u64) -> bool {
        self.module.step(n, self.span)
    }
}

/// A family's functions: `None` when the result is unknown.
type Family = for<'c, 'a> fn(&Call<'c, 'a>) -> Option<Value>;

/// Every function of the library that needs known arguments, with the family that computes it.
const FAMILIES: &[(&[&str], Family)] = &[
    (strings::NAMES, strings::call),
    (regex::NAMES, regex::call),
    (collections::NAMES, collections::call),
    (numeric::NAMES, numeric::call),
    (encoding::NAMES, encoding::call),
    (network::NAMES, network::call),
    (conversion::NAMES, conversion::call),
];

impl Module<'_> {
    /// The result of function `name` called at `span` with `args`; `None`: unknown.
    pub(super) fn function(&self, name: &str, args: &[Node], span: Span) -> Option<Value> {
        let call = Call {
            module: self,
            name,
            args,
            span,
        };
        // `try` and `coalesce` take the first usable argument even when later ones are
        // unknown; `jsonencode` keeps the unknown parts of its document.
        match name {
            "try" => return conversion::try_first(&call),
            "jsonencode" => return encoding::jsonencode(&call),
            "coalesce" => return collections::coalesce(&call),
            _ => {}
        }
        if !known(args) {
            return None;
        }
        let (_, family) = FAMILIES.iter().find(|(names, _)| names.contains(&name))?;
        family(&call)
    }
}

fn known(args: &[Node]) -> bool {
    args.iter().all(|a| !contains_unknown(a))
}

fn contains_unknown(n: &Node) -> bool {
    match &n.value {
        Value::Unknown | Value::Ref(_) | Value::Partial(_) => true,
        Value::List(items) => items.iter().any(contains_unknown),
        Value::Map(entries) => entries.iter().any(|e| contains_unknown(&e.value)),
        _ => false,
    }
}

/// A string, number or boolean as the string Terraform converts it to.
pub(super) fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(crate::model::format_number(*n)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The value of an expression that refers to nothing, as the evaluator computes it.
#[cfg(test)]
pub(super) fn eval(expr: &str) -> Node {
    let expr = hcl_edit::parser::parse_expr(expr).unwrap();
    Module::empty(std::rc::Rc::new(super::budget::Budget::new())).eval(&expr, 0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_belongs_to_one_family() {
        let mut all: Vec<&str> = FAMILIES
            .iter()
            .flat_map(|(names, _)| names.iter().copied())
            .collect();
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), count, "a function is listed by two families");
        for lenient in [
            "try",
            "jsonencode",
            "coalesce",
            "file",
            "templatefile",
            "fileexists",
        ] {
            assert!(!all.contains(&lenient), "{lenient}");
        }
    }
}
