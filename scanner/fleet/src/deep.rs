//! The deep profile's table, for `scan --deep`: every security-layer policy, TLS version
//! range and standard-security encryption level, and the NTLM identity host, one row each in
//! address order. Every host that can select HYBRID or HYBRID_EX answers CredSSP as
//! [`NTLM_IDENTITY`], on time except `ntlm-identity`, 10 minutes fast.

use rdpsweep_codec::legacy_tls::{TLS1_0, TLS1_1, TLS1_2, TLS1_3};
use rdpsweep_codec::{
    EncryptionLevel, EncryptionMethod, FailureCode, RdpVersion, SecurityProtocol,
};

use crate::policy::{
    Policy, StandardSecurity, CLIENT_COMPATIBLE, NON_FIPS, NTLM_IDENTITY, RDP_10_7,
};
use crate::spec::{
    AfterTls, Answers, Cert, Expect, ExpectDeep, HostSpec, Issuer, Key, Subject, Tls, X224,
};
use crate::Behaviour;

/// How far ahead of the real clock the `ntlm-identity` host's clock runs, in seconds (10
/// minutes: over the 5 minutes `CLOCK_SKEW` allows).
pub const NTLM_CLOCK_AHEAD_S: i64 = 600;

/// The certificate of every deep host that speaks TLS: issued by the fleet CA (an enterprise
/// CA) for the DNS name the host gives for itself in its NTLM CHALLENGE.
const CERT: Cert = Cert::Made {
    key: Key::Rsa2048C,
    valid_days: (-30, 335),
    subject: Subject::Literal(NTLM_IDENTITY.dns_computer),
    issuer: Issuer::FleetCa,
};

/// The `ntlm-identity` host's certificate: issued for the name it had before it was renamed.
const OLD_NAME_CERT: Cert = Cert::Made {
    key: Key::Rsa2048C,
    valid_days: (-30, 335),
    subject: Subject::Literal(OLD_DNS_NAME),
    issuer: Issuer::FleetCa,
};

/// The name in the `ntlm-identity` host's certificate, not the one its CHALLENGE gives.
pub const OLD_DNS_NAME: &str = "rdpsim-old.fleet.test";

/// Answers CredSSP on time.
const NTLM: AfterTls = AfterTls::Ntlm {
    identity: NTLM_IDENTITY,
    clock_ahead_s: 0,
};

/// NLA required: HYBRID only, else RDP_NEG_FAILURE 5.
const NLA_REQUIRED: Policy = Policy {
    protocols: SecurityProtocol::HYBRID,
    refuse: FailureCode::HYBRID_REQUIRED_BY_SERVER,
    ..Policy::TLS_ANY
};

/// The answers of a TLS-range host speaking `min` to `max`.
const fn tls_range(min: u16, max: u16) -> Answers {
    Answers {
        x224: X224::Policy(Policy::TLS_ANY),
        tls: Tls::Range { min, max },
        after_tls: NTLM,
        ..Answers::LISTEN
    }
}

/// The answers of a security-layer-RDP host with these standard-security settings.
const fn rdp_only(security: StandardSecurity) -> Answers {
    Answers {
        x224: X224::Policy(Policy::RDP_ONLY),
        standard_security: Some(security),
        ..Answers::LISTEN
    }
}

/// What `scan --deep` reports of a host whose TLS 1.3 handshake completes.
const TLS13_OK: Expect = Expect {
    rdp: "negotiated",
    tls: "ok",
    tls_version: "TLSv1.3",
    cert_key: "RSA 2048",
    cert_signature: "ecdsa-with-SHA256",
    ..Expect::OPEN
};

/// What `scan --deep` reports of a security-layer-RDP host: the ordinary probe's request is
/// refused with RDP_NEG_FAILURE 2.
const REFUSES_TLS: Expect = Expect {
    rdp: "failure",
    neg_failure: "ssl_not_allowed",
    error: "rdp_neg_failure",
    risk_level: "medium",
    ..Expect::OPEN
};

