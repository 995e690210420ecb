//! The shell inside `RUN`, parsed with tree-sitter-bash. Every word keeps its byte span in the
//! Dockerfile, so a finding points at the exact command word or flag in a multi-line `RUN`.

use crate::parse::dockerfile::{Dockerfile, Form, Instruction};
use crate::source::Span;

/// One word of a command, unquoted (best effort: quotes removed, expansions kept as written).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Word {
    pub text: String,
    pub span: Span,
}

/// A simple command: its name is `words[0]`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Command {
    pub words: Vec<Word>,
    pub span: Span,
}

impl Command {
    pub(crate) fn name(&self) -> &str {
        self.words.first().map(|w| w.text.as_str()).unwrap_or("")
    }

    /// The program actually run: the name, or what `sudo`/`env`/`exec`/`time` run.
    pub(crate) fn program(&self) -> Option<&Word> {
        let mut words = self.words.iter();
        let mut w = words.next()?;
        while matches!(
            basename(&w.text),
            "sudo" | "env" | "exec" | "time" | "nice" | "command"
        ) {
            // Skip the wrapper's options and `VAR=value` assignments.
            w = words.find(|x| !x.text.starts_with('-') && !x.text.contains('='))?;
        }
        Some(w)
    }

    pub(crate) fn args(&self) -> &[Word] {
        self.words.get(1..).unwrap_or(&[])
    }
}

/// The last path component: `/usr/bin/curl` → `curl`.
pub(crate) fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// The commands of one `RUN`, and its pipelines (indices into `commands`, in order).
#[derive(Clone, Debug, Default)]
pub(crate) struct Script {
    pub commands: Vec<Command>,
    pub pipelines: Vec<Vec<usize>>,
}

/// Parse the shell of a `RUN` (shell form or heredoc). `None` for the exec (JSON) form and for
/// non-POSIX shells (a `SHELL` to PowerShell or cmd, or the backtick escape of Windows images).
pub(crate) fn parse_run(text: &str, df: &Dockerfile, ins: &Instruction) -> Option<Script> {
    if ins.keyword != "RUN" || ins.form != Form::Shell || df.escape != '\\' || !posix_shell(df, ins)
    {
        return None;
    }
    let args = &text[ins.args_span.start..ins.args_span.end];
    // `RUN <<EOF … EOF`: the heredoc body is the script.
    let (base, script) = if let Some(rest) = args.strip_prefix("<<") {
        let marker: String = rest
            .trim_start_matches('-')
            .trim_matches(|c| c == '"' || c == '\'')
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let body_start = args.find('\n').map(|i| i + 1)?;
        let body = &args[body_start..];
        let end = body
            .lines()
            .scan(0, |off, l| {
                let at = *off;
                *off += l.len() + 1;
                Some((at, l))
            })
            .find(|(_, l)| l.trim() == marker)
            .map(|(at, _)| at)
            .unwrap_or(body.len());
        (ins.args_span.start + body_start, &body[..end])
    } else {
        (ins.args_span.start, args)
    };
    Some(parse_script(script, base, args.starts_with("<<")))
}

/// Is the stage's shell POSIX (no `SHELL` switching to PowerShell or cmd before `ins`)?
fn posix_shell(df: &Dockerfile, ins: &Instruction) -> bool {
    if ins.stage.is_none() {
        return true;
    }
    let shell = ins.shell.and_then(|i| df.instructions.get(i));
    match shell.and_then(|s| s.json_args.first()) {
        Some((program, _)) => {
            let p = basename(&program.replace('\\', "/")).to_ascii_lowercase();
            !(p.starts_with("powershell") || p.starts_with("pwsh") || p.starts_with("cmd"))
        }
        None => true,
    }
}

/// Parse shell text that starts at byte `base` of the Dockerfile.
pub(crate) fn parse_script(script: &str, base: usize, heredoc: bool) -> Script {
    // Docker drops comment lines inside a continued instruction, newline included; blank
    // them (same length, so spans hold) so the shell neither reads them nor sees a line end.
    // A heredoc body is a real script: its comments are the shell's.
    let cleaned: String = script
        .split_inclusive('\n')
        .map(|l| {
            if !heredoc && l.trim_start().starts_with('#') {
                " ".repeat(l.len())
            } else {
                l.to_string()
            }
        })
        .collect();
    let mut parser = tree_sitter::Parser::new();
    if parser
        .set_language(&tree_sitter_bash::LANGUAGE.into())
        .is_err()
    {
        return Script::default();
    }
    let Some(tree) = parser.parse(cleaned.as_bytes(), None) else {
        return Script::default();
    };
    let mut script_out = Script::default();
    collect(tree.root_node(), &cleaned, base, &mut script_out, 0);
    script_out
}

