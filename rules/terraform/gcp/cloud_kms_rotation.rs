use crate::fix::{Applicability, Fix};
use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::insert_setting;

crate::declare_rule! {
    /// ## What it flags
    /// A symmetric `google_kms_crypto_key` whose `rotation_period` is unset (the provider
    /// default: never rotated) or longer than 90 days (`7776000s`). Asymmetric keys (`purpose` of
    /// `ASYMMETRIC_SIGN` / `ASYMMETRIC_DECRYPT`), which Cloud KMS cannot rotate automatically, are not
    /// flagged.
    ///
    /// ## Why it matters
    /// A key version in use for years has protected more data and had more chances to leak.
    /// Automatic rotation limits what one compromised version exposes; old versions stay available
    /// to decrypt what they encrypted.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_kms_crypto_key" "data" {
    ///   name     = "data"
    ///   key_ring = google_kms_key_ring.main.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "google_kms_crypto_key" "data" {
    ///   name            = "data"
    ///   key_ring        = google_kms_key_ring.main.id
    ///   rotation_period = "7776000s"
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Safe: new versions become primary on schedule and old versions keep decrypting. Offered when `rotation_period` is unset.
    ///
    /// ## References
    /// - https://cloud.google.com/kms/docs/key-rotation
    pub struct CloudKmsRotation {
        code: "TF-GCP-015",
        name: "cloud-kms-rotation",
        title: "Cloud KMS key is not rotated every 90 days",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "kms", "encryption"],
        severity: Severity::Medium,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_43")],
            trivy: &[Peer::exact("GCP-0065")],
            kics: &[Peer::exact("High Google KMS Crypto Key Rotation Period")],
            ..Equivalents::NONE
        },
        compliance: &["CIS GCP Foundations 1.10", "NIST 800-53 SC-12"],
        references: &["https://cloud.google.com/kms/docs/key-rotation"],
    }
}

const MAX_SECONDS: f64 = 90.0 * 24.0 * 3600.0;

fn seconds(text: &str) -> Option<f64> {
    text.strip_suffix('s')?.parse().ok()
}

impl Check for CloudKmsRotation {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx
            .resources
            .iter()
            .filter(|r| r.tf_type() == Some(("resource", "google_kms_crypto_key")))
        {
            let asymmetric = r
                .body
                .get("purpose")
                .and_then(Node::as_str)
                .is_some_and(|p| p.starts_with("ASYMMETRIC"));
            if asymmetric {
                continue;
            }
            match r.body.get("rotation_period") {
                Some(v) if v.is_unknown() => {}
                Some(v) if !matches!(v.value, crate::model::Value::Null) => {
                    let Some(s) = v.as_str().and_then(seconds).filter(|s| *s > MAX_SECONDS) else {
                        continue;
                    };
                    out.push(
                        Finding::on(&Self::META, r, v.span, format!("{} rotates every {} days (`rotation_period = \"{}\"`), more than 90", r.name, (s / 86400.0).round(), v.display()))
                            .with_origin(v, r.file, "the period"),
                    );
                }
                _ => {
                    let fix =
                        insert_setting(cx.text(r.file), r, &["rotation_period"], "\"7776000s\"")
                            .map(|e| {
                                Fix::new(
                                    "Set `rotation_period = \"7776000s\"` (90 days)",
                                    Applicability::Safe,
                                    vec![e],
                                )
                            });
                    out.push(
                        Finding::on(
                            &Self::META,
                            r,
                            r.head,
                            format!("{} is never rotated (`rotation_period` unset)", r.name),
                        )
                        .with_fix(fix),
                    );
                }
            }
        }
    }
}
