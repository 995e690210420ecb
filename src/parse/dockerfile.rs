//! Dockerfiles and Containerfiles into instructions and stages, with byte spans.
//!
//! Syntax comes from tree-sitter-containerfile (continuations, heredocs, JSON and shell forms);
//! parser directives arrive as comments and are read here.

use std::collections::HashMap;

use crate::source::Span;

mod quoted;
mod substitute;

pub(crate) use quoted::shell_words;
use quoted::{quoted_instruction, quoted_lines};
pub(crate) use substitute::substitute;
use substitute::unquote;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    Shell,
    Json,
    None,
}

#[derive(Clone, Debug)]
pub(crate) struct Flag {
    pub name: String,
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub(crate) struct Instruction {
    /// Upper-case keyword: `FROM`, `RUN`…
    pub keyword: String,
    pub keyword_span: Span,
    /// The whole instruction, continuations and heredoc bodies included.
    pub span: Span,
    /// Everything after the keyword and its flags.
    pub args_span: Span,
    pub flags: Vec<Flag>,
    pub form: Form,
    /// Arguments of the JSON form, unquoted, with the span of each string.
    pub json_args: Vec<(String, Span)>,
    /// `USER name[:group]`: the user and its span.
    pub user: Option<(String, Span)>,
    /// Stage index the instruction belongs to; `None` before the first `FROM`.
    pub stage: Option<usize>,
    /// The last `SHELL` instruction of the stage before this one (an index into
    /// [`Dockerfile::instructions`]).
    pub shell: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Base {
    /// An image from a registry, after `ARG` substitution.
    Image(String),
    /// An earlier stage, by index.
    Stage(usize),
    Scratch,
    /// The reference uses an `ARG` that has no default.
    Unknown,
}

#[derive(Clone, Debug)]
pub(crate) struct Stage {
    pub index: usize,
    pub name: Option<(String, Span)>,
    /// Index of the `FROM` instruction.
    pub from: usize,
    /// The image reference as written.
    pub image_text: String,
    pub image_span: Span,
    pub base: Base,
    /// Instruction indices of this stage, `FROM` included.
    pub instructions: std::ops::Range<usize>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub(crate) struct Dockerfile {
    pub escape: char,
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// `ARG` defaults declared before the first `FROM`.
    pub global_args: Vec<(String, Option<String>, Span)>,
    pub errors: Vec<(String, Span)>,
    /// Stage names (lower case) and the first stage of each name.
    stage_names: HashMap<String, usize>,
}

/// How an image from a registry is brought into the build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ImageUseKind {
    /// `FROM image`
    From,
    /// `COPY --from=image`
    CopyFrom,
    /// `RUN --mount=…,from=image`
    MountFrom,
}

impl ImageUseKind {
    /// For messages: "base image", "`COPY --from` image".
    pub(crate) fn describe(self) -> &'static str {
        match self {
            ImageUseKind::From => "base image",
            ImageUseKind::CopyFrom => "`COPY --from` image",
            ImageUseKind::MountFrom => "`RUN --mount` image",
        }
    }
}

/// One registry image the build pulls, after `ARG` substitution.
#[derive(Clone, Debug)]
pub(crate) struct ImageUse {
    pub image: String,
    /// The reference as written.
    pub span: Span,
    pub kind: ImageUseKind,
    pub instruction: usize,
    pub stage: usize,
}

impl Flag {
    /// `key=value` options of a `--mount` flag (`type=secret,id=npmrc`).
    pub(crate) fn options(&self) -> Vec<(&str, &str)> {
        self.value
            .split(',')
            .map(|o| o.split_once('=').unwrap_or((o, "")))
            .collect()
    }

