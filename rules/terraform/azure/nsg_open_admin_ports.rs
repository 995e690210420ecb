use crate::model::{Node, Value};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::network::{exposed_port_list, is_internet, Transport};

crate::declare_rule! {
    /// ## What it flags
    /// An inbound `Allow` rule — a `security_rule` block of `azurerm_network_security_group` or
    /// an `azurerm_network_security_rule` — whose source is the internet (`*`, `Internet`, `Any`,
    /// `0.0.0.0/0`, `::/0` in `source_address_prefix` or `source_address_prefixes`) and whose
    /// destination ports (`destination_port_range(s)`, for protocols `Tcp`, `Udp` or `*`) include
    /// every port or a remote-administration or database port (SSH 22, RDP 3389, WinRM, SQL Server
    /// 1433, …). A `Udp` rule is judged by the services that listen on UDP (RDP's UDP transport,
    /// memcached): SSH, telnet and the databases do not.
    ///
    /// ## Why it matters
    /// SSH and RDP open to the internet are brute-forced within minutes, and RDP has a history of
    /// pre-authentication vulnerabilities. Azure Bastion or just-in-time VM access gives the same
    /// access without a standing exposure.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_network_security_rule" "ssh" {
    ///   name                        = "ssh"
    ///   priority                    = 100
    ///   direction                   = "Inbound"
    ///   access                      = "Allow"
    ///   protocol                    = "Tcp"
    ///   source_port_range           = "*"
    ///   destination_port_range      = "22"
    ///   source_address_prefix       = "*"
    ///   destination_address_prefix  = "*"
    ///   resource_group_name         = azurerm_resource_group.main.name
    ///   network_security_group_name = azurerm_network_security_group.app.name
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_network_security_rule" "ssh" {
    ///   name                        = "ssh-from-bastion"
    ///   priority                    = 100
    ///   direction                   = "Inbound"
    ///   access                      = "Allow"
    ///   protocol                    = "Tcp"
    ///   source_port_range           = "*"
    ///   destination_port_range      = "22"
    ///   source_address_prefix       = "10.0.250.0/26"
    ///   destination_address_prefix  = "*"
    ///   resource_group_name         = azurerm_resource_group.main.name
    ///   network_security_group_name = azurerm_network_security_group.app.name
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview
    pub struct NsgOpenAdminPorts {
        code: "TF-AZURE-005",
        name: "nsg-open-admin-ports",
        title: "Network security group allows administration ports from the internet",
        domain: Domain::Terraform,
        tags: &["terraform", "azure", "network", "public-access"],
        severity: Severity::High,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_AZURE_10", "only port 22"), Peer::partial("CKV_AZURE_9", "only port 3389")],
            trivy: &[Peer::partial("AZU-0050", "only port 22"), Peer::partial("AZU-0048", "only port 3389"), Peer::partial("AZU-0047", "any port open to the internet"), Peer::partial("AZU-0074", "a list of sensitive ports, from any wide network")],
            kics: &[Peer::partial("SSH Is Exposed To The Internet", "only port 22"), Peer::partial("RDP Is Exposed To The Internet", "only port 3389")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Azure Foundations 6.1", "CIS Azure Foundations 6.2", "NIST 800-53 SC-7"],
        references: &["https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview"],
    }
}

fn values(rule: &Node, keys: &[&str]) -> Vec<Node> {
    keys.iter()
        .filter_map(|k| rule.get(k))
        .flat_map(|v| match &v.value {
            Value::List(items) => items.clone(),
            _ => vec![v.clone()],
        })
        .collect()
}

fn exposed(rule: &Node, transport: Transport) -> Option<String> {
    let ports = values(rule, &["destination_port_range", "destination_port_ranges"]);
    exposed_port_list(ports.iter().map(|p| (p, transport)))
}

fn is(rule: &Node, key: &str, want: &str) -> bool {
    rule.get(key)
        .and_then(Node::as_str)
        .is_some_and(|v| v.eq_ignore_ascii_case(want))
}

impl Check for NsgOpenAdminPorts {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx.resources {
            let rules: Vec<&Node> = match r.tf_type() {
                Some(("resource", "azurerm_network_security_group")) => r
                    .body
                    .get("security_rule")
                    .map(Node::as_list)
                    .unwrap_or_default()
                    .iter()
                    .collect(),
                Some(("resource", "azurerm_network_security_rule")) => vec![&r.body],
                _ => continue,
            };
            for rule in rules {
                if !is(rule, "direction", "Inbound") || !is(rule, "access", "Allow") {
                    continue;
                }
                // ICMP, ESP and AH have no ports; a UDP rule opens only what listens on UDP.
                let Some(transport) = rule
                    .get("protocol")
                    .and_then(Node::as_str)
                    .and_then(Transport::parse)
                else {
                    continue;
                };
                let Some(what) = exposed(rule, transport) else {
                    continue;
                };
                for source in ["source_address_prefix", "source_address_prefixes"]
                    .iter()
                    .filter_map(|k| rule.get(k))
                    .flat_map(|v| {
                        if v.as_list().is_empty() {
                            vec![v]
                        } else {
                            v.as_list().iter().collect()
                        }
                    })
                    .filter(|s| s.as_str().is_some_and(is_internet))
                {
                    out.push(
                        Finding::on(
                            &Self::META,
                            r,
                            source.span,
                            format!(
                                "{} allows {what} from the internet (`{}`)",
                                r.name,
                                source.display()
                            ),
                        )
                        .with_origin(source, r.file, "the source"),
                    );
                }
            }
        }
    }
}
