use super::super::helpers::{env_pairs, shipped_scripts, stage_of};
use super::apt_install_recommends::apt_subcommand;
use crate::fix::{Applicability, Edit, Fix};
use crate::parse::dockerfile::Dockerfile;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::shell::{basename, Command, Script, Word};

crate::declare_rule! {
    /// ## What it flags
    /// Package-manager caches and indexes left in a layer of the final image:
    /// `apk add` without `--no-cache`, `apt-get install` in a `RUN` that does not remove
    /// `/var/lib/apt/lists` (or run `apt-get dist-clean`), `yum`/`dnf`/`microdnf install` without a `clean all` in the same
    /// `RUN`, `pip install` without `--no-cache-dir` (unless `PIP_NO_CACHE_DIR` is set).
    ///
    /// Not flagged: a `RUN` with a `--mount=type=cache` (the cache lives outside the image),
    /// and build stages the final image does not inherit from.
    ///
    /// ## Why it matters
    /// A stale package index in the image lets later `apt-get install` layers, and anyone
    /// installing tools into a running container, pick package versions from the day the
    /// image was built, missing security updates; caches also add megabytes that every node
    /// pulls. Cleaning up in a later `RUN` does not help: the files stay in the earlier layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apk add curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// ## Fix safety
    /// Safe for `apk --no-cache` and `pip --no-cache-dir`: the same packages are installed.
    /// For apt and yum/dnf the cleanup command is shown in the message, not inserted.
    ///
    /// ## References
    /// - https://github.com/hadolint/hadolint/wiki/DL3009
    /// - https://github.com/hadolint/hadolint/wiki/DL3019
    /// - https://github.com/hadolint/hadolint/wiki/DL3042
    /// - https://docs.docker.com/build/building/best-practices/#apt-get
    pub struct PackageCache {
        code: "DOCKER-017",
        name: "package-cache",
        title: "Package cache left in the image",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "packages"],
        severity: Severity::Low,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            trivy: &[Peer::exact("DS-0025").about("apk"), Peer::exact("DS-0015").about("yum"), Peer::exact("DS-0019").about("dnf"), Peer::exact("DS-0027").about("microdnf")],
            kics: &[Peer::exact("Apt Get Install Lists Were Not Deleted").about("apt"), Peer::exact("Apk Add Using Local Cache Path").about("apk"), Peer::exact("Yum Clean All Missing").about("yum"), Peer::exact("Missing Dnf Clean All").about("dnf"), Peer::exact("Pip install Keeping Cached Packages").about("pip")],
            hadolint: &[Peer::exact("DL3009").about("apt"), Peer::exact("DL3019").about("apk"), Peer::exact("DL3032").about("yum"), Peer::exact("DL3040").about("dnf"), Peer::exact("DL3042").about("pip")],
            ..Equivalents::NONE
        },
        references: &["https://github.com/hadolint/hadolint/wiki/DL3009"],
    }
}

fn subcommand<'c>(cmd: &'c Command, tools: &[&str], subs: &[&str]) -> Option<&'c Word> {
    let program = cmd.program()?;
    if !tools.contains(&basename(&program.text)) {
        return None;
    }
    cmd.words
        .iter()
        .skip_while(|w| w.span != program.span)
        .skip(1)
        .find(|w| !w.text.starts_with('-'))
        .filter(|w| subs.contains(&w.text.as_str()))
}

/// Does any command of the script remove one of `paths` or run `tool clean all`?
fn cleans(script: &Script, paths: &[&str], tools: &[&str]) -> bool {
    script.commands.iter().any(|c| {
        let name = c.program().map(|p| basename(&p.text)).unwrap_or("");
        (name == "rm"
            && c.args()
                .iter()
                .any(|w| paths.iter().any(|p| w.text.starts_with(p))))
            || (tools.contains(&name)
                && c.args().iter().any(|w| w.text == "clean")
                && c.args()
                    .iter()
                    .any(|w| w.text == "all" || w.text == "packages"))
    })
}

