use crate::rule::{Check, Context, Domain, Finding, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A Terraform expression whose evaluation goes past the budget one module evaluation has
    /// (a root module with every module it calls, each instance of each call included): 128 MiB
    /// of values built (a list or map element counts for its size in memory, a string for its
    /// length) or 4 million evaluation steps. Locals that double a string or multiply a list
    /// at each level, and functions whose result is much larger than their arguments
    /// (`replace`, `join` with a long separator, `range` in nested `for` expressions) reach it
    /// with a few lines. The diagnostic points at the expression where the budget ran out;
    /// it is raised once per evaluation.
    ///
    /// ## Why it matters
    /// Past the budget, derived values (references, templates, functions, `for` expressions)
    /// are unknown and `count`, `for_each` and `dynamic` make no more instances, so the
    /// resources that use them are not fully checked. Real configurations stay far below the
    /// budget: an expression that reaches it is a mistake or an attempt to exhaust the
    /// machines that check the code.
    ///
    /// ## Example
    /// ```hcl
    /// locals {
    ///   s0 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    ///   s1 = "${local.s0}${local.s0}${local.s0}${local.s0}${local.s0}${local.s0}${local.s0}${local.s0}"
    ///   # ... each level eight copies of the one before: s8 is 1 GiB
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Build values whose size is proportional to the configuration, or compute large data
    /// outside Terraform.
    ///
    /// ## References
    /// - https://developer.hashicorp.com/terraform/language/expressions
    pub struct EvaluationBudgetExceeded {
        code: "RAMPART-006",
        name: "evaluation-budget-exceeded",
        title: "Terraform evaluation exceeds its budget",
        domain: Domain::Input,
        tags: &["input", "terraform"],
        severity: Severity::Medium,
    }
}

impl Check for EvaluationBudgetExceeded {
    /// Raised by the engine while evaluating Terraform.
    fn check(&self, _: &Context<'_>, _: &mut Vec<Finding>) {}
}
