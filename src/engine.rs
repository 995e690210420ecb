//! discover → read → parse → evaluate → check → filter, in parallel over files (Terraform:
//! over module directories). One entry point for one text, [`lint_text`], serves stdin and the
//! language server; [`scan`] serves the CLI.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::GlobSet;
use rayon::prelude::*;

use crate::config::{Config, ConfigError, Resolver};
use crate::k8s;
use crate::model::{Node, Resource, ResourceKind, Value};
use crate::parse::{dockerfile, yaml};
use crate::rule::{Context, Domain, Finding, Rule, RuleMeta};
use crate::rules::{self, InternalError, ParseError, UnreadableFile};
use crate::source::{FileKind, SourceFile, Span};
use crate::suppress;
use crate::terraform_unit::{lint_module, TfEnv, TfVar};

/// What happened to a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileStatus {
    /// Parsed and checked (it may still carry parse errors for the part that did not parse).
    Scanned,
    /// Not a file rampart checks (YAML that is not Kubernetes, an unrendered Helm template).
    Skipped(String),
    /// Could not be read or parsed at all; the reason is a finding.
    Failed,
}

/// The result for one file.
#[derive(Clone, Debug)]
pub struct FileResult {
    pub path: Arc<Path>,
    pub kind: Option<FileKind>,
    pub status: FileStatus,
    pub findings: Vec<Finding>,
    /// The files linted together with this one (a Terraform module), for related locations;
    /// `unit[index]` is this file.
    pub unit: Arc<[SourceFile]>,
    pub index: usize,
    /// The lowest severity that fails the run, from this file's configuration.
    pub fail_on: crate::rule::Severity,
}

impl FileResult {
    /// Findings that count: not suppressed.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppressed.is_none())
    }

    /// Does this file fail the run?
    pub fn fails(&self) -> bool {
        self.active().any(|f| f.severity >= self.fail_on)
    }
}

impl FileResult {
    pub fn text(&self) -> &str {
        &self.unit[self.index].text
    }
    /// Path of a file of the unit (for related locations).
    pub fn unit_path(&self, file: usize) -> &Path {
        &self.unit[file].path
    }
}

/// Where each file's configuration comes from.
pub enum ConfigSource {
    /// One configuration for every file (tests, `--isolated` use).
    Fixed(Config),
    /// `.rampart.toml` files found upward from each file, or `--config`, plus flags.
    Resolved(Resolver),
}

impl Default for ConfigSource {
    fn default() -> ConfigSource {
        ConfigSource::Fixed(Config::default())
    }
}

impl ConfigSource {
    pub fn for_file(&self, path: &Path) -> Result<Config, ConfigError> {
        match self {
            ConfigSource::Fixed(c) => Ok(c.for_file(path)),
            ConfigSource::Resolved(r) => r.for_file(path),
        }
    }
}

#[derive(Default)]
pub struct ScanOptions {
    pub config: ConfigSource,
    /// `--exclude` globs.
    pub exclude: Vec<String>,
    /// Worker threads; 0 = one per core.
    pub jobs: usize,
    /// Render Kustomize overlays and Helm charts found in the scan with the installed tools.
    pub render: bool,
    /// Values for `helm template`.
    pub helm: crate::render::HelmOptions,
    /// `--kustomize-load-restrictor`: which files overlays may read.
    pub kustomize_load_restrictor: crate::render::LoadRestrictor,
    /// `--allow-read DIR`: directories outside the scanned repositories that Terraform module
    /// calls may read.
    pub allow_read: Vec<PathBuf>,
    /// `--var-file` and `--var` for the Terraform root modules of the scan.
    pub tf_vars: Vec<TfVar>,
    /// `--plan`: `terraform show -json` output to check, whatever its file name.
    pub plans: Vec<PathBuf>,
    /// `--shard K/N`: check only this part of the files.
    pub shard: Option<Shard>,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("invalid --exclude pattern `{0}`: {1}")]
    BadGlob(String, String),
    #[error("cannot start worker threads: {0}")]
    Threads(String),
    #[error("{0}")]
    Config(#[from] ConfigError),
}

#[derive(Debug, Default)]
pub struct ScanResult {
    pub files: Vec<FileResult>,
    /// Candidate files found by discovery (before reading).
    pub discovered: usize,
}

/// A file discovery found, with its configuration.
#[derive(Clone, Debug)]
struct Candidate {
    path: PathBuf,
    kind: FileKind,
    skip: Option<String>,
    config: Arc<Config>,
    set: Arc<k8s::SetFacts>,
}

/// What a scan reports as it goes, for a progress display.
#[derive(Debug)]
pub enum Progress<'a> {
    /// Discovery is over: this many files will be reported (renders not included).
    Discovered(usize),
    /// One file is done.
    Done(&'a Path),
    /// This many Kustomize overlays and Helm charts will be rendered (each then `Done`).
    Rendering(usize),
}

/// `--shard K/N`: the part of the file set this run checks. Files are split by a hash of their
/// path relative to the scanned directory (a Terraform module by its directory, so a module is
/// never split), so every machine of a matrix computes the same split and adding a file moves
/// no other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    pub count: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("expected K/N with 1 <= K <= N (e.g. 2/8), got `{s}`");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Does this shard own the file or directory `path`, found under one of `roots`?
    pub fn owns(&self, path: &Path, roots: &[PathBuf]) -> bool {
        let rel = roots
            .iter()
            .filter(|r| path.starts_with(r))
            .max_by_key(|r| r.components().count())
            .and_then(|r| path.strip_prefix(r).ok())
            .filter(|rel| !rel.as_os_str().is_empty())
            // A path given itself (a file named on the command line) hashes as written.
            .unwrap_or(path);
        let key = crate::report::display_path(rel);
        let mut hash: u64 = 0xcbf29ce484222325;
        for b in key.bytes() {
            hash ^= b as u64;
            hash = hash.wrapping_mul(0x100000001b3);
        }
        // The low bits of FNV-1a are weak for similar keys: mix before reducing.
        hash ^= hash >> 33;
        hash = hash.wrapping_mul(0xff51afd7ed558ccd);
        hash ^= hash >> 33;
        (hash % self.count as u64) as u32 == self.index - 1
    }
}

