use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::network::{aws_traffic, exposed_ports, Traffic};

crate::declare_rule! {
    /// ## What it flags
    /// An `allow` entry for ingress from `0.0.0.0/0` or `::/0` in an `aws_network_acl` (inline
    /// `ingress` blocks) or an `aws_network_acl_rule` (`egress` unset or `false`) that covers every
    /// protocol (`-1`/`all`), every port, or a remote-administration or database port (SSH 22, RDP
    /// 3389, MySQL 3306, PostgreSQL 5432, Redis 6379, …; on UDP only the services that listen
    /// there, RDP and memcached). An ephemeral range (from 1024 or above up to 65535) is not
    /// flagged: network ACLs are stateless, and a public subnet must let the return traffic of
    /// outbound connections back in on those ports. A narrower range above 1024 (`3389`,
    /// `5432-5432`) is an ordinary opening and is judged like any other.
    ///
    /// ## Why it matters
    /// A network ACL is the subnet-wide layer under security groups: one that lets the
    /// internet reach SSH or RDP leaves the instances of the subnet protected by their security
    /// groups alone, and one that allows everything adds no protection at all.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_network_acl_rule" "ssh" {
    ///   network_acl_id = aws_network_acl.public.id
    ///   rule_number    = 100
    ///   protocol       = "tcp"
    ///   rule_action    = "allow"
    ///   cidr_block     = "0.0.0.0/0"
    ///   from_port      = 22
    ///   to_port        = 22
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_network_acl_rule" "ssh" {
    ///   network_acl_id = aws_network_acl.public.id
    ///   rule_number    = 100
    ///   protocol       = "tcp"
    ///   rule_action    = "allow"
    ///   cidr_block     = "10.0.0.0/8"
    ///   from_port      = 22
    ///   to_port        = 22
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
    pub struct NaclOpen {
        code: "TF-AWS-031",
        name: "nacl-open",
        title: "Network ACL allows administration ports or all traffic from the internet",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "network", "public-access"],
        severity: Severity::High,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_AWS_229", "port 21 (FTP), which this rule does not count; both flag entries that open every port"), Peer::partial("CKV_AWS_230", "port 20 (FTP data), which this rule does not count; both flag entries that open every port"), Peer::partial("CKV_AWS_231", "only port 3389"), Peer::partial("CKV_AWS_232", "only port 22")],
            trivy: &[Peer::partial("AWS-0102", "only every port"), Peer::partial("AWS-0105", "only SSH and RDP")],
            kics: &[Peer::partial("Network ACL With Unrestricted Access To SSH", "only port 22"), Peer::partial("Network ACL With Unrestricted Access To RDP", "only port 3389")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 5.1", "NIST 800-53 SC-7"],
        references: &["https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html"],
    }
}

const OPEN: &[&str] = &["0.0.0.0/0", "::/0"];

/// What an allowed ingress entry exposes, if anything sensitive.
fn exposed(entry: &Node) -> Option<String> {
    match aws_traffic(entry, "protocol", "from_port", "to_port")? {
        Traffic::All => Some("all traffic".into()),
        // Return traffic on the ephemeral ports: a range from 1024 or above up to the last port.
        Traffic::Ports(from, 65535, _) if from >= 1024 => None,
        Traffic::Ports(from, to, transport) => exposed_ports(from, to, transport),
    }
}

impl Check for NaclOpen {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx.resources {
            let (entries, action_key): (Vec<&Node>, &str) = match r.tf_type() {
                Some(("resource", "aws_network_acl")) => (
                    r.body
                        .get("ingress")
                        .map(Node::as_list)
                        .unwrap_or_default()
                        .iter()
                        .collect(),
                    "action",
                ),
                Some(("resource", "aws_network_acl_rule"))
                    if r.body.get("egress").and_then(Node::as_bool) != Some(true) =>
                {
                    (vec![&r.body], "rule_action")
                }
                _ => continue,
            };
            for entry in entries {
                if !entry
                    .get(action_key)
                    .and_then(Node::as_str)
                    .is_some_and(|a| a.eq_ignore_ascii_case("allow"))
                {
                    continue;
                }
                let Some(what) = exposed(entry) else {
                    continue;
                };
                for cidr in ["cidr_block", "ipv6_cidr_block"]
                    .iter()
                    .filter_map(|k| entry.get(k))
                    .filter(|c| c.as_str().is_some_and(|s| OPEN.contains(&s)))
                {
                    out.push(
                        Finding::on(
                            &Self::META,
                            r,
                            cidr.span,
                            format!(
                                "{} allows {what} from anywhere (`{}`)",
                                r.name,
                                cidr.display()
                            ),
                        )
                        .with_origin(cidr, r.file, "the CIDR"),
                    );
                }
            }
        }
    }
}
