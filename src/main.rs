//! The `rampart` command line: a thin front end over the library.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use rampart::config::{CliSettings, Resolver};
use rampart::engine::{self, ConfigSource, ScanOptions, ScanResult};
use rampart::report;
use rampart::rule::{RuleMeta, Severity};
use rampart::rules;

#[derive(Parser)]
#[command(
    name = "rampart",
    version,
    about = "Security linter for Terraform, Dockerfiles and Kubernetes manifests",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint files and directories (default: the current directory); `-` reads stdin.
    Scan(ScanArgs),
    /// List every rule with its metadata.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Print a rule's documentation.
    Explain {
        /// Rule code or name, e.g. K8S-001 or privileged-container.
        rule: String,
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

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Compact,
    Json,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Args)]
struct ScanArgs {
    /// Files or directories to lint; `-` for stdin.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 when a finding has this severity or higher (default: low, or `fail-on` from
    /// the configuration).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Use this configuration file instead of looking for `.rampart.toml` upward from each file.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Select a rule set: pss-baseline, pss-restricted or all.
    #[arg(long, value_name = "PROFILE")]
    profile: Option<String>,
    /// Run only these rules (codes, names or tags; comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "CODE|NAME|TAG")]
    select: Vec<String>,
    /// Never run these rules.
    #[arg(long, value_delimiter = ',', value_name = "CODE|NAME|TAG")]
    ignore: Vec<String>,
    /// Skip paths matching GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', default_value_t = 0, value_name = "N")]
    jobs: usize,
    /// With `-`: the name that decides the file kind (and appears in the report).
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
    /// Files larger than this many bytes are reported, not read (default 10 MiB).
    #[arg(long, value_name = "BYTES")]
    max_file_size: Option<u64>,
    /// Never colour the human format.
    #[arg(long)]
    no_color: bool,
    /// Also list skipped files and why (stderr).
    #[arg(long, short = 'v')]
    verbose: bool,
}

fn main() -> ExitCode {
    // A panic is reported as a finding by the engine; keep the default hook's backtrace noise
    // off the terminal.
    std::panic::set_hook(Box::new(|_| {}));
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rampart: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Rules { format } => {
            let out = match format {
                ListFormat::Json => rules_json(),
                ListFormat::Human => rules_table(),
            };
            write_stdout(&out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Config { path, config } => {
            let resolver =
                Resolver::new(config.as_deref(), CliSettings::default(), rules::metas())?;
            let effective = if path.is_dir() {
                resolver.for_file(&path.join("_"))?
            } else {
                resolver.for_file(&path)?
            };
            write_stdout(&effective.to_toml())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { rule } => {
            let Some(rule) = rules::find(&rule) else {
                bail!("no rule named `{rule}`; `rampart rules` lists them");
            };
            write_stdout(&explain(rule.meta()))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn scan(args: ScanArgs) -> Result<ExitCode> {
    let metas = rules::metas();
    if let Some(p) = &args.profile {
        if !rampart::config::PROFILES.iter().any(|(name, _)| name == p) {
            bail!("unknown profile `{p}`: pss-baseline, pss-restricted or all");
        }
    }
    let cli = CliSettings {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on,
        max_file_size: args.max_file_size,
        profile: args.profile.clone(),
    };
    let resolver = Resolver::new(args.config.as_deref(), cli, metas.clone())?;
    let base = resolver.for_dir(Path::new("."))?;
    let unknown = base.unknown_selectors(&metas);
    if !unknown.is_empty() {
        bail!(
            "unknown rule, name or tag: {}; `rampart rules` lists them",
            unknown.join(", ")
        );
    }
    let result = if args.paths.iter().any(|p| p == Path::new("-")) {
        if args.paths.len() > 1 {
            bail!("`-` (stdin) cannot be combined with other paths");
        }
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading stdin")?;
        let text = engine::decode(bytes).map_err(|e| anyhow::anyhow!("stdin: {}", e.message))?;
        let name = args.stdin_filename.clone();
        let Some(kind) = engine::kind_for_stdin(name.as_deref(), &text) else {
            bail!("cannot tell the kind of stdin; pass --stdin-filename");
        };
        let config = match &name {
            Some(n) => resolver.for_file(n)?,
            None => (*base).clone(),
        };
        let path = name.unwrap_or_else(|| PathBuf::from("<stdin>"));
        let file = engine::lint_text(&path, &text, kind, &config);
        ScanResult {
            files: vec![file],
            discovered: 1,
        }
    } else {
        let options = ScanOptions {
            config: ConfigSource::Resolved(resolver),
            exclude: args.exclude.clone(),
            jobs: args.jobs,
        };
        engine::scan(&args.paths, &options)?
    };
    let color = args.output.is_none()
        && !args.no_color
        && std::env::var_os("NO_COLOR").is_none()
        && std::io::stdout().is_terminal();
    let rendered = match args.format {
        Format::Human => report::human::render(&result, color, args.verbose),
        Format::Compact => report::compact::render(&result),
        Format::Json => report::json::render(&result),
        Format::Sarif => {
            let base = std::env::current_dir().context("current directory")?;
            report::sarif::render(&result, &base, &metas)
        }
    };
    if args.verbose && args.format != Format::Human {
        eprint!("{}", report::human::summary_line(&result, true));
    }
    match &args.output {
        Some(path) => {
            std::fs::write(path, rendered).with_context(|| format!("writing {}", path.display()))?
        }
        None => write_stdout(&rendered)?,
    }
    let failing = result.files.iter().any(|f| f.fails());
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_stdout(s: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        // A closed pipe (`rampart … | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to stdout"),
    }
}

fn rules_json() -> String {
    let list: Vec<serde_json::Value> = rules::metas()
        .into_iter()
        .map(|m| {
            let equivalents: serde_json::Map<String, serde_json::Value> = m
                .equivalents
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
                .collect();
            serde_json::json!({
                "code": m.code,
                "name": m.name,
                "aliases": m.aliases,
                "title": m.title,
                "severity": m.severity,
                "domain": m.domain,
                "tags": m.tags,
                "fixable": m.fix != rampart::rule::FixAvailability::None,
                "fix": m.fix,
                "enabled_by_default": m.enabled_by_default,
                "status": m.status,
                "added": m.added,
                "equivalents": equivalents,
                "compliance": m.compliance,
                "references": m.references,
                "help_uri": m.help_uri(),
            })
        })
        .collect();
    serde_json::to_string_pretty(&list).expect("JSON values serialise") + "\n"
}

fn rules_table() -> String {
    let mut out = String::new();
    for m in rules::metas() {
        out.push_str(&format!(
            "{:<12} {:<28} {:<9} {}{}\n",
            m.code,
            m.name,
            m.severity.as_str(),
            m.title,
            if m.enabled_by_default {
                ""
            } else {
                " (off by default)"
            }
        ));
    }
    out
}

fn explain(m: &RuleMeta) -> String {
    let mut out = format!(
        "{} {}: {}\nseverity: {}   tags: {}   fix: {:?}   {}\n",
        m.code,
        m.name,
        m.title,
        m.severity,
        m.tags.join(", "),
        m.fix,
        if m.enabled_by_default {
            "enabled by default"
        } else {
            "off by default"
        }
    );
    let eq: Vec<String> = m
        .equivalents
        .iter()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(k, ids)| format!("{k}: {}", ids.join(", ")))
        .collect();
    if !eq.is_empty() {
        out.push_str(&format!("same as: {}\n", eq.join("; ")));
    }
    out.push('\n');
    out.push_str(&m.doc_markdown());
    out
}
