//! IAM policy documents as rules read them, whichever way they are written: a JSON string or
//! heredoc, `jsonencode({...})`, or the `statement` blocks of `data "aws_iam_policy_document"`.

use crate::model::{Node, Resource, Value};
use crate::rule::{Finding, RuleMeta};
use crate::terraform::json_node;

/// One statement, with the keys of both spellings (`Action`/`actions`) folded together.
pub(crate) struct Statement<'a> {
    pub allow: bool,
    pub actions: Vec<&'a Node>,
    /// `NotAction`: everything except the listed actions.
    pub not_actions: Vec<&'a Node>,
    pub resources: Vec<&'a Node>,
    /// `Principal` values (`"*"`, `{"AWS": "*"}`, `principals { identifiers }`).
    pub principals: Vec<&'a Node>,
    pub has_condition: bool,
    /// A condition that narrows who can use the statement the way AWS counts it when it decides
    /// whether a policy is public: a source or principal account, organisation, ARN, VPC, VPC
    /// endpoint or IP range, without `Not`/`IfExists` and not `*`. `aws:Referer` or
    /// `aws:UserAgent` do not: anyone can send them.
    pub limits_who: bool,
}

/// Condition keys that make a statement for `*` non-public (AWS's definition of a public
/// bucket or key policy).
const NON_PUBLIC_KEYS: &[&str] = &[
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceip",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceorgid",
    "aws:userid",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
    "kms:calleraccount",
    "kms:viaservice",
];

/// Does one condition (operator, key, values) narrow who can use the statement?
fn limiting(operator: &str, key: &str, values: &[&Node]) -> bool {
    let op = operator.to_ascii_lowercase();
    if op.contains("not") || op.ends_with("ifexists") || op == "null" {
        return false;
    }
    if !NON_PUBLIC_KEYS.contains(&key.to_ascii_lowercase().as_str()) {
        return false;
    }
    // Values known only at apply time are taken as narrowing: never guess a policy public.
    !values.is_empty()
        && values.iter().all(|v| match v.as_str() {
            Some(text) => text != "*" && text != "0.0.0.0/0" && text != "::/0",
            None => true,
        })
}

/// A policy document: parsed from text when the attribute holds JSON.
pub(crate) enum Doc<'a> {
    Borrowed(&'a Node),
    Parsed(Node),
}

impl Doc<'_> {
    pub(crate) fn node(&self) -> &Node {
        match self {
            Doc::Borrowed(n) => n,
            Doc::Parsed(n) => n,
        }
    }
}

/// The document in `attr` of a resource (`policy`, `assume_role_policy`), unless it is a
/// reference (a `data.aws_iam_policy_document` is checked where it is declared).
pub(crate) fn document<'a>(r: &'a Resource, attr: &str) -> Option<Doc<'a>> {
    let node = r.body.get(attr)?;
    match &node.value {
        Value::Map(_) => Some(Doc::Borrowed(node)),
        Value::String(text) => {
            let json: serde_json::Value = serde_json::from_str(text).ok()?;
            Some(Doc::Parsed(json_node(&json, node.span)?))
        }
        _ => None,
    }
}

/// One value or a list of values, as IAM writes them.
pub(crate) fn items(node: Option<&Node>) -> Vec<&Node> {
    match node {
        None => Vec::new(),
        Some(n) if matches!(n.value, Value::List(_)) => n.as_list().iter().collect(),
        Some(n) => vec![n],
    }
}

/// The statements of a JSON-shaped document (`Statement`, `Effect`, `Action`, …).
pub(crate) fn statements(doc: &Node) -> Vec<Statement<'_>> {
    items(doc.get("Statement"))
        .into_iter()
        .map(|st| Statement {
            allow: st.get("Effect").and_then(Node::as_str).unwrap_or("Allow") == "Allow",
            actions: items(st.get("Action")),
            not_actions: items(st.get("NotAction")),
            resources: items(st.get("Resource")),
            principals: match st.get("Principal") {
                Some(p) if p.is_map() => p
                    .entries()
                    .iter()
                    .flat_map(|e| items(Some(&e.value)))
                    .collect(),
                p => items(p),
            },
            has_condition: st.get("Condition").is_some_and(|c| !c.entries().is_empty()),
            limits_who: st.get("Condition").is_some_and(|c| {
                // Conditions known only at apply time are taken as narrowing.
                !c.is_map()
                    || c.entries().iter().any(|op| {
                        !op.value.is_map()
                            || op
                                .value
                                .entries()
                                .iter()
                                .any(|k| limiting(&op.key, &k.key, &items(Some(&k.value))))
                    })
            }),
        })
        .collect()
}

