//! Terraform (`.tf`, `.tfvars`) into an HCL body with byte spans (hcl-edit); JSON variable
//! files (`.tfvars.json`) into their assignments.

use hcl_edit::structure::Body;

use crate::model::{Node, Value};
use crate::parse::terraform_json::{json_error, json_node};
use crate::parse::yaml;
use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TfError {
    pub message: String,
    pub span: Span,
}

/// A parsed file. hcl-edit does not skip a byte-order mark, so the body is parsed from the text
/// after it and `base` is added to every span the body reports.
#[derive(Clone, Debug)]
pub(crate) struct TfFile {
    pub body: Body,
    pub base: usize,
    /// A JSON variables file (`*.tfvars.json`): its assignments in order, with the span of
    /// each name. The body is then empty.
    pub json_vars: Option<Vec<(String, Span, Node)>>,
    /// A JSON configuration file (`*.tf.json`): the body was parsed from HCL written for it,
    /// and its spans go back to the JSON through this map.
    pub json_map: Option<std::sync::Arc<super::terraform_json::SpanMap>>,
}

impl TfFile {
    /// A span the body reports, in the file's own text.
    pub(crate) fn place(&self, span: Span) -> Span {
        match &self.json_map {
            Some(map) => map.map(span),
            None => span,
        }
    }
}

/// Parse a file of a module by its name: `*.tfvars.json` as JSON, anything else as HCL.
pub(crate) fn parse_named(path: &std::path::Path, text: &str) -> Result<TfFile, TfError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".tfvars.json") {
        parse_json_vars(text)
    } else if name.ends_with(".tf.json") {
        parse_json_config(text)
    } else {
        parse(text)
    }
}

/// A JSON configuration file, read as the native HCL it stands for.
pub(crate) fn parse_json_config(text: &str) -> Result<TfFile, TfError> {
    let error = |message: String, span: Span| TfError { message, span };
    let root = super::terraform_json::parse_json(text).map_err(|(m, s)| error(m, s))?;
    let whole = Span::new(0, text.len());
    let Some((hcl, map)) = super::terraform_json::to_hcl(&root, whole) else {
        return Err(error(
            "Terraform JSON: the file must be one object of block types (`resource`, `variable`, …), nested no deeper than 64 levels".into(),
            Span::new(0, text.len().min(1)),
        ));
    };
    match parse(&hcl) {
        Ok(f) => Ok(TfFile {
            json_map: Some(std::sync::Arc::new(map)),
            ..f
        }),
        Err(e) => Err(error(
            format!(
                "Terraform JSON: cannot be read as configuration ({})",
                e.message
            ),
            map.map(e.span),
        )),
    }
}

/// A JSON variables file: one object whose members are the variables. Values are taken
/// literally (JSON variable files hold no expressions).
fn parse_json_vars(text: &str) -> Result<TfFile, TfError> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let checked = serde_json::from_str::<serde_json::Value>(&text[start..]).map_err(|e| {
        let (message, span) = json_error(text, start, &e, "JSON variables file");
        TfError { message, span }
    })?;
    let whole = Span::new(start, text.len());
    let serde_json::Value::Object(members) = &checked else {
        return Err(TfError {
            message: "a JSON variables file must be one object of variable values".into(),
            span: Span::new(start, text.len().min(start + 1)),
        });
    };
    // Spans come from the YAML parser (JSON is YAML); should it refuse something JSON allows,
    // the values are kept with the whole file as their place.
    let (docs, error) = yaml::parse_stream(text, yaml::Limits::default());
    let vars = match docs.first().map(|d| &d.root.value) {
        Some(Value::Map(entries)) if error.is_none() && entries.len() == members.len() => entries
            .iter()
            .map(|e| (e.key.clone(), e.key_span, e.value.clone()))
            .collect(),
        _ => members
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), whole, json_node(v, whole)?)))
            .collect(),
    };
    Ok(TfFile {
        body: Body::default(),
        base: start,
        json_vars: Some(vars),
        json_map: None,
    })
}

/// How long the HCL parser may take on one file: 5 s, and a second more per 256 KiB. It
/// backtracks on some malformed expressions (nested parentheses after negative numbers): a
/// kilobyte of them can take minutes, while a large file is just long.
fn parse_deadline(len: usize) -> std::time::Duration {
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
pub(crate) fn parse(text: &str) -> Result<TfFile, TfError> {
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
    let parsed = hcl_edit::parser::parse_body(&text[base..]).or_else(|e| {
        super::terraform_repair::repair(&text[base..], e.location().offset(), e.message()).ok_or(e)
    });
    match parsed {
        Ok(body) => Ok(TfFile {
            body,
            base,
            json_vars: None,
            json_map: None,
        }),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_variables_keep_their_places() {
        let text = "\u{feff}{\n  \"region\": \"eu-west-1\",\n  \"cidrs\": [\"10.0.0.0/8\"]\n}\n";
        let f = parse_named(std::path::Path::new("x/prod.tfvars.json"), text).unwrap();
        let vars = f.json_vars.unwrap();
        let names: Vec<_> = vars
            .iter()
            .map(|(n, s, _)| (n.as_str(), &text[s.start..s.end]))
            .collect();
        assert_eq!(names, [("region", "\"region\""), ("cidrs", "\"cidrs\"")]);
        let (_, _, value) = &vars[0];
        assert_eq!(value.as_str(), Some("eu-west-1"));
        assert_eq!(&text[value.span.start..value.span.end], "\"eu-west-1\"");
    }

    #[test]
    fn json_variables_must_be_one_object() {
        let e = parse_json_vars("[1, 2]").err().unwrap();
        assert!(e.message.contains("one object"), "{}", e.message);
        let e = parse_json_vars("{\"a\": 1,\n \"b\": }").err().unwrap();
        assert_eq!(e.span, Span::new(15, 16));
        // Not JSON variables: HCL.
        assert!(parse_named(std::path::Path::new("prod.tfvars"), "a = 1\n")
            .unwrap()
            .json_vars
            .is_none());
    }
}