    /// The span of the value after `--name=`.
    pub(crate) fn value_span(&self) -> Span {
        Span::new(self.span.end - self.value.len(), self.span.end)
    }
}

impl Dockerfile {
    /// Every registry image the build pulls: bases, `COPY --from=<image>` and
    /// `RUN --mount=from=<image>` (stage names and indices are not images).
    pub(crate) fn image_uses(&self) -> Vec<ImageUse> {
        let mut out = Vec::new();
        for stage in &self.stages {
            if let Base::Image(image) = &stage.base {
                out.push(ImageUse {
                    image: image.clone(),
                    span: stage.image_span,
                    kind: ImageUseKind::From,
                    instruction: stage.from,
                    stage: stage.index,
                });
            }
            for (offset, ins) in self.stage_instructions(stage).iter().enumerate() {
                let index = stage.instructions.start + offset;
                for flag in &ins.flags {
                    let (value, span, kind) = match (ins.keyword.as_str(), flag.name.as_str()) {
                        ("COPY" | "ADD", "from") => (
                            flag.value.as_str(),
                            flag.value_span(),
                            ImageUseKind::CopyFrom,
                        ),
                        ("RUN", "mount") => {
                            let Some((_, from)) =
                                flag.options().into_iter().find(|(k, _)| *k == "from")
                            else {
                                continue;
                            };
                            let at = flag.value.find(&format!("from={from}")).unwrap_or(0) + 5;
                            let start = flag.value_span().start + at;
                            (
                                from,
                                Span::new(start, start + from.len()),
                                ImageUseKind::MountFrom,
                            )
                        }
                        _ => continue,
                    };
                    if let Some(image) = self.external_image(value, stage.index) {
                        out.push(ImageUse {
                            image,
                            span,
                            kind,
                            instruction: index,
                            stage: stage.index,
                        });
                    }
                }
            }
        }
        out
    }

    /// A `--from` value that names a registry image rather than an earlier stage.
    fn external_image(&self, value: &str, before: usize) -> Option<String> {
        let value = unquote(value);
        let lower = value.to_ascii_lowercase();
        let is_stage = lower.parse::<usize>().is_ok()
            || self.stage_named(&lower).is_some_and(|i| i < before)
            || lower == "scratch";
        if is_stage || value.is_empty() {
            return None;
        }
        substitute(&value, &self.global_args)
    }

    /// Stages whose layers end up in the final image: the last stage and the stages it is
    /// built `FROM`, transitively. (`COPY --from` copies files, not layers.)
    pub(crate) fn shipped_stages(&self) -> Vec<bool> {
        let mut shipped = vec![false; self.stages.len()];
        let mut next = self.stages.len().checked_sub(1);
        while let Some(i) = next {
            if shipped[i] {
                break;
            }
            shipped[i] = true;
            next = match self.stages[i].base {
                Base::Stage(j) => Some(j),
                _ => None,
            };
        }
        shipped
    }

    /// The first stage named `lower` (stage names are lower case).
    pub(crate) fn stage_named(&self, lower: &str) -> Option<usize> {
        self.stage_names.get(lower).copied()
    }

    pub(crate) fn stage_instructions(&self, stage: &Stage) -> &[Instruction] {
        &self.instructions[stage.instructions.clone()]
    }

    /// Text of an instruction's arguments.
    #[cfg(test)]
    pub(crate) fn args<'t>(&self, text: &'t str, ins: &Instruction) -> &'t str {
        &text[ins.args_span.start..ins.args_span.end]
    }
}

const SHELL_INSTRUCTIONS: &[&str] = &[
    "run_instruction",
    "cmd_instruction",
    "entrypoint_instruction",
    "healthcheck_instruction",
    "shell_instruction",
    "onbuild_instruction",
];

#[allow(
    clippy::expect_used,
    reason = "the grammar is linked at build time: a version mismatch fails every test"
)]
pub(crate) fn parse(text: &str) -> Dockerfile {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_containerfile::LANGUAGE.into())
        .expect("the Containerfile grammar matches the tree-sitter version");
    let escape = escape_directive(text);
    let mut df = Dockerfile {
        escape,
        instructions: Vec::new(),
        stages: Vec::new(),
        global_args: Vec::new(),
        errors: Vec::new(),
        stage_names: HashMap::new(),
    };
    let grammar_input = neutralise_continuation_brackets(text, escape);
    let Some(tree) = parser.parse(grammar_input.as_bytes(), None) else {
        df.errors
            .push(("the parser gave up on this file".into(), Span::new(0, 0)));
        return df;
    };
    let root = tree.root_node();
    let lenient = quoted_lines(text, root, escape);
    let mut cursor = root.walk();
    let mut last_shell = None;
    for node in root.children(&mut cursor) {
        if node.kind() == "comment" {
            continue;
        }
        // A line the grammar rejects only for its quotes (`USER "app"`, `WORKDIR "/a b"`):
        // read as Docker reads it, once, from its first node.
        if let Some(line) = lenient.iter().find(|l| l.contains(node.start_byte())) {
            if node.start_byte() == line.start {
                let mut ins = quoted_instruction(text, *line, df.stages.len().checked_sub(1));
                ins.shell = last_shell;
                df.instructions.push(ins);
            }
            continue;
        }
        if node.is_error() || node.is_missing() {
            record_error(text, node, &mut df.errors);
            continue;
        }
        // Inside RUN/CMD/ENTRYPOINT the text is shell, which Docker passes on unparsed; the
        // grammar trips on some valid shell (a continuation line opening with `[`), so errors
        // there are not syntax errors of the Dockerfile.
        if node.has_error() && !SHELL_INSTRUCTIONS.contains(&node.kind()) {
            collect_errors(text, node, &mut df.errors);
        }
        let mut ins = instruction(text, node, df.stages.len().checked_sub(1));
        let index = df.instructions.len();
        if ins.keyword == "FROM" {
            last_shell = None;
            df.start_stage(text, node, ins);
            continue;
        }
        if ins.keyword == "ARG" && df.stages.is_empty() {
            df.global_args.extend(arg_pairs(text, node));
        }
        ins.shell = last_shell;
        if ins.keyword == "SHELL" {
            last_shell = Some(index);
        }
        df.instructions.push(ins);
    }
    df.close_stages();
    df
}

