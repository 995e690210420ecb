use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::terraform::join::{log_buckets, s3_setting};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_s3_bucket` with no server access logging: neither a legacy inline `logging` block
    /// nor an `aws_s3_bucket_logging` that configures it (by reference or bucket name). Buckets that
    /// receive logs — the target of another bucket's access logging, a bucket whose ACL
    /// (`log-delivery-write`, a grant to the log delivery group) or policy
    /// (`logging.s3.amazonaws.com`) lets S3 deliver access logs to it, a CloudTrail trail's
    /// bucket, a load balancer's or CloudFront's log bucket — are not flagged: logging a log
    /// bucket into itself loops, and into another only moves the question.
    ///
    /// ## Why it matters
    /// Access logs record who read, wrote and deleted which object, from where. Without them an
    /// incident on the bucket (a leaked credential downloading data, a policy made public by mistake)
    /// cannot be scoped. CloudTrail data events are the alternative, at a higher price.
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
    /// resource "aws_s3_bucket_logging" "data" {
    ///   bucket        = aws_s3_bucket.data.id
    ///   target_bucket = aws_s3_bucket.logs.id
    ///   target_prefix = "data/"
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html
    pub struct S3AccessLogging {
        code: "TF-AWS-029",
        name: "s3-access-logging",
        title: "S3 bucket has no server access logging",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "s3", "logging"],
        severity: Severity::Low,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_18")],
            trivy: &[Peer::exact("AWS-0089")],
            kics: &[Peer::exact("S3 Bucket Logging Disabled")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 3.6", "NIST 800-53 AU-2"],
        references: &["https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html"],
    }
}

impl Check for S3AccessLogging {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let receivers = log_buckets(cx.resources);
        for r in cx
            .resources
            .iter()
            .filter(|r| r.tf_type() == Some(("resource", "aws_s3_bucket")))
        {
            if receivers.contains(&r.name.as_str())
                || r.body
                    .get("logging")
                    .is_some_and(|l| !l.as_list().is_empty())
                || s3_setting(cx.resources, r, "aws_s3_bucket_logging").is_some()
            {
                continue;
            }
            out.push(Finding::on(
                &Self::META,
                r,
                r.head,
                format!(
                    "{} has no server access logging (no aws_s3_bucket_logging configures it)",
                    r.name
                ),
            ));
        }
    }
}
