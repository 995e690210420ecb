//! The rule API: metadata, the context a rule sees, and findings.

use std::fmt;

use crate::fix::Fix;
use crate::model::{Node, Resource};
use crate::parse::dockerfile::Dockerfile;
use crate::source::{FileKind, SourceFile, Span};

mod peers;

pub use peers::{Equivalents, Fit, Peer};

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

    pub(crate) fn parse(s: &str) -> Option<Severity> {
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
            (
                Domain::Kubernetes,
                FileKind::Kubernetes | FileKind::Terraform
            ) | (Domain::Dockerfile, FileKind::Dockerfile)
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
    pub(crate) const DEFAULT: RuleMeta = RuleMeta {
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
    pub(crate) fn matches(&self, selector: &str) -> bool {
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

    /// The rule's page among the project's own docs ([`DocsUrl::project`]).
    pub fn help_uri(&self) -> String {
        DocsUrl::project().link(self)
    }
}

/// Where rule pages are: a URL template in which `{code}` and `{name}` stand for the rule's
/// code and name. The project's own pages by default; a fork or a mirror sets its own
/// (`docs-url` in `.rampart.toml`, `--docs-url`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocsUrl(String);

/// The longest template accepted.
const MAX_DOCS_URL: usize = 2048;

impl DocsUrl {
    /// `docs/rules/CODE.md` (the generated pages) on the project's repository, as Cargo.toml's
    /// `repository` names it.
    pub fn project() -> DocsUrl {
        DocsUrl(format!(
            "{}/blob/main/docs/rules/{{code}}.md",
            env!("CARGO_PKG_REPOSITORY").trim_end_matches('/')
        ))
    }

    /// A template as a user writes it: an `http` or `https` URL with a host, holding `{code}`
    /// or `{name}` and no other braces, without spaces or control characters (it ends up in
    /// terminals, SARIF and editors), at most 2 KiB.
    pub fn parse(template: &str) -> Result<DocsUrl, String> {
        let shown = crate::text::line(template);
        if template.len() > MAX_DOCS_URL {
            return Err(format!("docs URL is longer than {MAX_DOCS_URL} bytes"));
        }
        if template
            .chars()
            .any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(format!(
                "docs URL `{shown}` holds a space or a control character"
            ));
        }
        let lower = template.to_ascii_lowercase();
        let Some(rest) = ["https://", "http://"]
            .iter()
            .find_map(|scheme| lower.strip_prefix(scheme))
        else {
            return Err(format!(
                "docs URL `{shown}` is not an http:// or https:// URL"
            ));
        };
        if rest.split(['/', '?', '#']).next().is_none_or(str::is_empty) {
            return Err(format!("docs URL `{shown}` has no host"));
        }
        let placeholders = ["{code}", "{name}"];
        if !placeholders.iter().any(|p| template.contains(p)) {
            return Err(format!(
                "docs URL `{shown}` names no rule: put `{{code}}` or `{{name}}` where the rule goes"
            ));
        }
        let left = placeholders
            .iter()
            .fold(template.to_string(), |t, p| t.replace(p, ""));
        if left.contains(['{', '}']) {
            return Err(format!(
                "docs URL `{shown}` has a brace that is not `{{code}}` or `{{name}}`"
            ));
        }
        Ok(DocsUrl(template.to_string()))
    }

    /// The template as given.
    pub fn template(&self) -> &str {
        &self.0
    }

    /// The page of one rule.
    pub fn link(&self, meta: &RuleMeta) -> String {
        self.0
            .replace("{code}", meta.code)
            .replace("{name}", meta.name)
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
        pub(crate) struct $ty;
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
    /// The subjects the finding is about (`memory`, `SYS_ADMIN`), which decide the peer IDs it
    /// carries; `None`: it carries all the rule's equivalents.
    pub about: Option<Vec<&'static str>>,
    /// For a finding in what a render tool built that was placed in a real file (the base,
    /// the patch, the template): where it is in the rendered text. Its fingerprint is taken
    /// from there, as it was before findings were placed.
    pub rendered: Option<Related>,
}

impl Finding {
    pub(crate) fn new(
        meta: &'static RuleMeta,
        file: usize,
        span: Span,
        message: String,
    ) -> Finding {
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
            about: None,
            rendered: None,
        }
    }

    /// The finding is about `subject` (a resource such as `memory`, a capability, a probe):
    /// of the rule's equivalents narrowed to a subject (`Peer::about`), it carries those of
    /// its subjects only. A subject no equivalent names still narrows the finding.
    pub(crate) fn about(mut self, subject: &str) -> Finding {
        self.add_about(subject);
        self
    }

    /// [`Finding::about`] on a finding already made (one a shared helper pushed).
    pub(crate) fn add_about(&mut self, subject: &str) {
        let known = self
            .meta
            .equivalents
            .peers()
            .map(|(_, p)| p.about)
            .find(|a| !a.is_empty() && a.eq_ignore_ascii_case(subject));
        let about = self.about.get_or_insert_with(Vec::new);
        about.extend(known.filter(|k| !about.contains(k)));
    }

    /// The finding is about the first subject of `by_type` whose Terraform resource type
    /// (`aws_rds_cluster`) is the type of the finding's resource.
    pub(crate) fn about_type(&mut self, by_type: &[(&str, &str)]) {
        let name = self.resource.as_deref().unwrap_or_default();
        // `aws_rds_cluster.main`, `aws_rds_cluster.main["a.b"]`, or
        // `module.db[0].aws_rds_cluster.main` from a module: the type is one of the parts.
        let mut parts = name.split(['.', '[', ']']);
        let ty = parts.find(|p| by_type.iter().any(|(t, _)| t == p));
        match by_type.iter().find(|(t, _)| Some(*t) == ty) {
            Some((_, subject)) => self.add_about(subject),
            None => {
                self.about.get_or_insert_with(Vec::new);
            }
        }
    }

    /// The equivalents of other scanners this finding is about, by scanner.
    pub fn equivalents(&self) -> impl Iterator<Item = (&'static str, &'static Peer)> + '_ {
        self.meta
            .equivalents
            .peers()
            .filter(|(_, p)| p.applies_to(self.about.as_deref()))
    }

    /// Does the finding carry the peer ID `id` (any case)?
    pub fn carries(&self, id: &str) -> bool {
        let id = id.trim();
        self.equivalents()
            .any(|(_, p)| p.id.eq_ignore_ascii_case(id))
    }

    /// A finding about `resource`: takes its file, name and provenance.
    pub(crate) fn on(
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
    pub(crate) fn within(mut self, span: Span) -> Finding {
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
pub(crate) struct RuleSettings {
    /// Registries images may come from (empty: any).
    pub allowed_registries: Vec<String>,
    /// The Kubernetes version versioned checks judge by.
    pub kubernetes_version: Option<String>,
    /// The scanned manifests hold every NetworkPolicy of the cluster.
    pub network_policies_complete: bool,
}

/// What a rule sees: the files linted together (one file, or a Terraform module's files) and
/// their resources.
pub(crate) struct Context<'a> {
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
    pub(crate) fn text(&self, file: usize) -> &'a str {
        &self.files[file].text
    }
}

/// A rule as the engine runs it. Rule files do not implement it by hand: `declare_rule!` does,
/// from the metadata and the file's `Check`.
pub(crate) trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

/// A rule's detection: the one part of the rule API a rule file implements.
pub(crate) trait Check {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

#[cfg(test)]
mod tests {
    use super::*;

    const META: RuleMeta = RuleMeta {
        code: "K8S-001",
        name: "privileged-container",
        ..RuleMeta::DEFAULT
    };

    #[test]
    fn a_docs_url_names_the_rule_by_code_and_name() {
        let url = DocsUrl::parse("https://docs.example.com/rules/{code}-{name}.html").unwrap();
        assert_eq!(
            url.link(&META),
            "https://docs.example.com/rules/K8S-001-privileged-container.html"
        );
        assert_eq!(
            DocsUrl::project().link(&META),
            "https://github.com/rampart-lint/rampart/blob/main/docs/rules/K8S-001.md"
        );
    }

    #[test]
    fn a_docs_url_is_refused_unless_it_is_a_plain_web_url_with_the_rule_in_it() {
        for (template, why) in [
            ("file:///etc/{code}", "not an http"),
            ("javascript:alert({code})", "not an http"),
            ("https:///{code}", "no host"),
            ("https://x.example/{code}\u{1b}[2J", "control character"),
            ("https://x.example/{code}\n", "control character"),
            ("https://x.example/ {code}", "space"),
            ("https://x.example/rules.html", "names no rule"),
            ("https://x.example/{id}/{code}", "brace"),
        ] {
            let err = DocsUrl::parse(template).unwrap_err();
            assert!(err.contains(why), "{template:?}: {err}");
            assert!(!err.contains('\u{1b}') && !err.contains('\n'), "{err:?}");
        }
        let long = format!("https://x.example/{}{{code}}", "a".repeat(3000));
        assert!(DocsUrl::parse(&long).unwrap_err().contains("longer"));
        assert!(DocsUrl::parse("HTTP://x.example/{name}").is_ok());
    }
}
