use crate::rule::{Check, Context, Domain, Finding, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A Terraform `module` call whose source is not on disk: a local path that does not
    /// exist, or a registry/git module that `terraform init` has not downloaded into
    /// `.terraform/modules` (located through `.terraform/modules/modules.json`), or one outside
    /// the scanned repository. rampart never fetches modules.
    ///
    /// By default a scan says so once, in a note that lists the modules (by source, with the
    /// files that call them) and does not fail the run: a repository that was never
    /// initialised would otherwise drown its findings in one diagnostic per call. Asked for by
    /// code or name (`--select RAMPART-005`, or a `[severity]` entry for it), each call is a
    /// finding at its `source`, and fails the run like any other. Ignoring the rule silences
    /// the note too.
    ///
    /// ## Why it matters
    /// The resources the module creates are not checked, and arguments passed to it cannot be
    /// followed. A scan should not look cleaner than it is.
    ///
    /// ## Example
    /// ```hcl
    /// module "vpc" {
    ///   source  = "terraform-aws-modules/vpc/aws"
    ///   version = "5.1.0"
    /// }
    /// ```
    /// in a directory where `terraform init` was never run.
    ///
    /// ## Use instead
    /// Run `terraform init -backend=false` before scanning (it downloads modules without
    /// touching state), or ignore this rule when only the calling code matters.
    ///
    /// ## References
    /// - https://developer.hashicorp.com/terraform/cli/commands/init#child-module-installation
    pub struct ModuleNotFound {
        code: "RAMPART-005",
        name: "module-not-found",
        title: "Terraform module is not available locally",
        domain: Domain::Input,
        tags: &["input", "terraform"],
        severity: Severity::Low,
    }
}

impl Check for ModuleNotFound {
    /// Raised by the engine while resolving module calls.
    fn check(&self, _: &Context<'_>, _: &mut Vec<Finding>) {}
}
