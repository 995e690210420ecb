//! Rendering Helm charts and Kustomize overlays with the real tools, when they are installed.
//! Nothing is downloaded: a chart or overlay that needs the network fails to render and is
//! reported as a note.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

pub(crate) mod cache;
pub(crate) mod key;

pub(crate) use cache::Cache;

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
pub(crate) enum Rendered {
    /// The rendered manifests, and the command that produced them (for messages).
    Text { text: String, tool: String },
    /// The tool is not installed: what was skipped and how to enable it.
    Unavailable(String),
    /// The tool ran and failed (its first error line).
    Failed(String),
}

const TIMEOUT: Duration = Duration::from_secs(120);
/// A render that writes more than this is stopped: no real chart or overlay builds that much.
const MAX_OUTPUT: u64 = 256 << 20;
/// What of a tool's error output is kept.
const MAX_ERRORS: u64 = 64 << 10;
/// A chart is copied before rendering; one larger than this is not rendered.
const MAX_CHART_BYTES: u64 = 64 << 20;
const MAX_CHART_FILES: usize = 20_000;
const MAX_CHART_DEPTH: usize = 32;

/// The first of `names` found on PATH.
pub(crate) fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// Where a render tool runs: an empty environment of its own (no variable of the scan's
/// environment reaches it, so neither do its tokens), a home, cache and temporary directory
/// that are empty and removed afterwards, a `PATH` with no program on it (no `git`, `ssh`,
/// plugin or KRM function can be started), every proxy variable pointing at a closed port, git
/// forbidden every transport, and, where the system allows it, a network namespace of its own
/// with no interface but loopback.
struct Sandbox {
    dir: tempfile::TempDir,
}

/// The address every proxy variable points at: nothing listens there, so a fetch fails at once.
const NO_PROXY_ADDRESS: &str = "http://127.0.0.1:9";

impl Sandbox {
    fn new() -> Result<Sandbox, String> {
        let dir = tempfile::Builder::new()
            .prefix("rampart-render-")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        for sub in ["home", "bin", "tmp", "plugins", "input"] {
            std::fs::create_dir(dir.path().join(sub))
                .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        }
        Ok(Sandbox { dir })
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    /// The command for `program`, confined.
    fn command(&self, program: &Path) -> Command {
        let mut command = match network_namespace() {
            Some(unshare) => {
                let mut c = Command::new(unshare);
                c.args(["--net", "--map-root-user", "--"]).arg(program);
                c
            }
            None => Command::new(program),
        };
        let home = self.path("home");
        command
            .env_clear()
            .current_dir(self.path("tmp"))
            .env("PATH", self.path("bin"))
            .env("HOME", &home)
            .env("TMPDIR", self.path("tmp"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("KUBECONFIG", home.join("kubeconfig"))
            .env("HELM_CONFIG_HOME", home.join("helm/config"))
            .env("HELM_CACHE_HOME", home.join("helm/cache"))
            .env("HELM_DATA_HOME", home.join("helm/data"))
            .env("HELM_PLUGINS", self.path("plugins"))
            .env("HELM_REGISTRY_CONFIG", home.join("helm/registry.json"))
            .env(
                "HELM_REPOSITORY_CONFIG",
                home.join("helm/repositories.yaml"),
            )
            .env("HELM_REPOSITORY_CACHE", home.join("helm/repository"))
            .env("GIT_ALLOW_PROTOCOL", "none")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_SSH_COMMAND", "/bin/false")
            .env("GIT_ASKPASS", "/bin/false")
            .env("NO_PROXY", "")
            .env("no_proxy", "");
        for var in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
        ] {
            command.env(var, NO_PROXY_ADDRESS);
        }
        command
    }
}

/// `unshare` when it can give a process a network namespace of its own here (probed once).
fn network_namespace() -> Option<&'static Path> {
    static UNSHARE: OnceLock<Option<PathBuf>> = OnceLock::new();
    UNSHARE
        .get_or_init(|| {
            let unshare = ["/usr/bin/unshare", "/bin/unshare"]
                .into_iter()
                .map(PathBuf::from)
                .find(|p| p.is_file())?;
            let works = Command::new(&unshare)
                .args(["--net", "--map-root-user", "--", "/bin/true"])
                .env_clear()
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            works.then_some(unshare)
        })
        .as_deref()
}

/// Why a tool's run gave no manifests, and whether the same inputs would always say so (the
/// tool exited with an error, wrote too much or wrote something that is not UTF-8) or it was
/// the moment (a time limit, a signal, a tool that could not start).
struct RunError {
    message: String,
    lasting: bool,
}

impl RunError {
    fn lasting(message: String) -> RunError {
        RunError {
            message,
            lasting: true,
        }
    }

