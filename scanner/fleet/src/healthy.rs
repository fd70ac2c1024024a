//! The healthy profile's table: one row, played by every address of the range (for
//! benchmarks).

use rdpsweep_codec::legacy_tls::TLS1_3;
use rdpsweep_codec::SecurityProtocol;

use crate::spec::{
    Answers, Cert, Expect, HostSpec, Issuer, Key, Subject, Tls, EVERY_RSP_FLAG, X224,
};
use crate::Behaviour;

/// The healthy profile: every address plays this one row.
#[rustfmt::skip]
pub const HOSTS: &[HostSpec] = &[
    HostSpec {
        behaviour: Behaviour::HealthyEcdsa,
        name: "healthy-ecdsa",
        does: "selects HYBRID_EX, completes TLS 1.3 only with an ECDSA P-256 certificate issued by the fleet CA",
        answers: Answers {
            x224: X224::Select {
                protocol: SecurityProtocol::HYBRID_EX,
                flags: EVERY_RSP_FLAG,
            },
            tls: Tls::Rustls { min: TLS1_3, max: TLS1_3 },
            ..Answers::LISTEN
        },
        cert: Cert::Made {
            key: Key::EcdsaP256,
            valid_days: (-30, 335),
            subject: Subject::HostName,
            issuer: Issuer::FleetCa,
        },
        expect: Expect {
            client_outcome: "connects",
            rdp: "negotiated",
            selected_protocol: "hybrid_ex",
            tls: "ok",
            tls_version: "TLSv1.3",
            cert_subject: "healthy-ecdsa.fleet.test",
            cert_key: "EC P-256",
            cert_signature: "ecdsa-with-SHA256",
            ..Expect::OPEN
        },
    },
];
