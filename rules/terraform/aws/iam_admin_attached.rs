use super::policy::{document, is_all, statements};
use crate::model::{Node, Resource};
use crate::rule::Related;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::source::Span;
use crate::terraform::join::referenced;

crate::declare_rule! {
    /// ## What it flags
    /// An attachment of administrator access: `aws_iam_role_policy_attachment`,
    /// `aws_iam_user_policy_attachment`, `aws_iam_group_policy_attachment`,
    /// `aws_iam_policy_attachment`, or an entry of `managed_policy_arns` on `aws_iam_role`, whose
    /// policy is the AWS managed `AdministratorAccess` (by ARN or through `data "aws_iam_policy"`)
    /// or an `aws_iam_policy` of the module that allows `*` on `*` (the attachment is joined to the
    /// policy by reference; the policy's statement is given as related location).
    ///
    /// ## Why it matters
    /// Whoever holds the role, user or group can do anything in the account, including
    /// removing the logs of what they did. Administrator access belongs to a break-glass role with
    /// MFA and session limits, not to workloads or everyday identities.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_role_policy_attachment" "ci" {
    ///   role       = aws_iam_role.ci.name
    ///   policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_role_policy_attachment" "ci" {
    ///   role       = aws_iam_role.ci.name
    ///   policy_arn = aws_iam_policy.ci_deploy.arn
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html
    pub struct IamAdminAttached {
        code: "TF-AWS-036",
        name: "iam-admin-attached",
        title: "Administrator policy attached to a role, user or group",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "iam", "least-privilege"],
        severity: Severity::High,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_274")],
            kics: &[Peer::partial("IAM Role With Full Privileges", "only inline role policies allowing \"*\" on \"*\"")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 1.16", "NIST 800-53 AC-6"],
        references: &["https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html"],
    }
}

const ATTACHMENTS: &[&str] = &[
    "aws_iam_role_policy_attachment",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_policy_attachment",
];

/// Why the policy `arn` points at is administrator access: "AdministratorAccess", or the
/// custom policy and its statement granting `*` on `*`.
fn admin(resources: &[Resource], arn: &Node) -> Option<(String, Option<(usize, Span)>)> {
    if let Some(text) = arn.as_str() {
        return text
            .ends_with(":policy/AdministratorAccess")
            .then(|| ("the AWS managed AdministratorAccess".to_string(), None));
    }
    if let Some(data) = referenced(resources, arn, &["aws_iam_policy"])
        .filter(|r| r.tf_type() == Some(("data", "aws_iam_policy")))
    {
        let named = ["name", "arn"]
            .iter()
            .filter_map(|k| data.body.get(k)?.as_str())
            .any(|v| v == "AdministratorAccess" || v.ends_with(":policy/AdministratorAccess"));
        return named.then(|| ("the AWS managed AdministratorAccess".to_string(), None));
    }
    let policy = referenced(resources, arn, &["aws_iam_policy"])?;
    let doc = document(policy, "policy")?;
    let statement = statements(doc.node()).into_iter().find(|st| {
        st.allow && st.actions.iter().any(|a| is_all(a)) && st.resources.iter().any(|x| is_all(x))
    })?;
    let at = statement
        .actions
        .iter()
        .find(|a| is_all(a))
        .map(|a| a.span)
        .unwrap_or(policy.head);
    Some((
        format!("{}, which allows `*` on `*`", policy.name),
        Some((policy.file, at)),
    ))
}

impl Check for IamAdminAttached {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx.resources {
            let arns: Vec<&Node> = match r.tf_type() {
                Some(("resource", t)) if ATTACHMENTS.contains(&t) => {
                    r.body.get("policy_arn").into_iter().collect()
                }
                Some(("resource", "aws_iam_role")) => r
                    .body
                    .get("managed_policy_arns")
                    .map(|l| l.as_list().iter().collect())
                    .unwrap_or_default(),
                _ => continue,
            };
            for arn in arns {
                let Some((what, statement)) = admin(cx.resources, arn) else {
                    continue;
                };
                let mut f = Finding::on(
                    &Self::META,
                    r,
                    arn.span,
                    format!("{} attaches {what}", r.name),
                )
                .with_origin(arn, r.file, "the policy ARN");
                if let Some((file, span)) = statement {
                    f.related.push(Related {
                        file,
                        span,
                        message: "the statement granting every action".into(),
                    });
                }
                out.push(f);
            }
        }
    }
}
