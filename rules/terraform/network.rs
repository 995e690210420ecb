//! Network exposure shared by the firewall rules of every provider: which sensitive ports a
//! port range opens, and whether a source range is the whole internet.

use crate::model::Node;

/// The transport protocols a firewall rule matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transport {
    Tcp,
    Udp,
    /// Every protocol, or a rule that names none (`*`).
    Any,
}

impl Transport {
    /// `tcp`/`6`, `udp`/`17` in any case; `*`, `-1` and `all` are [`Transport::Any`]. SCTP is
    /// taken as TCP (the services below listen on both alike). `None` for protocols without
    /// ports (ICMP, ESP, AH).
    pub(crate) fn parse(protocol: &str) -> Option<Transport> {
        match protocol.trim().to_ascii_lowercase().as_str() {
            "tcp" | "6" | "sctp" | "132" => Some(Transport::Tcp),
            "udp" | "17" => Some(Transport::Udp),
            "*" | "-1" | "all" => Some(Transport::Any),
            _ => None,
        }
    }

    fn includes(self, service: Serves) -> bool {
        match self {
            Transport::Any => true,
            Transport::Tcp => true,
            Transport::Udp => service == Serves::TcpAndUdp,
        }
    }
}

/// The transports a sensitive service listens on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Serves {
    Tcp,
    TcpAndUdp,
}

/// (first port, last port, service, transports) of remote-administration and database ports.
const SENSITIVE: &[(u32, u32, &str, Serves)] = &[
    (22, 22, "SSH", Serves::Tcp),
    (23, 23, "telnet", Serves::Tcp),
    // RDP 8.0+ carries the session over UDP 3389 too.
    (3389, 3389, "RDP", Serves::TcpAndUdp),
    (5985, 5986, "WinRM", Serves::Tcp),
    (2375, 2376, "the Docker API", Serves::Tcp),
    (3306, 3306, "MySQL", Serves::Tcp),
    (5432, 5432, "PostgreSQL", Serves::Tcp),
    (1433, 1433, "SQL Server", Serves::Tcp),
    (1521, 1521, "Oracle", Serves::Tcp),
    (27017, 27017, "MongoDB", Serves::Tcp),
    (6379, 6379, "Redis", Serves::Tcp),
    (9200, 9200, "Elasticsearch", Serves::Tcp),
    // memcached answers on UDP by default (the amplification attacks of 2018).
    (11211, 11211, "memcached", Serves::TcpAndUdp),
    (5984, 5984, "CouchDB", Serves::Tcp),
];

/// What the port range `from..=to` opens over `transport`: "every port", "SSH (22), RDP
/// (3389)", or `None` when it holds no port of a sensitive service on that transport.
pub(crate) fn exposed_ports(from: u32, to: u32, transport: Transport) -> Option<String> {
    if from <= 1 && to >= 65535 {
        return Some("every port".into());
    }
    let mut ports: Vec<&(u32, u32, &str, Serves)> = SENSITIVE
        .iter()
        .filter(|(a, b, _, serves)| from <= *b && to >= *a && transport.includes(*serves))
        .collect();
    ports.sort_by_key(|(a, ..)| *a);
    let hits: Vec<String> = ports
        .iter()
        .map(|(a, _, what, _)| format!("{what} ({a})"))
        .collect();
    (!hits.is_empty()).then(|| hits.join(", "))
}

/// The traffic an AWS-style rule (security group or network ACL entry) matches.
pub(crate) enum Traffic {
    /// Every protocol (`-1`, `all`).
    All,
    /// TCP or UDP on `from..=to`.
    Ports(u32, u32, Transport),
}

/// The traffic of a rule whose protocol is in `protocol_key` and ports in `from_key`/`to_key`;
/// `None` when unknown or for protocols without ports (ICMP).
pub(crate) fn aws_traffic(
    rule: &Node,
    protocol_key: &str,
    from_key: &str,
    to_key: &str,
) -> Option<Traffic> {
    let protocol = rule.get(protocol_key)?;
    if protocol.is_unknown() {
        return None;
    }
    let transport = Transport::parse(&protocol.display())?;
    if transport == Transport::Any {
        return Some(Traffic::All);
    }
    let port = |k: &str| rule.get(k).and_then(Node::as_f64).map(|n| n as u32);
    Some(Traffic::Ports(port(from_key)?, port(to_key)?, transport))
}

/// What a list of port nodes (`22`, `"3389"`, `"1000-2000"`, `"*"`), each with the transport
/// it is opened on, opens that matters, each service once: "SSH (22), RDP (3389)".
pub(crate) fn exposed_port_list<'a>(
    ports: impl IntoIterator<Item = (&'a Node, Transport)>,
) -> Option<String> {
    let mut hits: Vec<String> = Vec::new();
    for (p, transport) in ports {
        let text = p
            .as_str()
            .map(str::to_string)
            .or_else(|| p.as_f64().map(|n| n.to_string()));
        let what = text
            .as_deref()
            .and_then(port_range)
            .and_then(|(a, b)| exposed_ports(a, b, transport));
        if let Some(what) = what.filter(|w| !hits.contains(w)) {
            hits.push(what);
        }
    }
    (!hits.is_empty()).then(|| hits.join(", "))
}

/// A port or range as firewalls write it: `22`, `"22"`, `"1000-2000"`, `"*"` (every port).
pub(crate) fn port_range(text: &str) -> Option<(u32, u32)> {
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
pub(crate) fn is_internet(source: &str) -> bool {
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
        assert_eq!(
            exposed_ports(0, 65535, Transport::Udp).as_deref(),
            Some("every port")
        );
        assert_eq!(
            exposed_ports(20, 23, Transport::Tcp).as_deref(),
            Some("SSH (22), telnet (23)")
        );
        assert_eq!(exposed_ports(80, 443, Transport::Any), None);
        // Only services that listen on UDP are exposed by a UDP rule.
        assert_eq!(exposed_ports(20, 23, Transport::Udp), None);
        assert_eq!(
            exposed_ports(3000, 12000, Transport::Udp).as_deref(),
            Some("RDP (3389), memcached (11211)")
        );
        assert_eq!(Transport::parse("Udp"), Some(Transport::Udp));
        assert_eq!(Transport::parse("icmp"), None);
        assert!(is_internet("Internet") && is_internet("::/0") && !is_internet("10.0.0.0/8"));
    }
}
