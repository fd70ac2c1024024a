//! What `rdpsweep scan --deep` learns of one listener: which security protocols it accepts
//! (asked one at a time), which TLS versions it completes (one at a time), its
//! standard-security encryption (one method offered at a time) and its NTLM identity.
//!
//! "Accepted" is exact: a protocol is accepted only when the Connection Confirm selects exactly
//! the protocol asked for, and a TLS version only when the server answers at exactly that
//! version. A server that answers a request with another selection, a failure code, or another
//! TLS version has that answer recorded, not counted as support.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::timestamp;
pub use crate::vocab::TlsVersion;
use crate::vocab::{
    word_enum, NegFailure, RdpStatus, SelectedProtocol, TcpStatus, TlsStatus, TlsWireVersion,
    UnknownWord,
};

/// Everything the deep probe found; `Observation::deep` is `None` when `--deep` was not given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeepObservation {
    /// One answer per protocol asked for, in the order of [`MATRIX`].
    #[serde(default)]
    pub protocols: Vec<ProtocolAnswer>,
    /// One attempt per TLS version, TLS 1.0 first.
    #[serde(default)]
    pub tls_versions: Vec<TlsVersionAnswer>,
    /// Standard RDP security (MCS Connect Initial / Response); `None` when not probed.
    #[serde(default)]
    pub rdp_security: Option<RdpSecurity>,
    /// The NTLM CHALLENGE's identity fields; `None` when not probed.
    #[serde(default)]
    pub ntlm: Option<NtlmIdentity>,
    /// TCP connections this target took in all, the ordinary probe's included.
    #[serde(default)]
    pub connections: u32,
    /// Steps that did not run or learned nothing, each with why (not applicable, not in this
    /// build, the connection budget, an interrupted scan, the server's answer).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// The protocols of the matrix in the order they are reported, each with the
/// requestedProtocols value sent for it (MS-RDPBCGR 2.2.1.1.1): HYBRID is sent as SSL|HYBRID
/// and HYBRID_EX as SSL|HYBRID|HYBRID_EX, as clients do.
pub const MATRIX: [(SelectedProtocol, u32); 6] = [
    (SelectedProtocol(0x00), 0x00),
    (SelectedProtocol(0x01), 0x01),
    (SelectedProtocol(0x02), 0x03),
    (SelectedProtocol(0x08), 0x0b),
    (SelectedProtocol(0x04), 0x04),
    (SelectedProtocol(0x10), 0x10),
];

/// The answer to one Connection Request of the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtocolAnswer {
    /// The protocol asked about.
    pub protocol: SelectedProtocol,
    /// The requestedProtocols value sent.
    pub requested: u32,
    /// True when the answer came from the ordinary probe's connection (which sends
    /// SSL|HYBRID|HYBRID_EX) rather than a connection of its own.
    #[serde(default)]
    pub from_first_probe: bool,
    pub tcp: TcpStatus,
    pub rdp: Option<RdpStatus>,
    /// What the Confirm selected (`rdp` for a Confirm without negotiation data).
    pub selected: Option<SelectedProtocol>,
    pub neg_failure: Option<NegFailure>,
    /// True only when `selected` is exactly `protocol`.
    pub accepted: bool,
    pub error: Option<String>,
}

/// One TLS version tried on its own connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TlsVersionAnswer {
    pub version: TlsVersion,
    /// True only when the handshake reached exactly `version`.
    pub accepted: bool,
    /// How the handshake went; `None` when the connection never got to TLS.
    pub tls: Option<TlsStatus>,
    /// The version the server answered with, when it answered (it may differ from `version`).
    pub server_version: Option<TlsWireVersion>,
    pub cipher: Option<String>,
    pub error: Option<String>,
}

word_enum! {
    /// The server's encryptionLevel in SC_SECURITY (MS-RDPBCGR 2.2.1.4.3).
    EncryptionLevel, "encryption level" {
        None => "none",
        Low => "low",
        ClientCompatible => "client-compatible",
        High => "high",
        Fips => "fips",
    }
}

