//! Which configuration applies where: the nearest `.rampart.toml` upward from a directory, or
//! the one file given with `--config`, with command-line flags on top. Each configuration is
//! read once, its answers for every rule worked out once, and shared by the directories below.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::effective::{Effective, RuleIndex};
use super::{absolute, CliSettings, Config, ConfigError, FILE_NAME};
use crate::rule::RuleMeta;

/// Finds the configuration of each directory, caching per directory.
pub struct Resolver {
    /// The file given with `--config`, flags applied: it applies everywhere.
    explicit: Option<Arc<Config>>,
    /// No file anywhere above: the defaults with the flags applied.
    defaults: Arc<Config>,
    cli: CliSettings,
    rules: Vec<&'static RuleMeta>,
    index: Arc<RuleIndex>,
    cache: Mutex<HashMap<PathBuf, Arc<Config>>>,
}

impl Resolver {
    /// `.rampart.toml` files found upward from each file, or the file `explicit` (`--config`)
    /// for every file, with the command line's settings on top.
    pub(crate) fn new(
        explicit: Option<&Path>,
        cli: CliSettings,
        rules: Vec<&'static RuleMeta>,
    ) -> Result<Resolver, ConfigError> {
        let explicit = match explicit {
            Some(p) => Some(Config::load(p, &rules)?),
            None => None,
        };
        Ok(Resolver::with(explicit, cli, rules))
    }

    /// `.rampart.toml` files found upward from each file (nothing is read up front).
    #[cfg(feature = "lsp")]
    pub(crate) fn discovering(cli: CliSettings, rules: Vec<&'static RuleMeta>) -> Resolver {
        Resolver::with(None, cli, rules)
    }

    fn with(explicit: Option<Config>, cli: CliSettings, rules: Vec<&'static RuleMeta>) -> Resolver {
        let index = Arc::new(RuleIndex::new(&rules));
        let with_flags = |mut c: Config| {
            c.apply_cli(&cli);
            c.effective = Some(Arc::new(Effective::with_index(&c, index.clone())));
            Arc::new(c)
        };
        let explicit = explicit.map(with_flags);
        let defaults = match &explicit {
            Some(c) => c.clone(),
            None => with_flags(Config::default()),
        };
        Resolver {
            explicit,
            defaults,
            cli,
            rules,
            index,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Configuration with no file at all (stdin without a name).
    #[cfg(test)]
    pub(crate) fn defaults(&self) -> Config {
        (*self.defaults).clone()
    }

    /// The cache of configurations by directory. A panic while it was held (in a lint that
    /// reported it as an internal error) leaves it consistent: every entry is whole.
    fn cached(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Arc<Config>>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The configuration that applies to files in `dir`.
    pub(crate) fn for_dir(&self, dir: &Path) -> Result<Arc<Config>, ConfigError> {
        if let Some(c) = &self.explicit {
            return Ok(c.clone());
        }
        let abs = absolute(dir);
        if let Some(c) = self.cached().get(&abs) {
            return Ok(c.clone());
        }
        let found = abs
            .ancestors()
            .map(|d| d.join(FILE_NAME))
            .find(|p| p.is_file());
        let config = match found {
            Some(file) => {
                let parent = file.parent().unwrap_or(&abs).to_path_buf();
                if parent != abs {
                    // Share the result with the directory that holds the file.
                    let c = self.for_dir(&parent)?;
                    self.cached().insert(abs, c.clone());
                    return Ok(c);
                }
                self.read(&file)?
            }
            None => self.defaults.clone(),
        };
        self.cached().insert(abs, config.clone());
        Ok(config)
    }

    /// The configuration for one file, overrides applied.
    pub(crate) fn for_file(&self, path: &Path) -> Result<Config, ConfigError> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Ok(self.for_dir(dir)?.for_file(path))
    }

    /// A configuration file with the flags on top, its answers worked out.
    fn read(&self, file: &Path) -> Result<Arc<Config>, ConfigError> {
        let mut c = Config::load(file, &self.rules)?;
        c.apply_cli(&self.cli);
        c.effective = Some(Arc::new(Effective::with_index(&c, self.index.clone())));
        Ok(Arc::new(c))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{rules, write};
    use super::*;
    use crate::rule::Severity;

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
    fn flags_apply_to_files_and_to_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "with/.rampart.toml", "select = [\"K8S-001\"]\n");
        let cli = CliSettings {
            ignore: vec!["K8S-001".into()],
            ..CliSettings::default()
        };
        let r = Resolver::new(None, cli, rules()).unwrap();
        let k1 = crate::rules::find("K8S-001").unwrap().meta();
        assert!(!r.for_file(&d.join("with/x.yaml")).unwrap().is_enabled(k1));
        assert!(!r.defaults().is_enabled(k1));
        assert_eq!(r.defaults().ignore, ["K8S-001"]);
    }
}
