use crate::fix::{Applicability, Edit, Fix};
use crate::image::ImageRef;
use crate::rule::{Check, Context, Domain, Finding, FixAvailability, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// An image pulled by the build (`FROM`, `COPY --from=<image>`, `RUN --mount=from=<image>`)
    /// that is referenced by tag only, without an `@sha256:` digest.
    ///
    /// Off by default: digests must be kept up to date by a bot (Renovate, Dependabot), or a
    /// pinned base stops receiving security updates. Enable it where builds must be
    /// reproducible: `select = ["default", "base-image-digest"]`.
    ///
    /// No established scanner checks this in Dockerfiles (Kubernetes scanners do, for
    /// manifests).
    ///
    /// ## Why it matters
    /// A tag is a pointer the registry owner, or anyone who compromises the registry account,
    /// can move. A digest names exactly one image: the build gets the bytes that were
    /// reviewed, and a changed base shows up as a diff in review.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim-bookworm
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.12-slim-bookworm@sha256:<digest of the image you tested>
    /// ```
    /// (`docker buildx imagetools inspect python:3.12-slim-bookworm` prints it).
    ///
    /// ## Fix safety
    /// Display only: the digest has to be looked up in the registry.
    ///
    /// ## References
    /// - https://docs.docker.com/reference/dockerfile/#from
    /// - https://docs.docker.com/build/building/best-practices/#pin-base-image-versions
    pub struct BaseImageDigest {
        code: "DOCKER-019",
        name: "base-image-digest",
        title: "Image not pinned by digest",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "images", "supply-chain"],
        severity: Severity::Low,
        enabled_by_default: false,
        fix: FixAvailability::Always,
        compliance: &["SLSA: pinned dependencies", "CIS Docker Benchmark 4.2"],
        references: &["https://docs.docker.com/build/building/best-practices/#pin-base-image-versions"],
    }
}

impl Check for BaseImageDigest {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let text = cx.text(0);
        for used in df.image_uses() {
            let reference = ImageRef::parse(&used.image);
            if reference.is_pinned() || !ImageRef::is_literal(&used.image) {
                continue;
            }
            let written = &text[used.span.start..used.span.end];
            let fix = (!written.contains('$')).then(|| {
                Fix::new(
                    "Pin the image by digest",
                    Applicability::DisplayOnly,
                    vec![Edit::insert(used.span.end, "@sha256:DIGEST")],
                )
            });
            let how = used.kind.describe();
            out.push(
                Finding::on(
                    &Self::META,
                    &cx.resources[used.stage],
                    used.span,
                    format!("{how} `{}` is not pinned by digest", used.image),
                )
                .within(df.instructions[used.instruction].span)
                .with_fix(fix),
            );
        }
    }
}
