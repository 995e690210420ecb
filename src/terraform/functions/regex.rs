//! Regular expressions (RE2 syntax): `regex`, `regexall`, and the `/…/` form of `replace`. Their
//! work is counted as evaluation steps, by the size of the automaton over the text.

use super::Call;
use crate::model::{Entry, Node, Value};
use crate::source::Span;
use crate::terraform::budget::NODE_COST;
use crate::terraform::MAX_ITEMS;

pub(super) const NAMES: &[&str] = &["regex", "regexall"];

pub(super) fn call(c: &Call) -> Option<Value> {
    let (pattern, text) = (c.string(0)?, c.string(1)?);
    let re = compile(c, &pattern, &text)?;
    match c.name {
        // No match is an error in Terraform: unknown here (and `try` moves on).
        "regex" => Some(one_match(&re, re.captures(&text)?, c.span)),
        "regexall" => {
            let per_match = NODE_COST * (re.captures_len() as u64 + 1);
            let mut reserved = Vec::new();
            let mut out = Vec::new();
            for caps in re.captures_iter(&text).take(MAX_ITEMS) {
                reserved.push(c.reserve(per_match + caps[0].len() as u64)?);
                out.push(Node::new(one_match(&re, caps, c.span), c.span));
            }
            Some(Value::List(out))
        }
        _ => None,
    }
}

/// A Terraform regular expression to run over `text`, its work counted as steps; an invalid
/// or oversized one is unknown. Its size is that of its automaton (`a{100}{100}` is short but
/// has 10,000 states): compiling costs a step per state, and matching, at worst, every state
/// for every byte of the text.
fn compile(c: &Call, pattern: &str, text: &str) -> Option<regex::Regex> {
    let states = regex_states(pattern)?;
    let matching = states.saturating_mul(text.len() as u64 + 1) / REGEX_STATES_PER_STEP;
    if !c.step(states.saturating_add(matching)) {
        return None;
    }
    compile_regex(pattern)
}

/// `replace` with a regular expression, the result reserved as it is built.
pub(super) fn replace(c: &Call, text: &str, pattern: &str, to: &str) -> Option<String> {
    let re = compile(c, pattern, text)?;
    let mut reserved = Vec::new();
    let mut out = String::new();
    let mut last = 0;
    for caps in re.captures_iter(text) {
        let m = caps.get(0)?;
        // Each `$n` of the replacement (two bytes at least) stands for at most the match.
        let most = (to.len() as u64).saturating_mul(1 + m.len() as u64 / 2);
        reserved.push(c.reserve((m.start() - last) as u64 + most)?);
        out.push_str(&text[last..m.start()]);
        caps.expand(to, &mut out);
        last = m.end();
    }
    reserved.push(c.reserve((text.len() - last) as u64)?);
    out.push_str(&text[last..]);
    Some(out)
}

/// States of a regular expression's automaton visited for one byte of text, counted as one
/// evaluation step: engines that match faster than state by state (a DFA, a literal search)
/// usually do.
const REGEX_STATES_PER_STEP: u64 = 16;

/// The number of states of the automaton of `pattern`, as the regex crate would build it
/// (`None`: invalid or oversized).
fn regex_states(pattern: &str) -> Option<u64> {
    use regex_automata::nfa::thompson;
    let nfa = thompson::Compiler::new()
        .configure(thompson::Config::new().nfa_size_limit(Some(REGEX_SIZE_LIMIT)))
        .build(pattern)
        .ok()?;
    Some(nfa.states().len() as u64)
}

const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A Terraform regular expression; an invalid or oversized one is unknown.
fn compile_regex(pattern: &str) -> Option<regex::Regex> {
    regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .ok()
}

/// What `regex()` returns for one match: the matched text without capture groups, the
/// groups as a list when unnamed, or as an object when named.
fn one_match(re: &regex::Regex, caps: regex::Captures, span: Span) -> Value {
    let group = |m: Option<regex::Match>| match m {
        Some(m) => Node::new(Value::String(m.as_str().to_string()), span),
        None => Node::new(Value::Null, span),
    };
    if re.captures_len() == 1 {
        return Value::String(caps[0].to_string());
    }
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    if names.iter().all(Option::is_some) {
        Value::Map(
            names
                .iter()
                .flatten()
                .map(|n| Entry {
                    key: n.to_string(),
                    key_span: span,
                    value: group(caps.name(n)),
                })
                .collect(),
        )
    } else {
        Value::List((1..re.captures_len()).map(|i| group(caps.get(i))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terraform::functions::eval;

    #[test]
    fn matches_groups_and_replacements() {
        assert_eq!(
            eval(r#"regex("[0-9]+", "port 8080")"#).as_str(),
            Some("8080")
        );
        let groups = eval(r#"regex("^(a)(x)?", "ab")"#);
        assert_eq!(groups.as_list()[0].as_str(), Some("a"));
        assert_eq!(groups.as_list()[1].value, Value::Null);
        assert_eq!(eval(r#"regexall("a", "banana")"#).as_list().len(), 3);
        assert_eq!(
            eval(r##"replace("a1b22", "/[0-9]+/", "#")"##).as_str(),
            Some("a#b#")
        );
        assert!(eval(r#"regex("(", "x")"#).is_unknown());
    }

    #[test]
    fn automata_are_measured() {
        assert!(regex_states("(?:a{100}){95}b").unwrap() > 9_500);
        assert!(regex_states("^arn:aws:s3:::(.*)$").unwrap() < 100);
        assert_eq!(regex_states("("), None);
    }
}
