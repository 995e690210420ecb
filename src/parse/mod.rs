//! Parsers: text into the spanned model.

pub(crate) mod dockerfile;
pub(crate) mod terraform;
pub(crate) mod terraform_json;
pub(crate) mod yaml;
