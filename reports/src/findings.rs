//! Findings: what an observation says about the 0x904 risk of a host, each with a stable code,
//! a severity, evidence taken from the observation, and the fix administrators use.
//!
//! Which hosts are judged: those that accepted TCP. A port that is refused, unreachable, timed
//! out or failed at TCP is not a 0x904 (a refused port is a 0x204 for clients) and raises no
//! finding; a listener that answers something other than RDP, or RDP framing that cannot be
//! right, does (every client fails there). The judgement is on the record's final attempt (the one
//! the record describes); `INTERMITTENT` is how earlier, different attempts show.
//!
//! The conditions, on the observation:
//!
//! | code | raised when |
//! |---|---|
//! | `CERT_EXPIRED` | `cert.days_left < 0` |
//! | `CERT_NOT_YET_VALID` | `cert.not_before` later than `scanned_at` |
//! | `CERT_EXPIRING_SOON` | `0 <= cert.days_left <= policy.expiring_days` |
//! | `CERT_WEAK_KEY` | `cert.key` is RSA with fewer than 2048 bits |
//! | `CERT_WEAK_SIGNATURE` | `cert.signature` uses SHA-1, MD5, MD4 or MD2 (by name, RSASSA-PSS hash or OID) |
//! | `NEG_SSL_CERT_NOT_ON_SERVER` | RDP_NEG_FAILURE 3 |
//! | `NEG_SSL_NOT_ALLOWED` | RDP_NEG_FAILURE 2 |
//! | `NEG_SSL_REQUIRED` | RDP_NEG_FAILURE 1 |
//! | `NEG_HYBRID_REQUIRED` | RDP_NEG_FAILURE 5 |
//! | `NEG_SSL_WITH_USER_AUTH_REQUIRED` | RDP_NEG_FAILURE 6 |
//! | `NEG_FAILURE_OTHER` | RDP_NEG_FAILURE 4, an unknown code, or `rdp=failure` without one |
//! | `TLS_HANDSHAKE_FAILED` | `tls` is `closed`, `reset`, `alert` or `protocol-error` |
//! | `TLS_HANDSHAKE_TIMEOUT` | `tls=timeout` |
//! | `TLS_LEGACY_ONLY` | `tls=legacy` |
//! | `X224_NO_RESPONSE` | `rdp=timeout` |
//! | `X224_CLOSED` | `rdp` is `closed` or `reset` |
//! | `RDP_STANDARD_SECURITY_ONLY` | `rdp=negotiated` and `selected_protocol=rdp` |
//! | `SLOW_HANDSHAKE` | `tcp_ms`, `rdp_ms` or `tls_ms` over `policy.slow_ms` (a stage that timed out is not counted: its time is the deadline, and its own finding says so) |
//! | `INTERMITTENT` | `attempt_outcomes` holds more than one distinct outcome |
//! | `NLA_NOT_REQUIRED` | `--deep`: the PROTOCOL_RDP or the SSL request was accepted (a client gets in without CredSSP) |
//! | `RDP_ENCRYPTION_LOW` | `--deep`: standard security at level `none` or `low`, or accepting the 40-bit or 56-bit method |
//! | `RDP_FIPS_ONLY` | `--deep`: standard security at level `fips`, or accepting only the FIPS method |
//! | `TLS_1_0_ENABLED` | `--deep`: a TLS 1.0 handshake succeeded |
//! | `CLOCK_SKEW` | `--deep`: the NTLM challenge's clock differs from the scanner's by more than [`CLOCK_SKEW_LIMIT_S`] |
//! | `NOT_RDP` | `rdp=not-rdp`: something other than RDP answers |
//! | `X224_MALFORMED` | `rdp=protocol-error`: TPKT/X.224 framing that cannot be right |
//! | `NEG_UNEXPECTED_PROTOCOL` | the Confirm selects a protocol other than RDP, SSL, HYBRID, HYBRID_EX (what the client asked for) |
//! | `NO_PROTOCOL_ACCEPTED` | `--deep`: every protocol request of the matrix was answered and none accepted |
//! | `CERT_UNTRUSTED` | `cert_trust` says clients do not trust the chain (self-signed, unknown issuer, a refused signature...; expiry has its own codes) |
//! | `CERT_NAME_MISMATCH` | `cert_trust` knows the name clients connect to and the certificate does not name it |
//!
//! Certificate findings apply whenever the leaf certificate was read (`tls=ok` or `legacy`).
//! Each code's severity, and why, is in the catalogue ([`FindingCode::severity`]); its fix is
//! [`FindingCode::remediation`]. Evidence is one line of plain text: certificate names, which
//! the server chooses, are quoted and escaped, and control characters are replaced.

