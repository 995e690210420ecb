use crate::rule::{Check, Context, Domain, Finding, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A file that could not be read as text: permission denied, it vanished during the scan,
    /// it is binary (contains NUL bytes), it is not valid UTF-8, or it is larger than the
    /// configured limit (`--max-file-size`, 10 MiB by default).
    ///
    /// ## Why it matters
    /// A file that is not read is not checked. rampart reports it instead of skipping it
    /// silently, so a scan never looks cleaner than it is.
    ///
    /// ## Example
    /// A `deploy.yaml` saved as UTF-16, or a build artifact named `main.tf`.
    ///
    /// ## Use instead
    /// Save the file as UTF-8, exclude generated files with `--exclude`, or raise the limit.
    ///
    /// ## References
    /// - Unicode UTF-8: https://www.unicode.org/faq/utf_bom.html
    pub struct UnreadableFile {
        code: "RAMPART-002",
        name: "unreadable-file",
        title: "File cannot be read as text",
        domain: Domain::Input,
        tags: &["input"],
        severity: Severity::Medium,
    }
}

impl Check for UnreadableFile {
    /// Raised by the engine while reading.
    fn check(&self, _: &Context<'_>, _: &mut Vec<Finding>) {}
}
