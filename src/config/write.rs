//! The configuration as a `.rampart.toml`, for `rampart config`. Keys and strings are encoded
//! by `toml_writer` (the `toml` crate's own encoder) as basic strings, so that any value —
//! quotes, backslashes, control characters, any script — reads back as itself. Characters that
//! TOML allows as they are but that could rewrite a terminal or hide text (bidi controls, C1
//! controls) are written as `\uXXXX` escapes as well.

use std::fmt::Write as _;

use toml_writer::{ToTomlKey as _, ToTomlValue as _, TomlKeyBuilder, TomlStringBuilder};

use super::Config;
use crate::rule::Severity;
use crate::text::is_unsafe;

impl Config {
    /// The effective configuration as TOML, for `rampart config`.
    pub(crate) fn to_toml(&self) -> String {
        let mut out = String::new();
        if self.sources.is_empty() {
            out.push_str("# no configuration file: defaults and command-line flags\n");
        } else {
            for s in &self.sources {
                // A comment holds one line of text without control characters.
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
            let _ = writeln!(out, "kubernetes-version = {}", string(v));
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
        if let Some(u) = &self.docs_url {
            let _ = writeln!(out, "docs-url = {}", string(u.template()));
        }
        if !self.render_cache {
            out.push_str("render-cache = false\n");
        }
        if !self.policies.is_empty() {
            let paths: Vec<String> = self
                .policies
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let _ = writeln!(out, "policies = {}", list(&paths));
        }
        if !self.severity.is_empty() {
            out.push_str("\n[severity]\n");
            for (k, v) in winning(&self.severity) {
                let _ = writeln!(out, "{} = \"{v}\"", key(k));
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
            for (k, v) in winning(&o.severity) {
                let _ = writeln!(out, "severity.{} = \"{v}\"", key(k));
            }
        }
        out
    }
}

/// Severity overrides with each selector once (a table cannot repeat a key), holding the value
/// that wins: the last one given.
fn winning(list: &[(String, Severity)]) -> Vec<(&str, Severity)> {
    let mut out: Vec<(&str, Severity)> = Vec::new();
    for (selector, severity) in list {
        match out.iter_mut().find(|(s, _)| s == selector) {
            Some(entry) => entry.1 = *severity,
            None => out.push((selector, *severity)),
        }
    }
    out
}

fn list(values: &[String]) -> String {
    let items: Vec<String> = values.iter().map(|v| string(v)).collect();
    format!("[{}]", items.join(", "))
}

/// A TOML basic string.
fn string(value: &str) -> String {
    printable(TomlStringBuilder::new(value).as_basic().to_toml_value())
}

/// A key, always quoted (as a basic string).
fn key(name: &str) -> String {
    printable(TomlKeyBuilder::new(name).as_basic().to_toml_key())
}

/// An encoded basic string with the characters unsafe to print escaped. The encoder has
/// escaped the ASCII controls already; what is left (non-ASCII) is always below U+10000.
fn printable(encoded: String) -> String {
    crate::text::escape_each(&encoded, is_unsafe, |out, c| {
        let _ = write!(out, "\\u{:04X}", c as u32);
    })
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{rules, write};
    use super::*;

    #[test]
    fn ordinary_values_are_written_as_they_always_were() {
        let c = Config {
            ignore: vec!["K8S-006".into()],
            kubernetes_version: Some("1.30".into()),
            severity: vec![("K8S-001".into(), Severity::High)],
            ..Config::default()
        };
        assert_eq!(
            c.to_toml(),
            "# no configuration file: defaults and command-line flags\n\
             select = []\n\
             ignore = [\"K8S-006\"]\n\
             fail-on = \"low\"\n\
             max-file-size = 10485760\n\
             exclude = []\n\
             allowed-registries = []\n\
             kubernetes-version = \"1.30\"\n\
             network-policies-complete = false\n\
             require-suppression-reason = true\n\
             \n\
             [severity]\n\
             \"K8S-001\" = \"high\"\n"
        );
    }

    #[test]
    fn awkward_values_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let awkward = [
            "we\"ird\\dir",
            "naïve/日本/🦀",
            "tab\there",
            "new\nline",
            "bell\u{7}esc\u{1b}del\u{7f}",
            "bidi\u{202e}c1\u{9b}isolate\u{2066}",
            "it's",
            "''' and \"\"\"",
        ];
        let strings: Vec<String> = awkward.iter().map(|s| s.to_string()).collect();
        let c = Config {
            select: vec!["K8S-001".into(), "pss-baseline".into()],
            ignore: vec!["latest-image-tag".into()],
            exclude: strings.clone(),
            allowed_registries: strings.clone(),
            kubernetes_version: Some("1.30.\"x\"".into()),
            docs_url: crate::rule::DocsUrl::parse("https://x.example/'{code}'/\"{name}\"").ok(),
            severity: vec![
                ("K8S-001".into(), Severity::High),
                ("K8S-".into(), Severity::Low),
                ("K8S-001".into(), Severity::Medium),
            ],
            sources: vec!["/tmp/new\nline/\u{202e}.rampart.toml".into()],
            ..Config::default()
        };
        let text = c.to_toml();
        assert!(text.starts_with("# from /tmp/new\\x0aline/\\u{202e}.rampart.toml\n"));
        // Nothing in it can rewrite a terminal: every line is plain text.
        assert!(!text.chars().any(|c| c != '\n' && is_unsafe(c)), "{text}");
        let p = write(dir.path(), "written.toml", &text);
        let back = Config::load(&p, &rules()).unwrap();
        assert_eq!(back.select, c.select);
        assert_eq!(back.ignore, c.ignore);
        assert_eq!(back.exclude, c.exclude);
        assert_eq!(back.allowed_registries, c.allowed_registries);
        assert_eq!(back.kubernetes_version, c.kubernetes_version);
        assert!(c.docs_url.is_some());
        assert_eq!(back.docs_url, c.docs_url);
        // One entry per selector, with the value that won.
        assert_eq!(
            back.severity,
            [
                ("K8S-".to_string(), Severity::Low),
                ("K8S-001".to_string(), Severity::Medium)
            ]
        );
    }

    #[test]
    fn overrides_are_written_as_tables() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "a.toml",
            "[[overrides]]\nfiles = ['legacy/\"old\"/**']\nselect = [\"all\"]\nignore = [\"K8S-005\"]\nseverity = { \"K8S-001\" = \"low\" }\n",
        );
        let c = Config::load(&p, &rules()).unwrap();
        let text = c.to_toml();
        assert!(
            text.contains("\n[[overrides]]\nfiles = [\"legacy/\\\"old\\\"/**\"]\nselect = [\"all\"]\nignore = [\"K8S-005\"]\nseverity.\"K8S-001\" = \"low\"\n"),
            "{text}"
        );
        let p = write(dir.path(), "b.toml", &text);
        let back = Config::load(&p, &rules()).unwrap();
        assert_eq!(back.overrides[0].files, c.overrides[0].files);
        assert_eq!(back.overrides[0].severity, c.overrides[0].severity);
    }
}
