use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::docker::secret_in_env::{placeholder_value, secret_name, secret_value};
use crate::rules::terraform::setting::narrow;
use crate::terraform::base64_decode;

crate::declare_rule! {
    /// ## What it flags
    /// A credential in the `user_data` (or `user_data_base64`, decoded) of an `aws_instance`,
    /// `aws_launch_template` or `aws_launch_configuration`: a value that has the shape of an AWS
    /// access key id, a GitHub, Slack or Stripe token or a private key, or a shell assignment
    /// (`export DB_PASSWORD=...`, `DB_PASSWORD="..."`) of a literal to a secret-looking name. Values
    /// that are themselves expansions (`$(aws secretsmanager ...)`, `${var}`) or placeholders are not
    /// flagged. The finding points at the offending text when it is written in the file.
    ///
    /// ## Why it matters
    /// User data is not secret: anyone with `ec2:DescribeInstanceAttribute` reads it, every
    /// process on the instance can fetch it from the metadata service, and it is kept in the
    /// Terraform state and in every launch template version.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_instance" "app" {
    ///   ami           = "ami-0123456789abcdef0"
    ///   instance_type = "t3.micro"
    ///   user_data     = <<-EOT
    ///     #!/bin/bash
    ///     export DB_PASSWORD=hunter2-prod
    ///   EOT
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_instance" "app" {
    ///   ami                  = "ami-0123456789abcdef0"
    ///   instance_type        = "t3.micro"
    ///   iam_instance_profile = aws_iam_instance_profile.app.name
    ///   user_data            = <<-EOT
    ///     #!/bin/bash
    ///     export DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id app/db --query SecretString --output text)
    ///   EOT
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html
    pub struct UserDataSecrets {
        code: "TF-AWS-033",
        name: "user-data-secrets",
        title: "EC2 user data holds a secret",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "ec2", "secrets"],
        severity: Severity::Critical,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_46")],
            trivy: &[Peer::partial("AWS-0029", "only AWS keys, in aws_instance user data"), Peer::partial("AWS-0129", "only AWS keys, in launch template user data")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 IA-5"],
        references: &["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html"],
    }
}

const TYPES: &[&str] = &[
    "aws_instance",
    "aws_launch_template",
    "aws_launch_configuration",
];

/// The secrets in a script: (offending text, what it is).
fn secrets(script: &str) -> Vec<(&str, String)> {
    let mut out = Vec::new();
    if let Some(kind) = secret_value(script).filter(|k| k.contains("private key")) {
        let start = script.find("-----BEGIN").unwrap_or(0);
        let line_end = script[start..]
            .find('\n')
            .map_or(script.len(), |i| start + i);
        out.push((&script[start..line_end], kind.to_string()));
    }
    for line in script.lines() {
        let t = line.trim_start();
        let t = t.strip_prefix("export ").unwrap_or(t).trim_start();
        let assignment = t.split_once('=').filter(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if let Some((name, raw)) = assignment {
            let value = raw.trim().trim_matches(|c| c == '"' || c == '\'');
            let value = value.split_whitespace().next().unwrap_or("");
            let expansion = value.starts_with('$') || value.starts_with('`');
            if !value.is_empty() && !expansion {
                if let Some(kind) = secret_value(value) {
                    out.push((t, kind.to_string()));
                    continue;
                }
                if secret_name(name) && !placeholder_value(name, value) {
                    out.push((t, format!("a literal value for `{name}`")));
                    continue;
                }
            }
        }
        for word in t.split(|c: char| c.is_whitespace() || "=\"'".contains(c)) {
            if let Some(kind) = secret_value(word).filter(|k| !k.contains("private key")) {
                out.push((word, kind.to_string()));
            }
        }
    }
    out
}

impl Check for UserDataSecrets {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx
            .resources
            .iter()
            .filter(|r| matches!(r.tf_type(), Some(("resource", t)) if TYPES.contains(&t)))
        {
            let text = cx.text(r.file);
            for key in ["user_data", "user_data_base64"] {
                let Some(node) = r.body.get(key) else {
                    continue;
                };
                let Some(raw) = node.as_str() else {
                    continue;
                };
                let decoded = (key == "user_data_base64"
                    || r.tf_type() == Some(("resource", "aws_launch_template")))
                .then(|| base64_decode(raw))
                .flatten()
                .and_then(|b| String::from_utf8(b).ok());
                let script = decoded.as_deref().unwrap_or(raw);
                let mut seen: Vec<&str> = Vec::new();
                for (found, kind) in secrets(script) {
                    if seen.contains(&found) {
                        continue;
                    }
                    seen.push(found);
                    let span = if decoded.is_some() {
                        node.span
                    } else {
                        narrow(text, node, found)
                    };
                    out.push(
                        Finding::on(
                            &Self::META,
                            r,
                            span,
                            format!("{} has {kind} in its `{key}`", r.name),
                        )
                        .with_origin(node, r.file, "the user data"),
                    );
                }
            }
        }
    }
}