    fn passing(message: String) -> RunError {
        RunError {
            message,
            lasting: false,
        }
    }
}

/// Run a confined command with a time limit; stdout on success, the first stderr line on
/// failure.
fn run(sandbox: &Sandbox, program: &Path, args: &[&std::ffi::OsStr]) -> Result<String, RunError> {
    let mut child = sandbox
        .command(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| RunError::passing(format!("cannot run {}: {e}", program.display())))?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        return Err(RunError::passing(format!(
            "cannot read the output of {}",
            program.display()
        )));
    };
    let overflow = Arc::new(AtomicBool::new(false));
    let flag = overflow.clone();
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.take(MAX_OUTPUT + 1).read_to_end(&mut bytes);
        if bytes.len() as u64 > MAX_OUTPUT {
            flag.store(true, Ordering::Relaxed);
        }
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut stderr = stderr;
        let _ = (&mut stderr).take(MAX_ERRORS).read_to_end(&mut bytes);
        // Keep draining so the tool never blocks on a full pipe.
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
        String::from_utf8_lossy(&bytes).into_owned()
    });
    let start = Instant::now();
    let stopped = |child: &mut std::process::Child, why: RunError| {
        let _ = child.kill();
        let _ = child.wait();
        Err(why)
    };
    let too_much = || RunError::lasting(format!("output over {} MiB; stopped", MAX_OUTPUT >> 20));
    // Polled, more slowly as the tool runs longer: most renders take a few tens of
    // milliseconds, and each one waited for on a 10 ms tick lost 5 on average.
    let mut tick = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if overflow.load(Ordering::Relaxed) => return stopped(&mut child, too_much()),
            Ok(None) if start.elapsed() > TIMEOUT => {
                let why = format!("gave up after {} s", TIMEOUT.as_secs());
                return stopped(&mut child, RunError::passing(why));
            }
            Ok(None) => {
                std::thread::sleep(tick);
                tick = (tick * 2).min(Duration::from_millis(10));
            }
            Err(e) => return stopped(&mut child, RunError::passing(e.to_string())),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if stdout.len() as u64 > MAX_OUTPUT {
        return Err(too_much());
    }
    if status.success() {
        String::from_utf8(stdout).map_err(|_| RunError::lasting("output is not UTF-8".into()))
    } else {
        let line = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no error message")
            .trim();
        let message = tool_message(line);
        // Killed by a signal (out of memory, a user's ^C): not the overlay's answer.
        Err(match status.code() {
            Some(_) => RunError::lasting(message),
            None => RunError::passing(message),
        })
    }
}

/// The outcome of a tool's run, kept in `cache` under `key` when it would be the same next
/// time.
fn outcome(
    result: Result<String, RunError>,
    tool: String,
    cache: Option<(&Cache, key::Key)>,
) -> Rendered {
    let (rendered, lasting) = match result {
        Ok(text) => (Rendered::Text { text, tool }, true),
        Err(e) => (Rendered::Failed(e.message), e.lasting),
    };
    if let (Some((cache, key)), true) = (cache, lasting) {
        cache.put(&key, &rendered);
    }
    rendered
}

/// Is `path` a kustomization file (by its name)?
pub(crate) fn is_kustomization_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| {
        n == "kustomization.yaml" || n == "kustomization.yml" || n == "Kustomization"
    })
}

