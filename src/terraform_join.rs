//! Cross-resource joins: resources that configure another resource by reference.

use crate::model::{Node, Resource};

/// The `aws_s3_bucket` a split S3 resource (`aws_s3_bucket_acl`, `_public_access_block`,
/// `_policy`, …) configures: by reference (`aws_s3_bucket.x.id`, `.bucket`) or by the literal
/// bucket name.
pub fn configured_bucket<'a>(resources: &'a [Resource], setter: &Resource) -> Option<&'a Resource> {
    let target = setter.body.get("bucket")?;
    if let Some(reference) = target.as_ref_text() {
        let mut parts = reference.split('.');
        let (ty, name) = (parts.next()?, parts.next()?);
        if ty != "aws_s3_bucket" {
            return None;
        }
        return resources
            .iter()
            .find(|r| r.tf_type() == Some(("resource", ty)) && r.name == format!("{ty}.{name}"));
    }
    let literal = target.as_str()?;
    resources.iter().find(|r| {
        r.tf_type() == Some(("resource", "aws_s3_bucket"))
            && r.body.get("bucket").and_then(Node::as_str) == Some(literal)
    })
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
