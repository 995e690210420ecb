use super::super::helpers::stage_of;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};
use crate::shell::{basename, Command, Word};

crate::declare_rule! {
    /// ## What it flags
    /// Language packages installed without a version: `pip install requests`,
    /// `npm install -g typescript`, `yarn global add`, `gem install rails`,
    /// `go install example.com/tool@latest` (or `go get`), `cargo install ripgrep`. Installs from a
    /// requirements or constraints file, a lockfile (`npm ci`, bare `npm install`), a local
    /// path, a URL or a variable are not flagged, nor are pip's own tools (`pip`,
    /// `setuptools`, `wheel`), nor Go packages that go.mod resolves (`go install tool`, the
    /// tools go.mod pins since Go 1.24, and packages of the main module).
    ///
    /// OS packages (`apt-get`, `apk`, `dnf`) are deliberately not flagged: distribution
    /// repositories keep only the current build of each package, so a pinned version stops
    /// building when its security update lands; the base image tag is their pin.
    ///
    /// ## Why it matters
    /// An unpinned install takes whatever the registry serves at build time. A hijacked or
    /// typo-squatted release published an hour ago goes straight into the image, and two
    /// builds of the same Dockerfile can ship different code.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install --no-cache-dir gunicorn
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN pip install --no-cache-dir gunicorn==23.0.0
    /// ```
    /// or install from a lockfile (`pip install -r requirements.txt` with hashes, `npm ci`).
    ///
    /// ## References
    /// - https://github.com/hadolint/hadolint/wiki/DL3013
    /// - https://github.com/hadolint/hadolint/wiki/DL3016
    /// - https://github.com/hadolint/hadolint/wiki/DL3028
    pub struct UnpinnedPackages {
        code: "DOCKER-016",
        name: "unpinned-packages",
        title: "Language package installed without a version",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "packages", "supply-chain"],
        severity: Severity::Low,
        equivalents: Equivalents {
            kics: &[Peer::exact("Unpinned Package Version in Pip Install").about("pip"), Peer::exact("NPM Install Command Without Pinned Version").about("npm"), Peer::exact("Gem Install Without Version").about("gem")],
            hadolint: &[Peer::exact("DL3013").about("pip"), Peer::exact("DL3016").about("npm"), Peer::exact("DL3028").about("gem")],
            ..Equivalents::NONE
        },
        compliance: &["SLSA: pinned dependencies", "MITRE ATT&CK T1195.001"],
        references: &["https://github.com/hadolint/hadolint/wiki/DL3013"],
    }
}

/// pip options that take a value (the value is not a package).
const PIP_VALUED: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--trusted-host",
    "--platform",
    "--python-version",
    "--only-binary",
    "--no-binary",
    "--implementation",
    "--abi",
    "--src",
    "--upgrade-strategy",
    "--progress-bar",
    "--cache-dir",
    "--log",
    "--proxy",
    "--retries",
    "--timeout",
];

fn is_source(pkg: &str) -> bool {
    pkg.contains('$')
        || pkg.contains("://")
        || pkg.starts_with('.')
        || pkg.starts_with('/')
        || pkg.starts_with('~')
        || pkg.starts_with("git+")
        || pkg.starts_with("file:")
        || [".whl", ".tar.gz", ".tgz", ".zip", ".gem"]
            .iter()
            .any(|e| pkg.ends_with(e))
}

/// The words after the subcommand, with options (and their values) removed; `None` when the
/// command installs from a requirements/constraints file.
fn operands<'c>(rest: &'c [Word], valued: &[&str], from_file: &[&str]) -> Option<Vec<&'c Word>> {
    let mut out = Vec::new();
    let mut skip = false;
    for w in rest {
        if skip {
            skip = false;
            continue;
        }
        let t = w.text.as_str();
        if from_file
            .iter()
            .any(|f| t == *f || t.starts_with(&format!("{f}=")))
        {
            return None;
        }
        if valued.contains(&t) {
            skip = true;
            continue;
        }
        if t.starts_with('-') {
            continue;
        }
        out.push(w);
    }
    Some(out)
}

