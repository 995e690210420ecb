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
            kics: &[Peer::exact("Group With Privilege Escalation By Actions 'glue:UpdateDevEndpoint'").about("Group glue:UpdateDevEndpoint"), Peer::exact("Group With Privilege Escalation By Actions 'iam:AddUserToGroup'").about("Group iam:AddUserToGroup"), Peer::exact("Group With Privilege Escalation By Actions 'iam:AttachGroupPolicy'").about("Group iam:AttachGroupPolicy"), Peer::exact("Group With Privilege Escalation By Actions 'iam:AttachRolePolicy'").about("Group iam:AttachRolePolicy"), Peer::exact("Group With Privilege Escalation By Actions 'iam:AttachUserPolicy'").about("Group iam:AttachUserPolicy"), Peer::exact("Group With Privilege Escalation By Actions 'iam:CreateAccessKey'").about("Group iam:CreateAccessKey"), Peer::exact("Group With Privilege Escalation By Actions 'iam:CreateLoginProfile'").about("Group iam:CreateLoginProfile"), Peer::exact("Group With Privilege Escalation By Actions 'iam:CreatePolicyVersion'").about("Group iam:CreatePolicyVersion"), Peer::exact("Group With Privilege Escalation By Actions 'iam:PutGroupPolicy'").about("Group iam:PutGroupPolicy"), Peer::exact("Group With Privilege Escalation By Actions 'iam:PutRolePolicy'").about("Group iam:PutRolePolicy"), Peer::exact("Group With Privilege Escalation By Actions 'iam:PutUserPolicy'").about("Group iam:PutUserPolicy"), Peer::exact("Group With Privilege Escalation By Actions 'iam:SetDefaultPolicyVersion'").about("Group iam:SetDefaultPolicyVersion"), Peer::partial("Group With Privilege Escalation By Actions 'iam:UpdateAssumeRolePolicy' And 'sts:AssumeRole'", "requires sts:AssumeRole as well").about("Group iam:UpdateAssumeRolePolicy"), Peer::exact("Group With Privilege Escalation By Actions 'iam:UpdateLoginProfile'").about("Group iam:UpdateLoginProfile"), Peer::exact("Group With Privilege Escalation By Actions 'lambda:UpdateFunctionCode'").about("Group lambda:UpdateFunctionCode"), Peer::exact("Role With Privilege Escalation By Actions 'glue:UpdateDevEndpoint'").about("Role glue:UpdateDevEndpoint"), Peer::exact("Role With Privilege Escalation By Actions 'iam:AddUserToGroup'").about("Role iam:AddUserToGroup"), Peer::exact("Role With Privilege Escalation By Actions 'iam:AttachGroupPolicy'").about("Role iam:AttachGroupPolicy"), Peer::exact("Role With Privilege Escalation By Actions 'iam:AttachRolePolicy'").about("Role iam:AttachRolePolicy"), Peer::exact("Role With Privilege Escalation By Actions 'iam:AttachUserPolicy'").about("Role iam:AttachUserPolicy"), Peer::exact("Role With Privilege Escalation By Actions 'iam:CreateAccessKey'").about("Role iam:CreateAccessKey"), Peer::exact("Role With Privilege Escalation By Actions 'iam:CreateLoginProfile'").about("Role iam:CreateLoginProfile"), Peer::exact("Role With Privilege Escalation By Actions 'iam:CreatePolicyVersion'").about("Role iam:CreatePolicyVersion"), Peer::exact("Role With Privilege Escalation By Actions 'iam:PutGroupPolicy'").about("Role iam:PutGroupPolicy"), Peer::exact("Role With Privilege Escalation By Actions 'iam:PutRolePolicy'").about("Role iam:PutRolePolicy"), Peer::exact("Role With Privilege Escalation By Actions 'iam:PutUserPolicy'").about("Role iam:PutUserPolicy"), Peer::exact("Role With Privilege Escalation By Actions 'iam:SetDefaultPolicyVersion'").about("Role iam:SetDefaultPolicyVersion"), Peer::partial("Role With Privilege Escalation By Actions 'iam:UpdateAssumeRolePolicy' And 'sts:AssumeRole'", "requires sts:AssumeRole as well").about("Role iam:UpdateAssumeRolePolicy"), Peer::exact("Role With Privilege Escalation By Actions 'iam:UpdateLoginProfile'").about("Role iam:UpdateLoginProfile"), Peer::exact("Role With Privilege Escalation By Actions 'lambda:UpdateFunctionCode'").about("Role lambda:UpdateFunctionCode"), Peer::exact("User With Privilege Escalation By Actions 'glue:UpdateDevEndpoint'").about("User glue:UpdateDevEndpoint"), Peer::exact("User With Privilege Escalation By Actions 'iam:AddUserToGroup'").about("User iam:AddUserToGroup"), Peer::exact("User With Privilege Escalation By Actions 'iam:AttachGroupPolicy'").about("User iam:AttachGroupPolicy"), Peer::exact("User With Privilege Escalation By Actions 'iam:AttachRolePolicy'").about("User iam:AttachRolePolicy"), Peer::exact("User With Privilege Escalation By Actions 'iam:AttachUserPolicy'").about("User iam:AttachUserPolicy"), Peer::exact("User With Privilege Escalation By Actions 'iam:CreateAccessKey'").about("User iam:CreateAccessKey"), Peer::exact("User With Privilege Escalation By Actions 'iam:CreateLoginProfile'").about("User iam:CreateLoginProfile"), Peer::exact("User With Privilege Escalation By Actions 'iam:CreatePolicyVersion'").about("User iam:CreatePolicyVersion"), Peer::exact("User With Privilege Escalation By Actions 'iam:PutGroupPolicy'").about("User iam:PutGroupPolicy"), Peer::exact("User With Privilege Escalation By Actions 'iam:PutRolePolicy'").about("User iam:PutRolePolicy"), Peer::exact("User With Privilege Escalation By Actions 'iam:PutUserPolicy'").about("User iam:PutUserPolicy"), Peer::exact("User With Privilege Escalation By Actions 'iam:SetDefaultPolicyVersion'").about("User iam:SetDefaultPolicyVersion"), Peer::partial("User With Privilege Escalation By Actions 'iam:UpdateAssumeRolePolicy' And 'sts:AssumeRole'", "requires sts:AssumeRole as well").about("User iam:UpdateAssumeRolePolicy"), Peer::exact("User With Privilege Escalation By Actions 'iam:UpdateLoginProfile'").about("User iam:UpdateLoginProfile"), Peer::exact("User With Privilege Escalation By Actions 'lambda:UpdateFunctionCode'").about("User lambda:UpdateFunctionCode")],
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

/// Who holds an inline policy: the group, role or user it is written on.
fn holder(r: &crate::model::Resource) -> Option<&'static str> {
    match r.tf_type()?.1 {
        "aws_iam_group_policy" => Some("Group"),
        "aws_iam_role_policy" => Some("Role"),
        "aws_iam_user_policy" => Some("User"),
        _ => None,
    }
}

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
                let mut finding = action_finding(
                    &Self::META,
                    r,
                    action,
                    format!(
                        "{} allows {what} on every resource: a path to administrator access",
                        r.name
                    ),
                );
                // The subject is who holds the policy and the action (`Role iam:CreateAccessKey`),
                // as the peers' per-principal checks name it; a managed policy or a policy
                // document is held by whoever it is attached to.
                finding.about.get_or_insert_with(Vec::new);
                if let Some(holder) = holder(r) {
                    for a in &granted {
                        finding.add_about(&format!("{holder} {a}"));
                    }
                }
                out.push(finding);
            }
        });
    }
}
