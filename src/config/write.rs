//! The configuration as a `.rampart.toml`, for `rampart config`.

use std::fmt::Write as _;

use super::Config;

impl Config {
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
