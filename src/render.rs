//! Rendering Helm charts and Kustomize overlays with the real tools, when they are installed.
//! Nothing is downloaded: a chart or overlay that needs the network fails to render and is
//! reported as a note.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Values for `helm template`.
#[derive(Clone, Debug, Default)]
pub struct HelmOptions {
    /// `--helm-values FILE`
    pub values: Vec<PathBuf>,
    /// `--helm-set key=value`
    pub set: Vec<String>,
}

/// The outcome of a render.
#[derive(Debug)]
pub enum Rendered {
    /// The rendered manifests, and the command that produced them (for messages).
    Text { text: String, tool: String },
    /// The tool is not installed: what was skipped and how to enable it.
    Unavailable(String),
    /// The tool ran and failed (its first error line).
    Failed(String),
}

const TIMEOUT: Duration = Duration::from_secs(120);

/// The first of `names` found on PATH.
pub fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// Run a command with a time limit; stdout on success, the first stderr line on failure.
fn run(program: &Path, args: &[&std::ffi::OsStr]) -> Result<String, String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("gave up after {} s", TIMEOUT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(e.to_string()),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if status.success() {
        Ok(stdout)
    } else {
        let line = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no error message")
            .trim()
            .to_string();
        Err(line)
    }
}

/// `kustomize build` (or `kubectl kustomize`) of the overlay in `dir`, with Kustomize's
/// origin annotations so each object names the file it came from. The overlay is wrapped by
/// a temporary kustomization outside the user's tree; nothing is written next to their files.
pub fn kustomize(dir: &Path) -> Rendered {
    let (program, subcommand) = match which(&["kustomize"]) {
        Some(p) => (p, "build"),
        None => match which(&["kubectl"]) {
            Some(p) => (p, "kustomize"),
            None => {
                return Rendered::Unavailable(format!(
                    "Kustomize overlay in {} not rendered: install `kustomize` or `kubectl` to check what it builds",
                    dir.display()
                ))
            }
        },
    };
    let Ok(wrap) = tempfile::tempdir() else {
        return Rendered::Failed("cannot create a temporary directory".into());
    };
    let target = wrap.path().join("target");
    let Ok(absolute) = std::fs::canonicalize(dir) else {
        return Rendered::Failed(format!("cannot resolve {}", dir.display()));
    };
    #[cfg(unix)]
    let linked = std::os::unix::fs::symlink(&absolute, &target);
    #[cfg(not(unix))]
    let linked: std::io::Result<()> = Err(std::io::Error::other("symlinks unsupported"));
    if linked.is_err() {
        return Rendered::Failed("cannot link the overlay into a temporary directory".into());
    }
    let wrapper = "resources:\n  - target\nbuildMetadata: [originAnnotations]\n";
    if std::fs::write(wrap.path().join("kustomization.yaml"), wrapper).is_err() {
        return Rendered::Failed("cannot write a temporary kustomization".into());
    }
    let args = [
        subcommand.as_ref(),
        wrap.path().as_os_str(),
        "--load-restrictor".as_ref(),
        "LoadRestrictionsNone".as_ref(),
    ];
    match run(&program, &args) {
        Ok(text) => Rendered::Text {
            text,
            tool: format!(
                "{} {subcommand}",
                program.file_name().unwrap_or_default().to_string_lossy()
            ),
        },
        Err(e) => Rendered::Failed(e),
    }
}

/// `helm template` of the chart in `dir`.
pub fn helm(dir: &Path, options: &HelmOptions) -> Rendered {
    let Some(program) = which(&["helm"]) else {
        return Rendered::Unavailable(format!(
            "Helm chart in {} not rendered: install `helm` to check it (or pipe `helm template` into `rampart scan -`)",
            dir.display()
        ));
    };
    let mut args: Vec<std::ffi::OsString> = vec!["template".into(), "rampart".into(), dir.into()];
    for v in &options.values {
        args.push("--values".into());
        args.push(v.into());
    }
    for s in &options.set {
        args.push("--set".into());
        args.push(s.into());
    }
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    match run(&program, &refs) {
        Ok(text) => Rendered::Text {
            text,
            tool: "helm template".into(),
        },
        Err(e) => Rendered::Failed(e),
    }
}
