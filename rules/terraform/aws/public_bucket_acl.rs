use crate::edit::replace_scalar;
use crate::fix::{Applicability, Fix};
use crate::model::{Node, Resource};
use crate::rule::{
    Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Related, Severity,
};
use crate::terraform::join::{configured_bucket, s3_setting};

crate::declare_rule! {
    /// ## What it flags
    /// An S3 bucket made public by its ACL: a canned ACL of `public-read`,
    /// `public-read-write` or `authenticated-read`, or a grant to the `AllUsers` or
    /// `AuthenticatedUsers` group. Both styles are checked: the inline `acl`/`grant` of
    /// `aws_s3_bucket` (provider v3) and the separate `aws_s3_bucket_acl` resource (v4+),
    /// which is joined to the bucket it configures. Not flagged when the bucket's
    /// `aws_s3_bucket_public_access_block` sets `ignore_public_acls = true`, because S3 then
    /// ignores the ACL. Values from variables and locals are resolved; unknown values are
    /// never flagged.
    ///
    /// ## Why it matters
    /// Anyone on the internet (or any AWS account, for `authenticated-read`) can list and read
    /// the bucket's objects, and with `public-read-write` replace them. Public buckets are one
    /// of the most common causes of data breaches in the cloud.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket_acl" "logs" {
    ///   bucket = aws_s3_bucket.logs.id
    ///   acl    = "public-read"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket_acl" "logs" {
    ///   bucket = aws_s3_bucket.logs.id
    ///   acl    = "private"
    /// }
    /// ```
    /// Serve public content through CloudFront with an origin access control instead.
    ///
    /// ## Fix safety
    /// Unsafe: public readers lose access.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl
    /// - CIS AWS Foundations Benchmark 2.1.4
    pub struct PublicBucketAcl {
        code: "TF-AWS-001",
        name: "public-bucket-acl",
        title: "S3 bucket is made public by its ACL",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "s3", "public-access"],
        severity: Severity::Critical,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_AWS_20", "only READ grants to AllUsers"), Peer::partial("CKV_AWS_57", "only WRITE grants to AllUsers")],
            trivy: &[Peer::exact("AWS-0092")],
            kics: &[Peer::partial("S3 Bucket ACL Allows Read Or Write to All Users", "only AllUsers, not AuthenticatedUsers"), Peer::partial("S3 Bucket ACL Allows Read to Any Authenticated User", "only AuthenticatedUsers")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 2.1.4", "NIST 800-53 AC-3", "NIST 800-53 AC-21"],
        references: &["https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html"],
    }
}

const PUBLIC_ACLS: &[&str] = &["public-read", "public-read-write", "authenticated-read"];
const PUBLIC_GROUPS: &[&str] = &[
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
];

struct Public<'a> {
    /// The resource that sets the ACL (the bucket itself or an `aws_s3_bucket_acl`).
    setter: &'a Resource,
    /// The bucket it makes public, when it can be joined.
    bucket: Option<&'a Resource>,
    value: &'a Node,
    what: String,
    canned: bool,
}

impl Check for PublicBucketAcl {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for fact in detect(cx.resources) {
            let mut finding =
                Finding::on(&Self::META, fact.setter, fact.value.span, message(&fact))
                    .with_origin(fact.value, fact.setter.file, "the value")
                    .with_fix(fix(cx.text(fact.setter.file), &fact));
            if let Some(bucket) = fact.bucket.filter(|b| b.name != fact.setter.name) {
                finding.resource = Some(bucket.name.clone());
                finding.related.push(Related {
                    file: bucket.file,
                    span: bucket.head,
                    message: format!("{} is declared here", bucket.name),
                });
            }
            out.push(finding);
        }
    }
}

fn detect(resources: &[Resource]) -> Vec<Public<'_>> {
    let mut out = Vec::new();
    for r in resources {
        let bucket = match r.tf_type() {
            Some(("resource", "aws_s3_bucket")) => Some(r),
            Some(("resource", "aws_s3_bucket_acl")) => configured_bucket(resources, r),
            _ => continue,
        };
        if let Some(bucket) = bucket {
            let pab = s3_setting(resources, bucket, "aws_s3_bucket_public_access_block");
            if pab
                .and_then(|p| p.body.get("ignore_public_acls"))
                .and_then(Node::as_bool)
                == Some(true)
            {
                continue;
            }
        }
        if let Some(acl) = r.body.get("acl") {
            if let Some(v) = acl.as_str().filter(|v| PUBLIC_ACLS.contains(v)) {
                out.push(Public {
                    setter: r,
                    bucket,
                    value: acl,
                    what: format!("ACL `{v}`"),
                    canned: true,
                });
            }
        }
        for uri in grant_uris(r) {
            let group = uri.as_str().unwrap_or_default();
            out.push(Public {
                setter: r,
                bucket,
                value: uri,
                what: format!("a grant to {}", group.rsplit('/').next().unwrap_or(group)),
                canned: false,
            });
        }
    }
    out
}

/// Grantee URIs of public groups: `grant { uri = … }` (v3) and
/// `access_control_policy { grant { grantee { uri = … } } }` (v4+).
fn grant_uris(r: &Resource) -> Vec<&Node> {
    let inline = r.body.get("grant").map(Node::as_list).unwrap_or_default();
    let policy = r
        .body
        .get("access_control_policy")
        .map(Node::as_list)
        .unwrap_or_default()
        .iter()
        .flat_map(|p| p.get("grant").map(Node::as_list).unwrap_or_default());
    inline
        .iter()
        .filter_map(|g| g.get("uri"))
        .chain(policy.flat_map(|g| {
            g.get("grantee")
                .map(Node::as_list)
                .unwrap_or_default()
                .iter()
                .filter_map(|x| x.get("uri"))
        }))
        .filter(|u| u.as_str().is_some_and(|s| PUBLIC_GROUPS.contains(&s)))
        .collect()
}

fn message(f: &Public) -> String {
    match f.bucket {
        Some(b) if b.name != f.setter.name => {
            format!("{} is public: {} sets {}", b.name, f.setter.name, f.what)
        }
        _ => format!("{} is public: {}", f.setter.name, f.what),
    }
}

fn fix(text: &str, f: &Public) -> Option<Fix> {
    if !f.canned {
        return None;
    }
    let edit = replace_scalar(text, f.value, "private")?;
    Some(Fix::new(
        "Set `acl = \"private\"`",
        Applicability::Unsafe,
        vec![edit],
    ))
}
