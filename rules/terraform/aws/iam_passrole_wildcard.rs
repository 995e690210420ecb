use super::policy::{action_finding, covers, each_policy, IDENTITY_POLICIES};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// An `Allow` statement of an identity policy whose actions include `iam:PassRole`
    /// (written out or through a pattern such as `iam:Pass*`) on a resource with a wildcard (`*`,
    /// `arn:aws:iam::*:role/*`, or in the known text of an interpolated ARN such as
    /// `arn:aws:iam::${account}:role/*`). `*` and `iam:*` themselves are reported by `iam-wildcard-action` and
    /// `iam-admin-policy`.
    ///
    /// ## Why it matters
    /// Passing a role hands it to a service: whoever may pass any role can start an EC2
    /// instance, Lambda function or ECS task with the most privileged role of the account and act
    /// as it.
    ///
    /// ## Example
    /// ```hcl
    /// data "aws_iam_policy_document" "deployer" {
    ///   statement {
    ///     actions   = ["iam:PassRole"]
    ///     resources = ["*"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// data "aws_iam_policy_document" "deployer" {
    ///   statement {
    ///     actions   = ["iam:PassRole"]
    ///     resources = [aws_iam_role.app.arn]
    ///     condition {
    ///       test     = "StringEquals"
    ///       variable = "iam:PassedToService"
    ///       values   = ["ecs-tasks.amazonaws.com"]
    ///     }
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    pub struct IamPassroleWildcard {
        code: "TF-AWS-015",
        name: "iam-passrole-wildcard",
        title: "IAM policy allows passing any role",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "iam", "privilege-escalation"],
        severity: Severity::High,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_AWS_286", "privilege escalation in general, of which iam:PassRole on any role is one way")],
            trivy: &[Peer::exact("AWS-0342")],
            kics: &[Peer::partial("Group With Privilege Escalation By Actions 'cloudformation:CreateStack' And 'iam:PassRole'", "only group policies that also allow cloudformation:CreateStack"), Peer::partial("Group With Privilege Escalation By Actions 'ec2:RunInstances' And 'iam:PassRole'", "only group policies that also allow ec2:RunInstances"), Peer::partial("Group With Privilege Escalation By Actions 'glue:CreateDevEndpoint' And 'iam:PassRole'", "only group policies that also allow glue:CreateDevEndpoint"), Peer::partial("Group With Privilege Escalation By Actions 'lambda:CreateFunction' And 'iam:PassRole' And 'lambda:InvokeFunction'", "only group policies that also allow lambda:CreateFunction and lambda:InvokeFunction"), Peer::partial("Role With Privilege Escalation By Actions 'cloudformation:CreateStack' And 'iam:PassRole'", "only role policies that also allow cloudformation:CreateStack"), Peer::partial("Role With Privilege Escalation By Actions 'ec2:RunInstances' And 'iam:PassRole'", "only role policies that also allow ec2:RunInstances"), Peer::partial("Role With Privilege Escalation By Actions 'glue:CreateDevEndpoint' And 'iam:PassRole'", "only role policies that also allow glue:CreateDevEndpoint"), Peer::partial("Role With Privilege Escalation By Actions 'lambda:CreateFunction' And 'iam:PassRole' And 'lambda:InvokeFunction'", "only role policies that also allow lambda:CreateFunction and lambda:InvokeFunction"), Peer::partial("User With Privilege Escalation By Actions 'cloudformation:CreateStack' And 'iam:PassRole'", "only user policies that also allow cloudformation:CreateStack"), Peer::partial("User With Privilege Escalation By Actions 'ec2:RunInstances' And 'iam:PassRole'", "only user policies that also allow ec2:RunInstances"), Peer::partial("User With Privilege Escalation By Actions 'glue:CreateDevEndpoint' And 'iam:PassRole'", "only user policies that also allow glue:CreateDevEndpoint"), Peer::partial("User With Privilege Escalation By Actions 'lambda:CreateFunction' And 'iam:PassRole' And 'lambda:InvokeFunction'", "only user policies that also allow lambda:CreateFunction and lambda:InvokeFunction")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 AC-6"],
        references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"],
    }
}

impl Check for IamPassroleWildcard {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        each_policy(
            cx.resources,
            IDENTITY_POLICIES,
            "policy",
            |r, statements| {
                for st in statements.iter().filter(|s| s.allow) {
                    let Some(resource) = st.resources.iter().find(|x| {
                        x.known_parts()
                            .is_some_and(|p| p.iter().any(|s| s.contains('*')))
                    }) else {
                        continue;
                    };
                    let Some(action) = st.actions.iter().find(|a| {
                        a.as_str().is_some_and(|s| {
                            s != "*"
                                && !s.eq_ignore_ascii_case("iam:*")
                                && covers(s, "iam:PassRole")
                        })
                    }) else {
                        continue;
                    };
                    out.push(action_finding(
                        &Self::META,
                        r,
                        action,
                        format!(
                            "{} allows `{}` on `{}`: any role can be handed to a service",
                            r.name,
                            action.display(),
                            resource.display()
                        ),
                    ));
                }
            },
        );
    }
}
