use crate::rule::{Check, Context, Domain, Finding, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A file that rampart recognised as Terraform, a Dockerfile or a Kubernetes manifest but
    /// could not parse: a syntax error, nesting deeper than the parser allows, or YAML aliases
    /// that expand beyond the budget (an alias bomb). The location is where the parser stopped.
    /// Also input past a size limit that no real file reaches: a YAML or JSON file of more than
    /// a million values (the document that crosses it is not read), a pod with more than a
    /// thousand containers in one list (the rest are not checked), a `RUN` too long for shell
    /// analysis.
    ///
    /// ## Why it matters
    /// Nothing in a file that does not parse is checked, so a syntax error hides every other
    /// problem in it. The tools that deploy the file would reject it too.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// spec: [unclosed
    /// ```
    ///
    /// ## Use instead
    /// Fix the syntax at the reported position.
    ///
    /// ## References
    /// - YAML 1.2 specification: https://yaml.org/spec/1.2.2/
    /// - HCL native syntax: https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md
    pub struct ParseError {
        code: "RAMPART-001",
        name: "parse-error",
        title: "File does not parse",
        domain: Domain::Input,
        tags: &["input"],
        severity: Severity::Medium,
    }
}

impl Check for ParseError {
    /// Raised by the engine while parsing.
    fn check(&self, _: &Context<'_>, _: &mut Vec<Finding>) {}
}
