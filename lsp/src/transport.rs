//! JSON-RPC over stdio: `Content-Length` framing, decoding, and the answers to messages that
//! cannot be served. A bad message is answered as JSON-RPC says (parse error -32700 with id
//! null for a body that is not JSON, invalid request -32600 for JSON that is not a message)
//! and the connection goes on with the next one. A lone UTF-16 surrogate escape (`"\ud83d"`,
//! which JavaScript clients can send) is decoded as U+FFFD, and invalid UTF-8 likewise.

use std::borrow::Cow;
use std::io::{self, BufRead, Read, Write};
use std::thread;

use crossbeam_channel::{bounded, never, select, Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message};
use lsp_types::notification::{Exit, Notification as _};
use serde_json::{json, Value};

/// The longest header line read; a longer one is a framing error.
const MAX_HEADER_LINE: u64 = 8 * 1024;
/// The largest message body read; a larger one is answered with an error and skipped.
const MAX_BODY: usize = 256 * 1024 * 1024;

/// The reader and writer threads of a stdio connection.
pub struct IoThreads {
    reader: thread::JoinHandle<io::Result<()>>,
    writer: thread::JoinHandle<io::Result<()>>,
}

impl IoThreads {
    pub fn join(self) -> io::Result<()> {
        let reader = self
            .reader
            .join()
            .map_err(|_| io::Error::other("reader panicked"))?;
        let writer = self
            .writer
            .join()
            .map_err(|_| io::Error::other("writer panicked"))?;
        reader.and(writer)
    }
}

/// A connection on stdin/stdout.
pub fn stdio() -> io::Result<(Connection, IoThreads)> {
    let (to_client, outgoing) = bounded::<Message>(0);
    let (errors_out, errors) = bounded::<Value>(16);
    let (incoming, from_client) = bounded::<Message>(0);
    let writer = thread::Builder::new()
        .name("rampart-lsp-writer".into())
        .spawn(move || write_loop(&mut io::stdout().lock(), outgoing, errors))?;
    let reader = thread::Builder::new()
        .name("rampart-lsp-reader".into())
        .spawn(move || read_loop(&mut io::stdin().lock(), incoming, errors_out))?;
    Ok((
        Connection {
            sender: to_client,
            receiver: from_client,
        },
        IoThreads { reader, writer },
    ))
}

/// Write the server's messages and the reader's error answers until the server is done.
pub fn write_loop(
    out: &mut impl Write,
    messages: Receiver<Message>,
    errors: Receiver<Value>,
) -> io::Result<()> {
    let mut errors = errors;
    loop {
        select! {
            recv(messages) -> m => match m {
                Ok(m) => m.write(out)?,
                Err(_) => return Ok(()),
            },
            recv(errors) -> e => match e {
                Ok(e) => write_frame(out, &e.to_string())?,
                // The reader is done; only the server writes now.
                Err(_) => errors = never(),
            },
        }
    }
}

fn write_frame(out: &mut impl Write, body: &str) -> io::Result<()> {
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

/// Read messages until end of input or `exit`; answer the ones that cannot be served.
pub fn read_loop(
    input: &mut impl BufRead,
    messages: Sender<Message>,
    errors: Sender<Value>,
) -> io::Result<()> {
    loop {
        let message = match read_frame(input)? {
            Frame::End => return Ok(()),
            Frame::Bad(why) => Err(error(Value::Null, ErrorCode::ParseError, &why)),
            Frame::TooLarge(length) => {
                let why =
                    format!("a message of {length} bytes is larger than the {MAX_BODY} bytes read");
                if errors
                    .send(error(Value::Null, ErrorCode::ParseError, &why))
                    .is_err()
                {
                    return Ok(());
                }
                let skipped = io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
                if skipped < length as u64 {
                    return Ok(());
                }
                continue;
            }
            Frame::Body(body) => decode(&body),
        };
        match message {
            Ok(Some(m)) => {
                let exit = matches!(&m, Message::Notification(n) if n.method == Exit::METHOD);
                if messages.send(m).is_err() || exit {
                    return Ok(());
                }
            }
            Ok(None) => {}
            Err(answer) => {
                if errors.send(answer).is_err() {
                    return Ok(());
                }
            }
        }
    }
}

/// An error response.
fn error(id: Value, code: ErrorCode, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code as i32, "message": message}})
}

enum Frame {
    Body(Vec<u8>),
    /// A header block that says nothing usable; the bytes of its message (if any) are read as
    /// the headers of the next one until a good header block comes.
    Bad(String),
    /// A body longer than [`MAX_BODY`]: answered, then skipped.
    TooLarge(usize),
    End,
}