mod catalogue;
#[cfg(test)]
pub(crate) mod tests;

use rdpsweep_codec::{EncryptionLevel, EncryptionMethod, FailureCode, SecurityProtocol};
use serde::{Deserialize, Serialize};

use crate::deep::{join, DeepObservation, TlsVersion};
use crate::observation::Observation;
use crate::risk::RiskPolicy;
use crate::timestamp::{self, whole_second_utc};
use crate::trust::Untrusted;
use crate::vocab::{word_enum, RdpStatus, TcpStatus, TlsStatus};

/// `CLOCK_SKEW` is raised above this many seconds between the server's clock and the scanner's:
/// Kerberos' default tolerance, beyond which CredSSP logons fail.
pub const CLOCK_SKEW_LIMIT_S: i64 = 300;

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
        NlaNotRequired => "NLA_NOT_REQUIRED",
        RdpEncryptionLow => "RDP_ENCRYPTION_LOW",
        RdpFipsOnly => "RDP_FIPS_ONLY",
        Tls10Enabled => "TLS_1_0_ENABLED",
        ClockSkew => "CLOCK_SKEW",
        NotRdp => "NOT_RDP",
        X224Malformed => "X224_MALFORMED",
        NegUnexpectedProtocol => "NEG_UNEXPECTED_PROTOCOL",
        NoProtocolAccepted => "NO_PROTOCOL_ACCEPTED",
        CertUntrusted => "CERT_UNTRUSTED",
        CertNameMismatch => "CERT_NAME_MISMATCH",
        CertMalformed => "CERT_MALFORMED",
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

/// Every finding an observation raises, most severe first (then in code order), at most one
/// per code. A port that did not accept TCP raises none (that is a 0x204 for clients).
pub fn findings(obs: &Observation, policy: &RiskPolicy) -> Vec<Finding> {
    if obs.tcp != TcpStatus::Open || obs.rdp.is_none() {
        return Vec::new();
    }
    let mut raised: Vec<(FindingCode, String)> = Vec::new();
    certificate_findings(obs, policy, &mut raised);
    trust_findings(obs, &mut raised);
    negotiation_findings(obs, &mut raised);
    x224_findings(obs, &mut raised);
    tls_findings(obs, &mut raised);
    timing_findings(obs, policy, &mut raised);
    if let Some(deep) = &obs.deep {
        deep_findings(deep, &mut raised);
    }

    // Each rule raises its code at most once, so there is nothing to de-duplicate.
    let mut out: Vec<Finding> = Vec::with_capacity(raised.len());
    for (code, evidence) in raised {
        out.push(Finding {
            code,
            severity: code.severity(policy.client_policy),
            evidence: one_line(evidence),
            remediation: code.remediation().to_string(),
        });
    }
    out.sort_by_key(|f| (f.severity, f.code));
    out
}

/// What the trust judgement says: a chain clients do not trust (its dates have their own
/// codes), a certificate for another name than the one the client connects to.
fn trust_findings(obs: &Observation, out: &mut Vec<(FindingCode, String)>) {
    let (Some(trust), Some(cert)) = (&obs.cert_trust, &obs.cert) else {
        return;
    };
    // Quoted as `{:?}` writes it, only in the evidence of a finding raised.
    let subject = &cert.subject;
    match trust.untrusted {
        None | Some(Untrusted::Expired | Untrusted::NotYetValid) => {}
        Some(Untrusted::Unparsable) => out.push((
            FindingCode::CertMalformed,
            format!(
                "certificate {subject:?} has a name that is not valid text for its string type: \
                 OpenSSL-based clients cannot parse it"
            ),
        )),
        Some(why) => out.push((
            FindingCode::CertUntrusted,
            format!(
                "certificate {subject:?} is not trusted by clients ({why}; issuer {:?})",
                cert.issuer
            ),
        )),
    }
    if let (Some(false), Some(name)) = (trust.name_match, &trust.name) {
        out.push((
            FindingCode::CertNameMismatch,
            format!("certificate {subject:?} does not name {name:?}, the name clients connect to"),
        ));
    }
}

