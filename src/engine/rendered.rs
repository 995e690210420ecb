//! Kustomize overlays and Helm charts of a scan, rendered in the sandbox and linted as what
//! they build.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};

use rayon::prelude::*;

use super::{locate, Progress, ScanOptions};
use crate::k8s;
use crate::lint::resolved;
use crate::lint::{self, FileResult, Input, Unit};
use crate::model::Node;
use crate::parse::yaml;
use crate::render::{self, Rendered};
use crate::rule::{Domain, Finding};
use crate::rules;
use crate::source::{read_text, FileKind};

pub(super) fn is_chart(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "Chart.yaml")
}

pub(super) fn is_kustomization(path: &Path) -> bool {
    render::is_kustomization_file(path)
}

/// The renders of a scan, running: [`start`] them, [`Renders::finish`] to lint what they build.
pub(super) struct Renders {
    count: usize,
    done: mpsc::Receiver<(Job, PathBuf, Rendered)>,
}

/// Start rendering every Kustomize overlay and Helm chart of the scan on `threads` threads of
/// `scope`; `None` when there is nothing to render. `renderable` are the kustomization and
/// `Chart.yaml` files of the scan.
pub(super) fn start<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    renderable: &[PathBuf],
    roots: &[PathBuf],
    options: &'scope ScanOptions,
    threads: usize,
) -> Option<Renders> {
    if renderable.is_empty() {
        return None;
    }
    let (jobs, remote) = jobs(renderable, roots, options);
    if jobs.is_empty() {
        return None;
    }
    let count = jobs.len();
    let queue = Arc::new(Mutex::new(jobs.into_iter()));
    let remote = Arc::new(remote);
    let (tx, done) = mpsc::channel();
    for _ in 0..threads.clamp(1, count) {
        let (queue, remote, tx) = (queue.clone(), remote.clone(), tx.clone());
        scope.spawn(move || {
            while let Some(job) = queue.lock().ok().and_then(|mut q| q.next()) {
                let (path, rendered) = render(&job, &remote, options);
                if tx.send((job, path, rendered)).is_err() {
                    break;
                }
            }
        });
    }
    Some(Renders { count, done })
}

