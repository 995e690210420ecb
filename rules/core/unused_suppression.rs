use crate::rule::{Check, Context, Domain, Finding, FixAvailability, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A suppression that silences nothing: no finding of the rules it names occurs where it
    /// applies, it names a rule that does not exist, its `until=` date has passed, it gives
    /// no reason while reasons are required (`require-suppression-reason`, on by default), or
    /// it is malformed. Suppressions of rules that did not run (not selected) are not
    /// reported as unused. Like any rule, it runs with `--select` only when selected
    /// (`--select K8S-001,RAMPART-004`). An unused suppression says where each rule it names
    /// is reported in the file (the lines, with the first as a related location), or that the
    /// rule found nothing there.
    ///
    /// ## Why it matters
    /// A stale suppression hides the next real finding at that place, and an expired or
    /// reason-less one gives a false sense that a risk was reviewed. Reporting them keeps
    /// every exception deliberate and current.
    ///
    /// ## Example
    /// ```yaml
    /// # rampart:ignore[K8S-001] node agent needs host access
    /// containers:
    ///   - name: app
    ///     image: app:1.2.0
    /// ```
    ///
    /// ## Use instead
    /// Remove the suppression, or move it to the finding it is meant for, with a reason:
    /// ```yaml
    /// securityContext:
    ///   privileged: true  # rampart:ignore[K8S-001] node agent needs host access until=2027-03-31
    /// ```
    ///
    /// ## Fix safety
    /// Safe for unused and expired suppressions: removing a comment that silences nothing
    /// changes nothing.
    ///
    /// ## References
    /// - docs/suppressions.md
    pub struct UnusedSuppression {
        code: "RAMPART-004",
        name: "unused-suppression",
        title: "Suppression silences nothing",
        domain: Domain::Input,
        tags: &["suppressions"],
        severity: Severity::Low,
        fix: FixAvailability::Sometimes,
    }
}

impl Check for UnusedSuppression {
    /// Raised while suppressions are applied.
    fn check(&self, _: &Context<'_>, _: &mut Vec<Finding>) {}
}
