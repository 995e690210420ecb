use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_redshift_cluster` whose `publicly_accessible` is `true` or unset: the AWS provider
    /// v5 default is `true` (v6 changed it to `false`; pin the value either way).
    ///
    /// ## Why it matters
    /// A public cluster gets an internet-resolvable address; its port is then one security-group
    /// rule away from the internet.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_redshift_cluster" "dw" {
    ///   cluster_identifier = "dw"
    ///   node_type          = "ra3.xlplus"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_redshift_cluster" "dw" {
    ///   cluster_identifier  = "dw"
    ///   node_type           = "ra3.xlplus"
    ///   publicly_accessible = false
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: clients outside the VPC lose access.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/redshift/latest/mgmt/managing-clusters-vpc.html
    pub struct RedshiftPublic {
        code: "TF-AWS-026",
        name: "redshift-public",
        title: "Redshift cluster is publicly accessible",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "redshift", "public-access"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_87")],
            kics: &[Peer::exact("Redshift Publicly Accessible")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 SC-7"],
        references: &["https://docs.aws.amazon.com/redshift/latest/mgmt/managing-clusters-vpc.html"],
    }
}

const SETTING: Setting = Setting {
    types: &["aws_redshift_cluster"],
    path: &["publicly_accessible"],
    want: Want::Bool {
        want: false,
        default: true,
    },
    fix: Some(("false", Applicability::Unsafe)),
    skip: None,
};

impl Check for RedshiftPublic {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `publicly_accessible = {}`", r.name, v.display()),
            None => format!(
                "{} leaves `publicly_accessible` unset (the provider v5 default is true)",
                r.name
            ),
        });
    }
}
