#[path = "../common/mod.rs"]
mod common;

mod eval_budget;
