use crate::model::{Node, Value};
use crate::rule::{Context, Domain, Equivalents, Finding, Rule, RuleMeta, Severity};
use crate::source::Span;

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
            checkov: &["CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_1", "CKV2_AWS_40"],
            trivy: &["AWS-0057"],
            kics: &["IAM Policies With Full Privileges"],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 1.16", "NIST 800-53 AC-6"],
        references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"],
    }
}

/// A JSON text parsed into the model, every node carrying the span of the whole string.
fn from_json(v: &serde_json::Value, span: Span) -> Node {
    let value = match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or_default()),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => {
            Value::List(items.iter().map(|i| from_json(i, span)).collect())
        }
        serde_json::Value::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| crate::model::Entry {
                    key: k.clone(),
                    key_span: span,
                    value: from_json(v, span),
                })
                .collect(),
        ),
    };
    Node::new(value, span)
}

/// One value or a list of values, as IAM writes them.
fn items(node: Option<&Node>) -> Vec<&Node> {
    match node {
        None => Vec::new(),
        Some(n) if matches!(n.value, Value::List(_)) => n.as_list().iter().collect(),
        Some(n) => vec![n],
    }
}

fn is_all(n: &Node) -> bool {
    matches!(n.as_str(), Some("*") | Some("*:*"))
}

/// The `Action` node of each statement allowing `*` on `*`.
fn admin_statements(policy: &Node) -> Vec<&Node> {
    items(policy.get("Statement"))
        .into_iter()
        .filter(|st| st.get("Effect").and_then(Node::as_str).unwrap_or("Allow") == "Allow")
        .filter_map(|st| {
            let action = items(st.get("Action")).into_iter().find(|a| is_all(a))?;
            items(st.get("Resource"))
                .iter()
                .any(|r| is_all(r))
                .then_some(action)
        })
        .collect()
}

impl Rule for IamAdminPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx.resources {
            match r.tf_type() {
                Some((
                    "resource",
                    "aws_iam_policy"
                    | "aws_iam_role_policy"
                    | "aws_iam_user_policy"
                    | "aws_iam_group_policy",
                )) => {
                    let Some(policy) = r.body.get("policy") else {
                        continue;
                    };
                    let parsed;
                    let doc = match &policy.value {
                        Value::Map(_) => policy,
                        Value::String(text) => {
                            let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
                                continue;
                            };
                            parsed = from_json(&json, policy.span);
                            &parsed
                        }
                        _ => continue,
                    };
                    for action in admin_statements(doc) {
                        out.push(
                            Finding::on(
                                &Self::META,
                                r,
                                action.span,
                                format!("{} allows every action on every resource (administrator access)", r.name),
                            )
                            .with_origin(action, r.file, "the action"),
                        );
                    }
                }
                Some(("data", "aws_iam_policy_document")) => {
                    for st in r
                        .body
                        .get("statement")
                        .map(Node::as_list)
                        .unwrap_or_default()
                    {
                        if st.get("effect").and_then(Node::as_str).unwrap_or("Allow") != "Allow" {
                            continue;
                        }
                        let Some(action) = items(st.get("actions")).into_iter().find(|a| is_all(a))
                        else {
                            continue;
                        };
                        if !items(st.get("resources")).iter().any(|x| is_all(x)) {
                            continue;
                        }
                        out.push(
                            Finding::on(
                                &Self::META,
                                r,
                                action.span,
                                format!("{} allows every action on every resource (administrator access)", r.name),
                            )
                            .with_origin(action, r.file, "the action"),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
