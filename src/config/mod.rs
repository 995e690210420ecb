//! Configuration: `.rampart.toml` found by walking up from each file (nearest wins, `extend`
//! inherits), or one file given with `--config`; command-line flags on top.
//!
//! - [`load`]: the file format, and reading a file with what it extends;
//! - [`validate`]: checks of the values, with errors located in the file and did-you-mean hints;
//! - [`overrides`]: `[[overrides]]`, settings for the paths that match globs;
//! - [`effective`]: what a configuration answers for each rule (enabled? which severity?),
//!   worked out once instead of matching selectors for every question;
//! - [`resolve`]: which configuration applies to a directory, cached;
//! - [`write`]: the configuration as TOML, for `rampart config`.

mod effective;
mod load;
mod overrides;
mod resolve;
mod validate;
mod write;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::GlobSet;

use crate::rule::{DocsUrl, Domain, Finding, RuleMeta, Severity};

pub(crate) use crate::suggest::did_you_mean;
pub(crate) use effective::Effective;
pub(crate) use load::policies_of;
pub(crate) use overrides::Override;
pub(crate) use resolve::Resolver;
pub(crate) use validate::path_globs;

/// The configuration file looked for in each directory upward.
pub(crate) const FILE_NAME: &str = ".rampart.toml";

/// Profiles: named rule sets, selected like tags.
pub(crate) const PROFILES: &[(&str, &str)] = &[
    (
        "pss-baseline",
        "rules of the Pod Security Standards Baseline level",
    ),
    (
        "pss-restricted",
        "rules of the Pod Security Standards Baseline and Restricted levels",
    ),
    ("all", "every rule, including those off by default"),
];

#[derive(Clone, Debug)]
pub struct Config {
    /// When not empty, only these rules (codes, names, tags, profiles) run.
    pub select: Vec<String>,
    /// Rules that never run.
    pub ignore: Vec<String>,
    /// Files larger than this are reported, not read.
    pub max_file_size: u64,
    /// Lowest severity that makes the run fail (exit 1).
    pub fail_on: Severity,
    /// Severity overrides: selector → severity, later entries win.
    pub severity: Vec<(String, Severity)>,
    /// Settings for paths matching globs.
    pub(crate) overrides: Vec<Override>,
    /// Paths not scanned (globs relative to `root`).
    pub exclude: Vec<String>,
    /// Registries images may come from (empty: any).
    pub allowed_registries: Vec<String>,
    /// Kubernetes version for versioned checks.
    pub kubernetes_version: Option<String>,
    /// The scanned manifests hold every NetworkPolicy of the cluster: a namespace with none is
    /// uncovered (otherwise only namespaces with a policy in the scan are judged).
    pub network_policies_complete: bool,
    /// Suppressions must give a reason.
    pub require_suppression_reason: bool,
    /// Where rule pages are (`docs-url`), when not the project's own.
    pub docs_url: Option<DocsUrl>,
    /// Renders of the overlays and charts this configuration covers may be kept in, and taken
    /// from, the user's render cache (`render-cache = false` turns it off for them).
    pub render_cache: bool,
    /// Users' rule files and directories (`policies`), resolved against the file's directory.
    pub policies: Vec<PathBuf>,
    /// Directory that path globs are relative to (the config file's directory).
    pub root: Option<PathBuf>,
    /// Files this configuration was read from, nearest first.
    pub sources: Vec<PathBuf>,
    /// `exclude` compiled.
    pub(crate) exclude_matcher: Matcher,
    /// The answers for every rule, worked out by the [`Resolver`]. `None` for a configuration
    /// built by hand; then, and when `select`, `ignore` or `severity` were changed after the
    /// answers were worked out, the selectors answer directly (the same answers, more slowly).
    pub(crate) effective: Option<Arc<Effective>>,
}

/// Compiled path globs (shared: the configuration of every file holds a copy).
#[derive(Clone, Debug, Default)]
pub(crate) struct Matcher(Option<Arc<GlobSet>>);

