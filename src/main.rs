//! The `rampart` command line: a thin front end over the library.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use rampart::baseline::{self, Baseline};
use rampart::config::{CliSettings, Resolver};
use rampart::engine::{self, ConfigSource, ScanOptions, ScanResult, Shard};
use rampart::fix::Applicability;
use rampart::report;
use rampart::rule::{RuleMeta, Severity};
use rampart::rules;
use rampart::terraform_unit::TfVar;

mod output;
use output::{Bar, Format, HumanOptions, Outputs};

// The parsers allocate a node per value: mimalloc makes that about twice as fast as the
// system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Record the current findings so later scans with `--baseline` report only new ones.
    Baseline(BaselineArgs),
    /// List every rule with its metadata; `--format markdown` writes the documentation pages.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        /// With `--format markdown` (required there): the directory for the pages, e.g.
        /// `docs/rules`.
        #[arg(long, value_name = "DIR")]
        output_dir: Option<PathBuf>,
    },
    /// Print a rule's documentation.
    Explain {
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
    /// Print the effective configuration for a file or directory.
    Config {
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Use this configuration file instead of looking for `.rampart.toml`.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Human,
    Json,
    Markdown,
}

/// What selects files and rules; shared by `scan` and `baseline`.
#[derive(Args)]
struct Selection {
    /// Files or directories to lint (default: `.`, unless `--plan` is given); `-` for stdin.
    paths: Vec<PathBuf>,
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
    /// Do not render Kustomize overlays and Helm charts with the installed tools.
    #[arg(long)]
    no_render: bool,
    /// Values file for `helm template` (repeatable).
    #[arg(long, value_name = "FILE")]
    helm_values: Vec<PathBuf>,
    /// `key=value` for `helm template --set` (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    helm_set: Vec<String>,
    /// Which files Kustomize overlays may read: `LoadRestrictionsRootOnly` (default: files
    /// below each kustomization) or `LoadRestrictionsNone` (any file of this machine; only for
    /// repositories you trust, see docs/security.md).
    #[arg(long, value_name = "RESTRICTOR", value_parser = parse_load_restrictor)]
    kustomize_load_restrictor: Option<rampart::render::LoadRestrictor>,
    /// A directory outside the scanned repository that Terraform module calls may be read
    /// from (repeatable; see docs/security.md).
    #[arg(long, value_name = "DIR")]
    allow_read: Vec<PathBuf>,
    /// Terraform variables file (`.tfvars` or `.tfvars.json`) for the root modules scanned,
    /// like `terraform plan -var-file` (repeatable; with --var, later ones win).
    #[arg(long, value_name = "FILE")]
    var_file: Vec<PathBuf>,
    /// A Terraform variable, like `terraform plan -var` (repeatable; with --var-file, later
    /// ones win).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    vars: Vec<(String, String)>,
    /// `--var-file` and `--var` in the order given (filled from the command line's matches).
    #[arg(skip)]
    tf_vars: Vec<TfVar>,
    /// A plan written by `terraform show -json` (repeatable); `*.tfplan.json` files are
    /// found without it.
    #[arg(long, value_name = "FILE")]
    plan: Vec<PathBuf>,
    /// Check only part K of N of the files (1 <= K <= N), split by a hash of each path
    /// relative to the scanned directory: the same split on every machine of a CI matrix or
    /// Kubernetes Job array. `rampart merge` joins the parts' reports.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
}

impl Selection {
    /// The paths to scan: `.` when none are named (and no `--plan` says what to check).
    fn fill_default_path(&mut self) {
        if self.paths.is_empty() && self.plan.is_empty() {
            self.paths.push(PathBuf::from("."));
        }
    }
}

fn parse_load_restrictor(text: &str) -> Result<rampart::render::LoadRestrictor, String> {
    match text {
        "LoadRestrictionsRootOnly" | "rootOnly" => Ok(rampart::render::LoadRestrictor::RootOnly),
        "LoadRestrictionsNone" | "none" => Ok(rampart::render::LoadRestrictor::None),
        _ => Err("expected LoadRestrictionsRootOnly or LoadRestrictionsNone".into()),
    }
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{s}`")),
    }
}

#[derive(Args)]
struct ScanArgs {
    #[command(flatten)]
    selection: Selection,
    /// Report format (repeatable: each `--output` goes with the `--format` before it; at most
    /// one format goes to stdout).
    #[arg(long, short = 'f', value_enum)]
    format: Vec<Format>,
    /// Write the report of the preceding `--format` to FILE.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Vec<PathBuf>,
    /// Exit 1 when a finding has this severity or higher (default: low, or `fail-on` from
    /// the configuration).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Apply safe fixes to the files.
    #[arg(long)]
    fix: bool,
    /// With --fix or --diff: unsafe fixes too (they change what gets deployed).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff and change nothing (also with --fix). Exits 1 when a
    /// fix would change a file, 0 when none would (findings without a fix do not count).
    #[arg(long)]
    diff: bool,
    /// Never colour the human format.
    #[arg(long)]
    no_color: bool,
    /// Also list skipped files and why (stderr).
    #[arg(long, short = 'v')]
    verbose: bool,
    /// No progress bar (it is only drawn when stderr is a terminal).
    #[arg(long)]
    no_progress: bool,
    /// Only the findings: no progress bar, no summary, no notes on stderr.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    quiet: bool,
}

#[derive(Args)]
struct BaselineArgs {
    #[command(flatten)]
    selection: Selection,
    /// Where to write the baseline.
    #[arg(long, short = 'o', value_name = "FILE", default_value = baseline::FILE_NAME)]
    output: PathBuf,
}

fn main() -> ExitCode {
    // A panic inside a lint is reported as a finding by the engine; keep the default hook's
    // noise off the terminal. Any other panic is a bug and says so.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !engine::in_guarded_lint() {
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

fn run(cli: Cli, outputs: Vec<(Format, Option<PathBuf>)>) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan(args, outputs),
        Command::Baseline(args) => write_baseline(args),
        Command::Merge {
            reports,
            output,
            fail_on,
        } => {
            let merged = rampart::merge::merge_files(&reports, rampart::merge::MAX_PART_SIZE)?;
            match &output {
                Some(p) => rampart::fixer::check_output_path(p)
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
        Command::Lsp => {
            #[cfg(feature = "lsp")]
            {
                let ending = rampart::lsp::serve_stdio().map_err(|e| anyhow::anyhow!("{e}"))?;
                Ok(ExitCode::from(ending.exit_code()))
            }
            #[cfg(not(feature = "lsp"))]
            bail!("this rampart was built without the language server (cargo feature `lsp`)")
        }
        Command::Rules { format, output_dir } => {
            let out = match format {
                ListFormat::Json => rules_json(),
                ListFormat::Human => rules_table(),
                ListFormat::Markdown => {
                    let Some(output_dir) = output_dir else {
                        bail!("--format markdown writes one page per rule: name the directory with --output-dir DIR (for this repository's pages: --output-dir docs/rules)");
                    };
                    let written = rampart::docs::write_all(&output_dir, &rules::metas())
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
                // A code or name, or one word of a name (`privilegd` → privileged-container).
                let metas = rules::metas();
                let words = metas.iter().flat_map(|m| {
                    [m.code, m.name]
                        .into_iter()
                        .chain(m.name.split('-').filter(|w| w.len() > 3))
                        .map(move |w| (w, m.name))
                });
                let candidates: Vec<(&str, &str)> = words.collect();
                let hint = rampart::config::did_you_mean(&rule, candidates.iter().map(|(w, _)| *w))
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

fn resolver(sel: &Selection, fail_on: Option<Severity>) -> Result<Resolver> {
    if let Some(p) = &sel.profile {
        if !rampart::config::PROFILES.iter().any(|(name, _)| name == p) {
            bail!("unknown profile `{p}`: pss-baseline, pss-restricted or all");
        }
    }
    let cli = CliSettings {
        select: sel.select.clone(),
        ignore: sel.ignore.clone(),
        fail_on,
        max_file_size: sel.max_file_size,
        profile: sel.profile.clone(),
    };
    let metas = rules::metas();
    let resolver = Resolver::new(sel.config.as_deref(), cli, metas.clone())?;
    let unknown = resolver.for_dir(Path::new("."))?.unknown_selectors(&metas);
    if !unknown.is_empty() {
        bail!(
            "unknown rule, name or tag: {}; `rampart rules` lists them",
            unknown.join(", ")
        );
    }
    Ok(resolver)
}

/// Lint stdin (`-`) as one file.
fn scan_stdin(sel: &Selection, resolver: &Resolver) -> Result<ScanResult> {
    if sel.paths.len() > 1 {
        bail!("`-` (stdin) cannot be combined with other paths");
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("reading stdin")?;
    let text = engine::decode(bytes).map_err(|e| anyhow::anyhow!("stdin: {}", e.message))?;
    let name = sel.stdin_filename.clone();
    let Some(kind) = engine::kind_for_stdin(name.as_deref(), &text) else {
        bail!("cannot tell the kind of stdin; pass --stdin-filename");
    };
    let config = match &name {
        Some(n) => resolver.for_file(n)?,
        None => (*resolver.for_dir(Path::new("."))?).clone(),
    };
    let path = name.unwrap_or_else(|| PathBuf::from("<stdin>"));
    let file = engine::lint_text(&path, &text, kind, &config);
    Ok(ScanResult {
        files: vec![file],
        discovered: 1,
    })
}

fn reads_stdin(sel: &Selection) -> bool {
    sel.paths.iter().any(|p| p == Path::new("-"))
}

/// `--var-file` and `--var` as Terraform takes them: in command-line order, later ones winning.
fn tf_vars_in_order(matches: &clap::ArgMatches) -> Vec<TfVar> {
    let mut all: Vec<(usize, TfVar)> = Vec::new();
    if let (Some(at), Some(files)) = (
        matches.indices_of("var_file"),
        matches.get_many::<PathBuf>("var_file"),
    ) {
        all.extend(at.zip(files).map(|(i, f)| (i, TfVar::File(f.clone()))));
    }
    if let (Some(at), Some(vars)) = (
        matches.indices_of("vars"),
        matches.get_many::<(String, String)>("vars"),
    ) {
        all.extend(
            at.zip(vars)
                .map(|(i, (n, v))| (i, TfVar::Set(n.clone(), v.clone()))),
        );
    }
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, v)| v).collect()
}

fn scan_options(sel: &Selection, resolver: Resolver) -> ScanOptions {
    ScanOptions {
        config: ConfigSource::Resolved(resolver),
        exclude: sel.exclude.clone(),
        jobs: sel.jobs,
        render: !sel.no_render,
        helm: rampart::render::HelmOptions {
            values: sel.helm_values.clone(),
            set: sel.helm_set.clone(),
        },
        kustomize_load_restrictor: sel.kustomize_load_restrictor.unwrap_or_default(),
        allow_read: sel.allow_read.clone(),
        tf_vars: sel.tf_vars.clone(),
        plans: sel.plan.clone(),
        shard: sel.shard,
    }
}

/// Every path the user named exists: a typo in a CI path is an error (exit 2), never a scan
/// that passes because it checked nothing.
fn named_paths_exist<'a>(paths: impl IntoIterator<Item = &'a PathBuf>) -> Result<()> {
    for path in paths {
        if path == Path::new("-") {
            continue;
        }
        if let Err(e) = std::fs::symlink_metadata(path) {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
                _ => e.to_string(),
            };
            bail!("{}: {why}", rampart::report::display_path(path));
        }
    }
    Ok(())
}

/// The paths a selection names: what to scan, plans, variable and values files, allowed
/// directories, the configuration file.
fn selection_paths_exist(sel: &Selection) -> Result<()> {
    named_paths_exist(
        sel.paths
            .iter()
            .chain(&sel.plan)
            .chain(&sel.var_file)
            .chain(&sel.helm_values)
            .chain(&sel.allow_read)
            .chain(sel.config.as_ref()),
    )
}

/// Scan and keep every result (fixes, baselines).
fn run_scan(sel: &Selection, resolver: Resolver) -> Result<(ScanResult, ConfigSource)> {
    if reads_stdin(sel) {
        let result = scan_stdin(sel, &resolver)?;
        return Ok((result, ConfigSource::Resolved(resolver)));
    }
    let options = scan_options(sel, resolver);
    let result = engine::scan(&sel.paths, &options)?;
    Ok((result, options.config))
}

fn scan(mut args: ScanArgs, outputs: Vec<(Format, Option<PathBuf>)>) -> Result<ExitCode> {
    selection_paths_exist(&args.selection)?;
    if outputs.iter().filter(|(_, o)| o.is_none()).count() > 1 {
        bail!("only one --format can go to stdout; give the others an --output FILE");
    }
    let baseline = match &args.baseline {
        Some(p) => Some(Baseline::load(p)?),
        None => None,
    };
    args.selection.fill_default_path();
    let sel = &args.selection;
    let reading_stdin = reads_stdin(sel);
    if (args.fix || args.diff) && reading_stdin {
        bail!("--fix and --diff work on files, not stdin");
    }
    let filter = match (&baseline, &args.baseline) {
        (Some(b), Some(p)) => Some(b.filter_for(p)),
        _ => None,
    };
    let color =
        !args.no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
    let human = HumanOptions {
        color,
        quiet: args.quiet,
    };
    let note = |s: String| {
        if !args.quiet {
            eprintln!("{s}");
        }
    };
    let resolver = resolver(sel, args.fail_on)?;
    let mut out = Outputs::new(&outputs, filter, args.fix || args.diff)?;
    if args.verbose {
        out.skipped = Some(Vec::new());
    }
    out.named = sel
        .paths
        .iter()
        .filter(|p| p.is_file())
        .chain(sel.stdin_filename.iter().filter(|_| reading_stdin))
        .cloned()
        .collect();
    let mut any_refused = false;
    let discovered = if args.fix || args.diff {
        let (mut result, source) = run_scan(sel, resolver)?;
        let min = if args.unsafe_fixes {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        // Findings whose only fixes are unsafe: what --unsafe-fixes would add.
        let unsafe_only = if args.unsafe_fixes {
            0
        } else {
            result
                .files
                .iter()
                .flat_map(|f| f.active())
                .filter(|f| {
                    !f.fixes.is_empty()
                        && f.fixes
                            .iter()
                            .all(|x| x.applicability == Applicability::Unsafe)
                })
                .count()
        };
        let unsafe_note = if unsafe_only > 0 {
            format!(
                "; {} with --unsafe-fixes (they change what gets deployed: preview them with --diff --unsafe-fixes)",
                report::count(unsafe_only, "more fix", "more fixes")
            )
        } else {
            String::new()
        };
        let mut changed = 0;
        let mut applied = 0;
        let mut refused = 0;
        let mut diffs = String::new();
        let mut written = std::collections::HashSet::new();
        let tree = rampart::fixer::Tree::of_paths(&sel.paths);
        for file in &result.files {
            let config = source.for_file(&file.path)?;
            let Some(outcome) = rampart::fixer::fix_file(file, min, &config) else {
                continue;
            };
            let shown = report::text::line(&report::display_path(&outcome.path)).into_owned();
            if let Some(why) = &outcome.refused {
                eprintln!("rampart: {shown}: {}", report::text::line(why));
                refused += 1;
                continue;
            }
            if !outcome.changed() {
                continue;
            }
            if args.diff {
                diffs.push_str(&rampart::fixer::diff(&outcome));
            } else {
                let real = std::fs::canonicalize(&outcome.path).ok();
                if real.as_ref().is_some_and(|r| written.contains(r)) {
                    // The same file under another name (a link to it), already fixed.
                    continue;
                }
                let tried = rampart::fixer::write_fixed(
                    &outcome.path,
                    &outcome.original,
                    &outcome.fixed,
                    &tree,
                );
                if let Err(why) = tried {
                    eprintln!("rampart: {shown}: {}", report::text::line(&why.to_string()));
                    refused += 1;
                    continue;
                }
                written.extend(real);
            }
            changed += 1;
            applied += outcome.applied;
        }
        let refused_note = if refused > 0 {
            format!("; {} refused", report::count(refused, "file", "files"))
        } else {
            String::new()
        };
        if args.diff {
            write_stdout(&diffs)?;
            note(format!(
                "rampart: {} would change {}{refused_note}{unsafe_note}",
                report::count(applied, "fix", "fixes"),
                report::count(changed, "file", "files")
            ));
            return Ok(if changed > 0 || refused > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            });
        }
        note(format!(
            "rampart: applied {} to {}{refused_note}{unsafe_note}",
            report::count(applied, "fix", "fixes"),
            report::count(changed, "file", "files")
        ));
        // A file that was to be fixed and was not is not a clean run.
        any_refused = refused > 0;
        if changed > 0 {
            // Report what is left, as the files now are.
            let (rescanned, _) = run_scan(sel, self::resolver(sel, args.fail_on)?)?;
            result = rescanned;
        }
        let discovered = result.discovered;
        for f in result.files {
            out.file(f);
        }
        discovered
    } else if reading_stdin {
        let result = scan_stdin(sel, &resolver)?;
        let discovered = result.discovered;
        for f in result.files {
            out.file(f);
        }
        discovered
    } else {
        let options = scan_options(sel, resolver);
        let bar = Bar::new(!args.no_progress && !args.quiet);
        let scanned = engine::scan_each(&sel.paths, &options, &|p| bar.update(p), &mut |f| {
            out.file(f)
        });
        bar.finish();
        scanned?
    };
    let failing = out.failing || any_refused;
    // `-v`: the skipped files on stderr, with the counts unless the human report on stdout
    // already ends with them.
    let note_text = if outputs
        .iter()
        .any(|(f, o)| *f == Format::Human && o.is_none())
    {
        out.skipped_lines()
    } else {
        out.verbose_note()
    };
    let named_skipped = std::mem::take(&mut out.named_skipped);
    out.finish(discovered, &human)?;
    if args.verbose {
        eprint!("{note_text}");
    } else if !args.quiet {
        for line in named_skipped {
            eprintln!("{line}");
        }
    }
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_baseline(mut args: BaselineArgs) -> Result<ExitCode> {
    args.selection.fill_default_path();
    let sel = &args.selection;
    selection_paths_exist(sel)?;
    let (result, _) = run_scan(sel, resolver(sel, None)?)?;
    let b = Baseline::from_scan(&result, &args.output);
    rampart::fixer::check_output_path(&args.output)
        .map_err(anyhow::Error::from)
        .and_then(|()| Ok(std::fs::write(&args.output, b.to_json())?))
        .with_context(|| format!("writing {}", args.output.display()))?;
    let total: usize = b.findings.iter().map(|e| e.count).sum();
    eprintln!(
        "rampart: recorded {} in {}",
        report::count(total, "finding", "findings"),
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
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
    let metas = rules::metas();
    let code_width = metas.iter().map(|m| m.code.len()).max().unwrap_or(0);
    let name_width = metas.iter().map(|m| m.name.len()).max().unwrap_or(0);
    for m in metas {
        out.push_str(&format!(
            "{:<code_width$} {:<name_width$} {:<9} {}{}\n",
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
    rampart::docs::page(m)
}
