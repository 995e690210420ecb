//! Hostile input aimed at the reader of rampart's output, at `rampart merge` and at the
//! language server.

mod lsp_messages;
mod merge_parts;
mod output_escaping;
