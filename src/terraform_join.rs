//! Cross-resource joins: resources that configure another resource by reference.

use crate::model::{Node, Resource};

/// The `aws_s3_bucket` a split S3 resource (`aws_s3_bucket_acl`, `_public_access_block`,
/// `_policy`, …) configures: by reference (`aws_s3_bucket.x.id`, `.bucket`) or by the literal
/// bucket name.
pub fn configured_bucket<'a>(resources: &'a [Resource], setter: &Resource) -> Option<&'a Resource> {
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
pub fn referenced<'a>(
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
pub fn s3_setting<'a>(
    resources: &'a [Resource],
    bucket: &Resource,
    type_name: &str,
) -> Option<&'a Resource> {
    resources.iter().find(|r| {
        r.tf_type() == Some(("resource", type_name))
            && configured_bucket(resources, r).is_some_and(|b| b.name == bucket.name)
    })
}
