//! What the deep profile's hosts accept: the security-layer policy (which protocol a Connection
//! Request gets), the TLS version range, the standard-security encryption, and the identity
//! the NTLM host claims. Pure data and one pure function ([`Policy::select`]).

use super::Behaviour;
use crate::proto::{FailureCode, NegotiationResponse, ResponseFlags, SecurityProtocol};
use crate::tls::legacy::{TLS1_0, TLS1_1, TLS1_2, TLS1_3};

/// RDP_NEG_RSP flags of the deep hosts: EXTENDED_CLIENT_DATA_SUPPORTED.
const FLAGS: ResponseFlags = ResponseFlags::EXTENDED_CLIENT_DATA_SUPPORTED;

/// The protocols a security-layer policy selects, most preferred first.
const PREFERENCE: [SecurityProtocol; 5] = [
    SecurityProtocol::RDSAAD,
    SecurityProtocol::RDSTLS,
    SecurityProtocol::HYBRID_EX,
    SecurityProtocol::HYBRID,
    SecurityProtocol::SSL,
];

/// A listener's security-layer policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The protocols (bits of requestedProtocols) the listener selects when they are requested.
    pub protocols: u32,
    /// Selects PROTOCOL_RDP for a request of it alone.
    pub rdp: bool,
    /// Selects PROTOCOL_RDP for a request of nothing it supports, as xrdp configured for
    /// standard security does, instead of a failure.
    pub rdp_fallback: bool,
    /// The RDP_NEG_FAILURE code for a request of nothing it supports.
    pub refuse: FailureCode,
}

/// Security layer RDP: standard security only.
const RDP_ONLY: Policy = Policy {
    protocols: 0,
    rdp: true,
    rdp_fallback: false,
    refuse: FailureCode::SSL_NOT_ALLOWED_BY_SERVER,
};

/// TLS required, CredSSP optional: what a current host without NLA enforcement does.
const TLS_ANY: Policy = Policy {
    protocols: 0x01 | 0x02 | 0x08,
    rdp: false,
    rdp_fallback: false,
    refuse: FailureCode::SSL_REQUIRED_BY_SERVER,
};

impl Policy {
    /// The answer to a Connection Request for `requested`: the most preferred requested
    /// protocol the listener supports, else PROTOCOL_RDP if allowed, else its failure code.
    pub fn select(&self, requested: SecurityProtocol) -> NegotiationResponse {
        let chosen = PREFERENCE
            .into_iter()
            .find(|p| requested.0 & p.0 != 0 && self.protocols & p.0 != 0);
        let rdp = self.rdp && (requested == SecurityProtocol::RDP || self.rdp_fallback);
        match chosen {
            Some(protocol) => NegotiationResponse::Response {
                flags: FLAGS,
                protocol,
            },
            None if rdp => NegotiationResponse::Response {
                flags: FLAGS,
                protocol: SecurityProtocol::RDP,
            },
            None => NegotiationResponse::Failure { code: self.refuse },
        }
    }
}

/// Standard RDP security settings of a host (MS-RDPBCGR 2.2.1.4.3 values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandardSecurity {
    /// encryptionLevel: 0 none, 1 low, 2 client-compatible, 3 high, 4 FIPS.
    pub level: u32,
    /// The encryptionMethods it accepts: 40BIT 0x01, 128BIT 0x02, 56BIT 0x08, FIPS 0x10.
    pub methods: u32,
}

/// The identity the `ntlm-identity` host puts in its NTLM CHALLENGE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NtlmIdentity {
    pub computer: &'static str,
    pub domain: &'static str,
    pub dns_computer: &'static str,
    pub dns_domain: &'static str,
    pub dns_tree: &'static str,
    /// Version: major, minor, build (Windows Server 2022).
    pub version: (u8, u8, u16),
}

/// The `ntlm-identity` host's identity.
pub const NTLM_IDENTITY: NtlmIdentity = NtlmIdentity {
    computer: "RDPSIM01",
    domain: "FLEET",
    dns_computer: "rdpsim01.fleet.test",
    dns_domain: "fleet.test",
    dns_tree: "fleet.test",
    version: (10, 0, 20348),
};