impl Default for Config {
    fn default() -> Config {
        Config {
            select: Vec::new(),
            ignore: Vec::new(),
            max_file_size: 10 * 1024 * 1024,
            fail_on: Severity::Low,
            severity: Vec::new(),
            overrides: Vec::new(),
            exclude: Vec::new(),
            allowed_registries: Vec::new(),
            kubernetes_version: None,
            network_policies_complete: false,
            render_cache: true,
            require_suppression_reason: true,
            docs_url: None,
            policies: Vec::new(),
            root: None,
            sources: Vec::new(),
            exclude_matcher: Matcher::default(),
            effective: None,
        }
    }
}

/// Flags from the command line; they win over files.
#[derive(Clone, Debug, Default)]
pub(crate) struct CliSettings {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    pub max_file_size: Option<u64>,
    pub profile: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{path}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Config {
    /// Command-line flags on top of the files.
    pub(crate) fn apply_cli(&mut self, cli: &CliSettings) {
        if let Some(p) = &cli.profile {
            self.select = vec![p.clone()];
        }
        if !cli.select.is_empty() {
            self.select = cli.select.clone();
        }
        self.ignore.extend(cli.ignore.iter().cloned());
        if let Some(f) = cli.fail_on {
            self.fail_on = f;
        }
        if let Some(m) = cli.max_file_size {
            self.max_file_size = m;
        }
        // The selectors changed: answers worked out before no longer apply.
        self.effective = None;
    }

    /// Is the path excluded by this configuration's `exclude`?
    pub(crate) fn is_excluded(&self, path: &Path) -> bool {
        let (Some(set), Some(root)) = (&self.exclude_matcher.0, &self.root) else {
            return false;
        };
        let abs = absolute(path);
        let rel = abs.strip_prefix(absolute(root)).unwrap_or(&abs);
        set.is_match(rel)
    }

    /// Does this rule run?
    pub(crate) fn is_enabled(&self, meta: &RuleMeta) -> bool {
        match self.worked_out(meta) {
            Some((e, i)) => e.enabled_at(i),
            None => self.selects(meta),
        }
    }

    /// The severity a finding of this rule gets.
    pub(crate) fn severity_of(&self, meta: &RuleMeta) -> Severity {
        match self.worked_out(meta) {
            Some((e, i)) => e.severity_at(i),
            None => self.severity_by_selectors(meta),
        }
    }

    /// The answers worked out for this configuration, if they still hold, and the rule's place
    /// in them.
    fn worked_out(&self, meta: &RuleMeta) -> Option<(&Effective, usize)> {
        let e = self.effective.as_deref().filter(|e| e.built_from(self))?;
        Some((e, e.position(meta)?))
    }

    /// [`Config::is_enabled`] from the selectors: `ignore` first, then `select` (or the
    /// rule's default). A rule whose own selectors leave it off still runs when `select`
    /// names one of its peer IDs (`CKV_K8S_13`): [`Config::keeps`] then keeps the findings
    /// that carry it.
    pub(crate) fn selects(&self, meta: &RuleMeta) -> bool {
        self.selects_rule(meta)
            || !self.ignore.iter().any(|s| meta.matches(s))
                && meta.domain != Domain::Input
                && self.select.iter().any(|s| meta.equivalents.has(s))
    }

    /// Do the rule's own selectors (code, name, tag, profile) turn it on?
    fn selects_rule(&self, meta: &RuleMeta) -> bool {
        if self.ignore.iter().any(|s| meta.matches(s)) {
            return false;
        }
        // Diagnostics that a file, or part of it, went unchecked (tagged `input`: unparsable,
        // unreadable, an internal error, the evaluation budget spent, a module not available)
        // are on unless ignored: a gate that selects a few rules must not pass because it
        // could not read what it was given. Other input diagnostics (unused suppressions)
        // follow `select` like any rule.
        if meta.domain == Domain::Input && meta.tags.contains(&"input") {
            return true;
        }
        if self.select.is_empty() {
            meta.enabled_by_default
        } else {
            self.select
                .iter()
                .any(|s| meta.matches(s) || (s == "default" && meta.enabled_by_default))
        }
    }

    /// Does the configuration name this rule itself (by code, name or alias, in `select` or
    /// `[severity]`), rather than through a tag, a code prefix, a profile or `all`? Input
    /// diagnostics that are said once per scan by default (modules not available) are
    /// findings then.
    pub(crate) fn asks_for(&self, meta: &RuleMeta) -> bool {
        let names = |s: &str| {
            let s = s.trim();
            s.eq_ignore_ascii_case(meta.code)
                || s.eq_ignore_ascii_case(meta.name)
                || meta.aliases.iter().any(|a| s.eq_ignore_ascii_case(a))
        };
        self.is_enabled(meta)
            && (self.select.iter().any(|s| names(s)) || self.severity.iter().any(|(s, _)| names(s)))
    }

    /// Is a finding of a rule that runs reported? Peer IDs name findings, not rules: an
    /// `ignore` entry drops the findings that carry it, and where the rule's own selectors
    /// leave it off, a `select` entry keeps the findings that carry it.
    pub(crate) fn keeps(&self, finding: &Finding) -> bool {
        if !self.is_enabled(finding.meta) {
            return false;
        }
        if !self.names_peers_of(finding.meta) {
            return true;
        }
        !self.ignore.iter().any(|s| finding.carries(s))
            && (self.selects_rule(finding.meta) || self.select.iter().any(|s| finding.carries(s)))
    }

    /// The severity of a finding: the last `[severity]` entry naming its rule or a peer ID
    /// it carries.
    pub(crate) fn severity_of_finding(&self, finding: &Finding) -> Severity {
        if !self.names_peers_of(finding.meta) {
            return self.severity_of(finding.meta);
        }
        self.severity
            .iter()
            .rev()
            .find(|(s, _)| finding.meta.matches(s) || finding.carries(s))
            .map(|(_, sev)| *sev)
            .unwrap_or(finding.meta.severity)
    }

    /// Does a selector of this configuration name one of the rule's peer IDs?
    fn names_peers_of(&self, meta: &RuleMeta) -> bool {
        !meta.equivalents.is_empty()
            && self
                .select
                .iter()
                .chain(&self.ignore)
                .chain(self.severity.iter().map(|(s, _)| s))
                .any(|s| meta.equivalents.has(s))
    }

    /// [`Config::severity_of`] from the selectors: the last override naming the rule.
    pub(crate) fn severity_by_selectors(&self, meta: &RuleMeta) -> Severity {
        self.severity
            .iter()
            .rev()
            .find(|(s, _)| meta.matches(s))
            .map(|(_, sev)| *sev)
            .unwrap_or(meta.severity)
    }
}

/// The `.rampart.toml` that applies to `dir`: the nearest one upward.
pub fn nearest_file(dir: &Path) -> Option<PathBuf> {
    absolute(dir)
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// The path made absolute against the working directory (no file system access).
pub(crate) fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    // `./` parts say nothing (`/repo/./.rampart.toml` is `/repo/.rampart.toml`); `..` is kept,
    // since a link may stand before it.
    joined
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    pub(crate) fn rules() -> Vec<&'static RuleMeta> {
        crate::rules::metas()
    }

    #[test]
    fn excludes_are_relative_to_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, FILE_NAME, "exclude = [\"vendor\", \"gen/*.yaml\"]\n");
        let r = Resolver::new(None, CliSettings::default(), rules()).unwrap();
        let c = r.for_dir(d).unwrap();
        assert!(c.is_excluded(&d.join("a/vendor/x.yaml")));
        assert!(c.is_excluded(&d.join("gen/x.yaml")));
        assert!(!c.is_excluded(&d.join("src/x.yaml")));
    }

    #[test]
    fn cli_flags_win() {
        let mut c = Config {
            select: vec!["K8S-001".into()],
            ..Config::default()
        };
        c.apply_cli(&CliSettings {
            select: vec!["K8S-002".into()],
            ignore: vec!["K8S-003".into()],
            fail_on: Some(Severity::High),
            ..CliSettings::default()
        });
        assert_eq!(c.select, ["K8S-002"]);
        assert_eq!(c.ignore, ["K8S-003"]);
        assert_eq!(c.fail_on, Severity::High);
    }
}
