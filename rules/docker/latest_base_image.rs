use crate::fix::{Applicability, Edit, Fix};
use crate::image::ImageRef;
use crate::parse::dockerfile::{Dockerfile, ImageUse, ImageUseKind, Stage};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::source::Span;

crate::declare_rule! {
    /// ## What it flags
    /// A `FROM` whose image has no tag or uses `latest`, after `ARG` defaults are substituted;
    /// the same for images the build copies from (`COPY --from=<image>`) or mounts
    /// (`RUN --mount=from=<image>`). `FROM scratch`, `FROM <earlier stage>`, digest-pinned
    /// images and images built from an `ARG` without a default are not flagged.
    ///
    /// ## Why it matters
    /// The build silently picks up whatever was pushed last: a rebuild of the same commit can
    /// produce a different image, with other packages and other vulnerabilities, and a
    /// compromised upstream tag flows straight into your image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:latest
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12-slim-bookworm
    /// ```
    ///
    /// ## Fix safety
    /// Display-only: a person chooses the version.
    ///
    /// ## References
    /// - https://docs.docker.com/reference/dockerfile/#from
    pub struct LatestBaseImage {
        code: "DOCKER-001",
        name: "latest-base-image",
        title: "Base image has no tag or uses `latest`",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "images", "supply-chain"],
        severity: Severity::Medium,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_DOCKER_7")],
            trivy: &[Peer::exact("DS-0001")],
            kics: &[Peer::exact("Image Version Not Explicit").about("untagged"), Peer::exact("Image Version Using 'latest'").about("latest")],
            hadolint: &[Peer::exact("DL3006").about("untagged"), Peer::exact("DL3007").about("latest")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Docker Benchmark 4.2", "MITRE ATT&CK T1525"],
        references: &["https://docs.docker.com/reference/dockerfile/#from"],
    }
}

struct Floating<'a> {
    used: ImageUse,
    stage: &'a Stage,
    tagged_latest: bool,
}

impl Check for LatestBaseImage {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let text = cx.text(0);
        for fact in detect(df) {
            let resource = &cx.resources[fact.stage.index];
            out.push(
                Finding::on(&Self::META, resource, span(text, &fact), message(&fact))
                    .within(df.instructions[fact.used.instruction].span)
                    .with_fix(fix(text, &fact))
                    .about(if fact.tagged_latest {
                        "latest"
                    } else {
                        "untagged"
                    }),
            );
        }
    }
}

fn detect(df: &Dockerfile) -> Vec<Floating<'_>> {
    df.image_uses()
        .into_iter()
        .filter_map(|used| {
            let reference = ImageRef::parse(&used.image);
            let tagged_latest = reference.tag.is_some();
            (ImageRef::is_literal(&used.image) && reference.floats_to_latest()).then(|| Floating {
                stage: &df.stages[used.stage],
                used,
                tagged_latest,
            })
        })
        .collect()
}

/// The written `latest` when there is one, else the image reference.
fn span(text: &str, f: &Floating) -> Span {
    let at = f.used.span;
    let written = &text[at.start..at.end];
    match written.strip_suffix(":latest") {
        Some(name) if f.tagged_latest => Span::new(at.start + name.len() + 1, at.end),
        _ => at,
    }
}

fn message(f: &Floating) -> String {
    let what = match f.used.kind {
        ImageUseKind::From => match &f.stage.name {
            Some((name, _)) => format!("stage \"{name}\" is built on"),
            None => format!("stage {} is built on", f.stage.index + 1),
        },
        ImageUseKind::CopyFrom => "`COPY --from` copies from".to_string(),
        ImageUseKind::MountFrom => "`RUN --mount` mounts".to_string(),
    };
    let image = &f.used.image;
    if f.tagged_latest {
        format!("{what} the floating tag `latest` (`{image}`)")
    } else {
        format!("{what} an untagged image (`{image}` means `latest`)")
    }
}

fn fix(text: &str, f: &Floating) -> Option<Fix> {
    let written = &text[f.used.span.start..f.used.span.end];
    if written.contains('$') {
        return None; // the tag comes from an ARG: the default is the place to pin
    }
    let edit = if f.tagged_latest {
        Edit::replace(span(text, f), "<version>")
    } else {
        Edit::insert(f.used.span.end, ":<version>")
    };
    Some(Fix::new(
        "Pin the image to a version tag",
        Applicability::DisplayOnly,
        vec![edit],
    ))
}
