//! Parsers: text into the spanned model.

pub mod dockerfile;
pub mod terraform;
pub mod terraform_json;
mod terraform_repair;
pub mod yaml;
