//! Hostile input, one module per kind of attack.

#[path = "../common/mod.rs"]
mod common;

mod eval_budget;
