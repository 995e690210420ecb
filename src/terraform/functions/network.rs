//! IP network functions: `cidrsubnet`.

use super::Call;
use crate::model::Value;

pub(super) const NAMES: &[&str] = &["cidrsubnet"];

pub(super) fn call(c: &Call) -> Option<Value> {
    match c.name {
        "cidrsubnet" => Some(Value::String(cidrsubnet(
            &c.string(0)?,
            c.number(1)? as u32,
            c.number(2)? as u128,
        )?)),
        _ => None,
    }
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
}