/// Where the first `ENV` that sets `PIP_NO_CACHE_DIR` starts: a `pip install` after it keeps
/// no cache.
fn pip_cache_off_from(df: &Dockerfile, text: &str) -> Option<usize> {
    df.instructions
        .iter()
        .filter(|i| i.keyword == "ENV")
        .find(|i| {
            env_pairs(text, i).into_iter().any(|(k, v, _)| {
                k == "PIP_NO_CACHE_DIR"
                    && v.is_some_and(|v| {
                        matches!(
                            v.to_ascii_lowercase().as_str(),
                            "1" | "true" | "yes" | "on" | "off" | "0" | "false"
                        )
                    })
            })
        })
        .map(|i| i.span.start)
}

impl Check for PackageCache {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let text = cx.text(0);
        let pip_cache_off = pip_cache_off_from(df, text);
        for (ins, script) in shipped_scripts(cx) {
            let cache_mount = ins.flags.iter().any(|f| {
                f.name == "mount"
                    && f.options()
                        .iter()
                        .any(|(k, v)| *k == "type" && *v == "cache")
            });
            if cache_mount {
                continue;
            }
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            // `tool`: the package manager, the finding's subject (`Finding::about`).
            let mut report = |word: &Word, tool: &str, message: String, fix: Option<Fix>| {
                out.push(
                    Finding::on(&Self::META, stage, word.span, message)
                        .within(ins.span)
                        .with_fix(fix)
                        .about(tool),
                );
            };
            for cmd in &script.commands {
                if let Some(add) = subcommand(cmd, &["apk"], &["add"]) {
                    let kept = !cmd.args().iter().any(|w| w.text == "--no-cache")
                        && !cleans(script, &["/var/cache/apk"], &[]);
                    if kept {
                        report(
                            add,
                            "apk",
                            "`apk add` keeps the package index in /var/cache/apk".into(),
                            Some(Fix::new(
                                "Add `--no-cache`",
                                Applicability::Safe,
                                vec![Edit::insert(add.span.end, " --no-cache")],
                            )),
                        );
                    }
                } else if let Some(install) = apt_subcommand(cmd, "install") {
                    // `apt-get dist-clean` (apt 2.7+) removes the lists too.
                    let dist_clean = script
                        .commands
                        .iter()
                        .any(|c| apt_subcommand(c, "dist-clean").is_some());
                    if !dist_clean && !cleans(script, &["/var/lib/apt/lists"], &[]) {
                        report(
                            install,
                            "apt",
                            "the package lists stay in the image: end this `RUN` with `rm -rf /var/lib/apt/lists/*`".into(),
                            None,
                        );
                    }
                } else if let Some(install) = subcommand(
                    cmd,
                    &["yum", "dnf", "microdnf", "tdnf"],
                    &["install", "update", "upgrade"],
                ) {
                    let tool = basename(&cmd.program().map(|p| p.text.clone()).unwrap_or_default())
                        .to_string();
                    if !cleans(
                        script,
                        &["/var/cache/yum", "/var/cache/dnf"],
                        &["yum", "dnf", "microdnf", "tdnf"],
                    ) {
                        report(
                            install,
                            &tool,
                            format!("the {tool} cache stays in the image: end this `RUN` with `{tool} clean all`"),
                            None,
                        );
                    }
                } else if let Some(install) = pip_install(cmd) {
                    let off = cmd.args().iter().any(|w| w.text == "--no-cache-dir")
                        || pip_cache_off.is_some_and(|at| at < ins.span.start)
                        || cleans(script, &["/root/.cache"], &[]);
                    if !off {
                        report(
                            install,
                            "pip",
                            "`pip install` keeps its download cache in the image".into(),
                            Some(Fix::new(
                                "Add `--no-cache-dir`",
                                Applicability::Safe,
                                vec![Edit::insert(install.span.end, " --no-cache-dir")],
                            )),
                        );
                    }
                }
            }
        }
    }
}

/// The `install` word of `pip install` / `pip3 install` / `python -m pip install`.
fn pip_install(cmd: &Command) -> Option<&Word> {
    let program = cmd.program()?;
    let name = basename(&program.text);
    let mut rest = cmd
        .words
        .iter()
        .skip_while(|w| w.span != program.span)
        .skip(1);
    if name.starts_with("python") {
        if rest.next()?.text != "-m" || rest.next()?.text != "pip" {
            return None;
        }
    } else if !(name == "pip" || name.starts_with("pip3")) {
        return None;
    }
    rest.find(|w| !w.text.starts_with('-'))
        .filter(|w| w.text == "install")
}
