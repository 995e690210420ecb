use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_default_security_group` with `ingress` or `egress` rules. Managing the default
    /// group in Terraform removes every rule it does not list, so the safe form has none.
    ///
    /// ## Why it matters
    /// Every instance, endpoint or function launched without an explicit security group lands
    /// in the default group; any rule it has applies to all of them, unnoticed.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_default_security_group" "default" {
    ///   vpc_id = aws_vpc.main.id
    ///
    ///   ingress {
    ///     protocol  = -1
    ///     self      = true
    ///     from_port = 0
    ///     to_port   = 0
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_default_security_group" "default" {
    ///   vpc_id = aws_vpc.main.id
    /// }
    /// ```
    /// and give each workload a security group of its own.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html
    pub struct DefaultSecurityGroupOpen {
        code: "TF-AWS-008",
        name: "default-security-group-open",
        title: "Default security group allows traffic",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "vpc", "network"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV2_AWS_12")],
            trivy: &[Peer::exact("AWS-0173")],
            kics: &[Peer::exact("VPC Default Security Group Accepts All Traffic"), Peer::partial("Default Security Groups With Unrestricted Traffic", "only rules open to 0.0.0.0/0 or ::/0")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 5.4", "NIST 800-53 SC-7"],
        references: &["https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html"],
    }
}

impl Check for DefaultSecurityGroupOpen {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx
            .resources
            .iter()
            .filter(|r| r.tf_type() == Some(("resource", "aws_default_security_group")))
        {
            for key in ["ingress", "egress"] {
                let Some(entry) = r.body.entry(key) else {
                    continue;
                };
                let n = entry.value.as_list().len();
                if n == 0 {
                    continue;
                }
                out.push(Finding::on(
                    &Self::META,
                    r,
                    entry.key_span,
                    format!(
                        "{} keeps {n} {key} rule{}: the default group should allow nothing",
                        r.name,
                        if n == 1 { "" } else { "s" }
                    ),
                ));
            }
        }
    }
}
