use super::iam_privilege_escalation::ESCALATION;
use super::policy::{action_finding, covers, each_grant_on_everything};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// An `Allow` statement on `Resource: "*"` (without a `Condition`) in an identity policy or
    /// policy document that grants actions which change things — names starting with `Put`,
    /// `Create`, `Delete`, `Update`, `Modify`, `Attach`, `Assign`, `Terminate`… written out or as a
    /// partial wildcard such as `s3:Put*`. The statement is reported once, on its first such
    /// action. Actions AWS only authorizes on `*` (such as `cloudwatch:PutMetricData`,
    /// `xray:PutTraceSegments`, `kms:CreateKey`, the SSM agent's `ssmmessages:*` channels) are
    /// not counted; whole-service wildcards,
    /// `iam:PassRole` and privilege-escalation actions have their own rules (TF-AWS-014,
    /// TF-AWS-015, TF-AWS-034).
    ///
    /// ## Why it matters
    /// A role that needs to write one bucket or stop one instance can, with `*`, write every
    /// bucket and stop every instance of the account: a leaked credential or a bug reaches
    /// everything. Naming the resources (ARNs, or ARN patterns with the application's prefix)
    /// keeps the blast radius to what the workload owns.
    ///
    /// ## Example
    /// ```hcl
    /// data "aws_iam_policy_document" "uploader" {
    ///   statement {
    ///     actions   = ["s3:PutObject", "s3:DeleteObject"]
    ///     resources = ["*"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// data "aws_iam_policy_document" "uploader" {
    ///   statement {
    ///     actions   = ["s3:PutObject", "s3:DeleteObject"]
    ///     resources = ["${aws_s3_bucket.uploads.arn}/*"]
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    /// - https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
    pub struct IamWriteAnyResource {
        code: "TF-AWS-042",
        name: "iam-write-any-resource",
        title: "IAM policy allows changes to every resource",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "iam", "least-privilege"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_AWS_355", "any restrictable action on \"*\", not only writes"), Peer::partial("CKV_AWS_356", "any restrictable action on \"*\", not only writes"), Peer::exact("CKV_AWS_111"), Peer::exact("CKV_AWS_290")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 AC-6"],
        references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege", "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"],
    }
}

/// How the names of actions that change something begin.
const WRITE_VERBS: &[&str] = &[
    "Put",
    "Create",
    "Delete",
    "Update",
    "Modify",
    "Attach",
    "Detach",
    "Set",
    "Add",
    "Remove",
    "Terminate",
    "Stop",
    "Run",
    "Reboot",
    "Restore",
    "Replace",
    "Revoke",
    "Authorize",
    "Associate",
    "Disassociate",
    "Assign",
    "Unassign",
    "Allocate",
    "Release",
    "Enable",
    "Disable",
    "Import",
    "Upload",
    "Write",
    "Invoke",
    "Publish",
    "Send",
    "Rotate",
    "Reset",
    "Change",
    "Copy",
    "Deregister",
    "Register",
    "Execute",
    "Purge",
];

/// Actions without resource-level permissions: AWS accepts only `*` for them.
const STAR_ONLY: &[&str] = &[
    "cloudwatch:PutMetricData",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "kms:CreateKey",
    "route53:CreateHostedZone",
    "acm:RequestCertificate",
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:PutResourcePolicy",
    "logs:DeleteResourcePolicy",
    "s3:PutAccountPublicAccessBlock",
    "s3:CreateJob",
    "ec2:CreateLaunchTemplate",
    "iam:CreateServiceLinkedRole",
    "sts:DecodeAuthorizationMessage",
    "logs:StopQuery",
];

/// Services none of whose actions can be scoped to a resource (the SSM agent's channels).
const STAR_ONLY_SERVICES: &[&str] = &["ssmmessages", "ec2messages"];

/// Is `pattern` (`s3:PutObject`, `s3:Put*`) an action, or a family of actions, that changes
/// something, and not one of those AWS authorizes only on `*`?
fn writes(pattern: &str) -> bool {
    let Some((service, name)) = pattern.split_once(':') else {
        return false;
    };
    let stem = name.split(['*', '?']).next().unwrap_or_default();
    if stem.is_empty()
        || STAR_ONLY.iter().any(|a| a.eq_ignore_ascii_case(pattern))
        || STAR_ONLY_SERVICES
            .iter()
            .any(|s| s.eq_ignore_ascii_case(service))
    {
        return false;
    }
    WRITE_VERBS.iter().any(|verb| {
        // `get`: a verb's length may end inside a multi-byte character of a hostile action.
        stem.get(..verb.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(verb))
            // `Put` in `PutObject`, not `Settings` in `SettingsGet`.
            && stem[verb.len()..]
                .chars()
                .next()
                .is_none_or(|c| c.is_ascii_uppercase())
    })
}

/// Patterns reported by other rules: every action, a whole service, PassRole, escalation.
fn elsewhere(pattern: &str) -> bool {
    pattern == "*"
        || pattern.ends_with(":*")
        || covers(pattern, "iam:PassRole")
        || ESCALATION.iter().any(|a| covers(pattern, a))
}

impl Check for IamWriteAnyResource {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        each_grant_on_everything(cx.resources, |r, st| {
            if st.actions.iter().any(|a| a.as_str().is_some_and(elsewhere)) {
                return;
            }
            let writing: Vec<_> = st
                .actions
                .iter()
                .filter(|a| a.as_str().is_some_and(writes))
                .collect();
            let Some(first) = writing.first() else {
                return;
            };
            let names: Vec<String> = writing
                .iter()
                .take(4)
                .map(|a| format!("`{}`", a.display()))
                .collect();
            let more = match writing.len() {
                n if n > 4 => format!(" and {} more", n - 4),
                _ => String::new(),
            };
            out.push(action_finding(
                &Self::META,
                r,
                first,
                format!(
                    "{} allows {}{more} on every resource (`Resource = \"*\"`)",
                    r.name,
                    names.join(", ")
                ),
            ));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::writes;

    #[test]
    fn write_actions() {
        for a in [
            "s3:PutObject",
            "s3:Put*",
            "ec2:TerminateInstances",
            "sqs:SendMessage",
            "ec2:AssignIpv6Addresses",
            "ec2:UnassignPrivateIpAddresses",
            "ec2:AllocateAddress",
            "ec2:ReleaseAddress",
        ] {
            assert!(writes(a), "{a}");
        }
        for a in [
            "s3:GetObject",
            "ec2:Describe*",
            "s3:List*",
            "cloudwatch:PutMetricData",
            "ssm:GetParameter",
            "s3:*Object",
            "logs:StartQuery",
            "logs:StopQuery",
            "ssmmessages:CreateControlChannel",
        ] {
            assert!(!writes(a), "{a}");
        }
        // `Settings…` is not `Set`.
        assert!(!writes("svc:SettingsGet"));
    }
}
