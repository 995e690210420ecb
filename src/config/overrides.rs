//! `[[overrides]]`: selectors and severities for the files whose paths match globs. The
//! configuration of a file is its directory's with the matching overrides applied; the
//! directory's is shared, and what the file gets is a copy without the override tables.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::GlobSet;

use super::{absolute, Config};
use crate::rule::Severity;

/// Settings for the paths matching `files`.
#[derive(Clone, Debug)]
pub(crate) struct Override {
    pub files: Vec<String>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: Vec<(String, Severity)>,
    /// The directory the globs are relative to (the configuration file's).
    pub(super) root: PathBuf,
    /// `files` compiled.
    pub(super) matcher: Arc<GlobSet>,
}

impl Override {
    /// Does the override apply to this file?
    pub(crate) fn matches(&self, path: &Path) -> bool {
        let abs = absolute(path);
        let rel = abs.strip_prefix(absolute(&self.root)).unwrap_or(&abs);
        self.matcher.is_match(rel)
    }
}

impl Config {
    /// The configuration for one file: overrides whose globs match it applied. The answers
    /// worked out for this configuration carry over; for the overrides that match, they are
    /// worked out once per set of matching overrides.
    pub(crate) fn for_file(&self, path: &Path) -> Config {
        let matched: Vec<usize> = (0..self.overrides.len())
            .filter(|&i| self.overrides[i].matches(path))
            .collect();
        let mut out = self.without_overrides();
        for &i in &matched {
            out.apply_override(&self.overrides[i]);
        }
        out.effective = self
            .effective
            .as_ref()
            .filter(|e| e.built_from(self))
            .map(|e| {
                if matched.is_empty() {
                    e.clone()
                } else {
                    e.with_overrides(&matched, &out)
                }
            });
        out
    }

    /// Every setting but the overrides (and the answers worked out, which depend on them).
    fn without_overrides(&self) -> Config {
        // Field by field, so that the override tables and their globs are not copied for
        // every file; a new field of `Config` must be added here.
        Config {
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            max_file_size: self.max_file_size,
            fail_on: self.fail_on,
            severity: self.severity.clone(),
            overrides: Vec::new(),
            exclude: self.exclude.clone(),
            allowed_registries: self.allowed_registries.clone(),
            kubernetes_version: self.kubernetes_version.clone(),
            network_policies_complete: self.network_policies_complete,
            require_suppression_reason: self.require_suppression_reason,
            docs_url: self.docs_url.clone(),
            render_cache: self.render_cache,
            policies: self.policies.clone(),
            root: self.root.clone(),
            sources: self.sources.clone(),
            exclude_matcher: self.exclude_matcher.clone(),
            effective: None,
        }
    }

    fn apply_override(&mut self, o: &Override) {
        if !o.select.is_empty() && !self.select.is_empty() {
            self.select.extend(o.select.iter().cloned());
        } else if !o.select.is_empty() {
            // Selecting on top of the defaults: keep every default rule as well.
            self.select = std::iter::once("default".to_string())
                .chain(o.select.iter().cloned())
                .collect();
        }
        self.ignore.extend(o.ignore.iter().cloned());
        self.severity.extend(o.severity.iter().cloned());
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{rules, write};
    use super::super::{CliSettings, Resolver, FILE_NAME};
    use super::*;

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
        assert!(legacy.overrides.is_empty());
        let fresh = r.for_file(&d.join("new/x.yaml")).unwrap();
        assert!(fresh.is_enabled(k5));
        assert_eq!(fresh.severity_of(k1), Severity::Critical);
    }

    #[test]
    fn a_select_in_an_override_keeps_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(
            d,
            FILE_NAME,
            "[[overrides]]\nfiles = [\"*.yaml\"]\nselect = [\"all\"]\n[[overrides]]\nfiles = [\"strict/**\"]\nselect = [\"K8S-001\"]\n",
        );
        let c = Config::load(&d.join(FILE_NAME), &rules()).unwrap();
        assert_eq!(c.for_file(&d.join("x.yaml")).select, ["default", "all"]);
        assert_eq!(
            c.for_file(&d.join("strict/x.yaml")).select,
            ["default", "all", "K8S-001"]
        );
        assert!(c.for_file(&d.join("x.tf")).select.is_empty());
    }
}