fn certificate_findings(
    obs: &Observation,
    policy: &RiskPolicy,
    out: &mut Vec<(FindingCode, String)>,
) {
    let Some(cert) = &obs.cert else {
        return;
    };
    // Quoted as `{:?}` writes it, only in the evidence of a finding raised.
    let subject = &cert.subject;
    if cert.days_left < 0 {
        out.push((
            FindingCode::CertExpired,
            format!(
                "certificate {subject:?} expired {}, {} before the scan",
                date(cert.not_after),
                days(-cert.days_left)
            ),
        ));
    } else if cert.days_left <= policy.expiring_days {
        out.push((
            FindingCode::CertExpiringSoon,
            format!(
                "certificate {subject:?} expires {}, {} after the scan (window {})",
                date(cert.not_after),
                days(cert.days_left),
                days(policy.expiring_days)
            ),
        ));
    }
    if let (Some(from), Some(scan)) = (cert.not_before, obs.scanned_at) {
        // Compared to the second, as the times are written.
        if whole_second_utc(from) > whole_second_utc(scan) {
            out.push((
                FindingCode::CertNotYetValid,
                format!(
                    "certificate {subject:?} is valid only from {}, after the scan at {}",
                    timestamp::rfc3339(from),
                    timestamp::rfc3339(scan)
                ),
            ));
        }
    }
    if let Some(bits) = cert.key.rsa_bits() {
        if bits < 2048 {
            out.push((
                FindingCode::CertWeakKey,
                format!("certificate {subject:?} has an RSA {bits}-bit key, under 2048 bits"),
            ));
        }
    }
    if cert.signature.is_weak() {
        out.push((
            FindingCode::CertWeakSignature,
            format!("certificate {subject:?} is signed with {}", cert.signature),
        ));
    }
}

fn negotiation_findings(obs: &Observation, out: &mut Vec<(FindingCode, String)>) {
    let code = match obs.neg_failure {
        Some(failure) => failure,
        None if obs.rdp == Some(RdpStatus::Failure) => {
            out.push((
                FindingCode::NegFailureOther,
                format!(
                    "an RDP_NEG_FAILURE without a failure code{}",
                    after_request(obs)
                ),
            ));
            return;
        }
        None => return,
    };
    let (finding, name) = match code {
        FailureCode::SSL_REQUIRED_BY_SERVER => {
            (FindingCode::NegSslRequired, "SSL_REQUIRED_BY_SERVER")
        }
        FailureCode::SSL_NOT_ALLOWED_BY_SERVER => {
            (FindingCode::NegSslNotAllowed, "SSL_NOT_ALLOWED_BY_SERVER")
        }
        FailureCode::SSL_CERT_NOT_ON_SERVER => {
            (FindingCode::NegSslCertNotOnServer, "SSL_CERT_NOT_ON_SERVER")
        }
        FailureCode::INCONSISTENT_FLAGS => (FindingCode::NegFailureOther, "INCONSISTENT_FLAGS"),
        FailureCode::HYBRID_REQUIRED_BY_SERVER => {
            (FindingCode::NegHybridRequired, "HYBRID_REQUIRED_BY_SERVER")
        }
        FailureCode::SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER => (
            FindingCode::NegSslWithUserAuthRequired,
            "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER",
        ),
        _ => (FindingCode::NegFailureOther, "an unknown failure code"),
    };
    out.push((
        finding,
        format!("RDP_NEG_FAILURE {} ({name}){}", code.0, after_request(obs)),
    ));
}

