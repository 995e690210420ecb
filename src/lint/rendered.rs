//! What `kustomize build` and `helm template` wrote: Kubernetes objects whose fixes have no file
//! to go to, and whose origins are the files of the overlay that produced them.

use std::path::{Path, PathBuf};

use super::{kubernetes, FileResult};
use crate::config::Config;
use crate::rule::Rule;

/// Lint rendered objects as the virtual file `path`. `overlay` is the kustomization's
/// directory (its objects carry their origin), `None` for a chart.
pub(super) fn lint_rendered(
    path: &Path,
    text: &str,
    config: &Config,
    overlay: Option<&Path>,
    rules: &[&dyn Rule],
) -> FileResult {
    let mut result = kubernetes::lint_yaml(path, text, config, rules, &crate::k8s::NO_SET);
    for f in &mut result.findings {
        // The rendered text is not a file: its fixes have nowhere to go.
        f.fixes.clear();
        if let (Some(dir), Some(origin)) = (overlay, &f.provenance) {
            let source = kustomize_origin(dir, origin);
            f.provenance = Some(crate::source::display_path(&source));
        }
    }
    result
}

/// The file a rendered object came from. Kustomize writes origins relative to the wrapper's
/// view: files of the overlay itself under the `target` link, others relative to the
/// overlay's parent directory.
pub(crate) fn kustomize_origin(dir: &Path, origin: &str) -> PathBuf {
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
pub(crate) fn resolved(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| crate::config::absolute(p))
}
