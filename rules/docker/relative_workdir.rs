use super::super::helpers::stage_of;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// `WORKDIR` with a relative path. Paths starting with a variable (`$HOME/app`) and
    /// Windows drive paths (`C:\app`) are not flagged.
    ///
    /// ## Why it matters
    /// A relative `WORKDIR` resolves against whatever the previous `WORKDIR` (or the base
    /// image's) happens to be, so files land in a directory that changes when the base image
    /// changes, including directories with other owners or permissions than intended.
    ///
    /// ## Example
    /// ```dockerfile
    /// WORKDIR app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// WORKDIR /srv/app
    /// ```
    ///
    /// ## References
    /// - https://docs.docker.com/reference/dockerfile/#workdir
    /// - https://github.com/hadolint/hadolint/wiki/DL3000
    pub struct RelativeWorkdir {
        code: "DOCKER-008",
        name: "relative-workdir",
        title: "`WORKDIR` is a relative path",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "reliability"],
        severity: Severity::Low,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_DOCKER_10")],
            trivy: &[Peer::exact("DS-0009")],
            kics: &[Peer::exact("WORKDIR Path Not Absolute")],
            hadolint: &[Peer::exact("DL3000")],
            ..Equivalents::NONE
        },
        references: &["https://docs.docker.com/reference/dockerfile/#workdir"],
    }
}

impl Check for RelativeWorkdir {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let text = cx.text(0);
        for ins in df.instructions.iter().filter(|i| i.keyword == "WORKDIR") {
            let path = text[ins.args_span.start..ins.args_span.end].trim();
            let unquoted = path.trim_matches(|c| c == '"' || c == '\'');
            let bytes = unquoted.as_bytes();
            let windows = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
            if unquoted.is_empty()
                || unquoted.starts_with('/')
                || unquoted.starts_with('$')
                || windows
            {
                continue;
            }
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            out.push(Finding::on(
                &Self::META,
                stage,
                ins.args_span,
                format!("`WORKDIR {unquoted}` is relative to whatever the previous directory was"),
            ));
        }
    }
}
