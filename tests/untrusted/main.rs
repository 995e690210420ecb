//! Hostile input aimed at the reader of rampart's output, at `rampart merge` and at the
//! language server.

mod output_escaping;
