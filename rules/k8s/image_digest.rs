use crate::image::ImageRef;
use crate::k8s::each_container;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A container image referenced without an `@sha256:` digest. Off by default (digests need
    /// a bot to keep them current); enable with `select = ["default", "image-digest"]`.
    /// Placeholders substituted before deploy are not checked.
    ///
    /// ## Why it matters
    /// A tag can be moved by whoever controls the repository; a digest names exactly the image
    /// that was reviewed and scanned, on every node and after every reschedule.
    ///
    /// ## Example
    /// ```yaml
    /// image: registry.example.com/api:1.4.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image: registry.example.com/api:1.4.2@sha256:<digest>
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/containers/images/#image-names
    pub struct ImageDigest {
        code: "K8S-025",
        name: "image-digest",
        title: "Container image not pinned by digest",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "images", "supply-chain"],
        severity: Severity::Low,
        enabled_by_default: false,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_43")],
            kics: &[Peer::exact("Image Without Digest")],
            kubescape: &[Peer::exact("C-0306")],
            ..Equivalents::NONE
        },
        compliance: &["SLSA: pinned dependencies"],
        references: &["https://kubernetes.io/docs/concepts/containers/images/#image-names"],
    }
}

impl Check for ImageDigest {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (resource, c) in each_container(cx.resources) {
            let Some(image) = c.node.get("image") else {
                continue;
            };
            let Some(text) = image.as_str() else { continue };
            if !ImageRef::is_literal(text) || ImageRef::parse(text).is_pinned() {
                continue;
            }
            out.push(
                Finding::on(
                    &Self::META,
                    resource,
                    image.span,
                    format!(
                        "{} {} uses `{text}` without a digest",
                        resource.name,
                        c.describe()
                    ),
                )
                .in_container(&c.name, c.node.span)
                .with_origin(image, resource.file, "the image"),
            );
        }
    }
}
