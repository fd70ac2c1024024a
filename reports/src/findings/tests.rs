use std::net::{IpAddr, Ipv4Addr};

use super::*;
use crate::certificate::{CertInfo, CertKey, EcCurve, HashAlgorithm, Oid, SignatureAlgorithm};
use crate::deep::{
    DeepObservation, NtlmIdentity, ProtocolAnswer, RdpSecurity, TlsVersion, TlsVersionAnswer,
};
use crate::outcome::ClientPolicy;
use rdpsweep_codec::{ResponseFlags, SecurityProtocol as P};
use time::macros::datetime;
use time::OffsetDateTime;

const SCANNED_AT: OffsetDateTime = datetime!(2026-11-21 23:00:00 UTC);
const SCANNED_AT_TEXT: &str = "2026-11-21T23:00:00Z";

/// A time as the reports write it.
fn at(text: &str) -> Option<OffsetDateTime> {
    Some(crate::timestamp::parse(text).expect(text))
}

/// A healthy leaf: 200 days left, RSA 2048, SHA-256.
pub(crate) fn cert() -> CertInfo {
    CertInfo {
        subject: "rdp01.corp".to_string(),
        issuer: "rdp01.corp".to_string(),
        self_signed: true,
        not_before: at("2026-06-09T08:00:00Z"),
        not_after: at("2027-06-09T08:00:00Z"),
        days_left: 200,
        key: CertKey::Rsa { bits: 2048 },
        signature: SignatureAlgorithm::Sha256WithRsa,
        sha256: "ab".repeat(32),
    }
}

/// A host that negotiated HYBRID and completed TLS 1.3 quickly with a healthy certificate.
pub(crate) fn healthy() -> Observation {
    let mut obs = Observation::new(
        Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5))),
        3389,
        None,
        TcpStatus::Open,
    );
    obs.tcp_ms = Some(0.6);
    obs.rdp = Some(RdpStatus::Negotiated);
    obs.rdp_ms = Some(1.2);
    obs.selected_protocol = Some(P::HYBRID);
    obs.neg_flags = Some(ResponseFlags::from_bits_retain(0x1f));
    obs.tls = Some(TlsStatus::Ok);
    obs.tls_ms = Some(3.4);
    obs.tls_version = Some(TlsVersion::Tls13.wire());
    obs.tls_cipher = Some("TLS_AES_256_GCM_SHA384".to_string());
    obs.cert = Some(cert());

    obs.attempt_outcomes = vec!["tls=ok".to_string()];
    obs.scanned_at = Some(SCANNED_AT);
    obs
}

/// A healthy host whose certificate is changed by `edit`.
pub(crate) fn with_cert(edit: impl FnOnce(&mut CertInfo)) -> Observation {
    let mut obs = healthy();
    edit(obs.cert.as_mut().unwrap());
    obs
}

/// A host that sent an RDP_NEG_FAILURE with `code`.
pub(crate) fn neg_failure(code: u32) -> Observation {
    let mut obs = healthy();
    obs.rdp = Some(RdpStatus::Failure);
    obs.rdp_ms = Some(0.4);
    obs.selected_protocol = None;
    obs.neg_flags = None;
    obs.neg_failure = Some(FailureCode(code));
    obs.tls = None;
    obs.tls_ms = None;
    obs.tls_version = None;
    obs.tls_cipher = None;
    obs.cert = None;

    obs.attempt_outcomes = vec!["rdp=failure".to_string()];
    obs.error = Some("server sent rdp_neg_failure".to_string());
    obs
}

/// A host whose X.224 stage ended with `status` (no TLS).
pub(crate) fn x224(status: RdpStatus, ms: f64) -> Observation {
    let mut obs = neg_failure(0);
    obs.rdp = Some(status);
    obs.rdp_ms = Some(ms);
    obs.neg_failure = None;
    obs.attempt_outcomes = vec![format!("rdp={status}")];
    obs.error = None;
    obs
}

