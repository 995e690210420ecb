use super::*;

fn one(text: &str) -> Node {
    let (docs, err) = parse_stream(text, Limits::default());
    assert_eq!(err, None);
    docs.into_iter().next().unwrap().root
}

fn slice(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

#[test]
fn yaml11_booleans_and_numbers() {
    let text =
        "a: yes\nb: Off\nc: 'yes'\nd: 0x1F\ne: 010\nf: 1_000\ng: 1.5\nh: N\ni: 1:30\nj: v1\n";
    let root = one(text);
    assert_eq!(root.get("a").unwrap().as_bool(), Some(true));
    assert_eq!(root.get("b").unwrap().as_bool(), Some(false));
    assert_eq!(root.get("c").unwrap().as_str(), Some("yes"));
    assert_eq!(root.get("d").unwrap().as_f64(), Some(31.0));
    assert_eq!(root.get("e").unwrap().as_f64(), Some(8.0));
    assert_eq!(root.get("f").unwrap().as_f64(), Some(1000.0));
    assert_eq!(root.get("g").unwrap().as_f64(), Some(1.5));
    assert_eq!(root.get("h").unwrap().as_bool(), Some(false));
    assert_eq!(root.get("i").unwrap().as_f64(), Some(90.0));
    assert_eq!(root.get("j").unwrap().as_str(), Some("v1"));
}

#[test]
fn spans_are_bytes_of_keys_and_values() {
    let text = "# é😀\nkey: \"välue\"\nlist: [a, {b: c}]\n";
    let root = one(text);
    let e = root.entry("key").unwrap();
    assert_eq!(slice(text, e.key_span), "key");
    assert_eq!(slice(text, e.value.span), "\"välue\"");
    let list = root.get("list").unwrap();
    assert_eq!(slice(text, list.span), "[a, {b: c}]");
    let b = list.as_list()[1].entry("b").unwrap();
    assert_eq!(slice(text, b.value.span), "c");
}

#[test]
fn crlf_and_bom() {
    let text = "\u{feff}apiVersion: v1\r\nkind: Pod\r\n";
    let root = one(text);
    let kind = root.get("kind").unwrap();
    assert_eq!(slice(text, kind.span), "Pod");
}

#[test]
fn multi_document_and_helm_source() {
    let text = "---\n# Source: chart/templates/a.yaml\na: 1\n---\n# Source: chart/templates/b.yaml\nb: 2\n";
    let (docs, err) = parse_stream(text, Limits::default());
    assert!(err.is_none());
    assert_eq!(docs.len(), 2);
    assert_eq!(
        docs[0].helm_source.as_deref(),
        Some("chart/templates/a.yaml")
    );
    assert_eq!(
        docs[1].helm_source.as_deref(),
        Some("chart/templates/b.yaml")
    );
}

#[test]
fn aliases_are_placed_at_each_use() {
    let text = "base: &b {privileged: true}\none: *b\ntwo: *b\n";
    let root = one(text);
    let one_ = root.get("one").unwrap();
    assert_eq!(slice(text, one_.get("privileged").unwrap().span), "*b");
    assert_eq!(
        slice(
            text,
            one_.get("privileged")
                .unwrap()
                .origin
                .as_ref()
                .unwrap()
                .span
        ),
        "true"
    );
    let two = root.get("two").unwrap();
    assert_ne!(one_.span, two.span);
}

#[test]
fn merge_keys() {
    let text = "base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  b: 3\n";
    let root = one(text);
    let m = root.get("m").unwrap();
    assert_eq!(m.get("a").unwrap().as_f64(), Some(1.0));
    assert_eq!(m.get("b").unwrap().as_f64(), Some(3.0));
}

#[test]
fn alias_bomb_is_refused() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let names: Vec<char> = "abcdefghijklmnop".chars().collect();
    for w in names.windows(2) {
        text.push_str(&format!(
            "{}: &{} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n",
            w[1],
            w[1],
            p = w[0]
        ));
    }
    let (_, err) = parse_stream(&text, Limits::default());
    let err = err.expect("bomb refused");
    assert!(err.message.contains("alias bomb"), "{}", err.message);
}

