//! What the deep profile's hosts accept: the security-layer policy (which protocol a Connection
//! Request gets), the TLS version range, the standard-security encryption, and the identity
//! the NTLM host claims. Pure data and one pure function ([`Policy::select`]).

use super::Behaviour;
use rdpsweep_codec::legacy_tls::{TLS1_0, TLS1_1, TLS1_2, TLS1_3};
use rdpsweep_codec::{FailureCode, NegotiationResponse, ResponseFlags, SecurityProtocol};

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
    pub protocols: SecurityProtocol,
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
    protocols: SecurityProtocol::RDP,
    rdp: true,
    rdp_fallback: false,
    refuse: FailureCode::SSL_NOT_ALLOWED_BY_SERVER,
};

/// TLS required, CredSSP optional: what a current host without NLA enforcement does.
const TLS_ANY: Policy = Policy {
    protocols: SecurityProtocol::SSL
        .union(SecurityProtocol::HYBRID)
        .union(SecurityProtocol::HYBRID_EX),
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
            .find(|p| requested.contains(*p) && self.protocols.contains(*p));
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

/// Standard RDP security settings of a host (MS-RDPBCGR 2.2.1.4.2 and 2.2.1.4.3 values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandardSecurity {
    /// encryptionLevel: 0 none, 1 low, 2 client-compatible, 3 high, 4 FIPS.
    pub level: u32,
    /// The encryptionMethods it accepts: 40BIT 0x01, 128BIT 0x02, 56BIT 0x08, FIPS 0x10.
    pub methods: u32,
    /// SC_CORE version: `0x00080004` (RDP 5.0-8.1) or `0x0008000c` (RDP 10.7).
    pub version: u32,
}

/// The encryption methods from weakest to strongest: 40-bit, 56-bit, 128-bit, FIPS.
const BY_STRENGTH: [u32; 4] = [0x01, 0x08, 0x02, 0x10];

/// The strongest method among the bits of `methods`.
fn strongest(methods: u32) -> Option<u32> {
    BY_STRENGTH.into_iter().rev().find(|m| methods & m != 0)
}

impl StandardSecurity {
    /// The encryptionMethod this host answers a client's encryptionMethods `offered` with,
    /// or `None` when it refuses the offer (MS-RDPBCGR 5.3.2 and 5.3.2.1):
    ///
    /// - none: method 0 whatever is offered (RDP 5.2 and later allow level none only with
    ///   ENCRYPTION_METHOD_NONE);
    /// - low, client-compatible: the client's strongest method, if the host supports it;
    /// - high, FIPS: the host's strongest method (128-bit; FIPS), if the client offered it;
    /// - any other level: refused.
    pub fn answer(&self, offered: u32) -> Option<u32> {
        match self.level {
            0 => Some(0),
            1 | 2 => strongest(offered).filter(|m| self.methods & m != 0),
            3 | 4 => strongest(self.methods).filter(|m| offered & m != 0),
            _ => None,
        }
    }
}