/// A render tool's error line as a person reads it: kubectl's log header (`E1201
/// 23:48:04.931769   31502 run.go:72] `, time and process id that differ on every run) left
/// out, and its `"command failed" err="…"` unwrapped to the error itself.
fn tool_message(line: &str) -> String {
    static HEADER: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let header = HEADER.get_or_init(|| {
        regex::Regex::new(r"^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [^\]\s]+\] ").ok()
    });
    let rest = match header.as_ref().and_then(|h| h.find(line)) {
        Some(m) => &line[m.end()..],
        None => return line.to_string(),
    };
    match rest
        .strip_prefix("\"command failed\" err=\"")
        .and_then(|e| e.strip_suffix('"'))
    {
        Some(err) => err.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => rest.to_string(),
    }
}

/// Which files a kustomization may read (kustomize's `--load-restrictor`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoadRestrictor {
    /// Files below the kustomization's own directory only (kustomize's default). Bases and
    /// components may lie elsewhere; their files are restricted to their own directories.
    #[default]
    RootOnly,
    /// Any file on the machine: `LoadRestrictionsNone`. Only from the command line, never from
    /// a configuration file in the scanned tree, which a pull request can change.
    None,
}

/// `kustomize build` (or `kubectl kustomize`) of the overlay in `dir`, with Kustomize's
/// origin annotations so each object names the file it came from. The overlay is wrapped by
/// a temporary kustomization outside the user's tree; nothing is written next to their files.
/// Kustomize runs confined (see [`Sandbox`]) with its default restrictions: no plugins, no
/// exec or container functions, no Helm inflation, files under each kustomization's root. A
/// standalone `kustomize` is preferred to `kubectl kustomize` (it starts faster). With a
/// `cache`, a build whose inputs are unchanged since it was kept is not run again.
pub(crate) fn kustomize(dir: &Path, restrictor: LoadRestrictor, cache: Option<&Cache>) -> Rendered {
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
    let cache =
        cache.and_then(|c| Some((c, key::kustomize(&program, subcommand, dir, restrictor)?)));
    if let Some(hit) = cache.and_then(|(c, k)| c.get(&k)) {
        return hit;
    }
    let sandbox = match Sandbox::new() {
        Ok(s) => s,
        Err(e) => return Rendered::Failed(e),
    };
    let wrap = sandbox.path("input");
    let target = wrap.join("target");
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
    if std::fs::write(wrap.join("kustomization.yaml"), wrapper).is_err() {
        return Rendered::Failed("cannot write a temporary kustomization".into());
    }
    let mut args: Vec<&std::ffi::OsStr> = vec![subcommand.as_ref(), wrap.as_os_str()];
    if restrictor == LoadRestrictor::None {
        args.push("--load-restrictor".as_ref());
        args.push("LoadRestrictionsNone".as_ref());
    }
    let tool = format!(
        "{} {subcommand}",
        program.file_name().unwrap_or_default().to_string_lossy()
    );
    outcome(run(&sandbox, &program, &args), tool, cache)
}

/// `helm template` of the chart in `dir`. Helm reads every file of a chart, following
/// symbolic links (`.Files.Get`, `.Files.Glob`), so it renders a copy: links that stay inside
/// the chart are copied as the files they point to, and a chart with a link that leads out of
/// it is not rendered. Helm runs confined (see [`Sandbox`]): no repositories, plugins,
/// registries or cluster. With a `cache`, a render whose inputs are unchanged since it was
/// kept is not run again.
pub(crate) fn helm(dir: &Path, options: &HelmOptions, cache: Option<&Cache>) -> Rendered {
    let Some(program) = which(&["helm"]) else {
        return Rendered::Unavailable(format!(
            "Helm chart in {} not rendered: install `helm` to check it (or pipe `helm template` into `rampart scan -`)",
            dir.display()
        ));
    };
    let cache = cache.and_then(|c| Some((c, key::helm(&program, dir, options)?)));
    if let Some(hit) = cache.and_then(|(c, k)| c.get(&k)) {
        return hit;
    }
    let sandbox = match Sandbox::new() {
        Ok(s) => s,
        Err(e) => return Rendered::Failed(e),
    };
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_os_string()))
        .unwrap_or_else(|| "chart".into());
    let copy = sandbox.path("input").join(name);
    if let Err(e) = copy_chart(dir, &copy) {
        return Rendered::Failed(e);
    }
    let mut args: Vec<std::ffi::OsString> = vec!["template".into(), "rampart".into(), copy.into()];
    for v in &options.values {
        args.push("--values".into());
        // The tool runs in a directory of its own: values files named by the user are passed
        // by their absolute path.
        args.push(crate::config::absolute(v).into());
    }
    for s in &options.set {
        args.push("--set".into());
        args.push(s.into());
    }
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    outcome(
        run(&sandbox, &program, &refs),
        "helm template".into(),
        cache,
    )
}

