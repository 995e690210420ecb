use super::policy::{action_finding, each_policy, is_all, IDENTITY_POLICIES};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// An IAM policy statement that allows every action on every resource (`"Action": "*"`
    /// or `"*:*"` with `"Resource": "*"`), that is, administrator access. Policies are read
    /// in every form Terraform code writes them: `jsonencode({...})` (the finding points at
    /// the `Action` written in HCL), a JSON string or heredoc, and
    /// `data "aws_iam_policy_document"` statements (`actions = ["*"]`, `resources = ["*"]`),
    /// in `aws_iam_policy`, `aws_iam_role_policy`, `aws_iam_user_policy` and
    /// `aws_iam_group_policy`. `Deny` statements are not flagged; values from variables are
    /// resolved and unknown ones never flagged.
    ///
    /// ## Why it matters
    /// `*` on `*` is the whole account: whoever holds the role or user can read every secret,
    /// delete every backup and create new admin users to stay. Nobody's workload needs it;
    /// attach the AWS-managed `AdministratorAccess` to break-glass humans deliberately instead.
    ///
    /// ## Example
    /// ```hcl
    /// policy = jsonencode({
    ///   Version   = "2012-10-17"
    ///   Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
    /// })
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// policy = jsonencode({
    ///   Version   = "2012-10-17"
    ///   Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = [aws_s3_bucket.data.arn] }]
    /// })
    /// ```
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    pub struct IamAdminPolicy {
        code: "TF-AWS-005",
        name: "iam-admin-policy",
        title: "IAM policy grants every action on every resource",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "iam", "least-privilege"],
        severity: Severity::Critical,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_62"), Peer::exact("CKV_AWS_1"), Peer::partial("CKV2_AWS_40", "full IAM access (iam:*) too"), Peer::split("CKV_AWS_63", "\"*\" actions on every resource (iam-wildcard-action reports them on narrower resources)")],
            kics: &[Peer::exact("IAM Policies With Full Privileges"), Peer::exact("IAM Policy Grants Full Permissions")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 1.16", "NIST 800-53 AC-6"],
        references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"],
    }
}

impl Check for IamAdminPolicy {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        each_policy(
            cx.resources,
            IDENTITY_POLICIES,
            "policy",
            |r, statements| {
                for st in statements.iter().filter(|s| s.allow) {
                    let Some(action) = st.actions.iter().find(|a| is_all(a)) else {
                        continue;
                    };
                    if !st.resources.iter().any(|x| is_all(x)) {
                        continue;
                    }
                    out.push(action_finding(
                        &Self::META,
                        r,
                        action,
                        format!(
                            "{} allows every action on every resource (administrator access)",
                            r.name
                        ),
                    ));
                }
            },
        );
    }
}
