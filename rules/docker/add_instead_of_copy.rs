use super::super::helpers::{arg_words, stage_of};
use crate::fix::{Applicability, Edit, Fix};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// `ADD` of local files or directories, where `COPY` does the same. `ADD` of a URL or of
    /// a git repository (see DOCKER-006) and of a local archive (which `ADD` extracts) is not
    /// flagged.
    ///
    /// ## Why it matters
    /// `ADD` has hidden behaviours: it fetches URLs and unpacks archives. Using it for plain
    /// files hides which steps reach the network or expand archives, and a later change of the
    /// source into an archive or URL silently changes what gets built. `COPY` does only what it
    /// says.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD ./app /srv/app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// COPY ./app /srv/app
    /// ```
    ///
    /// ## Fix safety
    /// Safe: for local files and directories that are not archives, `COPY` and `ADD` produce
    /// the same layer.
    ///
    /// ## References
    /// - https://docs.docker.com/reference/dockerfile/#adding-files-from-the-build-context
    /// - https://github.com/hadolint/hadolint/wiki/DL3020
    pub struct AddInsteadOfCopy {
        code: "DOCKER-005",
        name: "add-instead-of-copy",
        title: "`ADD` used where `COPY` does",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "supply-chain"],
        severity: Severity::Low,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_DOCKER_4")],
            trivy: &[Peer::exact("DS-0005")],
            kics: &[Peer::exact("Add Instead of Copy")],
            hadolint: &[Peer::exact("DL3020")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Docker Benchmark 4.9"],
        references: &["https://docs.docker.com/reference/dockerfile/#add"],
    }
}

pub(crate) const ARCHIVES: &[&str] = &[
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tar.zst",
    ".tzst",
    ".tar.lz",
    ".tar.lzma",
    ".gz",
    ".bz2",
    ".xz",
];

pub(crate) fn is_remote(src: &str) -> bool {
    let s = src.to_ascii_lowercase();
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("git@")
        || s.ends_with(".git")
}

/// The sources of an `ADD`/`COPY` (all arguments but the destination).
pub(crate) fn sources(
    text: &str,
    ins: &crate::parse::dockerfile::Instruction,
) -> Vec<(String, crate::source::Span)> {
    let mut words = if ins.json_args.is_empty() {
        arg_words(text, ins)
    } else {
        ins.json_args.clone()
    };
    words.pop();
    words
}

impl Check for AddInsteadOfCopy {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let text = cx.text(0);
        for ins in df.instructions.iter().filter(|i| i.keyword == "ADD") {
            let srcs = sources(text, ins);
            if srcs.is_empty() || text[ins.args_span.start..ins.args_span.end].starts_with("<<") {
                continue;
            }
            let local = srcs.iter().all(|(s, _)| {
                let lower = s.to_ascii_lowercase();
                !is_remote(s) && !ARCHIVES.iter().any(|a| lower.ends_with(a))
            });
            if !local {
                continue;
            }
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            let only_copy_flags = ins
                .flags
                .iter()
                .all(|f| matches!(f.name.as_str(), "chown" | "chmod" | "link"));
            let written = &text[ins.keyword_span.start..ins.keyword_span.end];
            let fix = only_copy_flags.then(|| {
                let copy = if written.chars().all(|c| c.is_ascii_lowercase()) {
                    "copy"
                } else {
                    "COPY"
                };
                Fix::new(
                    "Use `COPY`",
                    Applicability::Safe,
                    vec![Edit::replace(ins.keyword_span, copy)],
                )
            });
            out.push(
                Finding::on(
                    &Self::META,
                    stage,
                    ins.keyword_span,
                    format!("`ADD` copies local files (`{}`); `COPY` does the same without fetching or unpacking", srcs[0].0),
                )
                .within(ins.span)
                .with_fix(fix),
            );
        }
    }
}
