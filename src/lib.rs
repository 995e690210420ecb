//! rampart: a security linter for Terraform, Dockerfiles and Kubernetes manifests.

// A `pub` item must be reachable from the crate root: the rest is `pub(crate)`.
#![warn(unreachable_pub)]

pub mod baseline;
pub mod config;
pub(crate) mod edit;
pub mod fix;
pub mod fixer;
pub mod fuzz;
pub(crate) mod gitindex;
pub(crate) mod image;
pub mod k8s;
pub mod model;
pub mod parse;

pub mod render;
pub mod rule;
pub(crate) mod shell;
pub mod source;
pub(crate) mod suggest;
pub(crate) mod suppress;
pub mod terraform;
pub mod text;

pub mod docs;
pub mod engine;
pub mod lint;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod merge;
pub mod report;
#[path = "../rules/mod.rs"]
pub mod rules;
/// Rule files: users' rules in YAML with CEL conditions (docs/policy.md).
pub use rules::policy::rule as policy;