/// One header line, without its line break; `None` at end of input.
fn header_line(input: &mut impl BufRead) -> io::Result<Option<Result<String, String>>> {
    let mut line = Vec::new();
    let n = input
        .by_ref()
        .take(MAX_HEADER_LINE)
        .read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') {
        if n as u64 == MAX_HEADER_LINE {
            // Skip the rest of the line.
            let mut rest = Vec::new();
            input.read_until(b'\n', &mut rest)?;
            return Ok(Some(Err("a header line is too long".into())));
        }
        return Ok(None);
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(Ok(String::from_utf8_lossy(&line).into_owned())))
}

fn read_frame(input: &mut impl BufRead) -> io::Result<Frame> {
    let mut length: Option<Result<usize, String>> = None;
    let mut bad: Option<String> = None;
    let mut any = false;
    loop {
        let line = match header_line(input)? {
            None => return Ok(Frame::End),
            Some(Err(why)) => {
                bad.get_or_insert(why);
                any = true;
                continue;
            }
            Some(Ok(line)) => line,
        };
        if line.is_empty() {
            if !any {
                // Blank lines between messages.
                continue;
            }
            break;
        }
        any = true;
        match line.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                length =
                    Some(value.trim().parse::<usize>().map_err(|_| {
                        format!("the Content-Length {:?} is not a number", value.trim())
                    }));
            }
            Some(_) => {}
            None => {
                bad.get_or_insert_with(|| "a header line has no `:`".into());
            }
        }
    }
    if let Some(why) = bad {
        return Ok(Frame::Bad(why));
    }
    let length = match length {
        None => return Ok(Frame::Bad("a message has no Content-Length header".into())),
        Some(Err(why)) => return Ok(Frame::Bad(why)),
        Some(Ok(n)) => n,
    };
    if length > MAX_BODY {
        return Ok(Frame::TooLarge(length));
    }
    let mut body = Vec::new();
    input.by_ref().take(length as u64).read_to_end(&mut body)?;
    if body.len() < length {
        return Ok(Frame::End);
    }
    Ok(Frame::Body(body))
}

/// A message from a body: `Ok(None)` for a response that cannot be matched (nothing to answer),
/// `Err` with the error response to send.
fn decode(body: &[u8]) -> Result<Option<Message>, Value> {
    let text = String::from_utf8_lossy(body);
    let text = replace_lone_surrogates(&text);
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        error(
            Value::Null,
            ErrorCode::ParseError,
            &format!("the message is not JSON: {e}"),
        )
    })?;
    let Value::Object(obj) = &value else {
        return Err(error(
            Value::Null,
            ErrorCode::InvalidRequest,
            "a message must be a JSON object",
        ));
    };
    let id = obj.get("id").cloned().unwrap_or(Value::Null);
    // The id to answer with: a request's id when it is one JSON-RPC allows.
    let answer_id = match &id {
        Value::Number(_) | Value::String(_) => id.clone(),
        _ => Value::Null,
    };
    let has_method = obj.contains_key("method");
    if !has_method && !id.is_null() && (obj.contains_key("result") || obj.contains_key("error")) {
        // A response to one of the server's requests; one it cannot read is dropped.
        return Ok(serde_json::from_value(value).ok());
    }
    let invalid = |why: &str| error(answer_id.clone(), ErrorCode::InvalidRequest, why);
    match obj.get("method") {
        Some(Value::String(_)) => {}
        Some(_) => return Err(invalid("`method` must be a string")),
        None => return Err(invalid("a request must have a `method`")),
    }
    let id_ok = match &id {
        Value::Null | Value::String(_) => true,
        Value::Number(n) => n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()),
        _ => false,
    };
    if !id_ok {
        return Err(invalid("`id` must be a string or a 32-bit integer"));
    }
    if matches!(obj.get("params"), Some(p) if !p.is_object() && !p.is_array() && !p.is_null()) {
        return Err(invalid("`params` must be an object or an array"));
    }
    match serde_json::from_value::<Message>(value) {
        Ok(m) => Ok(Some(m)),
        Err(e) => Err(invalid(&format!("the message cannot be read: {e}"))),
    }
}

