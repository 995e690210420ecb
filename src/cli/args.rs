//! The command line's arguments.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::baseline::{self};
use crate::engine::Shard;
use crate::rule::Severity;
use crate::terraform::modules::TfVar;

use super::output::Format;

#[derive(Parser)]
#[command(
    name = "rampart",
    version,
    about = "Security linter for Terraform, Dockerfiles and Kubernetes manifests",
    propagate_version = true
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Lint files and directories (default: the current directory); `-` reads stdin.
    Scan(ScanArgs),
    /// Record the current findings so later scans with `--baseline` report only new ones.
    Baseline(BaselineArgs),
    /// Read a scan control by control against a framework (Pod Security Standards, CIS
    /// Kubernetes, CIS Docker, ...); `--list` shows the frameworks.
    Compliance(ComplianceArgs),
    /// List every rule with its metadata; `--format markdown` writes the documentation pages.
    Rules {
        #[command(flatten)]
        policies: PolicyArgs,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        /// With `--format markdown` (required there): the directory for the pages, e.g.
        /// `docs/rules`.
        #[arg(long, value_name = "DIR")]
        output_dir: Option<PathBuf>,
    },
    /// Print a rule's documentation.
    Explain {
        #[command(flatten)]
        policies: PolicyArgs,
        /// Rule code or name, e.g. K8S-001 or privileged-container.
        rule: String,
    },
    /// Merge the SARIF or JSON reports of the parts of a sharded scan (`--shard K/N`) into one.
    Merge {
        /// The reports (all SARIF or all rampart JSON).
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// Write the merged report to FILE instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Exit 1 when the merged report has a finding of this severity or higher.
        #[arg(long, value_enum, value_name = "SEVERITY")]
        fail_on: Option<Severity>,
    },
    /// Run the language server on stdin/stdout.
    Lsp,
    /// Check users' rule files: every example must fire (`violating`) or stay silent
    /// (`compliant`). Exit 1 when one does not, 2 when a rule file has an error.
    Test {
        /// Rule files or directories (default: the `policies` of the configuration).
        paths: Vec<PathBuf>,
        /// Use this configuration file instead of looking for `.rampart.toml`.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Print the effective configuration for a file or directory.
    Config {
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Use this configuration file instead of looking for `.rampart.toml`.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

/// Users' rule files to list or explain with the built-in rules.
#[derive(Args)]
pub(crate) struct PolicyArgs {
    /// A rule file or directory of users' rules (repeatable; see docs/policy.md).
    #[arg(long, value_name = "PATH")]
    pub(crate) policy: Vec<PathBuf>,
    /// The configuration whose `policies` are listed too (default: the `.rampart.toml` of the
    /// current directory).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ListFormat {
    Human,
    Json,
    Markdown,
}

/// What selects files and rules; shared by `scan` and `baseline`.
#[derive(Args)]
pub(crate) struct Selection {
    /// Files or directories to lint (default: `.`, unless `--plan` is given); `-` for stdin.
    pub(crate) paths: Vec<PathBuf>,
    /// Use this configuration file instead of looking for `.rampart.toml` upward from each file.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// A rule file, or a directory of `*.yaml`/`*.yml` rule files, with users' own rules
    /// (repeatable; see docs/policy.md). Added to the `policies` of the configuration.
    #[arg(long, value_name = "PATH")]
    pub(crate) policy: Vec<PathBuf>,
    /// The Rego package whose deny/violation/warn rules run (repeatable; default `main`).
    #[arg(long, value_name = "NAME")]
    pub(crate) namespace: Vec<String>,
    /// Run the deny/violation/warn rules of every Rego package.
    #[arg(long)]
    pub(crate) all_namespaces: bool,
    /// Select a rule set: pss-baseline, pss-restricted or all.
    #[arg(long, value_name = "PROFILE")]
    pub(crate) profile: Option<String>,
    /// Run only these rules (codes, names or tags; comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "CODE|NAME|TAG")]
    pub(crate) select: Vec<String>,
    /// Never run these rules.
    #[arg(long, value_delimiter = ',', value_name = "CODE|NAME|TAG")]
    pub(crate) ignore: Vec<String>,
    /// Skip paths matching GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub(crate) exclude: Vec<String>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', default_value_t = 0, value_name = "N")]
    pub(crate) jobs: usize,
    /// With `-`: the name that decides the file kind (and appears in the report).
    #[arg(long, value_name = "NAME")]
    pub(crate) stdin_filename: Option<PathBuf>,
    /// Files larger than this many bytes are reported, not read (default 10 MiB).
    #[arg(long, value_name = "BYTES")]
    pub(crate) max_file_size: Option<u64>,
    /// Do not render Kustomize overlays and Helm charts with the installed tools.
    #[arg(long)]
    pub(crate) no_render: bool,
    /// Render every overlay and chart again instead of taking unchanged ones from the render
    /// cache (`$RAMPART_CACHE_DIR/render`, else `$XDG_CACHE_HOME/rampart/render` or
    /// `~/.cache/rampart/render`).
    #[arg(long)]
    pub(crate) no_cache: bool,
    /// Values file for `helm template` (repeatable).
    #[arg(long, value_name = "FILE")]
    pub(crate) helm_values: Vec<PathBuf>,
    /// `key=value` for `helm template --set` (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub(crate) helm_set: Vec<String>,
    /// Which files Kustomize overlays may read: `LoadRestrictionsRootOnly` (default: files
    /// below each kustomization) or `LoadRestrictionsNone` (any file of this machine; only for
    /// repositories you trust, see docs/security.md).
    #[arg(long, value_name = "RESTRICTOR", value_parser = parse_load_restrictor)]
    pub(crate) kustomize_load_restrictor: Option<crate::render::LoadRestrictor>,
    /// A directory outside the scanned repository that Terraform module calls may be read
    /// from (repeatable; see docs/security.md).
    #[arg(long, value_name = "DIR")]
    pub(crate) allow_read: Vec<PathBuf>,
    /// Terraform variables file (`.tfvars` or `.tfvars.json`) for the root modules scanned,
    /// like `terraform plan -var-file` (repeatable; with --var, later ones win).
    #[arg(long, value_name = "FILE")]
    pub(crate) var_file: Vec<PathBuf>,
    /// A Terraform variable, like `terraform plan -var` (repeatable; with --var-file, later
    /// ones win).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub(crate) vars: Vec<(String, String)>,
    /// `--var-file` and `--var` in the order given (filled from the command line's matches).
    #[arg(skip)]
    pub(crate) tf_vars: Vec<TfVar>,
    /// A plan written by `terraform show -json` (repeatable); `*.tfplan.json` files are
    /// found without it.
    #[arg(long, value_name = "FILE")]
    pub(crate) plan: Vec<PathBuf>,
    /// Check only part K of N of the files (1 <= K <= N), split by a hash of each path
    /// relative to the scanned directory: the same split on every machine of a CI matrix or
    /// Kubernetes Job array. `rampart merge` joins the parts' reports.
    #[arg(long, value_name = "K/N")]
    pub(crate) shard: Option<Shard>,
}

impl Selection {
    /// The paths to scan: `.` when none are named (and no `--plan` says what to check).
    pub(crate) fn fill_default_path(&mut self) {
        if self.paths.is_empty() && self.plan.is_empty() {
            self.paths.push(PathBuf::from("."));
        }
    }
}

pub(crate) fn parse_load_restrictor(text: &str) -> Result<crate::render::LoadRestrictor, String> {
    match text {
        "LoadRestrictionsRootOnly" | "rootOnly" => Ok(crate::render::LoadRestrictor::RootOnly),
        "LoadRestrictionsNone" | "none" => Ok(crate::render::LoadRestrictor::None),
        _ => Err("expected LoadRestrictionsRootOnly or LoadRestrictionsNone".into()),
    }
}

pub(crate) fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{s}`")),
    }
}

#[derive(Args)]
pub(crate) struct ScanArgs {
    #[command(flatten)]
    pub(crate) selection: Selection,
    /// Report format (repeatable: each `--output` goes with the `--format` before it; at most
    /// one format goes to stdout).
    #[arg(long, short = 'f', value_enum)]
    pub(crate) format: Vec<Format>,
    /// Write the report of the preceding `--format` to FILE.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Vec<PathBuf>,
    /// Exit 1 when a finding has this severity or higher (default: low, or `fail-on` from
    /// the configuration).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub(crate) fail_on: Option<Severity>,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Apply safe fixes to the files.
    #[arg(long)]
    pub(crate) fix: bool,
    /// With --fix or --diff: unsafe fixes too (they change what gets deployed).
    #[arg(long)]
    pub(crate) unsafe_fixes: bool,
    /// Print the fixes as a unified diff and change nothing (also with --fix). Exits 1 when a
    /// fix would change a file, 0 when none would (findings without a fix do not count).
    #[arg(long)]
    pub(crate) diff: bool,
    /// Never colour the human format.
    #[arg(long)]
    pub(crate) no_color: bool,
    /// Where rule pages are, for SARIF's `helpUri`, the JSON report and the human frames: a
    /// URL with `{code}` and/or `{name}` (default: `docs-url` from the configuration, or the
    /// project's pages).
    #[arg(long, value_name = "URL", value_parser = parse_docs_url)]
    pub(crate) docs_url: Option<crate::rule::DocsUrl>,
    /// Also list skipped files and why (stderr).
    #[arg(long, short = 'v')]
    pub(crate) verbose: bool,
    /// No progress bar (it is only drawn when stderr is a terminal).
    #[arg(long)]
    pub(crate) no_progress: bool,
    /// Only the findings: no progress bar, no summary, no notes on stderr.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub(crate) quiet: bool,
}

#[derive(Args)]
pub(crate) struct ComplianceArgs {
    /// The framework to report (repeatable): see `--list`.
    #[arg(long, value_name = "NAME", required_unless_present = "list")]
    pub(crate) framework: Vec<String>,
    /// List the frameworks with their versions and control counts.
    #[arg(long)]
    pub(crate) list: bool,
    /// human (a table), json (docs/compliance.md) or html (one self-contained page).
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: ComplianceFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Exit 1 when fewer than PERCENT of the decided controls pass (default: exit 1 when any
    /// control fails).
    #[arg(long, value_name = "PERCENT")]
    pub(crate) fail_below: Option<f64>,
    /// Findings in this baseline file are accepted exceptions, not failures.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) selection: Selection,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ComplianceFormat {
    Human,
    Json,
    Html,
}

#[derive(Args)]
pub(crate) struct BaselineArgs {
    #[command(flatten)]
    pub(crate) selection: Selection,
    /// Where to write the baseline.
    #[arg(long, short = 'o', value_name = "FILE", default_value = baseline::FILE_NAME)]
    pub(crate) output: PathBuf,
}

/// `--docs-url`, checked as `docs-url` in the configuration is.
fn parse_docs_url(s: &str) -> Result<crate::rule::DocsUrl, String> {
    crate::rule::DocsUrl::parse(s)
}
