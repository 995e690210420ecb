//! The `.rampart.toml` format and reading it: the file's keys, what `extend` inherits, and how
//! each key changes the configuration it is read into.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::validate::Checked;
use super::{Config, ConfigError, Matcher, Override};
use crate::rule::{DocsUrl, RuleMeta};
use crate::suggest::did_you_mean;

/// The file as written; `None` for a key it leaves out.
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
    docs_url: Option<String>,
    render_cache: Option<bool>,
    severity: Option<BTreeMap<String, String>>,
    overrides: Option<Vec<RawOverride>>,
    policies: Option<Vec<String>>,
}

/// One `[[overrides]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOverride {
    files: Vec<String>,
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    severity: Option<BTreeMap<String, String>>,
}

/// Every key of the file (top level and `[[overrides]]`), for suggestions.
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
    "docs-url",
    "render-cache",
    "severity",
    "overrides",
    "policies",
    "files",
];

/// How long an `extend` chain may be (a longer one is taken for a cycle).
const MAX_EXTEND_DEPTH: usize = 16;

/// The rule files a configuration file names (`policies`, relative to the file), following
/// `extend`: read before the rules are known, because its rules are checked against them.
/// Errors are left to [`Config::load`], which reads the file again with every rule known.
pub(crate) fn policies_of(path: &Path) -> Vec<std::path::PathBuf> {
    fn walk(path: &Path, depth: usize) -> Vec<std::path::PathBuf> {
        let Ok(text) = std::fs::read_to_string(path) else {
            return Vec::new();
        };
        let Ok(table) = text.parse::<toml::Table>() else {
            return Vec::new();
        };
        let dir = path.parent().unwrap_or(Path::new(""));
        if let Some(list) = table.get("policies").and_then(toml::Value::as_array) {
            return list
                .iter()
                .filter_map(toml::Value::as_str)
                .map(|p| dir.join(p))
                .collect();
        }
        match table.get("extend").and_then(toml::Value::as_str) {
            Some(parent) if depth < MAX_EXTEND_DEPTH => walk(&dir.join(parent), depth + 1),
            _ => Vec::new(),
        }
    }
    walk(path, 0)
}

impl Config {
    /// Read a configuration file (and what it extends).
    pub fn load(path: &Path, rules: &[&'static RuleMeta]) -> Result<Config, ConfigError> {
        load_depth(path, rules, 0)
    }
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
    let file = Checked {
        path,
        text: &text,
        rules,
    };
    let raw: RawConfig = toml::from_str(&text).map_err(|e| syntax_error(&file, &e))?;
    let mut config = match &raw.extend {
        Some(parent) => extended(&file, parent, depth)?,
        None => Config::default(),
    };
    config.sources.insert(0, path.to_path_buf());
    read_into(&mut config, raw, &file)?;
    Ok(config)
}

/// The configuration that `extend = "…"` names, read first so that this file's keys win.
fn extended(file: &Checked, parent: &str, depth: usize) -> Result<Config, ConfigError> {
    if depth > MAX_EXTEND_DEPTH {
        return Err(file.error_at(0, "`extend` chain is too long (a cycle?)".into()));
    }
    let dir = file.path.parent().unwrap_or(Path::new(""));
    let parent_path = dir.join(parent);
    if !parent_path.is_file() {
        return Err(file.error_about(
            parent,
            format!(
                "`extend` names {}, which does not exist",
                parent_path.display()
            ),
        ));
    }
    load_depth(&parent_path, file.rules, depth + 1)
}

/// A TOML error located in the file; an unknown key gets the key it probably meant.
fn syntax_error(file: &Checked, e: &toml::de::Error) -> ConfigError {
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
    file.error_at(offset, message)
}

/// The file's keys on top of `config` (what it extends, or the defaults), checked in the order
/// they are listed here, so that the first error reported is always the same one.
fn read_into(config: &mut Config, raw: RawConfig, file: &Checked) -> Result<(), ConfigError> {
    let dir = file
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    if let Some(p) = &raw.profile {
        file.selectors(std::slice::from_ref(p))?;
        config.select = vec![p.clone()];
    }
    if let Some(select) = raw.select {
        file.selectors(&select)?;
        config.select = select;
    }
    if let Some(ignore) = raw.ignore {
        file.selectors(&ignore)?;
        config.ignore.extend(ignore);
    }
    if let Some(f) = raw.fail_on {
        config.fail_on = file.severity(&f)?;
    }
    if let Some(m) = raw.max_file_size {
        config.max_file_size = m;
    }
    if let Some(exclude) = raw.exclude {
        config.exclude_matcher = Matcher(Some(file.globs(&exclude)?.into()));
        config.exclude = exclude;
        config.root = Some(dir.clone());
    }
    if let Some(r) = raw.allowed_registries {
        config.allowed_registries = r;
    }
    if let Some(v) = raw.kubernetes_version {
        file.kubernetes_version(&v)?;
        config.kubernetes_version = Some(v);
    }
    if let Some(c) = raw.network_policies_complete {
        config.network_policies_complete = c;
    }
    if let Some(r) = raw.require_suppression_reason {
        config.require_suppression_reason = r;
    }
    if let Some(u) = raw.docs_url {
        let url = DocsUrl::parse(&u).map_err(|why| file.error_about(&u, why))?;
        config.docs_url = Some(url);
    }
    if let Some(c) = raw.render_cache {
        config.render_cache = c;
    }
    if let Some(p) = raw.policies {
        config.policies = p.iter().map(|p| dir.join(p)).collect();
    }
    config.severity.extend(file.severities(raw.severity)?);
    for o in raw.overrides.unwrap_or_default() {
        let select = o.select.unwrap_or_default();
        let ignore = o.ignore.unwrap_or_default();
        file.selectors(&select)?;
        file.selectors(&ignore)?;
        let matcher = file.globs(&o.files)?;
        config.overrides.push(Override {
            files: o.files,
            select,
            ignore,
            severity: file.severities(o.severity)?,
            root: dir.clone(),
            matcher: matcher.into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{rules, write};
    use super::super::FILE_NAME;
    use super::*;

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
    fn an_extend_cycle_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "a.toml", "extend = \"b.toml\"\n");
        write(dir.path(), "b.toml", "extend = \"a.toml\"\n");
        let e = Config::load(&p, &rules()).unwrap_err();
        assert!(e.message.contains("too long"), "{}", e.message);
        let p = write(dir.path(), "c.toml", "extend = \"missing.toml\"\n");
        let e = Config::load(&p, &rules()).unwrap_err();
        assert!(e.message.contains("does not exist"), "{}", e.message);
    }
}