fn x224_findings(obs: &Observation, out: &mut Vec<(FindingCode, String)>) {
    match obs.rdp {
        Some(RdpStatus::Timeout) => out.push((
            FindingCode::X224NoResponse,
            format!(
                "TCP accepted, then no Connection Confirm{}{}",
                obs.rdp_ms
                    .map(|ms| format!(" within {ms:.1} ms"))
                    .unwrap_or_default(),
                reason(obs)
            ),
        )),
        Some(status @ (RdpStatus::Closed | RdpStatus::Reset)) => out.push((
            FindingCode::X224Closed,
            format!(
                "the server {} the connection{} before a Connection Confirm{}",
                if status == RdpStatus::Closed {
                    "closed"
                } else {
                    "reset"
                },
                obs.rdp_ms
                    .map(|ms| format!(" {ms:.1} ms after the Connection Request,"))
                    .unwrap_or_default(),
                reason(obs)
            ),
        )),
        Some(RdpStatus::NotRdp) => out.push((
            FindingCode::NotRdp,
            format!(
                "something other than RDP answers on the port{}",
                reason(obs)
            ),
        )),
        Some(RdpStatus::ProtocolError) => out.push((
            FindingCode::X224Malformed,
            format!("an answer whose RDP framing cannot be right{}", reason(obs)),
        )),
        Some(RdpStatus::Negotiated)
            if obs
                .selected_protocol
                .is_some_and(|p| p != SecurityProtocol::RDP && !p.starts_tls()) =>
        {
            out.push((
                FindingCode::NegUnexpectedProtocol,
                format!(
                    "the Connection Confirm selected {}, which the client (asking for {}) did not request",
                    obs.selected_protocol.unwrap_or_default(),
                    SecurityProtocol::WINDOWS_CLIENT
                ),
            ));
        }
        Some(RdpStatus::Negotiated) if obs.selected_protocol == Some(SecurityProtocol::RDP) => {
            let how = if obs.neg_flags.is_none() {
                "a Connection Confirm without negotiation data (a pre-Vista server)"
            } else {
                "the Connection Confirm selected rdp"
            };
            out.push((
                FindingCode::RdpStandardSecurityOnly,
                format!("{how}: standard RDP security, no TLS"),
            ));
        }
        _ => {}
    }
}

fn tls_findings(obs: &Observation, out: &mut Vec<(FindingCode, String)>) {
    let Some(tls) = obs.tls else {
        return;
    };
    let selected = obs
        .selected_protocol
        .map(|p| format!("selected {p}, then "))
        .unwrap_or_default();
    let after = obs
        .tls_ms
        .map(|ms| format!(" after {ms:.1} ms"))
        .unwrap_or_default();
    match tls {
        TlsStatus::Ok => {}
        TlsStatus::Legacy => out.push((
            FindingCode::TlsLegacyOnly,
            format!(
                "the host completes a TLS handshake only as {} with {}{}",
                obs.tls_version
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "an unknown version".to_string()),
                obs.tls_cipher
                    .as_deref()
                    .unwrap_or("an unknown cipher suite"),
                reason(obs)
            ),
        )),
        TlsStatus::Timeout => out.push((
            FindingCode::TlsHandshakeTimeout,
            format!(
                "{selected}no TLS handshake{}{}",
                obs.tls_ms
                    .map(|ms| format!(" within {ms:.1} ms"))
                    .unwrap_or_default(),
                reason(obs)
            ),
        )),
        TlsStatus::Closed | TlsStatus::Reset | TlsStatus::Alert | TlsStatus::ProtocolError => {
            let what = match tls {
                TlsStatus::Closed => "was closed",
                TlsStatus::Reset => "was reset",
                TlsStatus::Alert => "ended in a TLS alert",
                _ => "broke with a protocol error",
            };
            out.push((
                FindingCode::TlsHandshakeFailed,
                format!("{selected}the TLS handshake {what}{after}{}", reason(obs)),
            ));
        }
    }
}

fn timing_findings(obs: &Observation, policy: &RiskPolicy, out: &mut Vec<(FindingCode, String)>) {
    let stages = [
        ("tcp_ms", obs.tcp_ms, false),
        ("rdp_ms", obs.rdp_ms, obs.rdp == Some(RdpStatus::Timeout)),
        ("tls_ms", obs.tls_ms, obs.tls == Some(TlsStatus::Timeout)),
    ];
    let slow: Vec<String> = stages
        .iter()
        .filter_map(|&(name, ms, timed_out)| match ms {
            Some(ms) if !timed_out && ms > policy.slow_ms => Some(format!("{name} {ms:.1}")),
            _ => None,
        })
        .collect();
    if !slow.is_empty() {
        out.push((
            FindingCode::SlowHandshake,
            format!("{} over {}", slow.join(", "), policy.slow_ms),
        ));
    }

    let first = obs.attempt_outcomes.first();
    if first.is_some_and(|first| obs.attempt_outcomes.iter().any(|o| o != first)) {
        out.push((
            FindingCode::Intermittent,
            format!("attempts disagreed: {}", obs.attempt_outcomes.join(", ")),
        ));
    }
}

