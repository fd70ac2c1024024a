//! Findings: what an observation says about the 0x904 risk of a host, each with a stable code,
//! a severity, evidence taken from the observation, and the fix administrators use.
//! STUB: the catalogue is being written by the findings helper; the types are the interface.

use serde::{Deserialize, Serialize};

use crate::observation::Observation;
use crate::risk::RiskPolicy;
use crate::vocab::word_enum;

word_enum! {
    /// How much a finding matters for 0x904, most serious first.
    Severity, "severity" {
        High => "high",
        Medium => "medium",
        Low => "low",
        Info => "info",
    }
}

word_enum! {
    /// The stable code of a finding. Codes are a contract: never renamed, only added.
    FindingCode, "finding code" {
        CertExpired => "CERT_EXPIRED",
        CertNotYetValid => "CERT_NOT_YET_VALID",
        CertExpiringSoon => "CERT_EXPIRING_SOON",
        CertWeakKey => "CERT_WEAK_KEY",
        CertWeakSignature => "CERT_WEAK_SIGNATURE",
        NegSslCertNotOnServer => "NEG_SSL_CERT_NOT_ON_SERVER",
        NegSslNotAllowed => "NEG_SSL_NOT_ALLOWED",
        NegSslRequired => "NEG_SSL_REQUIRED",
        NegHybridRequired => "NEG_HYBRID_REQUIRED",
        NegSslWithUserAuthRequired => "NEG_SSL_WITH_USER_AUTH_REQUIRED",
        NegFailureOther => "NEG_FAILURE_OTHER",
        TlsHandshakeFailed => "TLS_HANDSHAKE_FAILED",
        TlsHandshakeTimeout => "TLS_HANDSHAKE_TIMEOUT",
        TlsLegacyOnly => "TLS_LEGACY_ONLY",
        X224NoResponse => "X224_NO_RESPONSE",
        X224Closed => "X224_CLOSED",
        RdpStandardSecurityOnly => "RDP_STANDARD_SECURITY_ONLY",
        SlowHandshake => "SLOW_HANDSHAKE",
        Intermittent => "INTERMITTENT",
    }
}

/// One finding about one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    /// What in the observation raised it: values, dates, stage and timing, in words.
    pub evidence: String,
    /// The fix, in one sentence an administrator can act on.
    pub remediation: String,
}

/// Every finding an observation raises, most severe first (then in code order).
/// A host that is not RDP, or whose port is closed, raises none.
pub fn findings(obs: &Observation, policy: &RiskPolicy) -> Vec<Finding> {
    let _ = (obs, policy);
    Vec::new()
}
