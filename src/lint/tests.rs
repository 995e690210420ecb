//! The lint layer's own guarantees, with a rule that only this test has.

use std::path::Path;

use crate::config::Config;
use crate::rule::{Context, Domain, Finding, Rule, RuleMeta};
use crate::source::FileKind;

struct Exploding;
static EXPLODING: RuleMeta = RuleMeta {
    code: "K8S-999",
    name: "exploding",
    domain: Domain::Kubernetes,
    ..RuleMeta::DEFAULT
};
impl Rule for Exploding {
    fn meta(&self) -> &'static RuleMeta {
        &EXPLODING
    }
    fn check(&self, _: &Context<'_>, _: &mut Vec<Finding>) {
        panic!("boom in a rule");
    }
}

#[test]
fn a_panic_becomes_a_finding_and_the_lint_returns() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n";
    let unit = super::Unit::file(
        Path::new("p.yaml"),
        text,
        FileKind::Kubernetes,
        &Config::default(),
    );
    let result = super::lint_one(unit.with_rules(&[&Exploding]));
    let codes: Vec<&str> = result.findings.iter().map(|f| f.meta.code).collect();
    assert_eq!(codes, ["RAMPART-003"]);
    assert!(result.findings[0].message.contains("boom in a rule"));
}
