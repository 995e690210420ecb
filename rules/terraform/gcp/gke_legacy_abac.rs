use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A `google_container_cluster` with `enable_legacy_abac = true` (the provider default is
    /// `false`).
    ///
    /// ## Why it matters
    /// Legacy ABAC grants broad, static permissions outside Kubernetes RBAC — by default every
    /// service account can act as cluster administrator — and RBAC rules cannot take them back.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_container_cluster" "main" {
    ///   name               = "main"
    ///   location           = "europe-west1"
    ///   enable_legacy_abac = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "google_container_cluster" "main" {
    ///   name     = "main"
    ///   location = "europe-west1"
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: workloads that relied on ABAC permissions lose them until RBAC roles are granted.
    ///
    /// ## References
    /// - https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#leave_abac_disabled_default_for_110
    pub struct GkeLegacyAbac {
        code: "TF-GCP-007",
        name: "gke-legacy-abac",
        title: "GKE cluster has legacy ABAC authorization on",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "gke", "access-control"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_7")],
            trivy: &[Peer::exact("GCP-0062")],
            kics: &[Peer::exact("GKE Legacy Authorization Enabled")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 AC-3"],
        references: &["https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#leave_abac_disabled_default_for_110"],
    }
}

const SETTING: Setting = Setting {
    types: &["google_container_cluster"],
    path: &["enable_legacy_abac"],
    want: Want::Bool {
        want: false,
        default: false,
    },
    fix: Some(("false", Applicability::Unsafe)),
    skip: None,
};

impl Check for GkeLegacyAbac {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!(
                "{} sets `enable_legacy_abac = {}`: legacy ABAC bypasses RBAC",
                r.name,
                v.display()
            ),
            None => format!("{} has legacy ABAC on", r.name),
        });
    }
}