/// A host that selected HYBRID, then ended TLS with `status` after `ms` (no certificate).
pub(crate) fn tls_failed(status: TlsStatus, ms: f64, error: &str) -> Observation {
    let mut obs = healthy();
    obs.tls = Some(status);
    obs.tls_ms = Some(ms);
    obs.tls_version = None;
    obs.tls_cipher = None;
    obs.cert = None;

    obs.attempt_outcomes = vec![format!("tls={status}")];
    obs.error = Some(error.to_string());
    obs
}

pub(crate) fn codes(obs: &Observation) -> Vec<FindingCode> {
    codes_with(obs, &RiskPolicy::default())
}

fn codes_with(obs: &Observation, policy: &RiskPolicy) -> Vec<FindingCode> {
    findings(obs, policy).iter().map(|f| f.code).collect()
}

/// The one finding with `code`, or a panic naming what was raised instead.
fn the(obs: &Observation, code: FindingCode) -> Finding {
    let all = findings(obs, &RiskPolicy::default());
    all.iter()
        .find(|f| f.code == code)
        .cloned()
        .unwrap_or_else(|| panic!("{code} not raised; raised {all:?}"))
}

#[test]
fn a_healthy_tls_host_raises_nothing() {
    assert_eq!(codes(&healthy()), []);
}

#[test]
fn hosts_that_did_not_accept_tcp_raise_nothing() {
    // Each carries values that would raise findings on an RDP host (slow stages, attempts that
    // disagree), so only the gate keeps them quiet.
    let mut refused = Observation::new(None, 3389, Some("gone.corp".into()), TcpStatus::Refused);
    refused.tcp_ms = Some(1500.0);
    refused.attempt_outcomes = vec!["tcp=timeout".into(), "tcp=refused".into()];
    refused.scanned_at = Some(SCANNED_AT);

    let mut tcp_timeout = refused.clone();
    tcp_timeout.tcp = TcpStatus::Timeout;
    tcp_timeout.attempt_outcomes = vec!["rdp=timeout".into(), "tcp=timeout".into()];

    let mut unreachable = refused.clone();
    unreachable.tcp = TcpStatus::Unreachable;

    let mut no_rdp_stage = healthy();
    no_rdp_stage.rdp = None;
    no_rdp_stage.cert.as_mut().unwrap().days_left = -5;

    for obs in [refused, tcp_timeout, unreachable, no_rdp_stage] {
        assert_eq!(codes(&obs), [], "{}", obs.outcome());
    }
}

#[test]
fn an_answer_that_is_not_rdp_or_broken_framing_is_a_finding() {
    let not_rdp = x224(RdpStatus::NotRdp, 2.5);
    assert_eq!(codes(&not_rdp), [FindingCode::NotRdp]);
    let mut broken = x224(RdpStatus::ProtocolError, 2.5);
    broken.error = Some("impossible tpkt length 2".into());
    assert_eq!(codes(&broken), [FindingCode::X224Malformed]);
    assert!(the(&broken, FindingCode::X224Malformed)
        .evidence
        .ends_with(": impossible tpkt length 2"));
}

#[test]
fn a_confirm_selecting_what_the_client_did_not_ask_for_is_a_finding() {
    for selected in [P::RDSTLS, P::RDSAAD, P::from_bits_retain(0x40)] {
        let mut obs = healthy();
        obs.selected_protocol = Some(selected);
        obs.tls = None;
        obs.cert = None;
        assert_eq!(
            codes(&obs),
            [FindingCode::NegUnexpectedProtocol],
            "{selected}"
        );
    }
}

#[test]
fn an_untrusted_certificate_or_another_name_is_a_finding() {
    use crate::trust::{CertTrust, Untrusted};
    let judged = |untrusted, name_match: Option<bool>| {
        let mut obs = healthy();
        obs.cert_trust = Some(CertTrust {
            untrusted,
            name: name_match.map(|_| "rdp02.corp".to_string()),
            name_match,
        });
        codes(&obs)
    };
    assert_eq!(judged(None, Some(true)), []);
    assert_eq!(
        judged(Some(Untrusted::SelfSigned), None),
        [FindingCode::CertUntrusted]
    );
    // Expiry has codes of its own.
    assert_eq!(judged(Some(Untrusted::Expired), None), []);
    assert_eq!(judged(None, Some(false)), [FindingCode::CertNameMismatch]);
}

