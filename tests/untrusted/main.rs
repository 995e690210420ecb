#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]
#[path = "../common/mod.rs"]
mod common;

mod eval_budget;
mod fix_integrity;
mod large_inputs;
mod lsp_messages;
mod merge_parts;
mod output_escaping;
mod render_sandbox;
mod special_files;
mod terraform_boundary;
