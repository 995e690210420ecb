use super::policy::{action_finding, covers, each_grant_on_everything};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// An `Allow` statement on `Resource: "*"` (without a `Condition`) in an identity policy or
    /// policy document whose actions — written out or as a partial wildcard such as `iam:Put*` —
    /// include an action that lets its holder grant itself more: `iam:CreatePolicyVersion`,
    /// `iam:SetDefaultPolicyVersion`, `iam:Attach{User,Group,Role}Policy`,
    /// `iam:Put{User,Group,Role}Policy`, `iam:AddUserToGroup`, `iam:UpdateAssumeRolePolicy`,
    /// `iam:CreateAccessKey`, `iam:CreateLoginProfile`, `iam:UpdateLoginProfile`,
    /// `lambda:UpdateFunctionCode`, `glue:UpdateDevEndpoint`, `ssm:SendCommand`. Whole-service
    /// wildcards (`iam:*`, `*`) and `iam:PassRole` have their own rules (TF-AWS-014, TF-AWS-005,
    /// TF-AWS-015).
    ///
    /// ## Why it matters
    /// Each of these turns limited access into administrator access: attach
    /// `AdministratorAccess` to yourself, write a new default version of your own policy, create an
    /// access key for an administrator, or run code as a more privileged Lambda role or instance.
    /// Scoping the resource to the identities the holder should manage closes the path.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_policy" "deployer" {
    ///   name = "deployer"
    ///   policy = jsonencode({
    ///     Version = "2012-10-17"
    ///     Statement = [{
    ///       Effect   = "Allow"
    ///       Action   = ["iam:AttachRolePolicy", "ec2:Describe*"]
    ///       Resource = "*"
    ///     }]
    ///   })
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_policy" "deployer" {
    ///   name = "deployer"
    ///   policy = jsonencode({
    ///     Version = "2012-10-17"
    ///     Statement = [{
    ///       Effect   = "Allow"
    ///       Action   = ["iam:AttachRolePolicy"]
    ///       Resource = "arn:aws:iam::123456789012:role/app-*"
    ///     }]
    ///   })
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    pub struct IamPrivilegeEscalation {
        code: "TF-AWS-034",
        name: "iam-privilege-escalation",
        title: "IAM policy allows privilege escalation",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "iam", "least-privilege"],
        severity: Severity::High,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_AWS_286", "includes iam:PassRole combinations, which iam-passrole-wildcard reports"), Peer::partial("CKV_AWS_289", "permissions management without constraints, a wider list of actions")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 AC-6"],
        references: &["https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/", "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"],
    }
}

pub(super) const ESCALATION: &[&str] = &[
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:AddUserToGroup",
    "iam:UpdateAssumeRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "lambda:UpdateFunctionCode",
    "glue:UpdateDevEndpoint",
    "ssm:SendCommand",
];

/// Patterns with their own rules: every action, a whole service, or PassRole.
fn elsewhere(pattern: &str) -> bool {
    pattern == "*" || pattern.ends_with(":*") || pattern.eq_ignore_ascii_case("iam:PassRole")
}

impl Check for IamPrivilegeEscalation {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        each_grant_on_everything(cx.resources, |r, st| {
            for action in &st.actions {
                let Some(pattern) = action.as_str().filter(|p| !elsewhere(p)) else {
                    continue;
                };
                let granted: Vec<&str> = ESCALATION
                    .iter()
                    .copied()
                    .filter(|a| covers(pattern, a))
                    .collect();
                if granted.is_empty() {
                    continue;
                }
                let what = if granted.len() == 1 && granted[0].eq_ignore_ascii_case(pattern) {
                    format!("`{pattern}`")
                } else {
                    format!("`{pattern}` (which includes {})", granted.join(", "))
                };
                out.push(action_finding(
                    &Self::META,
                    r,
                    action,
                    format!(
                        "{} allows {what} on every resource: a path to administrator access",
                        r.name
                    ),
                ));
            }
        });
    }
}