/// Scan and collect every file's result, sorted by path.
pub fn scan(paths: &[PathBuf], options: &ScanOptions) -> Result<ScanResult, EngineError> {
    let mut files = Vec::new();
    let discovered = scan_each(paths, options, &|_| {}, &mut |f| files.push(f))?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(ScanResult { files, discovered })
}

/// Scan, handing each file's result to `sink` as soon as it and every file before it are done:
/// files in path order (Terraform modules by directory), then paths that could not be walked,
/// then renders. Only the files being checked are held in memory, so a report written as it
/// goes stays flat whatever the size of the scan. Returns the number of files discovered.
pub fn scan_each(
    paths: &[PathBuf],
    options: &ScanOptions,
    progress: &(dyn Fn(Progress<'_>) + Sync),
    sink: &mut dyn FnMut(FileResult),
) -> Result<usize, EngineError> {
    let excludes = build_excludes(&options.exclude)?;
    let (mut found, mut walk_errors) = discover(paths, &excludes);
    // `--plan FILE`: a plan whatever its name.
    for plan in &options.plans {
        found.retain(|(p, _, _)| p != plan);
        found.push((plan.clone(), FileKind::TerraformPlan, None));
    }
    let mut candidates = Vec::with_capacity(found.len());
    for (path, kind, skip) in found {
        let config = options.config.for_file(&path)?;
        if config.is_excluded(&path) {
            continue;
        }
        candidates.push(Candidate {
            path,
            kind,
            skip,
            config: Arc::new(config),
            set: Arc::default(),
        });
    }
    let fallback = options.config.for_file(Path::new("."))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs)
        .build()
        .map_err(|e| EngineError::Threads(e.to_string()))?;
    // Whole-set facts come from every file, whichever shard is checked.
    let set = Arc::new(pool.install(|| gather_set(&candidates)));
    for c in &mut candidates {
        c.set = set.clone();
    }
    if let Some(shard) = options.shard {
        candidates.retain(|c| {
            let key = match c.kind {
                FileKind::Terraform => c.path.parent().unwrap_or(Path::new("")),
                _ => &c.path,
            };
            shard.owns(key, paths)
        });
        walk_errors.retain(|(p, _)| shard.owns(p, paths));
    }
    let mut discovered = candidates.len() + walk_errors.len();
    progress(Progress::Discovered(discovered));
    let mut units = plan_units(candidates, paths, &options.tf_vars, &options.allow_read);
    units.sort_by(|a, b| a.first_path().cmp(b.first_path()));

    let mut renderable = Vec::new();
    let mut manifests = Vec::new();
    run_in_order(
        units,
        pool.current_num_threads(),
        &mut |mut f: FileResult| {
            if options.render {
                if is_kustomization(&f.path) || is_chart(&f.path) {
                    renderable.push(f.path.to_path_buf());
                }
                if f.kind == Some(FileKind::Kubernetes) && f.status == FileStatus::Scanned {
                    manifests.push(f.path.to_path_buf());
                }
            }
            sort_findings(&mut f.findings);
            progress(Progress::Done(&f.path));
            sink(f);
        },
    );
    walk_errors.sort();
    for (path, message) in walk_errors {
        progress(Progress::Done(&path));
        sink(unreadable(path, None, message, &fallback));
    }
    if !renderable.is_empty() {
        let rendered =
            pool.install(|| render_pass(&renderable, &manifests, &set, paths, options, progress));
        discovered += rendered.len();
        for mut f in rendered {
            sort_findings(&mut f.findings);
            sink(f);
        }
    }
    Ok(discovered)
}

/// Lint the units on `threads` workers that take them in order, and hand the results to
/// `sink` in that order. A worker never runs far ahead of the slowest unit in flight, so the
/// results waiting for their turn stay few.
fn run_in_order(units: Vec<Unit>, threads: usize, sink: &mut dyn FnMut(FileResult)) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{mpsc, Mutex};
    let count = units.len();
    let units: Vec<Mutex<Option<Unit>>> = units.into_iter().map(|u| Mutex::new(Some(u))).collect();
    let next = AtomicUsize::new(0);
    let threads = threads.clamp(1, count.max(1));
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<(usize, Vec<FileResult>)>(threads * 4);
        for _ in 0..threads {
            let tx = tx.clone();
            let (units, next) = (&units, &next);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let unit = units[i].lock().map(|mut u| u.take()).ok().flatten();
                let results = unit.map(run_unit).unwrap_or_default();
                if tx.send((i, results)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut waiting: BTreeMap<usize, Vec<FileResult>> = BTreeMap::new();
        let mut turn = 0;
        for (i, results) in rx {
            waiting.insert(i, results);
            while let Some(mut results) = waiting.remove(&turn) {
                results.sort_by(|a, b| a.path.cmp(&b.path));
                for f in results {
                    sink(f);
                }
                turn += 1;
            }
        }
    });
}

pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.span.start, a.span.end, a.meta.code, &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.meta.code,
            &b.message,
        ))
    });
}

fn build_excludes(patterns: &[String]) -> Result<GlobSet, EngineError> {
    crate::config::path_globs(patterns).map_err(|(p, e)| EngineError::BadGlob(p, e))
}

fn rel_for_match(path: &Path) -> PathBuf {
    path.strip_prefix("./").unwrap_or(path).to_path_buf()
}

const VENDORED: &[&str] = &[".git", ".terraform", "node_modules"];

