#[path = "../common/mod.rs"]
mod common;

mod render_sandbox;
mod terraform_boundary;