/// How far ahead of the real clock the `ntlm-identity` host's clock runs, in seconds (10
/// minutes: over the 5 minutes `CLOCK_SKEW` allows).
pub const NTLM_CLOCK_AHEAD_S: i64 = 600;

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
                protocols: SecurityProtocol::SSL,
                ..TLS_ANY
            },
            PolicyNegotiate => Policy {
                protocols: TLS_ANY.protocols,
                rdp: true,
                rdp_fallback: true,
                refuse: FailureCode::SSL_NOT_ALLOWED_BY_SERVER,
            },
            PolicyNlaRequired | NtlmIdentity => Policy {
                protocols: SecurityProtocol::HYBRID,
                refuse: FailureCode::HYBRID_REQUIRED_BY_SERVER,
                ..TLS_ANY
            },
            PolicyHybridEx => Policy {
                protocols: SecurityProtocol::HYBRID | SecurityProtocol::HYBRID_EX,
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
        const RDP_5: u32 = 0x0008_0004;
        const RDP_10_7: u32 = 0x0008_000c;
        let (level, methods, version) = match self {
            StdSecurityNone => (0, 0, RDP_5),
            StdSecurityLow => (1, 0x01 | 0x08 | 0x02, RDP_5),
            StdSecurityClientCompatible | PolicyRdpOnly | PolicyNegotiate => {
                (2, 0x01 | 0x08 | 0x02, RDP_10_7)
            }
            StdSecurityHigh => (3, 0x02, RDP_10_7),
            StdSecurityFips => (4, 0x10, RDP_10_7),
            _ => return None,
        };
        Some(StandardSecurity {
            level,
            methods,
            version,
        })
    }

    /// How many seconds ahead the clock of a host that answers CredSSP runs: every deep host
    /// whose policy can select HYBRID or HYBRID_EX answers an NTLM NEGOTIATE as
    /// [`NTLM_IDENTITY`], the `ntlm-identity` host [`NTLM_CLOCK_AHEAD_S`] ahead, the others on
    /// time. `None` for hosts that never select CredSSP.
    pub fn ntlm_clock_ahead_s(self) -> Option<i64> {
        let credssp = SecurityProtocol::HYBRID | SecurityProtocol::HYBRID_EX;
        if !self.policy()?.protocols.intersects(credssp) {
            return None;
        }
        Some(if self == Behaviour::NtlmIdentity {
            NTLM_CLOCK_AHEAD_S
        } else {
            0
        })
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
            .map(
                |r| match policy.select(SecurityProtocol::from_bits_retain(r)) {
                    NegotiationResponse::Response { protocol, .. } => {
                        format!("{:#04x}", protocol.bits())
                    }
                    NegotiationResponse::Failure { code } => format!("!{}", code.0),
                },
            )
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

    /// What `b` answers each encryption method offered alone (40, 56, 128-bit, FIPS) with.
    fn methods_answered(b: Behaviour) -> [Option<u32>; 4] {
        let security = b.standard_security().expect("standard security");
        [0x01, 0x08, 0x02, 0x10].map(|m| security.answer(m))
    }

    #[test]
    fn each_level_answers_a_single_method_as_windows_does() {
        use Behaviour::*;
        let table = [
            (StdSecurityNone, [Some(0), Some(0), Some(0), Some(0)]),
            (StdSecurityLow, [Some(0x01), Some(0x08), Some(0x02), None]),
            (
                StdSecurityClientCompatible,
                [Some(0x01), Some(0x08), Some(0x02), None],
            ),
            (StdSecurityHigh, [None, None, Some(0x02), None]),
            (StdSecurityFips, [None, None, None, Some(0x10)]),
            (PolicyRdpOnly, [Some(0x01), Some(0x08), Some(0x02), None]),
            (PolicyNegotiate, [Some(0x01), Some(0x08), Some(0x02), None]),
        ];
        for (b, expected) in table {
            assert_eq!(methods_answered(b), expected, "{b}");
        }
        assert_eq!(PolicyTlsOnly.standard_security(), None);
    }

    #[test]
    fn a_combined_offer_follows_the_negotiation_rules() {
        let level = |level, methods| StandardSecurity {
            level,
            methods,
            version: 0x0008_000c,
        };
        // Client-compatible: the client's strongest, if supported (5.3.2.1: a 40/56-bit
        // server fails a client whose best is 128-bit).
        assert_eq!(level(2, 0x0b).answer(0x01 | 0x08 | 0x02), Some(0x02));
        assert_eq!(level(2, 0x09).answer(0x01 | 0x08 | 0x02), None);
        assert_eq!(level(1, 0x0b).answer(0x01 | 0x08), Some(0x08));
        // High: the server's strongest, if offered.
        assert_eq!(level(3, 0x0b).answer(0x01 | 0x08 | 0x02), Some(0x02));
        assert_eq!(level(3, 0x0b).answer(0x01 | 0x08), None);
        assert_eq!(level(4, 0x10).answer(0x1b), Some(0x10));
        // Nothing known offered, or an unknown level: refused.
        assert_eq!(level(2, 0x0b).answer(0x00), None);
        assert_eq!(level(2, 0x0b).answer(0x04), None);
        assert_eq!(level(5, 0x0b).answer(0x02), None);
        assert_eq!(level(0, 0x00).answer(0x00), Some(0));
    }

    #[test]
    fn credssp_hosts_answer_ntlm_and_one_clock_runs_ahead() {
        use Behaviour::*;
        assert_eq!(NtlmIdentity.ntlm_clock_ahead_s(), Some(600));
        for b in [
            PolicyNegotiate,
            PolicyNlaRequired,
            PolicyHybridEx,
            TlsRange12,
        ] {
            assert_eq!(b.ntlm_clock_ahead_s(), Some(0), "{b}");
        }
        for b in [PolicyRdpOnly, PolicyTlsOnly, StdSecurityHigh, Healthy] {
            assert_eq!(b.ntlm_clock_ahead_s(), None, "{b}");
        }
    }

    #[test]
    fn every_deep_host_has_a_policy_and_something_to_speak() {
        for &b in crate::DEEP {
            assert!(b.policy().is_some(), "{b}");
            assert!(
                b.tls_range().is_some() || b.standard_security().is_some(),
                "{b} speaks neither TLS nor standard security"
            );
        }
        for &b in crate::MIXED {
            assert!(b.policy().is_none(), "{b} is a mixed host");
        }
    }
}
