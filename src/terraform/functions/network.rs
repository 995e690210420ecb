//! IP network functions: `cidrsubnet`, `cidrhost`.

use super::Call;
use crate::model::Value;

pub(super) const NAMES: &[&str] = &["cidrsubnet", "cidrhost"];

pub(super) fn call(c: &Call) -> Option<Value> {
    match c.name {
        "cidrsubnet" => Some(Value::String(cidrsubnet(
            &c.string(0)?,
            c.number(1)? as u32,
            c.number(2)? as u128,
        )?)),
        "cidrhost" => Some(Value::String(cidrhost(&c.string(0)?, c.number(1)?)?)),
        _ => None,
    }
}

/// `cidrhost(prefix, hostnum)`: the address numbered `hostnum` in the prefix, counted from its
/// end when negative (-1 is the last); a number past the prefix is an error (unknown).
fn cidrhost(prefix: &str, hostnum: f64) -> Option<String> {
    let (addr, len) = prefix.split_once('/')?;
    let len: u32 = len.parse().ok()?;
    if hostnum.fract() != 0.0 || hostnum.abs() > 2f64.powi(127) {
        return None;
    }
    let ip = addr.parse::<std::net::IpAddr>().ok()?;
    let bits: u32 = if ip.is_ipv4() { 32 } else { 128 };
    let host_bits = bits.checked_sub(len)?;
    let size = 1u128.checked_shl(host_bits).unwrap_or(0);
    let n = hostnum.abs() as u128;
    // The size of a /0 IPv6 prefix (2^128) does not fit: every number does.
    let offset = match (hostnum < 0.0, size) {
        (false, 0) => n,
        (true, 0) => 0u128.wrapping_sub(n),
        (false, s) if n < s => n,
        (true, s) if n <= s => s - n,
        _ => return None,
    };
    Some(match ip {
        std::net::IpAddr::V4(a) => {
            let base = u32::from(a) & mask32(len);
            std::net::Ipv4Addr::from(base | offset as u32).to_string()
        }
        std::net::IpAddr::V6(a) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            std::net::Ipv6Addr::from((u128::from(a) & mask) | offset).to_string()
        }
    })
}

/// `cidrsubnet(prefix, newbits, netnum)` for IPv4 and IPv6 prefixes.
fn cidrsubnet(prefix: &str, newbits: u32, netnum: u128) -> Option<String> {
    let (addr, len) = prefix.split_once('/')?;
    let len: u32 = len.parse().ok()?;
    match addr.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(a) => {
            let new_len = len.checked_add(newbits).filter(|l| *l <= 32)?;
            if newbits < 128 && netnum >> newbits != 0 {
                return None;
            }
            let base = u32::from(a) & mask32(len);
            let net = base | (netnum as u32).checked_shl(32 - new_len).unwrap_or(0);
            Some(format!("{}/{}", std::net::Ipv4Addr::from(net), new_len))
        }
        std::net::IpAddr::V6(a) => {
            let new_len = len.checked_add(newbits).filter(|l| *l <= 128)?;
            if newbits < 128 && netnum >> newbits != 0 {
                return None;
            }
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            let base = u128::from(a) & mask;
            let shift = 128 - new_len;
            let net = base | netnum.checked_shl(shift).unwrap_or(0);
            Some(format!("{}/{}", std::net::Ipv6Addr::from(net), new_len))
        }
    }
}

fn mask32(len: u32) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrsubnet_matches_terraform() {
        assert_eq!(
            cidrsubnet("172.16.0.0/12", 4, 2).as_deref(),
            Some("172.18.0.0/16")
        );
        assert_eq!(
            cidrsubnet("10.1.2.0/24", 4, 15).as_deref(),
            Some("10.1.2.240/28")
        );
        assert_eq!(
            cidrsubnet("10.0.0.0/8", 0, 0).as_deref(),
            Some("10.0.0.0/8")
        );
        assert_eq!(cidrsubnet("10.0.0.0/30", 4, 0), None);
        assert_eq!(cidrsubnet("10.0.0.0/24", 2, 4), None);
    }

    #[test]
    fn cidrhost_matches_terraform() {
        // Checked against `terraform console` (1.11).
        let host = |p: &str, n: f64| cidrhost(p, n);
        assert_eq!(
            host("10.12.112.0/20", 16.0).as_deref(),
            Some("10.12.112.16")
        );
        assert_eq!(
            host("10.12.112.0/20", 268.0).as_deref(),
            Some("10.12.113.12")
        );
        assert_eq!(
            host("10.12.112.0/20", -1.0).as_deref(),
            Some("10.12.127.255")
        );
        assert_eq!(
            host("fd00:fd12:3456:7890:00a2::/72", 34.0).as_deref(),
            Some("fd00:fd12:3456:7890::22")
        );
        assert_eq!(host("10.0.0.0/30", -4.0).as_deref(), Some("10.0.0.0"));
        assert_eq!(host("10.0.0.0/30", 4.0), None);
        assert_eq!(host("10.0.0.0/30", -5.0), None);
        assert_eq!(host("10.0.0.0/33", 0.0), None);
        assert_eq!(
            host("::/0", -1.0).as_deref(),
            Some("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        );
        assert_eq!(host("10.0.0.0/8", 1.5), None);
    }
}
