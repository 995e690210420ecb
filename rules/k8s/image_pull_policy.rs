use crate::edit::{replace_scalar, yaml_set};
use crate::fix::{Applicability, Fix};
use crate::image::ImageRef;
use crate::k8s::each_container;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A container whose `imagePullPolicy` is not `Always` (set to `IfNotPresent` or `Never`,
    /// or missing on an image with a version tag, where Kubernetes defaults to
    /// `IfNotPresent`). Images pinned by digest are not flagged: the digest already fixes what
    /// runs. Missing on a `latest` or untagged image is not flagged either: Kubernetes then
    /// defaults to `Always`.
    ///
    /// Off by default: the risk exists only where tenants share nodes and pull private images
    /// (enable with `select = ["default", "image-pull-policy"]`, or turn on the
    /// `AlwaysPullImages` admission plugin, which fixes it cluster-wide).
    ///
    /// ## Why it matters
    /// With `IfNotPresent`, a pod on a node that already holds a private image starts it without
    /// the registry checking the pod's pull credentials: any workload in any namespace that
    /// names the image can run it. `Always` makes the kubelet authenticate every start (layers
    /// are still cached).
    ///
    /// ## Example
    /// ```yaml
    /// image: registry.example.com/api:1.4.2
    /// imagePullPolicy: IfNotPresent
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image: registry.example.com/api:1.4.2
    /// imagePullPolicy: Always
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: pods cannot start while the registry is unreachable.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
    /// - https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#alwayspullimages
    pub struct ImagePullPolicy {
        code: "K8S-026",
        name: "image-pull-policy",
        title: "Image pull policy is not `Always`",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "images"],
        severity: Severity::Low,
        enabled_by_default: false,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_15")],
            kics: &[Peer::exact("Image Pull Policy Of The Container Is Not Set To Always")],
            polaris: &[Peer::exact("pullPolicyNotAlways")],
            kubescape: &[Peer::partial("C-0075", "only images tagged latest")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Kubernetes 1.2.11 (AlwaysPullImages)"],
        references: &["https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy"],
    }
}

impl Check for ImagePullPolicy {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (resource, c) in each_container(cx.resources) {
            let Some(image) = c.node.get("image").and_then(|i| i.as_str()) else {
                continue;
            };
            if !ImageRef::is_literal(image) {
                continue;
            }
            let reference = ImageRef::parse(image);
            if reference.is_pinned() {
                continue;
            }
            let text = cx.text(resource.file);
            let policy = c.node.get("imagePullPolicy");
            let (span, message, edit) = match policy {
                Some(p) if p.as_str() == Some("Always") || p.is_unknown() => continue,
                Some(p) => (
                    p.span,
                    format!("{} {} pulls `{image}` only when missing (`imagePullPolicy: {}`)", resource.name, c.describe(), p.display()),
                    replace_scalar(text, p, "Always"),
                ),
                None if reference.floats_to_latest() => continue,
                None => (
                    c.node.get("image").map(|i| i.span).unwrap_or_else(|| c.anchor_span()),
                    format!("{} {} has no `imagePullPolicy`, which defaults to `IfNotPresent` for `{image}`", resource.name, c.describe()),
                    yaml_set(text, c.node, &["imagePullPolicy"], "Always"),
                ),
            };
            let fix = edit.map(|e| {
                Fix::new(
                    "Set `imagePullPolicy: Always`",
                    Applicability::Unsafe,
                    vec![e],
                )
            });
            out.push(
                Finding::on(&Self::META, resource, span, message)
                    .in_container(&c.name, c.node.span)
                    .with_fix(fix),
            );
        }
    }
}