/// JSON text with every `\uD800`–`\uDFFF` escape that is not half of a surrogate pair written
/// `\uFFFD`, so that it decodes (as U+FFFD) instead of failing.
pub fn replace_lone_surrogates(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let unit = |at: usize| -> Option<u16> {
        if bytes.get(at) != Some(&b'\\') || bytes.get(at + 1) != Some(&b'u') {
            return None;
        }
        let hex = text.get(at + 2..at + 6)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u16::from_str_radix(hex, 16).ok()
    };
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(u) = unit(i) else {
            // Another escape (`\\`, `\"`, `\n`…): its second character is not a backslash
            // that starts an escape.
            i += 2;
            continue;
        };
        match u {
            0xD800..=0xDBFF if matches!(unit(i + 6), Some(0xDC00..=0xDFFF)) => i += 12,
            0xD800..=0xDFFF => {
                let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
                o.push_str(&text[copied..i]);
                o.push_str("\\uFFFD");
                i += 6;
                copied = i;
            }
            _ => i += 6,
        }
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[copied..]);
            Cow::Owned(o)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let cases = [
            (r#""\ud83d""#, "\u{fffd}"),
            (r#""\ud83d\ude00""#, "😀"),
            (r#""a\udc00b""#, "a\u{fffd}b"),
            (r#""\ud83d\ud83d\ude00""#, "\u{fffd}😀"),
            (r#""\ud83dx\u0041""#, "\u{fffd}xA"),
            (r#""\\ud83d""#, "\\ud83d"),
            (r#""\\\ud83d""#, "\\\u{fffd}"),
            (r#""\ud83d"#, ""),
        ];
        for (json, want) in cases {
            let fixed = replace_lone_surrogates(json);
            match serde_json::from_str::<String>(&fixed) {
                Ok(s) => assert_eq!(s, want, "{json}"),
                Err(_) => assert_eq!(want, "", "{json} -> {fixed}"),
            }
        }
        assert!(matches!(
            replace_lone_surrogates(r#"{"a":"\u00e9\ud83d\ude00"}"#),
            Cow::Borrowed(_)
        ));
    }

    fn answers(input: &[u8]) -> (Vec<Message>, Vec<Value>) {
        let (ms, mr) = crossbeam_channel::unbounded();
        let (es, er) = crossbeam_channel::unbounded();
        read_loop(&mut io::Cursor::new(input.to_vec()), ms, es).unwrap();
        (mr.try_iter().collect(), er.try_iter().collect())
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn bad_messages_are_answered_and_reading_goes_on() {
        let ok = r#"{"jsonrpc":"2.0","id":9,"method":"shutdown"}"#;
        let bad = [
            (frame("{not json"), json!(null), -32700),
            (
                frame(r#"{"jsonrpc":"2.0","id":1,"method":"x","params":"#),
                json!(null),
                -32700,
            ),
            (frame("[1,2]"), json!(null), -32600),
            (frame("42"), json!(null), -32600),
            (frame(r#"{"jsonrpc":"2.0","id":3}"#), json!(3), -32600),
            (
                frame(r#"{"jsonrpc":"2.0","id":"a","method":7}"#),
                json!("a"),
                -32600,
            ),
            (
                frame(r#"{"jsonrpc":"2.0","id":[1],"method":"x"}"#),
                json!(null),
                -32600,
            ),
            (
                frame(r#"{"jsonrpc":"2.0","id":4,"method":"x","params":5}"#),
                json!(4),
                -32600,
            ),
            (
                frame(r#"{"jsonrpc":"2.0","id":1e20,"method":"x"}"#),
                json!(1e20),
                -32600,
            ),
            ("Content-Type: x\r\n\r\n".to_string(), json!(null), -32700),
            (
                "Content-Length: ten\r\n\r\n".to_string(),
                json!(null),
                -32700,
            ),
            (
                format!("Content-Length: {}\r\n\r\n", usize::MAX),
                json!(null),
                -32700,
            ),
        ];
        for (input, id, code) in bad {
            let all = format!("{input}{}", frame(ok));
            let (messages, errors) = answers(all.as_bytes());
            assert_eq!(errors.len(), 1, "{input:?}: {errors:?}");
            assert_eq!(errors[0]["id"], id, "{input:?}");
            assert_eq!(errors[0]["error"]["code"], code, "{input:?}");
            if !input.contains(&usize::MAX.to_string()) {
                assert_eq!(messages.len(), 1, "{input:?}");
            }
        }
        // Invalid UTF-8 and a lone surrogate are decoded, not refused.
        let mut body = br#"{"jsonrpc":"2.0","method":"n","params":{"t":"\ud83d "#.to_vec();
        body.extend_from_slice(b"\xff\"}}");
        let mut input = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        input.extend_from_slice(&body);
        let (messages, errors) = answers(&input);
        assert!(errors.is_empty(), "{errors:?}");
        match &messages[..] {
            [Message::Notification(n)] => assert_eq!(n.params["t"], "\u{fffd} \u{fffd}"),
            other => panic!("{other:?}"),
        }
    }
}
