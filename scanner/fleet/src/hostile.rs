//! The hostile profile's table: listeners that answer what no RDP server should, each the way
//! a broken service, a proxy, an IPS or an attacker might, one row each in address order.
//!
//! Every row says what a current client gets (they all fail, or connect after a certificate
//! warning) and the row `rdpsweep scan` must report within its stage deadlines, with no panic
//! text and no unsafe cell. The fatal alerts are a handful of rows: the scanner names every
//! alert code through one path (rustls' `AlertReceived`, then the codec's `alert_name`), and a
//! unit test of the probe runs that path over all 256 codes.

use std::time::Duration;

use rdpsweep_codec::legacy_tls::{TLS1_2, TLS1_3};
use rdpsweep_codec::{ResponseFlags, SecurityProtocol};

use crate::spec::{
    Answers, Cert, Delivery, Expect, Flight, HostSpec, Issuer, Key, Shape, Subject, Tcp, Then, Tls,
    X224,
};
use crate::Behaviour;

/// The pause between two bytes of the trickling hosts, under a second so that a per-read
/// timeout of a second would never fire: only a deadline for the whole stage stops them.
pub const HOSTILE_TRICKLE: Duration = Duration::from_millis(900);

/// The seed of the noise the `noise-x224` host sends instead of a Connection Confirm; its first
/// byte (0xeb) is not a TPKT version.
pub const X224_NOISE_SEED: u64 = 0x0904;
/// The seed of the noise the `noise-tls` host answers a ClientHello with; its first byte (0x79)
/// is no TLS record type.
pub const TLS_NOISE_SEED: u64 = 0x0907;

/// How many certificates the `chain-50` host presents.
pub const LONG_CHAIN: usize = 50;
/// The size of the padding in the `cert-200k` host's certificate.
pub const CERT_PADDING: usize = 200 * 1024;

/// The CN of the `name-crlf` certificate: it starts with a line break (a spreadsheet formula
/// trigger) and has a header-like line in the middle.
pub const CRLF_NAME: &str = "\r\nX-Injected: yes\r\nname-crlf";
/// The CN of the `name-formula` certificate.
pub const FORMULA_NAME: &str = "@SUM(1+1)*cmd|' /C calc'!A0";
/// The CN of the `name-script` certificate: markup, with both kinds of quotes.
pub const SCRIPT_NAME: &str = "<script>alert('\"x\"')</script>";
/// The CN of the `name-nul` certificate.
pub const NUL_NAME: &str = "nul\0inside";
/// The CN of the `name-invalid-utf8` certificate: bytes that are not UTF-8 in a UTF8String.
pub const INVALID_UTF8_NAME: &[u8] = b"bad\xff\xfe\xc3(utf8";

/// Bytes a proxy left behind the Confirm, which a client reads as the server's TLS answer.
const TRAILING: &[u8] = b"\0\0\0\0";

/// A Connection Confirm (Windows' SRC-REF) whose negotiation data has the unknown type 0x07.
const NEG_TYPE_UNKNOWN: &[u8] = &[
    0x03, 0x00, 0x00, 0x13, // TPKT, 19 bytes
    0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00, // LI 14, CC, DST-REF, SRC-REF, class 0
    0x07, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00, // type 7, flags, length 8, HYBRID
];

/// A 19-byte Connection Confirm whose LI says 254 bytes follow it.
const LI_PAST_FRAME: &[u8] = &[
    0x03, 0x00, 0x00, 0x13, // TPKT, 19 bytes
    0xfe, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00, // LI 254, CC, DST-REF, SRC-REF, class 0
    0x02, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00, // RDP_NEG_RSP selecting HYBRID
];

/// The first 10 of the 19 bytes of a Connection Confirm selecting HYBRID.
const CONFIRM_HEAD: &[u8] = &[0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34];

/// What the `http-after-confirm` host answers a ClientHello with.
const HTTP_400: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// A handshake record header announcing 65535 bytes (records hold at most 2^14 + 2048).
const RECORD_64K: &[u8] = &[0x16, 0x03, 0x03, 0xff, 0xff, 0x02, 0x00];

