//! Where a scan's results go: reports written as the files come (JSON, SARIF, compact,
//! GitHub annotations, the summary) and reports that need the whole scan (human, JUnit,
//! GitLab). A scan whose reports all stream keeps no results, so its memory stays flat.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use clap::ValueEnum;

use crate::baseline::BaselineFilter;
use crate::engine::{Progress, ScanResult};
use crate::lint::{FileResult, FileStatus};
use crate::report::{self, json::JsonStream, sarif::SarifStream, summary::Tally};
use crate::rule::DocsUrl;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub(crate) enum Format {
    Human,
    Compact,
    Json,
    Sarif,
    Junit,
    Github,
    Gitlab,
    /// Counts by severity, rule and file kind, the top files and rules, and the time taken.
    Summary,
    /// One self-contained HTML page for an audit: charts, a filterable table, code snippets.
    Html,
}

impl Format {
    fn streams(self) -> bool {
        matches!(
            self,
            Format::Compact | Format::Json | Format::Sarif | Format::Github | Format::Summary
        )
    }
}

/// A report written to stdout or a file; a closed stdout pipe ends writing, not the scan.
struct Sink {
    out: Box<dyn Write>,
    path: Option<PathBuf>,
    closed: bool,
}

impl Sink {
    fn open(path: Option<&Path>) -> Result<Sink> {
        let out: Box<dyn Write> = match path {
            Some(p) => Box::new(BufWriter::new(
                crate::fixer::check_output_path(p)
                    .map_err(anyhow::Error::from)
                    .and_then(|()| Ok(File::create(p)?))
                    .with_context(|| format!("writing {}", p.display()))?,
            )),
            None => Box::new(BufWriter::new(std::io::stdout())),
        };
        Ok(Sink {
            out,
            path: path.map(Path::to_path_buf),
            closed: false,
        })
    }