#[test]
fn expiry_boundaries() {
    let days = |n: i64| codes(&with_cert(|c| c.days_left = n));
    assert_eq!(days(-1), [FindingCode::CertExpired]);
    assert_eq!(days(0), [FindingCode::CertExpiringSoon]);
    assert_eq!(days(30), [FindingCode::CertExpiringSoon]);
    assert_eq!(days(31), []);
}

#[test]
fn expiry_evidence_names_the_certificate_date_and_days() {
    let expired = with_cert(|c| {
        c.not_after = at("2026-10-21T08:00:00Z");
        c.days_left = -32;
    });
    assert_eq!(
        the(&expired, FindingCode::CertExpired).evidence,
        "certificate \"rdp01.corp\" expired 2026-10-21T08:00:00Z, 32 days before the scan"
    );
    let soon = with_cert(|c| {
        c.not_after = at("2026-11-22T08:00:00Z");
        c.days_left = 1;
    });
    assert_eq!(
        the(&soon, FindingCode::CertExpiringSoon).evidence,
        "certificate \"rdp01.corp\" expires 2026-11-22T08:00:00Z, 1 day after the scan (window 30 days)"
    );
    // A record whose date was not a time (hand-made) still says what it knows.
    let undated = with_cert(|c| {
        c.not_after = None;
        c.days_left = -2;
    });
    assert_eq!(
        the(&undated, FindingCode::CertExpired).evidence,
        "certificate \"rdp01.corp\" expired at an unknown time, 2 days before the scan"
    );
}

#[test]
fn not_yet_valid_compares_with_the_scan_time() {
    let from = |t: &str| codes(&with_cert(|c| c.not_before = at(t)));
    assert_eq!(from("2026-11-21T23:00:01Z"), [FindingCode::CertNotYetValid]);
    assert_eq!(from("2027-01-01T00:00:00Z"), [FindingCode::CertNotYetValid]);
    assert_eq!(from(SCANNED_AT_TEXT), []);
    assert_eq!(from("2026-11-21T22:59:59Z"), []);
    // To the second, as the times are written.
    let same_second = with_cert(|c| {
        c.not_before = Some(SCANNED_AT + time::Duration::milliseconds(900));
    });
    assert_eq!(codes(&same_second), []);

    let obs = with_cert(|c| c.not_before = at("2026-12-01T00:00:00Z"));
    let evidence = the(&obs, FindingCode::CertNotYetValid).evidence;
    assert!(evidence.contains("2026-12-01T00:00:00Z"), "{evidence}");
    assert!(evidence.contains(SCANNED_AT_TEXT), "{evidence}");

    // A record without a scan time (or without a start of validity) cannot say.
    let mut unknown = obs.clone();
    unknown.scanned_at = None;
    assert_eq!(codes(&unknown), []);
    let no_start = with_cert(|c| c.not_before = None);
    assert_eq!(codes(&no_start), []);
}

#[test]
fn weak_key_below_2048_bits() {
    let key = |k: CertKey| codes(&with_cert(|c| c.key = k));
    let rsa = |bits| CertKey::Rsa { bits };
    assert_eq!(key(rsa(2047)), [FindingCode::CertWeakKey]);
    assert_eq!(key(rsa(1024)), [FindingCode::CertWeakKey]);
    assert_eq!(key(rsa(2048)), []);
    assert_eq!(key(rsa(4096)), []);
    assert_eq!(key(CertKey::Ec(Some(EcCurve::P256))), []);
    assert_eq!(key(CertKey::Ed25519), []);
    let obs = with_cert(|c| c.key = rsa(1024));
    assert!(the(&obs, FindingCode::CertWeakKey)
        .evidence
        .contains("RSA 1024-bit key"));
}