/// A handshake record holding a ServerHello header announcing 16 MiB − 1.
const HANDSHAKE_16M: &[u8] = &[0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0xff, 0xff, 0xff];

/// The bytes of a ServerHello a host cuts short.
const CUT_AT: usize = 20;

/// RDP_NEG_RSP flags: EXTENDED_CLIENT_DATA_SUPPORTED.
const EXTENDED: ResponseFlags = ResponseFlags::EXTENDED_CLIENT_DATA_SUPPORTED;

/// A Confirm selecting SSL, at once.
const SELECT_SSL: X224 = X224::Select {
    protocol: SecurityProtocol::SSL,
    flags: ResponseFlags::empty(),
};

/// A Confirm selecting HYBRID, at once.
const SELECT_HYBRID: X224 = X224::Select {
    protocol: SecurityProtocol::HYBRID,
    flags: EXTENDED,
};

/// rustls speaking TLS 1.2 and 1.3.
const TLS12_13: Tls = Tls::Rustls {
    min: TLS1_2,
    max: TLS1_3,
};

/// A self-signed ECDSA P-256 certificate whose CN is `subject`.
const fn named(subject: Subject) -> Cert {
    Cert::Made {
        key: Key::EcdsaP256,
        valid_days: (-30, 335),
        subject,
        issuer: Issuer::SelfSigned,
    }
}

/// What a client gets from a host that never answers the Connection Request as RDP.
const X224_BROKEN: Expect = Expect {
    client_outcome: "fails",
    risk_level: "high",
    ..Expect::OPEN
};

/// The framing of the answer cannot be RDP.
const MALFORMED: Expect = Expect {
    rdp: "protocol-error",
    findings: &["X224_MALFORMED"],
    ..X224_BROKEN
};

/// SSL was selected, then the handshake broke.
const TLS_FAILED: Expect = Expect {
    rdp: "negotiated",
    selected_protocol: "ssl",
    findings: &["TLS_HANDSHAKE_FAILED"],
    ..X224_BROKEN
};

/// SSL was selected, then the handshake did not complete within the stage deadline.
const TLS_TIMEOUT: Expect = Expect {
    tls: "timeout",
    error: "no tls handshake within 3s",
    findings: &["TLS_HANDSHAKE_TIMEOUT"],
    ..TLS_FAILED
};

/// SSL was selected, then the server answered the ClientHello with a fatal alert.
const ALERTED: Expect = Expect {
    tls: "alert",
    ..TLS_FAILED
};

/// HYBRID selected, TLS 1.3 completed with a self-signed ECDSA P-256 certificate.
const SELF_SIGNED_OK: Expect = Expect {
    rdp: "negotiated",
    selected_protocol: "hybrid",
    tls: "ok",
    tls_version: "TLSv1.3",
    cert_key: "EC P-256",
    cert_signature: "ecdsa-with-SHA256",
    findings: &["CERT_UNTRUSTED"],
    client_outcome: "warns",
    ..Expect::OPEN
};

