//! rampart: a security linter for Terraform, Dockerfiles and Kubernetes manifests.

pub mod baseline;
pub mod config;
pub mod edit;
pub mod fix;
pub mod fixer;
pub mod fuzz;
pub mod gitindex;
pub mod image;
pub mod k8s;
pub mod model;
pub mod parse;
pub mod render;
pub mod rule;
pub mod shell;
pub mod source;
pub mod suggest;
pub mod suppress;
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
