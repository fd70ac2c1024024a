//! The deep profile's building blocks: the security-layer policy (which protocol a Connection
//! Request gets, [`Policy::select`]), the standard-security settings (which encryption method
//! an MCS Connect Initial gets, [`StandardSecurity::answer`]) and the identity a CredSSP host
//! claims. Pure data and pure functions; the deep table ([`crate::deep`]) says who has what.

use rdpsweep_codec::{
    EncryptionLevel, EncryptionMethod, FailureCode, NegotiationResponse, RdpVersion, ResponseFlags,
    SecurityProtocol,
};

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

impl Policy {
    /// Security layer RDP: standard security only.
    pub const RDP_ONLY: Policy = Policy {
        protocols: SecurityProtocol::RDP,
        rdp: true,
        rdp_fallback: false,
        refuse: FailureCode::SSL_NOT_ALLOWED_BY_SERVER,
    };

    /// TLS required, CredSSP optional: what a current host without NLA enforcement does.
    pub const TLS_ANY: Policy = Policy {
        protocols: SecurityProtocol::SSL
            .union(SecurityProtocol::HYBRID)
            .union(SecurityProtocol::HYBRID_EX),
        rdp: false,
        rdp_fallback: false,
        refuse: FailureCode::SSL_REQUIRED_BY_SERVER,
    };

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
    /// The encryptionLevel it answers with.
    pub level: EncryptionLevel,
    /// The encryption methods it accepts.
    pub methods: EncryptionMethod,
    /// Its SC_CORE version.
    pub version: RdpVersion,
}

/// SC_CORE version of RDP 10.7.
pub const RDP_10_7: RdpVersion = RdpVersion(0x0008_000c);

/// Level client-compatible, 40/56/128-bit, RDP 10.7: what a current Windows host offers.
pub const CLIENT_COMPATIBLE: StandardSecurity = StandardSecurity {
    level: EncryptionLevel::CLIENT_COMPATIBLE,
    methods: NON_FIPS,
    version: RDP_10_7,
};

/// 40-bit, 56-bit and 128-bit: what a host at level low or client-compatible accepts.
pub const NON_FIPS: EncryptionMethod = EncryptionMethod::BIT_40
    .union(EncryptionMethod::BIT_56)
    .union(EncryptionMethod::BIT_128);

/// The strongest single method among `methods` (by strength: 40-bit, 56-bit, 128-bit, FIPS).
fn strongest(methods: EncryptionMethod) -> Option<EncryptionMethod> {
    EncryptionMethod::ALL
        .into_iter()
        .rev()
        .find(|m| methods.contains(*m))
}

impl StandardSecurity {
    /// The encryptionMethod this host answers a client's encryptionMethods `offered` with,
    /// or `None` when it refuses the offer (MS-RDPBCGR 5.3.2 and 5.3.2.1):
    ///
    /// - none: ENCRYPTION_METHOD_NONE whatever is offered (RDP 5.2 and later allow level
    ///   none only with it);
    /// - low, client-compatible: the client's strongest method, if the host supports it;
    /// - high, FIPS: the host's strongest method (128-bit; FIPS), if the client offered it;
    /// - any other level: refused.
    pub fn answer(&self, offered: EncryptionMethod) -> Option<EncryptionMethod> {
        match self.level {
            EncryptionLevel::NONE => Some(EncryptionMethod::NONE),
            EncryptionLevel::LOW | EncryptionLevel::CLIENT_COMPATIBLE => {
                strongest(offered).filter(|m| self.methods.contains(*m))
            }
            EncryptionLevel::HIGH | EncryptionLevel::FIPS => {
                strongest(self.methods).filter(|m| offered.contains(*m))
            }
            _ => None,
        }
    }
}

/// The identity a host answering CredSSP puts in its NTLM CHALLENGE.
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

/// The identity of every deep host that answers CredSSP (a Windows Server 2022 domain member).
pub const NTLM_IDENTITY: NtlmIdentity = NtlmIdentity {
    computer: "RDPSIM01",
    domain: "FLEET",
    dns_computer: "rdpsim01.fleet.test",
    dns_domain: "fleet.test",
    dns_tree: "fleet.test",
    version: (10, 0, 20348),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_combined_offer_follows_the_negotiation_rules() {
        let answer = |level: u32, methods: u32, offered: u32| {
            let security = StandardSecurity {
                level: EncryptionLevel(level),
                methods: EncryptionMethod::from_bits_retain(methods),
                version: RDP_10_7,
            };
            security
                .answer(EncryptionMethod::from_bits_retain(offered))
                .map(|m| m.bits())
        };
        // Client-compatible: the client's strongest, if supported (5.3.2.1: a 40/56-bit
        // server fails a client whose best is 128-bit).
        assert_eq!(answer(2, 0x0b, 0x01 | 0x08 | 0x02), Some(0x02));
        assert_eq!(answer(2, 0x09, 0x01 | 0x08 | 0x02), None);
        assert_eq!(answer(1, 0x0b, 0x01 | 0x08), Some(0x08));
        // High: the server's strongest, if offered.
        assert_eq!(answer(3, 0x0b, 0x01 | 0x08 | 0x02), Some(0x02));
        assert_eq!(answer(3, 0x0b, 0x01 | 0x08), None);
        assert_eq!(answer(4, 0x10, 0x1b), Some(0x10));
        // Nothing known offered, or an unknown level: refused.
        assert_eq!(answer(2, 0x0b, 0x00), None);
        assert_eq!(answer(2, 0x0b, 0x04), None);
        assert_eq!(answer(5, 0x0b, 0x02), None);
        assert_eq!(answer(0, 0x00, 0x00), Some(0));
    }
}