impl EncryptionLevel {
    /// The level of an encryptionLevel value (0 to 4), if it is one.
    pub fn from_wire(value: u32) -> Option<Self> {
        Self::ALL.get(usize::try_from(value).ok()?).copied()
    }
}

word_enum! {
    /// An encryption method of standard RDP security (MS-RDPBCGR 2.2.1.3.3).
    EncryptionMethod, "encryption method" {
        Bits40 => "40bit",
        Bits56 => "56bit",
        Bits128 => "128bit",
        Fips => "fips",
    }
}

impl EncryptionMethod {
    /// The encryptionMethods bit: 40BIT `0x01`, 56BIT `0x08`, 128BIT `0x02`, FIPS `0x10`.
    pub fn bit(self) -> u32 {
        match self {
            EncryptionMethod::Bits40 => 0x01,
            EncryptionMethod::Bits56 => 0x08,
            EncryptionMethod::Bits128 => 0x02,
            EncryptionMethod::Fips => 0x10,
        }
    }

    /// The method whose bit this is, if any.
    pub fn from_bit(bit: u32) -> Option<Self> {
        Self::ALL.iter().copied().find(|m| m.bit() == bit)
    }
}

/// What standard RDP security looks like: one MCS Connect Initial per encryption method.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RdpSecurity {
    /// The server's encryption level, from the first Connect Response that carried one.
    pub level: Option<EncryptionLevel>,
    /// The methods the server accepted, each offered alone, in [`EncryptionMethod::ALL`] order.
    #[serde(default)]
    pub methods: Vec<EncryptionMethod>,
    /// The SC_CORE version of the server.
    pub version: Option<RdpVersion>,
    /// One line per method offered: what the server answered.
    #[serde(default)]
    pub attempts: Vec<String>,
}

/// An SC_CORE / CS_CORE version value (MS-RDPBCGR 2.2.1.4.2), written as the RDP version it
/// stands for (`4.0`, `5.0-8.1`, `10.0` … `10.12`) or `unknown(0x…)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RdpVersion(pub u32);

impl fmt::Display for RdpVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0x0008_0001 => f.write_str("4.0"),
            0x0008_0004 => f.write_str("5.0-8.1"),
            v @ 0x0008_0005..=0x0008_0011 => write!(f, "10.{}", v - 0x0008_0005),
            v => write!(f, "unknown({v:#010x})"),
        }
    }
}

impl FromStr for RdpVersion {
    type Err = UnknownWord;
    fn from_str(s: &str) -> Result<Self, UnknownWord> {
        let bad = || UnknownWord::new("rdp version", s);
        match s {
            "4.0" => return Ok(RdpVersion(0x0008_0001)),
            "5.0-8.1" => return Ok(RdpVersion(0x0008_0004)),
            _ => {}
        }
        if let Some(minor) = s.strip_prefix("10.") {
            let minor: u32 = minor.parse().map_err(|_| bad())?;
            return match minor {
                0..=12 => Ok(RdpVersion(0x0008_0005 + minor)),
                _ => Err(bad()),
            };
        }
        s.strip_prefix("unknown(0x")
            .and_then(|hex| hex.strip_suffix(')'))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .map(RdpVersion)
            .ok_or_else(bad)
    }
}
crate::vocab::string_serde!(RdpVersion);

/// What an NTLM CHALLENGE (MS-NLMP 2.2.1.2) says about the server. No credentials are involved:
/// the scanner sends only a NEGOTIATE message and reads the answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NtlmIdentity {
    /// MsvAvNbComputerName.
    pub computer: Option<String>,
    /// MsvAvNbDomainName.
    pub domain: Option<String>,
    /// MsvAvDnsComputerName.
    pub dns_computer: Option<String>,
    /// MsvAvDnsDomainName.
    pub dns_domain: Option<String>,
    /// MsvAvDnsTreeName.
    pub dns_tree: Option<String>,
    /// The Version field: `major.minor.build`, e.g. `10.0.20348`.
    pub os_version: Option<String>,
    /// MsvAvTimestamp, to the whole second.
    #[serde(default, with = "timestamp::nullable")]
    pub server_time: Option<OffsetDateTime>,
    /// The server's clock minus the scanner's, in whole seconds.
    pub clock_skew_s: Option<i64>,
}

