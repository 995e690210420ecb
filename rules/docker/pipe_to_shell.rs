use super::super::helpers::stage_of;
use crate::rule::{Check, Context, Domain, Finding, Severity};
use crate::shell::{basename, Word};

crate::declare_rule! {
    /// ## What it flags
    /// A `RUN` that pipes a download straight into an interpreter: `curl … | sh`,
    /// `wget -qO- … | bash`, `curl … | sudo python3`, in any position of a pipeline, in
    /// continued lines and heredocs alike. The finding points at the interpreter.
    ///
    /// ## Why it matters
    /// The script runs as it arrives, unverified: whoever controls the server, the DNS or the
    /// network path (or a compromised release) runs code in your build with root rights, and
    /// the image differs from one build to the next. No established scanner checks this
    /// directly (hadolint only asks for `pipefail`).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSL https://get.example.com/install.sh | sh
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// ADD --checksum=sha256:<digest> https://get.example.com/install.sh /tmp/install.sh
    /// RUN sh /tmp/install.sh
    /// ```
    /// or install from the distribution's signed packages.
    ///
    /// ## References
    /// - https://docs.docker.com/reference/dockerfile/#add---checksum
    /// - CWE-494: Download of Code Without Integrity Check
    pub struct PipeToShell {
        code: "DOCKER-003",
        name: "pipe-to-shell",
        title: "Download piped into a shell",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "supply-chain", "shell"],
        severity: Severity::High,
        compliance: &["CWE-494", "MITRE ATT&CK T1195"],
        references: &["https://cwe.mitre.org/data/definitions/494.html"],
    }
}

const FETCHERS: &[&str] = &["curl", "wget", "fetch"];
const INTERPRETERS: &[&str] = &[
    "sh", "bash", "dash", "zsh", "ash", "ksh", "python", "python2", "python3", "perl", "ruby",
    "node", "php",
];

struct Piped<'a> {
    instruction: usize,
    fetcher: &'a Word,
    interpreter: &'a Word,
}

impl Check for PipeToShell {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        for fact in detect(cx) {
            let ins = &df.instructions[fact.instruction];
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            out.push(
                Finding::on(&Self::META, stage, fact.interpreter.span, message(&fact))
                    .within(ins.span),
            );
        }
    }
}

fn detect<'a>(cx: &Context<'a>) -> Vec<Piped<'a>> {
    let mut out = Vec::new();
    for (instruction, script) in cx.scripts {
        for pipeline in &script.pipelines {
            let programs: Vec<&Word> = pipeline
                .iter()
                .filter_map(|&i| script.commands[i].program())
                .collect();
            let Some(first) = programs
                .iter()
                .position(|w| FETCHERS.contains(&basename(&w.text)))
            else {
                continue;
            };
            if let Some(shell) = programs[first + 1..]
                .iter()
                .find(|w| INTERPRETERS.contains(&basename(&w.text)))
            {
                out.push(Piped {
                    instruction: *instruction,
                    fetcher: programs[first],
                    interpreter: shell,
                });
            }
        }
    }
    out
}

fn message(f: &Piped) -> String {
    format!(
        "`RUN` pipes a download from `{}` into `{}`: the script runs unverified",
        basename(&f.fetcher.text),
        basename(&f.interpreter.text)
    )
}
