use crate::model::{Node, Resource};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Related, Severity};
use crate::rules::terraform::network::{aws_traffic, exposed_ports, Traffic};
use crate::terraform::join::referenced;

crate::declare_rule! {
    /// ## What it flags
    /// Ingress from the whole internet (`0.0.0.0/0` or `::/0`) to a remote-administration or
    /// database port, or to every port: SSH 22, telnet 23, RDP 3389, WinRM 5985–5986, the
    /// Docker API 2375–2376, MySQL 3306, PostgreSQL 5432, SQL Server 1433, Oracle 1521,
    /// MongoDB 27017, Redis 6379, Elasticsearch 9200, memcached 11211, CouchDB 5984, or
    /// protocol `-1`/`all`. All three ways of writing a rule are checked: inline `ingress`
    /// blocks of `aws_security_group`, `aws_security_group_rule` with `type = "ingress"`, and
    /// `aws_vpc_security_group_ingress_rule` (provider v5); a separate rule is joined to the
    /// group it configures. Ports and CIDRs from variables and locals are resolved; unknown
    /// values are never flagged.
    ///
    /// Web ports (80, 443) open to the internet are not flagged: that is what a public load
    /// balancer is for.
    ///
    /// ## Why it matters
    /// Internet-wide scanners find an open SSH, RDP or database port within minutes and start
    /// guessing passwords and trying exploits; an exposed Docker API or Redis is remote code
    /// execution without any password at all.
    ///
    /// ## Example
    /// ```hcl
    /// ingress {
    ///   from_port   = 22
    ///   to_port     = 22
    ///   protocol    = "tcp"
    ///   cidr_blocks = ["0.0.0.0/0"]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// ingress {
    ///   from_port   = 22
    ///   to_port     = 22
    ///   protocol    = "tcp"
    ///   cidr_blocks = [var.office_cidr]
    /// }
    /// ```
    /// or no SSH at all: AWS Systems Manager Session Manager needs no inbound port.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
    pub struct OpenSecurityGroup {
        code: "TF-AWS-002",
        name: "open-security-group",
        title: "Security group open to the internet on an admin or database port",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "network", "public-access"],
        severity: Severity::Critical,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_AWS_24", "only port 22"), Peer::partial("CKV_AWS_25", "only port 3389"), Peer::partial("CKV_AWS_277", "only every port")],
            trivy: &[Peer::partial("AWS-0107", "only SSH and RDP")],
            kics: &[Peer::partial("Security Group With Unrestricted Access To SSH", "only port 22"), Peer::partial("Remote Desktop Port Open To Internet", "only port 3389"), Peer::partial("Unrestricted Security Group Ingress", "any port open to the internet"), Peer::partial("Sensitive Port Is Exposed To Entire Network", "a wider list of ports, from any wide network")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 5.2", "CIS AWS Foundations 5.3", "NIST 800-53 SC-7"],
        references: &["https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"],
    }
}

const OPEN: &[&str] = &["0.0.0.0/0", "::/0"];

/// What an ingress rule exposes, when it is known: "SSH (22)", "every port".
fn exposed(rule: &Node, from_key: &str, to_key: &str, protocol_key: &str) -> Option<String> {
    match aws_traffic(rule, protocol_key, from_key, to_key)? {
        Traffic::All => Some("every port and protocol".into()),
        Traffic::Ports(from, to, transport) => exposed_ports(from, to, transport),
    }
}

/// The open CIDR nodes of a rule.
fn open_cidrs<'a>(rule: &'a Node, keys: &[&str]) -> Vec<&'a Node> {
    keys.iter()
        .filter_map(|k| rule.get(k))
        .flat_map(|v| {
            if v.as_list().is_empty() {
                vec![v]
            } else {
                v.as_list().iter().collect()
            }
        })
        .filter(|n| n.as_str().is_some_and(|s| OPEN.contains(&s)))
        .collect()
}

/// The security group a separate rule resource configures, by reference.
fn group_of<'a>(resources: &'a [Resource], rule: &Resource) -> Option<&'a Resource> {
    referenced(
        resources,
        rule.body.get("security_group_id")?,
        &["aws_security_group", "aws_default_security_group"],
    )
}

impl Check for OpenSecurityGroup {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx.resources {
            let (rules, from, to, protocol, cidr_keys): (Vec<&Node>, &str, &str, &str, &[&str]) =
                match r.tf_type() {
                    Some(("resource", "aws_security_group")) => (
                        r.body
                            .get("ingress")
                            .map(Node::as_list)
                            .unwrap_or_default()
                            .iter()
                            .collect(),
                        "from_port",
                        "to_port",
                        "protocol",
                        &["cidr_blocks", "ipv6_cidr_blocks"],
                    ),
                    Some(("resource", "aws_security_group_rule"))
                        if r.body.get("type").and_then(Node::as_str) == Some("ingress") =>
                    {
                        (
                            vec![&r.body],
                            "from_port",
                            "to_port",
                            "protocol",
                            &["cidr_blocks", "ipv6_cidr_blocks"],
                        )
                    }
                    Some(("resource", "aws_vpc_security_group_ingress_rule")) => (
                        vec![&r.body],
                        "from_port",
                        "to_port",
                        "ip_protocol",
                        &["cidr_ipv4", "cidr_ipv6"],
                    ),
                    _ => continue,
                };
            let group = group_of(cx.resources, r).filter(|g| g.name != r.name);
            for rule in rules {
                let Some(what) = exposed(rule, from, to, protocol) else {
                    continue;
                };
                for cidr in open_cidrs(rule, cidr_keys) {
                    let subject = group.map(|g| g.name.as_str()).unwrap_or(r.name.as_str());
                    let mut finding = Finding::on(
                        &Self::META,
                        r,
                        cidr.span,
                        format!(
                            "{subject} allows {} from anywhere (`{}`)",
                            what,
                            cidr.display()
                        ),
                    )
                    .with_origin(cidr, r.file, "the CIDR");
                    if let Some(g) = group {
                        finding.resource = Some(g.name.clone());
                        finding.related.push(Related {
                            file: g.file,
                            span: g.head,
                            message: format!("{} is declared here", g.name),
                        });
                    }
                    out.push(finding);
                }
            }
        }
    }
}
