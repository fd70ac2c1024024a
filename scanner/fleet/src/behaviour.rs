//! The behaviours a simulated host plays, with their names and one-line descriptions.
//! What each does on the wire lives in [`super::play`].

use std::fmt;
use std::time::Duration;

/// How long the `slow` host waits before it answers the Connection Request.
pub const SLOW_DELAY: Duration = Duration::from_millis(1500);

/// The pause between two bytes of the `trickle` host's Connection Confirm.
pub const TRICKLE_INTERVAL: Duration = Duration::from_secs(1);

/// One behaviour a simulated host plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Behaviour {
    Healthy,
    HealthySsl,
    CertExpired,
    CertExpiring,
    CertNotYetValid,
    WeakCert,
    NegFailure1,
    NegFailure2,
    NegFailure3,
    NegFailure4,
    NegFailure5,
    NegFailure6,
    NegFailureUnknown,
    Silent,
    AcceptClose,
    Reset,
    TlsClose,
    TlsStall,
    TlsAlert,
    Tls10Only,
    PreVista,
    Http,
    Slow,
    Trickle,
    BadLength,
    OversizedLength,
    XrdpDisconnect,
    FormulaSubject,
    NoListener,
    /// The healthy profile's host: HYBRID_EX, TLS 1.3 only, ECDSA P-256 self-signed certificate.
    HealthyEcdsa,
    // The deep profile's hosts ([`DEEP`]): what each accepts is in `super::policy`.
    PolicyRdpOnly,
    PolicyTlsOnly,
    PolicyNegotiate,
    PolicyNlaRequired,
    PolicyHybridEx,
    TlsRange10,
    TlsRange10To11,
    TlsRange10To12,
    TlsRange10To13,
    TlsRange11To12,
    TlsRange12,
    TlsRange12To13,
    TlsRange13,
    StdSecurityNone,
    StdSecurityLow,
    StdSecurityClientCompatible,
    StdSecurityHigh,
    StdSecurityFips,
    NtlmIdentity,
}

/// The mixed profile's behaviours in address order (offset 0 of the range first).
pub const MIXED: &[Behaviour] = &[
    Behaviour::Healthy,
    Behaviour::HealthySsl,
    Behaviour::CertExpired,
    Behaviour::CertExpiring,
    Behaviour::CertNotYetValid,
    Behaviour::WeakCert,
    Behaviour::NegFailure1,
    Behaviour::NegFailure2,
    Behaviour::NegFailure3,
    Behaviour::NegFailure4,
    Behaviour::NegFailure5,
    Behaviour::NegFailure6,
    Behaviour::NegFailureUnknown,
    Behaviour::Silent,
    Behaviour::AcceptClose,
    Behaviour::Reset,
    Behaviour::TlsClose,
    Behaviour::TlsStall,
    Behaviour::TlsAlert,
    Behaviour::Tls10Only,
    Behaviour::PreVista,
    Behaviour::Http,
    Behaviour::Slow,
    Behaviour::Trickle,
    Behaviour::BadLength,
    Behaviour::OversizedLength,
    Behaviour::XrdpDisconnect,
    Behaviour::FormulaSubject,
    Behaviour::NoListener,
];

/// The deep profile's behaviours in address order: every security-layer policy, TLS version
/// range and standard-security encryption level, and the NTLM identity host.
pub const DEEP: &[Behaviour] = &[
    Behaviour::PolicyRdpOnly,
    Behaviour::PolicyTlsOnly,
    Behaviour::PolicyNegotiate,
    Behaviour::PolicyNlaRequired,
    Behaviour::PolicyHybridEx,
    Behaviour::TlsRange10,
    Behaviour::TlsRange10To11,
    Behaviour::TlsRange10To12,
    Behaviour::TlsRange10To13,
    Behaviour::TlsRange11To12,
    Behaviour::TlsRange12,
    Behaviour::TlsRange12To13,
    Behaviour::TlsRange13,
    Behaviour::StdSecurityNone,
    Behaviour::StdSecurityLow,
    Behaviour::StdSecurityClientCompatible,
    Behaviour::StdSecurityHigh,
    Behaviour::StdSecurityFips,
    Behaviour::NtlmIdentity,
];

