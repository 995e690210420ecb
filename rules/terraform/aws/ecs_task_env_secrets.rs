use crate::model::{Node, Value};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::docker::secret_in_env::{placeholder_value, secret_name, secret_value};
use crate::rules::terraform::setting::narrow;
use crate::terraform::json_node;

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_ecs_task_definition` whose `container_definitions` (written with `jsonencode`, as
    /// a JSON heredoc or read with `file`) give a container an `environment` entry whose name looks
    /// like a secret (`DB_PASSWORD`, `API_TOKEN`, …) with a literal value, or whose value has the
    /// shape of a known credential (AWS access key id, GitHub token, private key, …). Placeholders and
    /// names such as `*_ARN`, `*_FILE`, `*_TTL` are not flagged.
    ///
    /// ## Why it matters
    /// Environment values of a task definition are plain text to anyone with
    /// `ecs:DescribeTaskDefinition`, in every revision of the definition forever, and in the
    /// Terraform state. The `secrets` list with `valueFrom` pointing at Secrets Manager or SSM
    /// Parameter Store injects the value at start instead.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_ecs_task_definition" "app" {
    ///   family = "app"
    ///   container_definitions = jsonencode([{
    ///     name        = "app"
    ///     image       = "example/app:1.4.2"
    ///     environment = [{ name = "DB_PASSWORD", value = "hunter2-prod" }]
    ///   }])
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ecs_task_definition" "app" {
    ///   family = "app"
    ///   container_definitions = jsonencode([{
    ///     name    = "app"
    ///     image   = "example/app:1.4.2"
    ///     secrets = [{ name = "DB_PASSWORD", valueFrom = aws_secretsmanager_secret.db.arn }]
    ///   }])
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
    pub struct EcsTaskEnvSecrets {
        code: "TF-AWS-041",
        name: "ecs-task-env-secrets",
        title: "ECS task definition has a secret in a container's environment",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "ecs", "secrets"],
        severity: Severity::High,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            trivy: &[Peer::exact("AWS-0036")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 IA-5"],
        references: &["https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html"],
    }
}

/// The container definitions: the evaluated list, or the JSON text parsed.
fn containers(node: &Node) -> Option<std::borrow::Cow<'_, Node>> {
    match &node.value {
        Value::List(_) => Some(std::borrow::Cow::Borrowed(node)),
        Value::String(text) => {
            let json: serde_json::Value = serde_json::from_str(text).ok()?;
            Some(std::borrow::Cow::Owned(json_node(&json, node.span)?))
        }
        _ => None,
    }
}

impl Check for EcsTaskEnvSecrets {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx
            .resources
            .iter()
            .filter(|r| r.tf_type() == Some(("resource", "aws_ecs_task_definition")))
        {
            let Some(defs) = r.body.get("container_definitions") else {
                continue;
            };
            let Some(list) = containers(defs) else {
                continue;
            };
            for c in list.as_list() {
                let container = c.get("name").and_then(Node::as_str).unwrap_or("?");
                for e in c.get("environment").map(Node::as_list).unwrap_or_default() {
                    let (Some(name), Some(value)) =
                        (e.get("name").and_then(Node::as_str), e.get("value"))
                    else {
                        continue;
                    };
                    let Some(text) = value.as_str() else {
                        continue;
                    };
                    let kind = secret_value(text).or_else(|| {
                        (secret_name(name) && !text.is_empty() && !placeholder_value(name, text))
                            .then_some("a secret")
                    });
                    if let Some(kind) = kind {
                        out.push(
                            Finding::on(
                                &Self::META,
                                r,
                                if value.span == defs.span { narrow(cx.text(r.file), defs, &format!("\"{text}\"")) } else { value.span },
                                format!("{} sets `{name}` of container {container} to {kind} in its environment", r.name),
                            )
                            .with_origin(value, r.file, &format!("`{name}`")),
                        );
                    }
                }
            }
        }
    }
}