/// Copy the chart in `from` to `to`: regular files and directories; a link is copied as what
/// it points to when that lies inside the chart, and refused when it leads out. FIFOs, sockets
/// and devices are left out (Helm would block on a FIFO). Bounded in files, bytes and depth.
fn copy_chart(from: &Path, to: &Path) -> Result<(), String> {
    let root = std::fs::canonicalize(from)
        .map_err(|e| format!("cannot resolve {}: {e}", from.display()))?;
    let mut budget = (MAX_CHART_FILES, MAX_CHART_BYTES);
    copy_dir(&root, &root, to, Path::new(""), 0, &mut budget)
}

fn copy_dir(
    root: &Path,
    dir: &Path,
    to: &Path,
    rel: &Path,
    depth: usize,
    budget: &mut (usize, u64),
) -> Result<(), String> {
    if depth > MAX_CHART_DEPTH {
        return Err(format!(
            "directories nested deeper than {MAX_CHART_DEPTH} levels at {}",
            rel.display()
        ));
    }
    std::fs::create_dir_all(to).map_err(|e| format!("cannot copy the chart: {e}"))?;
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", rel.display()))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let rel = rel.join(&name);
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        let (source, meta) = if meta.file_type().is_symlink() {
            let target = std::fs::canonicalize(entry.path())
                .map_err(|_| format!("`{}` is a link to nothing", rel.display()))?;
            if !target.starts_with(root) {
                return Err(format!(
                    "`{}` links outside the chart (to {}); rampart renders only what a chart contains",
                    rel.display(),
                    target.display()
                ));
            }
            let meta = std::fs::metadata(&target)
                .map_err(|e| format!("cannot read {}: {e}", rel.display()))?;
            (target, meta)
        } else {
            (entry.path(), meta)
        };
        if meta.is_dir() {
            copy_dir(root, &source, &to.join(&name), &rel, depth + 1, budget)?;
        } else if meta.is_file() {
            if budget.0 == 0 || meta.len() > budget.1 {
                return Err(format!(
                    "the chart is larger than {MAX_CHART_FILES} files or {} MiB",
                    MAX_CHART_BYTES >> 20
                ));
            }
            let bytes = read_regular(&source, budget.1)
                .map_err(|e| format!("cannot read {}: {e}", rel.display()))?;
            budget.0 -= 1;
            budget.1 -= bytes.len() as u64;
            std::fs::write(to.join(&name), bytes)
                .map_err(|e| format!("cannot copy the chart: {e}"))?;
        }
    }
    Ok(())
}

/// The bytes of a regular file, at most `max` of them; anything else (a FIFO swapped in after
/// the check, a device) is refused without blocking.
fn read_regular(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let file = crate::source::open_regular(path)?;
    crate::source::read_bounded(file, max).map_err(|e| match e {
        crate::source::BoundedRead::Io(e) => e,
        crate::source::BoundedRead::TooLarge(_) => std::io::Error::other("file too large"),
    })
}

#[cfg(test)]
mod tests {
    use super::tool_message;

    #[test]
    fn kubectl_log_headers_are_left_out() {
        let line = r#"E1201 23:48:04.931769   31502 run.go:72] "command failed" err="accumulating resources: 'target' must resolve to a file: \"a b\"""#;
        assert_eq!(
            tool_message(line),
            r#"accumulating resources: 'target' must resolve to a file: "a b""#
        );
        assert_eq!(
            tool_message("W0102 01:02:03.000001 7 warnings.go:70] something else"),
            "something else"
        );
        // A line without a header is kept as it is.
        assert_eq!(
            tool_message("Error: no kustomization found"),
            "Error: no kustomization found"
        );
    }
}