#[test]
fn weak_signatures_sha1_and_md5() {
    use SignatureAlgorithm as Sig;
    let sig = |s: &Sig| codes(&with_cert(|c| c.signature = s.clone()));
    let oid = |dotted: &str| Sig::Other(Oid::new(dotted));
    // By name, by the hash of RSASSA-PSS, and by OID for the algorithms rdpsweep writes as one.
    for (weak, alg) in [
        ("sha1WithRSAEncryption", Sig::Sha1WithRsa),
        ("ecdsa-with-SHA1", oid("1.2.840.10045.4.1")),
        ("md5WithRSAEncryption", Sig::Md5WithRsa),
        ("md2WithRSAEncryption", oid("1.2.840.113549.1.1.2")),
        ("dsa-with-sha1", oid("1.2.840.10040.4.3")),
        ("sha1WithRSASignature (OIW)", oid("1.3.14.3.2.29")),
        (
            "RSASSA-PSS with SHA-1",
            Sig::RsaPss(Some(HashAlgorithm::Sha1)),
        ),
        ("RSASSA-PSS with MD5", Sig::RsaPss(Some(HashAlgorithm::Md5))),
    ] {
        assert_eq!(sig(&alg), [FindingCode::CertWeakSignature], "{weak}");
    }
    for (strong, alg) in [
        ("sha256WithRSAEncryption", Sig::Sha256WithRsa),
        ("sha384WithRSAEncryption", Sig::Sha384WithRsa),
        ("sha512WithRSAEncryption", Sig::Sha512WithRsa),
        ("ecdsa-with-SHA256", Sig::EcdsaWithSha256),
        ("RSASSA-PSS", Sig::RsaPss(None)),
        (
            "RSASSA-PSS with SHA-256",
            Sig::RsaPss(Some(HashAlgorithm::Sha256)),
        ),
        (
            "RSASSA-PSS with SHA-224",
            Sig::RsaPss(Some(HashAlgorithm::Sha224)),
        ),
        ("Ed25519", Sig::Ed25519),
        (
            "sha256WithRSAEncryption by OID",
            oid("1.2.840.113549.1.1.11"),
        ),
    ] {
        assert_eq!(sig(&alg), [], "{strong}");
    }
    let obs = with_cert(|c| c.signature = Sig::Sha1WithRsa);
    assert!(the(&obs, FindingCode::CertWeakSignature)
        .evidence
        .ends_with("signed with sha1WithRSAEncryption"));
}

#[test]
fn certificate_findings_apply_to_legacy_hosts_too() {
    let mut obs = with_cert(|c| c.days_left = -3);
    obs.tls = Some(TlsStatus::Legacy);
    obs.tls_version = Some(TlsVersion::Tls10.wire());
    assert_eq!(
        codes(&obs),
        [FindingCode::TlsLegacyOnly, FindingCode::CertExpired]
    );
}

#[test]
fn negotiation_failures_map_to_their_codes() {
    let table = [
        (1, FindingCode::NegSslRequired, "SSL_REQUIRED_BY_SERVER"),
        (
            2,
            FindingCode::NegSslNotAllowed,
            "SSL_NOT_ALLOWED_BY_SERVER",
        ),
        (
            3,
            FindingCode::NegSslCertNotOnServer,
            "SSL_CERT_NOT_ON_SERVER",
        ),
        (4, FindingCode::NegFailureOther, "INCONSISTENT_FLAGS"),
        (
            5,
            FindingCode::NegHybridRequired,
            "HYBRID_REQUIRED_BY_SERVER",
        ),
        (
            6,
            FindingCode::NegSslWithUserAuthRequired,
            "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER",
        ),
        (99, FindingCode::NegFailureOther, "an unknown failure code"),
    ];
    for (number, code, name) in table {
        let obs = neg_failure(number);
        assert_eq!(codes(&obs), [code], "{number}");
        assert_eq!(
            the(&obs, code).evidence,
            format!("RDP_NEG_FAILURE {number} ({name}) 0.4 ms after the Connection Request")
        );
    }
    let mut no_code = neg_failure(3);
    no_code.neg_failure = None;
    assert_eq!(codes(&no_code), [FindingCode::NegFailureOther]);
}

