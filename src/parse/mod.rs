//! Parsers: text into the spanned model.

pub(crate) mod dockerfile;
pub(crate) mod terraform;
pub(crate) mod terraform_json;
mod terraform_repair;
pub(crate) mod yaml;
