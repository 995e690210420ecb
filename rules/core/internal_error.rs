use crate::rule::{Check, Context, Domain, Finding, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A file whose lint failed inside rampart itself. The rest of the scan goes on; the
    /// message carries the internal error so it can be reported upstream.
    ///
    /// ## Why it matters
    /// The file was not fully checked. This is a bug in rampart, never in the file.
    ///
    /// ## Example
    /// Any input that triggers a defect in a parser or a rule.
    ///
    /// ## Use instead
    /// Report the message and the file (or a reduced copy) to the rampart maintainers.
    ///
    /// ## References
    /// - rampart issue tracker
    pub struct InternalError {
        code: "RAMPART-003",
        name: "internal-error",
        title: "rampart failed on this file",
        domain: Domain::Input,
        tags: &["input"],
        severity: Severity::High,
    }
}

impl Check for InternalError {
    /// Raised by the engine when a lint panics.
    fn check(&self, _: &Context<'_>, _: &mut Vec<Finding>) {}
}
