//! The mixed profile's table: every behaviour the ordinary scan must recognise, one row each,
//! in address order (row *i* plays at offset *i* mod the table's length).

use std::time::Duration;

use rdpsweep_codec::legacy_tls::{TLS1_0, TLS1_2, TLS1_3};
use rdpsweep_codec::{FailureCode, ResponseFlags, SecurityProtocol};

use crate::policy::{Policy, CLIENT_COMPATIBLE};
use crate::spec::{
    self_signed, Answers, Cert, Expect, HostSpec, Issuer, Key, Subject, Tcp, Then, Tls,
    EVERY_RSP_FLAG, X224,
};
use crate::Behaviour;

/// How long the `slow` host waits before it answers the Connection Request.
pub const SLOW_DELAY: Duration = Duration::from_millis(1500);

/// The pause between two bytes of the `trickle` host's Connection Confirm.
pub const TRICKLE_INTERVAL: Duration = Duration::from_secs(1);

/// The subject CN of the `formula-subject` certificate, a spreadsheet formula.
pub const FORMULA_COMMON_NAME: &str = "=HYPERLINK(\"http://evil.test\",\"click\")";

/// What the `http` host answers.
const HTTP_400: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// An X.224 Data TPDU carrying an MCS Disconnect Provider Ultimatum, as some xrdp builds send.
const XRDP_DISCONNECT: &[u8] = &[0x03, 0x00, 0x00, 0x09, 0x02, 0xf0, 0x80, 0x21, 0x80];

/// RDP_NEG_RSP flags: EXTENDED_CLIENT_DATA_SUPPORTED.
const EXTENDED: ResponseFlags = ResponseFlags::EXTENDED_CLIENT_DATA_SUPPORTED;

/// rustls speaking TLS 1.2 and 1.3.
const TLS12_13: Tls = Tls::Rustls {
    min: TLS1_2,
    max: TLS1_3,
};

/// What a completed handshake with a self-signed RSA-2048 certificate reports.
const RSA_OK: Expect = Expect {
    rdp: "negotiated",
    tls: "ok",
    tls_version: "TLSv1.3",
    cert_key: "RSA 2048",
    cert_signature: "sha256WithRSAEncryption",
    ..Expect::OPEN
};

/// What a host answering RDP_NEG_FAILURE reports.
const REFUSED: Expect = Expect {
    rdp: "failure",
    error: "rdp_neg_failure",
    ..Expect::OPEN
};

