//! Applying fixes to files: in rounds until stable (overlapping fixes wait for the next
//! round), re-linting after each round, never producing a file that does not parse, and
//! writing atomically (a temporary file renamed over the original, permissions kept).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::engine::{self, FileResult};
use crate::fix::{apply_non_overlapping, Applicability, Fix};
use crate::source::{FileKind, SourceFile};

const MAX_ROUNDS: usize = 10;
const PARSE_ERROR: &str = "RAMPART-001";

/// Lint a file again after its text changed (a Terraform file together with its module).
pub fn relint(result: &FileResult, new_text: &str, config: &Config) -> FileResult {
    let file = &result.unit[result.index];
    match file.kind {
        FileKind::Terraform => {
            let files: Vec<SourceFile> = result
                .unit
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    if i == result.index {
                        f.with_text(new_text)
                    } else {
                        f.clone()
                    }
                })
                .collect();
            let reported: Vec<bool> = (0..files.len()).map(|i| i == result.index).collect();
            engine::lint_terraform_files(files, &reported, config)
                .into_iter()
                .next()
                .expect("one result per reported file")
        }
        kind => engine::lint_text(&file.path, new_text, kind, config),
    }
}

/// What fixing one file did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub path: PathBuf,
    pub original: String,
    pub fixed: String,
    /// Fixes applied over all rounds.
    pub applied: usize,
    /// Why the file was left unchanged, when it was.
    pub refused: Option<String>,
}

impl Outcome {
    pub fn changed(&self) -> bool {
        self.refused.is_none() && self.fixed != self.original
    }
}

fn fixes_of(result: &FileResult, min: Applicability) -> Vec<&Fix> {
    result
        .active()
        .filter(|f| f.file == result.index)
        .filter_map(|f| f.fixes.iter().find(|x| x.applicability >= min))
        .collect()
}

/// Fix one file in memory. `None` when it has nothing to fix.
pub fn fix_file(result: &FileResult, min: Applicability, config: &Config) -> Option<Outcome> {
    if fixes_of(result, min).is_empty() {
        return None;
    }
    let original = result.text().to_string();
    let parse_errors_before = result
        .findings
        .iter()
        .filter(|f| f.meta.code == PARSE_ERROR)
        .count();
    let mut current = result.clone();
    let mut text = original.clone();
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        let fixes = fixes_of(&current, min);
        if fixes.is_empty() {
            break;
        }
        let (next, n) = apply_non_overlapping(&text, &fixes);
        if n == 0 || next == text {
            break;
        }
        let relinted = relint(&current, &next, config);
        let parse_errors = relinted
            .findings
            .iter()
            .filter(|f| f.meta.code == PARSE_ERROR)
            .count();
        if parse_errors > parse_errors_before {
            return Some(Outcome {
                path: result.path.to_path_buf(),
                original: original.clone(),
                fixed: original,
                applied: 0,
                refused: Some("the fixed text would not parse; the file was left unchanged".into()),
            });
        }
        applied += n;
        text = next;
        current = relinted;
    }
    Some(Outcome {
        path: result.path.to_path_buf(),
        original,
        fixed: text,
        applied,
        refused: None,
    })
}

/// Replace a file's contents atomically: write a temporary file in the same directory, give it
/// the original's permissions, and rename it over the original.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(path)?.permissions();
    let mut tmp = tempfile::Builder::new()
        .prefix(".rampart-fix-")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    std::fs::set_permissions(tmp.path(), permissions)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A unified diff of one outcome, with file names.
pub fn diff(outcome: &Outcome) -> String {
    let name = crate::report::display_path(&outcome.path);
    similar::TextDiff::from_lines(&outcome.original, &outcome.fixed)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("Dockerfile");
        std::fs::write(&p, "FROM a\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, "FROM b\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "FROM b\n");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn a_fix_that_breaks_the_file_is_refused() {
        use crate::fix::Edit;
        use crate::source::Span;
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n  containers: []\n";
        let config = Config::default();
        let mut r = engine::lint_text(Path::new("p.yaml"), text, FileKind::Kubernetes, &config);
        let at = text.find("true").unwrap();
        r.findings[0].fixes = vec![Fix::new(
            "break it",
            Applicability::Safe,
            vec![Edit::replace(Span::new(at, at + 4), "[unclosed")],
        )];
        let out = fix_file(&r, Applicability::Safe, &config).unwrap();
        assert!(out.refused.as_deref().unwrap().contains("would not parse"));
        assert!(!out.changed());
        assert_eq!(out.fixed, text);
    }

    #[test]
    fn fixes_run_in_rounds_and_stop() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n  hostIPC: true\n  containers:\n    - name: a\n      image: a:1\n      securityContext: {privileged: true}\n";
        let config = Config {
            select: vec!["K8S-001".into(), "K8S-003".into(), "K8S-004".into()],
            ..Config::default()
        };
        let r = engine::lint_text(Path::new("p.yaml"), text, FileKind::Kubernetes, &config);
        let out = fix_file(&r, Applicability::Unsafe, &config).unwrap();
        assert_eq!(out.applied, 3);
        assert!(out.fixed.contains("hostPID: false") && out.fixed.contains("privileged: false"));
        let again = engine::lint_text(
            Path::new("p.yaml"),
            &out.fixed,
            FileKind::Kubernetes,
            &config,
        );
        assert!(fix_file(&again, Applicability::Unsafe, &config).is_none());
        // Safe-only: these are all unsafe.
        assert!(fix_file(&r, Applicability::Safe, &config).is_none());
    }
}
