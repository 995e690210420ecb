//! Cross-resource joins: resources that configure another resource by reference.

use crate::model::{Node, Resource, Value};
use crate::terraform::attrs::lookup;

/// The `aws_s3_bucket` a split S3 resource (`aws_s3_bucket_acl`, `_public_access_block`,
/// `_policy`, …) configures: by reference (`aws_s3_bucket.x.id`, `.bucket`) or by the literal
/// bucket name.
pub(crate) fn configured_bucket<'a>(
    resources: &'a [Resource],
    setter: &Resource,
) -> Option<&'a Resource> {
    let target = setter.body.get("bucket")?;
    if target.as_ref_text().is_some() {
        return referenced(resources, target, &["aws_s3_bucket"]);
    }
    let literal = target.as_str()?;
    resources.iter().find(|r| {
        r.tf_type() == Some(("resource", "aws_s3_bucket"))
            && r.body.get("bucket").and_then(Node::as_str) == Some(literal)
    })
}

/// The resource (or data source) a reference such as `aws_s3_bucket.logs.id`,
/// `aws_iam_policy.p[0].arn` or `data.aws_iam_policy_document.d.json` points to, when it is one
/// of `types`.
pub(crate) fn referenced<'a>(
    resources: &'a [Resource],
    node: &Node,
    types: &[&str],
) -> Option<&'a Resource> {
    let text = node.as_ref_text()?;
    let mut parts = text.split('.').map(|p| p.trim_end_matches("[*]"));
    let (block, ty, name) = match parts.next()? {
        "data" => ("data", parts.next()?, parts.next()?),
        ty => ("resource", ty, parts.next()?),
    };
    if !types.contains(&ty) {
        return None;
    }
    let full = if block == "data" {
        format!("data.{ty}.{name}")
    } else {
        format!("{ty}.{name}")
    };
    resources
        .iter()
        .find(|r| r.tf_type() == Some((block, ty)) && r.name == full)
}

/// The resource of `type_name` that configures `bucket`.
pub(crate) fn s3_setting<'a>(
    resources: &'a [Resource],
    bucket: &Resource,
    type_name: &str,
) -> Option<&'a Resource> {
    resources.iter().find(|r| {
        r.tf_type() == Some(("resource", type_name))
            && configured_bucket(resources, r).is_some_and(|b| b.name == bucket.name)
    })
}

/// The `aws_s3_bucket`s that receive logs: targets of S3 server access logging (inline
/// `logging` or `aws_s3_bucket_logging`), CloudTrail trails, load balancer access logs and
/// CloudFront logging, by reference or by literal bucket name, and buckets that let S3 deliver
/// access logs to them ([`access_log_receivers`]). Such buckets cannot log to themselves and
/// must use SSE-S3 for several of those services.
pub(crate) fn log_buckets(resources: &[Resource]) -> Vec<&str> {
    let mut out = access_log_receivers(resources);
    let mut targets: Vec<&Node> = Vec::new();
    for r in resources {
        let Some(("resource", ty)) = r.tf_type() else {
            continue;
        };
        let found = match ty {
            "aws_s3_bucket" => lookup(&r.body, &["logging", "target_bucket"]),
            "aws_s3_bucket_logging" => r.body.get("target_bucket"),
            "aws_cloudtrail" => r.body.get("s3_bucket_name"),
            "aws_lb" | "aws_alb" | "aws_elb" => lookup(&r.body, &["access_logs", "bucket"]),
            "aws_cloudfront_distribution" => lookup(&r.body, &["logging_config", "bucket"]),
            _ => None,
        };
        targets.extend(found);
    }
    for t in targets {
        if let Some(b) = referenced(resources, t, &["aws_s3_bucket"]) {
            out.push(b.name.as_str());
        } else if let Some(name) = t.as_str() {
            // A literal name, or a CloudFront `bucket.s3.amazonaws.com` domain.
            let name = name.split(".s3").next().unwrap_or(name);
            out.extend(
                resources
                    .iter()
                    .filter(|r| {
                        r.tf_type() == Some(("resource", "aws_s3_bucket"))
                            && r.body.get("bucket").and_then(Node::as_str) == Some(name)
                    })
                    .map(|r| r.name.as_str()),
            );
        }
    }
    out
}

/// The S3 log delivery group, as a grantee URI.
const LOG_DELIVERY: &str = "acs.amazonaws.com/groups/s3/LogDelivery";

/// The buckets that let S3 deliver server access logs to them: the `log-delivery-write` canned
/// ACL or a grant to the log delivery group (inline, or by an `aws_s3_bucket_acl`), or a bucket
/// policy (`aws_s3_bucket_policy`) that names the `logging.s3.amazonaws.com` service.
fn access_log_receivers(resources: &[Resource]) -> Vec<&str> {
    let delivers = |acl: &Node| {
        acl.get("acl")
            .and_then(Node::as_str)
            .is_some_and(|a| a.eq_ignore_ascii_case("log-delivery-write"))
            || mentions(resources, acl.get("grant"), LOG_DELIVERY, 0)
            || mentions(resources, acl.get("access_control_policy"), LOG_DELIVERY, 0)
    };
    let mut out = Vec::new();
    for r in resources {
        let bucket = match r.tf_type() {
            Some(("resource", "aws_s3_bucket")) if delivers(&r.body) => Some(r),
            Some(("resource", "aws_s3_bucket_acl")) if delivers(&r.body) => {
                configured_bucket(resources, r)
            }
            Some(("resource", "aws_s3_bucket_policy"))
                if mentions(
                    resources,
                    r.body.get("policy"),
                    "logging.s3.amazonaws.com",
                    0,
                ) =>
            {
                configured_bucket(resources, r)
            }
            _ => None,
        };
        out.extend(bucket.map(|b| b.name.as_str()));
    }
    out
}

/// Whether a string of `node` holds `needle`, through references to policy documents
/// (`data.aws_iam_policy_document.x.json`) and the documents they include, at most `4 - hops`
/// references deep (a document may name itself).
fn mentions(resources: &[Resource], node: Option<&Node>, needle: &str, hops: usize) -> bool {
    let Some(node) = node else {
        return false;
    };
    match &node.value {
        Value::String(s) => s.contains(needle),
        Value::List(items) => items
            .iter()
            .any(|n| mentions(resources, Some(n), needle, hops)),
        Value::Map(entries) => entries
            .iter()
            .any(|e| mentions(resources, Some(&e.value), needle, hops)),
        Value::Ref(_) if hops < 4 => referenced(resources, node, &["aws_iam_policy_document"])
            .is_some_and(|d| mentions(resources, Some(&d.body), needle, hops + 1)),
        _ => false,
    }
}
