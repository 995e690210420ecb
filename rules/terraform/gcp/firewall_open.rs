use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::network::{exposed_port_list, Transport};

crate::declare_rule! {
    /// ## What it flags
    /// An enabled ingress `google_compute_firewall` (`direction` unset or `INGRESS`) whose
    /// `source_ranges` contain `0.0.0.0/0` or `::/0` — or that names no source at all (no
    /// `source_ranges`, `source_tags` or `source_service_accounts`), which the API treats as
    /// `0.0.0.0/0` — and whose `allow` blocks open every protocol (`all`), every port of a protocol
    /// (no `ports`), or a remote-administration or database port (SSH 22, RDP 3389, MySQL 3306, …).
    ///
    /// ## Why it matters
    /// SSH and RDP exposed to the internet are brute-forced within minutes of a VM getting a
    /// public address, and databases reachable from anywhere are the usual source of mass data
    /// leaks. Identity-Aware Proxy TCP forwarding (source `35.235.240.0/20`) or a bastion gives the
    /// same access without the exposure.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_compute_firewall" "ssh" {
    ///   name    = "allow-ssh"
    ///   network = google_compute_network.main.name
    ///
    ///   allow {
    ///     protocol = "tcp"
    ///     ports    = ["22"]
    ///   }
    ///
    ///   source_ranges = ["0.0.0.0/0"]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "google_compute_firewall" "ssh" {
    ///   name    = "allow-ssh-from-iap"
    ///   network = google_compute_network.main.name
    ///
    ///   allow {
    ///     protocol = "tcp"
    ///     ports    = ["22"]
    ///   }
    ///
    ///   source_ranges = ["35.235.240.0/20"]
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://cloud.google.com/firewall/docs/firewalls
    pub struct FirewallOpen {
        code: "TF-GCP-003",
        name: "firewall-open",
        title: "VPC firewall allows administration ports or all ports from the internet",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "network", "public-access"],
        severity: Severity::High,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_GCP_2", "only port 22"), Peer::partial("CKV_GCP_3", "only port 3389"), Peer::partial("CKV2_GCP_12", "only all ports")],
            trivy: &[Peer::partial("GCP-0027", "any port open to the internet"), Peer::partial("GCP-0070", "only port 3389"), Peer::partial("GCP-0071", "only port 22"), Peer::partial("GCP-0072", "only all ports")],
            kics: &[Peer::partial("SSH Access Is Not Restricted", "only port 22"), Peer::partial("RDP Access Is Not Restricted", "only port 3389"), Peer::partial("Google Compute Network Using Firewall Rule that Allows All Ports", "only all ports")],
            ..Equivalents::NONE
        },
        compliance: &["CIS GCP Foundations 3.6", "CIS GCP Foundations 3.7", "NIST 800-53 SC-7"],
        references: &["https://cloud.google.com/firewall/docs/firewalls"],
    }
}

const OPEN: &[&str] = &["0.0.0.0/0", "::/0"];

/// What the `allow` blocks open that matters: "every port", "SSH (22), RDP (3389)".
fn exposed(rule: &Node) -> Option<String> {
    let mut ports: Vec<(&Node, Transport)> = Vec::new();
    for allow in rule.get("allow").map(Node::as_list).unwrap_or_default() {
        let Some(protocol) = allow.get("protocol").and_then(Node::as_str) else {
            continue;
        };
        let protocol = protocol.to_ascii_lowercase();
        if protocol == "all" {
            return Some("every protocol and port".into());
        }
        let Some(transport) = Transport::parse(&protocol) else {
            continue;
        };
        let listed = allow.get("ports").map(Node::as_list).unwrap_or_default();
        if listed.is_empty() && allow.get("ports").is_none_or(|p| !p.is_unknown()) {
            return Some(format!("every {protocol} port"));
        }
        ports.extend(listed.iter().map(|p| (p, transport)));
    }
    exposed_port_list(ports)
}

impl Check for FirewallOpen {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx
            .resources
            .iter()
            .filter(|r| r.tf_type() == Some(("resource", "google_compute_firewall")))
        {
            let ingress = r
                .body
                .get("direction")
                .and_then(Node::as_str)
                .is_none_or(|d| d.eq_ignore_ascii_case("INGRESS"));
            if !ingress || r.body.get("disabled").and_then(Node::as_bool) == Some(true) {
                continue;
            }
            let Some(what) = exposed(&r.body) else {
                continue;
            };
            let sources = ["source_ranges", "source_tags", "source_service_accounts"];
            if sources.iter().all(|k| {
                r.body
                    .get(k)
                    .is_none_or(|v| matches!(v.value, crate::model::Value::Null))
            }) {
                out.push(Finding::on(
                    &Self::META,
                    r,
                    r.head,
                    format!("{} allows {what} from anywhere (no source given: the API uses `0.0.0.0/0`)", r.name),
                ));
                continue;
            }
            for open in r
                .body
                .get("source_ranges")
                .map(Node::as_list)
                .unwrap_or_default()
                .iter()
                .filter(|c| c.as_str().is_some_and(|s| OPEN.contains(&s)))
            {
                out.push(
                    Finding::on(
                        &Self::META,
                        r,
                        open.span,
                        format!(
                            "{} allows {what} from anywhere (`{}`)",
                            r.name,
                            open.display()
                        ),
                    )
                    .with_origin(open, r.file, "the source range"),
                );
            }
        }
    }
}
