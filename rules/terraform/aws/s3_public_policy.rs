use super::policy::report_public;
use crate::model::{Node, Resource};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::terraform::join::{configured_bucket, s3_setting};

crate::declare_rule! {
    /// ## What it flags
    /// A bucket policy (`aws_s3_bucket_policy`, or `policy` of a v3 `aws_s3_bucket`) with an
    /// `Allow` statement for the principal `*` (or `{"AWS": "*"}`) and no condition that narrows
    /// who can use it the way AWS counts it (a source or principal account, organisation, ARN,
    /// VPC, VPC endpoint or IP range; not `aws:Referer` or `aws:UserAgent`, which anyone can
    /// send, nor `Not…`/`…IfExists` operators). Policies written as JSON strings, heredocs,
    /// `jsonencode(...)` or an `aws_iam_policy_document` data source are all read; the finding
    /// is on the principal. A bucket whose public access block sets
    /// `restrict_public_buckets = true` is not reported: S3 then lets only the owner's account
    /// and AWS services use the policy (TF-AWS-006 reports a block that is off).
    ///
    /// ## Why it matters
    /// A statement for everyone without a condition (source VPC endpoint, organisation ID,
    /// CloudFront distribution) makes the bucket public for the listed actions: anyone on the
    /// internet can read — or write — its objects.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket_policy" "site" {
    ///   bucket = aws_s3_bucket.site.id
    ///   policy = jsonencode({
    ///     Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "${aws_s3_bucket.site.arn}/*" }]
    ///   })
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket_policy" "site" {
    ///   bucket = aws_s3_bucket.site.id
    ///   policy = jsonencode({
    ///     Statement = [{
    ///       Effect    = "Allow"
    ///       Principal = { Service = "cloudfront.amazonaws.com" }
    ///       Action    = "s3:GetObject"
    ///       Resource  = "${aws_s3_bucket.site.arn}/*"
    ///       Condition = { StringEquals = { "AWS:SourceArn" = aws_cloudfront_distribution.site.arn } }
    ///     }]
    ///   })
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
    pub struct S3PublicPolicy {
        code: "TF-AWS-007",
        name: "s3-public-policy",
        title: "S3 bucket policy grants access to anyone",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "s3", "public-access"],
        severity: Severity::Critical,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_70")],
            kics: &[Peer::partial("S3 Bucket Access to Any Principal", "does not weigh conditions that narrow who can use the grant"), Peer::partial("S3 Bucket Allows Delete Action From All Principals", "only Delete actions"), Peer::partial("S3 Bucket Allows Get Action From All Principals", "only Get actions"), Peer::partial("S3 Bucket Allows List Action From All Principals", "only List actions"), Peer::partial("S3 Bucket Allows Put Action From All Principals", "only Put actions")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 2.1.4", "NIST 800-53 AC-3"],
        references: &["https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status"],
    }
}

impl Check for S3PublicPolicy {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        // With `restrict_public_buckets`, S3 lets only the owner's account and AWS services
        // use a public policy: the public access block rule reports the block instead.
        let shielded = |user: &Resource| {
            let bucket = match user.tf_type() {
                Some(("resource", "aws_s3_bucket")) => Some(user),
                _ => configured_bucket(cx.resources, user),
            };
            bucket
                .and_then(|b| s3_setting(cx.resources, b, "aws_s3_bucket_public_access_block"))
                .and_then(|p| p.body.get("restrict_public_buckets"))
                .and_then(Node::as_bool)
                == Some(true)
        };
        report_public(
            &Self::META,
            cx,
            out,
            &["aws_s3_bucket_policy", "aws_s3_bucket"],
            ("policy", "the bucket policy"),
            &shielded,
        );
    }
}
