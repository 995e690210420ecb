//! Which rules run and what fails a run.

use crate::rule::{Domain, RuleMeta, Severity};

#[derive(Clone, Debug)]
pub struct Config {
    /// When not empty, only these rules (codes, names, tags, `all`) run.
    pub select: Vec<String>,
    /// Rules that never run.
    pub ignore: Vec<String>,
    /// Files larger than this are reported, not read.
    pub max_file_size: u64,
    /// Lowest severity that makes the run fail (exit 1).
    pub fail_on: Severity,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            select: Vec::new(),
            ignore: Vec::new(),
            max_file_size: 10 * 1024 * 1024,
            fail_on: Severity::Low,
        }
    }
}

impl Config {
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
            self.select.iter().any(|s| meta.matches(s))
        }
    }

    /// Selectors that name no rule: a typo would otherwise silently select nothing.
    pub fn unknown_selectors<'a>(&'a self, rules: &[&RuleMeta]) -> Vec<&'a str> {
        self.select
            .iter()
            .chain(&self.ignore)
            .filter(|s| !rules.iter().any(|m| m.matches(s)))
            .map(String::as_str)
            .collect()
    }
}
