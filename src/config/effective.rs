//! What a configuration answers for each rule — does it run, with which severity — worked out
//! once from the selectors (`select`, `ignore`, `[severity]`), so that a question about a rule
//! is a look-up rather than a walk over selectors with string matching.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use super::Config;
use crate::rule::{RuleMeta, Severity};

/// The rules answers are worked out for, and where each one is in the list.
#[derive(Debug)]
pub(crate) struct RuleIndex {
    rules: Vec<&'static RuleMeta>,
    by_code: HashMap<&'static str, usize>,
}

impl RuleIndex {
    pub(crate) fn new(rules: &[&'static RuleMeta]) -> RuleIndex {
        RuleIndex {
            rules: rules.to_vec(),
            by_code: rules.iter().enumerate().map(|(i, m)| (m.code, i)).collect(),
        }
    }
}

/// The answers of one configuration for every rule of a list.
pub(crate) struct Effective {
    rules: Arc<RuleIndex>,
    /// The selectors the answers come from: a configuration whose selectors differ (changed
    /// since) cannot use them.
    select: Vec<String>,
    ignore: Vec<String>,
    severity: Vec<(String, Severity)>,
    /// By position in `rules`.
    enabled: Vec<bool>,
    severities: Vec<Severity>,
    /// The answers for files that `[[overrides]]` apply to, by the positions of the overrides
    /// that match, worked out when a file first needs them.
    with_overrides: Mutex<HashMap<Vec<usize>, Arc<Effective>>>,
}

impl Effective {
    /// The answers of `config` for each of `rules`.
    #[cfg(test)]
    pub(crate) fn new(config: &Config, rules: &[&'static RuleMeta]) -> Effective {
        Effective::with_index(config, Arc::new(RuleIndex::new(rules)))
    }

    pub(crate) fn with_index(config: &Config, rules: Arc<RuleIndex>) -> Effective {
        Effective {
            enabled: rules.rules.iter().map(|m| config.selects(m)).collect(),
            severities: rules
                .rules
                .iter()
                .map(|m| config.severity_by_selectors(m))
                .collect(),
            rules,
            select: config.select.clone(),
            ignore: config.ignore.clone(),
            severity: config.severity.clone(),
            with_overrides: Mutex::default(),
        }
    }

    /// Where the rule is in the list, if it is there.
    pub(crate) fn position(&self, meta: &RuleMeta) -> Option<usize> {
        let i = *self.rules.by_code.get(meta.code)?;
        (self.rules.rules[i].name == meta.name).then_some(i)
    }

    /// Does the rule at `position` run?
    pub(crate) fn enabled_at(&self, position: usize) -> bool {
        self.enabled[position]
    }

    /// The severity of the rule at `position`.
    pub(crate) fn severity_at(&self, position: usize) -> Severity {
        self.severities[position]
    }

    /// Were the answers worked out from this configuration's selectors?
    pub(crate) fn built_from(&self, config: &Config) -> bool {
        self.select == config.select
            && self.ignore == config.ignore
            && self.severity == config.severity
    }

    /// The answers for `config`, which is this one with the overrides at `matched` applied.
    pub(crate) fn with_overrides(&self, matched: &[usize], config: &Config) -> Arc<Effective> {
        let mut cache = self
            .with_overrides
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        cache
            .entry(matched.to_vec())
            .or_insert_with(|| Arc::new(Effective::with_index(config, self.rules.clone())))
            .clone()
    }
}

impl fmt::Debug for Effective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Effective")
            .field("rules", &self.enabled.len())
            .field("enabled", &self.enabled.iter().filter(|e| **e).count())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{rules, write};
    use super::super::{CliSettings, Resolver, FILE_NAME};
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// Configurations that select, ignore and re-rate in every way selectors can.
    fn configurations() -> Vec<Config> {
        let sev = |v: &[(&str, Severity)]| -> Vec<(String, Severity)> {
            v.iter().map(|(s, x)| (s.to_string(), *x)).collect()
        };
        vec![
            Config::default(),
            Config {
                select: strings(&["all"]),
                ..Config::default()
            },
            Config {
                select: strings(&["pss-restricted"]),
                ignore: strings(&["K8S-005", "latest-image-tag"]),
                ..Config::default()
            },
            Config {
                select: strings(&["pss-baseline", "TF-AWS-", "docker"]),
                ignore: strings(&["parse-error", "unused-suppression"]),
                ..Config::default()
            },
            Config {
                select: strings(&["default", "k8s-0*"]),
                severity: sev(&[
                    ("k8s", Severity::Low),
                    ("K8S-001", Severity::High),
                    ("all", Severity::Medium),
                ]),
                ..Config::default()
            },
            Config {
                ignore: strings(&["all"]),
                severity: sev(&[("TF-GCP-", Severity::Critical)]),
                ..Config::default()
            },
        ]
    }

    #[test]
    fn the_answers_are_those_of_the_selectors_for_every_rule() {
        let rules = rules();
        for config in configurations() {
            let e = Effective::new(&config, &rules);
            let resolved = Config {
                effective: Some(Arc::new(Effective::new(&config, &rules))),
                ..config.clone()
            };
            for (i, m) in rules.iter().enumerate() {
                assert_eq!(e.position(m), Some(i));
                let (enabled, severity) = (config.selects(m), config.severity_by_selectors(m));
                assert_eq!(e.enabled_at(i), enabled, "{} in {config:?}", m.code);
                assert_eq!(e.severity_at(i), severity, "{} in {config:?}", m.code);
                assert_eq!(resolved.is_enabled(m), enabled);
                assert_eq!(resolved.severity_of(m), severity);
                assert_eq!(config.is_enabled(m), enabled);
            }
        }
    }

    #[test]
    fn changed_selectors_are_not_answered_from_old_answers() {
        let rules = rules();
        let k1 = crate::rules::find("K8S-001").unwrap().meta();
        let mut c = Config::default();
        c.effective = Some(Arc::new(Effective::new(&c, &rules)));
        assert!(c.is_enabled(k1));
        c.ignore.push("K8S-001".into());
        assert!(!c.is_enabled(k1));
        c.ignore.clear();
        c.severity.push(("K8S-001".into(), Severity::Low));
        assert_eq!(c.severity_of(k1), Severity::Low);
    }

    #[test]
    fn files_with_the_same_overrides_share_their_answers() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(
            d,
            FILE_NAME,
            "ignore = [\"K8S-006\"]\n[[overrides]]\nfiles = [\"legacy/**\"]\nignore = [\"K8S-005\"]\n",
        );
        let r = Resolver::new(None, CliSettings::default(), rules()).unwrap();
        let plain = [
            r.for_file(&d.join("a.yaml")),
            r.for_file(&d.join("b/c.yaml")),
        ];
        let legacy = [
            r.for_file(&d.join("legacy/a.yaml")),
            r.for_file(&d.join("legacy/b/c.yaml")),
        ];
        let answers = |c: &Result<Config, _>| c.as_ref().unwrap().effective.clone().unwrap();
        assert!(Arc::ptr_eq(&answers(&plain[0]), &answers(&plain[1])));
        assert!(Arc::ptr_eq(&answers(&legacy[0]), &answers(&legacy[1])));
        assert!(!Arc::ptr_eq(&answers(&plain[0]), &answers(&legacy[0])));
        let k5 = crate::rules::find("K8S-005").unwrap().meta();
        assert!(plain[0].as_ref().unwrap().is_enabled(k5));
        assert!(!legacy[0].as_ref().unwrap().is_enabled(k5));
    }
}
