//! One target or exclude string: an address, a CIDR, an address range or a host name.
//!
//! Errors are the reason only; the caller adds `invalid target "VALUE": ` and any `FILE:LINE`.

use std::net::IpAddr;

use ipnetwork::IpNetwork;

use super::ranges::Interval;

/// What one string names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Spec {
    /// IPv4 addresses, as `u32` values.
    V4(Interval),
    /// IPv6 addresses, as `u128` values.
    V6(Interval),
    /// A host name (RFC 1123), resolved later by the probe engine.
    Name(String),
}

/// Parses a target: an address, a CIDR, a range of addresses (`10.0.0.1-10.0.0.50`, both
/// ends included, one family) or a host name (surrounding whitespace ignored).
///
/// A CIDR with host bits set (`10.0.0.5/24`) means its whole network (`10.0.0.0/24`), as in
/// nmap. Network and broadcast addresses are included.
pub(super) fn target(text: &str) -> Result<Spec, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty".into());
    }
    if let Some((addr, prefix)) = text.split_once('/') {
        return cidr(addr, prefix);
    }
    if let Some(spec) = range(text)? {
        return Ok(spec);
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(single(ip));
    }
    if is_host_name(text) {
        return Ok(Spec::Name(text.to_string()));
    }
    Err(not_a_target(text).into())
}

/// Parses an exclude: an address or a CIDR (host names are refused: excludes apply to
/// addresses, including those that names resolve to).
pub(super) fn exclude(text: &str) -> Result<Spec, String> {
    match target(text)? {
        Spec::Name(_) => Err("excludes must be addresses or CIDRs, not host names".into()),
        spec => Ok(spec),
    }
}

/// The interval of one address.
fn single(ip: IpAddr) -> Spec {
    match ip {
        IpAddr::V4(a) => {
            let v = u128::from(u32::from(a));
            Spec::V4(Interval { start: v, end: v })
        }
        IpAddr::V6(a) => {
            let v = u128::from(a);
            Spec::V6(Interval { start: v, end: v })
        }
    }
}

/// `FIRST-LAST` when both sides are addresses (a host name may hold `-` too: `None` then).
fn range(text: &str) -> Result<Option<Spec>, String> {
    let Some((first, last)) = text.split_once('-') else {
        return Ok(None);
    };
    let (Ok(first), Ok(last)) = (
        first.trim().parse::<IpAddr>(),
        last.trim().parse::<IpAddr>(),
    ) else {
        return Ok(None);
    };
    match (single(first), single(last)) {
        (Spec::V4(a), Spec::V4(b)) if a.start <= b.start => Ok(Some(Spec::V4(Interval {
            start: a.start,
            end: b.start,
        }))),
        (Spec::V6(a), Spec::V6(b)) if a.start <= b.start => Ok(Some(Spec::V6(Interval {
            start: a.start,
            end: b.start,
        }))),
        (Spec::V4(_), Spec::V4(_)) | (Spec::V6(_), Spec::V6(_)) => {
            Err(format!("range runs backwards: {last} is before {first}"))
        }
        _ => Err("a range's two ends must both be IPv4 or both IPv6".into()),
    }
}

/// `ADDR/PREFIX` as the interval of its network. The prefix is checked here so the error can
/// say why; ipnetwork does the network arithmetic.
fn cidr(addr: &str, prefix: &str) -> Result<Spec, String> {
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("{addr:?} is not an IP address"))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let bits = prefix_length(prefix, max)?;
    let network = IpNetwork::new(ip, bits).map_err(|e| e.to_string())?;
    Ok(match network {
        IpNetwork::V4(n) => Spec::V4(Interval {
            start: u128::from(u32::from(n.network())),
            end: u128::from(u32::from(n.broadcast())),
        }),
        IpNetwork::V6(n) => Spec::V6(Interval {
            start: u128::from(n.network()),
            end: u128::from(n.broadcast()),
        }),
    })
}

/// A prefix length: decimal digits, at most `max`.
fn prefix_length(text: &str, max: u8) -> Result<u8, String> {
    if text.is_empty() {
        return Err("missing prefix length after \"/\"".into());
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("prefix length {text:?} is not a number"));
    }
    match text.parse::<u8>() {
        Ok(bits) if bits <= max => Ok(bits),
        _ => Err(format!("prefix length {text} is over {max}")),
    }
}

/// RFC 1123: dot-separated labels of 1–63 letters, digits and hyphens, no hyphen at either
/// end of a label, 253 characters at most, and a last label that is not all digits (so that
/// `300.1.1.1` is a bad address rather than a name).
fn is_host_name(text: &str) -> bool {
    let labels_ok = text.split('.').all(is_label);
    let last_is_numeric = text
        .rsplit('.')
        .next()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()));
    text.len() <= 253 && labels_ok && !last_is_numeric
}

