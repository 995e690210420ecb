use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A `google_container_cluster` with
    /// `master_auth.client_certificate_config.issue_client_certificate = true` (the provider default
    /// is `false`).
    ///
    /// ## Why it matters
    /// The issued client certificate is a long-lived administrator credential that cannot be
    /// revoked short of rotating the cluster's CA; it ends up in the Terraform state and in whatever
    /// copies the kubeconfig.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_container_cluster" "main" {
    ///   name     = "main"
    ///   location = "europe-west1"
    ///
    ///   master_auth {
    ///     client_certificate_config {
    ///       issue_client_certificate = true
    ///     }
    ///   }
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
    /// Unsafe: changing it recreates the cluster.
    ///
    /// ## References
    /// - https://cloud.google.com/kubernetes-engine/docs/how-to/api-server-authentication#legacy-auth
    pub struct GkeClientCertificate {
        code: "TF-GCP-008",
        name: "gke-client-certificate",
        title: "GKE cluster issues a client certificate",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "gke", "authentication"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_13")],
            trivy: &[Peer::exact("GCP-0064")],
            kics: &[Peer::partial("Legacy Client Certificate Auth Enabled", "also flags basic-auth username and password")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 IA-5"],
        references: &["https://cloud.google.com/kubernetes-engine/docs/how-to/api-server-authentication#legacy-auth"],
    }
}

const SETTING: Setting = Setting {
    types: &["google_container_cluster"],
    path: &[
        "master_auth",
        "client_certificate_config",
        "issue_client_certificate",
    ],
    want: Want::Bool {
        want: false,
        default: false,
    },
    fix: Some(("false", Applicability::Unsafe)),
    skip: None,
};

impl Check for GkeClientCertificate {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!(
                "{} sets `issue_client_certificate = {}`: a static administrator credential",
                r.name,
                v.display()
            ),
            None => format!("{} issues a client certificate", r.name),
        });
    }
}
