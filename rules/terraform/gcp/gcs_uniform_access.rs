use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A `google_storage_bucket` whose `uniform_bucket_level_access` is `false` or unset (the
    /// provider default is `false`): object ACLs then apply besides bucket IAM.
    ///
    /// ## Why it matters
    /// With fine-grained ACLs any object can be made public or shared on its own, invisible to
    /// a review of the bucket's IAM policy. Uniform access makes IAM the only way in, so the
    /// bucket-level policy is the whole story.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_storage_bucket" "data" {
    ///   name     = "example-data"
    ///   location = "EU"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "google_storage_bucket" "data" {
    ///   name                        = "example-data"
    ///   location                    = "EU"
    ///   uniform_bucket_level_access = true
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: object ACLs stop applying; readers granted access only through an ACL lose it (re-grant them on the bucket through IAM first).
    ///
    /// ## References
    /// - https://cloud.google.com/storage/docs/uniform-bucket-level-access
    pub struct GcsUniformAccess {
        code: "TF-GCP-002",
        name: "gcs-uniform-access",
        title: "Cloud Storage bucket uses per-object ACLs",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "storage", "access-control"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_29")],
            trivy: &[Peer::exact("GCP-0002")],
            kics: &[Peer::exact("Google Storage Bucket Level Access Disabled")],
            ..Equivalents::NONE
        },
        compliance: &["CIS GCP Foundations 5.2", "NIST 800-53 AC-3"],
        references: &["https://cloud.google.com/storage/docs/uniform-bucket-level-access"],
    }
}

const SETTING: Setting = Setting {
    types: &["google_storage_bucket"],
    path: &["uniform_bucket_level_access"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: Some(("true", Applicability::Unsafe)),
    skip: None,
};

impl Check for GcsUniformAccess {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `uniform_bucket_level_access = {}`: object ACLs apply", r.name, v.display()),
            None => format!("{} leaves `uniform_bucket_level_access` unset (the provider default is false): object ACLs apply", r.name),
        });
    }
}