fn is_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-')
}

/// Why a string that has no `/` is neither an address nor a name.
fn not_a_target(text: &str) -> &'static str {
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        "not a valid IPv4 address"
    } else if text.contains(':') {
        "not a valid IPv6 address"
    } else {
        "not an address, CIDR or host name"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn v4(start: [u8; 4], end: [u8; 4]) -> Spec {
        Spec::V4(Interval {
            start: u128::from(u32::from(Ipv4Addr::from(start))),
            end: u128::from(u32::from(Ipv4Addr::from(end))),
        })
    }

    #[test]
    fn parses_addresses_and_networks() {
        assert_eq!(target("10.0.0.1"), Ok(v4([10, 0, 0, 1], [10, 0, 0, 1])));
        assert_eq!(
            target(" 10.20.0.0/16 "),
            Ok(v4([10, 20, 0, 0], [10, 20, 255, 255]))
        );
        assert_eq!(target("0.0.0.0/0"), Ok(v4([0; 4], [255; 4])));
        let fd00 = u128::from("fd00::".parse::<Ipv6Addr>().expect("literal"));
        assert_eq!(
            target("fd00::/120"),
            Ok(Spec::V6(Interval {
                start: fd00,
                end: fd00 + 255
            }))
        );
        assert_eq!(
            target("::/0"),
            Ok(Spec::V6(Interval {
                start: 0,
                end: u128::MAX
            }))
        );
    }

    #[test]
    fn parses_address_ranges() {
        assert_eq!(
            target("10.0.0.1-10.0.0.50"),
            Ok(v4([10, 0, 0, 1], [10, 0, 0, 50]))
        );
        assert_eq!(
            target("10.0.0.7 - 10.0.0.7"),
            Ok(v4([10, 0, 0, 7], [10, 0, 0, 7]))
        );
        let fd00 = u128::from("fd00::".parse::<Ipv6Addr>().expect("literal"));
        assert_eq!(
            target("fd00::-fd00::ff"),
            Ok(Spec::V6(Interval {
                start: fd00,
                end: fd00 + 255
            }))
        );
        assert_eq!(
            target("10.0.0.9-10.0.0.1"),
            Err("range runs backwards: 10.0.0.1 is before 10.0.0.9".into())
        );
        assert_eq!(
            target("10.0.0.1-fd00::1"),
            Err("a range's two ends must both be IPv4 or both IPv6".into())
        );
        // Not two addresses: a host name with a hyphen, or a bad value named as such.
        assert_eq!(
            target("rdp-01.example"),
            Ok(Spec::Name("rdp-01.example".into()))
        );
        assert!(target("10.0.0.1-10.0.0.300").is_err());
    }

    #[test]
    fn host_bits_mean_the_whole_network() {
        assert_eq!(target("10.0.0.5/24"), target("10.0.0.0/24"));
        assert_eq!(target("fd00::1:2/112"), target("fd00::1:0/112"));
    }

    #[test]
    fn parses_host_names() {
        for name in ["localhost", "rdp01.corp.example", "a-b.example", "x1"] {
            assert_eq!(target(name), Ok(Spec::Name(name.to_string())), "{name}");
        }
    }

    #[test]
    fn refuses_bad_values_with_a_reason() {
        let cases = [
            ("10.0.0.0/33", "prefix length 33 is over 32"),
            ("fd00::/129", "prefix length 129 is over 128"),
            (
                "10.0.0.0/99999999999",
                "prefix length 99999999999 is over 32",
            ),
            ("1.2.3.4/", "missing prefix length after \"/\""),
            ("1.2.3.4/+8", "prefix length \"+8\" is not a number"),
            ("host/24", "\"host\" is not an IP address"),
            ("300.1.1.1", "not a valid IPv4 address"),
            ("1.2.3", "not a valid IPv4 address"),
            ("fe80::1%eth0", "not a valid IPv6 address"),
            ("-x", "not an address, CIDR or host name"),
            ("a..b", "not an address, CIDR or host name"),
            ("under_score.example", "not an address, CIDR or host name"),
            ("", "empty"),
            ("   ", "empty"),
        ];
        for (value, reason) in cases {
            assert_eq!(target(value), Err(reason.to_string()), "{value:?}");
        }
    }

    #[test]
    fn refuses_overlong_names_and_labels() {
        let label = "a".repeat(64);
        assert!(target(&label).is_err());
        let name = ["abc"; 64].join(".");
        assert!(name.len() > 253);
        assert!(target(&name).is_err());
        assert!(target(&"a".repeat(63)).is_ok());
    }

    #[test]
    fn excludes_refuse_names() {
        assert!(exclude("10.0.0.0/8").is_ok());
        assert_eq!(
            exclude("rdp01.corp.example"),
            Err("excludes must be addresses or CIDRs, not host names".into())
        );
    }
}
