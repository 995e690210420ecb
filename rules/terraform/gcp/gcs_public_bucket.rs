use super::iam::{report_public_grants, Grant};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A grant of a bucket to `allUsers` (anyone on the internet) or `allAuthenticatedUsers`
    /// (anyone with a Google account): `google_storage_bucket_iam_member` / `_iam_binding` members,
    /// and ACL entries of `google_storage_bucket_acl` (`role_entity`), `google_storage_bucket_access_control`,
    /// `google_storage_default_object_access_control` and `google_storage_object_access_control`
    /// (`entity`). The grant is joined to the `google_storage_bucket` it names (by reference or by
    /// bucket name) and reported on that bucket, at the member. A member known only in part is
    /// public when its known end names the principal (`"${var.role}:allUsers"`).
    ///
    /// ## Why it matters
    /// Everything in the bucket, including objects added later, can be listed or downloaded
    /// without credentials; public buckets are found by scanners within hours.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_storage_bucket_iam_member" "public" {
    ///   bucket = google_storage_bucket.assets.name
    ///   role   = "roles/storage.objectViewer"
    ///   member = "allUsers"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "google_storage_bucket_iam_member" "cdn" {
    ///   bucket = google_storage_bucket.assets.name
    ///   role   = "roles/storage.objectViewer"
    ///   member = "serviceAccount:${google_service_account.cdn.email}"
    /// }
    /// ```
    /// Serve public content through Cloud CDN or a load balancer with signed URLs instead of opening the bucket.
    ///
    /// ## References
    /// - https://cloud.google.com/storage/docs/access-control/making-data-public
    pub struct GcsPublicBucket {
        code: "TF-GCP-001",
        name: "gcs-public-bucket",
        title: "Cloud Storage bucket is readable by everyone",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "storage", "public-access"],
        severity: Severity::Critical,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_28"), Peer::partial("CKV_GCP_114", "only public access prevention not enforced")],
            trivy: &[Peer::exact("GCP-0001")],
            kics: &[Peer::exact("Cloud Storage Anonymous or Publicly Accessible"), Peer::exact("Cloud Storage Bucket Is Publicly Accessible")],
            ..Equivalents::NONE
        },
        compliance: &["CIS GCP Foundations 5.1", "NIST 800-53 AC-3"],
        references: &["https://cloud.google.com/storage/docs/access-control/making-data-public"],
    }
}

const GRANTS: &[Grant] = &[
    Grant {
        type_name: "google_storage_bucket_iam_member",
        members: &["member"],
        target: "bucket",
    },
    Grant {
        type_name: "google_storage_bucket_iam_binding",
        members: &["members"],
        target: "bucket",
    },
    Grant {
        type_name: "google_storage_bucket_acl",
        members: &["role_entity"],
        target: "bucket",
    },
    Grant {
        type_name: "google_storage_bucket_access_control",
        members: &["entity"],
        target: "bucket",
    },
    Grant {
        type_name: "google_storage_default_object_access_control",
        members: &["entity"],
        target: "bucket",
    },
    Grant {
        type_name: "google_storage_object_access_control",
        members: &["entity"],
        target: "bucket",
    },
];

impl Check for GcsPublicBucket {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        report_public_grants(
            &Self::META,
            cx,
            out,
            GRANTS,
            &["google_storage_bucket"],
            "name",
            "bucket",
        );
    }
}