impl Dockerfile {
    /// A `FROM` instruction: the stage it starts (the previous one ends before it).
    fn start_stage(&mut self, text: &str, node: tree_sitter::Node, ins: Instruction) {
        let index = self.instructions.len();
        let stage = stage_from(text, node, &ins, index, self);
        if let Some(prev) = self.stages.last_mut() {
            prev.instructions.end = index;
        }
        if let Some((name, _)) = &stage.name {
            self.stage_names.entry(name.clone()).or_insert(stage.index);
        }
        self.stages.push(stage);
        self.instructions.push(Instruction {
            stage: Some(self.stages.len() - 1),
            ..ins
        });
    }

    /// The last stage ends with the file; each stage's span covers its instructions.
    fn close_stages(&mut self) {
        let count = self.instructions.len();
        if let Some(last) = self.stages.last_mut() {
            last.instructions.end = count;
        }
        for i in 0..self.stages.len() {
            let range = self.stages[i].instructions.clone();
            let end = self.instructions[range.end - 1].span.end;
            self.stages[i].span = Span::new(self.instructions[range.start].span.start, end);
        }
    }
}

/// The `name[=default]` pairs of an `ARG` instruction.
fn arg_pairs(text: &str, node: tree_sitter::Node) -> Vec<(String, Option<String>, Span)> {
    let mut c = node.walk();
    node.children(&mut c)
        .filter(|n| n.kind() == "arg_pair")
        .map(|pair| {
            let name = pair
                .child_by_field_name("name")
                .map(|n| text[n.byte_range()].to_string())
                .unwrap_or_default();
            let default = pair
                .child_by_field_name("default")
                .map(|n| unquote(&text[n.byte_range()]));
            (name, default, Span::from(pair.byte_range()))
        })
        .collect()
}

fn record_error(text: &str, node: tree_sitter::Node, errors: &mut Vec<(String, Span)>) {
    if errors.len() >= 20 {
        return;
    }
    let span = Span::from(node.byte_range());
    let message = if node.is_missing() {
        format!("expected {}", node.kind())
    } else {
        let snippet: String = text[span.start..span.end]
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(40)
            .collect();
        format!("unexpected text `{}`", snippet.trim())
    };
    // Point at the first line only: an error may swallow the rest of the file.
    let first_line_end = text[span.start..span.end]
        .find('\n')
        .map(|i| span.start + i)
        .unwrap_or(span.end);
    errors.push((
        message,
        Span::new(span.start, first_line_end.max(span.start)),
    ));
}

fn collect_errors(text: &str, node: tree_sitter::Node, errors: &mut Vec<(String, Span)>) {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if child.is_error() || child.is_missing() {
            record_error(text, child, errors);
        } else if child.has_error() {
            collect_errors(text, child, errors);
        }
    }
}

