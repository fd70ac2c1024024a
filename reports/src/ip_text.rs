//! Addresses as text, cheaply. `std`'s `Display` of an IPv4 address goes through the
//! formatting machinery once per octet, about a thousand instructions an address, and the
//! report files write each host's address some eight times (its row, its findings, its
//! remediation rows, its page row, subnet and details). [`IpText`] writes the same text with a
//! few dozen; the tests check it against `std` for every octet value.

use std::fmt;
use std::net::IpAddr;

/// `ip` as its own `Display` writes it.
#[derive(Debug, Clone, Copy)]
pub struct IpText(pub IpAddr);

impl fmt::Display for IpText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v4 = match self.0 {
            IpAddr::V4(v4) => v4,
            // Written far less often (and longer to spell out): std's own.
            IpAddr::V6(v6) => return v6.fmt(f),
        };
        let mut text = [0u8; 15];
        let mut len = 0;
        for (i, octet) in v4.octets().into_iter().enumerate() {
            if i > 0 {
                text[len] = b'.';
                len += 1;
            }
            for (place, shown) in [(100, octet >= 100), (10, octet >= 10), (1, true)] {
                if shown {
                    text[len] = b'0' + octet / place % 10;
                    len += 1;
                }
            }
        }
        f.pad(std::str::from_utf8(&text[..len]).expect("ASCII digits and dots"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn every_octet_value_in_every_place_is_written_as_std_writes_it() {
        for value in 0..=255u8 {
            for place in 0..4 {
                let mut octets = [1, 20, 255, 0];
                octets[place] = value;
                let ip = IpAddr::V4(Ipv4Addr::from(octets));
                assert_eq!(IpText(ip).to_string(), ip.to_string());
            }
        }
    }

    #[test]
    fn ipv6_and_padding_are_std_s() {
        for text in [
            "::1",
            "fd00::7",
            "2001:db8::ffff:1.2.3.4",
            "::ffff:10.0.0.1",
        ] {
            let ip: IpAddr = text.parse().unwrap();
            assert_eq!(IpText(ip).to_string(), ip.to_string());
        }
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(format!("[{:>12}]", IpText(ip)), format!("[{ip:>12}]"));
    }
}
