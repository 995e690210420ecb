use crate::fix::{Applicability, Edit, Fix};
use crate::image::ImageRef;
use crate::parse::dockerfile::{Base, Stage};
use crate::rule::{
    Context, Domain, Equivalents, Finding, FixAvailability, Rule, RuleMeta, Severity,
};
use crate::source::Span;

crate::declare_rule! {
    /// ## What it flags
    /// A `FROM` whose image has no tag or uses `latest`, after `ARG` defaults are substituted.
    /// `FROM scratch`, `FROM <earlier stage>`, digest-pinned images and images built from an
    /// `ARG` without a default are not flagged.
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
            checkov: &["CKV_DOCKER_7"],
            trivy: &["DS-0001"],
            kics: &["Image Version Not Explicit", "Image Version Using 'latest'"],
            hadolint: &["DL3006", "DL3007"],
            ..Equivalents::NONE
        },
        compliance: &["CIS Docker Benchmark 4.2", "MITRE ATT&CK T1525"],
        references: &["https://docs.docker.com/reference/dockerfile/#from"],
    }
}

struct Floating<'a> {
    stage: &'a Stage,
    image: String,
    tagged_latest: bool,
}

impl Rule for LatestBaseImage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let text = cx.text(0);
        for fact in detect(&df.stages) {
            let resource = &cx.resources[fact.stage.index];
            out.push(
                Finding::on(&Self::META, resource, span(text, &fact), message(&fact))
                    .with_fix(fix(text, &fact)),
            );
        }
    }
}

fn detect(stages: &[Stage]) -> Vec<Floating<'_>> {
    stages
        .iter()
        .filter_map(|stage| {
            let Base::Image(image) = &stage.base else {
                return None;
            };
            let reference = ImageRef::parse(image);
            reference.floats_to_latest().then(|| Floating {
                stage,
                image: image.clone(),
                tagged_latest: reference.tag.is_some(),
            })
        })
        .collect()
}

/// The written `latest` when there is one, else the image reference.
fn span(text: &str, f: &Floating) -> Span {
    let written = &text[f.stage.image_span.start..f.stage.image_span.end];
    match written.strip_suffix(":latest") {
        Some(name) if f.tagged_latest => {
            let start = f.stage.image_span.start + name.len() + 1;
            Span::new(start, f.stage.image_span.end)
        }
        _ => f.stage.image_span,
    }
}

fn message(f: &Floating) -> String {
    let stage = match &f.stage.name {
        Some((name, _)) => format!("stage \"{name}\""),
        None => format!("stage {}", f.stage.index + 1),
    };
    if f.tagged_latest {
        format!(
            "{stage} is built on the floating tag `latest` (`{}`)",
            f.image
        )
    } else {
        format!(
            "{stage} is built on an untagged image (`{}` means `latest`)",
            f.image
        )
    }
}

fn fix(text: &str, f: &Floating) -> Option<Fix> {
    let written = &text[f.stage.image_span.start..f.stage.image_span.end];
    if written.contains('$') {
        return None; // the tag comes from an ARG: the default is the place to pin
    }
    let edit = if f.tagged_latest {
        Edit::replace(span(text, f), "<version>")
    } else {
        Edit::insert(f.stage.image_span.end, ":<version>")
    };
    Some(Fix::new(
        "Pin the base image to a version tag",
        Applicability::DisplayOnly,
        vec![edit],
    ))
}
