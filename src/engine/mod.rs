//! The scan: discover the files of the named paths, plan them into units (a file, or a
//! Terraform module directory), lint the units in parallel with [`lint`](crate::lint::lint),
//! render the Kustomize overlays and Helm charts found and lint what they build, and hand each
//! file's result on in path order as soon as it is ready.

mod discover;
mod locate;
mod rendered;
mod schedule;
mod shard;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{Config, ConfigError, Resolver};
use crate::k8s;
use crate::lint::{self, FileResult, FileStatus, Input};
use crate::rules;
use crate::source::{read_text, FileKind, SourceFile};
use crate::terraform::modules::{TfEnv, TfVar};

pub(crate) use shard::Shard;

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
    pub(crate) fn for_file(&self, path: &Path) -> Result<Config, ConfigError> {
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
    /// Where renders are kept between scans; `None` renders every time (`--no-cache`).
    pub render_cache: Option<Arc<crate::render::Cache>>,
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
pub(crate) enum Progress {
    /// Discovery is over: this many files will be reported (renders not included).
    Discovered(usize),
    /// One file is done.
    Done,
    /// This many Kustomize overlays and Helm charts will be rendered (each then `Done`).
    Rendering(usize),
}

/// Scan and collect every file's result, sorted by path.
pub fn scan(paths: &[PathBuf], options: &ScanOptions) -> Result<ScanResult, EngineError> {
    let mut files = Vec::new();
    let discovered = scan_each(paths, options, &|_| {}, &mut |f| files.push(f))?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(ScanResult { files, discovered })
}

/// A path that could not be walked, and why.
type WalkError = (PathBuf, String);

/// The files of the scan, each with its configuration (those it excludes left out), and the
/// paths that could not be walked.
fn candidates(
    paths: &[PathBuf],
    options: &ScanOptions,
) -> Result<(Vec<Candidate>, Vec<WalkError>), EngineError> {
    let excludes = discover::build_excludes(&options.exclude)?;
    let (mut found, walk_errors) = discover::discover(paths, &excludes);
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
    Ok((candidates, walk_errors))
}

/// Scan, handing each file's result to `sink` as soon as it and every file before it are done:
/// files in path order (Terraform modules by directory), then paths that could not be walked,
/// then renders. Only the files being checked are held in memory, so a report written as it
/// goes stays flat whatever the size of the scan. Returns the number of files discovered.
pub(crate) fn scan_each(
    paths: &[PathBuf],
    options: &ScanOptions,
    progress: &(dyn Fn(Progress) + Sync),
    sink: &mut dyn FnMut(FileResult),
) -> Result<usize, EngineError> {
    let (mut candidates, mut walk_errors) = candidates(paths, options)?;
    let fallback = options.config.for_file(Path::new("."))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs)
        .build()
        .map_err(|e| EngineError::Threads(e.to_string()))?;
    // Whole-set facts come from every file, whichever shard is checked.
    let set = Arc::new(pool.install(|| discover::gather_set(&candidates)));
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
    let renderable: Vec<PathBuf> = candidates
        .iter()
        .filter(|c| {
            options.render && (rendered::is_kustomization(&c.path) || rendered::is_chart(&c.path))
        })
        .map(|c| c.path.clone())
        .collect();
    let mut units = plan_units(candidates, paths, &options.tf_vars, &options.allow_read);
    units.sort_by(|a, b| a.first_path().cmp(b.first_path()));

    let threads = pool.current_num_threads();
    std::thread::scope(|scope| {
        // The render tools start now and run beside the lint of the files, as many at a time
        // as there are workers: they are other processes, mostly waited for.
        let renders = rendered::start(scope, &renderable, paths, options, threads);
        let mut manifests = Vec::new();
        schedule::run_in_order(units, threads, &mut |f: FileResult| {
            if options.render
                && f.kind == Some(FileKind::Kubernetes)
                && f.status == FileStatus::Scanned
            {
                manifests.push(f.path.to_path_buf());
            }
            progress(Progress::Done);
            sink(f);
        });
        walk_errors.sort();
        for (path, message) in walk_errors {
            progress(Progress::Done);
            sink(FileResult::unreadable(path, None, message, &fallback));
        }
        if let Some(renders) = renders {
            let rendered = pool.install(|| renders.finish(&manifests, &set, options, progress));
            discovered += rendered.len();
            for f in rendered {
                sink(f);
            }
        }
    });
    if let Some(cache) = &options.render_cache {
        cache.trim();
    }
    Ok(discovered)
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
        let boundary = crate::terraform::modules::ReadBoundary::around(&root, allow_read);
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

/// Read a unit's files and lint them. A file that cannot be read is reported as such; the
/// others of its module are linted without it.
fn run_unit(unit: Unit) -> Vec<FileResult> {
    match unit {
        Unit::Single(c) => vec![lint_candidate(c)],
        Unit::TerraformDir { dir, report, env } => lint_terraform_dir(&dir, report, env),
    }
}

fn lint_candidate(c: Candidate) -> FileResult {
    if let Some(reason) = c.skip {
        return FileResult::skipped(c.path, Some(c.kind), reason);
    }
    match read_text(&c.path, c.config.max_file_size) {
        Ok(text) => lint::lint_one(lint::Unit {
            input: Input::File {
                path: c.path,
                kind: c.kind,
                text: Arc::from(text),
                config: c.config,
            },
            rules: rules::all(),
            set: &c.set,
        }),
        Err(e) => FileResult::unreadable(c.path, Some(c.kind), e.message, &c.config)
            .with_text(e.lossy, e.at),
    }
}

/// Lint the Terraform files of `dir` the scan reports, as one module with their siblings (which
/// give it its variables and locals even when only one file is reported).
fn lint_terraform_dir(dir: &Path, report: Vec<Candidate>, env: TfEnv) -> Vec<FileResult> {
    let wanted: HashSet<PathBuf> = report.iter().map(|c| c.path.clone()).collect();
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
                configs.push(Some(c.config));
            }
            Err(e) => results.push(
                FileResult::unreadable(c.path, Some(FileKind::Terraform), e.message, &c.config)
                    .with_text(e.lossy, e.at),
            ),
        }
    }
    for path in siblings(dir, &wanted) {
        if let Ok(text) = read_text(&path, max) {
            files.push(SourceFile::new(path, FileKind::Terraform, text));
            configs.push(None);
        }
    }
    results.extend(lint::lint(lint::Unit {
        input: Input::Module {
            files,
            configs,
            env,
        },
        rules: rules::all(),
        set: &k8s::NO_SET,
    }));
    results
}

/// The other Terraform files of `dir`, sorted, named as discovery names them.
fn siblings(dir: &Path, wanted: &HashSet<PathBuf>) -> Vec<PathBuf> {
    let read_dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
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
    siblings
}
