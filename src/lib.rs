//! rampart: a security linter for Terraform, Dockerfiles and Kubernetes manifests.

// A `pub` item must be reachable from the crate root: the rest is `pub(crate)`.
#![warn(unreachable_pub)]

pub(crate) mod baseline;
pub mod config;
pub(crate) mod edit;
pub mod fix;
pub mod fixer;
/// The fuzz targets' entry points (`fuzz/`), built for them with the `fuzzing` feature.
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzz;
pub(crate) mod gitindex;
pub(crate) mod image;
pub(crate) mod k8s;
pub(crate) mod model;
pub(crate) mod parse;
pub(crate) mod render;
pub mod rule;
pub(crate) mod shell;
pub mod source;
pub(crate) mod suggest;
pub(crate) mod suppress;
pub(crate) mod terraform;
pub(crate) mod text;

pub mod cli;
pub(crate) mod compliance;
pub mod docs;
pub mod engine;
pub mod lint;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod merge;
pub mod report;
#[path = "../rules/mod.rs"]
pub mod rules;

/// The limits a scan keeps to, whatever it reads (docs/security.md).
pub mod limits {
    pub use crate::k8s::MAX_CONTAINERS;
    pub use crate::merge::MAX_PART_SIZE;
}

/// Rule files: users' rules in YAML with CEL conditions (docs/policy.md).
pub(crate) use rules::policy::rule as policy;
