//! Configuration: `.rampart.toml` found by walking up from each file (nearest wins, `extend`
//! inherits), or one file given with `--config`; command-line flags on top.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::rule::{Domain, RuleMeta, Severity};
use crate::source::LineIndex;

pub use crate::suggest::did_you_mean;

pub const FILE_NAME: &str = ".rampart.toml";

/// Profiles: named rule sets, selected like tags.
pub const PROFILES: &[(&str, &str)] = &[
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
    pub overrides: Vec<Override>,
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
    /// Directory that path globs are relative to (the config file's directory).
    pub root: Option<PathBuf>,
    /// Files this configuration was read from, nearest first.
    pub sources: Vec<PathBuf>,
    /// `exclude` compiled.
    pub exclude_matcher: Matcher,
}

/// Compiled path globs.
#[derive(Clone, Debug, Default)]
pub struct Matcher(Option<GlobSet>);

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
            require_suppression_reason: true,
            root: None,
            sources: Vec::new(),
            exclude_matcher: Matcher::default(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Override {
    pub files: Vec<String>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: Vec<(String, Severity)>,
    root: PathBuf,
    matcher: GlobSet,
}

/// Flags from the command line; they win over files.
#[derive(Clone, Debug, Default)]
pub struct CliSettings {
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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    extend: Option<String>,
    profile: Option<String>,
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    fail_on: Option<String>,
    max_file_size: Option<u64>,
    exclude: Option<Vec<String>>,
    allowed_registries: Option<Vec<String>>,
    kubernetes_version: Option<String>,
    network_policies_complete: Option<bool>,
    require_suppression_reason: Option<bool>,
    severity: Option<std::collections::BTreeMap<String, String>>,
    overrides: Option<Vec<RawOverride>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOverride {
    files: Vec<String>,
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    severity: Option<std::collections::BTreeMap<String, String>>,
}

const KEYS: &[&str] = &[
    "extend",
    "profile",
    "select",
    "ignore",
    "fail-on",
    "max-file-size",
    "exclude",
    "allowed-registries",
    "kubernetes-version",
    "network-policies-complete",
    "require-suppression-reason",
    "severity",
    "overrides",
    "files",
];

/// Every word a selector may be: codes, names, aliases, tags, profiles.
fn selector_words(rules: &[&'static RuleMeta]) -> Vec<&'static str> {
    let mut words: Vec<&'static str> = vec!["all"];
    for m in rules {
        words.push(m.code);
        words.push(m.name);
        words.extend(m.aliases.iter().copied());
        words.extend(m.tags.iter().copied());
    }
    words.extend(PROFILES.iter().map(|(p, _)| *p));
    words.sort();
    words.dedup();
    words
}

pub fn selector_known(selector: &str, rules: &[&'static RuleMeta]) -> bool {
    rules.iter().any(|m| m.matches(selector))
        || PROFILES
            .iter()
            .any(|(p, _)| p.eq_ignore_ascii_case(selector))
}

fn error_at(path: &Path, text: &str, offset: usize, message: String) -> ConfigError {
    let pos = LineIndex::new(text).position(offset, crate::source::ColumnUnit::Chars);
    ConfigError {
        path: path.display().to_string(),
        line: pos.line,
        column: pos.column,
        message,
    }
}

/// Where a quoted word first appears in the text (for errors about values).
fn offset_of_value(text: &str, value: &str) -> usize {
    text.find(&format!("\"{value}\""))
        .or_else(|| text.find(&format!("'{value}'")))
        .or_else(|| text.find(value))
        .unwrap_or(0)
}

fn parse_severities(
    map: Option<std::collections::BTreeMap<String, String>>,
    path: &Path,
    text: &str,
    rules: &[&'static RuleMeta],
) -> Result<Vec<(String, Severity)>, ConfigError> {
    let mut out = Vec::new();
    for (selector, value) in map.unwrap_or_default() {
        check_selectors(std::slice::from_ref(&selector), path, text, rules)?;
        let Some(sev) = Severity::parse(&value) else {
            return Err(error_at(
                path,
                text,
                offset_of_value(text, &value),
                format!("`{value}` is not a severity (critical, high, medium, low)"),
            ));
        };
        out.push((selector, sev));
    }
    Ok(out)
}

fn check_selectors(
    selectors: &[String],
    path: &Path,
    text: &str,
    rules: &[&'static RuleMeta],
) -> Result<(), ConfigError> {
    for s in selectors {
        if !selector_known(s, rules) {
            let hint = did_you_mean(s, selector_words(rules))
                .map(|w| format!("; did you mean `{w}`?"))
                .unwrap_or_default();
            return Err(error_at(
                path,
                text,
                offset_of_value(text, s),
                format!("unknown rule, name, tag or profile `{s}`{hint}"),
            ));
        }
    }
    Ok(())
}

/// Compile path globs the way `--exclude` and `.rampart.toml` write them: a pattern without
/// `/` matches at any depth, and a directory's pattern matches everything below it. On error,
/// the pattern at fault and the reason.
pub fn path_globs(patterns: &[String]) -> Result<GlobSet, (String, String)> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let trimmed = p.trim_start_matches("./").trim_end_matches('/');
        let pattern = if trimmed.contains('/') {
            trimmed.to_string()
        } else {
            format!("**/{trimmed}")
        };
        for pat in [pattern.clone(), format!("{pattern}/**")] {
            builder.add(Glob::new(&pat).map_err(|e| (p.clone(), e.to_string()))?);
        }
    }
    builder
        .build()
        .map_err(|e| (patterns.join(" "), e.to_string()))
}

fn glob_set(patterns: &[String], path: &Path, text: &str) -> Result<GlobSet, ConfigError> {
    path_globs(patterns).map_err(|(p, e)| {
        error_at(
            path,
            text,
            offset_of_value(text, &p),
            format!("invalid glob `{p}`: {e}"),
        )
    })
}

impl Config {
    /// Read a configuration file (and what it extends).
    pub fn load(path: &Path, rules: &[&'static RuleMeta]) -> Result<Config, ConfigError> {
        Config::load_depth(path, rules, 0)
    }

    fn load_depth(
        path: &Path,
        rules: &[&'static RuleMeta],
        depth: usize,
    ) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.display().to_string(),
            line: 1,
            column: 1,
            message: format!("cannot read configuration: {e}"),
        })?;
        let raw: RawConfig = toml::from_str(&text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            let mut message = e.message().trim().to_string();
            if let Some(unknown) = message
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next())
            {
                // The keys of the table it is in (serde lists them: `expected one of `a`, `b``),
                // which for `[[overrides]]` are not the top-level ones.
                let expected: Vec<&str> = message
                    .split_once("expected ")
                    .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
                    .unwrap_or_default();
                let here: Vec<&str> = if expected.is_empty() {
                    KEYS.to_vec()
                } else {
                    expected
                };
                let hint = match did_you_mean(unknown, here.iter().copied()) {
                    Some(k) if k != unknown => format!("; did you mean `{k}`?"),
                    _ if KEYS.contains(&unknown) => format!(
                        " in this table (it belongs at the top level); this table takes {}",
                        here.iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    _ => String::new(),
                };
                message = format!("unknown key `{unknown}`{hint}");
            }
            error_at(path, &text, offset, message)
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut config = match &raw.extend {
            Some(parent) => {
                if depth > 16 {
                    return Err(error_at(
                        path,
                        &text,
                        0,
                        "`extend` chain is too long (a cycle?)".into(),
                    ));
                }
                let parent_path = dir.join(parent);
                if !parent_path.is_file() {
                    return Err(error_at(
                        path,
                        &text,
                        offset_of_value(&text, parent),
                        format!(
                            "`extend` names {}, which does not exist",
                            parent_path.display()
                        ),
                    ));
                }
                Config::load_depth(&parent_path, rules, depth + 1)?
            }
            None => Config::default(),
        };
        config.sources.insert(0, path.to_path_buf());
        if let Some(p) = &raw.profile {
            check_selectors(std::slice::from_ref(p), path, &text, rules)?;
            config.select = vec![p.clone()];
        }
        if let Some(select) = raw.select {
            check_selectors(&select, path, &text, rules)?;
            config.select = select;
        }
        if let Some(ignore) = raw.ignore {
            check_selectors(&ignore, path, &text, rules)?;
            config.ignore.extend(ignore);
        }
        if let Some(f) = raw.fail_on {
            config.fail_on = Severity::parse(&f).ok_or_else(|| {
                error_at(
                    path,
                    &text,
                    offset_of_value(&text, &f),
                    format!("`{f}` is not a severity (critical, high, medium, low)"),
                )
            })?;
        }
        if let Some(m) = raw.max_file_size {
            config.max_file_size = m;
        }
        if let Some(exclude) = raw.exclude {
            config.exclude_matcher = Matcher(Some(glob_set(&exclude, path, &text)?));
            config.exclude = exclude;
            config.root = Some(dir.clone());
        }
        if let Some(r) = raw.allowed_registries {
            config.allowed_registries = r;
        }
        if let Some(v) = raw.kubernetes_version {
            let ok = v
                .trim_start_matches('v')
                .split('.')
                .take(2)
                .all(|p| p.parse::<u32>().is_ok());
            if !ok {
                return Err(error_at(
                    path,
                    &text,
                    offset_of_value(&text, &v),
                    format!("`{v}` is not a Kubernetes version like \"1.30\""),
                ));
            }
            config.kubernetes_version = Some(v);
        }
        if let Some(c) = raw.network_policies_complete {
            config.network_policies_complete = c;
        }
        if let Some(r) = raw.require_suppression_reason {
            config.require_suppression_reason = r;
        }
        config
            .severity
            .extend(parse_severities(raw.severity, path, &text, rules)?);
        for o in raw.overrides.unwrap_or_default() {
            let select = o.select.unwrap_or_default();
            let ignore = o.ignore.unwrap_or_default();
            check_selectors(&select, path, &text, rules)?;
            check_selectors(&ignore, path, &text, rules)?;
            config.overrides.push(Override {
                matcher: glob_set(&o.files, path, &text)?,
                files: o.files,
                select,
                ignore,
                severity: parse_severities(o.severity, path, &text, rules)?,
                root: dir.clone(),
            });
        }
        Ok(config)
    }

    /// Command-line flags on top of the files.
    pub fn apply_cli(&mut self, cli: &CliSettings) {
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
    }

    /// The configuration for one file: overrides whose globs match it applied.
    pub fn for_file(&self, path: &Path) -> Config {
        let mut out = self.clone();
        out.overrides.clear();
        for o in &self.overrides {
            let abs = absolute(path);
            let rel = abs.strip_prefix(absolute(&o.root)).unwrap_or(&abs);
            if o.matcher.is_match(rel) {
                if !o.select.is_empty() && !out.select.is_empty() {
                    out.select.extend(o.select.iter().cloned());
                } else if !o.select.is_empty() {
                    // Selecting on top of the defaults: keep every default rule as well.
                    out.select = std::iter::once("default".to_string())
                        .chain(o.select.iter().cloned())
                        .collect();
                }
                out.ignore.extend(o.ignore.iter().cloned());
                out.severity.extend(o.severity.iter().cloned());
            }
        }
        out
    }

    /// Is the path excluded by this configuration's `exclude`?
    pub fn is_excluded(&self, path: &Path) -> bool {
        let (Some(set), Some(root)) = (&self.exclude_matcher.0, &self.root) else {
            return false;
        };
        let abs = absolute(path);
        let rel = abs.strip_prefix(absolute(root)).unwrap_or(&abs);
        set.is_match(rel)
    }

    pub fn is_enabled(&self, meta: &RuleMeta) -> bool {
        if self.ignore.iter().any(|s| meta.matches(s)) {
            return false;
        }
        // Diagnostics about the input are always on unless ignored by name.
        if meta.domain == Domain::Input {
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

    /// The severity a finding of this rule gets.
    pub fn severity_of(&self, meta: &RuleMeta) -> Severity {
        self.severity
            .iter()
            .rev()
            .find(|(s, _)| meta.matches(s))
            .map(|(_, sev)| *sev)
            .unwrap_or(meta.severity)
    }

    /// Selectors that name no rule: a typo would otherwise silently select nothing.
    pub fn unknown_selectors(&self, rules: &[&'static RuleMeta]) -> Vec<String> {
        self.select
            .iter()
            .chain(&self.ignore)
            .filter(|s| s.as_str() != "default" && !selector_known(s, rules))
            .map(|s| match did_you_mean(s, selector_words(rules)) {
                Some(w) => format!("{s} (did you mean `{w}`?)"),
                None => s.clone(),
            })
            .collect()
    }

    /// The effective configuration as TOML, for `rampart config`.
    pub fn to_toml(&self) -> String {
        let list = |v: &[String]| {
            format!(
                "[{}]",
                v.iter()
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let mut out = String::new();
        if self.sources.is_empty() {
            out.push_str("# no configuration file: defaults and command-line flags\n");
        } else {
            for s in &self.sources {
                let path = s.to_string_lossy();
                let _ = writeln!(out, "# from {}", crate::text::line(&path));
            }
        }
        let _ = writeln!(out, "select = {}", list(&self.select));
        let _ = writeln!(out, "ignore = {}", list(&self.ignore));
        let _ = writeln!(out, "fail-on = \"{}\"", self.fail_on);
        let _ = writeln!(out, "max-file-size = {}", self.max_file_size);
        let _ = writeln!(out, "exclude = {}", list(&self.exclude));
        let _ = writeln!(
            out,
            "allowed-registries = {}",
            list(&self.allowed_registries)
        );
        if let Some(v) = &self.kubernetes_version {
            let _ = writeln!(out, "kubernetes-version = \"{v}\"");
        }
        let _ = writeln!(
            out,
            "network-policies-complete = {}",
            self.network_policies_complete
        );
        let _ = writeln!(
            out,
            "require-suppression-reason = {}",
            self.require_suppression_reason
        );
        if !self.severity.is_empty() {
            out.push_str("\n[severity]\n");
            for (k, v) in &self.severity {
                let _ = writeln!(out, "{k:?} = \"{v}\"");
            }
        }
        for o in &self.overrides {
            out.push_str("\n[[overrides]]\n");
            let _ = writeln!(out, "files = {}", list(&o.files));
            if !o.select.is_empty() {
                let _ = writeln!(out, "select = {}", list(&o.select));
            }
            if !o.ignore.is_empty() {
                let _ = writeln!(out, "ignore = {}", list(&o.ignore));
            }
            for (k, v) in &o.severity {
                let _ = writeln!(out, "severity.{k:?} = \"{v}\"");
            }
        }
        out
    }
}

/// The path made absolute against the working directory (no file system access).
pub fn absolute(p: &Path) -> PathBuf {
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

/// Finds the configuration of each directory: the nearest `.rampart.toml` upward, or the one
/// file given with `--config`, with command-line flags on top. Caches per directory.
pub struct Resolver {
    explicit: Option<Config>,
    cli: CliSettings,
    rules: Vec<&'static RuleMeta>,
    cache: Mutex<HashMap<PathBuf, Arc<Config>>>,
}

impl Resolver {
    pub fn new(
        explicit: Option<&Path>,
        cli: CliSettings,
        rules: Vec<&'static RuleMeta>,
    ) -> Result<Resolver, ConfigError> {
        let explicit = match explicit {
            Some(p) => {
                let mut c = Config::load(p, &rules)?;
                c.apply_cli(&cli);
                Some(c)
            }
            None => None,
        };
        Ok(Resolver {
            explicit,
            cli,
            rules,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Configuration with no file at all (stdin without a name).
    pub fn defaults(&self) -> Config {
        let mut c = self.explicit.clone().unwrap_or_default();
        if self.explicit.is_none() {
            c.apply_cli(&self.cli);
        }
        c
    }

    /// The configuration that applies to files in `dir`.
    pub fn for_dir(&self, dir: &Path) -> Result<Arc<Config>, ConfigError> {
        if let Some(c) = &self.explicit {
            return Ok(Arc::new(c.clone()));
        }
        let abs = absolute(dir);
        if let Some(c) = self.cache.lock().expect("config cache").get(&abs) {
            return Ok(c.clone());
        }
        let found = abs
            .ancestors()
            .map(|d| d.join(FILE_NAME))
            .find(|p| p.is_file());
        let config = match found {
            Some(file) => {
                let parent = file.parent().expect("a file has a directory").to_path_buf();
                if parent != abs {
                    // Share the result with the directory that holds the file.
                    let c = self.for_dir(&parent)?;
                    self.cache
                        .lock()
                        .expect("config cache")
                        .insert(abs, c.clone());
                    return Ok(c);
                }
                let mut c = Config::load(&file, &self.rules)?;
                c.apply_cli(&self.cli);
                Arc::new(c)
            }
            None => Arc::new(self.defaults()),
        };
        self.cache
            .lock()
            .expect("config cache")
            .insert(abs, config.clone());
        Ok(config)
    }

    /// The configuration for one file, overrides applied.
    pub fn for_file(&self, path: &Path) -> Result<Config, ConfigError> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Ok(self.for_dir(dir)?.for_file(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    fn rules() -> Vec<&'static RuleMeta> {
        crate::rules::metas()
    }

    #[test]
    fn unknown_keys_are_located_with_a_suggestion() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            FILE_NAME,
            "fail-on = \"high\"\nselet = [\"K8S-001\"]\n",
        );
        let e = Config::load(&p, &rules()).unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert_eq!(e.message, "unknown key `selet`; did you mean `select`?");
        // Inside `[[overrides]]`: its own keys, and a top-level key said to be misplaced.
        let p = write(
            dir.path(),
            "o.toml",
            "[[overrides]]\nfiles = [\"x\"]\nprofile = \"all\"\n",
        );
        let e = Config::load(&p, &rules()).unwrap_err();
        assert_eq!(
            e.message,
            "unknown key `profile` in this table (it belongs at the top level); this table takes `files`, `select`, `ignore`, `severity`"
        );
        let p = write(
            dir.path(),
            "o2.toml",
            "[[overrides]]\nfiles = [\"x\"]\nignor = [\"K8S-001\"]\n",
        );
        let e = Config::load(&p, &rules()).unwrap_err();
        assert_eq!(e.message, "unknown key `ignor`; did you mean `ignore`?");
        let p = write(
            dir.path(),
            "b.toml",
            "[[overrides]]\nfiles = [\"x/**\"]\nignor = []\n",
        );
        let e = Config::load(&p, &rules()).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("did you mean `ignore`"), "{}", e.message);
    }

    #[test]
    fn unknown_rules_and_bad_values_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "a.toml", "ignore = [\"privileged-containr\"]\n");
        let e = Config::load(&p, &rules()).unwrap_err();
        assert!(
            e.message.contains("did you mean `privileged-container`"),
            "{}",
            e.message
        );
        assert_eq!(e.line, 1);
        let p = write(dir.path(), "b.toml", "\n[severity]\nK8S-001 = \"severe\"\n");
        let e = Config::load(&p, &rules()).unwrap_err();
        assert_eq!(e.line, 3);
        let p = write(dir.path(), "c.toml", "kubernetes-version = \"latest\"\n");
        assert!(Config::load(&p, &rules()).is_err());
    }

    #[test]
    fn nearest_file_wins_and_extend_inherits() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(
            d,
            FILE_NAME,
            "ignore = [\"K8S-006\"]\nfail-on = \"high\"\n[severity]\nK8S-005 = \"high\"\n",
        );
        write(
            d,
            "team/.rampart.toml",
            "extend = \"../.rampart.toml\"\nignore = [\"K8S-005\"]\n",
        );
        write(d, "other/.rampart.toml", "select = [\"K8S-001\"]\n");
        let r = Resolver::new(None, CliSettings::default(), rules()).unwrap();
        let team = r.for_dir(&d.join("team/sub")).unwrap();
        assert_eq!(team.ignore, ["K8S-006", "K8S-005"]);
        assert_eq!(team.fail_on, Severity::High);
        assert_eq!(team.sources.len(), 2);
        let other = r.for_dir(&d.join("other")).unwrap();
        assert_eq!(other.select, ["K8S-001"]);
        assert_eq!(other.fail_on, Severity::Low);
        let top = r.for_dir(d).unwrap();
        let k5 = crate::rules::find("K8S-005").unwrap().meta();
        assert_eq!(top.severity_of(k5), Severity::High);
    }

    #[test]
    fn overrides_apply_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(
            d,
            FILE_NAME,
            "[[overrides]]\nfiles = [\"legacy/**\"]\nignore = [\"latest-image-tag\"]\nseverity = { \"K8S-001\" = \"low\" }\n",
        );
        let r = Resolver::new(None, CliSettings::default(), rules()).unwrap();
        let k5 = crate::rules::find("K8S-005").unwrap().meta();
        let k1 = crate::rules::find("K8S-001").unwrap().meta();
        let legacy = r.for_file(&d.join("legacy/app/x.yaml")).unwrap();
        assert!(!legacy.is_enabled(k5));
        assert_eq!(legacy.severity_of(k1), Severity::Low);
        let fresh = r.for_file(&d.join("new/x.yaml")).unwrap();
        assert!(fresh.is_enabled(k5));
        assert_eq!(fresh.severity_of(k1), Severity::Critical);
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