/// The deep columns of a security-layer-RDP host.
const RDP_ONLY_DEEP: ExpectDeep = ExpectDeep {
    protocols_accepted: "rdp",
    nla_required: "false",
    ..ExpectDeep::EMPTY
};

/// The deep columns of a TLS-range host whose TLS 1.2/1.3 handshake completes.
const TLS_RANGE_DEEP: ExpectDeep = ExpectDeep {
    protocols_accepted: "ssl|hybrid|hybrid_ex",
    nla_required: "false",
    ntlm_computer: "RDPSIM01",
    clock_skew_s: Some(0),
    ..ExpectDeep::EMPTY
};

/// The deep profile, in address order.
#[rustfmt::skip]
pub const HOSTS: &[HostSpec] = &[
    HostSpec {
        behaviour: Behaviour::PolicyRdpOnly,
        name: "policy-rdp-only",
        does: "security layer RDP: selects PROTOCOL_RDP when asked for it alone, else RDP_NEG_FAILURE 2; standard security as std-security-client-compatible",
        answers: rdp_only(CLIENT_COMPATIBLE),
        cert: Cert::None,
        expect: Expect {
            client_outcome: "warns",
            findings: &["NEG_SSL_NOT_ALLOWED", "RDP_ENCRYPTION_LOW", "NLA_NOT_REQUIRED"],
            deep: Some(ExpectDeep {
                rdp_encryption_level: "client-compatible",
                rdp_encryption_methods: "40bit|56bit|128bit",
                rdp_version: "10.7",
                ..RDP_ONLY_DEEP
            }),
            ..REFUSES_TLS
        },
    },
    HostSpec {
        behaviour: Behaviour::PolicyTlsOnly,
        name: "policy-tls-only",
        does: "security layer SSL, NLA off: selects SSL whenever SSL is requested (even with HYBRID), else RDP_NEG_FAILURE 1",
        answers: Answers {
            x224: X224::Policy(Policy { protocols: SecurityProtocol::SSL, ..Policy::TLS_ANY }),
            tls: Tls::Range { min: TLS1_2, max: TLS1_3 },
            ..Answers::LISTEN
        },
        cert: CERT,
        expect: Expect {
            client_outcome: "connects",
            selected_protocol: "ssl",
            cert_subject: "rdpsim01.fleet.test",
            findings: &["NLA_NOT_REQUIRED"],
            deep: Some(ExpectDeep {
                protocols_accepted: "ssl",
                nla_required: "false",
                tls_versions: "TLSv1.2|TLSv1.3",
                ..ExpectDeep::EMPTY
            }),
            ..TLS13_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::PolicyNegotiate,
        name: "policy-negotiate",
        does: "security layer Negotiate, NLA off: selects what is asked among RDP, SSL, HYBRID, HYBRID_EX; answers RDSTLS or RDSAAD alone with PROTOCOL_RDP; standard security as std-security-client-compatible",
        answers: Answers {
            x224: X224::Policy(Policy {
                rdp: true,
                rdp_fallback: true,
                refuse: FailureCode::SSL_NOT_ALLOWED_BY_SERVER,
                ..Policy::TLS_ANY
            }),
            tls: Tls::Range { min: TLS1_2, max: TLS1_3 },
            after_tls: NTLM,
            standard_security: Some(CLIENT_COMPATIBLE),
            ..Answers::LISTEN
        },
        cert: CERT,
        expect: Expect {
            client_outcome: "connects",
            selected_protocol: "hybrid_ex",
            cert_subject: "rdpsim01.fleet.test",
            findings: &["RDP_ENCRYPTION_LOW", "NLA_NOT_REQUIRED"],
            risk_level: "low",
            deep: Some(ExpectDeep {
                protocols_accepted: "rdp|ssl|hybrid|hybrid_ex",
                tls_versions: "TLSv1.2|TLSv1.3",
                rdp_encryption_level: "client-compatible",
                rdp_encryption_methods: "40bit|56bit|128bit",
                rdp_version: "10.7",
                ..TLS_RANGE_DEEP
            }),
            ..TLS13_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::PolicyNlaRequired,
        name: "policy-nla-required",
        does: "NLA required: selects HYBRID when requested, else RDP_NEG_FAILURE 5",
        answers: Answers {
            x224: X224::Policy(NLA_REQUIRED),
            tls: Tls::Range { min: TLS1_2, max: TLS1_3 },
            after_tls: NTLM,
            ..Answers::LISTEN
        },
        cert: CERT,
        expect: Expect {
            client_outcome: "connects",
            selected_protocol: "hybrid",
            cert_subject: "rdpsim01.fleet.test",
            deep: Some(ExpectDeep {
                protocols_accepted: "hybrid",
                nla_required: "true",
                tls_versions: "TLSv1.2|TLSv1.3",
                ..TLS_RANGE_DEEP
            }),
            ..TLS13_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::PolicyHybridEx,
        name: "policy-hybrid-ex",
        does: "NLA required with Early User Authorization: selects HYBRID_EX, or HYBRID, when requested, else RDP_NEG_FAILURE 5",
        answers: Answers {
            x224: X224::Policy(Policy {
                protocols: SecurityProtocol::HYBRID.union(SecurityProtocol::HYBRID_EX),
                ..NLA_REQUIRED
            }),
            tls: Tls::Range { min: TLS1_2, max: TLS1_3 },
            after_tls: NTLM,
            ..Answers::LISTEN
        },
        cert: CERT,
        expect: Expect {
            client_outcome: "connects",
            selected_protocol: "hybrid_ex",
            cert_subject: "rdpsim01.fleet.test",
            deep: Some(ExpectDeep {
                protocols_accepted: "hybrid|hybrid_ex",
                nla_required: "true",
                tls_versions: "TLSv1.2|TLSv1.3",
                ..TLS_RANGE_DEEP
            }),
            ..TLS13_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::TlsRange10,
        name: "tls-1.0",
        does: "selects SSL/HYBRID/HYBRID_EX as asked (RDP_NEG_FAILURE 1 otherwise), then speaks TLS 1.0 only",
        answers: tls_range(TLS1_0, TLS1_0),
        cert: CERT,
        expect: Expect {
            client_outcome: "fails",
            selected_protocol: "hybrid_ex",
            tls: "legacy",
            tls_version: "TLSv1.0",
            cert_subject: "rdpsim01.fleet.test",
            error: "answers an old client",
            findings: &["TLS_LEGACY_ONLY", "NLA_NOT_REQUIRED", "TLS_1_0_ENABLED"],
            risk_level: "high",
            deep: Some(ExpectDeep {
                tls_versions: "TLSv1.0",
                ntlm_computer: "",
                clock_skew_s: None,
                ..TLS_RANGE_DEEP
            }),
            ..TLS13_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::TlsRange10To11,
        name: "tls-1.0-1.1",
        does: "as tls-1.0, speaking TLS 1.0 and 1.1",
        answers: tls_range(TLS1_0, TLS1_1),
        cert: CERT,
        expect: Expect {
            client_outcome: "fails",
            selected_protocol: "hybrid_ex",
            tls: "legacy",
            tls_version: "TLSv1.1",
            cert_subject: "rdpsim01.fleet.test",
            error: "answers an old client",
            findings: &["TLS_LEGACY_ONLY", "NLA_NOT_REQUIRED", "TLS_1_0_ENABLED"],
            risk_level: "high",
            deep: Some(ExpectDeep {
                tls_versions: "TLSv1.0|TLSv1.1",
                ntlm_computer: "",
                clock_skew_s: None,
                ..TLS_RANGE_DEEP
            }),
            ..TLS13_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::TlsRange10To12,
        name: "tls-1.0-1.2",
        does: "as tls-1.0, speaking TLS 1.0 to 1.2",
        answers: tls_range(TLS1_0, TLS1_2),
        cert: CERT,
        expect: Expect {
            client_outcome: "connects",
            selected_protocol: "hybrid_ex",
            tls_version: "TLSv1.2",
            cert_subject: "rdpsim01.fleet.test",
            findings: &["NLA_NOT_REQUIRED", "TLS_1_0_ENABLED"],
            deep: Some(ExpectDeep { tls_versions: "TLSv1.0|TLSv1.1|TLSv1.2", ..TLS_RANGE_DEEP }),
            ..TLS13_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::TlsRange10To13,
        name: "tls-1.0-1.3",
        does: "as tls-1.0, speaking TLS 1.0 to 1.3",
        answers: tls_range(TLS1_0, TLS1_3),
        cert: CERT,
        expect: Expect {
            client_outcome: "connects",
            selected_protocol: "hybrid_ex",
            cert_subject: "rdpsim01.fleet.test",
            findings: &["NLA_NOT_REQUIRED", "TLS_1_0_ENABLED"],
            deep: Some(ExpectDeep { tls_versions: "TLSv1.0|TLSv1.1|TLSv1.2|TLSv1.3", ..TLS_RANGE_DEEP }),
            ..TLS13_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::TlsRange11To12,
        name: "tls-1.1-1.2",
        does: "as tls-1.0, speaking TLS 1.1 and 1.2",
        answers: tls_range(TLS1_1, TLS1_2),
        cert: CERT,
        expect: Expect {
            client_outcome: "connects",
            selected_protocol: "hybrid_ex",
            tls_version: "TLSv1.2",
            cert_subject: "rdpsim01.fleet.test",
            findings: &["NLA_NOT_REQUIRED"],
            deep: Some(ExpectDeep { tls_versions: "TLSv1.1|TLSv1.2", ..TLS_RANGE_DEEP }),
            ..TLS13_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::TlsRange12,
        name: "tls-1.2",
        does: "as tls-1.0, speaking TLS 1.2 only",
        answers: tls_range(TLS1_2, TLS1_2),
        cert: CERT,
        expect: Expect {
            client_outcome: "connects",
            selected_protocol: "hybrid_ex",
            tls_version: "TLSv1.2",
            cert_subject: "rdpsim01.fleet.test",
            findings: &["NLA_NOT_REQUIRED"],
            deep: Some(ExpectDeep { tls_versions: "TLSv1.2", ..TLS_RANGE_DEEP }),
            ..TLS13_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::TlsRange12To13,
        name: "tls-1.2-1.3",
        does: "as tls-1.0, speaking TLS 1.2 and 1.3",
        answers: tls_range(TLS1_2, TLS1_3),
        cert: CERT,
        expect: Expect {
            client_outcome: "connects",
            selected_protocol: "hybrid_ex",
            cert_subject: "rdpsim01.fleet.test",
            findings: &["NLA_NOT_REQUIRED"],
            deep: Some(ExpectDeep { tls_versions: "TLSv1.2|TLSv1.3", ..TLS_RANGE_DEEP }),
            ..TLS13_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::TlsRange13,
        name: "tls-1.3",
        does: "as tls-1.0, speaking TLS 1.3 only",
        answers: tls_range(TLS1_3, TLS1_3),
        cert: CERT,
        expect: Expect {
            client_outcome: "connects",
            selected_protocol: "hybrid_ex",
            cert_subject: "rdpsim01.fleet.test",
            findings: &["NLA_NOT_REQUIRED"],
            deep: Some(ExpectDeep { tls_versions: "TLSv1.3", ..TLS_RANGE_DEEP }),
            ..TLS13_OK
        },
    },
    HostSpec {
        behaviour: Behaviour::StdSecurityNone,
        name: "std-security-none",
        does: "security layer RDP (as policy-rdp-only), standard security at encryption level none: answers any offer with method none, as RDP 5.0-8.1",
        answers: rdp_only(StandardSecurity {
            level: EncryptionLevel::NONE,
            methods: EncryptionMethod::NONE,
            version: RdpVersion::RDP_5_PLUS,
        }),
        cert: Cert::None,
        expect: Expect {
            client_outcome: "warns",
            findings: &["NEG_SSL_NOT_ALLOWED", "RDP_ENCRYPTION_LOW", "NLA_NOT_REQUIRED"],
            deep: Some(ExpectDeep { rdp_encryption_level: "none", rdp_version: "5.0-8.1", ..RDP_ONLY_DEEP }),
            ..REFUSES_TLS
        },
    },
    HostSpec {
        behaviour: Behaviour::StdSecurityLow,
        name: "std-security-low",
        does: "security layer RDP, standard security at level low: answers 40, 56 or 128-bit with the method offered, as RDP 5.0-8.1; closes on FIPS",
        answers: rdp_only(StandardSecurity {
            level: EncryptionLevel::LOW,
            methods: NON_FIPS,
            version: RdpVersion::RDP_5_PLUS,
        }),
        cert: Cert::None,
        expect: Expect {
            client_outcome: "warns",
            findings: &["NEG_SSL_NOT_ALLOWED", "RDP_ENCRYPTION_LOW", "NLA_NOT_REQUIRED"],
            deep: Some(ExpectDeep {
                rdp_encryption_level: "low",
                rdp_encryption_methods: "40bit|56bit|128bit",
                rdp_version: "5.0-8.1",
                ..RDP_ONLY_DEEP
            }),
            ..REFUSES_TLS
        },
    },
    HostSpec {
        behaviour: Behaviour::StdSecurityClientCompatible,
        name: "std-security-client-compatible",
        does: "security layer RDP, standard security at level client-compatible: answers 40, 56 or 128-bit with the method offered, as RDP 10.7; closes on FIPS",
        answers: rdp_only(CLIENT_COMPATIBLE),
        cert: Cert::None,
        expect: Expect {
            client_outcome: "warns",
            findings: &["NEG_SSL_NOT_ALLOWED", "RDP_ENCRYPTION_LOW", "NLA_NOT_REQUIRED"],
            deep: Some(ExpectDeep {
                rdp_encryption_level: "client-compatible",
                rdp_encryption_methods: "40bit|56bit|128bit",
                rdp_version: "10.7",
                ..RDP_ONLY_DEEP
            }),
            ..REFUSES_TLS
        },
    },
    HostSpec {
        behaviour: Behaviour::StdSecurityHigh,
        name: "std-security-high",
        does: "security layer RDP, standard security at level high: answers 128-bit only, as RDP 10.7; closes on any other offer",
        answers: rdp_only(StandardSecurity {
            level: EncryptionLevel::HIGH,
            methods: EncryptionMethod::BIT_128,
            version: RDP_10_7,
        }),
        cert: Cert::None,
        expect: Expect {
            client_outcome: "warns",
            findings: &["NEG_SSL_NOT_ALLOWED", "NLA_NOT_REQUIRED"],
            deep: Some(ExpectDeep {
                rdp_encryption_level: "high",
                rdp_encryption_methods: "128bit",
                rdp_version: "10.7",
                ..RDP_ONLY_DEEP
            }),
            ..REFUSES_TLS
        },
    },
    HostSpec {
        behaviour: Behaviour::StdSecurityFips,
        name: "std-security-fips",
        does: "security layer RDP, standard security at level FIPS: answers the FIPS method only, as RDP 10.7; closes on any other offer",
        answers: rdp_only(StandardSecurity {
            level: EncryptionLevel::FIPS,
            methods: EncryptionMethod::FIPS,
            version: RDP_10_7,
        }),
        cert: Cert::None,
        expect: Expect {
            client_outcome: "warns",
            findings: &["NEG_SSL_NOT_ALLOWED", "RDP_FIPS_ONLY", "NLA_NOT_REQUIRED"],
            risk_level: "medium",
            deep: Some(ExpectDeep {
                rdp_encryption_level: "fips",
                rdp_encryption_methods: "fips",
                rdp_version: "10.7",
                ..RDP_ONLY_DEEP
            }),
            ..REFUSES_TLS
        },
    },
    HostSpec {
        behaviour: Behaviour::NtlmIdentity,
        name: "ntlm-identity",
        does: "NLA required: selects HYBRID, completes TLS 1.2/1.3, then answers an NTLM NEGOTIATE as RDPSIM01 of domain FLEET (10.0.20348) with its clock 10 minutes fast and a certificate for its old name",
        answers: Answers {
            x224: X224::Policy(NLA_REQUIRED),
            tls: Tls::Range { min: TLS1_2, max: TLS1_3 },
            after_tls: AfterTls::Ntlm { identity: NTLM_IDENTITY, clock_ahead_s: NTLM_CLOCK_AHEAD_S },
            ..Answers::LISTEN
        },
        cert: OLD_NAME_CERT,
        expect: Expect {
            client_outcome: "warns",
            selected_protocol: "hybrid",
            cert_subject: OLD_DNS_NAME,
            findings: &["CLOCK_SKEW", "CERT_NAME_MISMATCH"],
            risk_level: "medium",
            deep: Some(ExpectDeep {
                protocols_accepted: "hybrid",
                nla_required: "true",
                tls_versions: "TLSv1.2|TLSv1.3",
                clock_skew_s: Some(NTLM_CLOCK_AHEAD_S),
                ..TLS_RANGE_DEEP
            }),
            ..TLS13_OK
        },
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use rdpsweep_codec::NegotiationResponse;

    fn spec(b: Behaviour) -> &'static HostSpec {
        HOSTS
            .iter()
            .find(|s| s.behaviour == b)
            .expect("a deep host")
    }

    fn policy(b: Behaviour) -> Policy {
        match spec(b).answers.x224 {
            X224::Policy(policy) => policy,
            other => panic!("{b} answers {other:?}, not by a policy"),
        }
    }

    /// What `b` answers each request of the scanner's matrix with, as `selected` or `!code`.
    fn answers(b: Behaviour) -> Vec<String> {
        [0x00, 0x01, 0x03, 0x0b, 0x04, 0x10]
            .into_iter()
            .map(
                |r| match policy(b).select(SecurityProtocol::from_bits_retain(r)) {
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
        let security = spec(b)
            .answers
            .standard_security
            .expect("standard security");
        [0x01, 0x08, 0x02, 0x10].map(|m| {
            security
                .answer(EncryptionMethod::from_bits_retain(m))
                .map(|answer| answer.bits())
        })
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
        assert_eq!(spec(PolicyTlsOnly).answers.standard_security, None);
    }

    /// The clock offset of a host answering CredSSP; `None` for a host that holds after TLS.
    fn ntlm_clock_ahead_s(b: Behaviour) -> Option<i64> {
        match b.spec().expect("a row").answers.after_tls {
            AfterTls::Ntlm { clock_ahead_s, .. } => Some(clock_ahead_s),
            AfterTls::Hold => None,
        }
    }

    #[test]
    fn credssp_hosts_answer_ntlm_and_one_clock_runs_ahead() {
        use Behaviour::*;
        assert_eq!(ntlm_clock_ahead_s(NtlmIdentity), Some(600));
        for b in [
            PolicyNegotiate,
            PolicyNlaRequired,
            PolicyHybridEx,
            TlsRange12,
        ] {
            assert_eq!(ntlm_clock_ahead_s(b), Some(0), "{b}");
        }
        for b in [PolicyRdpOnly, PolicyTlsOnly, StdSecurityHigh, Healthy] {
            assert_eq!(ntlm_clock_ahead_s(b), None, "{b}");
        }
        // The rule: a deep host answers CredSSP exactly when its policy can select it.
        let credssp = SecurityProtocol::HYBRID.union(SecurityProtocol::HYBRID_EX);
        for host in HOSTS {
            let can = policy(host.behaviour).protocols.intersects(credssp);
            let answers = ntlm_clock_ahead_s(host.behaviour).is_some();
            assert_eq!(can, answers, "{}", host.name);
        }
    }

    #[test]
    fn every_deep_host_has_a_policy_and_something_to_speak() {
        for host in HOSTS {
            let b = host.behaviour;
            policy(b);
            assert!(
                matches!(host.answers.tls, Tls::Range { .. })
                    || host.answers.standard_security.is_some(),
                "{b} speaks neither TLS nor standard security"
            );
            assert!(host.expect.deep.is_some(), "{b} says what --deep reports");
        }
        for host in crate::mixed::HOSTS {
            let b = host.behaviour;
            assert!(host.expect.deep.is_none(), "{b} is not scanned with --deep");
        }
    }
}
