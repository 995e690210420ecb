use crate::image::ImageRef;
use crate::k8s::each_container;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A container image (any container list of any workload kind) from a registry that is
    /// not on the `allowed-registries` list of the configuration. Silent until the list is
    /// set; the same list governs Dockerfiles (`untrusted-registry`).
    ///
    /// ```toml
    /// # .rampart.toml
    /// allowed-registries = ["registry.example.com", "docker.io/library"]
    /// ```
    /// Entries and matching are described under `untrusted-registry`. Placeholders
    /// substituted before deploy (`${IMAGE}`, `<image>`) are not checked.
    ///
    /// Among the established scanners only Trivy checks this in manifests, against lists of
    /// its own (trusted registries, known public registries) rather than yours; clusters
    /// enforce it at admission (Gatekeeper `K8sAllowedRepos`, Kyverno
    /// `restrict-image-registries`), and this rule reports the same thing before the manifest
    /// reaches the cluster.
    ///
    /// ## Why it matters
    /// Anything a workload runs comes from its image. Restricting images to registries the
    /// organisation controls, mirrors and scans keeps a typo-squatted or hijacked public image
    /// out of the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// image: someuser/redis:7
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image: registry.example.com/mirror/redis:7.4.1
    /// ```
    ///
    /// ## References
    /// - https://open-policy-agent.github.io/gatekeeper-library/website/validation/allowedrepos/
    /// - https://kyverno.io/policies/best-practices/restrict-image-registries/restrict-image-registries/
    pub struct UntrustedRegistryK8s {
        code: "K8S-007",
        name: "untrusted-registry-k8s",
        title: "Container image from a registry outside the allow-list",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "images", "supply-chain"],
        severity: Severity::High,
        equivalents: Equivalents {
            trivy: &[Peer::partial("KSV-0125", "judges images against Trivy's own trusted-registry list"), Peer::partial("KSV-0034", "flags images from a fixed list of public registries")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 CM-7(5)", "NSA/CISA Kubernetes Hardening: image provenance", "MITRE ATT&CK T1525"],
        references: &["https://open-policy-agent.github.io/gatekeeper-library/website/validation/allowedrepos/"],
    }
}

impl Check for UntrustedRegistryK8s {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let allowed = &cx.settings.allowed_registries;
        if allowed.is_empty() {
            return;
        }
        for (resource, container) in each_container(cx.resources) {
            let Some(image) = container.node.get("image") else {
                continue;
            };
            let Some(text) = image.as_str() else { continue };
            if !ImageRef::is_literal(text) {
                continue;
            }
            let reference = ImageRef::parse(text);
            if reference.repository.is_empty() || reference.allowed_by(allowed) {
                continue;
            }
            out.push(
                Finding::on(
                    &Self::META,
                    resource,
                    image.span,
                    format!(
                        "{} {} runs `{text}`, which is not from an allowed registry{}",
                        resource.name,
                        container.describe(),
                        reference.implicit_registry_note()
                    ),
                )
                .in_container(&container.name, container.node.span)
                .with_origin(image, resource.file, "the image"),
            );
        }
    }
}
