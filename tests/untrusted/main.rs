#[path = "../common/mod.rs"]
mod common;

mod fix_integrity;
