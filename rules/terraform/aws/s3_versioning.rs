use crate::edit::replace_scalar;
use crate::fix::{Applicability, Edit, Fix};
use crate::model::{Node, Resource};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::lookup;
use crate::source::Span;
use crate::terraform::join::s3_setting;

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_s3_bucket` without versioning: no `aws_s3_bucket_versioning` configures it (by
    /// reference or by bucket name) and its legacy inline `versioning` block is absent or has
    /// `enabled = false` (the default when unset), or an `aws_s3_bucket_versioning` whose
    /// `versioning_configuration.status` is `Suspended` or `Disabled`.
    ///
    /// ## Why it matters
    /// Without versioning an overwritten or deleted object is gone: a bad deploy, a compromised
    /// credential or ransomware that rewrites objects leaves nothing to restore. Versioning is also
    /// what replication and Object Lock require.
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
    /// resource "aws_s3_bucket" "data" {
    ///   bucket = "example-data"
    /// }
    ///
    /// resource "aws_s3_bucket_versioning" "data" {
    ///   bucket = aws_s3_bucket.data.id
    ///
    ///   versioning_configuration {
    ///     status = "Enabled"
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: every overwrite then keeps the old version, which costs storage until a
    /// lifecycle rule expires noncurrent versions, and versioning once enabled can only be suspended.
    /// The fix adds an `aws_s3_bucket_versioning` after the bucket (not for buckets with `count` or
    /// `for_each`), or sets the inline `enabled` / `status` it finds.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
    pub struct S3Versioning {
        code: "TF-AWS-028",
        name: "s3-versioning",
        title: "S3 bucket versioning is off",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "s3", "backup"],
        severity: Severity::Low,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_21")],
            trivy: &[Peer::exact("AWS-0090")],
            kics: &[Peer::exact("S3 Bucket Without Versioning")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 CP-9", "NIST 800-53 SI-12"],
        references: &["https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html"],
    }
}

fn enable(text: &str, node: &Node, value: &str) -> Option<Fix> {
    let edit = replace_scalar(text, node, value)?;
    Some(Fix::new(
        "Enable versioning",
        Applicability::Unsafe,
        vec![edit],
    ))
}

/// A new `aws_s3_bucket_versioning` written after the bucket's block.
fn add_resource(cx: &Context<'_>, bucket: &Resource) -> Option<Fix> {
    let label = bucket.name.strip_prefix("aws_s3_bucket.")?;
    let counted = ["count", "for_each"]
        .iter()
        .any(|k| bucket.body.get(k).is_some());
    let taken = cx
        .resources
        .iter()
        .any(|r| r.name == format!("aws_s3_bucket_versioning.{label}"));
    if counted || taken || bucket.body.origin.is_some() {
        return None;
    }
    let text = cx.text(bucket.file);
    if text.as_bytes().get(bucket.span.end.checked_sub(1)?) != Some(&b'}') {
        return None;
    }
    let nl = crate::edit::newline(text);
    let block = [
        String::new(),
        String::new(),
        format!("resource \"aws_s3_bucket_versioning\" \"{label}\" {{"),
        format!("  bucket = aws_s3_bucket.{label}.id"),
        String::new(),
        "  versioning_configuration {".into(),
        "    status = \"Enabled\"".into(),
        "  }".into(),
        "}".into(),
    ]
    .join(nl);
    Some(Fix::new(
        format!("Add aws_s3_bucket_versioning.{label}"),
        Applicability::Unsafe,
        vec![Edit::replace(
            Span::new(bucket.span.end, bucket.span.end),
            block,
        )],
    ))
}

impl Check for S3Versioning {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx.resources {
            match r.tf_type() {
                Some(("resource", "aws_s3_bucket_versioning")) => {
                    let Some(status) = lookup(&r.body, &["versioning_configuration", "status"])
                    else {
                        continue;
                    };
                    let Some(s) = status
                        .as_str()
                        .filter(|s| !s.eq_ignore_ascii_case("Enabled"))
                    else {
                        continue;
                    };
                    out.push(
                        Finding::on(
                            &Self::META,
                            r,
                            status.span,
                            format!("{} sets versioning `status = \"{s}\"`", r.name),
                        )
                        .with_origin(status, r.file, "the status")
                        .with_fix(enable(
                            cx.text(r.file),
                            status,
                            "Enabled",
                        )),
                    );
                }
                Some(("resource", "aws_s3_bucket")) => {
                    if s3_setting(cx.resources, r, "aws_s3_bucket_versioning").is_some() {
                        continue;
                    }
                    match lookup(&r.body, &["versioning", "enabled"]) {
                        Some(v) if v.as_bool() == Some(false) => out.push(
                            Finding::on(
                                &Self::META,
                                r,
                                v.span,
                                format!("{} sets versioning `enabled = false`", r.name),
                            )
                            .with_origin(v, r.file, "the value")
                            .with_fix(enable(
                                cx.text(r.file),
                                v,
                                "true",
                            )),
                        ),
                        Some(_) => {}
                        None => {
                            let inline = r.body.get("versioning").and_then(|v| v.as_list().first());
                            let span = inline.map(|v| v.span).unwrap_or(r.head);
                            let fix = if inline.is_some() {
                                None
                            } else {
                                add_resource(cx, r)
                            };
                            out.push(
                                Finding::on(&Self::META, r, span, format!("{} has no versioning (no aws_s3_bucket_versioning configures it)", r.name))
                                    .with_fix(fix),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}