impl Renders {
    /// Lint what the renders build, as they finish. Each render is reported as a virtual file
    /// next to its source (`overlays/prod/[kustomize build]`) whose objects name the file they
    /// came from, and each of its findings is placed in a real file ([`locate`]). From an overlay, only findings that its own files do not already show are
    /// kept (what patches, image overrides and generators add); a chart's findings are all
    /// kept, since its templates cannot be linted unrendered. `manifests` are the Kubernetes
    /// files the scan checked (what an overlay's own files show is linted again on demand, so
    /// the scan need not keep its results).
    pub(super) fn finish(
        self,
        manifests: &[PathBuf],
        set: &Arc<k8s::SetFacts>,
        options: &ScanOptions,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Vec<FileResult> {
        progress(Progress::Rendering(self.count));
        let pass = Pass {
            scanned: manifests.iter().map(|p| (resolved(p), p)).collect(),
            known: Mutex::default(),
            set,
            options,
        };
        let mut out: Vec<FileResult> = self
            .done
            .into_iter()
            .par_bridge()
            .filter_map(|(job, path, rendered)| {
                progress(Progress::Done);
                pass.lint(job, path, rendered)
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }
}

/// Run the render tool (in its sandbox); the virtual file it is reported as.
fn render(job: &Job, remote: &HashSet<PathBuf>, options: &ScanOptions) -> (PathBuf, Rendered) {
    let dir = &job.dir;
    let label = if job.kustomize {
        "[kustomize build]"
    } else {
        "[helm template]"
    };
    let path = dir.join(label);
    // `render-cache = false` in the configuration of the render's files keeps it out.
    let cache = options
        .render_cache
        .as_deref()
        .filter(|_| options.config.for_file(&path).is_ok_and(|c| c.render_cache));
    let rendered = if job.kustomize && remote.contains(&resolved(dir)) {
        Rendered::Unavailable(format!(
            "Kustomize overlay in {} not rendered: it uses remote resources, which rampart does not fetch",
            dir.display()
        ))
    } else if job.kustomize {
        render::kustomize(dir, options.kustomize_load_restrictor, cache)
    } else {
        render::helm(dir, &options.helm, cache)
    };
    (path, rendered)
}

/// One render: a directory, and whether it is a kustomization (else a chart).
struct Job {
    dir: PathBuf,
    kustomize: bool,
}

/// What to render: every chart, and each kustomization that no other kustomization of the
/// scan uses (bases and components are rendered as part of what uses them), sharded by
/// directory like the files; and the overlays that pull remote resources, which cannot build
/// offline.
fn jobs(
    renderable: &[PathBuf],
    roots: &[PathBuf],
    options: &ScanOptions,
) -> (Vec<Job>, HashSet<PathBuf>) {
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
    let jobs = renderable
        .iter()
        .filter_map(|path| {
            let dir = path.parent()?.to_path_buf();
            if options.shard.is_some_and(|s| !s.owns(&dir, roots)) {
                return None;
            }
            let kustomize = is_kustomization(path);
            (!kustomize || !used.contains(&resolved(&dir))).then_some(Job { dir, kustomize })
        })
        .collect();
    (jobs, remote)
}

/// What a rendered object's finding is compared by: rule, object kind, container.
type FindingKey = (&'static str, String, Option<String>);

struct Pass<'p> {
    /// The scan's manifests, by real path.
    scanned: HashMap<PathBuf, &'p PathBuf>,
    /// What each scanned manifest reports, linted when first asked for.
    known: Mutex<HashMap<PathBuf, Arc<HashSet<FindingKey>>>>,
    set: &'p Arc<k8s::SetFacts>,
    options: &'p ScanOptions,
}

impl Pass<'_> {
    /// Lint what a render built, keeping from an overlay what its own files do not show.
    fn lint(&self, job: Job, path: PathBuf, rendered: Rendered) -> Option<FileResult> {
        let config = self.options.config.for_file(&path).ok()?;
        let text = match rendered {
            Rendered::Text { text, .. } => text,
            Rendered::Unavailable(note) => {
                return Some(FileResult::skipped(path, Some(FileKind::Kubernetes), note))
            }
            Rendered::Failed(e) => {
                let what = if job.kustomize {
                    "kustomize"
                } else {
                    "helm template"
                };
                let reason = format!("{what} failed in {}: {e}", job.dir.display());
                return Some(FileResult::skipped(
                    path,
                    Some(FileKind::Kubernetes),
                    reason,
                ));
            }
        };
        let mut result = lint::lint_one(Unit {
            input: Input::Rendered {
                path,
                text: Arc::from(text),
                config: Arc::new(config),
                overlay: job.kustomize.then(|| job.dir.clone()),
            },
            rules: rules::all(),
            set: &k8s::NO_SET,
        });
        if job.kustomize {
            result.findings.retain(|f| {
                if f.meta.domain == Domain::Input {
                    return true;
                }
                let Some(origin) = &f.provenance else {
                    return true;
                };
                let key = (f.meta.code, resource_kind(f), f.container.clone());
                !self
                    .keys_of(Path::new(origin))
                    .is_some_and(|k| k.contains(&key))
            });
        }
        let source = if job.kustomize {
            locate::Source::Kustomize(&job.dir)
        } else {
            locate::Source::Helm(&job.dir)
        };
        locate::place(&mut result, source);
        // A finding placed in a scanned file (a patch) that the file's own lint already
        // reports is said once, by that file.
        if job.kustomize {
            let unit = result.unit.clone();
            result.findings.retain(|f| {
                if f.rendered.is_none() || f.meta.domain == Domain::Input {
                    return true;
                }
                let key = (f.meta.code, resource_kind(f), f.container.clone());
                !self
                    .keys_of(&unit[f.file].path)
                    .is_some_and(|k| k.contains(&key))
            });
        }
        Some(result)
    }

    /// What the scanned manifest `origin` reports, linted the first time it is asked for.
    fn keys_of(&self, origin: &Path) -> Option<Arc<HashSet<FindingKey>>> {
        let real = resolved(origin);
        let path = self.scanned.get(&real)?;
        if let Some(k) = self.known.lock().ok()?.get(&real) {
            return Some(k.clone());
        }
        let config = self.options.config.for_file(path).ok()?;
        let text = read_text(path, config.max_file_size).ok()?;
        let result = lint::lint_one(Unit {
            input: Input::File {
                path: path.to_path_buf(),
                kind: FileKind::Kubernetes,
                text: Arc::from(text),
                config: Arc::new(config),
            },
            rules: rules::all(),
            set: self.set,
        });
        let keys: Arc<HashSet<FindingKey>> = Arc::new(
            result
                .findings
                .iter()
                .map(|x| (x.meta.code, resource_kind(x), x.container.clone()))
                .collect(),
        );
        self.known.lock().ok()?.insert(real, keys.clone());
        Some(keys)
    }
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
pub(super) fn kustomization_refs(text: &str) -> Vec<String> {
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

/// `Deployment` from a finding's resource (`Deployment shop/api`).
fn resource_kind(f: &Finding) -> String {
    f.resource
        .as_deref()
        .and_then(|r| r.split(' ').next())
        .unwrap_or_default()
        .to_string()
}
