use crate::edit::find_in;
use crate::fix::{Applicability, Edit, Fix};
use crate::image::ImageRef;
use crate::k8s::{each_container, Container};
use crate::model::{Node, Resource};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::source::Span;

crate::declare_rule! {
    /// ## What it flags
    /// A container image with no tag (`nginx`, `registry.local:5000/team/api`) or with the tag
    /// `latest`, in any container of any workload kind. Images pinned by digest
    /// (`nginx@sha256:…`) and placeholders that a tool substitutes before deploy
    /// (`${IMAGE}`, `<image>`) are never flagged, unless the tag is written `latest`
    /// (`gcr.io/<project>/app:latest`).
    ///
    /// ## Why it matters
    /// A floating tag means each node may run a different image, a rollback does not roll
    /// back, and whoever can push `latest` to the registry changes what runs in the cluster
    /// on the next pull. Findings, audits and incident response need to know exactly what
    /// ran.
    ///
    /// ## Example
    /// ```yaml
    /// image: nginx:latest
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image: nginx:1.27.3
    /// ```
    ///
    /// ## Fix safety
    /// Display-only: a person chooses the version.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/containers/images/#image-names
    pub struct LatestImageTag {
        code: "K8S-005",
        name: "latest-image-tag",
        title: "Container image has no tag or uses `latest`",
        domain: Domain::Kubernetes,
        tags: &["kubernetes", "images", "supply-chain"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_K8S_14")],
            trivy: &[Peer::exact("KSV-0013")],
            kics: &[Peer::exact("Invalid Image Tag")],
            kube_linter: &[Peer::exact("latest-tag")],
            polaris: &[Peer::exact("tagNotSpecified")],
            ..Equivalents::NONE
        },
        compliance: &["NSA/CISA Kubernetes Hardening: image scanning and provenance", "MITRE ATT&CK T1525"],
        references: &["https://kubernetes.io/docs/concepts/containers/images/#image-names"],
    }
}

struct Floating<'a> {
    resource: &'a Resource,
    container: Container<'a>,
    image: &'a Node,
    tag: Option<String>,
}

impl Check for LatestImageTag {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for fact in detect(cx.resources) {
            let text = cx.text(fact.resource.file);
            let span = primary_span(text, &fact);
            out.push(
                Finding::on(&Self::META, fact.resource, span, message(&fact))
                    .in_container(&fact.container.name, fact.container.node.span)
                    .with_origin(fact.image, fact.resource.file, "the image")
                    .with_fix(fix(text, &fact)),
            );
        }
    }
}

fn detect(resources: &[Resource]) -> Vec<Floating<'_>> {
    each_container(resources)
        .filter_map(|(resource, container)| {
            let image = container.node.get("image")?;
            let text = image.as_str()?;
            let reference = ImageRef::parse(text);
            // A placeholder substituted before deploy (`${IMAGE}`, `<image>`) is not judged,
            // unless the tag itself is written `latest` (`gcr.io/<project>/app:latest`).
            let literal_latest = reference.tag == Some("latest") && reference.digest.is_none();
            if !ImageRef::is_literal(text) && !literal_latest {
                return None;
            }
            if reference.repository.is_empty() || !reference.floats_to_latest() {
                return None;
            }
            Some(Floating {
                resource,
                tag: reference.tag.map(str::to_string),
                container,
                image,
            })
        })
        .collect()
}

/// The `latest` tag itself when written, else the whole image value.
fn primary_span(text: &str, f: &Floating) -> Span {
    if f.image.origin.is_none() && f.tag.is_some() {
        if let Some(span) = find_in(text, f.image, ":latest") {
            return Span::new(span.start + 1, span.end);
        }
    }
    f.image.span
}

fn message(f: &Floating) -> String {
    let image = f.image.as_str().unwrap_or_default();
    match f.tag {
        Some(_) => format!(
            "{} {} uses the floating tag `latest` (`{image}`)",
            f.resource.name,
            f.container.describe()
        ),
        None => format!(
            "{} {} has no image tag (`{image}` means `latest`)",
            f.resource.name,
            f.container.describe()
        ),
    }
}

fn fix(text: &str, f: &Floating) -> Option<Fix> {
    if f.image.origin.is_some() {
        return None;
    }
    let image = f.image.as_str()?;
    let edit = match f.tag {
        Some(_) => {
            let span = find_in(text, f.image, ":latest")?;
            Edit::replace(Span::new(span.start + 1, span.end), "<version>")
        }
        None => {
            let span = find_in(text, f.image, image)?;
            Edit::insert(span.end, ":<version>")
        }
    };
    Some(Fix::new(
        "Pin the image to a version tag",
        Applicability::DisplayOnly,
        vec![edit],
    ))
}
