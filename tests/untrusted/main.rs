#[path = "../common/mod.rs"]
mod common;

mod fix_integrity;
mod render_sandbox;
mod special_files;
mod terraform_boundary;