fn instruction(text: &str, node: tree_sitter::Node, stage: Option<usize>) -> Instruction {
    let span = Span::from(node.byte_range());
    let mut keyword_span = Span::new(span.start, span.start);
    let mut flags = Vec::new();
    let mut form = Form::None;
    let mut json_args = Vec::new();
    let mut args_start = None;
    let mut user: Option<(String, Span)> = None;
    let mut cursor = node.walk();
    for (i, child) in node.children(&mut cursor).enumerate() {
        if i == 0 && !child.is_named() {
            keyword_span = Span::from(child.byte_range());
            continue;
        }
        match child.kind() {
            "param" | "mount_param" => {
                let raw = &text[child.byte_range()];
                let raw = raw.trim_start_matches('-');
                let (name, value) = raw.split_once('=').unwrap_or((raw, ""));
                flags.push(Flag {
                    name: name.to_ascii_lowercase(),
                    value: value.to_string(),
                    span: Span::from(child.byte_range()),
                });
            }
            "json_string_array" => {
                form = Form::Json;
                args_start.get_or_insert(child.start_byte());
                let mut c = child.walk();
                for s in child.children(&mut c).filter(|n| n.kind() == "json_string") {
                    let raw = &text[s.byte_range()];
                    let value = serde_json::from_str::<String>(raw)
                        .unwrap_or_else(|_| raw.trim_matches('"').to_string());
                    json_args.push((value, Span::from(s.byte_range())));
                }
            }
            "shell_command" => {
                form = Form::Shell;
                args_start.get_or_insert(child.start_byte());
            }
            "unquoted_string" if node.kind() == "user_instruction" => {
                args_start.get_or_insert(child.start_byte());
                // `user[:group]`: keep both parts in one value and span.
                let span = match &user {
                    Some((_, s)) => Span::new(s.start, child.end_byte()),
                    None => Span::from(child.byte_range()),
                };
                user = Some((text[span.start..span.end].to_string(), span));
            }
            _ => {
                args_start.get_or_insert(child.start_byte());
            }
        }
    }
    let keyword = text[keyword_span.start..keyword_span.end].to_ascii_uppercase();
    // Instructions the grammar gives no argument nodes (MAINTAINER): everything after the
    // keyword.
    let after_keyword = || {
        let rest = &text[keyword_span.end..span.end];
        keyword_span.end + (rest.len() - rest.trim_start().len())
    };
    let args_span = Span::new(args_start.unwrap_or_else(after_keyword), span.end);
    Instruction {
        keyword,
        keyword_span,
        span,
        args_span,
        flags,
        form,
        json_args,
        user,
        stage,
        shell: None,
    }
}

fn stage_from(
    text: &str,
    node: tree_sitter::Node,
    ins: &Instruction,
    index: usize,
    df: &Dockerfile,
) -> Stage {
    let spec = {
        let mut c = node.walk();
        let found = node.children(&mut c).find(|n| n.kind() == "image_spec");
        found
    };
    let (image_text, image_span) = match spec {
        Some(s) => (text[s.byte_range()].to_string(), Span::from(s.byte_range())),
        None => (String::new(), ins.args_span),
    };
    let name = node.child_by_field_name("as").map(|n| {
        (
            text[n.byte_range()].to_ascii_lowercase(),
            Span::from(n.byte_range()),
        )
    });
    let base = match substitute(&image_text, &df.global_args) {
        None => Base::Unknown,
        Some(image) => {
            let lower = image.to_ascii_lowercase();
            if lower == "scratch" {
                Base::Scratch
            } else if let Some(stage) = df.stage_named(&lower) {
                Base::Stage(stage)
            } else {
                Base::Image(image)
            }
        }
    };
    Stage {
        index: df.stages.len(),
        name,
        from: index,
        image_text,
        image_span,
        base,
        instructions: index..index + 1,
        span: ins.span,
    }
}

/// The grammar reads a continuation line that opens with `[` as the start of a JSON array and
/// loses the rest of the instruction. Docker passes such lines to the shell (`[ -e x ]` is the
/// `test` command), so the grammar is given a copy where that bracket is a letter. Lengths are
/// unchanged, so every span still points into the original text, which is what values are read
/// from.
fn neutralise_continuation_brackets(text: &str, escape: char) -> std::borrow::Cow<'_, str> {
    let mut fixed: Option<Vec<u8>> = None;
    let mut continued = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        let is_comment = trimmed.starts_with('#');
        if continued && trimmed.starts_with('[') {
            let at = offset + (content.len() - trimmed.len());
            fixed.get_or_insert_with(|| text.as_bytes().to_vec())[at] = b'x';
        }
        if !(continued && (is_comment || trimmed.is_empty())) {
            continued = content.trim_end().ends_with(escape);
        }
        offset += line.len();
    }
    match fixed {
        // Only an ASCII byte was replaced by an ASCII byte: still UTF-8.
        Some(bytes) => {
            std::borrow::Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| text.to_string()))
        }
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// The `# escape=` parser directive; directives must open the file.
fn escape_directive(text: &str) -> char {
    for line in text.trim_start_matches('\u{feff}').lines() {
        let Some(rest) = line.trim().strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = rest.split_once('=') else {
            break;
        };
        let key = key.trim().to_ascii_lowercase();
        if key == "escape" {
            return value.trim().chars().next().unwrap_or('\\');
        }
        if key != "syntax" && key != "check" {
            break;
        }
    }
    '\\'
}

#[cfg(test)]
mod tests;
