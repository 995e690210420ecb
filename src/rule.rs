//! The rule API: metadata, the context a rule sees, and findings.

use std::fmt;

use crate::fix::Fix;
use crate::model::{Node, Resource};
use crate::parse::dockerfile::Dockerfile;
use crate::source::{FileKind, SourceFile, Span};

/// Severity policy (docs/severity.md): critical = direct compromise of the host, cluster or
/// account, or data public to the internet; high = a strong step toward one (privilege beyond
/// the workload's need, exposure to a network); medium = weakens a defence that normally
/// contains an attack; low = hygiene that makes attacks or mistakes more likely or harder to
/// contain.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// GitHub code scanning's `security-severity` score.
    pub(crate) fn score(self) -> &'static str {
        match self {
            Severity::Low => "3.0",
            Severity::Medium => "5.5",
            Severity::High => "8.0",
            Severity::Critical => "9.5",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule looks at.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    Kubernetes,
    Dockerfile,
    Terraform,
    /// Diagnostics about the input itself (parse errors, unreadable files).
    Input,
}

impl Domain {
    pub(crate) fn applies_to(self, kind: FileKind) -> bool {
        matches!(
            (self, kind),
            (Domain::Kubernetes, FileKind::Kubernetes)
                | (Domain::Dockerfile, FileKind::Dockerfile)
                | (
                    Domain::Terraform,
                    FileKind::Terraform | FileKind::TerraformPlan
                )
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Preview,
    Stable,
    Deprecated,
    Removed,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

/// IDs of the same check in other scanners.
#[derive(Clone, Copy, Debug, Default)]
pub struct Equivalents {
    pub checkov: &'static [&'static str],
    pub trivy: &'static [&'static str],
    pub kics: &'static [&'static str],
    pub kube_linter: &'static [&'static str],
    pub hadolint: &'static [&'static str],
    pub polaris: &'static [&'static str],
    pub kube_score: &'static [&'static str],
    pub kubescape: &'static [&'static str],
}

impl Equivalents {
    pub const NONE: Equivalents = Equivalents {
        checkov: &[],
        trivy: &[],
        kics: &[],
        kube_linter: &[],
        hadolint: &[],
        polaris: &[],
        kube_score: &[],
        kubescape: &[],
    };

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
        [
            ("checkov", self.checkov),
            ("trivy", self.trivy),
            ("kics", self.kics),
            ("kube-linter", self.kube_linter),
            ("hadolint", self.hadolint),
            ("polaris", self.polaris),
            ("kube-score", self.kube_score),
            ("kubescape", self.kubescape),
        ]
        .into_iter()
    }
}

/// Everything about a rule except its detection.
#[derive(Clone, Copy, Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    /// Former names, still accepted.
    pub aliases: &'static [&'static str],
    /// One-line summary.
    pub title: &'static str,
    /// The doc comment (markdown with fixed sections).
    pub doc: &'static str,
    pub domain: Domain,
    pub tags: &'static [&'static str],
    pub severity: Severity,
    pub enabled_by_default: bool,
    pub fix: FixAvailability,
    pub added: &'static str,
    pub status: Status,
    pub references: &'static [&'static str],
    pub equivalents: Equivalents,
    /// Compliance mappings: CIS, Pod Security Standards level, NSA/CISA, MITRE ATT&CK.
    pub compliance: &'static [&'static str],
}

impl RuleMeta {
    pub const DEFAULT: RuleMeta = RuleMeta {
        code: "",
        name: "",
        aliases: &[],
        title: "",
        doc: "",
        domain: Domain::Input,
        tags: &[],
        severity: Severity::Medium,
        enabled_by_default: true,
        fix: FixAvailability::None,
        added: "0.1.0",
        status: Status::Stable,
        references: &[],
        equivalents: Equivalents::NONE,
        compliance: &[],
    };

    /// The doc comment as markdown: the one space rustdoc keeps after `///` removed.
    pub fn doc_markdown(&self) -> String {
        let mut out = String::new();
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }

    /// Does `selector` (code, name, alias, tag, profile or `all`) name this rule?
    /// Case-insensitive. The `pss-restricted` profile includes the Baseline rules.
    pub fn matches(&self, selector: &str) -> bool {
        let s = selector.trim();
        let has_tag = |t: &str| self.tags.iter().any(|x| x.eq_ignore_ascii_case(t));
        s.eq_ignore_ascii_case("all")
            || s.eq_ignore_ascii_case("pss-restricted") && has_tag("pss-baseline")
            || s.eq_ignore_ascii_case(self.code)
            || s.eq_ignore_ascii_case(self.name)
            || self.aliases.iter().any(|a| s.eq_ignore_ascii_case(a))
            || self.tags.iter().any(|t| s.eq_ignore_ascii_case(t))
            || (s.ends_with('-') || s.ends_with('*'))
                && self
                    .code
                    .to_ascii_uppercase()
                    .starts_with(&s.trim_end_matches('*').to_ascii_uppercase())
    }

    pub fn help_uri(&self) -> String {
        format!(
            "https://github.com/rampart-lint/rampart/blob/main/docs/rules/{}.md",
            self.code
        )
    }
}

