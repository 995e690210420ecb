use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_instance`, an `aws_launch_configuration`, or the network interface of an
    /// `aws_launch_template`, with `associate_public_ip_address = true`. Unset is not flagged: the
    /// subnet's `map_public_ip_on_launch` decides then, and the provider does not force a public
    /// address.
    ///
    /// ## Why it matters
    /// An instance with a public address is reachable from the internet as soon as a security
    /// group rule allows it; instances behind a load balancer or NAT gateway need none.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_instance" "app" {
    ///   associate_public_ip_address = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_instance" "app" {
    ///   associate_public_ip_address = false
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: clients that reach the instance directly lose access; Terraform replaces the instance.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-instance-addressing.html#concepts-public-addresses
    pub struct Ec2PublicIp {
        code: "TF-AWS-013",
        name: "ec2-public-ip",
        title: "EC2 instance gets a public IP address",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "ec2", "public-access"],
        severity: Severity::Low,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_88")],
            trivy: &[Peer::partial("AWS-0009", "only launch configurations")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 SC-7"],
        references: &["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-instance-addressing.html#concepts-public-addresses"],
    }
}

const SETTING: Setting = Setting {
    types: &["aws_instance"],
    path: &["associate_public_ip_address"],
    want: Want::Bool {
        want: false,
        default: false,
    },
    fix: Some(("false", Applicability::Unsafe)),
    skip: None,
};

/// A launch template's first network interface (instances and Auto Scaling groups launched
/// from it).
const TEMPLATE: Setting = Setting {
    types: &["aws_launch_template"],
    path: &["network_interfaces", "associate_public_ip_address"],
    ..SETTING
};

/// A launch configuration (the older form of a template for Auto Scaling groups).
const LAUNCH_CONFIGURATION: Setting = Setting {
    types: &["aws_launch_configuration"],
    ..SETTING
};

impl Check for Ec2PublicIp {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for setting in [SETTING, TEMPLATE, LAUNCH_CONFIGURATION] {
            setting.report(&Self::META, cx, out, |r, value| match value {
                Some(v) => format!(
                    "{} sets `associate_public_ip_address = {}`: {} reachable from the internet",
                    r.name,
                    v.display(),
                    if setting.types != SETTING.types {
                        "the instances it launches are"
                    } else {
                        "it is"
                    }
                ),
                None => format!("{} gets a public IP address", r.name),
            });
        }
    }
}
