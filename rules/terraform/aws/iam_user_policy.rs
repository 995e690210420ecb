use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// Permissions given to an IAM user directly: an `aws_iam_user_policy` (inline policy), an
    /// `aws_iam_user_policy_attachment`, or an `aws_iam_policy_attachment` with `users`.
    ///
    /// ## Why it matters
    /// Permissions on users are invisible from the roles and groups people review, and they stay
    /// when the person changes team. Giving them through groups (or, better, roles assumed through
    /// SSO) keeps access reviewable in one place and revocable by membership.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_user_policy_attachment" "alice" {
    ///   user       = aws_iam_user.alice.name
    ///   policy_arn = aws_iam_policy.deploy.arn
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_group_policy_attachment" "deployers" {
    ///   group      = aws_iam_group.deployers.name
    ///   policy_arn = aws_iam_policy.deploy.arn
    /// }
    ///
    /// resource "aws_iam_user_group_membership" "alice" {
    ///   user   = aws_iam_user.alice.name
    ///   groups = [aws_iam_group.deployers.name]
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#use-groups-for-permissions
    pub struct IamUserPolicy {
        code: "TF-AWS-035",
        name: "iam-user-policy",
        title: "IAM policy attached directly to a user",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "iam"],
        severity: Severity::Low,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_40")],
            trivy: &[Peer::exact("AWS-0143")],
            kics: &[Peer::exact("IAM Policies Attached To User")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 1.15", "NIST 800-53 AC-2"],
        references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#use-groups-for-permissions"],
    }
}

impl Check for IamUserPolicy {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx.resources {
            let (span, what) = match r.tf_type() {
                Some(("resource", "aws_iam_user_policy")) => (
                    r.body.get("user").map_or(r.head, |u| u.span),
                    "gives a user an inline policy",
                ),
                Some(("resource", "aws_iam_user_policy_attachment")) => (
                    r.body.get("user").map_or(r.head, |u| u.span),
                    "attaches a policy to a user",
                ),
                Some(("resource", "aws_iam_policy_attachment")) => match r.body.get("users") {
                    Some(u) if !u.as_list().is_empty() || u.is_unknown() => {
                        (u.span, "attaches a policy to users")
                    }
                    _ => continue,
                },
                _ => continue,
            };
            out.push(Finding::on(
                &Self::META,
                r,
                span,
                format!(
                    "{} {what}: give permissions through groups or roles",
                    r.name
                ),
            ));
        }
    }
}
