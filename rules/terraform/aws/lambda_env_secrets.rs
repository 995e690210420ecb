use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::docker::secret_in_env::{placeholder_value, secret_name, secret_value};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_lambda_function` whose `environment.variables` holds a literal secret: a
    /// variable with a secret-like name (`DB_PASSWORD`, `API_TOKEN`, `STRIPE_SECRET_KEY`…) set to a
    /// written value, or any value shaped like a credential (AWS access key ID, GitHub/Slack/Stripe
    /// token, private key). Values from references, variables without defaults or placeholders are
    /// not flagged.
    ///
    /// ## Why it matters
    /// The value is stored in the Terraform state and the function's configuration, readable by
    /// anyone with `lambda:GetFunctionConfiguration`, and ends up in the repository's history.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_lambda_function" "api" {
    ///   environment {
    ///     variables = {
    ///       DB_PASSWORD = "hunter2-prod"
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_lambda_function" "api" {
    ///   environment {
    ///     variables = {
    ///       DB_PASSWORD_SECRET_ARN = aws_secretsmanager_secret.db.arn
    ///     }
    ///   }
    /// }
    /// ```
    /// and read the secret at start-up (Secrets Manager, Parameter Store, or the Parameters and Secrets extension).
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html
    pub struct LambdaEnvSecrets {
        code: "TF-AWS-025",
        name: "lambda-env-secrets",
        title: "Lambda function has a secret in its environment",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "lambda", "secrets"],
        severity: Severity::High,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_45")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 IA-5"],
        references: &["https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html"],
    }
}

impl Check for LambdaEnvSecrets {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx
            .resources
            .iter()
            .filter(|r| r.tf_type() == Some(("resource", "aws_lambda_function")))
        {
            let vars = r
                .body
                .get("environment")
                .and_then(|e| e.as_list().first())
                .and_then(|e| e.get("variables"));
            for e in vars.map(|v| v.entries()).unwrap_or_default() {
                let Some(value) = e.value.as_str() else {
                    continue;
                };
                let kind = secret_value(value).or_else(|| {
                    (secret_name(&e.key) && !value.is_empty() && !placeholder_value(&e.key, value))
                        .then_some("a secret")
                });
                if let Some(kind) = kind {
                    out.push(
                        Finding::on(
                            &Self::META,
                            r,
                            e.value.span,
                            format!("{} sets `{}` to {kind} in its environment", r.name, e.key),
                        )
                        .with_origin(&e.value, r.file, &e.key),
                    );
                }
            }
        }
    }
}