/// Declare a rule: its doc comment (which becomes `META.doc`) and metadata. The macro writes
/// the `Rule` implementation from `META` and the file's `impl Check`; build.rs finds the
/// invocation and registers the type in `rules::RULES`. Every tag must be listed in
/// `rules/tags.rs` (checked at compile time).
#[macro_export]
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* pub struct $ty:ident { $($field:ident : $value:expr),* $(,)? }) => {
        $(#[doc = $doc])*
        pub struct $ty;
        impl $ty {
            pub(crate) const META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                doc: concat!($($doc, "\n"),*),
                $($field: $value,)*
                ..$crate::rule::RuleMeta::DEFAULT
            };
        }
        const _: () = $crate::rules::tags::assert_known($ty::META.tags);
        impl $crate::rule::Rule for $ty {
            fn meta(&self) -> &'static $crate::rule::RuleMeta {
                &Self::META
            }
            fn check(
                &self,
                cx: &$crate::rule::Context<'_>,
                out: &mut ::std::vec::Vec<$crate::rule::Finding>,
            ) {
                <Self as $crate::rule::Check>::check(self, cx, out)
            }
        }
    };
}

/// A location in one of the files linted together, with a note.
#[derive(Clone, Debug, PartialEq)]
pub struct Related {
    pub file: usize,
    pub span: Span,
    pub message: String,
}

/// How a finding was suppressed, for JSON and SARIF.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Suppressed {
    /// `inSource`: by a comment or annotation in the file.
    pub kind: &'static str,
    pub justification: String,
}

/// One finding.
#[derive(Clone, Debug)]
pub struct Finding {
    pub meta: &'static RuleMeta,
    pub severity: Severity,
    pub message: String,
    /// Index of the file among the files linted together.
    pub file: usize,
    pub span: Span,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
    /// The resource it is about (`Deployment shop/web`, `aws_s3_bucket.logs`).
    pub resource: Option<String>,
    /// Helm template or Terraform module it came from.
    pub provenance: Option<String>,
    /// The container it is about, for per-container suppressions.
    pub container: Option<String>,
    /// Enclosing spans (resource, container, instruction): a suppression comment above any of
    /// them applies to the finding.
    pub scopes: Vec<Span>,
    /// Set when a suppression silences the finding; it is still reported as suppressed.
    pub suppressed: Option<Suppressed>,
    /// For a finding in what a render tool built that was placed in a real file (the base,
    /// the patch, the template): where it is in the rendered text. Its fingerprint is taken
    /// from there, as it was before findings were placed.
    pub rendered: Option<Related>,
}

impl Finding {
    pub fn new(meta: &'static RuleMeta, file: usize, span: Span, message: String) -> Finding {
        Finding {
            meta,
            severity: meta.severity,
            message,
            file,
            span,
            related: Vec::new(),
            fixes: Vec::new(),
            resource: None,
            provenance: None,
            container: None,
            scopes: Vec::new(),
            suppressed: None,
            rendered: None,
        }
    }

    /// A finding about `resource`: takes its file, name and provenance.
    pub fn on(
        meta: &'static RuleMeta,
        resource: &Resource,
        span: Span,
        message: String,
    ) -> Finding {
        Finding {
            resource: Some(resource.name.clone()),
            provenance: resource.provenance.clone(),
            scopes: vec![resource.span],
            ..Finding::new(meta, resource.file, span, message)
        }
    }

    /// The finding is about one container (its name and span).
    pub(crate) fn in_container(mut self, name: &str, span: Span) -> Finding {
        self.container = Some(name.to_string());
        self.scopes.push(span);
        self
    }

    /// The finding lies within a larger construct (an instruction) that a suppression above
    /// it should cover.
    pub fn within(mut self, span: Span) -> Finding {
        self.scopes.push(span);
        self
    }

    pub(crate) fn with_fix(mut self, fix: Option<Fix>) -> Finding {
        self.fixes.extend(fix);
        self
    }

    pub(crate) fn with_related(mut self, related: Option<Related>) -> Finding {
        self.related.extend(related);
        self
    }

    /// When the value was reached through an alias or variable, say where it was written.
    /// `file` is the file of the node itself.
    pub(crate) fn with_origin(self, node: &Node, file: usize, what: &str) -> Finding {
        let related = node.origin.as_deref().map(|origin| Related {
            file: origin.file.unwrap_or(file),
            span: origin.span,
            message: format!("{what} is set here"),
        });
        self.with_related(related)
    }
}

/// The settings of a file's configuration that rules read: nothing else of the configuration
/// (which rules run, severities, suppressions) is a rule's business.
#[derive(Clone, Debug, Default)]
pub struct RuleSettings {
    /// Registries images may come from (empty: any).
    pub allowed_registries: Vec<String>,
    /// The Kubernetes version versioned checks judge by.
    pub kubernetes_version: Option<String>,
    /// The scanned manifests hold every NetworkPolicy of the cluster.
    pub network_policies_complete: bool,
}

/// What a rule sees: the files linted together (one file, or a Terraform module's files) and
/// their resources.
pub struct Context<'a> {
    pub files: &'a [SourceFile],
    pub resources: &'a [Resource],
    /// The Dockerfile structure, for Dockerfile rules.
    pub dockerfile: Option<&'a Dockerfile>,
    /// The shell of each `RUN` that could be parsed: (instruction index, script).
    pub scripts: &'a [(usize, crate::shell::Script)],
    /// The settings of the configuration in effect that rules read.
    pub settings: &'a RuleSettings,
    /// Facts about every manifest in the scan, for whole-set rules.
    pub set: &'a crate::k8s::SetFacts,
}

impl<'a> Context<'a> {
    pub fn text(&self, file: usize) -> &'a str {
        &self.files[file].text
    }
}

/// A rule as the engine runs it. Rule files do not implement it by hand: `declare_rule!` does,
/// from the metadata and the file's `Check`.
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

/// A rule's detection: the one part of the rule API a rule file implements.
pub trait Check {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}