#[test]
fn a_stream_past_the_value_limit_keeps_the_documents_before_it() {
    let limits = Limits {
        max_nodes: 50,
        ..Limits::default()
    };
    let small = "a: 1\nb: [1, 2]\n";
    let big = format!("[{}]", vec!["7"; 60].join(", "));
    let text = format!("{small}---\n{big}\n");
    let (docs, err) = parse_stream(&text, limits);
    assert_eq!(docs.len(), 1);
    let err = err.expect("refused");
    assert!(
        err.message.contains("more than 50 values"),
        "{}",
        err.message
    );
    assert!(err.span.start > small.len(), "{err:?}");
    assert_eq!(&text[err.span.start..err.span.end], "7");
    // JSON, which is read after a document marker: the same, located in the text.
    let (docs, err) = parse_stream(&big, limits);
    assert!(docs.is_empty());
    let err = err.expect("refused");
    assert_eq!(&big[err.span.start..err.span.end], "7");
    let (docs, err) = parse_stream(&big, Limits::default());
    assert!(err.is_none());
    let items = docs[0].root.as_list();
    assert_eq!(items.len(), 60);
    assert_eq!(&big[items[59].span.start..items[59].span.end], "7");
    assert_eq!(docs[0].root.span, Span::new(0, big.len()));
}

#[test]
fn deep_nesting_is_refused() {
    let text = "[".repeat(100_000);
    let (_, err) = parse_stream(&text, Limits::default());
    let err = err.expect("refused");
    assert!(err.message.contains("nesting"), "{}", err.message);
    let text = "a:\n".to_string()
        + &(1..300)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect::<String>();
    let (_, err) = parse_stream(&text, Limits::default());
    assert!(err.is_some());
}

#[test]
fn errors_are_located() {
    let text = "a: 1\nb: [unclosed\n";
    let (_, err) = parse_stream(text, Limits::default());
    let err = err.unwrap();
    assert!(err.span.start >= 5, "{err:?}");
}

#[test]
fn indentation_go_yaml_accepts_parses_with_exact_spans() {
    let text = "a:\n  - m: 'one\n    two'\n    k: v\n  - list: [\n      x\n    ]\n    z: 1\n";
    assert!(
        parse_strict(text, Limits::default()).1.is_some(),
        "strict YAML 1.2 rejects it"
    );
    let (docs, error) = parse_stream(text, Limits::default());
    assert!(error.is_none(), "{error:?}");
    let items = docs[0].root.get("a").unwrap().as_list();
    assert_eq!(items[0].get("m").unwrap().as_str(), Some("one two"));
    let k = items[0].get("k").unwrap();
    assert_eq!(&text[k.span.start..k.span.end], "v");
    let z = items[1].get("z").unwrap();
    assert_eq!(&text[z.span.start..z.span.end], "1");
    let x = &items[1].get("list").unwrap().as_list()[0];
    assert_eq!(&text[x.span.start..x.span.end], "x");
    // Real errors stay errors, at their place.
    let (_, error) = parse_stream("a: [\nb: 1\n", Limits::default());
    assert!(error.is_some());
}

#[test]
fn flow_collections_go_yaml_accepts_at_any_indentation() {
    // go-yaml does not check indentation inside a flow collection: items and closing
    // brackets may sit left of the key, down to column 0.
    for text in [
        "data:\n  a: [\"x\",\n\"y\"]\n  b: 1\n",
        "data:\n  a: [\"x\",\n \"y\",\n\"z\"]\n  b: 1\n",
        "data:\n  a: {\"k\": \"x\",\n\"j\": \"y\"}\n  b: 1\n",
        "data:\n  a: [\"x\",\n]\n  b: 1\n",
        "data:\n  - a: [x, # a comment with a [\n  w]\n    b: 1\n",
    ] {
        assert!(
            parse_strict(text, Limits::default()).1.is_some(),
            "strict YAML 1.2 rejects {text:?}"
        );
        let (docs, error) = parse_stream(text, Limits::default());
        assert!(error.is_none(), "{text:?}: {error:?}");
        let data = docs[0].root.get("data").unwrap();
        let holder = data.as_list().first().unwrap_or(data);
        let b = holder.get("b").unwrap();
        assert_eq!(slice(text, b.span), "1", "{text:?}");
        let a = holder.get("a").unwrap();
        for item in a
            .as_list()
            .iter()
            .chain(a.entries().iter().map(|e| &e.value))
        {
            let written = slice(text, item.span);
            assert!(
                written.trim_matches('"') == item.display(),
                "{text:?}: {written:?} is {:?}",
                item.display()
            );
        }
    }
    // A block line left of its key is still an error.
    let (_, error) = parse_stream("data:\n  a: \"1\"\n b: \"2\"\n", Limits::default());
    assert!(error.is_some());
}