#[test]
fn tls_failures_after_selecting_tls() {
    let closed = tls_failed(TlsStatus::Closed, 0.2, "closed during the tls handshake");
    assert_eq!(codes(&closed), [FindingCode::TlsHandshakeFailed]);
    assert_eq!(
        the(&closed, FindingCode::TlsHandshakeFailed).evidence,
        "selected hybrid, then the TLS handshake was closed after 0.2 ms: closed during the tls handshake"
    );
    for status in [TlsStatus::Reset, TlsStatus::Alert, TlsStatus::ProtocolError] {
        let obs = tls_failed(status, 2.5, "server sent tls alert internal_error");
        assert_eq!(codes(&obs), [FindingCode::TlsHandshakeFailed], "{status}");
    }

    // The stage's time is the deadline, so a timeout is not also slow.
    let timeout = tls_failed(TlsStatus::Timeout, 5000.3, "no tls handshake within 5 s");
    assert_eq!(codes(&timeout), [FindingCode::TlsHandshakeTimeout]);
    assert_eq!(
        the(&timeout, FindingCode::TlsHandshakeTimeout).evidence,
        "selected hybrid, then no TLS handshake within 5000.3 ms: no tls handshake within 5 s"
    );

    let mut legacy = healthy();
    legacy.tls = Some(TlsStatus::Legacy);
    legacy.tls_version = Some(TlsVersion::Tls10.wire());
    legacy.tls_cipher = Some("TLS_RSA_WITH_AES_128_CBC_SHA".into());
    assert_eq!(codes(&legacy), [FindingCode::TlsLegacyOnly]);
    let evidence = the(&legacy, FindingCode::TlsLegacyOnly).evidence;
    assert!(
        evidence.contains("only as TLSv1.0 with TLS_RSA_WITH_AES_128_CBC_SHA"),
        "{evidence}"
    );
}

#[test]
fn x224_silence_cuts_and_standard_security() {
    let mut silent = x224(RdpStatus::Timeout, 5000.1);
    silent.error = Some("no connection confirm within 5 s (0 bytes received)".into());
    assert_eq!(codes(&silent), [FindingCode::X224NoResponse]);
    assert_eq!(
        the(&silent, FindingCode::X224NoResponse).evidence,
        "TCP accepted, then no Connection Confirm within 5000.1 ms: no connection confirm within 5 s (0 bytes received)"
    );

    for (status, word) in [(RdpStatus::Closed, "closed"), (RdpStatus::Reset, "reset")] {
        let obs = x224(status, 1.2);
        assert_eq!(codes(&obs), [FindingCode::X224Closed], "{status}");
        let evidence = the(&obs, FindingCode::X224Closed).evidence;
        assert!(
            evidence.starts_with(&format!("the server {word} the connection 1.2 ms after")),
            "{evidence}"
        );
    }

    let mut standard = x224(RdpStatus::Negotiated, 1.0);
    standard.selected_protocol = Some(P::RDP);
    standard.neg_flags = Some(ResponseFlags::empty());
    assert_eq!(codes(&standard), [FindingCode::RdpStandardSecurityOnly]);
    standard.neg_flags = None;
    assert!(the(&standard, FindingCode::RdpStandardSecurityOnly)
        .evidence
        .contains("without negotiation data"));

    // Selecting TLS is not standard security, whatever came after.
    let mut ssl = standard.clone();
    ssl.selected_protocol = Some(P::SSL);
    assert_eq!(codes(&ssl), []);
}

#[test]
fn slow_means_over_the_threshold() {
    let rdp_ms = |ms: f64| {
        let mut obs = healthy();
        obs.rdp_ms = Some(ms);
        obs
    };
    assert_eq!(codes(&rdp_ms(1000.0)), []);
    assert_eq!(codes(&rdp_ms(1000.1)), [FindingCode::SlowHandshake]);
    assert_eq!(
        the(&rdp_ms(1503.2), FindingCode::SlowHandshake).evidence,
        "rdp_ms 1503.2 over 1000"
    );

    let mut several = healthy();
    several.tcp_ms = Some(1200.0);
    several.tls_ms = Some(2400.5);
    assert_eq!(
        the(&several, FindingCode::SlowHandshake).evidence,
        "tcp_ms 1200.0, tls_ms 2400.5 over 1000"
    );

    let lenient = RiskPolicy {
        slow_ms: 2000.0,
        ..RiskPolicy::default()
    };
    assert_eq!(codes_with(&rdp_ms(1503.2), &lenient), []);
}

