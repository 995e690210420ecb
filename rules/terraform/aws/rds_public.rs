use crate::edit::replace_scalar;
use crate::fix::{Applicability, Fix};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// An RDS database instance (`aws_db_instance`, `aws_rds_cluster_instance`) with
    /// `publicly_accessible = true`. The provider default is `false`, so an unset attribute is
    /// not flagged; values from variables are resolved, unknown values never flagged.
    ///
    /// ## Why it matters
    /// A publicly accessible instance gets a DNS name that resolves to a public IP: the
    /// database port is one security-group rule away from the internet, where credential
    /// stuffing and engine exploits start within minutes.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "app" {
    ///   publicly_accessible = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "app" {
    ///   publicly_accessible = false
    /// }
    /// ```
    /// and reach it through the VPC (a bastion with Session Manager, a VPN, RDS Proxy).
    ///
    /// ## Fix safety
    /// Unsafe: clients outside the VPC lose access.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.Hiding
    pub struct RdsPublic {
        code: "TF-AWS-003",
        name: "rds-public",
        title: "RDS instance is publicly accessible",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "rds", "public-access"],
        severity: Severity::Critical,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_17")],
            trivy: &[Peer::exact("AWS-0180")],
            kics: &[Peer::exact("RDS DB Instance Publicly Accessible")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 2.3.3", "NIST 800-53 AC-4", "NIST 800-53 SC-7"],
        references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html"],
    }
}

impl Check for RdsPublic {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx.resources {
            if !matches!(
                r.tf_type(),
                Some(("resource", "aws_db_instance" | "aws_rds_cluster_instance"))
            ) {
                continue;
            }
            let Some(value) = r.body.get("publicly_accessible") else {
                continue;
            };
            if value.as_bool() != Some(true) {
                continue;
            }
            let fix = replace_scalar(cx.text(r.file), value, "false").map(|e| {
                Fix::new(
                    "Set `publicly_accessible = false`",
                    Applicability::Unsafe,
                    vec![e],
                )
            });
            out.push(
                Finding::on(
                    &Self::META,
                    r,
                    value.span,
                    format!(
                        "{} is reachable from outside its VPC (`publicly_accessible = true`)",
                        r.name
                    ),
                )
                .with_origin(value, r.file, "publicly_accessible")
                .with_fix(fix),
            );
        }
    }
}