fn word_text(node: tree_sitter::Node, src: &str) -> String {
    let raw = &src[node.byte_range()];
    match node.kind() {
        "raw_string" => raw.trim_matches('\'').to_string(),
        "string" => raw.trim_matches('"').to_string(),
        "concatenation" => {
            let mut cursor = node.walk();
            let parts: Vec<String> = node
                .children(&mut cursor)
                .map(|c| word_text(c, src))
                .collect();
            parts.concat()
        }
        _ => raw.to_string(),
    }
}

fn command_of(node: tree_sitter::Node, src: &str, base: usize) -> Command {
    let mut words = Vec::new();
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        let target = if child.kind() == "command_name" {
            child.child(0).unwrap_or(child)
        } else {
            child
        };
        if matches!(
            target.kind(),
            "word"
                | "string"
                | "raw_string"
                | "concatenation"
                | "number"
                | "simple_expansion"
                | "expansion"
        ) {
            words.push(Word {
                text: word_text(target, src),
                span: Span::new(base + target.start_byte(), base + target.end_byte()),
            });
        }
    }
    Command {
        words,
        span: Span::new(base + node.start_byte(), base + node.end_byte()),
    }
}

fn collect(node: tree_sitter::Node, src: &str, base: usize, out: &mut Script, depth: usize) {
    if depth > 200 {
        return;
    }
    match node.kind() {
        "command" => {
            out.commands.push(command_of(node, src, base));
            // Command substitutions inside the arguments: `$(curl …)`.
            let mut cursor = node.walk();
            for child in node.children(&mut cursor) {
                collect(child, src, base, out, depth + 1);
            }
        }
        "pipeline" => {
            let mut members = Vec::new();
            let mut cursor = node.walk();
            for child in node.children(&mut cursor) {
                let before = out.commands.len();
                collect(child, src, base, out, depth + 1);
                if out.commands.len() > before {
                    members.push(before);
                }
            }
            if members.len() > 1 {
                out.pipelines.push(members);
            }
        }
        _ => {
            let mut cursor = node.walk();
            for child in node.children(&mut cursor) {
                collect(child, src, base, out, depth + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::dockerfile::parse;

    fn run_scripts(text: &str) -> Vec<Script> {
        let df = parse(text);
        df.instructions
            .iter()
            .filter_map(|i| parse_run(text, &df, i))
            .collect()
    }

    #[test]
    fn words_keep_dockerfile_offsets_across_continuations() {
        let text = "FROM alpine:3.20\nRUN apk add --no-cache curl \\\n# a comment Docker drops\n    && curl -fsSL 'https://x.example/i.sh' | sh -s -- --yes\n";
        let scripts = run_scripts(text);
        let s = &scripts[0];
        let names: Vec<&str> = s.commands.iter().map(|c| c.name()).collect();
        assert_eq!(names, ["apk", "curl", "sh"]);
        let sh = &s.commands[2].words[0];
        assert_eq!(&text[sh.span.start..sh.span.end], "sh");
        let url = &s.commands[1].words[2];
        assert_eq!(url.text, "https://x.example/i.sh");
        assert_eq!(
            &text[url.span.start..url.span.end],
            "'https://x.example/i.sh'"
        );
        assert_eq!(s.pipelines, vec![vec![1, 2]]);
    }

    #[test]
    fn heredocs_substitutions_and_wrappers() {
        let text = "FROM alpine:3.20\nRUN <<EOF\nset -e\nsudo -E bash -c \"$(wget -qO- https://x.example/a)\"\nEOF\n";
        let s = &run_scripts(text)[0];
        let names: Vec<&str> = s.commands.iter().map(|c| c.name()).collect();
        assert_eq!(names, ["set", "sudo", "wget"]);
        assert_eq!(s.commands[1].program().unwrap().text, "bash");
        let wget = &s.commands[2].words[0];
        assert_eq!(&text[wget.span.start..wget.span.end], "wget");
    }

    #[test]
    fn exec_form_and_powershell_are_not_parsed() {
        let text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nRUN Invoke-WebRequest x | iex\nRUN [\"cmd\", \"/c\", \"dir\"]\n";
        assert!(run_scripts(text).is_empty());
    }

    #[test]
    fn comment_lines_after_an_empty_continuation_do_not_end_the_command() {
        let text = "FROM debian:bookworm-slim\nRUN ./configure \\\n\t\t--with-a \\\n\t\t\\\n# why b\n\t\t--with-b \\\n\t; \\\n\trm -rf /var/lib/apt/lists/*\n";
        let s = &run_scripts(text)[0];
        let names: Vec<&str> = s.commands.iter().map(|c| c.name()).collect();
        assert_eq!(names, ["./configure", "rm"], "{text}");
        assert_eq!(s.commands[0].words.len(), 3);
    }
}
