use crate::image::ImageRef;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// An image pulled by the build (`FROM`, `COPY --from=<image>`, `RUN --mount=from=<image>`)
    /// from a registry that is not on the `allowed-registries` list of the configuration.
    /// Silent until the list is set; the same list governs Kubernetes images
    /// (`untrusted-registry-k8s`).
    ///
    /// ```toml
    /// # .rampart.toml
    /// allowed-registries = ["registry.example.com", "docker.io/library", "*.dkr.ecr.*.amazonaws.com"]
    /// ```
    /// An entry is a registry host, or a host and a path prefix (`ghcr.io/acme` allows
    /// `ghcr.io/acme/api`, not `ghcr.io/acme-evil/api`); `*` matches within one component.
    /// Images without a registry are Docker Hub's: `nginx` is `docker.io/library/nginx`.
    ///
    /// ## Why it matters
    /// Build stages run their base image's code with the build's network and secrets, and the
    /// final image runs in production. An allow-list keeps both to registries the
    /// organisation mirrors, scans and controls, instead of any account on a public registry.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM someuser/node-with-extras:20
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM registry.example.com/base/node:20-bookworm-slim
    /// ```
    ///
    /// ## References
    /// - https://github.com/hadolint/hadolint/wiki/DL3026
    pub struct UntrustedRegistry {
        code: "DOCKER-021",
        name: "untrusted-registry",
        title: "Image from a registry outside the allow-list",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "images", "supply-chain"],
        severity: Severity::High,
        equivalents: Equivalents {
            hadolint: &[Peer::exact("DL3026")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 CM-7(5)", "MITRE ATT&CK T1525"],
        references: &["https://github.com/hadolint/hadolint/wiki/DL3026"],
    }
}

impl Check for UntrustedRegistry {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let allowed = &cx.settings.allowed_registries;
        let Some(df) = cx.dockerfile else { return };
        if allowed.is_empty() {
            return;
        }
        for used in df.image_uses() {
            if !ImageRef::is_literal(&used.image) {
                continue;
            }
            let reference = ImageRef::parse(&used.image);
            if reference.allowed_by(allowed) {
                continue;
            }
            let how = used.kind.describe();
            out.push(
                Finding::on(
                    &Self::META,
                    &cx.resources[used.stage],
                    used.span,
                    format!(
                        "{how} `{}` is not from an allowed registry{}",
                        used.image,
                        reference.implicit_registry_note()
                    ),
                )
                .within(df.instructions[used.instruction].span),
            );
        }
    }
}
