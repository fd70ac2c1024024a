//! What `rdpsweep scan --deep` learns of one listener: which security protocols it accepts
//! (asked one at a time), which TLS versions it completes (one at a time), its
//! standard-security encryption (one method offered at a time) and its NTLM identity.
//!
//! "Accepted" is exact: a protocol is accepted only when the Connection Confirm selects exactly
//! the protocol asked for, and a TLS version only when the server answers at exactly that
//! version. A server that answers a request with another selection, a failure code, or another
//! TLS version has that answer recorded, not counted as support.

use std::fmt;

use rdpsweep_codec::{
    EncryptionLevel, EncryptionMethod, FailureCode, RdpVersion, SecurityProtocol, TlsWireVersion,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::timestamp;
pub use crate::vocab::TlsVersion;
use crate::vocab::{RdpStatus, TcpStatus, TlsStatus};

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
pub const MATRIX: [(SecurityProtocol, SecurityProtocol); 6] = [
    (SecurityProtocol::RDP, SecurityProtocol::RDP),
    (SecurityProtocol::SSL, SecurityProtocol::SSL),
    (
        SecurityProtocol::HYBRID,
        SecurityProtocol::SSL.union(SecurityProtocol::HYBRID),
    ),
    (
        SecurityProtocol::HYBRID_EX,
        SecurityProtocol::WINDOWS_CLIENT,
    ),
    (SecurityProtocol::RDSTLS, SecurityProtocol::RDSTLS),
    (SecurityProtocol::RDSAAD, SecurityProtocol::RDSAAD),
];

/// The answer to one Connection Request of the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProtocolAnswer {
    /// The protocol asked about.
    pub protocol: SecurityProtocol,
    /// The requestedProtocols value sent, written as its number (`11` for SSL|HYBRID|HYBRID_EX).
    #[serde(with = "protocols_as_number")]
    pub requested: SecurityProtocol,
    /// True when the answer came from the ordinary probe's connection (which sends
    /// SSL|HYBRID|HYBRID_EX) rather than a connection of its own.
    #[serde(default)]
    pub from_first_probe: bool,
    pub tcp: TcpStatus,
    pub rdp: Option<RdpStatus>,
    /// What the Confirm selected (`rdp` for a Confirm without negotiation data).
    pub selected: Option<SecurityProtocol>,
    pub neg_failure: Option<FailureCode>,
    /// True only when `selected` is exactly `protocol`.
    pub accepted: bool,
    pub error: Option<String>,
}

/// A set of requested protocols as results.jsonl has always written it: its number.
mod protocols_as_number {
    use rdpsweep_codec::SecurityProtocol;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(protocols: &SecurityProtocol, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(protocols.bits())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecurityProtocol, D::Error> {
        u32::deserialize(d).map(SecurityProtocol::from_bits_retain)
    }
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

/// What standard RDP security looks like: one MCS Connect Initial per encryption method.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RdpSecurity {
    /// The server's encryption level, from the first Connect Response.
    pub level: Option<EncryptionLevel>,
    /// The methods the server accepted, each offered alone, in [`EncryptionMethod::ALL`] order
    /// (each one method, written as its word).
    #[serde(default)]
    pub methods: Vec<EncryptionMethod>,
    /// The SC_CORE version of the server, from the first Connect Response.
    pub version: Option<RdpVersion>,
    /// One line per method offered: what the server answered.
    #[serde(default)]
    pub attempts: Vec<String>,
}

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
    pub fn protocols_accepted(&self) -> Vec<SecurityProtocol> {
        self.protocols
            .iter()
            .filter(|p| p.accepted)
            .map(|p| p.protocol)
            .collect()
    }

    /// Whether the answer for `protocol` accepted it; `None` when it was not asked.
    pub fn accepts(&self, protocol: SecurityProtocol) -> Option<bool> {
        self.protocols
            .iter()
            .find(|p| p.protocol == protocol)
            .map(|p| p.accepted)
    }