impl DeepObservation {
    /// The protocols whose request was accepted, in matrix order.
    pub fn protocols_accepted(&self) -> Vec<SelectedProtocol> {
        self.protocols
            .iter()
            .filter(|p| p.accepted)
            .map(|p| p.protocol)
            .collect()
    }

    /// Whether the answer for `protocol` accepted it; `None` when it was not asked.
    pub fn accepts(&self, protocol: SelectedProtocol) -> Option<bool> {
        self.protocols
            .iter()
            .find(|p| p.protocol == protocol)
            .map(|p| p.accepted)
    }

    /// True when neither PROTOCOL_RDP nor SSL alone is accepted and HYBRID is; `None` when
    /// one of the three was not asked (an interrupted scan or a spent connection budget).
    pub fn nla_required(&self) -> Option<bool> {
        let rdp = self.accepts(SelectedProtocol(0x00))?;
        let ssl = self.accepts(SelectedProtocol(0x01))?;
        let hybrid = self.accepts(SelectedProtocol(0x02))?;
        Some(!rdp && !ssl && hybrid)
    }

    /// The TLS versions accepted, lowest first.
    pub fn tls_accepted(&self) -> Vec<TlsVersion> {
        let mut versions: Vec<TlsVersion> = self
            .tls_versions
            .iter()
            .filter(|t| t.accepted)
            .map(|t| t.version)
            .collect();
        versions.sort();
        versions.dedup();
        versions
    }
}

/// Values joined by `|`, as the multi-valued columns write them.
pub fn join<T: fmt::Display>(values: &[T]) -> String {
    values
        .iter()
        .map(T::to_string)
        .collect::<Vec<_>>()
        .join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(protocol: u32, accepted: bool) -> ProtocolAnswer {
        ProtocolAnswer {
            protocol: SelectedProtocol(protocol),
            requested: protocol,
            from_first_probe: false,
            tcp: TcpStatus::Open,
            rdp: Some(RdpStatus::Negotiated),
            selected: Some(SelectedProtocol(protocol)),
            neg_failure: None,
            accepted,
            error: None,
        }
    }

    #[test]
    fn nla_required_needs_rdp_ssl_and_hybrid_asked() {
        let mut deep = DeepObservation {
            protocols: vec![answer(0, false), answer(1, false), answer(2, true)],
            ..DeepObservation::default()
        };
        assert_eq!(deep.nla_required(), Some(true));
        deep.protocols[1].accepted = true;
        assert_eq!(deep.nla_required(), Some(false));
        deep.protocols[1].accepted = false;
        deep.protocols[2].accepted = false;
        assert_eq!(deep.nla_required(), Some(false));
        deep.protocols.remove(0);
        assert_eq!(deep.nla_required(), None);
    }

    #[test]
    fn accepted_protocols_keep_matrix_order() {
        let deep = DeepObservation {
            protocols: vec![answer(0, true), answer(1, false), answer(2, true)],
            ..DeepObservation::default()
        };
        assert_eq!(join(&deep.protocols_accepted()), "rdp|hybrid");
    }

    #[test]
    fn rdp_versions_are_named_and_round_trip() {
        for (value, text) in [
            (0x0008_0001, "4.0"),
            (0x0008_0004, "5.0-8.1"),
            (0x0008_0005, "10.0"),
            (0x0008_000c, "10.7"),
            (0x0008_0011, "10.12"),
            (0x0008_0012, "unknown(0x00080012)"),
            (0, "unknown(0x00000000)"),
        ] {
            assert_eq!(RdpVersion(value).to_string(), text);
            assert_eq!(text.parse::<RdpVersion>(), Ok(RdpVersion(value)), "{text}");
        }
        for bad in ["10.13", "3.0", "unknown(zz)", ""] {
            assert!(bad.parse::<RdpVersion>().is_err(), "{bad}");
        }
    }

    #[test]
    fn levels_and_methods_map_to_their_wire_values() {
        assert_eq!(EncryptionLevel::from_wire(0), Some(EncryptionLevel::None));
        assert_eq!(EncryptionLevel::from_wire(4), Some(EncryptionLevel::Fips));
        assert_eq!(EncryptionLevel::from_wire(5), None);
        assert_eq!(EncryptionLevel::from_wire(u32::MAX), None);
        let bits: Vec<u32> = EncryptionMethod::ALL.iter().map(|m| m.bit()).collect();
        assert_eq!(bits, [0x01, 0x08, 0x02, 0x10]);
        assert_eq!(
            EncryptionMethod::from_bit(0x02),
            Some(EncryptionMethod::Bits128)
        );
        assert_eq!(EncryptionMethod::from_bit(0x04), None);
    }

    #[test]
    fn tls_versions_accepted_are_sorted_and_unique() {
        let t = |version, accepted| TlsVersionAnswer {
            version,
            accepted,
            tls: Some(TlsStatus::Ok),
            server_version: None,
            cipher: None,
            error: None,
        };
        let deep = DeepObservation {
            tls_versions: vec![
                t(TlsVersion::Tls13, true),
                t(TlsVersion::Tls10, true),
                t(TlsVersion::Tls11, false),
                t(TlsVersion::Tls13, true),
            ],
            ..DeepObservation::default()
        };
        assert_eq!(join(&deep.tls_accepted()), "TLSv1.0|TLSv1.3");
    }
}

