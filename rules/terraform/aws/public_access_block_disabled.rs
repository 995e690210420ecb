use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_s3_bucket_public_access_block` (or `aws_s3_account_public_access_block`) that
    /// leaves one of its four settings — `block_public_acls`, `block_public_policy`,
    /// `ignore_public_acls`, `restrict_public_buckets` — `false` or unset: each defaults to `false` in
    /// the provider, so a block written with only some of them set turns the others off. (A bucket
    /// with no such resource keeps the all-on default S3 applies to new buckets since April 2023.)
    ///
    /// ## Why it matters
    /// Each setting closes one way a bucket becomes public: a public ACL, a public bucket
    /// policy, or cross-account access through one. One left off is enough for the next `acl =
    /// "public-read"` to expose the data.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket_public_access_block" "logs" {
    ///   bucket            = aws_s3_bucket.logs.id
    ///   block_public_acls = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket_public_access_block" "logs" {
    ///   bucket                  = aws_s3_bucket.logs.id
    ///   block_public_acls       = true
    ///   block_public_policy     = true
    ///   ignore_public_acls      = true
    ///   restrict_public_buckets = true
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: a bucket that is public on purpose (a static website without CloudFront) stops being reachable.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
    pub struct PublicAccessBlockDisabled {
        code: "TF-AWS-006",
        name: "public-access-block-disabled",
        title: "S3 public access block leaves a protection off",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "s3", "public-access"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_53").about("block_public_acls"), Peer::exact("CKV_AWS_54").about("block_public_policy"), Peer::exact("CKV_AWS_55").about("ignore_public_acls"), Peer::exact("CKV_AWS_56").about("restrict_public_buckets")],
            trivy: &[Peer::exact("AWS-0086").about("block_public_acls"), Peer::exact("AWS-0087").about("block_public_policy"), Peer::exact("AWS-0091").about("ignore_public_acls"), Peer::exact("AWS-0093").about("restrict_public_buckets")],
            kics: &[Peer::exact("S3 Bucket Allows Public ACL").about("block_public_acls"), Peer::exact("S3 Bucket Allows Public Policy").about("block_public_policy"), Peer::exact("S3 Bucket Without Ignore Public ACL").about("ignore_public_acls"), Peer::exact("S3 Bucket Without Restriction Of Public Bucket").about("restrict_public_buckets")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 2.1.4", "NIST 800-53 AC-3"],
        references: &["https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"],
    }
}

const TYPES: &[&str] = &[
    "aws_s3_bucket_public_access_block",
    "aws_s3_account_public_access_block",
];

const fn flag(name: &'static [&'static str]) -> Setting {
    Setting {
        types: TYPES,
        path: name,
        want: Want::Bool {
            want: true,
            default: false,
        },
        fix: Some(("true", Applicability::Unsafe)),
        skip: None,
    }
}

const SETTINGS: [Setting; 4] = [
    flag(&["block_public_acls"]),
    flag(&["block_public_policy"]),
    flag(&["ignore_public_acls"]),
    flag(&["restrict_public_buckets"]),
];

impl Check for PublicAccessBlockDisabled {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for setting in &SETTINGS {
            let key = setting.path[0];
            for b in setting.broken(cx.resources) {
                let r = b.resource;
                let message = match b.value {
                    Some(v) => format!("{} sets `{key} = {}`", r.name, v.display()),
                    None => format!(
                        "{} leaves `{key}` unset (the provider default is false)",
                        r.name
                    ),
                };
                out.push(setting.finding(&Self::META, cx, &b, message).about(key));
            }
        }
    }
}