type Found = (PathBuf, FileKind, Option<String>);

fn discover(paths: &[PathBuf], excludes: &GlobSet) -> (Vec<Found>, Vec<(PathBuf, String)>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut helm_cache: HashMap<PathBuf, bool> = HashMap::new();
    let mut seen = HashSet::new();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                errors.push((root.clone(), io_message(&e)));
                continue;
            }
        };
        if meta.is_file() {
            // A file named on the command line is linted even if ignore files would skip it.
            if excludes.is_match(rel_for_match(root)) {
                continue;
            }
            if let Some(kind) = FileKind::from_path(root) {
                if seen.insert(root.clone()) {
                    let skip = helm_skip(root, kind, &mut helm_cache);
                    out.push((root.clone(), kind, skip));
                }
            }
            continue;
        }
        if !meta.is_dir() {
            errors.push((root.clone(), NOT_REGULAR.into()));
            continue;
        }
        let root_for_filter = root.clone();
        let excludes_for_filter = excludes.clone();
        let walker = ignore::WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .ignore(true)
            .require_git(false)
            .follow_links(false)
            .filter_entry(move |entry| {
                let name = entry.file_name().to_string_lossy();
                if entry.file_type().is_some_and(|t| t.is_dir())
                    && VENDORED.contains(&name.as_ref())
                {
                    return false;
                }
                // A pattern may be written relative to the scanned directory or to the working
                // directory (the path as printed).
                let rel = entry
                    .path()
                    .strip_prefix(&root_for_filter)
                    .unwrap_or(entry.path());
                rel.as_os_str().is_empty()
                    || !(excludes_for_filter.is_match(rel)
                        || excludes_for_filter.is_match(rel_for_match(entry.path())))
            })
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let Some(file_type) = entry.file_type() else {
                        continue;
                    };
                    if !file_type.is_file() {
                        // A FIFO, socket or device with a name rampart reads is reported, never
                        // opened; links are not followed, directories are walked.
                        let special = !file_type.is_dir() && !file_type.is_symlink();
                        if special && FileKind::from_path(entry.path()).is_some() {
                            errors.push((entry.into_path(), NOT_REGULAR.into()));
                        }
                        continue;
                    }
                    let path = entry.into_path();
                    if let Some(kind) = FileKind::from_path(&path) {
                        if seen.insert(path.clone()) {
                            let skip = helm_skip(&path, kind, &mut helm_cache);
                            out.push((path, kind, skip));
                        }
                    }
                }
                Err(err) => {
                    let path = error_path(&err).unwrap_or_else(|| root.clone());
                    errors.push((path, err.to_string()));
                }
            }
        }
        // Committed files are code under review: ignore files apply to untracked files only.
        if let Some(tracked) = crate::gitindex::tracked(root) {
            for (path, kind) in tracked_skipped(root, &tracked, excludes, &seen) {
                seen.insert(path.clone());
                let skip = helm_skip(&path, kind, &mut helm_cache);
                out.push((path, kind, skip));
            }
        }
    }
    (out, errors)
}

/// The files below `root` that git tracks and the walk did not find (skipped by `.gitignore`
/// or `.ignore`), as the walk would name them; hidden and vendored directories, `--exclude`
/// and links are honoured as in the walk.
fn tracked_skipped(
    root: &Path,
    tracked: &crate::gitindex::Tracked,
    excludes: &GlobSet,
    seen: &HashSet<PathBuf>,
) -> Vec<(PathBuf, FileKind)> {
    let Ok(real_root) = std::fs::canonicalize(root) else {
        return Vec::new();
    };
    let Ok(below) = real_root.strip_prefix(&tracked.top) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for file in &tracked.files {
        let Ok(rel) = file.strip_prefix(below) else {
            continue;
        };
        let hidden = rel.components().any(|c| {
            let name = c.as_os_str().to_string_lossy();
            name.starts_with('.') || VENDORED.contains(&name.as_ref())
        });
        if hidden {
            continue;
        }
        let path = root.join(rel);
        if seen.contains(&path) {
            continue;
        }
        let Some(kind) = FileKind::from_path(&path) else {
            continue;
        };
        let excluded = rel
            .ancestors()
            .filter(|a| !a.as_os_str().is_empty())
            .any(|a| excludes.is_match(a) || excludes.is_match(rel_for_match(&root.join(a))));
        if excluded || !path.symlink_metadata().is_ok_and(|m| m.is_file()) {
            continue;
        }
        out.push((path, kind));
    }
    out
}

const NOT_REGULAR: &str = "not a regular file (a FIFO, socket or device); not read";

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } => error_path(err),
        ignore::Error::WithLineNumber { err, .. } => error_path(err),
        _ => None,
    }
}

/// Unrendered Helm templates (under a chart's `templates/`, next to a `Chart.yaml`) are Go
/// templates, not YAML.
fn helm_skip(path: &Path, kind: FileKind, cache: &mut HashMap<PathBuf, bool>) -> Option<String> {
    if kind != FileKind::Kubernetes {
        return None;
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d.file_name().is_some_and(|n| n == "templates") {
            if let Some(chart) = d.parent() {
                let is_chart = *cache
                    .entry(chart.to_path_buf())
                    .or_insert_with(|| chart.join("Chart.yaml").is_file());
                if is_chart {
                    return Some(format!(
                        "unrendered Helm template of the chart in {}; render it with `helm template` to check it",
                        chart.display()
                    ));
                }
            }
        }
        dir = d.parent();
    }
    None
}

enum Unit {
    Single(Candidate),
    /// One Terraform module directory: files to report on, plus the directory for siblings.
    TerraformDir {
        dir: PathBuf,
        report: Vec<Candidate>,
        env: TfEnv,
    },
}