/// Deep records for the tests of the summary and the page.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    /// A record whose matrix accepted exactly the protocols of `accepted` (the whole matrix
    /// asked), whose TLS attempts accepted exactly `tls`, with standard security at `level`
    /// (`None`: not probed) and the NTLM identity `ntlm`.
    pub(crate) fn record(
        accepted: &[u32],
        tls: &[TlsVersion],
        level: Option<EncryptionLevel>,
        ntlm: Option<NtlmIdentity>,
    ) -> DeepObservation {
        let protocols = MATRIX
            .iter()
            .map(|&(protocol, requested)| {
                let yes = accepted.contains(&protocol.0);
                ProtocolAnswer {
                    protocol,
                    requested,
                    from_first_probe: requested == 0x0b,
                    tcp: TcpStatus::Open,
                    rdp: Some(if yes {
                        RdpStatus::Negotiated
                    } else {
                        RdpStatus::Failure
                    }),
                    selected: yes.then_some(protocol),
                    neg_failure: None,
                    accepted: yes,
                    error: None,
                }
            })
            .collect();
        let tls_versions = TlsVersion::ALL
            .iter()
            .map(|&version| TlsVersionAnswer {
                version,
                accepted: tls.contains(&version),
                tls: Some(TlsStatus::Ok),
                server_version: None,
                cipher: None,
                error: None,
            })
            .collect();
        DeepObservation {
            protocols,
            tls_versions,
            rdp_security: level.map(|level| RdpSecurity {
                level: Some(level),
                methods: vec![EncryptionMethod::Bits128],
                version: Some(RdpVersion(0x0008_000c)),
                attempts: Vec::new(),
            }),
            ntlm,
            connections: 12,
            notes: Vec::new(),
        }
    }

    /// An NTLM identity naming `computer` in `domain`, its clock `skew` seconds off.
    pub(crate) fn identity(computer: &str, domain: &str, skew: Option<i64>) -> NtlmIdentity {
        NtlmIdentity {
            computer: Some(computer.into()),
            domain: Some(domain.into()),
            dns_computer: Some(format!("{computer}.{domain}.example")),
            dns_domain: Some(format!("{domain}.example")),
            dns_tree: Some(format!("{domain}.example")),
            os_version: Some("10.0.20348".into()),
            server_time: Some(time::macros::datetime!(2026-11-21 10:00:00 UTC)),
            clock_skew_s: skew,
        }
    }
}