    fn write(&mut self, s: &str) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.out.write_all(s.as_bytes()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe && self.path.is_none() => {
                self.closed = true;
                Ok(())
            }
            other => other.with_context(|| self.what()),
        }
    }

    fn flush(&mut self) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        match self.out.flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe && self.path.is_none() => Ok(()),
            other => other.with_context(|| self.what()),
        }
    }

    fn what(&self) -> String {
        match &self.path {
            Some(p) => format!("writing {}", p.display()),
            None => "writing to stdout".into(),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match self.out.write(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe && self.path.is_none() => {
                self.closed = true;
                Ok(buf.len())
            }
            other => other,
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Sink::flush(self).map_err(std::io::Error::other)
    }
}

enum Stream {
    Json(Box<JsonStream<Sink>>),
    Sarif(Box<SarifStream<Sink>>),
    Lines(Format, Sink),
    Summary(Sink),
}

/// How the human report looks.
pub(crate) struct HumanOptions {
    pub color: bool,
    pub quiet: bool,
}

/// Every report of one run, fed one file at a time.
pub(crate) struct Outputs {
    streams: Vec<Stream>,
    /// Reports that need the whole scan, with the results kept for them.
    whole: Vec<(Format, Option<PathBuf>)>,
    kept: Vec<FileResult>,
    /// `--fix`/`--diff` read the text of every file.
    keep_text: bool,
    tally: Tally,
    baseline: Option<BaselineFilter>,
    pub in_baseline: usize,
    pub failing: bool,
    error: Option<anyhow::Error>,
    started: Instant,
    /// `--verbose`: why each skipped file was skipped, and what was recognised by guessing,
    /// for stderr.
    pub skipped: Option<Vec<String>>,
    /// Files named on the command line: when one is skipped, the reason goes to stderr even
    /// without `--verbose` (the user asked for that file).
    pub named: std::collections::HashSet<std::path::PathBuf>,
    /// Why named files were skipped, for stderr.
    pub named_skipped: Vec<String>,
    /// Overlays and charts not checked: one note per scan, in every format.
    unrendered: report::Unrendered,
    /// The scan's settings, as the HTML report shows them (name, value).
    pub settings: Vec<(String, String)>,
    /// Where rule pages are, when the user said (the human frames link them only then).
    docs: Option<DocsUrl>,
}

impl Outputs {
    pub(crate) fn new(
        outputs: &[(Format, Option<PathBuf>)],
        baseline: Option<BaselineFilter>,
        keep_all: bool,
        docs: Option<DocsUrl>,
    ) -> Result<Outputs> {
        let links = docs.clone().unwrap_or_else(DocsUrl::project);
        let mut streams = Vec::new();
        let mut whole = Vec::new();
        for (format, path) in outputs {
            if !format.streams() || keep_all {
                whole.push((*format, path.clone()));
                continue;
            }
            let sink = Sink::open(path.as_deref())?;
            streams.push(match format {
                Format::Json => {
                    Stream::Json(Box::new(JsonStream::new(sink)?.with_docs(links.clone())))
                }
                Format::Sarif => {
                    // SARIF paths are relative to the working directory.
                    let base = std::env::current_dir().context("current directory")?;
                    Stream::Sarif(Box::new(
                        SarifStream::new(sink, &base)?.with_docs(links.clone()),
                    ))
                }
                Format::Summary => Stream::Summary(sink),
                f => Stream::Lines(*f, sink),
            });
        }
        Ok(Outputs {
            streams,
            whole,
            kept: Vec::new(),
            keep_text: keep_all,
            tally: Tally::new(),
            baseline,
            in_baseline: 0,
            failing: false,
            error: None,
            started: Instant::now(),
            skipped: None,
            named: Default::default(),
            named_skipped: Vec::new(),
            unrendered: report::Unrendered::default(),
            settings: Vec::new(),
            docs,
        })
    }

    /// One more file of the scan.
    pub(crate) fn file(&mut self, mut f: FileResult) {
        if let Some(b) = &mut self.baseline {
            self.in_baseline += b.apply(&mut f);
        }
        self.failing |= f.fails();
        self.tally.add(&f);
        self.unrendered.add(&f);
        if let Some(list) = &mut self.skipped {
            for what in &f.recognised {
                list.push(format!(
                    "{}: {}",
                    report::text::line(&report::display_path(&f.path)),
                    report::text::line(what)
                ));
            }
        }
        if let FileStatus::Skipped(reason) = &f.status {
            let line = format!(
                "skipped {}: {}",
                report::text::line(&report::display_path(&f.path)),
                report::text::line(reason)
            );
            if self.named.contains(&*f.path) {
                self.named_skipped.push(line.clone());
            }
            if let Some(list) = &mut self.skipped {
                list.push(line);
            }
        }
        for stream in &mut self.streams {
            let written = match stream {
                Stream::Json(j) => j.file(&f).context("writing the JSON report"),
                Stream::Sarif(j) => j.file(&f).context("writing the SARIF report"),
                Stream::Lines(Format::Github, sink) => sink.write(&report::github::render_file(&f)),
                Stream::Lines(_, sink) => sink.write(&report::compact::render_file(&f)),
                Stream::Summary(_) => Ok(()),
            };
            if let Err(e) = written {
                self.error.get_or_insert(e);
            }
        }
        if !self.whole.is_empty() {
            // A file without findings is only a line in the reports: its text (and its
            // module's) need not wait for the end.
            if f.findings.is_empty() && !self.keep_text {
                let own = &f.unit[f.index];
                f.unit = std::sync::Arc::from(vec![own.with_text("")]);
                f.index = 0;
            }
            self.kept.push(f);
        }
    }

    /// Write what waited for the end of the scan: the streams' endings, then each whole-scan
    /// report in turn (one arm per format), which is why this function is longer than most.
    pub(crate) fn finish(self, discovered: usize, human: &HumanOptions) -> Result<()> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let elapsed: Duration = self.started.elapsed();
        let mut tally = self.tally;
        tally.counts.files_discovered = discovered;
        let notes: String = self
            .unrendered
            .notes()
            .iter()
            .map(|n| format!("{n}\n"))
            .collect();
        // The human and summary reports end with the note; with only machine-readable
        // reports (which carry it too), it goes to stderr.
        let readable = |f: &Format| matches!(f, Format::Human | Format::Summary);
        let in_a_report = self.whole.iter().any(|(f, _)| readable(f))
            || self.streams.iter().any(|s| matches!(s, Stream::Summary(_)));
        if !in_a_report && !human.quiet {
            for n in self.unrendered.notes() {
                eprintln!("rampart: {}", report::text::line(&n));
            }
        }
        for stream in self.streams {
            match stream {
                Stream::Json(j) => {
                    j.finish(discovered)
                        .context("writing the JSON report")?
                        .flush()?;
                }
                Stream::Sarif(j) => {
                    j.finish().context("writing the SARIF report")?.flush()?;
                }
                Stream::Lines(_, mut sink) => sink.flush()?,
                Stream::Summary(mut sink) => {
                    sink.write(&tally.render(Some(elapsed)))?;
                    if !notes.is_empty() {
                        sink.write(&format!("\n{notes}"))?;
                    }
                    sink.flush()?;
                }
            }
        }
        if self.whole.is_empty() {
            return Ok(());
        }
        let mut files = self.kept;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let result = ScanResult { files, discovered };
        let links = self.docs.clone().unwrap_or_else(DocsUrl::project);
        for (format, path) in &self.whole {
            let mut rendered = match format {
                Format::Human => {
                    let color = human.color && path.is_none();
                    report::human::render(&result, color, !human.quiet, self.docs.as_ref())
                }
                Format::Compact => report::compact::render(&result),
                Format::Json => report::json::render(&result, &links),
                Format::Sarif => {
                    let base = std::env::current_dir().context("current directory")?;
                    report::sarif::render(&result, &base, &links)
                }
                Format::Junit => report::junit::render(&result),
                Format::Github => report::github::render(&result),
                Format::Gitlab => report::gitlab::render(&result),
                Format::Summary if !notes.is_empty() => {
                    format!("{}\n{notes}", tally.render(Some(elapsed)))
                }
                Format::Summary => tally.render(Some(elapsed)),
                Format::Html => report::html::render(
                    &result,
                    &report::html::HtmlOptions {
                        rule_url: &|m| {
                            Some(self.docs.clone().unwrap_or_else(DocsUrl::project).link(m))
                        },
                        settings: self.settings.clone(),
                        notes: self.unrendered.notes(),
                    },
                ),
            };
            if *format == Format::Human && !human.quiet {
                rendered.push_str(&notes);
            }
            if *format == Format::Human && self.in_baseline > 0 && !human.quiet {
                rendered.push_str(&format!(
                    "{} in the baseline {} not shown.\n",
                    crate::report::count(self.in_baseline, "known finding", "known findings"),
                    if self.in_baseline == 1 { "is" } else { "are" }
                ));
            }
            let mut sink = Sink::open(path.as_deref())?;
            sink.write(&rendered)?;
            sink.flush()?;
        }
        Ok(())
    }

    /// `--verbose`: the skipped files and why, one line each.
    pub(crate) fn skipped_lines(&self) -> String {
        let mut out = String::new();
        for line in self.skipped.iter().flatten() {
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// For stderr (`--verbose` without a human report on stdout): the skipped files and why,
    /// and the counts.
    pub(crate) fn verbose_note(&self) -> String {
        let mut out = self.skipped_lines();
        let s = &self.tally.counts;
        out.push_str(&format!(
            "{} checked, {} skipped, {} unparsable or unreadable; {}\n",
            crate::report::count(s.files_scanned, "file", "files"),
            s.files_skipped,
            s.files_failed,
            crate::report::count(s.findings, "finding", "findings")
        ));
        out
    }
}

/// The progress bar on stderr: only on a terminal, and not with `--no-progress` or `--quiet`.
pub(crate) struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    pub(crate) fn new(enabled: bool) -> Bar {
        if !enabled || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("discovering files");
        bar.enable_steady_tick(Duration::from_millis(100));
        Bar(Some(bar))
    }

    /// The engine's progress callback.
    pub(crate) fn update(&self, p: Progress) {
        let Some(bar) = &self.0 else { return };
        match p {
            Progress::Discovered(n) => {
                bar.set_length(n as u64);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} {msg:<10} [{bar:30}] {human_pos}/{human_len} files, {rate}, {elapsed}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .with_key(
                        "rate",
                        |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = write!(w, "{:.0}/s", s.per_sec());
                        },
                    )
                    .progress_chars("=> "),
                );
                bar.set_message("checking");
            }
            Progress::Done => bar.inc(1),
            Progress::Rendering(n) => {
                bar.inc_length(n as u64);
                bar.set_message("rendering");
            }
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// What the HTML report says the scan was run with.
pub(crate) fn settings_shown(args: &super::args::ScanArgs) -> Vec<(String, String)> {
    let sel = &args.selection;
    let list = |v: &[String]| v.join(", ");
    let paths: Vec<String> = sel
        .paths
        .iter()
        .map(|p| crate::report::display_path(p))
        .collect();
    let mut out = vec![
        ("rampart".to_string(), env!("CARGO_PKG_VERSION").to_string()),
        (
            "paths".into(),
            if paths.is_empty() {
                ".".into()
            } else {
                list(&paths)
            },
        ),
    ];
    let optional = [
        (
            "configuration",
            sel.config.as_ref().map(|p| p.display().to_string()),
        ),
        ("profile", sel.profile.clone()),
        (
            "select",
            (!sel.select.is_empty()).then(|| list(&sel.select)),
        ),
        (
            "ignore",
            (!sel.ignore.is_empty()).then(|| list(&sel.ignore)),
        ),
        (
            "exclude",
            (!sel.exclude.is_empty()).then(|| list(&sel.exclude)),
        ),
        ("fail on", args.fail_on.map(|s| s.as_str().to_string())),
        (
            "baseline",
            args.baseline.as_ref().map(|p| p.display().to_string()),
        ),
        (
            "rendering",
            sel.no_render.then(|| "off (--no-render)".to_string()),
        ),
    ];
    out.extend(
        optional
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_string(), v))),
    );
    out
}
