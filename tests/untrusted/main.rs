mod lsp_messages;
mod merge_parts;
mod output_escaping;