impl Behaviour {
    /// The security-layer policy of a deep-profile host; `None` for the other behaviours.
    pub fn policy(self) -> Option<Policy> {
        use Behaviour::*;
        Some(match self {
            PolicyRdpOnly
            | StdSecurityNone
            | StdSecurityLow
            | StdSecurityClientCompatible
            | StdSecurityHigh
            | StdSecurityFips => RDP_ONLY,
            PolicyTlsOnly => Policy {
                protocols: 0x01,
                ..TLS_ANY
            },
            PolicyNegotiate => Policy {
                protocols: 0x01 | 0x02 | 0x08,
                rdp: true,
                rdp_fallback: true,
                refuse: FailureCode::SSL_NOT_ALLOWED_BY_SERVER,
            },
            PolicyNlaRequired | NtlmIdentity => Policy {
                protocols: 0x02,
                refuse: FailureCode::HYBRID_REQUIRED_BY_SERVER,
                ..TLS_ANY
            },
            PolicyHybridEx => Policy {
                protocols: 0x02 | 0x08,
                refuse: FailureCode::HYBRID_REQUIRED_BY_SERVER,
                ..TLS_ANY
            },
            TlsRange10 | TlsRange10To11 | TlsRange10To12 | TlsRange10To13 | TlsRange11To12
            | TlsRange12 | TlsRange12To13 | TlsRange13 => TLS_ANY,
            _ => return None,
        })
    }

    /// The TLS versions (lowest, highest) a deep-profile host speaks once TLS is selected.
    pub fn tls_range(self) -> Option<(u16, u16)> {
        use Behaviour::*;
        match self {
            TlsRange10 => Some((TLS1_0, TLS1_0)),
            TlsRange10To11 => Some((TLS1_0, TLS1_1)),
            TlsRange10To12 => Some((TLS1_0, TLS1_2)),
            TlsRange10To13 => Some((TLS1_0, TLS1_3)),
            TlsRange11To12 => Some((TLS1_1, TLS1_2)),
            TlsRange12 => Some((TLS1_2, TLS1_2)),
            TlsRange12To13 => Some((TLS1_2, TLS1_3)),
            TlsRange13 => Some((TLS1_3, TLS1_3)),
            PolicyTlsOnly | PolicyNegotiate | PolicyNlaRequired | PolicyHybridEx | NtlmIdentity => {
                Some((TLS1_2, TLS1_3))
            }
            _ => None,
        }
    }

    /// The standard-security settings of a host that selects PROTOCOL_RDP.
    pub fn standard_security(self) -> Option<StandardSecurity> {
        use Behaviour::*;
        let (level, methods) = match self {
            StdSecurityNone => (0, 0),
            StdSecurityLow => (1, 0x01 | 0x08 | 0x02),
            StdSecurityClientCompatible | PolicyRdpOnly | PolicyNegotiate => {
                (2, 0x01 | 0x08 | 0x02)
            }
            StdSecurityHigh => (3, 0x02),
            StdSecurityFips => (4, 0x10),
            _ => return None,
        };
        Some(StandardSecurity { level, methods })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `b` answers each request of the scanner's matrix with, as `selected` or `!code`.
    fn answers(b: Behaviour) -> Vec<String> {
        let policy = b.policy().expect("a deep host");
        [0x00, 0x01, 0x03, 0x0b, 0x04, 0x10]
            .into_iter()
            .map(|r| match policy.select(SecurityProtocol(r)) {
                NegotiationResponse::Response { protocol, .. } => format!("{:#04x}", protocol.0),
                NegotiationResponse::Failure { code } => format!("!{}", code.0),
            })
            .collect()
    }

    #[test]
    fn each_policy_answers_the_matrix_as_described() {
        // Requests: RDP, SSL, SSL|HYBRID, SSL|HYBRID|HYBRID_EX, RDSTLS, RDSAAD.
        let table = [
            (
                Behaviour::PolicyRdpOnly,
                ["0x00", "!2", "!2", "!2", "!2", "!2"],
            ),
            (
                Behaviour::PolicyTlsOnly,
                ["!1", "0x01", "0x01", "0x01", "!1", "!1"],
            ),
            (
                Behaviour::PolicyNegotiate,
                ["0x00", "0x01", "0x02", "0x08", "0x00", "0x00"],
            ),
            (
                Behaviour::PolicyNlaRequired,
                ["!5", "!5", "0x02", "0x02", "!5", "!5"],
            ),
            (
                Behaviour::PolicyHybridEx,
                ["!5", "!5", "0x02", "0x08", "!5", "!5"],
            ),
            (
                Behaviour::TlsRange12,
                ["!1", "0x01", "0x02", "0x08", "!1", "!1"],
            ),
            (
                Behaviour::NtlmIdentity,
                ["!5", "!5", "0x02", "0x02", "!5", "!5"],
            ),
            (
                Behaviour::StdSecurityFips,
                ["0x00", "!2", "!2", "!2", "!2", "!2"],
            ),
        ];
        for (b, expected) in table {
            assert_eq!(answers(b), expected, "{b}");
        }
    }

    #[test]
    fn every_deep_host_has_a_policy_and_something_to_speak() {
        for &b in super::super::DEEP {
            assert!(b.policy().is_some(), "{b}");
            assert!(
                b.tls_range().is_some() || b.standard_security().is_some(),
                "{b} speaks neither TLS nor standard security"
            );
        }
        for &b in super::super::MIXED {
            assert!(b.policy().is_none(), "{b} is a mixed host");
        }
    }
}
