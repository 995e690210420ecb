use crate::edit::replace_scalar;
use crate::fix::{Applicability, Fix};
use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// An EC2 instance, launch template or launch configuration that does not require
    /// IMDSv2: `metadata_options { http_tokens = "required" }` is missing or set to
    /// `"optional"`. Not flagged when the metadata endpoint is off
    /// (`http_endpoint = "disabled"`) or when the value is unknown.
    ///
    /// Provider default: unset means `optional`, unless the AMI was registered with
    /// `ImdsSupport = v2.0` (Amazon Linux 2023 is), which Terraform code cannot show; suppress
    /// with a reason for such AMIs, or better, write `http_tokens = "required"`.
    ///
    /// ## Why it matters
    /// IMDSv1 answers any GET request from the instance, so a server-side request forgery in
    /// any application on it hands out the instance role's credentials (the Capital One
    /// breach). IMDSv2 requires a session token obtained with a PUT, which SSRF cannot send.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_instance" "app" {
    ///   ami           = "ami-0123456789abcdef0"
    ///   instance_type = "t3.micro"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_instance" "app" {
    ///   ami           = "ami-0123456789abcdef0"
    ///   instance_type = "t3.micro"
    ///   metadata_options {
    ///     http_tokens = "required"
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe (offered when `http_tokens = "optional"` is written): old SDKs and agents that
    /// only speak IMDSv1 lose access to instance metadata.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
    pub struct Imdsv2 {
        code: "TF-AWS-004",
        name: "imdsv2-not-required",
        title: "EC2 instance metadata service accepts IMDSv1",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "ec2"],
        severity: Severity::High,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_79")],
            trivy: &[Peer::partial("AWS-0028", "only aws_instance"), Peer::partial("AWS-0130", "only launch configurations and templates")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 5.6", "NIST 800-53 AC-3", "MITRE ATT&CK T1552.005"],
        references: &["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html"],
    }
}

impl Check for Imdsv2 {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx.resources {
            if !matches!(
                r.tf_type(),
                Some((
                    "resource",
                    "aws_instance" | "aws_launch_template" | "aws_launch_configuration"
                ))
            ) {
                continue;
            }
            let options = r
                .body
                .get("metadata_options")
                .and_then(|m| m.as_list().first());
            let get = |k: &str| options.and_then(|o: &Node| o.get(k));
            if get("http_endpoint").is_some_and(|e| e.as_str() == Some("disabled")) {
                continue;
            }
            let tokens = get("http_tokens");
            if tokens.is_some_and(|t| t.is_unknown() || t.as_str() == Some("required")) {
                continue;
            }
            let (span, message) = match tokens {
                Some(t) => (
                    t.span,
                    format!("{} accepts IMDSv1 requests (`http_tokens = \"{}\"`)", r.name, t.display()),
                ),
                None => (
                    r.head,
                    format!("{} does not require IMDSv2 (`metadata_options.http_tokens` defaults to `optional`)", r.name),
                ),
            };
            let fix = tokens
                .and_then(|t| replace_scalar(cx.text(r.file), t, "required"))
                .map(|e| {
                    Fix::new(
                        "Require IMDSv2 (`http_tokens = \"required\"`)",
                        Applicability::Unsafe,
                        vec![e],
                    )
                });
            let mut finding = Finding::on(&Self::META, r, span, message).with_fix(fix);
            if let Some(t) = tokens {
                finding = finding.with_origin(t, r.file, "http_tokens");
            }
            out.push(finding);
        }
    }
}
