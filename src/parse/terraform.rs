//! Terraform (`.tf`, `.tfvars`) into an HCL body with byte spans (hcl-edit).

use hcl_edit::structure::Body;

use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct TfError {
    pub message: String,
    pub span: Span,
}

/// A parsed file. hcl-edit does not skip a byte-order mark, so the body is parsed from the text
/// after it and `base` is added to every span the body reports.
#[derive(Clone, Debug)]
pub struct TfFile {
    pub body: Body,
    pub base: usize,
}

/// Parse one file. On error the location is exact; nothing of the file is kept.
pub fn parse(text: &str) -> Result<TfFile, TfError> {
    let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    match hcl_edit::parser::parse_body(&text[base..]) {
        Ok(body) => Ok(TfFile { body, base }),
        Err(e) => {
            // The parser may point inside a multi-byte character: move to its start.
            let mut at = (e.location().offset() + base).min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let end = text[at..]
                .chars()
                .next()
                .map(|c| at + c.len_utf8())
                .unwrap_or(at);
            Err(TfError {
                message: e.message().to_string(),
                span: Span::new(at, end),
            })
        }
    }
}
