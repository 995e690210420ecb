use super::policy::{action_finding, each_policy, is_all, IDENTITY_POLICIES};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// An `Allow` statement of an identity policy (`aws_iam_policy`, `aws_iam_role_policy`,
    /// `aws_iam_user_policy`, `aws_iam_group_policy`, `aws_iam_policy_document`) with the action `*`
    /// or `service:*`, or with `NotAction` (everything but the listed actions). Statements that allow
    /// `*` on every resource are reported by `iam-admin-policy` instead. A policy document's
    /// statements with `principals` belong to a resource policy (the default key policy's
    /// `kms:*` for the account root, which AWS requires) and are not judged here.
    ///
    /// ## Why it matters
    /// `s3:*` includes deleting buckets and rewriting their policies; `iam:*` includes granting
    /// yourself anything. Service wildcards also grow silently whenever AWS adds an action.
    ///
    /// ## Example
    /// ```hcl
    /// data "aws_iam_policy_document" "app" {
    ///   statement {
    ///     actions   = ["s3:*"]
    ///     resources = [aws_s3_bucket.data.arn]
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// data "aws_iam_policy_document" "app" {
    ///   statement {
    ///     actions   = ["s3:GetObject", "s3:PutObject"]
    ///     resources = ["${aws_s3_bucket.data.arn}/*"]
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    pub struct IamWildcardAction {
        code: "TF-AWS-014",
        name: "iam-wildcard-action",
        title: "IAM policy allows every action of a service",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "iam", "least-privilege"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_AWS_63", "only \"*\" as the action, on narrower resources than \"*\" (iam-admin-policy reports \"*\" on \"*\")"), Peer::partial("CKV_AWS_49", "policy documents with \"*\" action")],
            trivy: &[Peer::partial("AWS-0057", "deprecated upstream; any wildcard in actions or resources")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 AC-6"],
        references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"],
    }
}

fn is_wildcard(action: &str) -> bool {
    action == "*" || action.ends_with(":*")
}

impl Check for IamWildcardAction {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        each_policy(
            cx.resources,
            IDENTITY_POLICIES,
            "policy",
            |r, statements| {
                for st in statements.iter().filter(|s| s.allow) {
                    let admin = st.actions.iter().any(|a| is_all(a))
                        && st.resources.iter().any(|x| is_all(x));
                    if admin {
                        continue;
                    }
                    if let Some(first) = st.not_actions.first() {
                        out.push(action_finding(
                            &Self::META,
                            r,
                            first,
                            format!(
                                "{} allows every action except {} (`NotAction` with `Allow`)",
                                r.name,
                                first.display()
                            ),
                        ));
                        continue;
                    }
                    for action in st
                        .actions
                        .iter()
                        .filter(|a| a.as_str().is_some_and(is_wildcard))
                    {
                        let text = action.as_str().unwrap_or_default();
                        let what = if text == "*" {
                            "every action".to_string()
                        } else {
                            format!("every `{}` action", text.trim_end_matches(":*"))
                        };
                        out.push(action_finding(
                            &Self::META,
                            r,
                            action,
                            format!("{} allows {what} (`{text}`)", r.name),
                        ));
                    }
                }
            },
        );
    }
}