/// What the deep probe's answers say: security layer, standard security, TLS versions, clock.
fn deep_findings(deep: &DeepObservation, out: &mut Vec<(FindingCode, String)>) {
    let every_asked = deep.protocols.len() == crate::deep::MATRIX.len();
    let answered = deep.protocols.iter().all(|p| p.rdp.is_some());
    if every_asked && answered && deep.protocols_accepted().is_empty() {
        out.push((
            FindingCode::NoProtocolAccepted,
            "the listener refuses every protocol request, standard RDP security included"
                .to_string(),
        ));
    }
    let without_credssp: Vec<SecurityProtocol> = [SecurityProtocol::RDP, SecurityProtocol::SSL]
        .into_iter()
        .filter(|&p| deep.accepts(p) == Some(true))
        .collect();
    if !without_credssp.is_empty() {
        out.push((
            FindingCode::NlaNotRequired,
            format!(
                "the listener accepts {} without CredSSP (protocols accepted: {})",
                join(&without_credssp),
                join(&deep.protocols_accepted())
            ),
        ));
    }
    if let Some(security) = &deep.rdp_security {
        let level = security
            .level
            .map(|l| format!("encryption level {l}"))
            .unwrap_or_else(|| "encryption level unknown".to_string());
        let weak: Vec<EncryptionMethod> = security
            .methods
            .iter()
            .copied()
            .filter(|&m| m == EncryptionMethod::BIT_40 || m == EncryptionMethod::BIT_56)
            .collect();
        let low_level = matches!(
            security.level,
            Some(EncryptionLevel::NONE | EncryptionLevel::LOW)
        );
        if low_level || !weak.is_empty() {
            out.push((
                FindingCode::RdpEncryptionLow,
                format!(
                    "standard RDP security at {level}, methods accepted: {}",
                    methods(&security.methods)
                ),
            ));
        }
        let fips_only = security.methods == [EncryptionMethod::FIPS];
        if security.level == Some(EncryptionLevel::FIPS) || fips_only {
            out.push((
                FindingCode::RdpFipsOnly,
                format!(
                    "standard RDP security at {level}, methods accepted: {}",
                    methods(&security.methods)
                ),
            ));
        }
    }
    let tls = deep.tls_accepted();
    if tls.contains(&TlsVersion::Tls10) {
        out.push((
            FindingCode::Tls10Enabled,
            format!(
                "a TLS 1.0 handshake succeeded (versions accepted: {})",
                join(&tls)
            ),
        ));
    }
    if let Some(skew) = deep.ntlm.as_ref().and_then(|n| n.clock_skew_s) {
        // `unsigned_abs`: a hostile results.jsonl may hold i64::MIN, whose `abs` overflows.
        if skew.unsigned_abs() > CLOCK_SKEW_LIMIT_S.unsigned_abs() {
            let way = if skew > 0 { "ahead of" } else { "behind" };
            let at = deep
                .ntlm
                .as_ref()
                .and_then(|n| n.server_time)
                .map(|t| format!(" (server time {})", timestamp::rfc3339(t)))
                .unwrap_or_default();
            out.push((
                FindingCode::ClockSkew,
                format!(
                    "the server's clock is {} s {way} the scanner's{at}, over {CLOCK_SKEW_LIMIT_S} s",
                    skew.unsigned_abs()
                ),
            ));
        }
    }
}

/// `40bit|128bit`, or `none` when no method was accepted.
fn methods(methods: &[EncryptionMethod]) -> String {
    if methods.is_empty() {
        "none".to_string()
    } else {
        join(methods)
    }
}

/// ` 0.4 ms after the Connection Request`, or nothing when the time is unknown.
fn after_request(obs: &Observation) -> String {
    obs.rdp_ms
        .map(|ms| format!(" {ms:.1} ms after the Connection Request"))
        .unwrap_or_default()
}

/// `: ` and the observation's error text, or nothing.
fn reason(obs: &Observation) -> String {
    obs.error
        .as_deref()
        .filter(|e| !e.is_empty())
        .map(|e| format!(": {e}"))
        .unwrap_or_default()
}

/// A certificate date as written, or `at an unknown time` for a record that has none.
fn date(at: Option<time::OffsetDateTime>) -> String {
    at.map_or_else(|| "at an unknown time".to_string(), timestamp::rfc3339)
}

/// `1 day`, `31 days`.
fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

/// Evidence is one line of plain text: control characters (newlines included) become spaces.
fn one_line(text: String) -> String {
    // Most evidence is printable ASCII: one pass without early exit, and no copy.
    if text
        .bytes()
        .fold(true, |all, b| all & (0x20..0x7f).contains(&b))
    {
        return text;
    }
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
