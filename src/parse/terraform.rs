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

/// How long the HCL parser may take on one file: 5 s, and a second more per 256 KiB. It
/// backtracks on some malformed expressions (nested parentheses after negative numbers): a
/// kilobyte of them can take minutes, while a large file is just long.
pub fn parse_deadline(len: usize) -> std::time::Duration {
    std::time::Duration::from_secs(5 + (len >> 18) as u64)
}

type Job = (String, std::sync::mpsc::Sender<Result<TfFile, TfError>>);

thread_local! {
    /// This thread's parser helper: a thread that parses the texts it is sent, so that a
    /// parse can be given up without stopping the caller.
    static HELPER: std::cell::RefCell<Option<std::sync::mpsc::Sender<Job>>> =
        const { std::cell::RefCell::new(None) };
}

fn start_helper() -> Option<std::sync::mpsc::Sender<Job>> {
    let (tx, rx) = std::sync::mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("hcl-parse".into())
        .stack_size(16 << 20)
        .spawn(move || {
            // Ends when the caller drops its sender (it gave up on a parse, or exited).
            for (text, reply) in rx {
                let _ = reply.send(parse_now(&text));
            }
        })
        .ok()?;
    Some(tx)
}

/// Parse one file. On error the location is exact; nothing of the file is kept. The parse runs
/// on a helper thread and is given up after [`parse_deadline`]: the helper is then left to
/// finish on its own (a command-line run ends it on exit) and the next parse gets a new one.
pub fn parse(text: &str) -> Result<TfFile, TfError> {
    // Small files cannot take long.
    if text.len() < 256 {
        return parse_now(text);
    }
    let helper = HELPER.with(|h| {
        let mut h = h.borrow_mut();
        if h.is_none() {
            *h = start_helper();
        }
        h.clone()
    });
    let Some(helper) = helper else {
        return parse_now(text);
    };
    let (reply, answer) = std::sync::mpsc::channel();
    if helper.send((text.to_string(), reply)).is_err() {
        HELPER.with(|h| *h.borrow_mut() = None);
        return parse_now(text);
    }
    let deadline = parse_deadline(text.len());
    match answer.recv_timeout(deadline) {
        Ok(result) => result,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            HELPER.with(|h| *h.borrow_mut() = None);
            Err(TfError {
                message: format!(
                    "the HCL parser did not finish within {} s (an expression it backtracks on); the file was not checked",
                    deadline.as_secs()
                ),
                span: Span::new(0, text.chars().next().map_or(0, char::len_utf8)),
            })
        }
        // The helper panicked: parse here so the panic reaches the caller's guard.
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            HELPER.with(|h| *h.borrow_mut() = None);
            parse_now(text)
        }
    }
}

fn parse_now(text: &str) -> Result<TfFile, TfError> {
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
