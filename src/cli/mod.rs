//! The `rampart` command line: its arguments, the scan with its fixes, the rule catalogue and
//! the reports it writes. The program (`src/main.rs`) only calls [`main`].

pub(crate) mod args;
pub(crate) mod catalog;
pub(crate) mod compliance;
pub(crate) mod output;
pub(crate) mod scan;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};
use clap::{CommandFactory, FromArgMatches};

use crate::config::{CliSettings, Resolver};
use crate::{report, rules};

use args::*;
use catalog::*;
use output::Format;
use scan::*;

/// The `rampart` program: parses the arguments, runs the command and says how it ended
/// (0 clean, 1 findings at the gate, 2 a usage or input error).
pub fn main() -> ExitCode {
    // A panic inside a lint is reported as a finding by `lint`; keep the default hook's
    // noise off the terminal. Any other panic is a bug and says so.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !crate::lint::in_guarded_lint() {
            eprintln!("rampart: internal error (please report it): {info}");
            default_hook(info);
        }
    }));
    let matches = Cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Some((_, sub)) = matches.subcommand() {
        match &mut cli.command {
            Command::Scan(args) => args.selection.tf_vars = tf_vars_in_order(sub),
            Command::Baseline(args) => args.selection.tf_vars = tf_vars_in_order(sub),
            Command::Compliance(args) => args.selection.tf_vars = tf_vars_in_order(sub),
            _ => {}
        }
    }
    let outputs = matches
        .subcommand_matches("scan")
        .map(pair_formats)
        .unwrap_or_default();
    match run(cli, outputs) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rampart: error: {}", error_text(&e));
            ExitCode::from(2)
        }
    }
}

/// An error for stderr, on one line. Its text may hold file names and file content: control
/// characters (newlines too) are escaped as in the reports, so that it cannot drive the terminal
/// or start a CI workflow command.
fn error_text(e: &anyhow::Error) -> String {
    report::text::line(&format!("{e:#}")).into_owned()
}

/// Each `--output` goes with the `--format` given before it.
fn pair_formats(m: &clap::ArgMatches) -> Vec<(Format, Option<PathBuf>)> {
    let formats: Vec<(usize, Format)> =
        match (m.indices_of("format"), m.get_many::<Format>("format")) {
            (Some(i), Some(v)) => i.zip(v.copied()).collect(),
            _ => Vec::new(),
        };
    let outputs: Vec<(usize, PathBuf)> =
        match (m.indices_of("output"), m.get_many::<PathBuf>("output")) {
            (Some(i), Some(v)) => i.zip(v.cloned()).collect(),
            _ => Vec::new(),
        };
    let mut pairs: Vec<(Format, Option<PathBuf>)> =
        formats.iter().map(|(_, f)| (*f, None)).collect();
    for (at, path) in outputs {
        match formats.iter().rposition(|(i, _)| *i < at) {
            Some(k) if pairs[k].1.is_none() => pairs[k].1 = Some(path),
            _ if formats.is_empty() && pairs.is_empty() => pairs.push((Format::Human, Some(path))),
            // An output before any format, or a second output for one format: its own entry
            // with the format given last (or human).
            _ => pairs.push((
                formats.last().map(|(_, f)| *f).unwrap_or(Format::Human),
                Some(path),
            )),
        }
    }
    if pairs.is_empty() {
        pairs.push((Format::Human, None));
    }
    pairs
}

/// One arm per subcommand, each short: the dispatch reads in one place, which is why this
/// function is longer than most.
fn run(cli: Cli, outputs: Vec<(Format, Option<PathBuf>)>) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan(args, outputs),
        Command::Baseline(args) => write_baseline(args),
        Command::Compliance(args) => compliance::run(args),
        Command::Merge {
            reports,
            output,
            fail_on,
        } => merge(&reports, output.as_deref(), fail_on),
        Command::Lsp => {
            #[cfg(feature = "lsp")]
            {
                let ending = crate::lsp::serve_stdio().map_err(|e| anyhow::anyhow!("{e}"))?;
                Ok(ExitCode::from(ending.exit_code()))
            }
            #[cfg(not(feature = "lsp"))]
            bail!("this rampart was built without the language server (cargo feature `lsp`)")
        }
        Command::Test { paths, config } => test::run(&paths, config.as_deref()),
        Command::Rules {
            format,
            output_dir,
            policies,
        } => {
            install_policies(&policies.policy, policies.config.as_deref(), &[])?;
            let out = match format {
                ListFormat::Json => rules_json(),
                ListFormat::Human => rules_table(),
                ListFormat::Markdown => {
                    let Some(output_dir) = output_dir else {
                        bail!("--format markdown writes one page per rule: name the directory with --output-dir DIR (for this repository's pages: --output-dir docs/rules)");
                    };
                    let written = crate::docs::write_all(&output_dir, &rules::metas())
                        .with_context(|| format!("writing {}", output_dir.display()))?;
                    format!(
                        "wrote {} pages to {}\n",
                        written.len(),
                        output_dir.display()
                    )
                }
            };
            write_stdout(&out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Config { path, config } => {
            named_paths_exist([&path].into_iter().chain(config.as_ref()))?;
            // Its `select` may name users' rules of its `policies`.
            install_policies(&[], config.as_deref(), std::slice::from_ref(&path))?;
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
        Command::Explain { rule, policies } => {
            install_policies(&policies.policy, policies.config.as_deref(), &[])?;
            // Another scanner's ID (`CKV_K8S_13`) explains the rule that covers it.
            let Some(rule) = rules::find(&rule).or_else(|| rules::covering(&rule)) else {
                // A code or name, or one word of a name (`privilegd` → privileged-container).
                let metas = rules::metas();
                let words = metas.iter().flat_map(|m| {
                    [m.code, m.name]
                        .into_iter()
                        .chain(m.name.split('-').filter(|w| w.len() > 3))
                        .map(move |w| (w, m.name))
                });
                let candidates: Vec<(&str, &str)> = words.collect();
                let hint = crate::config::did_you_mean(&rule, candidates.iter().map(|(w, _)| *w))
                    .and_then(|w| candidates.iter().find(|(c, _)| *c == w))
                    .map(|(_, name)| format!("; did you mean `{name}`?"))
                    .unwrap_or_else(|| "; `rampart rules` lists them".into());
                bail!("no rule named `{rule}`{hint}");
            };
            write_stdout(&explain(rule.meta()))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `rampart merge`: the parts' reports as one, on stdout or in `output`; with `fail_on`, exit 1
/// when a finding of at least that severity is in it.
fn merge(
    reports: &[PathBuf],
    output: Option<&std::path::Path>,
    fail_on: Option<crate::rule::Severity>,
) -> Result<ExitCode> {
    let merged = crate::merge::merge_files(reports, crate::merge::MAX_PART_SIZE)?;
    match output {
        Some(p) => crate::fixer::check_output_path(p)
            .map_err(anyhow::Error::from)
            .and_then(|()| {
                let mut f = std::fs::File::create(p)?;
                Ok(merged.write_json(&mut f)?)
            })
            .with_context(|| format!("writing {}", p.display()))?,
        None => match merged.write_json(&mut std::io::stdout().lock()) {
            // A closed pipe (`rampart merge … | head`) is not an error.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.context("writing to stdout")?,
        },
    }
    let failing = fail_on.is_some_and(|s| merged.count_at_least(s.as_str()) > 0);
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
pub(crate) mod test;
