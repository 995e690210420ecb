//! Terraform module evaluation: a module is all `.tf` and `.tf.json` files of one directory.
//! Variables (defaults, `terraform.tfvars`, `*.auto.tfvars`, their `.json` forms), locals,
//! string templates, heredocs, conditionals and common functions are resolved; anything else
//! stays `Unknown`, and a reference to another object stays a `Ref` so resources can be joined.
//! A template with unknown interpolations keeps its known ends as a `Partial` string
//! (`"serviceAccount:${google_service_account.x.email}"`): unknown to every rule that reads
//! values (`as_str` is `None`, `is_unknown` is true), while rules that judge a member type, a
//! principal or an ARN by its prefix or suffix ask `Node::starts_with`, `ends_with` or
//! `known_parts`; comparing one (`==`) is unknown unless the known parts already differ.
//!
//! - `module.rs`: a module being evaluated, what it is given ([`Inputs`]) and its scopes.
//! - `blocks.rs`: blocks into resources, with `count`, `for_each` and `dynamic` instances.
//! - `eval.rs`: expressions; `reference.rs`: references; `iterate.rs`: `for` expressions.
//! - `functions/`: the function library, one file per family.
//! - `tfvars.rs`: variable files and `--var` values; `budget.rs`: what one evaluation may do.
//! - `attrs.rs`: reading evaluated bodies (used by the rules and the joins).

pub(crate) mod attrs;
mod blocks;
mod budget;
mod eval;
mod functions;
mod iterate;
pub(crate) mod join;
mod module;
pub(crate) mod modules;
mod reference;
mod tfvars;

pub(crate) use budget::Budget;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use budget::NODE_COST;
pub(crate) use budget::{Exhausted, Limit};
pub(crate) use budget::{MAX_BUILT, MAX_STEPS};
pub(crate) use functions::base64_decode;
pub(crate) use module::NOT_INSTANTIATED;
pub(crate) use module::{Inputs, Module, ModuleFile};
pub(crate) use tfvars::{cli_value, tfvars_values};

pub(crate) use crate::parse::terraform_json::json_node;

use hcl_edit::structure::Block;
use hcl_edit::Span as _;

use crate::source::Span;

/// Expressions nested deeper than this are unknown.
const MAX_DEPTH: usize = 64;

/// A `for` expression over more elements than this stays unknown (and `range`, `regexall`
/// build no more).
const MAX_ITEMS: usize = 10_000;

/// A span hcl-edit reports for a body parsed with offset `base`, in the file's text.
fn range(r: Option<std::ops::Range<usize>>, base: usize) -> Span {
    r.map(|r| Span::new(r.start + base, r.end + base))
        .unwrap_or_default()
}

fn span_of(block: &Block, base: usize) -> Span {
    range(block.span(), base)
}

#[cfg(test)]
mod tests;