/// The statements of `data "aws_iam_policy_document"` blocks.
pub(crate) fn document_statements(r: &Resource) -> Vec<Statement<'_>> {
    r.body
        .get("statement")
        .map(Node::as_list)
        .unwrap_or_default()
        .iter()
        .map(|st| Statement {
            allow: st.get("effect").and_then(Node::as_str).unwrap_or("Allow") == "Allow",
            actions: items(st.get("actions")),
            not_actions: items(st.get("not_actions")),
            resources: items(st.get("resources")),
            principals: st
                .get("principals")
                .map(Node::as_list)
                .unwrap_or_default()
                .iter()
                .flat_map(|p| items(p.get("identifiers")))
                .collect(),
            has_condition: st.get("condition").is_some_and(|c| !c.as_list().is_empty()),
            limits_who: st.get("condition").is_some_and(|c| {
                c.as_list().iter().any(|cond| {
                    match (
                        cond.get("test").and_then(Node::as_str),
                        cond.get("variable").and_then(Node::as_str),
                    ) {
                        (Some(test), Some(variable)) => {
                            limiting(test, variable, &items(cond.get("values")))
                        }
                        // Unknown test or variable: taken as narrowing.
                        _ => true,
                    }
                })
            }),
        })
        .collect()
}

/// Every policy of the resources: (resource, statements) for each resource whose `attrs` hold a
/// document, and each `aws_iam_policy_document` data source.
pub(crate) fn each_policy<'a>(
    resources: &'a [Resource],
    types: &[&str],
    attr: &str,
    mut f: impl FnMut(&'a Resource, &[Statement<'_>]),
) {
    // A statement with a `Principal` belongs to a resource-based policy (a key, bucket or queue
    // policy, a trust policy): identity policies cannot name one, and the rules reading
    // identity policies do not judge it (a key policy's `kms:*` for the account root is what AWS
    // requires).
    for r in resources {
        match r.tf_type() {
            Some(("data", "aws_iam_policy_document")) => f(r, &identity(document_statements(r))),
            Some(("resource", t)) if types.contains(&t) => {
                if let Some(doc) = document(r, attr) {
                    f(r, &identity(statements(doc.node())));
                }
            }
            _ => {}
        }
    }
}

/// The statements of an identity policy: those without a `Principal`.
fn identity(mut statements: Vec<Statement<'_>>) -> Vec<Statement<'_>> {
    statements.retain(|s| s.principals.is_empty());
    statements
}

/// Every `Allow` statement without a condition on `Resource: "*"` of the identity policies and
/// policy documents: what the rules about over-broad grants read.
pub(crate) fn each_grant_on_everything<'a>(
    resources: &'a [Resource],
    mut f: impl FnMut(&'a Resource, &Statement<'_>),
) {
    each_policy(resources, IDENTITY_POLICIES, "policy", |r, statements| {
        for st in statements
            .iter()
            .filter(|s| s.allow && !s.has_condition && s.resources.iter().any(|x| is_all(x)))
        {
            f(r, st);
        }
    });
}

/// The policies that resources of `types` set in `attr`, inline or through a referenced
/// `data "aws_iam_policy_document"` (reported where its statements are written, once).
/// `f(user, holder, statements)`: `holder` is the resource whose text holds the statements.
pub(crate) fn policies_of<'a>(
    resources: &'a [Resource],
    types: &[&str],
    attr: &str,
    mut f: impl FnMut(&'a Resource, &'a Resource, &[Statement<'_>]),
) {
    let mut seen: Vec<&str> = Vec::new();
    for r in resources {
        if !matches!(r.tf_type(), Some(("resource", t)) if types.contains(&t)) {
            continue;
        }
        let Some(node) = r.body.get(attr) else {
            continue;
        };
        if let Some(data) =
            crate::terraform::join::referenced(resources, node, &["aws_iam_policy_document"])
        {
            if !seen.contains(&data.name.as_str()) {
                seen.push(&data.name);
                f(r, data, &document_statements(data));
            }
        } else if let Some(doc) = document(r, attr) {
            f(r, r, &statements(doc.node()));
        }
    }
}

/// The principals of Allow statements that name everyone, without a condition that narrows
/// who that is.
pub(crate) fn public_principals<'s, 'a>(
    statements: &'s [Statement<'a>],
) -> Vec<(&'s Statement<'a>, &'a Node)> {
    statements
        .iter()
        .filter(|s| s.allow && !s.limits_who)
        .flat_map(|s| {
            s.principals
                .iter()
                .filter(|p| is_anyone(p))
                .map(move |p| (s, *p))
        })
        .collect()
}

