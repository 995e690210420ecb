use super::super::helpers::stage_of;
use crate::fix::{Applicability, Edit, Fix};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::shell::{basename, Command};
use crate::source::Span;

crate::declare_rule! {
    /// ## What it flags
    /// `sudo` in a `RUN` instruction.
    ///
    /// ## Why it matters
    /// Build steps already run as the current `USER`; `sudo` only makes sense if the image
    /// ships a sudo configuration, which lets any process in the running container regain
    /// root and undoes a non-root `USER`. It also behaves unpredictably without a TTY.
    ///
    /// ## Example
    /// ```dockerfile
    /// USER app
    /// RUN sudo apt-get install -y curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// USER root
    /// RUN apt-get install -y curl
    /// USER app
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: without `sudo` the command runs as the current `USER`, which may lack rights.
    ///
    /// ## References
    /// - https://github.com/hadolint/hadolint/wiki/DL3004
    pub struct Sudo {
        code: "DOCKER-004",
        name: "sudo",
        title: "`sudo` used in `RUN`",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "least-privilege", "shell"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV2_DOCKER_1")],
            trivy: &[Peer::exact("DS-0010")],
            kics: &[Peer::exact("Run Using Sudo")],
            hadolint: &[Peer::exact("DL3004")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Docker Benchmark 4.1"],
        references: &["https://github.com/hadolint/hadolint/wiki/DL3004"],
    }
}

impl Check for Sudo {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        for (i, script) in cx.scripts {
            let ins = &df.instructions[*i];
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            for cmd in script
                .commands
                .iter()
                .filter(|c| basename(c.name()) == "sudo")
            {
                let word = &cmd.words[0];
                out.push(
                    Finding::on(
                        &Self::META,
                        stage,
                        word.span,
                        format!(
                            "`RUN` uses `sudo` to run `{}`",
                            cmd.program()
                                .map(|w| w.text.as_str())
                                .unwrap_or("a command")
                        ),
                    )
                    .within(ins.span)
                    .with_fix(fix(cmd)),
                );
            }
        }
    }
}

/// Remove `sudo` and its options, keeping the command it runs.
fn fix(cmd: &Command) -> Option<Fix> {
    let program = cmd.program()?;
    if program.span == cmd.words[0].span {
        return None;
    }
    Some(Fix::new(
        "Remove `sudo` (set the `USER` the step needs instead)",
        Applicability::Unsafe,
        vec![Edit::replace(
            Span::new(cmd.words[0].span.start, program.span.start),
            "",
        )],
    ))
}
