use super::super::helpers::{arg_words, stage_of};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// `EXPOSE` of a remote-administration port: 22 (SSH), 23 (telnet), 2375 and 2376 (the
    /// Docker daemon API), 3389 (RDP).
    ///
    /// ## Why it matters
    /// A container that runs an SSH or remote-desktop server, or exposes a Docker daemon, is a
    /// door into the workload (and, for the daemon, into the host) that bypasses the
    /// orchestrator's access control and audit. Use `docker exec` / `kubectl exec` instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 8080 22
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// EXPOSE 8080
    /// ```
    ///
    /// ## References
    /// - https://docs.docker.com/reference/dockerfile/#expose
    /// - https://docs.docker.com/engine/security/protect-access/
    pub struct ExposedAdminPort {
        code: "DOCKER-009",
        name: "exposed-admin-port",
        title: "Remote-administration port exposed",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "network"],
        severity: Severity::Medium,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_DOCKER_1").about("22")],
            trivy: &[Peer::exact("DS-0004").about("22")],
            kics: &[Peer::exact("Exposing Port 22 (SSH)").about("22")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Docker Benchmark 5.7", "MITRE ATT&CK T1021"],
        references: &["https://docs.docker.com/reference/dockerfile/#expose"],
    }
}

const ADMIN: &[(&str, &str)] = &[
    ("22", "SSH"),
    ("23", "telnet"),
    ("2375", "the Docker daemon API"),
    ("2376", "the Docker daemon API"),
    ("3389", "RDP"),
];

impl Check for ExposedAdminPort {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let text = cx.text(0);
        for ins in df.instructions.iter().filter(|i| i.keyword == "EXPOSE") {
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            for (word, span) in arg_words(text, ins) {
                let port = word.split('/').next().unwrap_or(&word);
                if let Some((_, what)) = ADMIN.iter().find(|(p, _)| *p == port) {
                    out.push(
                        Finding::on(
                            &Self::META,
                            stage,
                            span,
                            format!("`EXPOSE {word}` opens {what} to the network"),
                        )
                        .within(ins.span)
                        .about(port),
                    );
                }
            }
        }
    }
}
