use super::super::helpers::stage_of;
use crate::fix::{Applicability, Edit, Fix};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// The deprecated `MAINTAINER` instruction.
    ///
    /// ## Why it matters
    /// `MAINTAINER` has been deprecated since Docker 1.13; tools that read image metadata (and
    /// the OCI annotations that security teams use to find an image's owner) look at labels.
    /// Ownership that cannot be found slows down every vulnerability response.
    ///
    /// ## Example
    /// ```dockerfile
    /// MAINTAINER Jane Doe <jane@example.com>
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// LABEL maintainer="Jane Doe <jane@example.com>"
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the image runs the same; the author moves from a deprecated field to a label.
    ///
    /// ## References
    /// - https://docs.docker.com/reference/dockerfile/#maintainer-deprecated
    pub struct Maintainer {
        code: "DOCKER-007",
        name: "maintainer",
        title: "Deprecated `MAINTAINER` instruction",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "metadata"],
        severity: Severity::Low,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_DOCKER_6")],
            trivy: &[Peer::exact("DS-0022")],
            kics: &[Peer::exact("MAINTAINER Instruction Being Used")],
            hadolint: &[Peer::exact("DL4000")],
            ..Equivalents::NONE
        },
        references: &["https://docs.docker.com/reference/dockerfile/#maintainer-deprecated"],
    }
}

impl Check for Maintainer {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let text = cx.text(0);
        for ins in df.instructions.iter().filter(|i| i.keyword == "MAINTAINER") {
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            let who = text[ins.args_span.start..ins.args_span.end].trim();
            let fix = (!who.is_empty() && !who.contains('\n')).then(|| {
                let escaped = who.replace('\\', "\\\\").replace('"', "\\\"");
                Fix::new(
                    "Use `LABEL maintainer=…`",
                    Applicability::Safe,
                    vec![Edit::replace(
                        ins.span,
                        format!("LABEL maintainer=\"{escaped}\""),
                    )],
                )
            });
            out.push(
                Finding::on(
                    &Self::META,
                    stage,
                    ins.keyword_span,
                    format!("`MAINTAINER {who}` is deprecated"),
                )
                .with_fix(fix),
            );
        }
    }
}
