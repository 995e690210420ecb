//! Checks of configuration values. Every error is located in the file (line and column of the
//! offending value) and, for a misspelt rule, tag or profile, suggests the word it meant.

use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::{Config, ConfigError, PROFILES};
use crate::rule::{RuleMeta, Severity};
use crate::source::{ColumnUnit, LineIndex};
use crate::suggest::did_you_mean;

/// A configuration file being checked: its path and text, for locating errors, and the rules
/// that selectors may name.
pub(super) struct Checked<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub rules: &'a [&'static RuleMeta],
}

impl Checked<'_> {
    /// An error at a byte offset of the file.
    pub(super) fn error_at(&self, offset: usize, message: String) -> ConfigError {
        let pos = LineIndex::new(self.text).position(offset, ColumnUnit::Chars);
        ConfigError {
            path: self.path.display().to_string(),
            line: pos.line,
            column: pos.column,
            message,
        }
    }

    /// An error about a value, at the place the value is first written.
    pub(super) fn error_about(&self, value: &str, message: String) -> ConfigError {
        self.error_at(offset_of_value(self.text, value), message)
    }

    /// Every selector names a rule, tag or profile.
    pub(super) fn selectors(&self, selectors: &[String]) -> Result<(), ConfigError> {
        for s in selectors {
            if !selector_known(s, self.rules) {
                let hint = did_you_mean(s, selector_words(self.rules))
                    .map(|w| format!("; did you mean `{w}`?"))
                    .unwrap_or_default();
                return Err(
                    self.error_about(s, format!("unknown rule, name, tag or profile `{s}`{hint}"))
                );
            }
        }
        Ok(())
    }

    pub(super) fn severity(&self, value: &str) -> Result<Severity, ConfigError> {
        Severity::parse(value).ok_or_else(|| {
            self.error_about(
                value,
                format!("`{value}` is not a severity (critical, high, medium, low)"),
            )
        })
    }

    /// A `[severity]` table: selector → severity, in key order.
    pub(super) fn severities(
        &self,
        map: Option<std::collections::BTreeMap<String, String>>,
    ) -> Result<Vec<(String, Severity)>, ConfigError> {
        let mut out = Vec::new();
        for (selector, value) in map.unwrap_or_default() {
            self.selectors(std::slice::from_ref(&selector))?;
            let sev = self.severity(&value)?;
            out.push((selector, sev));
        }
        Ok(out)
    }

    pub(super) fn globs(&self, patterns: &[String]) -> Result<GlobSet, ConfigError> {
        path_globs(patterns)
            .map_err(|(p, e)| self.error_about(&p, format!("invalid glob `{p}`: {e}")))
    }

    /// `1.30`, `v1.30` or `1.30.2`: the first two parts are numbers.
    pub(super) fn kubernetes_version(&self, v: &str) -> Result<(), ConfigError> {
        let ok = v
            .trim_start_matches('v')
            .split('.')
            .take(2)
            .all(|p| p.parse::<u32>().is_ok());
        if ok {
            Ok(())
        } else {
            Err(self.error_about(
                v,
                format!("`{v}` is not a Kubernetes version like \"1.30\""),
            ))
        }
    }
}

/// Where a quoted word first appears in the text (for errors about values).
fn offset_of_value(text: &str, value: &str) -> usize {
    text.find(&format!("\"{value}\""))
        .or_else(|| text.find(&format!("'{value}'")))
        .or_else(|| text.find(value))
        .unwrap_or(0)
}

/// Every word a selector may be: codes, names, aliases, tags, profiles, other scanners' IDs.
fn selector_words(rules: &[&'static RuleMeta]) -> Vec<&'static str> {
    let mut words: Vec<&'static str> = vec!["all"];
    for m in rules {
        words.push(m.code);
        words.push(m.name);
        words.extend(m.aliases.iter().copied());
        words.extend(m.tags.iter().copied());
        words.extend(m.equivalents.peers().map(|(_, p)| p.id));
    }
    words.extend(PROFILES.iter().map(|(p, _)| *p));
    words.sort();
    words.dedup();
    words
}

/// Does the selector name a rule (code, name, alias, tag), a profile or another scanner's
/// check that a rule covers (`CKV_K8S_13`, which names the findings that carry it)?
pub(crate) fn selector_known(selector: &str, rules: &[&'static RuleMeta]) -> bool {
    rules
        .iter()
        .any(|m| m.matches(selector) || m.equivalents.has(selector))
        || PROFILES
            .iter()
            .any(|(p, _)| p.eq_ignore_ascii_case(selector))
}

/// Compile path globs the way `--exclude` and `.rampart.toml` write them: a pattern without
/// `/` matches at any depth, and a directory's pattern matches everything below it. On error,
/// the pattern at fault and the reason.
pub(crate) fn path_globs(patterns: &[String]) -> Result<GlobSet, (String, String)> {
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

impl Config {
    /// Selectors that name no rule: a typo would otherwise silently select nothing.
    pub(crate) fn unknown_selectors(&self, rules: &[&'static RuleMeta]) -> Vec<String> {
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
}

#[cfg(test)]
mod tests {
    use super::super::tests::{rules, write};
    use super::*;

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
    fn unknown_selectors_suggest_a_word() {
        let c = Config {
            select: vec!["default".into(), "K8S-001".into()],
            ignore: vec!["privileged-containr".into()],
            ..Config::default()
        };
        assert_eq!(
            c.unknown_selectors(&rules()),
            ["privileged-containr (did you mean `privileged-container`?)"]
        );
    }
}