/// The hostile profile, in address order.
#[rustfmt::skip]
pub const HOSTS: &[HostSpec] = &[
    HostSpec {
        behaviour: Behaviour::ResetAtAccept,
        name: "reset-at-accept",
        does: "resets every connection as soon as it is accepted, before reading anything",
        answers: Answers { tcp: Tcp::ResetAtAccept, ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { rdp: "reset", error: "reset before the connection confirm", findings: &["X224_CLOSED"], ..X224_BROKEN },
    },
    HostSpec {
        behaviour: Behaviour::ConfirmByteWrites,
        name: "confirm-byte-writes",
        does: "sends a valid Confirm selecting HYBRID one byte per write, then completes TLS 1.2/1.3",
        answers: Answers {
            x224: X224::Shaped { protocol: SecurityProtocol::HYBRID, flags: EXTENDED, shape: Shape::ByteWrites },
            tls: TLS12_13,
            ..Answers::LISTEN
        },
        cert: named(Subject::HostName),
        expect: Expect { cert_subject: "confirm-byte-writes.fleet.test", ..SELF_SIGNED_OK },
    },
    HostSpec {
        behaviour: Behaviour::ConfirmTrailing,
        name: "confirm-trailing",
        does: "sends a Confirm selecting SSL with 4 zero bytes behind it, then answers the ClientHello with TLS 1.2/1.3",
        answers: Answers {
            x224: X224::Shaped { protocol: SecurityProtocol::SSL, flags: ResponseFlags::empty(), shape: Shape::Trailing(TRAILING) },
            tls: TLS12_13,
            ..Answers::LISTEN
        },
        cert: named(Subject::HostName),
        expect: Expect { tls: "protocol-error", error: "not tls: answer starts 00 00 00 00", ..TLS_FAILED },
    },
    HostSpec {
        behaviour: Behaviour::NegTypeUnknown,
        name: "neg-type-unknown",
        does: "sends a Confirm whose negotiation data has the unknown type 0x07, and holds",
        answers: Answers { x224: X224::Send { bytes: NEG_TYPE_UNKNOWN, then: Then::Hold }, ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { error: "unknown negotiation type 0x07", ..MALFORMED },
    },
    HostSpec {
        behaviour: Behaviour::TpktLength4,
        name: "tpkt-length-4",
        does: "sends a TPKT header whose length (4) leaves no room for a TPDU, then a Confirm's 15 bytes, and holds",
        answers: Answers { x224: X224::LyingTpkt { length: 4, tpdu_bytes: 15 }, ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { error: "impossible tpkt length 4", ..MALFORMED },
    },
    HostSpec {
        behaviour: Behaviour::TpktLength65535,
        name: "tpkt-length-65535",
        does: "sends a whole 65535-byte TPKT frame: a Confirm's TPDU padded with zeros, and holds",
        answers: Answers { x224: X224::LyingTpkt { length: 65535, tpdu_bytes: 65531 }, ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { error: "tpkt length 65535", ..MALFORMED },
    },
    HostSpec {
        behaviour: Behaviour::LiPastFrame,
        name: "li-past-frame",
        does: "sends a 19-byte Confirm whose X.224 length indicator says 254 bytes follow, and holds",
        answers: Answers { x224: X224::Send { bytes: LI_PAST_FRAME, then: Then::Hold }, ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { error: "x.224 length indicator 254 does not fit a 19-byte frame", ..MALFORMED },
    },
    HostSpec {
        behaviour: Behaviour::NoiseX224,
        name: "noise-x224",
        does: "answers the Connection Request with endless pseudo-random bytes (seeded: the same every run)",
        answers: Answers { x224: X224::Noise { seed: X224_NOISE_SEED }, ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { rdp: "not-rdp", error: "not rdp: answer starts eb", findings: &["NOT_RDP"], ..X224_BROKEN },
    },
    HostSpec {
        behaviour: Behaviour::ResetMidConfirm,
        name: "reset-mid-confirm",
        does: "sends the first 10 bytes of a Confirm, then resets the connection (RST)",
        answers: Answers { x224: X224::Send { bytes: CONFIRM_HEAD, then: Then::Reset }, ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { rdp: "reset", error: "reset before the connection confirm", findings: &["X224_CLOSED"], ..X224_BROKEN },
    },
    HostSpec {
        behaviour: Behaviour::FinMidConfirm,
        name: "fin-mid-confirm",
        does: "sends the first 10 bytes of a Confirm, closes its side (FIN) and keeps reading",
        answers: Answers { x224: X224::Send { bytes: CONFIRM_HEAD, then: Then::HalfClose }, ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { rdp: "closed", error: "closed before the connection confirm (10 bytes received)", findings: &["X224_CLOSED"], ..X224_BROKEN },
    },
    HostSpec {
        behaviour: Behaviour::TrickleX224,
        name: "trickle-x224",
        does: "sends a valid Confirm one byte every 0.9 s",
        answers: Answers {
            x224: X224::Trickle { protocol: SecurityProtocol::HYBRID, flags: EXTENDED, every: HOSTILE_TRICKLE },
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: Expect { rdp: "timeout", error: "no connection confirm within 3s", findings: &["X224_NO_RESPONSE"], ..X224_BROKEN },
    },
    HostSpec {
        behaviour: Behaviour::HttpAfterConfirm,
        name: "http-after-confirm",
        does: "selects SSL, then answers the ClientHello with HTTP/1.1 400 Bad Request and closes",
        answers: Answers {
            x224: SELECT_SSL,
            tls: Tls::Answer { flight: Flight::Bytes(HTTP_400), delivery: Delivery::AtOnce, then: Then::Close },
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: Expect { tls: "protocol-error", error: "not tls: answer starts 48 54 54 50 2f 31 2e 31 (\"HTTP/1.1\")", ..TLS_FAILED },
    },
    HostSpec {
        behaviour: Behaviour::ServerHelloSilence,
        name: "server-hello-silence",
        does: "selects SSL, answers the ClientHello with a TLS 1.2 ServerHello alone, then nothing",
        answers: Answers {
            x224: SELECT_SSL,
            tls: Tls::Answer { flight: Flight::ServerHello, delivery: Delivery::AtOnce, then: Then::Hold },
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: TLS_TIMEOUT,
    },
    HostSpec {
        behaviour: Behaviour::TlsRecord64k,
        name: "tls-record-64k",
        does: "selects SSL, answers the ClientHello with a record header announcing 65535 bytes, and holds",
        answers: Answers {
            x224: SELECT_SSL,
            tls: Tls::Answer { flight: Flight::Bytes(RECORD_64K), delivery: Delivery::AtOnce, then: Then::Hold },
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: Expect { tls: "protocol-error", error: "tls handshake failed", ..TLS_FAILED },
    },
    HostSpec {
        behaviour: Behaviour::TlsHandshake16m,
        name: "tls-handshake-16m",
        does: "selects SSL, answers the ClientHello with a ServerHello announcing 16 MiB, and holds",
        answers: Answers {
            x224: SELECT_SSL,
            tls: Tls::Answer { flight: Flight::Bytes(HANDSHAKE_16M), delivery: Delivery::AtOnce, then: Then::Hold },
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: Expect { tls: "protocol-error", error: "tls handshake failed", ..TLS_FAILED },
    },
    HostSpec {
        behaviour: Behaviour::AlertHandshakeFailure,
        name: "alert-handshake-failure",
        does: "selects SSL, then answers the ClientHello with fatal alert 40 (handshake_failure) and closes",
        answers: Answers { x224: SELECT_SSL, tls: Tls::Alert(40), ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { error: "server sent tls alert handshake_failure (40)", ..ALERTED },
    },
    HostSpec {
        behaviour: Behaviour::AlertProtocolVersion,
        name: "alert-protocol-version",
        does: "selects SSL, then answers the ClientHello with fatal alert 70 (protocol_version) and closes",
        answers: Answers { x224: SELECT_SSL, tls: Tls::Alert(70), ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { error: "server sent tls alert protocol_version (70)", ..ALERTED },
    },
    HostSpec {
        behaviour: Behaviour::AlertUnrecognizedName,
        name: "alert-unrecognized-name",
        does: "selects SSL, then answers the ClientHello with alert 112 (unrecognized_name), fatal, and closes",
        answers: Answers { x224: SELECT_SSL, tls: Tls::Alert(112), ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { error: "server sent tls alert unrecognized_name (112)", ..ALERTED },
    },
    HostSpec {
        behaviour: Behaviour::AlertUnassigned,
        name: "alert-unassigned",
        does: "selects SSL, then answers the ClientHello with fatal alert 255, which no RFC assigns, and closes",
        answers: Answers { x224: SELECT_SSL, tls: Tls::Alert(255), ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { error: "server sent tls alert unknown (255)", ..ALERTED },
    },
    HostSpec {
        behaviour: Behaviour::NoiseTls,
        name: "noise-tls",
        does: "selects SSL, then answers the ClientHello with endless pseudo-random bytes (seeded)",
        answers: Answers { x224: SELECT_SSL, tls: Tls::Noise { seed: TLS_NOISE_SEED }, ..Answers::LISTEN },
        cert: Cert::None,
        expect: Expect { tls: "protocol-error", error: "not tls: answer starts 79", ..TLS_FAILED },
    },
    HostSpec {
        behaviour: Behaviour::ResetMidServerHello,
        name: "reset-mid-server-hello",
        does: "selects SSL, sends the first 20 bytes of a ServerHello, then resets the connection (RST)",
        answers: Answers {
            x224: SELECT_SSL,
            tls: Tls::Answer { flight: Flight::ServerHello, delivery: Delivery::FirstBytes(CUT_AT), then: Then::Reset },
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: Expect { tls: "reset", error: "reset during the tls handshake", ..TLS_FAILED },
    },
    HostSpec {
        behaviour: Behaviour::FinMidServerHello,
        name: "fin-mid-server-hello",
        does: "selects SSL, sends the first 20 bytes of a ServerHello, closes its side (FIN) and keeps reading",
        answers: Answers {
            x224: SELECT_SSL,
            tls: Tls::Answer { flight: Flight::ServerHello, delivery: Delivery::FirstBytes(CUT_AT), then: Then::HalfClose },
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: Expect { tls: "closed", error: "closed during the tls handshake", ..TLS_FAILED },
    },
    HostSpec {
        behaviour: Behaviour::TrickleTls,
        name: "trickle-tls",
        does: "selects SSL, then sends a ServerHello one byte every 0.9 s",
        answers: Answers {
            x224: SELECT_SSL,
            tls: Tls::Answer { flight: Flight::ServerHello, delivery: Delivery::Trickle(HOSTILE_TRICKLE), then: Then::Hold },
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: TLS_TIMEOUT,
    },
    HostSpec {
        behaviour: Behaviour::EmptyCertificate,
        name: "empty-certificate",
        does: "selects SSL, then answers with a TLS 1.2 ServerHello, a Certificate message listing no certificate and ServerHelloDone",
        answers: Answers {
            x224: SELECT_SSL,
            tls: Tls::Answer { flight: Flight::EmptyCertificate, delivery: Delivery::AtOnce, then: Then::Hold },
            ..Answers::LISTEN
        },
        cert: Cert::None,
        expect: Expect { tls: "protocol-error", error: "(and no certificate), which rustls speaks", ..TLS_FAILED },
    },
    HostSpec {
        behaviour: Behaviour::Chain50,
        name: "chain-50",
        does: "selects HYBRID, completes TLS 1.2/1.3 presenting a chain of 50 certificates, each signed by the next, the last self-signed",
        answers: Answers { x224: SELECT_HYBRID, tls: TLS12_13, ..Answers::LISTEN },
        cert: Cert::Made {
            key: Key::EcdsaP256,
            valid_days: (-30, 335),
            subject: Subject::HostName,
            issuer: Issuer::LongChain { certificates: LONG_CHAIN },
        },
        expect: Expect { cert_subject: "chain-50.fleet.test", ..SELF_SIGNED_OK },
    },
    HostSpec {
        behaviour: Behaviour::Cert200k,
        name: "cert-200k",
        does: "selects SSL, then speaks TLS 1.3 only with a certificate of 200 KiB (a padding extension)",
        answers: Answers { x224: SELECT_SSL, tls: Tls::Rustls { min: TLS1_3, max: TLS1_3 }, ..Answers::LISTEN },
        cert: Cert::Padded { key: Key::EcdsaP256, bytes: CERT_PADDING },
        expect: Expect { tls: "protocol-error", error: "tls handshake failed", ..TLS_FAILED },
    },
    HostSpec {
        behaviour: Behaviour::NameCrlf,
        name: "name-crlf",
        does: "selects HYBRID, completes TLS with a certificate whose CN starts with CR LF and holds a header-like line",
        answers: Answers { x224: SELECT_HYBRID, tls: TLS12_13, ..Answers::LISTEN },
        cert: named(Subject::Literal(CRLF_NAME)),
        expect: Expect { cert_subject: "\\x0d\\x0aX-Injected: yes\\x0d\\x0aname-crlf", ..SELF_SIGNED_OK },
    },
    HostSpec {
        behaviour: Behaviour::NameFormula,
        name: "name-formula",
        does: "selects HYBRID, completes TLS with a certificate whose CN is an @ spreadsheet formula",
        answers: Answers { x224: SELECT_HYBRID, tls: TLS12_13, ..Answers::LISTEN },
        cert: named(Subject::Literal(FORMULA_NAME)),
        expect: Expect { cert_subject: "'@SUM(1+1)*cmd|' /C calc'!A0", ..SELF_SIGNED_OK },
    },
    HostSpec {
        behaviour: Behaviour::NameScript,
        name: "name-script",
        does: "selects HYBRID, completes TLS with a certificate whose CN is a `<script>` element with both kinds of quotes",
        answers: Answers { x224: SELECT_HYBRID, tls: TLS12_13, ..Answers::LISTEN },
        cert: named(Subject::Literal(SCRIPT_NAME)),
        expect: Expect { cert_subject: SCRIPT_NAME, ..SELF_SIGNED_OK },
    },
    HostSpec {
        behaviour: Behaviour::NameNul,
        name: "name-nul",
        does: "selects HYBRID, completes TLS with a certificate whose CN holds a NUL byte",
        answers: Answers { x224: SELECT_HYBRID, tls: TLS12_13, ..Answers::LISTEN },
        cert: named(Subject::Literal(NUL_NAME)),
        expect: Expect { cert_subject: "nul\\x00inside", ..SELF_SIGNED_OK },
    },
    HostSpec {
        behaviour: Behaviour::NameInvalidUtf8,
        name: "name-invalid-utf8",
        does: "selects HYBRID, completes TLS with a certificate whose CN is a UTF8String of bytes that are not UTF-8 (OpenSSL-based clients cannot parse it)",
        answers: Answers { x224: SELECT_HYBRID, tls: TLS12_13, ..Answers::LISTEN },
        cert: named(Subject::Bytes(INVALID_UTF8_NAME)),
        expect: Expect {
            cert_subject: "bad\\xff\\xfe\\xc3(utf8",
            findings: &["CERT_MALFORMED"],
            risk_level: "high",
            client_outcome: "fails",
            ..SELF_SIGNED_OK
        },
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::play_hostile::noise_head;

    #[test]
    fn the_x224_noise_is_not_tpkt_and_starts_as_the_row_says() {
        let head = noise_head(X224_NOISE_SEED, 1);
        assert_ne!(head[0], rdpsweep_codec::tpkt::VERSION);
        let row = HOSTS.iter().find(|s| s.name == "noise-x224").expect("row");
        let first = format!("{:02x}", head[0]);
        assert!(row.expect.error.ends_with(&first), "{first}");
    }

    #[test]
    fn the_tls_noise_is_no_record_and_starts_as_the_row_says() {
        let head = noise_head(TLS_NOISE_SEED, 1);
        assert!(!(20..=24).contains(&head[0]), "a tls content type");
        let row = HOSTS.iter().find(|s| s.name == "noise-tls").expect("row");
        let first = format!("{:02x}", head[0]);
        assert!(row.expect.error.ends_with(&first), "{first}");
    }

    #[test]
    fn the_hand_laid_confirms_are_19_bytes_as_their_tpkt_header_says() {
        for bytes in [NEG_TYPE_UNKNOWN, LI_PAST_FRAME] {
            assert_eq!(bytes.len(), 19);
            assert_eq!(usize::from(u16::from_be_bytes([bytes[2], bytes[3]])), 19);
        }
    }
}