#[test]
fn intermittent_when_attempts_disagree() {
    let outcomes = |list: &[&str]| {
        let mut obs = healthy();
        obs.attempts = list.len() as u32;
        obs.attempt_outcomes = list.iter().map(|s| s.to_string()).collect();
        obs
    };
    assert_eq!(codes(&outcomes(&[])), []);
    assert_eq!(codes(&outcomes(&["tls=ok"])), []);
    assert_eq!(codes(&outcomes(&["tls=reset", "tls=reset"])), []);
    let flapping = outcomes(&["rdp=timeout", "tls=ok"]);
    assert_eq!(codes(&flapping), [FindingCode::Intermittent]);
    assert_eq!(
        the(&flapping, FindingCode::Intermittent).evidence,
        "attempts disagreed: rdp=timeout, tls=ok"
    );
}

#[test]
fn most_severe_first_then_code_order_one_per_code() {
    let mut obs = with_cert(|c| {
        c.not_before = at("2026-12-01T00:00:00Z");
        c.days_left = 10;
        c.key = CertKey::Rsa { bits: 1024 };
        c.signature = SignatureAlgorithm::Sha1WithRsa;
    });
    obs.tls_ms = Some(1500.0);
    obs.attempt_outcomes = vec!["tls=reset".into(), "tls=ok".into()];
    let all = findings(&obs, &RiskPolicy::default());
    let got: Vec<FindingCode> = all.iter().map(|f| f.code).collect();
    assert_eq!(
        got,
        [
            FindingCode::CertNotYetValid,
            FindingCode::CertExpiringSoon,
            FindingCode::Intermittent,
            FindingCode::CertWeakKey,
            FindingCode::CertWeakSignature,
            FindingCode::SlowHandshake,
        ]
    );
    for f in &all {
        assert_eq!(f.severity, f.code.severity(ClientPolicy::Default));
        assert_eq!(f.remediation, f.code.remediation());
    }
}

