//! `rampart scan` and `rampart baseline`: what to scan, with which configuration, and the
//! reports and fixes that follow.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};

use crate::baseline::Baseline;
use crate::config::{CliSettings, Resolver};
use crate::engine::{self, ConfigSource, ScanOptions, ScanResult};
use crate::fix::Applicability;
use crate::report;
use crate::rule::Severity;
use crate::rules;
use crate::terraform::modules::TfVar;

use super::args::*;
use super::output::{Bar, Format, HumanOptions, Outputs};

pub(crate) fn resolver(sel: &Selection, fail_on: Option<Severity>) -> Result<Resolver> {
    if let Some(p) = &sel.profile {
        if !crate::config::PROFILES.iter().any(|(name, _)| name == p) {
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
    crate::rules::policy::rego::set_namespaces(crate::rules::policy::rego::Namespaces {
        names: sel.namespace.clone(),
        all: sel.all_namespaces,
    });
    install_policies(&sel.policy, sel.config.as_deref(), &sel.paths)?;
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

/// Load users' rule files into the registry: those named with `--policy` and the `policies` of
/// the configuration (`--config`, else the `.rampart.toml` that applies to each named path).
/// Any problem in a rule file is an error (exit 2) naming its file, line and column.
pub(crate) fn install_policies(
    named: &[PathBuf],
    config: Option<&Path>,
    paths: &[PathBuf],
) -> Result<()> {
    let mut all: Vec<PathBuf> = named.to_vec();
    let configs: Vec<PathBuf> = match config {
        Some(c) => vec![c.to_path_buf()],
        None => {
            let mut found: Vec<PathBuf> = paths
                .iter()
                .filter(|p| *p != Path::new("-"))
                .chain(paths.is_empty().then(|| PathBuf::from(".")).as_ref())
                .filter_map(|p| {
                    let dir = if p.is_dir() {
                        p.as_path()
                    } else {
                        p.parent().unwrap_or(Path::new("."))
                    };
                    let dir = if dir.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        dir
                    };
                    crate::config::nearest_file(dir)
                })
                .collect();
            if found.is_empty() {
                found.extend(crate::config::nearest_file(Path::new(".")));
            }
            found.sort();
            found.dedup();
            found
        }
    };
    for c in configs {
        all.extend(crate::config::policies_of(&c));
    }
    named_paths_exist(&all)?;
    if let Err(errors) = crate::policy::install(&all) {
        for e in &errors {
            eprintln!(
                "rampart: error: {}",
                crate::report::text::line(&e.to_string())
            );
        }
        bail!(
            "{} problem{} in rule files",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// Lint stdin (`-`) as one file.
pub(crate) fn scan_stdin(sel: &Selection, resolver: &Resolver) -> Result<ScanResult> {
    if sel.paths.len() > 1 {
        bail!("`-` (stdin) cannot be combined with other paths");
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("reading stdin")?;
    let text = crate::source::decode(bytes).map_err(|e| anyhow::anyhow!("stdin: {}", e.message))?;
    let name = sel.stdin_filename.clone();
    let Some(kind) = crate::lint::kind_for_stdin(name.as_deref(), &text) else {
        bail!("cannot tell the kind of stdin; pass --stdin-filename");
    };
    let config = match &name {
        Some(n) => resolver.for_file(n)?,
        None => (*resolver.for_dir(Path::new("."))?).clone(),
    };
    let path = name.unwrap_or_else(|| PathBuf::from("<stdin>"));
    let file = crate::lint::lint_one(crate::lint::Unit::file(&path, &text, kind, &config));
    Ok(ScanResult {
        files: vec![file],
        discovered: 1,
    })
}

pub(crate) fn reads_stdin(sel: &Selection) -> bool {
    sel.paths.iter().any(|p| p == Path::new("-"))
}

/// `--var-file` and `--var` as Terraform takes them: in command-line order, later ones winning.
pub(crate) fn tf_vars_in_order(matches: &clap::ArgMatches) -> Vec<TfVar> {
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

pub(crate) fn scan_options(sel: &Selection, resolver: Resolver) -> ScanOptions {
    ScanOptions {
        config: ConfigSource::Resolved(resolver),
        exclude: sel.exclude.clone(),
        jobs: sel.jobs,
        render: !sel.no_render,
        helm: crate::render::HelmOptions {
            values: sel.helm_values.clone(),
            set: sel.helm_set.clone(),
        },
        kustomize_load_restrictor: sel.kustomize_load_restrictor.unwrap_or_default(),
        render_cache: render_cache(sel),
        allow_read: sel.allow_read.clone(),
        tf_vars: sel.tf_vars.clone(),
        plans: sel.plan.clone(),
        shard: sel.shard,
    }
}

/// The render cache of this scan: none with `--no-render` or `--no-cache`, or when there is no
/// cache directory; one that cannot be used safely is said on stderr and left alone.
fn render_cache(sel: &Selection) -> Option<std::sync::Arc<crate::render::Cache>> {
    if sel.no_render || sel.no_cache {
        return None;
    }
    let dir = crate::render::cache::default_dir()?;
    match crate::render::Cache::open(&dir, crate::render::cache::DEFAULT_LIMIT) {
        Ok(cache) => Some(std::sync::Arc::new(cache)),
        Err(why) => {
            eprintln!(
                "rampart: render cache not used: {}",
                report::text::line(&why)
            );
            None
        }
    }
}

/// Every path the user named exists: a typo in a CI path is an error (exit 2), never a scan
/// that passes because it checked nothing.
pub(crate) fn named_paths_exist<'a>(paths: impl IntoIterator<Item = &'a PathBuf>) -> Result<()> {
    for path in paths {
        if path == Path::new("-") {
            continue;
        }
        if let Err(e) = std::fs::symlink_metadata(path) {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
                _ => e.to_string(),
            };
            bail!("{}: {why}", crate::report::display_path(path));
        }
    }
    Ok(())
}

/// The paths a selection names: what to scan, plans, variable and values files, allowed
/// directories, the configuration file.
pub(crate) fn selection_paths_exist(sel: &Selection) -> Result<()> {
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
pub(crate) fn run_scan(sel: &Selection, resolver: Resolver) -> Result<(ScanResult, ConfigSource)> {
    if reads_stdin(sel) {
        let result = scan_stdin(sel, &resolver)?;
        return Ok((result, ConfigSource::Resolved(resolver)));
    }
    let options = scan_options(sel, resolver);
    let result = engine::scan(&sel.paths, &options)?;
    Ok((result, options.config))
}

/// `rampart scan`: the outputs, the baseline, the scan or its fixes, the notes and the exit
/// code, in that order; each step is a call, but they share the outputs, which is why this
/// function is a little longer than most.
pub(crate) fn scan(
    mut args: ScanArgs,
    outputs: Vec<(Format, Option<PathBuf>)>,
) -> Result<ExitCode> {
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
    let docs = match &args.docs_url {
        Some(d) => Some(d.clone()),
        None => resolver.for_dir(Path::new("."))?.docs_url.clone(),
    };
    let mut out = Outputs::new(&outputs, filter, args.fix || args.diff, docs)?;
    if args.verbose {
        out.skipped = Some(Vec::new());
    }
    out.settings = super::output::settings_shown(&args);
    out.named = sel
        .paths
        .iter()
        .filter(|p| p.is_file())
        .chain(sel.stdin_filename.iter().filter(|_| reading_stdin))
        .cloned()
        .collect();
    let mut any_refused = false;
    let discovered = if args.fix || args.diff {
        match fix(&args, resolver, &note, &mut out)? {
            Fixed::Diff(code) => return Ok(code),
            Fixed::Written {
                discovered,
                refused,
            } => {
                // A file that was to be fixed and was not is not a clean run.
                any_refused = refused;
                discovered
            }
        }
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
    finish(out, &outputs, discovered, &human, &args)?;
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// End the reports; `-v` lists the skipped files on stderr (with the counts unless the human
/// report on stdout already ends with them), otherwise only the named files that were skipped.
fn finish(
    mut out: Outputs,
    outputs: &[(Format, Option<PathBuf>)],
    discovered: usize,
    human: &HumanOptions,
    args: &ScanArgs,
) -> Result<()> {
    let note_text = if outputs
        .iter()
        .any(|(f, o)| *f == Format::Human && o.is_none())
    {
        out.skipped_lines()
    } else {
        out.verbose_note()
    };
    let named_skipped = std::mem::take(&mut out.named_skipped);
    out.finish(discovered, human)?;
    if args.verbose {
        eprint!("{note_text}");
        let (notes, dropped) = crate::policy::take_notes();
        for n in notes {
            eprintln!("note: {}", crate::report::text::line(&n));
        }
        if dropped > 0 {
            eprintln!("note: {dropped} more conditions of users' rules were not decided");
        }
    } else if !args.quiet {
        for line in named_skipped {
            eprintln!("{line}");
        }
    }
    Ok(())
}

/// The findings whose only fixes are unsafe: what `--unsafe-fixes` would add, as the end of a
/// note.
fn unsafe_note(result: &ScanResult) -> String {
    let unsafe_only = result
        .files
        .iter()
        .flat_map(|f| f.active())
        .filter(|f| {
            !f.fixes.is_empty()
                && f.fixes
                    .iter()
                    .all(|x| x.applicability == Applicability::Unsafe)
        })
        .count();
    if unsafe_only > 0 {
        format!(
            "; {} with --unsafe-fixes (they change what gets deployed: preview them with --diff --unsafe-fixes)",
            report::count(unsafe_only, "more fix", "more fixes")
        )
    } else {
        String::new()
    }
}

/// What applying fixes to the files of a scan did.
#[derive(Default)]
struct Tally {
    changed: usize,
    applied: usize,
    refused: usize,
    /// With `--diff`: the changes, not written.
    diffs: String,
}

/// Fix each file of the scan (or, with `diff`, only compute the diff), writing a file only
/// when it is still what was read and lies inside the scanned `paths`.
fn apply_fixes(
    result: &ScanResult,
    source: &ConfigSource,
    min: Applicability,
    diff: bool,
    paths: &[PathBuf],
) -> Result<Tally> {
    let mut tally = Tally::default();
    let mut written = std::collections::HashSet::new();
    let tree = crate::fixer::Tree::of_paths(paths);
    for file in &result.files {
        let config = source.for_file(&file.path)?;
        let Some(outcome) = crate::fixer::fix_file(file, min, &config) else {
            continue;
        };
        let shown = report::text::line(&report::display_path(&outcome.path)).into_owned();
        if let Some(why) = &outcome.refused {
            eprintln!("rampart: {shown}: {}", report::text::line(why));
            tally.refused += 1;
            continue;
        }
        if !outcome.changed() {
            continue;
        }
        if diff {
            tally.diffs.push_str(&crate::fixer::diff(&outcome));
        } else {
            let real = std::fs::canonicalize(&outcome.path).ok();
            if real.as_ref().is_some_and(|r| written.contains(r)) {
                // The same file under another name (a link to it), already fixed.
                continue;
            }
            let tried =
                crate::fixer::write_fixed(&outcome.path, &outcome.original, &outcome.fixed, &tree);
            if let Err(why) = tried {
                eprintln!("rampart: {shown}: {}", report::text::line(&why.to_string()));
                tally.refused += 1;
                continue;
            }
            written.extend(real);
        }
        tally.changed += 1;
        tally.applied += outcome.applied;
    }
    Ok(tally)
}

/// What `--fix` or `--diff` did.
enum Fixed {
    /// `--diff`: the diff is written; the run ends with this code.
    Diff(ExitCode),
    /// The fixes are written and what is left reported to `out`.
    Written { discovered: usize, refused: bool },
}

/// Apply the fixes of the scan's findings (`--fix`) or show them (`--diff`), file by file,
/// each written only when it is still what was read; then report what is left.
fn fix(
    args: &ScanArgs,
    resolver: Resolver,
    note: &dyn Fn(String),
    out: &mut Outputs,
) -> Result<Fixed> {
    let sel = &args.selection;
    let (mut result, source) = run_scan(sel, resolver)?;
    let min = if args.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let unsafe_note = if args.unsafe_fixes {
        String::new()
    } else {
        unsafe_note(&result)
    };
    let Tally {
        changed,
        applied,
        refused,
        diffs,
    } = apply_fixes(&result, &source, min, args.diff, &sel.paths)?;
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
        return Ok(Fixed::Diff(if changed > 0 || refused > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }));
    }
    note(format!(
        "rampart: applied {} to {}{refused_note}{unsafe_note}",
        report::count(applied, "fix", "fixes"),
        report::count(changed, "file", "files")
    ));
    if changed > 0 {
        // Report what is left, as the files now are.
        let (rescanned, _) = run_scan(sel, self::resolver(sel, args.fail_on)?)?;
        result = rescanned;
    }
    let discovered = result.discovered;
    for f in result.files {
        out.file(f);
    }
    Ok(Fixed::Written {
        discovered,
        refused: refused > 0,
    })
}

pub(crate) fn write_baseline(mut args: BaselineArgs) -> Result<ExitCode> {
    args.selection.fill_default_path();
    let sel = &args.selection;
    selection_paths_exist(sel)?;
    let (result, _) = run_scan(sel, resolver(sel, None)?)?;
    let b = Baseline::from_scan(&result, &args.output);
    crate::fixer::check_output_path(&args.output)
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

pub(crate) fn write_stdout(s: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        // A closed pipe (`rampart … | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to stdout"),
    }
}
