//! Network exposure shared by the firewall rules of every provider: which sensitive ports a
//! port range opens, and whether a source range is the whole internet.

use crate::model::Node;

/// (first port, last port, service) of remote-administration and database ports.
pub const SENSITIVE: &[(u32, u32, &str)] = &[
    (22, 22, "SSH"),
    (23, 23, "telnet"),
    (3389, 3389, "RDP"),
    (5985, 5986, "WinRM"),
    (2375, 2376, "the Docker API"),
    (3306, 3306, "MySQL"),
    (5432, 5432, "PostgreSQL"),
    (1433, 1433, "SQL Server"),
    (1521, 1521, "Oracle"),
    (27017, 27017, "MongoDB"),
    (6379, 6379, "Redis"),
    (9200, 9200, "Elasticsearch"),
    (11211, 11211, "memcached"),
    (5984, 5984, "CouchDB"),
];

/// What the port range `from..=to` opens: "every port", "SSH (22), RDP (3389)", or `None` when
/// it holds no sensitive port.
pub fn exposed_ports(from: u32, to: u32) -> Option<String> {
    if from <= 1 && to >= 65535 {
        return Some("every port".into());
    }
    let mut ports: Vec<&(u32, u32, &str)> = SENSITIVE
        .iter()
        .filter(|(a, b, _)| from <= *b && to >= *a)
        .collect();
    ports.sort();
    let hits: Vec<String> = ports
        .iter()
        .map(|(a, _, what)| format!("{what} ({a})"))
        .collect();
    (!hits.is_empty()).then(|| hits.join(", "))
}

/// The traffic an AWS-style rule (security group or network ACL entry) matches.
pub enum Traffic {
    /// Every protocol (`-1`, `all`).
    All,
    /// TCP or UDP on `from..=to`.
    Ports(u32, u32),
}

/// The traffic of a rule whose protocol is in `protocol_key` and ports in `from_key`/`to_key`;
/// `None` when unknown or for protocols without ports (ICMP).
pub fn aws_traffic(
    rule: &Node,
    protocol_key: &str,
    from_key: &str,
    to_key: &str,
) -> Option<Traffic> {
    let protocol = rule.get(protocol_key)?;
    if protocol.is_unknown() {
        return None;
    }
    let p = protocol.display().to_ascii_lowercase();
    if p == "-1" || p == "all" {
        return Some(Traffic::All);
    }
    if !matches!(p.as_str(), "tcp" | "6" | "udp" | "17") {
        return None;
    }
    let port = |k: &str| rule.get(k).and_then(Node::as_f64).map(|n| n as u32);
    Some(Traffic::Ports(port(from_key)?, port(to_key)?))
}

/// What a list of port nodes (`22`, `"3389"`, `"1000-2000"`, `"*"`) opens that matters, each
/// service once: "SSH (22), RDP (3389)".
pub fn exposed_port_list<'a>(ports: impl IntoIterator<Item = &'a Node>) -> Option<String> {
    let mut hits: Vec<String> = Vec::new();
    for p in ports {
        let text = p
            .as_str()
            .map(str::to_string)
            .or_else(|| p.as_f64().map(|n| n.to_string()));
        let what = text
            .as_deref()
            .and_then(port_range)
            .and_then(|(a, b)| exposed_ports(a, b));
        if let Some(what) = what.filter(|w| !hits.contains(w)) {
            hits.push(what);
        }
    }
    (!hits.is_empty()).then(|| hits.join(", "))
}

/// A port or range as firewalls write it: `22`, `"22"`, `"1000-2000"`, `"*"` (every port).
pub fn port_range(text: &str) -> Option<(u32, u32)> {
    let text = text.trim();
    if text == "*" {
        return Some((0, 65535));
    }
    match text.split_once('-') {
        Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
        None => {
            let p = text.parse().ok()?;
            Some((p, p))
        }
    }
}

/// Sources that mean the whole internet, in every provider's spelling.
pub fn is_internet(source: &str) -> bool {
    matches!(
        source.trim().to_ascii_lowercase().as_str(),
        "0.0.0.0/0" | "::/0" | "*" | "internet" | "any" | "0.0.0.0"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_ports() {
        assert_eq!(port_range("22"), Some((22, 22)));
        assert_eq!(port_range("1000-2000"), Some((1000, 2000)));
        assert_eq!(port_range("*"), Some((0, 65535)));
        assert_eq!(port_range("ssh"), None);
        assert_eq!(exposed_ports(0, 65535).as_deref(), Some("every port"));
        assert_eq!(
            exposed_ports(20, 23).as_deref(),
            Some("SSH (22), telnet (23)")
        );
        assert_eq!(exposed_ports(80, 443), None);
        assert!(is_internet("Internet") && is_internet("::/0") && !is_internet("10.0.0.0/8"));
    }
}