/// The mixed profile, in address order.
#[rustfmt::skip]
pub const HOSTS: &[HostSpec] = &[
    HostSpec {
        behaviour: Behaviour::Healthy,
        name: "healthy",
        does: "selects HYBRID_EX, completes TLS 1.2/1.3 with a valid RSA-2048 self-signed certificate",
        answers: Answers {
            x224: X224::Select { protocol: SecurityProtocol::HYBRID_EX, flags: EVERY_RSP_FLAG },
            tls: TLS12_13,
            ..Answers::LISTEN
        },
        cert: self_signed(Key::Rsa2048A, -30, 335),
        expect: Expect { selected_protocol: "hybrid_ex", cert_subject: "healthy.fleet.test", findings: &["CERT_UNTRUSTED"], client_outcome: "warns", ..RSA_OK },
    },
    HostSpec {
        behaviour: Behaviour::HealthySsl,
        name: "healthy-ssl",
        does: "selects SSL, completes TLS 1.3 only with an ECDSA P-256 certificate issued by a fleet CA",
        answers: Answers {
            x224: X224::Select { protocol: SecurityProtocol::SSL, flags: ResponseFlags::empty() },
            tls: Tls::Rustls { min: TLS1_3, max: TLS1_3 },
            ..Answers::LISTEN
        },
        cert: Cert::Made { key: Key::EcdsaP256, valid_days: (-1, 90), subject: Subject::HostName, issuer: Issuer::FleetCa },
        expect: Expect {
            client_outcome: "connects",
            selected_protocol: "ssl",
            cert_subject: "healthy-ssl.fleet.test",
            cert_key: "EC P-256",
            cert_signature: "ecdsa-with-SHA256",
            ..RSA_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::CertExpired,
        name: "cert-expired",
        does: "selects HYBRID, completes TLS with a certificate that expired 30 days ago",
        answers: Answers {
            x224: X224::Select { protocol: SecurityProtocol::HYBRID, flags: EXTENDED },
            tls: TLS12_13,
            ..Answers::LISTEN
        },
        cert: self_signed(Key::Rsa2048B, -395, -30),
        expect: Expect {
            client_outcome: "warns",
            selected_protocol: "hybrid",
            cert_subject: "cert-expired.fleet.test",
            findings: &["CERT_EXPIRED"],
            risk_level: "medium",
            ..RSA_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::CertExpiring,
        name: "cert-expiring",
        does: "selects HYBRID, completes TLS with a certificate that expires in 10 days",
        answers: Answers {
            x224: X224::Select { protocol: SecurityProtocol::HYBRID, flags: EXTENDED },
            tls: TLS12_13,
            ..Answers::LISTEN
        },
        cert: self_signed(Key::Rsa2048B, -355, 10),
        expect: Expect {
            client_outcome: "warns",
            selected_protocol: "hybrid",
            cert_subject: "cert-expiring.fleet.test",
            findings: &["CERT_EXPIRING_SOON", "CERT_UNTRUSTED"],
            risk_level: "medium",
            ..RSA_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::CertNotYetValid,
        name: "cert-not-yet-valid",
        does: "selects HYBRID, completes TLS with a certificate valid only from 30 days on",
        answers: Answers {
            x224: X224::Select { protocol: SecurityProtocol::HYBRID, flags: EXTENDED },
            tls: TLS12_13,
            ..Answers::LISTEN
        },
        cert: self_signed(Key::Rsa2048B, 30, 395),
        expect: Expect {
            client_outcome: "warns",
            selected_protocol: "hybrid",
            cert_subject: "cert-not-yet-valid.fleet.test",
            findings: &["CERT_NOT_YET_VALID"],
            risk_level: "medium",
            ..RSA_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::WeakCert,
        name: "weak-cert",
        does: "selects SSL, completes TLS 1.2 only with a sha1WithRSAEncryption certificate",
        answers: Answers {
            x224: X224::Select { protocol: SecurityProtocol::SSL, flags: ResponseFlags::empty() },
            tls: Tls::Rustls { min: TLS1_2, max: TLS1_2 },
            ..Answers::LISTEN
        },
        cert: Cert::WeakFixture,
        expect: Expect {
            client_outcome: "warns",
            selected_protocol: "ssl",
            tls_version: "TLSv1.2",
            cert_subject: "weak-cert.fleet.test",
            cert_signature: "sha1WithRSAEncryption",
            findings: &["CERT_WEAK_SIGNATURE", "CERT_UNTRUSTED"],
            risk_level: "low",
            ..RSA_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::NegFailure1,
        name: "neg-failure-1",
        does: "answers RDP_NEG_FAILURE 1 (SSL_REQUIRED_BY_SERVER) and closes",
        answers: Answers { x224: X224::Refuse(FailureCode::SSL_REQUIRED_BY_SERVER), ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { client_outcome: "fails", neg_failure: "ssl_required", findings: &["NEG_SSL_REQUIRED"], risk_level: "high", ..REFUSED },
    },
    HostSpec {
        behaviour: Behaviour::NegFailure2,
        name: "neg-failure-2",
        does: "security layer RDP: answers a request for TLS with RDP_NEG_FAILURE 2 (SSL_NOT_ALLOWED_BY_SERVER) and closes; selects standard RDP security (client-compatible) when asked for it alone",
        answers: Answers { x224: X224::Policy(Policy::RDP_ONLY), standard_security: Some(CLIENT_COMPATIBLE), ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { client_outcome: "warns", neg_failure: "ssl_not_allowed", findings: &["NEG_SSL_NOT_ALLOWED"], risk_level: "medium", ..REFUSED },
    },
    HostSpec {
        behaviour: Behaviour::NegFailure3,
        name: "neg-failure-3",
        does: "answers RDP_NEG_FAILURE 3 (SSL_CERT_NOT_ON_SERVER) and closes",
        answers: Answers { x224: X224::Refuse(FailureCode::SSL_CERT_NOT_ON_SERVER), ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { client_outcome: "fails", neg_failure: "ssl_cert_not_on_server", findings: &["NEG_SSL_CERT_NOT_ON_SERVER"], risk_level: "high", ..REFUSED },
    },
    HostSpec {
        behaviour: Behaviour::NegFailure4,
        name: "neg-failure-4",
        does: "answers RDP_NEG_FAILURE 4 (INCONSISTENT_FLAGS) and closes",
        answers: Answers { x224: X224::Refuse(FailureCode::INCONSISTENT_FLAGS), ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { client_outcome: "fails", neg_failure: "inconsistent_flags", findings: &["NEG_FAILURE_OTHER"], risk_level: "high", ..REFUSED },
    },
    HostSpec {
        behaviour: Behaviour::NegFailure5,
        name: "neg-failure-5",
        does: "answers RDP_NEG_FAILURE 5 (HYBRID_REQUIRED_BY_SERVER) and closes",
        answers: Answers { x224: X224::Refuse(FailureCode::HYBRID_REQUIRED_BY_SERVER), ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { client_outcome: "fails", neg_failure: "hybrid_required", findings: &["NEG_HYBRID_REQUIRED"], risk_level: "high", ..REFUSED },
    },
    HostSpec {
        behaviour: Behaviour::NegFailure6,
        name: "neg-failure-6",
        does: "answers RDP_NEG_FAILURE 6 (SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER) and closes",
        answers: Answers { x224: X224::Refuse(FailureCode::SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER), ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { client_outcome: "fails", neg_failure: "ssl_with_user_auth_required", findings: &["NEG_SSL_WITH_USER_AUTH_REQUIRED"], risk_level: "high", ..REFUSED },
    },
    HostSpec {
        behaviour: Behaviour::NegFailureUnknown,
        name: "neg-failure-unknown",
        does: "answers RDP_NEG_FAILURE with the unknown code 99 and closes",
        answers: Answers { x224: X224::Refuse(FailureCode(99)), ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { client_outcome: "fails", neg_failure: "unknown(99)", findings: &["NEG_FAILURE_OTHER"], risk_level: "high", ..REFUSED },
    },
    HostSpec {
        behaviour: Behaviour::Silent,
        name: "silent",
        does: "reads the Connection Request and never answers",
        answers: Answers { x224: X224::Silence, ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect {
            client_outcome: "fails",
            rdp: "timeout",
            error: "no connection confirm within 3s",
            findings: &["X224_NO_RESPONSE"],
            risk_level: "high",
            ..Expect::OPEN
        },
    },
    HostSpec {
        behaviour: Behaviour::AcceptClose,
        name: "accept-close",
        does: "reads the Connection Request and closes (FIN)",
        answers: Answers { x224: X224::Close, ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect {
            client_outcome: "fails",
            rdp: "closed",
            error: "closed before the connection confirm",
            findings: &["X224_CLOSED"],
            risk_level: "high",
            ..Expect::OPEN
        },
    },
    HostSpec {
        behaviour: Behaviour::Reset,
        name: "reset",
        does: "reads the Connection Request and resets the connection (RST)",
        answers: Answers { x224: X224::Reset, ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect {
            client_outcome: "fails",
            rdp: "reset",
            error: "reset before the connection confirm",
            findings: &["X224_CLOSED"],
            risk_level: "high",
            ..Expect::OPEN
        },
    },
    HostSpec {
        behaviour: Behaviour::TlsClose,
        name: "tls-close",
        does: "selects SSL, then closes on the ClientHello",
        answers: Answers {
            x224: X224::Select { protocol: SecurityProtocol::SSL, flags: ResponseFlags::empty() },
            tls: Tls::CloseOnHello,
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: Expect {
            client_outcome: "fails",
            rdp: "negotiated",
            selected_protocol: "ssl",
            tls: "closed",
            error: "closed during the tls handshake",
            findings: &["TLS_HANDSHAKE_FAILED"],
            risk_level: "high",
            ..Expect::OPEN
        },
    },
    HostSpec {
        behaviour: Behaviour::TlsStall,
        name: "tls-stall",
        does: "selects SSL, then reads the ClientHello and never answers",
        answers: Answers {
            x224: X224::Select { protocol: SecurityProtocol::SSL, flags: ResponseFlags::empty() },
            tls: Tls::Stall,
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: Expect {
            client_outcome: "fails",
            rdp: "negotiated",
            selected_protocol: "ssl",
            tls: "timeout",
            error: "no tls handshake within 3s",
            findings: &["TLS_HANDSHAKE_TIMEOUT"],
            risk_level: "high",
            ..Expect::OPEN
        },
    },
    HostSpec {
        behaviour: Behaviour::TlsAlert,
        name: "tls-alert",
        does: "selects HYBRID, then answers the ClientHello with alert 80 (internal_error) and closes",
        answers: Answers {
            x224: X224::Select { protocol: SecurityProtocol::HYBRID, flags: EXTENDED },
            tls: Tls::Alert(80),
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: Expect {
            client_outcome: "fails",
            rdp: "negotiated",
            selected_protocol: "hybrid",
            tls: "alert",
            error: "internal_error (80)",
            findings: &["TLS_HANDSHAKE_FAILED"],
            risk_level: "high",
            ..Expect::OPEN
        },
    },
    HostSpec {
        behaviour: Behaviour::Tls10Only,
        name: "tls10-only",
        does: "selects SSL, then answers any ClientHello with a TLS 1.0 ServerHello and RSA-2048 certificate",
        answers: Answers {
            x224: X224::Select { protocol: SecurityProtocol::SSL, flags: ResponseFlags::empty() },
            tls: Tls::Legacy { version: TLS1_0 },
            ..Answers::LISTEN
        },
        cert: self_signed(Key::Rsa2048C, -30, 335),
        expect: Expect {
            client_outcome: "fails",
            selected_protocol: "ssl",
            tls: "legacy",
            tls_version: "TLSv1.0",
            cert_subject: "tls10-only.fleet.test",
            error: "answers an old client",
            findings: &["TLS_LEGACY_ONLY", "CERT_UNTRUSTED"],
            risk_level: "high",
            ..RSA_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::PreVista,
        name: "pre-vista",
        does: "answers the 11-byte Connection Confirm without negotiation data (standard RDP security)",
        answers: Answers { x224: X224::ConfirmWithoutNegotiation, ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect {
            client_outcome: "warns",
            rdp: "negotiated",
            selected_protocol: "rdp",
            findings: &["RDP_STANDARD_SECURITY_ONLY"],
            risk_level: "medium",
            ..Expect::OPEN
        },
    },
    HostSpec {
        behaviour: Behaviour::Http,
        name: "http",
        does: "answers HTTP/1.1 400 Bad Request and closes",
        answers: Answers {
            x224: X224::Send { bytes: HTTP_400, then: Then::Close },
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: Expect { client_outcome: "fails", risk_level: "high", findings: &["NOT_RDP"], rdp: "not-rdp", error: "(\"HTTP/1.1\")", ..Expect::OPEN },
    },
    HostSpec {
        behaviour: Behaviour::Slow,
        name: "slow",
        does: "waits 1.5 s, then behaves as healthy but selects HYBRID",
        answers: Answers {
            delay: SLOW_DELAY,
            x224: X224::Select { protocol: SecurityProtocol::HYBRID, flags: EXTENDED },
            tls: TLS12_13,
            ..Answers::LISTEN
        },
        cert: self_signed(Key::Rsa2048A, -30, 335),
        expect: Expect {
            client_outcome: "warns",
            selected_protocol: "hybrid",
            cert_subject: "slow.fleet.test",
            findings: &["SLOW_HANDSHAKE", "CERT_UNTRUSTED"],
            risk_level: "low",
            ..RSA_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::Trickle,
        name: "trickle",
        does: "sends a valid Connection Confirm one byte per second",
        answers: Answers {
            x224: X224::Trickle {
                protocol: SecurityProtocol::HYBRID,
                flags: EXTENDED,
                every: TRICKLE_INTERVAL,
            },
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: Expect {
            client_outcome: "fails",
            rdp: "timeout",
            error: "no connection confirm within 3s",
            findings: &["X224_NO_RESPONSE"],
            risk_level: "high",
            ..Expect::OPEN
        },
    },
    HostSpec {
        behaviour: Behaviour::BadLength,
        name: "bad-length",
        does: "sends a TPKT header whose length (2) cannot hold an X.224 TPDU",
        answers: Answers {
            x224: X224::LyingTpkt { length: 2, tpdu_bytes: 8 },
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: Expect { client_outcome: "fails", risk_level: "high", findings: &["X224_MALFORMED"], rdp: "protocol-error", error: "impossible tpkt length 2", ..Expect::OPEN },
    },
    HostSpec {
        behaviour: Behaviour::OversizedLength,
        name: "oversized-length",
        does: "sends a TPKT header claiming 65535 bytes, then a Confirm's 15 bytes, and holds",
        answers: Answers {
            x224: X224::LyingTpkt { length: 65535, tpdu_bytes: 15 },
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: Expect { client_outcome: "fails", risk_level: "high", findings: &["X224_MALFORMED"], rdp: "protocol-error", error: "tpkt length 65535", ..Expect::OPEN },
    },
    HostSpec {
        behaviour: Behaviour::XrdpDisconnect,
        name: "xrdp-disconnect",
        does: "answers an X.224 Data TPDU carrying an MCS disconnect, as some xrdp builds do, and closes",
        answers: Answers {
            x224: X224::Send { bytes: XRDP_DISCONNECT, then: Then::Close },
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: Expect {
            client_outcome: "fails",
            rdp: "closed",
            error: "mcs disconnect",
            findings: &["X224_CLOSED"],
            risk_level: "high",
            ..Expect::OPEN
        },
    },
    HostSpec {
        behaviour: Behaviour::FormulaSubject,
        name: "formula-subject",
        does: "selects HYBRID, completes TLS with a certificate whose CN is a spreadsheet formula",
        answers: Answers {
            x224: X224::Select { protocol: SecurityProtocol::HYBRID, flags: EXTENDED },
            tls: TLS12_13,
            ..Answers::LISTEN
        },
        cert: Cert::Made {
            key: Key::Rsa2048C,
            valid_days: (-30, 335),
            subject: Subject::Literal(FORMULA_COMMON_NAME),
            issuer: Issuer::SelfSigned,
        },
        expect: Expect {
            client_outcome: "warns",
            findings: &["CERT_UNTRUSTED"],
            selected_protocol: "hybrid",
            cert_subject: "'=HYPERLINK(\"http://evil.test\",\"click\")",
            ..RSA_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::NoListener,
        name: "no-listener",
        does: "nothing listens: the TCP connection is refused",
        answers: Answers { tcp: Tcp::NoListener, ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { tcp: "refused", error: "connection refused", ..Expect::OPEN },
    },
];