impl Unit {
    /// Where the unit sorts: its file, or its module's directory.
    fn first_path(&self) -> &Path {
        match self {
            Unit::Single(c) => &c.path,
            Unit::TerraformDir { dir, .. } => dir,
        }
    }
}

fn plan_units(
    candidates: Vec<Candidate>,
    roots: &[PathBuf],
    vars: &[TfVar],
    allow_read: &[PathBuf],
) -> Vec<Unit> {
    let mut dirs: BTreeMap<PathBuf, Vec<Candidate>> = BTreeMap::new();
    let mut units = Vec::new();
    for c in candidates {
        if c.kind == FileKind::Terraform {
            let dir = c.path.parent().map(Path::to_path_buf).unwrap_or_default();
            dirs.entry(dir).or_default().push(c);
        } else {
            units.push(Unit::Single(c));
        }
    }
    // `file()` may read below the scanned directory a module was found in.
    let root_dirs: Vec<PathBuf> = roots
        .iter()
        .map(|r| {
            if r.is_dir() {
                r.clone()
            } else {
                r.parent().map(Path::to_path_buf).unwrap_or_default()
            }
        })
        .collect();
    units.extend(dirs.into_iter().map(|(dir, report)| {
        let root = root_dirs
            .iter()
            .filter(|r| dir.starts_with(r))
            .cloned()
            .max_by_key(|r| r.components().count())
            .unwrap_or_else(|| dir.clone());
        let root = if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root
        };
        // Modules are read from the repository the module was found in (or the scanned
        // directory outside git) and the directories allowed on the command line.
        let boundary = crate::terraform_unit::ReadBoundary::around(&root, allow_read);
        Unit::TerraformDir {
            dir,
            report,
            env: TfEnv {
                vars: vars.to_vec(),
                root: Some(root),
                boundary: Some(boundary),
            },
        }
    }));
    units
}

fn run_unit(unit: Unit) -> Vec<FileResult> {
    let paths: Vec<(PathBuf, Arc<Config>)> = match &unit {
        Unit::Single(c) => vec![(c.path.clone(), c.config.clone())],
        Unit::TerraformDir { report, .. } => report
            .iter()
            .map(|c| (c.path.clone(), c.config.clone()))
            .collect(),
    };
    match guarded(AssertUnwindSafe(|| match unit {
        Unit::Single(c) => vec![lint_candidate(c)],
        Unit::TerraformDir { dir, report, env } => lint_terraform_dir(&dir, report, &env),
    })) {
        Ok(results) => results,
        Err(payload) => {
            let message = panic_message(&payload);
            paths
                .into_iter()
                .map(|(p, config)| internal_error(p, &message, &config))
                .collect()
        }
    }
}

thread_local! {
    static GUARDED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Is this thread inside a lint whose panic becomes a finding? A panic hook stays quiet then.
pub fn in_guarded_lint() -> bool {
    GUARDED.with(|g| g.get() > 0)
}

/// `catch_unwind` that marks the thread as inside a guarded lint while `f` runs.
fn guarded<R>(f: impl FnOnce() -> R + std::panic::UnwindSafe) -> std::thread::Result<R> {
    GUARDED.with(|g| g.set(g.get() + 1));
    let result = catch_unwind(f);
    GUARDED.with(|g| g.set(g.get() - 1));
    result
}

pub fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

fn lint_candidate(c: Candidate) -> FileResult {
    if let Some(reason) = c.skip {
        return skipped(c.path, Some(c.kind), reason);
    }
    match read_text(&c.path, c.config.max_file_size) {
        Ok(text) => lint_in_set(&c.path, &text, c.kind, &c.config, rules::RULES, &c.set),
        Err(e) => unreadable(c.path, Some(c.kind), e.message, &c.config).with_text(e.lossy, e.at),
    }
}

fn is_chart(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "Chart.yaml")
}

fn is_kustomization(path: &Path) -> bool {
    path.file_name().is_some_and(|n| {
        n == "kustomization.yaml" || n == "kustomization.yml" || n == "Kustomization"
    })
}