/// Report each statement of the policies in `attr` of `types` that lets anyone in without a
/// condition that narrows who, on its principal; `noun` names the policy in the message ("the
/// key policy"). Policies of resources for which `shielded` holds (a public access block that
/// restricts public policies) are left alone.
pub(crate) fn report_public(
    meta: &'static crate::rule::RuleMeta,
    cx: &crate::rule::Context<'_>,
    out: &mut Vec<crate::rule::Finding>,
    types: &[&str],
    (attr, noun): (&str, &str),
    shielded: &dyn Fn(&Resource) -> bool,
) {
    policies_of(cx.resources, types, attr, |user, holder, statements| {
        if shielded(user) {
            return;
        }
        for (st, principal) in public_principals(statements) {
            let how = if st.has_condition {
                "with only conditions anyone can meet"
            } else {
                "without a condition"
            };
            out.push(
                crate::rule::Finding::on(
                    meta,
                    holder,
                    principal.span,
                    format!(
                        "{noun} of {} lets anyone (`Principal: *`) use {} {how}",
                        user.name,
                        actions_text(st)
                    ),
                )
                .with_origin(principal, holder.file, "the principal"),
            );
        }
    });
}

/// The actions of a statement as written, for messages.
pub(crate) fn actions_text(st: &Statement<'_>) -> String {
    let names: Vec<String> = st.actions.iter().map(|a| a.display()).collect();
    if names.is_empty() {
        "any action (`NotAction`)".to_string()
    } else {
        format!("`{}`", names.join("`, `"))
    }
}

/// `*`, and `*:*` as some write it.
pub(crate) fn is_all(n: &Node) -> bool {
    matches!(n.as_str(), Some("*") | Some("*:*"))
}

/// Does an action pattern (`iam:*`, `iam:Pass*`, `*`) cover `action` (`iam:PassRole`)? IAM
/// matches case-insensitively, with `*` and `?` wildcards.
pub(crate) fn covers(pattern: &str, action: &str) -> bool {
    fn glob(p: &[u8], a: &[u8]) -> bool {
        match p.first() {
            None => a.is_empty(),
            Some(b'*') => (0..=a.len()).any(|i| glob(&p[1..], &a[i..])),
            Some(b'?') => !a.is_empty() && glob(&p[1..], &a[1..]),
            Some(c) => {
                a.first().is_some_and(|x| x.eq_ignore_ascii_case(c)) && glob(&p[1..], &a[1..])
            }
        }
    }
    glob(pattern.as_bytes(), action.as_bytes())
}

/// Is a principal everyone (`*`, `{"AWS": "*"}`)?
pub(crate) fn is_anyone(principal: &Node) -> bool {
    principal.as_str() == Some("*")
}

/// Resource types with an identity policy in `policy`.
pub(crate) const IDENTITY_POLICIES: &[&str] = &[
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
];

/// A finding on an action of a statement, with the place it was set when it came from a variable.
pub(crate) fn action_finding(
    meta: &'static RuleMeta,
    r: &Resource,
    action: &Node,
    message: String,
) -> Finding {
    Finding::on(meta, r, action.span, message).with_origin(action, r.file, "the action")
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn action_patterns() {
        assert!(covers("iam:PassRole", "iam:passrole"));
        assert!(covers("iam:*", "iam:PassRole"));
        assert!(covers("iam:Pass*", "iam:PassRole"));
        assert!(covers("*", "iam:PassRole"));
        assert!(covers("iam:*Role", "iam:PassRole"));
        assert!(!covers("iam:Get*", "iam:PassRole"));
        assert!(!covers("s3:*", "iam:PassRole"));
    }
}
