//! `rampart compliance`: a scan of the framework's rules, read control by control.

use std::process::ExitCode;

use anyhow::{anyhow, bail, Context as _, Result};

use super::args::{ComplianceArgs, ComplianceFormat};
use super::scan::{resolver, run_scan, selection_paths_exist, write_stdout};
use crate::baseline::Baseline;
use crate::compliance::{self, Framework, Report};
use crate::rule::RuleMeta;

pub(crate) fn run(mut args: ComplianceArgs) -> Result<ExitCode> {
    if args.list {
        write_stdout(&list()?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(p) = args.fail_below {
        if !(0.0..=100.0).contains(&p) {
            bail!("--fail-below takes a percentage from 0 to 100, not {p}");
        }
    }
    let frameworks: Vec<Framework> = args
        .framework
        .iter()
        .map(|f| compliance::find(f).map_err(|e| anyhow!(e)))
        .collect::<Result<_>>()?;
    args.selection.fill_default_path();
    selection_paths_exist(&args.selection)?;
    let mut rules: Vec<&'static RuleMeta> = Vec::new();
    for f in &frameworks {
        for m in compliance::rules_of(f) {
            if !rules.iter().any(|r| r.code == m.code) {
                rules.push(m);
            }
        }
    }
    // The scan runs the frameworks' rules, less those the user turns off.
    let sel = &mut args.selection;
    if !sel.select.is_empty() {
        bail!("rampart compliance runs the rules of its frameworks: leave out --select (--ignore and the configuration still turn rules off)");
    }
    sel.select = rules.iter().map(|m| m.code.to_string()).collect();
    let resolver = resolver(sel, None)?;
    let probe = sel
        .paths
        .first()
        .map(|p| if p.is_dir() { p.join("_") } else { p.clone() });
    let config = match &probe {
        Some(p) => resolver.for_file(p)?,
        None => resolver.for_file(std::path::Path::new("_"))?,
    };
    let ran: Vec<&'static RuleMeta> = rules
        .iter()
        .copied()
        .filter(|m| config.is_enabled(m))
        .collect();
    let (mut result, _) = run_scan(sel, resolver)?;
    if let Some(path) = &args.baseline {
        let baseline = Baseline::load(path)?;
        let mut filter = baseline.filter_for(path);
        let reason = format!("in the baseline {}", path.display());
        for f in &mut result.files {
            filter.accept(f, &reason);
        }
    }
    let reports: Vec<Report> = frameworks
        .iter()
        .map(|f| compliance::evaluate(f, &result.files, &ran))
        .collect();
    let text = match args.format {
        ComplianceFormat::Human => compliance::human(&reports),
        ComplianceFormat::Json => compliance::json(&reports),
        ComplianceFormat::Html => compliance::html(&reports),
    };
    match &args.output {
        Some(p) => crate::fixer::check_output_path(p)
            .map_err(anyhow::Error::from)
            .and_then(|()| Ok(std::fs::write(p, &text)?))
            .with_context(|| format!("writing {}", p.display()))?,
        None => write_stdout(&text)?,
    }
    let failing = reports.iter().any(|r| match args.fail_below {
        Some(min) => r.totals.score.is_some_and(|s| s < min),
        None => r.totals.fail > 0,
    });
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `--list`: each framework with its version, its controls and how many a rule evaluates.
fn list() -> Result<String> {
    let all = crate::rules::metas();
    let mut out = String::from("FRAMEWORK        VERSION           CONTROLS  AUTOMATED  NAME\n");
    for f in compliance::frameworks().map_err(|e| anyhow!(e))? {
        let automated = f
            .controls
            .iter()
            .filter(|c| !c.rules(&all).is_empty())
            .count();
        out.push_str(&format!(
            "{:<16} {:<17} {:>8}  {:>9}  {}\n",
            f.id,
            f.version,
            f.controls.len(),
            automated,
            f.name
        ));
    }
    Ok(out)
}