/// Render every Kustomize overlay and Helm chart of the scan and lint what they build. Each
/// render is reported as a virtual file next to its source (`overlays/prod/[kustomize build]`)
/// whose objects name the file they came from. From an overlay, only findings that its own
/// files do not already show are kept (what patches, image overrides and generators add); a
/// chart's findings are all kept, since its templates cannot be linted unrendered.
/// `renderable` are the kustomization and `Chart.yaml` files of the scan, `manifests` every
/// Kubernetes file it checked (what an overlay's own files show is linted again on demand, so
/// the scan need not keep its results).
fn render_pass(
    renderable: &[PathBuf],
    manifests: &[PathBuf],
    set: &Arc<k8s::SetFacts>,
    roots: &[PathBuf],
    options: &ScanOptions,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Vec<FileResult> {
    use crate::render::{self, Rendered};
    use std::sync::Mutex;
    // Bases and components used by another kustomization of the scan are rendered as part of
    // it; overlays that pull remote resources cannot build offline. Renders are sharded by
    // their directory, like the files.
    let mut used = HashSet::new();
    let mut remote = HashSet::new();
    for path in renderable.iter().filter(|p| is_kustomization(p)) {
        let dir = path.parent().unwrap_or(Path::new("."));
        let text = read_text(path, 10 << 20).unwrap_or_default();
        for entry in kustomization_refs(&text) {
            if looks_remote(&entry) {
                remote.insert(resolved(dir));
            } else {
                used.insert(resolved(&dir.join(entry)));
            }
        }
    }
    let jobs: Vec<(PathBuf, bool)> = renderable
        .iter()
        .filter_map(|path| {
            let dir = path.parent()?.to_path_buf();
            if options.shard.is_some_and(|s| !s.owns(&dir, roots)) {
                return None;
            }
            if is_kustomization(path) {
                (!used.contains(&resolved(&dir))).then_some((dir, true))
            } else {
                Some((dir, false))
            }
        })
        .collect();
    if jobs.is_empty() {
        return Vec::new();
    }
    progress(Progress::Rendering(jobs.len()));
    // What a scanned file reports: (rule, kind, container), linted when first asked for.
    let scanned: HashMap<PathBuf, &PathBuf> = manifests.iter().map(|p| (resolved(p), p)).collect();
    let known: Mutex<HashMap<PathBuf, Arc<HashSet<FindingKey>>>> = Mutex::default();
    let keys_of = |origin: &Path| -> Option<Arc<HashSet<FindingKey>>> {
        let real = resolved(origin);
        let path = scanned.get(&real)?;
        if let Some(k) = known.lock().ok()?.get(&real) {
            return Some(k.clone());
        }
        let config = options.config.for_file(path).ok()?;
        let text = read_text(path, config.max_file_size).ok()?;
        let result = lint_in_set(
            path,
            &text,
            FileKind::Kubernetes,
            &config,
            rules::RULES,
            set,
        );
        let keys: Arc<HashSet<FindingKey>> = Arc::new(
            result
                .findings
                .iter()
                .map(|x| (x.meta.code, resource_kind(x), x.container.clone()))
                .collect(),
        );
        known.lock().ok()?.insert(real, keys.clone());
        Some(keys)
    };
    let mut out: Vec<FileResult> = jobs
        .into_par_iter()
        .filter_map(|(dir, kustomize)| {
            let (rendered, label) = if kustomize && remote.contains(&resolved(&dir)) {
                (
                    Rendered::Unavailable(format!(
                        "Kustomize overlay in {} not rendered: it uses remote resources, which rampart does not fetch",
                        dir.display()
                    )),
                    "[kustomize build]",
                )
            } else if kustomize {
                (render::kustomize(&dir, options.kustomize_load_restrictor), "[kustomize build]")
            } else {
                (render::helm(&dir, &options.helm), "[helm template]")
            };
            let path = dir.join(label);
            progress(Progress::Done(&path));
            let config = options.config.for_file(&path).ok()?;
            let text = match rendered {
                Rendered::Text { text, .. } => text,
                Rendered::Unavailable(note) => return Some(skipped(path, Some(FileKind::Kubernetes), note)),
                Rendered::Failed(e) => {
                    let what = if kustomize { "kustomize" } else { "helm template" };
                    return Some(skipped(path, Some(FileKind::Kubernetes), format!("{what} failed in {}: {e}", dir.display())));
                }
            };
            let mut result = lint_in_set(&path, &text, FileKind::Kubernetes, &config, rules::RULES, &NO_SET);
            for f in &mut result.findings {
                // The rendered text is not a file: its fixes have nowhere to go.
                f.fixes.clear();
                if kustomize {
                    if let Some(origin) = &f.provenance {
                        let source = kustomize_origin(&dir, origin);
                        f.provenance = Some(crate::report::display_path(&source).to_string());
                    }
                }
            }
            result.findings.retain(|f| {
                if !kustomize || f.meta.domain == Domain::Input {
                    return true;
                }
                let Some(origin) = &f.provenance else { return true };
                let key = (f.meta.code, resource_kind(f), f.container.clone());
                !keys_of(Path::new(origin)).is_some_and(|k| k.contains(&key))
            });
            Some(result)
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The file a rendered object came from. Kustomize writes origins relative to the wrapper's
/// view: files of the overlay itself under the `target` link, others relative to the
/// overlay's parent directory.
fn kustomize_origin(dir: &Path, origin: &str) -> PathBuf {
    match origin.strip_prefix("target/") {
        Some(rest) => dir.join(rest),
        None => {
            let parent = resolved(dir)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let joined = parent.join(origin);
            // Present it relative to the working directory when it lies below it.
            let cwd = std::env::current_dir()
                .ok()
                .and_then(|d| std::fs::canonicalize(d).ok());
            let real = resolved(&joined);
            match cwd.and_then(|c| real.strip_prefix(&c).ok().map(Path::to_path_buf)) {
                Some(rel) => rel,
                None => real,
            }
        }
    }
}

/// The real path of a file, for comparing paths written differently.
fn resolved(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| crate::config::absolute(p))
}

/// Does a kustomization entry name a remote resource? Only for a clearer note: kustomize runs
/// where it cannot fetch, so an entry this misses fails to build rather than being fetched.
fn looks_remote(entry: &str) -> bool {
    let scp = entry
        .split_once(':')
        .is_some_and(|(host, _)| host.contains('@') && !host.contains('/') && !host.is_empty());
    entry.contains("://")
        || scp
        || entry.starts_with("github.com/")
        || entry.starts_with("gitlab.com/")
        || entry.starts_with("bitbucket.org/")
        || entry.contains("?ref=")
        || entry.contains(".git//")
        || entry.ends_with(".git")
}

/// The local and remote entries of a kustomization's `resources`, `bases` and `components`.
fn kustomization_refs(text: &str) -> Vec<String> {
    let (docs, _) = yaml::parse_stream(text, yaml::Limits::default());
    docs.iter()
        .flat_map(|d| {
            ["resources", "bases", "components"]
                .into_iter()
                .flat_map(|k| d.root.get(k).map(Node::as_list).unwrap_or_default())
                .filter_map(|n| n.as_str().map(str::to_string))
        })
        .collect()
}

/// What makes two findings on the same object the same: rule, object kind, container.
type FindingKey = (&'static str, String, Option<String>);

/// `Deployment` from a finding's resource (`Deployment shop/api`).
fn resource_kind(f: &Finding) -> String {
    f.resource
        .as_deref()
        .and_then(|r| r.split(' ').next())
        .unwrap_or_default()
        .to_string()
}

/// Whole-set facts of a scan: the NetworkPolicies of every manifest. Only files whose bytes
/// mention `NetworkPolicy` are decoded and parsed here; they are read again when linted.
fn gather_set(candidates: &[Candidate]) -> k8s::SetFacts {
    let finder = memchr::memmem::Finder::new("NetworkPolicy");
    let policies = candidates
        .par_iter()
        .filter(|c| c.kind == FileKind::Kubernetes && c.skip.is_none())
        .flat_map_iter(|c| {
            let Ok(bytes) = read_bytes(&c.path, c.config.max_file_size) else {
                return Vec::new();
            };
            if finder.find(&bytes).is_none() {
                return Vec::new();
            }
            let Ok(text) = decode(bytes) else {
                return Vec::new();
            };
            let (docs, _) = yaml::parse_stream(&text, yaml::Limits::default());
            k8s::network_policies(&k8s::resources(docs, 0))
        })
        .collect();
    k8s::SetFacts {
        policies,
        gathered: true,
    }
}

/// A file that could not be read as text.
pub struct ReadError {
    pub message: String,
    /// What could be read, for showing the location.
    pub lossy: String,
    pub at: usize,
}

pub fn read_text(path: &Path, max: u64) -> Result<String, ReadError> {
    decode(read_bytes(path, max)?)
}

/// A file's bytes, refused past `max` (checked before reading and while reading, for a file
/// that grows).
fn read_bytes(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let fail = |message: String| ReadError {
        message,
        lossy: String::new(),
        at: 0,
    };
    let file = crate::source::open_regular(path).map_err(|e| fail(io_message(&e)))?;
    crate::source::read_bounded(file, max).map_err(|e| match e {
        crate::source::BoundedRead::Io(e) => fail(io_message(&e)),
        crate::source::BoundedRead::TooLarge(Some(len)) => fail(format!(
            "file is {len} bytes, over the {max}-byte limit (--max-file-size); not read"
        )),
        crate::source::BoundedRead::TooLarge(None) => fail(format!(
            "file grew past the {max}-byte limit while being read; not read"
        )),
    })
}

/// Bytes to text: binary (NUL bytes) and invalid UTF-8 are errors located at the first bad byte.
pub fn decode(bytes: Vec<u8>) -> Result<String, ReadError> {
    if let Some(nul) = memchr::memchr(0, &bytes) {
        let lossy = String::from_utf8_lossy(&bytes[..nul]).into_owned();
        return Err(ReadError {
            message: format!("binary file: NUL byte at offset {nul}; not read"),
            at: lossy.len(),
            lossy,
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let lossy = String::from_utf8(bytes[..valid].to_vec()).unwrap_or_default();
        ReadError {
            message: format!(
                "not valid UTF-8: invalid byte 0x{:02X} at offset {valid}; not read",
                bytes[valid]
            ),
            at: valid,
            lossy,
        }
    })
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            "file not found (it may have been removed during the scan)".into()
        }
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

impl FileResult {
    fn with_text(mut self, text: String, at: usize) -> FileResult {
        self.unit = Arc::from(vec![self.unit[0].with_text(text)]);
        for f in &mut self.findings {
            f.span = Span::empty(at);
        }
        self
    }
}

fn single_unit(path: &Path, kind: FileKind, text: &str) -> Arc<[SourceFile]> {
    Arc::from(vec![SourceFile::new(path, kind, text)])
}

fn skipped(path: PathBuf, kind: Option<FileKind>, reason: String) -> FileResult {
    FileResult {
        unit: single_unit(&path, kind.unwrap_or(FileKind::Kubernetes), ""),
        path: Arc::from(path),
        kind,
        status: FileStatus::Skipped(reason),
        findings: Vec::new(),
        index: 0,
        fail_on: crate::rule::Severity::Critical,
    }
}

fn failed(
    path: PathBuf,
    kind: Option<FileKind>,
    finding: Option<Finding>,
    config: &Config,
) -> FileResult {
    FileResult {
        unit: single_unit(&path, kind.unwrap_or(FileKind::Kubernetes), ""),
        path: Arc::from(path),
        kind,
        status: FileStatus::Failed,
        findings: finding
            .into_iter()
            .map(|mut f| {
                f.severity = config.severity_of(f.meta);
                f
            })
            .collect(),
        index: 0,
        fail_on: config.fail_on,
    }
}

fn unreadable(
    path: PathBuf,
    kind: Option<FileKind>,
    message: String,
    config: &Config,
) -> FileResult {
    let finding = config
        .is_enabled(&UnreadableFile::META)
        .then(|| Finding::new(&UnreadableFile::META, 0, Span::empty(0), message));
    failed(path, kind, finding, config)
}

fn internal_error(path: PathBuf, message: &str, config: &Config) -> FileResult {
    let finding = config.is_enabled(&InternalError::META).then(|| {
        Finding::new(
            &InternalError::META,
            0,
            Span::empty(0),
            format!("internal error while linting this file: {message}"),
        )
    });
    failed(path, None, finding, config)
}

pub(crate) fn parse_error(
    message: String,
    file: usize,
    span: Span,
    config: &Config,
) -> Option<Finding> {
    config
        .is_enabled(&ParseError::META)
        .then(|| Finding::new(&ParseError::META, file, span, message))
}

/// Lint one file's text. Terraform is evaluated as a module of this one file; the CLI and the
/// language server evaluate whole directories through [`lint_terraform_files`].
pub fn lint_text(path: &Path, text: &str, kind: FileKind, config: &Config) -> FileResult {
    // An unrendered chart template is judged as a directory scan judges it, whether it comes
    // from stdin (`--stdin-filename`) or an editor: skipped, never reported as broken YAML.
    if let Some(reason) = helm_skip(path, kind, &mut HashMap::new()) {
        return skipped(path.to_path_buf(), Some(kind), reason);
    }
    lint_text_with(path, text, kind, config, rules::RULES)
}

/// [`lint_text`] with a chosen set of rules. A panic anywhere in the lint is caught and
/// reported as an internal-error finding on the file.
pub fn lint_text_with(
    path: &Path,
    text: &str,
    kind: FileKind,
    config: &Config,
    rules: &[&dyn Rule],
) -> FileResult {
    lint_in_set(path, text, kind, config, rules, &NO_SET)
}

/// [`lint_text_with`] as part of a scan whose whole-set facts are known.
fn lint_in_set(
    path: &Path,
    text: &str,
    kind: FileKind,
    config: &Config,
    rules: &[&dyn Rule],
    set: &k8s::SetFacts,
) -> FileResult {
    let run = || match kind {
        FileKind::Kubernetes => lint_yaml(path, text, config, rules, set),
        FileKind::Dockerfile => lint_dockerfile(path, text, config, rules),
        FileKind::TerraformPlan => crate::terraform_plan::lint_plan(path, text, config, rules),
        FileKind::Terraform => {
            let file = SourceFile::new(path, kind, text);
            lint_module(
                vec![file],
                &[Some(config.clone())],
                rules,
                &TfEnv::default(),
            )
            .into_iter()
            .next()
            .expect("one result per reported file")
        }
    };
    match guarded(AssertUnwindSafe(run)) {
        Ok(result) => result,
        Err(payload) => internal_error(path.to_path_buf(), &panic_message(&payload), config),
    }
}

pub(crate) fn run_rules(
    cx: &Context<'_>,
    domain: Domain,
    enabled: &dyn Fn(&RuleMeta) -> bool,
    rules: &[&dyn Rule],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in rules {
        let meta = rule.meta();
        if meta.domain == domain && enabled(meta) {
            rule.check(cx, &mut out);
        }
    }
    out
}

/// The findings of one file as its configuration wants them: rules it disables dropped,
/// severities overridden, suppressions applied (and reported when they silence nothing).
pub(crate) fn finalize(
    findings: Vec<Finding>,
    file: usize,
    text: &str,
    kind: FileKind,
    resources: &[Resource],
    config: &Config,
) -> Vec<Finding> {
    let mut kept: Vec<Finding> = findings
        .into_iter()
        .filter(|f| config.is_enabled(f.meta))
        .map(|mut f| {
            f.severity = config.severity_of(f.meta);
            f
        })
        .collect();
    let ran = |m: &RuleMeta| config.is_enabled(m) && m.domain.applies_to(kind);
    suppress::apply(&mut kept, text, file, resources, config, &ran);
    kept
}

/// Does a YAML/JSON file that did not parse look like it was meant to be a manifest?
fn looks_like_kubernetes(text: &str) -> bool {
    let has = |key: &str| {
        text.lines().any(|l| {
            let l = l.trim_start_matches(['-', ' ', '\t', '{', '[']);
            l.starts_with(&format!("{key}:")) || l.starts_with(&format!("\"{key}\""))
        })
    };
    // JSON may hold a whole manifest on one line.
    let json = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
        && text.contains("\"apiVersion\"")
        && text.contains("\"kind\"");
    json || (has("apiVersion") && has("kind"))
}

/// Facts for a lint that is not part of a scan (one file, an editor buffer).
pub(crate) static NO_SET: k8s::SetFacts = k8s::SetFacts {
    policies: Vec::new(),
    gathered: false,
};

fn lint_yaml(
    path: &Path,
    text: &str,
    config: &Config,
    rules: &[&dyn Rule],
    set: &k8s::SetFacts,
) -> FileResult {
    let (docs, error) = yaml::parse_stream(text, yaml::Limits::default());
    let is_k8s = k8s::is_kubernetes(&docs);
    if !is_k8s && (error.is_none() || !looks_like_kubernetes(text)) {
        return skipped(
            path.to_path_buf(),
            None,
            "not a Kubernetes manifest (no document with apiVersion and kind)".into(),
        );
    }
    let unit = single_unit(path, FileKind::Kubernetes, text);
    let resources = k8s::resources(docs, 0);
    let cx = Context {
        files: &unit,
        resources: &resources,
        dockerfile: None,
        scripts: &[],
        config,
        set,
    };
    let mut findings = run_rules(&cx, Domain::Kubernetes, &|m| config.is_enabled(m), rules);
    for (resource, key, span, len) in k8s::oversized_container_lists(&resources) {
        findings.extend(parse_error(
            format!(
                "{} has {len} entries in `{key}`, over the limit of {}; only the first {} were checked",
                resource.name,
                k8s::MAX_CONTAINERS,
                k8s::MAX_CONTAINERS
            ),
            0,
            span,
            config,
        ));
    }
    if let Some(e) = error {
        findings.extend(parse_error(
            format!("YAML does not parse: {}", e.message),
            0,
            e.span,
            config,
        ));
    }
    let findings = finalize(findings, 0, text, FileKind::Kubernetes, &resources, config);
    FileResult {
        path: Arc::from(path),
        kind: Some(FileKind::Kubernetes),
        status: FileStatus::Scanned,
        findings,
        unit,
        index: 0,
        fail_on: config.fail_on,
    }
}

/// `Dockerfile.template` and the like that hold template markup are templates, not Dockerfiles.
fn is_dockerfile_template(path: &Path, text: &str) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let opens_with_markup = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.starts_with("{{") || l.starts_with("{%"));
    opens_with_markup
        || matches!(
            ext.as_str(),
            "template" | "tmpl" | "tpl" | "j2" | "jinja" | "jinja2"
        ) && (text.contains("{{") || text.contains("{%"))
}

fn lint_dockerfile(path: &Path, text: &str, config: &Config, rules: &[&dyn Rule]) -> FileResult {
    if is_dockerfile_template(path, text) {
        return skipped(
            path.to_path_buf(),
            Some(FileKind::Dockerfile),
            "template markup (`{{`), not a Dockerfile; render it to check it".into(),
        );
    }
    let df = dockerfile::parse(text);
    let unit = single_unit(path, FileKind::Dockerfile, text);
    let resources: Vec<Resource> = df
        .stages
        .iter()
        .map(|s| Resource {
            kind: ResourceKind::DockerStage {
                index: s.index,
                name: s.name.as_ref().map(|(n, _)| n.clone()),
            },
            name: match &s.name {
                Some((n, _)) => format!("stage \"{n}\""),
                None => format!("stage {}", s.index + 1),
            },
            span: s.span,
            head: df.instructions[s.from].span,
            body: Node::new(Value::String(s.image_text.clone()), s.image_span),
            provenance: None,
            file: 0,
        })
        .collect();
    // A shell script is parsed into a syntax tree of every word: past this size (no real RUN
    // comes near it) the cost is seconds and hundreds of megabytes, so it is not analysed.
    const MAX_SCRIPT: usize = 256 << 10;
    let mut too_long = Vec::new();
    let scripts: Vec<(usize, crate::shell::Script)> = df
        .instructions
        .iter()
        .enumerate()
        .filter_map(|(i, ins)| {
            if ins.args_span.end - ins.args_span.start > MAX_SCRIPT {
                too_long.push(ins);
                return None;
            }
            crate::shell::parse_run(text, &df, ins).map(|s| (i, s))
        })
        .collect();
    let cx = Context {
        files: &unit,
        resources: &resources,
        dockerfile: Some(&df),
        scripts: &scripts,
        config,
        set: &NO_SET,
    };
    let mut findings = run_rules(&cx, Domain::Dockerfile, &|m| config.is_enabled(m), rules);
    for (message, span) in &df.errors {
        findings.extend(parse_error(
            format!("Dockerfile does not parse: {message}"),
            0,
            *span,
            config,
        ));
    }
    for ins in too_long {
        findings.extend(parse_error(
            format!(
                "{} instruction of {} bytes, over the {MAX_SCRIPT}-byte limit for shell analysis; its commands were not checked",
                ins.keyword,
                ins.args_span.end - ins.args_span.start
            ),
            0,
            Span::new(ins.span.start, ins.span.start + ins.keyword.len()),
            config,
        ));
    }
    let findings = finalize(findings, 0, text, FileKind::Dockerfile, &resources, config);
    FileResult {
        path: Arc::from(path),
        kind: Some(FileKind::Dockerfile),
        status: FileStatus::Scanned,
        findings,
        unit,
        index: 0,
        fail_on: config.fail_on,
    }
}

fn lint_terraform_dir(dir: &Path, report: Vec<Candidate>, env: &TfEnv) -> Vec<FileResult> {
    let wanted: HashSet<PathBuf> = report.iter().map(|c| c.path.clone()).collect();
    let read_dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    // Siblings give the module its variables and locals even when only one file is linted.
    let mut siblings: Vec<PathBuf> = match std::fs::read_dir(read_dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .map(|p| {
                if dir.as_os_str().is_empty() {
                    p.strip_prefix("./").map(Path::to_path_buf).unwrap_or(p)
                } else {
                    p
                }
            })
            .filter(|p| {
                p.is_file()
                    && FileKind::from_path(p) == Some(FileKind::Terraform)
                    && !wanted.contains(p)
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    siblings.sort();
    let max = report
        .first()
        .map(|c| c.config.max_file_size)
        .unwrap_or(u64::MAX);
    let mut files = Vec::new();
    let mut configs = Vec::new();
    let mut results = Vec::new();
    for c in report {
        match read_text(&c.path, c.config.max_file_size) {
            Ok(text) => {
                files.push(SourceFile::new(c.path.clone(), FileKind::Terraform, text));
                configs.push(Some((*c.config).clone()));
            }
            Err(e) => results.push(
                unreadable(c.path, Some(FileKind::Terraform), e.message, &c.config)
                    .with_text(e.lossy, e.at),
            ),
        }
    }
    for path in siblings {
        if let Ok(text) = read_text(&path, max) {
            files.push(SourceFile::new(path, FileKind::Terraform, text));
            configs.push(None);
        }
    }
    results.extend(lint_module(files, &configs, rules::RULES, env));
    results
}

/// Lint the files of one Terraform module together. Results are returned for the files whose
/// `reported` flag is set, in order; `config` applies to all of them (with its path overrides).
pub fn lint_terraform_files(
    files: Vec<SourceFile>,
    reported: &[bool],
    config: &Config,
) -> Vec<FileResult> {
    let configs: Vec<Option<Config>> = files
        .iter()
        .zip(reported.iter().chain(std::iter::repeat(&false)))
        .map(|(f, r)| r.then(|| config.for_file(&f.path)))
        .collect();
    let root = files
        .first()
        .and_then(|f| f.path.parent())
        .map(Path::to_path_buf);
    let env = TfEnv {
        vars: Vec::new(),
        root,
        boundary: None,
    };
    lint_module(files, &configs, rules::RULES, &env)
}

/// The kind for `--stdin-filename`, or from the content when no name is given.
pub fn kind_for_stdin(name: Option<&Path>, text: &str) -> Option<FileKind> {
    if let Some(kind) = name.and_then(FileKind::from_path) {
        return Some(kind);
    }
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let word = first.split_whitespace().next()?.to_ascii_uppercase();
    if word == "FROM" || word == "ARG" {
        Some(FileKind::Dockerfile)
    } else if looks_like_kubernetes(text) {
        Some(FileKind::Kubernetes)
    } else {
        Some(FileKind::Terraform)
    }
}