impl Behaviour {
    /// The kebab-case name used in tables, logs and `--list`.
    pub fn name(self) -> &'static str {
        match self {
            Behaviour::Healthy => "healthy",
            Behaviour::HealthySsl => "healthy-ssl",
            Behaviour::CertExpired => "cert-expired",
            Behaviour::CertExpiring => "cert-expiring",
            Behaviour::CertNotYetValid => "cert-not-yet-valid",
            Behaviour::WeakCert => "weak-cert",
            Behaviour::NegFailure1 => "neg-failure-1",
            Behaviour::NegFailure2 => "neg-failure-2",
            Behaviour::NegFailure3 => "neg-failure-3",
            Behaviour::NegFailure4 => "neg-failure-4",
            Behaviour::NegFailure5 => "neg-failure-5",
            Behaviour::NegFailure6 => "neg-failure-6",
            Behaviour::NegFailureUnknown => "neg-failure-unknown",
            Behaviour::Silent => "silent",
            Behaviour::AcceptClose => "accept-close",
            Behaviour::Reset => "reset",
            Behaviour::TlsClose => "tls-close",
            Behaviour::TlsStall => "tls-stall",
            Behaviour::TlsAlert => "tls-alert",
            Behaviour::Tls10Only => "tls10-only",
            Behaviour::PreVista => "pre-vista",
            Behaviour::Http => "http",
            Behaviour::Slow => "slow",
            Behaviour::Trickle => "trickle",
            Behaviour::BadLength => "bad-length",
            Behaviour::OversizedLength => "oversized-length",
            Behaviour::XrdpDisconnect => "xrdp-disconnect",
            Behaviour::FormulaSubject => "formula-subject",
            Behaviour::NoListener => "no-listener",
            Behaviour::HealthyEcdsa => "healthy-ecdsa",
            Behaviour::PolicyRdpOnly => "policy-rdp-only",
            Behaviour::PolicyTlsOnly => "policy-tls-only",
            Behaviour::PolicyNegotiate => "policy-negotiate",
            Behaviour::PolicyNlaRequired => "policy-nla-required",
            Behaviour::PolicyHybridEx => "policy-hybrid-ex",
            Behaviour::TlsRange10 => "tls-1.0",
            Behaviour::TlsRange10To11 => "tls-1.0-1.1",
            Behaviour::TlsRange10To12 => "tls-1.0-1.2",
            Behaviour::TlsRange10To13 => "tls-1.0-1.3",
            Behaviour::TlsRange11To12 => "tls-1.1-1.2",
            Behaviour::TlsRange12 => "tls-1.2",
            Behaviour::TlsRange12To13 => "tls-1.2-1.3",
            Behaviour::TlsRange13 => "tls-1.3",
            Behaviour::StdSecurityNone => "std-security-none",
            Behaviour::StdSecurityLow => "std-security-low",
            Behaviour::StdSecurityClientCompatible => "std-security-client-compatible",
            Behaviour::StdSecurityHigh => "std-security-high",
            Behaviour::StdSecurityFips => "std-security-fips",
            Behaviour::NtlmIdentity => "ntlm-identity",
        }
    }

    /// One line saying what the host does, for the README and `--list`.
    pub fn describe(self) -> &'static str {
        match self {
            Behaviour::Healthy => "selects HYBRID_EX, completes TLS 1.2/1.3 with a valid RSA-2048 self-signed certificate",
            Behaviour::HealthySsl => "selects SSL, completes TLS 1.3 only with an ECDSA P-256 certificate issued by a fleet CA",
            Behaviour::CertExpired => "selects HYBRID, completes TLS with a certificate that expired 30 days ago",
            Behaviour::CertExpiring => "selects HYBRID, completes TLS with a certificate that expires in 10 days",
            Behaviour::CertNotYetValid => "selects HYBRID, completes TLS with a certificate valid only from 30 days on",
            Behaviour::WeakCert => "selects SSL, completes TLS 1.2 only with an RSA-1024 sha1WithRSAEncryption certificate",
            Behaviour::NegFailure1 => "answers RDP_NEG_FAILURE 1 (SSL_REQUIRED_BY_SERVER) and closes",
            Behaviour::NegFailure2 => "answers RDP_NEG_FAILURE 2 (SSL_NOT_ALLOWED_BY_SERVER) and closes",
            Behaviour::NegFailure3 => "answers RDP_NEG_FAILURE 3 (SSL_CERT_NOT_ON_SERVER) and closes",
            Behaviour::NegFailure4 => "answers RDP_NEG_FAILURE 4 (INCONSISTENT_FLAGS) and closes",
            Behaviour::NegFailure5 => "answers RDP_NEG_FAILURE 5 (HYBRID_REQUIRED_BY_SERVER) and closes",
            Behaviour::NegFailure6 => "answers RDP_NEG_FAILURE 6 (SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER) and closes",
            Behaviour::NegFailureUnknown => "answers RDP_NEG_FAILURE with the unknown code 99 and closes",
            Behaviour::Silent => "reads the Connection Request and never answers",
            Behaviour::AcceptClose => "reads the Connection Request and closes (FIN)",
            Behaviour::Reset => "reads the Connection Request and resets the connection (RST)",
            Behaviour::TlsClose => "selects SSL, then closes on the ClientHello",
            Behaviour::TlsStall => "selects SSL, then reads the ClientHello and never answers",
            Behaviour::TlsAlert => "selects HYBRID, then answers the ClientHello with alert 80 (internal_error) and closes",
            Behaviour::Tls10Only => "selects SSL, then answers any ClientHello with a TLS 1.0 ServerHello and RSA-2048 certificate",
            Behaviour::PreVista => "answers the 11-byte Connection Confirm without negotiation data (standard RDP security)",
            Behaviour::Http => "answers HTTP/1.1 400 Bad Request and closes",
            Behaviour::Slow => "waits 1.5 s, then behaves as healthy but selects HYBRID",
            Behaviour::Trickle => "sends a valid Connection Confirm one byte per second",
            Behaviour::BadLength => "sends a TPKT header whose length (2) cannot hold an X.224 TPDU",
            Behaviour::OversizedLength => "sends a TPKT header claiming 65535 bytes, then a Confirm's 15 bytes, and holds",
            Behaviour::XrdpDisconnect => "answers an X.224 Data TPDU carrying an MCS disconnect, as some xrdp builds do, and closes",
            Behaviour::FormulaSubject => "selects HYBRID, completes TLS with a certificate whose CN is a spreadsheet formula",
            Behaviour::NoListener => "nothing listens: the TCP connection is refused",
            Behaviour::HealthyEcdsa => "selects HYBRID_EX, completes TLS 1.3 only with an ECDSA P-256 self-signed certificate",
            Behaviour::PolicyRdpOnly => "security layer RDP: selects PROTOCOL_RDP when asked for it alone, else RDP_NEG_FAILURE 2; standard security as std-security-client-compatible",
            Behaviour::PolicyTlsOnly => "security layer SSL, NLA off: selects SSL whenever SSL is requested (even with HYBRID), else RDP_NEG_FAILURE 1",
            Behaviour::PolicyNegotiate => "security layer Negotiate, NLA off: selects what is asked among RDP, SSL, HYBRID, HYBRID_EX; answers RDSTLS or RDSAAD alone with PROTOCOL_RDP; standard security as std-security-client-compatible",
            Behaviour::PolicyNlaRequired => "NLA required: selects HYBRID when requested, else RDP_NEG_FAILURE 5",
            Behaviour::PolicyHybridEx => "NLA required with Early User Authorization: selects HYBRID_EX, or HYBRID, when requested, else RDP_NEG_FAILURE 5",
            Behaviour::TlsRange10 => "selects SSL/HYBRID/HYBRID_EX as asked (RDP_NEG_FAILURE 1 otherwise), then speaks TLS 1.0 only",
            Behaviour::TlsRange10To11 => "as tls-1.0, speaking TLS 1.0 and 1.1",
            Behaviour::TlsRange10To12 => "as tls-1.0, speaking TLS 1.0 to 1.2",
            Behaviour::TlsRange10To13 => "as tls-1.0, speaking TLS 1.0 to 1.3",
            Behaviour::TlsRange11To12 => "as tls-1.0, speaking TLS 1.1 and 1.2",
            Behaviour::TlsRange12 => "as tls-1.0, speaking TLS 1.2 only",
            Behaviour::TlsRange12To13 => "as tls-1.0, speaking TLS 1.2 and 1.3",
            Behaviour::TlsRange13 => "as tls-1.0, speaking TLS 1.3 only",
            Behaviour::StdSecurityNone => "security layer RDP (as policy-rdp-only), standard security at encryption level none: answers any offer with method none, as RDP 5.0-8.1",
            Behaviour::StdSecurityLow => "security layer RDP, standard security at level low: answers 40, 56 or 128-bit with the method offered, as RDP 5.0-8.1; closes on FIPS",
            Behaviour::StdSecurityClientCompatible => "security layer RDP, standard security at level client-compatible: answers 40, 56 or 128-bit with the method offered, as RDP 10.7; closes on FIPS",
            Behaviour::StdSecurityHigh => "security layer RDP, standard security at level high: answers 128-bit only, as RDP 10.7; closes on any other offer",
            Behaviour::StdSecurityFips => "security layer RDP, standard security at level FIPS: answers the FIPS method only, as RDP 10.7; closes on any other offer",
            Behaviour::NtlmIdentity => "NLA required: selects HYBRID, completes TLS 1.2/1.3, then answers an NTLM NEGOTIATE as RDPSIM01 of domain FLEET (10.0.20348) with its clock 10 minutes fast",
        }
    }

    /// The RDP_NEG_FAILURE failureCode this host answers with, if it is a failure host.
    pub(crate) fn failure_code(self) -> Option<u32> {
        match self {
            Behaviour::NegFailure1 => Some(1),
            Behaviour::NegFailure2 => Some(2),
            Behaviour::NegFailure3 => Some(3),
            Behaviour::NegFailure4 => Some(4),
            Behaviour::NegFailure5 => Some(5),
            Behaviour::NegFailure6 => Some(6),
            Behaviour::NegFailureUnknown => Some(99),
            _ => None,
        }
    }
}

impl fmt::Display for Behaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
