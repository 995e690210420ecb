//! GCP IAM members and ACL entries as rules read them: which grants make a resource public,
//! joined to the bucket or dataset they configure.

use crate::model::{Node, Resource, Value};
use crate::rule::{Context, Finding, Related, RuleMeta};
use crate::terraform::join::referenced;

/// The principals that mean everyone: anyone on the internet, or anyone with a Google account.
pub(crate) const PUBLIC: &[&str] = &["allUsers", "allAuthenticatedUsers"];

/// Is a member or ACL entity public (`allUsers`, `READER:allUsers`)?
pub(crate) fn is_public(member: &str) -> bool {
    let who = member.rsplit(':').next().unwrap_or(member);
    PUBLIC.iter().any(|p| p.eq_ignore_ascii_case(who))
}

/// The members written in `keys` of a node (each one value or a list).
pub(crate) fn members<'a>(node: &'a Node, keys: &[&str]) -> Vec<&'a Node> {
    keys.iter()
        .filter_map(|k| node.get(k))
        .flat_map(|v| match &v.value {
            Value::List(items) => items.iter().collect(),
            _ => vec![v],
        })
        .collect()
}

/// The public members written in `keys` of a node. A member known only in part is public when
/// its known end names the principal (`"${var.role}:allUsers"`).
pub(crate) fn public_members<'a>(node: &'a Node, keys: &[&str]) -> Vec<&'a Node> {
    members(node, keys)
        .into_iter()
        .filter(|m| match &m.value {
            Value::Partial(p) => p.suffix.contains(':') && is_public(&p.suffix),
            _ => m.as_str().is_some_and(is_public),
        })
        .collect()
}

/// Role grants on a project, folder or organization.
const ROLE_GRANTS: &[(&str, &str)] = &[
    ("google_project_iam_member", "project"),
    ("google_project_iam_binding", "project"),
    ("google_folder_iam_member", "folder"),
    ("google_folder_iam_binding", "folder"),
    ("google_organization_iam_member", "organization"),
    ("google_organization_iam_binding", "organization"),
];

/// One grant of a known role on a project, folder or organization.
pub(crate) struct RoleGrant<'a> {
    pub resource: &'a Resource,
    pub role: &'a Node,
    pub name: &'a str,
    /// "project", "folder" or "organization".
    pub scope: &'static str,
    pub members: Vec<&'a Node>,
}

/// The project, folder and organization role grants whose role is known.
pub(crate) fn role_grants(resources: &[Resource]) -> impl Iterator<Item = RoleGrant<'_>> {
    resources.iter().filter_map(|r| {
        let Some(("resource", ty)) = r.tf_type() else {
            return None;
        };
        let scope = ROLE_GRANTS.iter().find(|(t, _)| *t == ty)?.1;
        let role = r.body.get("role")?;
        Some(RoleGrant {
            resource: r,
            role,
            name: role.as_str()?,
            scope,
            members: members(&r.body, &["member", "members"]),
        })
    })
}

/// A grant resource type, the attributes holding its members, and the attribute naming what
/// it configures.
pub(crate) struct Grant {
    pub type_name: &'static str,
    pub members: &'static [&'static str],
    pub target: &'static str,
}

/// Report each public member of the `grants` resources at the member, on the `targets`
/// resource it configures (by reference or by the literal `name_key` value) when that is in
/// the module, with the target's declaration as related location.
pub(crate) fn report_public_grants(
    meta: &'static RuleMeta,
    cx: &Context<'_>,
    out: &mut Vec<Finding>,
    grants: &[Grant],
    targets: &[&str],
    name_key: &str,
    noun: &str,
) {
    for r in cx.resources {
        let Some(("resource", ty)) = r.tf_type() else {
            continue;
        };
        let Some(grant) = grants.iter().find(|g| g.type_name == ty) else {
            continue;
        };
        let target = r
            .body
            .get(grant.target)
            .and_then(|t| target_of(cx.resources, t, targets, name_key));
        for member in public_members(&r.body, grant.members) {
            out.push(public_finding(meta, r, member, target, noun));
        }
    }
}

/// The finding for one public member of `r`, moved onto `target` when known.
pub(crate) fn public_finding(
    meta: &'static RuleMeta,
    r: &Resource,
    member: &Node,
    target: Option<&Resource>,
    noun: &str,
) -> Finding {
    let who = member.display();
    let whom = if who.ends_with("allAuthenticatedUsers") {
        "anyone with a Google account"
    } else {
        "anyone on the internet"
    };
    let subject = target.map_or(r.name.as_str(), |t| t.name.as_str());
    let via = if target.is_some_and(|t| t.name != r.name) {
        format!(" through {}", r.name)
    } else {
        String::new()
    };
    let mut f = Finding::on(
        meta,
        r,
        member.span,
        format!("{subject} makes the {noun} readable by {whom} (`{who}`){via}"),
    )
    .with_origin(member, r.file, "the member");
    if let Some(t) = target.filter(|t| t.name != r.name) {
        f.resource = Some(t.name.clone());
        f.related.push(Related {
            file: t.file,
            span: t.head,
            message: format!("{} is declared here", t.name),
        });
    }
    f
}

/// The resource of `types` a reference or literal name points to.
pub(crate) fn target_of<'a>(
    resources: &'a [Resource],
    node: &Node,
    types: &[&str],
    name_key: &str,
) -> Option<&'a Resource> {
    if node.as_ref_text().is_some() {
        return referenced(resources, node, types);
    }
    let name = node.as_str()?;
    resources.iter().find(|r| {
        matches!(r.tf_type(), Some(("resource", t)) if types.contains(&t))
            && r.body.get(name_key).and_then(Node::as_str) == Some(name)
    })
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn public_principals() {
        assert!(is_public("allUsers"));
        assert!(is_public("READER:allAuthenticatedUsers"));
        assert!(!is_public("user:alice@example.com"));
        assert!(!is_public("group:allusers-admins@example.com"));
    }
}