#[test]
fn evidence_is_one_line_even_for_hostile_names() {
    let obs = with_cert(|c| {
        c.subject = "evil\ncorp\u{7}".into();
        c.days_left = -1;
    });
    let evidence = the(&obs, FindingCode::CertExpired).evidence;
    assert!(!evidence.chars().any(char::is_control), "{evidence:?}");
    assert!(evidence.contains(r#""evil\ncorp\u{7}""#), "{evidence}");

    let mut error = tls_failed(TlsStatus::Alert, 1.0, "line one\r\nline two");
    error.attempt_outcomes.clear();
    let evidence = the(&error, FindingCode::TlsHandshakeFailed).evidence;
    assert!(evidence.ends_with("line one  line two"), "{evidence:?}");
}

#[test]
fn every_code_has_one_sentence_of_remediation() {
    for &code in FindingCode::ALL {
        let text = code.remediation();
        assert!(text.len() > 40, "{code}: {text}");
        assert!(text.ends_with('.'), "{code}: {text}");
        assert!(
            !text.contains(". "),
            "{code} has more than one sentence: {text}"
        );
        assert!(!text.contains("  "), "{code}: {text}");
        assert!(!text.chars().any(char::is_control), "{code}: {text}");
    }
}

#[test]
fn severities_are_the_documented_ones() {
    use FindingCode::*;
    let by = |client: ClientPolicy, severity: Severity| -> Vec<FindingCode> {
        FindingCode::ALL
            .iter()
            .copied()
            .filter(|c| c.severity(client) == severity)
            .collect()
    };
    // High: a default client fails to connect.
    let fails = [
        NegSslCertNotOnServer,
        NegSslRequired,
        NegHybridRequired,
        NegSslWithUserAuthRequired,
        NegFailureOther,
        TlsHandshakeFailed,
        TlsHandshakeTimeout,
        TlsLegacyOnly,
        X224NoResponse,
        X224Closed,
        NotRdp,
        X224Malformed,
        NegUnexpectedProtocol,
        NoProtocolAccepted,
        CertMalformed,
    ];
    assert_eq!(by(ClientPolicy::Default, Severity::High), fails);
    // Medium: it connects after a warning a sound host would not give, or soon fails.
    let warns = [
        CertExpired,
        CertNotYetValid,
        NegSslNotAllowed,
        RdpStandardSecurityOnly,
        CertNameMismatch,
    ];
    assert_eq!(
        by(ClientPolicy::Default, Severity::Medium),
        [
            CertExpired,
            CertNotYetValid,
            CertExpiringSoon,
            NegSslNotAllowed,
            RdpStandardSecurityOnly,
            Intermittent,
            ClockSkew,
            CertNameMismatch,
        ]
    );
    assert_eq!(
        by(ClientPolicy::Default, Severity::Low),
        [
            CertWeakKey,
            CertWeakSignature,
            SlowHandshake,
            RdpEncryptionLow,
            RdpFipsOnly
        ]
    );
    assert_eq!(
        by(ClientPolicy::Default, Severity::Info),
        [NlaNotRequired, Tls10Enabled, CertUntrusted]
    );
    // Strict clients fail wherever a default one warns, and on an untrusted certificate.
    let strict_high = by(ClientPolicy::Strict, Severity::High);
    for code in warns.iter().chain([&CertUntrusted]).chain(fails.iter()) {
        assert!(strict_high.contains(code), "{code}");
    }
    assert_eq!(strict_high.len(), fails.len() + warns.len() + 1);
}

/// A healthy host whose deep probe saw these protocol answers (`(protocol, accepted)`).
fn deep_host(protocols: &[(P, bool)]) -> Observation {
    let mut obs = healthy();
    obs.deep = Some(DeepObservation {
        protocols: protocols
            .iter()
            .map(|&(protocol, accepted)| ProtocolAnswer {
                protocol,
                requested: protocol,
                from_first_probe: false,
                tcp: TcpStatus::Open,
                rdp: Some(RdpStatus::Negotiated),
                selected: Some(if accepted { protocol } else { P::HYBRID }),
                neg_failure: None,
                accepted,
                error: None,
            })
            .collect(),
        ..DeepObservation::default()
    });
    obs
}

fn deep_of(obs: &mut Observation) -> &mut DeepObservation {
    obs.deep.as_mut().unwrap()
}

#[test]
fn nla_not_required_when_rdp_or_ssl_alone_is_accepted() {
    let nla = deep_host(&[
        (P::RDP, false),
        (P::SSL, false),
        (P::HYBRID, true),
        (P::HYBRID_EX, true),
    ]);
    assert!(!codes(&nla).contains(&FindingCode::NlaNotRequired));
    let ssl = deep_host(&[(P::RDP, false), (P::SSL, true), (P::HYBRID, true)]);
    let finding = the(&ssl, FindingCode::NlaNotRequired);
    assert_eq!(finding.severity, Severity::Info);
    assert_eq!(
        finding.evidence,
        "the listener accepts ssl without CredSSP (protocols accepted: ssl|hybrid)"
    );
    let both = deep_host(&[(P::RDP, true), (P::SSL, true), (P::HYBRID, false)]);
    assert!(the(&both, FindingCode::NlaNotRequired)
        .evidence
        .starts_with("the listener accepts rdp|ssl without"));
    // Without --deep there is no matrix, so nothing is said about NLA.
    assert!(!codes(&healthy()).contains(&FindingCode::NlaNotRequired));
    // Info adds nothing to the score.
    assert_eq!(crate::assess(&ssl, &RiskPolicy::default()).score, 0);
}

#[test]
fn standard_security_levels_and_methods() {
    let with = |level: Option<EncryptionLevel>, methods: &[EncryptionMethod]| {
        let mut obs = deep_host(&[(P::RDP, true)]);
        deep_of(&mut obs).rdp_security = Some(RdpSecurity {
            level,
            methods: methods.to_vec(),
            version: None,
            attempts: Vec::new(),
        });
        codes(&obs)
    };
    use EncryptionMethod as M;
    let high = with(Some(EncryptionLevel::HIGH), &[M::BIT_128]);
    assert!(!high.contains(&FindingCode::RdpEncryptionLow), "{high:?}");
    assert!(!high.contains(&FindingCode::RdpFipsOnly), "{high:?}");
    let compatible = with(
        Some(EncryptionLevel::CLIENT_COMPATIBLE),
        &[M::BIT_40, M::BIT_56, M::BIT_128],
    );
    assert!(compatible.contains(&FindingCode::RdpEncryptionLow));
    assert!(
        with(Some(EncryptionLevel::LOW), &[M::BIT_128]).contains(&FindingCode::RdpEncryptionLow)
    );
    assert!(with(Some(EncryptionLevel::NONE), &[]).contains(&FindingCode::RdpEncryptionLow));
    let fips = with(Some(EncryptionLevel::FIPS), &[M::FIPS]);
    assert!(fips.contains(&FindingCode::RdpFipsOnly));
    assert!(!fips.contains(&FindingCode::RdpEncryptionLow));
    assert!(with(None, &[M::FIPS]).contains(&FindingCode::RdpFipsOnly));
    assert!(!with(None, &[M::BIT_128, M::FIPS]).contains(&FindingCode::RdpFipsOnly));

    let mut obs = deep_host(&[(P::RDP, true)]);
    deep_of(&mut obs).rdp_security = Some(RdpSecurity {
        level: Some(EncryptionLevel::CLIENT_COMPATIBLE),
        methods: vec![M::BIT_40, M::BIT_128],
        version: None,
        attempts: Vec::new(),
    });
    assert_eq!(
        the(&obs, FindingCode::RdpEncryptionLow).evidence,
        "standard RDP security at encryption level client-compatible, methods accepted: 40bit|128bit"
    );
    assert_eq!(
        FindingCode::RdpFipsOnly.severity(ClientPolicy::Default),
        Severity::Low
    );
}

#[test]
fn tls_1_0_enabled_only_when_a_tls10_handshake_succeeded() {
    let with = |accepted: &[(TlsVersion, bool)]| {
        let mut obs = deep_host(&[(P::SSL, true)]);
        deep_of(&mut obs).tls_versions = accepted
            .iter()
            .map(|&(version, accepted)| TlsVersionAnswer {
                version,
                accepted,
                tls: Some(TlsStatus::Ok),
                server_version: None,
                cipher: None,
                error: None,
            })
            .collect();
        obs
    };
    let old = with(&[(TlsVersion::Tls10, true), (TlsVersion::Tls12, true)]);
    assert_eq!(
        the(&old, FindingCode::Tls10Enabled).evidence,
        "a TLS 1.0 handshake succeeded (versions accepted: TLSv1.0|TLSv1.2)"
    );
    let modern = with(&[(TlsVersion::Tls10, false), (TlsVersion::Tls12, true)]);
    assert!(!codes(&modern).contains(&FindingCode::Tls10Enabled));
}

#[test]
fn clock_skew_over_five_minutes_either_way() {
    let with = |skew: Option<i64>| {
        let mut obs = deep_host(&[(P::HYBRID, true)]);
        deep_of(&mut obs).ntlm = Some(NtlmIdentity {
            clock_skew_s: skew,
            server_time: at("2026-11-21T23:10:00Z"),
            ..NtlmIdentity::default()
        });
        obs
    };
    for fine in [None, Some(0), Some(300), Some(-300)] {
        assert!(
            !codes(&with(fine)).contains(&FindingCode::ClockSkew),
            "{fine:?}"
        );
    }
    assert_eq!(
        the(&with(Some(600)), FindingCode::ClockSkew).evidence,
        "the server's clock is 600 s ahead of the scanner's (server time 2026-11-21T23:10:00Z), over 300 s"
    );
    assert!(the(&with(Some(-301)), FindingCode::ClockSkew)
        .evidence
        .contains("301 s behind"));
    // A hostile results.jsonl: the extremes neither overflow nor pass as a small skew.
    assert!(the(&with(Some(i64::MIN)), FindingCode::ClockSkew)
        .evidence
        .contains("9223372036854775808 s behind"));
    assert!(the(&with(Some(i64::MAX)), FindingCode::ClockSkew)
        .evidence
        .contains("9223372036854775807 s ahead of"));
}