    /// True when neither PROTOCOL_RDP nor SSL alone is accepted and HYBRID is; `None` when
    /// one of the three was not asked (an interrupted scan or a spent connection budget).
    pub fn nla_required(&self) -> Option<bool> {
        let rdp = self.accepts(SecurityProtocol::RDP)?;
        let ssl = self.accepts(SecurityProtocol::SSL)?;
        let hybrid = self.accepts(SecurityProtocol::HYBRID)?;
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

    fn answer(protocol: SecurityProtocol, accepted: bool) -> ProtocolAnswer {
        ProtocolAnswer {
            protocol,
            requested: protocol,
            from_first_probe: false,
            tcp: TcpStatus::Open,
            rdp: Some(RdpStatus::Negotiated),
            selected: Some(protocol),
            neg_failure: None,
            accepted,
            error: None,
        }
    }

    use SecurityProtocol as P;

    #[test]
    fn nla_required_needs_rdp_ssl_and_hybrid_asked() {
        let mut deep = DeepObservation {
            protocols: vec![
                answer(P::RDP, false),
                answer(P::SSL, false),
                answer(P::HYBRID, true),
            ],
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
            protocols: vec![
                answer(P::RDP, true),
                answer(P::SSL, false),
                answer(P::HYBRID, true),
            ],
            ..DeepObservation::default()
        };
        assert_eq!(join(&deep.protocols_accepted()), "rdp|hybrid");
    }

    #[test]
    fn the_matrix_names_what_it_asks_and_sends() {
        let words: Vec<String> = MATRIX.iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(
            words,
            ["rdp", "ssl", "hybrid", "hybrid_ex", "rdstls", "rdsaad"]
        );
        let sent: Vec<u32> = MATRIX.iter().map(|(_, r)| r.bits()).collect();
        assert_eq!(sent, [0x00, 0x01, 0x03, 0x0b, 0x04, 0x10]);
    }

    #[test]
    fn answers_and_standard_security_are_written_in_words_with_requested_a_number() {
        let asked = ProtocolAnswer {
            requested: SecurityProtocol::WINDOWS_CLIENT,
            selected: None,
            neg_failure: Some(FailureCode::HYBRID_REQUIRED_BY_SERVER),
            ..answer(P::HYBRID_EX, false)
        };
        let json = serde_json::to_string(&asked).unwrap();
        assert_eq!(
            json,
            r#"{"protocol":"hybrid_ex","requested":11,"from_first_probe":false,"tcp":"open","rdp":"negotiated","selected":null,"neg_failure":"hybrid_required","accepted":false,"error":null}"#
        );
        assert_eq!(
            serde_json::from_str::<ProtocolAnswer>(&json).unwrap(),
            asked
        );

        let security = RdpSecurity {
            level: Some(EncryptionLevel::CLIENT_COMPATIBLE),
            methods: vec![EncryptionMethod::BIT_40, EncryptionMethod::BIT_128],
            version: Some(RdpVersion(0x0008_000c)),
            attempts: Vec::new(),
        };
        let json = serde_json::to_string(&security).unwrap();
        assert_eq!(
            json,
            r#"{"level":"client-compatible","methods":["40bit","128bit"],"version":"10.7","attempts":[]}"#
        );
        assert_eq!(
            serde_json::from_str::<RdpSecurity>(&json).unwrap(),
            security
        );
    }

    #[test]
    fn values_no_word_names_load_and_write_back() {
        let text = r#"{"level":"unknown(7)","methods":["0x20"],"version":"unknown(0x00080012)","attempts":[]}"#;
        let security: RdpSecurity = serde_json::from_str(text).unwrap();
        assert_eq!(security.level, Some(EncryptionLevel(7)));
        assert_eq!(security.methods, [EncryptionMethod::from_bits_retain(0x20)]);
        assert_eq!(serde_json::to_string(&security).unwrap(), text);
        assert!(serde_json::from_str::<RdpSecurity>(
            r#"{"level":"medium","methods":[],"version":null,"attempts":[]}"#
        )
        .is_err());
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
        accepted: &[SecurityProtocol],
        tls: &[TlsVersion],
        level: Option<EncryptionLevel>,
        ntlm: Option<NtlmIdentity>,
    ) -> DeepObservation {
        let protocols = MATRIX
            .iter()
            .map(|&(protocol, requested)| {
                let yes = accepted.contains(&protocol);
                ProtocolAnswer {
                    protocol,
                    requested,
                    from_first_probe: requested == SecurityProtocol::WINDOWS_CLIENT,
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
                methods: vec![EncryptionMethod::BIT_128],
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
