use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::lookup;
use crate::terraform::join::{log_buckets, s3_setting};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_s3_bucket` whose default encryption is not SSE-KMS: no
    /// `aws_s3_bucket_server_side_encryption_configuration` (nor legacy inline
    /// `server_side_encryption_configuration`) configures it, the one that does sets
    /// `sse_algorithm = "AES256"`, or its `rule` has no `apply_server_side_encryption_by_default`
    /// (an empty `rule {}` leaves S3's default, SSE-S3). Since January 2023 S3 encrypts every new
    /// object with SSE-S3 when nothing is configured, so the data is encrypted either way: this
    /// rule is about who controls the key. Buckets that receive logs are not flagged: S3 server
    /// access logs and load balancer access logs can only be delivered to SSE-S3 buckets. That
    /// includes a bucket that lets S3 deliver access logs to it (the `log-delivery-write` ACL, a
    /// grant to the log delivery group, or a bucket policy naming `logging.s3.amazonaws.com`).
    ///
    /// ## Why it matters
    /// With SSE-S3 anyone allowed `s3:GetObject` reads the data: the key is AWS's and cannot be
    /// restricted, audited per use, or revoked. With a KMS key, reading also needs `kms:Decrypt` on
    /// that key, every use is in CloudTrail, and disabling the key cuts off access at once.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket" "data" {
    ///   bucket = "example-data"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
    ///   bucket = aws_s3_bucket.data.id
    ///
    ///   rule {
    ///     apply_server_side_encryption_by_default {
    ///       sse_algorithm     = "aws:kms"
    ///       kms_master_key_id = aws_kms_key.data.arn
    ///     }
    ///     bucket_key_enabled = true
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
    /// - https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html
    pub struct S3CustomerKey {
        code: "TF-AWS-030",
        name: "s3-customer-key",
        title: "S3 bucket is not encrypted with a KMS key",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "s3", "encryption"],
        severity: Severity::Low,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_145"), Peer::partial("CKV_AWS_19", "flags only buckets without any default encryption, which S3 has applied to every bucket since 2023")],
            trivy: &[Peer::exact("AWS-0132"), Peer::partial("AWS-0088", "deprecated upstream; flags only buckets without any default encryption")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 SC-28", "NIST 800-53 SC-12"],
        references: &["https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html", "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html"],
    }
}

const ALGORITHM: &[&str] = &[
    "rule",
    "apply_server_side_encryption_by_default",
    "sse_algorithm",
];

impl Check for S3CustomerKey {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let receivers = log_buckets(cx.resources);
        for r in cx
            .resources
            .iter()
            .filter(|r| r.tf_type() == Some(("resource", "aws_s3_bucket")))
        {
            if receivers.contains(&r.name.as_str()) {
                continue;
            }
            let (holder, config) = match s3_setting(
                cx.resources,
                r,
                "aws_s3_bucket_server_side_encryption_configuration",
            ) {
                Some(config) => (config, &config.body),
                None => match r.body.get("server_side_encryption_configuration") {
                    Some(inline) => match inline.as_list().first() {
                        Some(c) => (r, c),
                        None => continue,
                    },
                    None => {
                        out.push(Finding::on(
                            &Self::META,
                            r,
                            r.head,
                            format!("{} has no KMS default encryption (S3 applies SSE-S3 with an AWS-owned key)", r.name),
                        ));
                        continue;
                    }
                },
            };
            if let Some(rule) = no_default(config) {
                let mut f = Finding::on(
                    &Self::META,
                    holder,
                    rule.span,
                    format!(
                        "{}'s encryption rule sets no default encryption (S3 applies SSE-S3 with an AWS-owned key)",
                        r.name
                    ),
                );
                f.resource = Some(r.name.clone());
                out.push(f);
                continue;
            }
            if let Some(a) = lookup(config, ALGORITHM)
                .filter(|a| a.as_str().is_some_and(|s| s.eq_ignore_ascii_case("AES256")))
            {
                let mut f = Finding::on(
                    &Self::META,
                    holder,
                    a.span,
                    format!(
                        "{} encrypts with SSE-S3 (`sse_algorithm = \"AES256\"`), not a KMS key",
                        r.name
                    ),
                )
                .with_origin(a, holder.file, "the algorithm");
                f.resource = Some(r.name.clone());
                out.push(f);
            }
        }
    }
}

/// The `rule` of an encryption configuration that applies no default encryption: written, known,
/// and without an `apply_server_side_encryption_by_default` block. `None` when a rule is
/// unknown (a `dynamic` block over an unknown collection) or sets a default.
fn no_default(config: &Node) -> Option<&Node> {
    let rules = config.get("rule")?;
    let first = rules.as_list().first()?;
    if first.is_unknown()
        || first
            .get("apply_server_side_encryption_by_default")
            .is_some()
    {
        return None;
    }
    Some(rules)
}