/// `(package word, tool)` for each package installed without a version.
fn unpinned(cmd: &Command) -> Vec<(&Word, &'static str)> {
    let Some(program) = cmd.program() else {
        return Vec::new();
    };
    let name = basename(&program.text);
    let after: Vec<Word> = cmd
        .words
        .iter()
        .skip_while(|w| w.span != program.span)
        .skip(1)
        .cloned()
        .collect();
    let index = |w: &Word| cmd.words.iter().position(|x| x.span == w.span);
    let back = |found: Vec<&Word>, tool| -> Vec<(&Word, &'static str)> {
        found
            .into_iter()
            .filter_map(|w| index(w).map(|i| (&cmd.words[i], tool)))
            .collect()
    };
    let first = after.first().map(|w| w.text.as_str());
    // `python -m pip install …`
    let (tool, rest) = if name.starts_with("python") && first == Some("-m") {
        match after.get(1).map(|w| w.text.as_str()) {
            Some("pip") => ("pip", &after[2..]),
            _ => return Vec::new(),
        }
    } else if name.starts_with("pip") {
        ("pip", &after[..])
    } else {
        (name, &after[..])
    };
    let sub = rest.first().map(|w| w.text.as_str());
    let rest = rest.get(1..).unwrap_or(&[]);
    match (tool, sub) {
        ("pip", Some("install")) => {
            let Some(ops) = operands(
                rest,
                PIP_VALUED,
                &[
                    "-r",
                    "--requirement",
                    "-c",
                    "--constraint",
                    "-e",
                    "--editable",
                ],
            ) else {
                return Vec::new();
            };
            back(
                ops.into_iter()
                    .filter(|w| {
                        let t = w.text.to_ascii_lowercase();
                        let bare = t
                            .split(['[', '<', '>', '=', '~', '!', ';', '@'])
                            .next()
                            .unwrap_or("");
                        !is_source(&t)
                            && !["==", "===", "~=", "@"].iter().any(|p| t.contains(p))
                            && !matches!(bare, "pip" | "setuptools" | "wheel")
                    })
                    .collect(),
                "pip",
            )
        }
        ("npm", Some("install" | "i" | "add")) | ("pnpm", Some("add")) | ("yarn", Some("add")) => {
            let Some(ops) = operands(rest, &["--prefix", "--registry", "--cache"], &[]) else {
                return Vec::new();
            };
            back(
                ops.into_iter().filter(|w| !npm_pinned(&w.text)).collect(),
                "npm",
            )
        }
        ("yarn", Some("global")) if rest.first().is_some_and(|w| w.text == "add") => {
            let ops = operands(&rest[1..], &[], &[]).unwrap_or_default();
            back(
                ops.into_iter().filter(|w| !npm_pinned(&w.text)).collect(),
                "yarn",
            )
        }
        ("gem", Some("install")) => {
            if rest
                .iter()
                .any(|w| w.text == "-v" || w.text.starts_with("--version"))
            {
                return Vec::new();
            }
            let Some(ops) = operands(
                rest,
                &[
                    "-i",
                    "--install-dir",
                    "-n",
                    "--bindir",
                    "--source",
                    "-s",
                    "-g",
                    "--file",
                ],
                &["-g", "--file"],
            ) else {
                return Vec::new();
            };
            back(
                ops.into_iter()
                    .filter(|w| !w.text.contains(':') && !is_source(&w.text))
                    .collect(),
                "gem",
            )
        }
        ("go", Some("install" | "get")) => back(
            rest.iter()
                .filter(|w| !w.text.starts_with('-'))
                .filter(|w| match w.text.rsplit_once('@') {
                    Some((_, v)) => v == "latest" || v == "master" || v == "main",
                    // Without a version, only a module path fetches: its first element is a
                    // domain. `tool` (Go 1.24: the tools go.mod pins), `all`, `std`, `./cmd/x`
                    // and packages of the main module are resolved from go.mod.
                    None => {
                        !is_source(&w.text)
                            && w.text
                                .split('/')
                                .next()
                                .is_some_and(|first| first.contains('.'))
                    }
                })
                .collect(),
            "go",
        ),
        ("cargo", Some("install")) => {
            if rest.iter().any(|w| {
                matches!(
                    w.text.as_str(),
                    "--version" | "--vers" | "--path" | "--rev" | "--tag"
                ) || w.text.starts_with("--version=")
            }) {
                return Vec::new();
            }
            let Some(ops) = operands(
                rest,
                &[
                    "--git",
                    "--branch",
                    "--root",
                    "--index",
                    "--registry",
                    "--features",
                    "-F",
                    "--target",
                    "--profile",
                    "-j",
                    "--jobs",
                ],
                &[],
            ) else {
                return Vec::new();
            };
            back(
                ops.into_iter()
                    .filter(|w| !w.text.contains('@') && !is_source(&w.text))
                    .collect(),
                "cargo",
            )
        }
        _ => Vec::new(),
    }
}

/// `name@1.2.3`, `@scope/name@1.2.3`, a tarball, path or git URL.
fn npm_pinned(pkg: &str) -> bool {
    if is_source(pkg) || pkg.contains(':') || (pkg.contains('/') && !pkg.starts_with('@')) {
        return true;
    }
    let version = pkg
        .get(1..)
        .and_then(|rest| rest.split_once('@'))
        .map(|(_, v)| v);
    match version {
        Some(v) => !matches!(v, "" | "latest" | "next" | "*" | "x"),
        None => false,
    }
}

impl Check for UnpinnedPackages {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        for (i, script) in cx.scripts {
            let ins = &df.instructions[*i];
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            for cmd in &script.commands {
                for (word, tool) in unpinned(cmd) {
                    out.push(
                        Finding::on(
                            &Self::META,
                            stage,
                            word.span,
                            format!(
                                "`{}` is installed with {tool} without a pinned version: the build takes whatever the registry serves then",
                                word.text
                            ),
                        )
                        .within(ins.span)
                        .about(tool),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::npm_pinned;

    #[test]
    fn npm_versions() {
        for p in [
            "typescript@5.6.3",
            "@angular/cli@18.2.0",
            "./local",
            "git+https://x/y.git",
            "user/repo",
            "pkg.tgz",
        ] {
            assert!(npm_pinned(p), "{p}");
        }
        for p in ["typescript", "@angular/cli", "pkg@latest", "pkg@"] {
            assert!(!npm_pinned(p), "{p}");
        }
    }
}
