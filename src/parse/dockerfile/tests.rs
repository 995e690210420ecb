use super::*;

const SAMPLE: &str = "# escape=`\nARG VERSION=3.19\nARG NOPE\nFROM alpine:${VERSION} AS build\nRUN apk add `\n    curl\nFROM build\nUSER 0:0\nCOPY --from=build /a /b\nRUN <<EOT\necho hi\nEOT\nCMD [\"sh\", \"-c\", \"x\"]\nfrom $NOPE\nUSER app\n";

#[test]
fn stages_args_and_forms() {
    let df = parse(SAMPLE);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    assert_eq!(df.escape, '`');
    assert_eq!(df.stages.len(), 3);
    assert_eq!(df.stages[0].base, Base::Image("alpine:3.19".into()));
    assert_eq!(df.stages[0].name.as_ref().unwrap().0, "build");
    assert_eq!(df.stages[1].base, Base::Stage(0));
    assert_eq!(df.stages[2].base, Base::Unknown);
    let user = df
        .instructions
        .iter()
        .find(|i| i.keyword == "USER")
        .unwrap();
    assert_eq!(user.user.as_ref().unwrap().0, "0:0");
    let copy = df
        .instructions
        .iter()
        .find(|i| i.keyword == "COPY")
        .unwrap();
    assert_eq!(copy.flags[0].name, "from");
    assert_eq!(copy.flags[0].value, "build");
    let cmd = df.instructions.iter().find(|i| i.keyword == "CMD").unwrap();
    assert_eq!(cmd.form, Form::Json);
    assert_eq!(cmd.json_args[1].0, "-c");
    let run = &df.instructions[3];
    assert_eq!(run.keyword, "RUN");
    assert_eq!(
        &SAMPLE[run.args_span.start..run.args_span.end],
        "apk add `\n    curl"
    );
    assert_eq!(df.stage_instructions(&df.stages[1]).len(), 5);
}

#[test]
fn substitution_forms() {
    let args = vec![("V".to_string(), Some("1".to_string()), Span::default())];
    assert_eq!(substitute("a:${V}", &args).as_deref(), Some("a:1"));
    assert_eq!(substitute("a:$V-x", &args).as_deref(), Some("a:1-x"));
    assert_eq!(substitute("a:${W:-2}", &args).as_deref(), Some("a:2"));
    assert_eq!(substitute("a:${W}", &args), None);
}

#[test]
fn shell_the_grammar_trips_on_is_not_an_error() {
    let text = "FROM a\nRUN set -eux; \\\n\t[ \"$A\" -lt 1 ]; \\\n# note\n\t[ -e x ]; \\\n\techo\nUSER app\n";
    let df = parse(text);
    assert!(df.errors.is_empty(), "{:?}", df.errors);
    assert_eq!(df.instructions.len(), 3);
    let run = &df.instructions[1];
    assert!(df.args(text, run).contains("[ -e x ]"));
}

#[test]
fn quoted_arguments_are_read_as_docker_reads_them() {
    let text = "FROM alpine:3.20\nUSER \"app\"\nWORKDIR \"/a b\"\nCOPY --chown=app \"src dir\" \\\n  '/dst'\nUSER \"unclosed\nUSER app\n";
    let df = parse(text);
    let keywords: Vec<&str> = df.instructions.iter().map(|i| i.keyword.as_str()).collect();
    assert_eq!(
        keywords,
        ["FROM", "USER", "WORKDIR", "COPY", "USER"],
        "{:?}",
        df.errors
    );
    assert_eq!(df.instructions[1].user.as_ref().unwrap().0, "app");
    assert_eq!(df.args(text, &df.instructions[2]), "\"/a b\"");
    let copy = &df.instructions[3];
    assert_eq!(copy.flags[0].name, "chown");
    let words: Vec<String> = shell_words(df.args(text, copy), '\\')
        .unwrap()
        .into_iter()
        .map(|(w, _)| w)
        .collect();
    assert_eq!(words, ["src dir", "/dst"]);
    // An unclosed quote is still an error, located on its line.
    assert_eq!(df.errors.len(), 1, "{:?}", df.errors);
    assert!(text[df.errors[0].1.start..].starts_with("USER \"unclosed"));
}

#[test]
fn shell_words_unquote_and_unescape() {
    let words = |t: &str| -> Vec<String> {
        shell_words(t, '\\')
            .unwrap()
            .into_iter()
            .map(|(w, _)| w)
            .collect()
    };
    assert_eq!(
        words(r#""a b" 'c d' e\ f "g\"h" 'i\j'"#),
        ["a b", "c d", "e f", "g\"h", "i\\j"]
    );
    assert_eq!(words("x\"y z\"w"), ["xy zw"]);
    assert!(shell_words("\"open", '\\').is_none());
    assert_eq!(
        quoted::shell_word(" \"app:grp\" "),
        Some("app:grp".to_string())
    );
}

#[test]
fn broken_lines_are_errors_and_the_rest_parses() {
    let df = parse("FROM alpine:3\nNOTANINSTRUCTION foo\nUSER app\n");
    assert!(!df.errors.is_empty());
    assert!(df.instructions.iter().any(|i| i.keyword == "USER"));
}
