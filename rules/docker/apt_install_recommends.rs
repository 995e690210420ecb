use super::super::helpers::{shipped_scripts, stage_of};
use crate::fix::{Applicability, Edit, Fix};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::shell::{basename, Command, Word};

crate::declare_rule! {
    /// ## What it flags
    /// `apt-get install` (or `apt install`) without `--no-install-recommends`, in a stage
    /// whose layers end up in the final image. Not flagged when recommends are switched off
    /// another way: `-o APT::Install-Recommends=false` on the command, or an earlier
    /// instruction or command (in the same `RUN`) that writes `APT::Install-Recommends` into
    /// the apt configuration.
    ///
    /// Build stages the final image does not inherit from are not flagged: what they install
    /// never ships.
    ///
    /// ## Why it matters
    /// Recommended packages are installed by default and often outnumber the packages asked
    /// for: documentation tools, extra libraries, sometimes daemons. Each is attack surface
    /// and a source of vulnerability reports for an image that never uses it.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: software that relied on a recommended package (CA certificates for `curl` is
    /// the usual one) must now name it explicitly.
    ///
    /// ## References
    /// - https://github.com/hadolint/hadolint/wiki/DL3015
    /// - https://docs.docker.com/build/building/best-practices/#apt-get
    pub struct AptInstallRecommends {
        code: "DOCKER-015",
        name: "apt-install-recommends",
        title: "`apt-get install` without `--no-install-recommends`",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "packages", "attack-surface"],
        severity: Severity::Low,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            trivy: &[Peer::exact("DS-0029")],
            kics: &[Peer::exact("APT-GET Not Avoiding Additional Packages")],
            hadolint: &[Peer::exact("DL3015")],
            ..Equivalents::NONE
        },
        references: &["https://github.com/hadolint/hadolint/wiki/DL3015"],
    }
}

/// The subcommand word of an apt command (`install`), when the command is `apt-get <sub>`.
pub(crate) fn apt_subcommand<'c>(cmd: &'c Command, sub: &str) -> Option<&'c Word> {
    let program = cmd.program()?;
    if !matches!(basename(&program.text), "apt-get" | "apt") {
        return None;
    }
    let mut after = cmd
        .words
        .iter()
        .skip_while(|w| w.span != program.span)
        .skip(1);
    let mut skip_value = false;
    after
        .find(|w| {
            if skip_value {
                skip_value = false;
                return false;
            }
            if w.text == "-o" || w.text == "-c" || w.text == "-t" {
                skip_value = true;
                return false;
            }
            !w.text.starts_with('-')
        })
        .filter(|w| w.text == sub)
}

impl Check for AptInstallRecommends {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let text = cx.text(0);
        // Where apt is first configured not to install recommends: it ends the check for every
        // install after it (in a later instruction or later in the same `RUN`).
        let configured = text.find("Install-Recommends").unwrap_or(text.len());
        for (ins, script) in shipped_scripts(cx) {
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            for cmd in &script.commands {
                let Some(install) = apt_subcommand(cmd, "install") else {
                    continue;
                };
                // Something before it, an earlier instruction or an earlier command of this one,
                // configured apt not to install recommends.
                if configured < install.span.start {
                    continue;
                }
                let off = cmd.args().iter().any(|w| {
                    w.text == "--no-install-recommends" || w.text.contains("Install-Recommends")
                });
                if off {
                    continue;
                }
                let fix = Fix::new(
                    "Add `--no-install-recommends`",
                    Applicability::Unsafe,
                    vec![Edit::insert(install.span.end, " --no-install-recommends")],
                );
                out.push(
                    Finding::on(
                        &Self::META,
                        stage,
                        install.span,
                        format!(
                            "`{} install` also installs every recommended package",
                            cmd.program().map(|p| p.text.as_str()).unwrap_or("apt-get")
                        ),
                    )
                    .within(ins.span)
                    .with_fix(Some(fix)),
                );
            }
        }
    }
}
