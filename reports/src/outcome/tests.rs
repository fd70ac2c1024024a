use rdpsweep_codec::SecurityProtocol as P;

use super::*;
use crate::findings::tests::{healthy, neg_failure, tls_failed, with_cert, x224};
use crate::trust::CertTrust;

fn outcome(obs: &Observation) -> Option<ClientOutcome> {
    predict(obs, ClientPolicy::Default).map(|p| p.outcome)
}

fn strict(obs: &Observation) -> Option<ClientOutcome> {
    predict(obs, ClientPolicy::Strict).map(|p| p.outcome)
}

fn trusted(name_match: Option<bool>) -> Option<CertTrust> {
    Some(CertTrust {
        untrusted: None,
        name: name_match.map(|_| "rdp01.corp.test".to_string()),
        name_match,
    })
}

fn untrusted(why: Untrusted) -> Option<CertTrust> {
    Some(CertTrust {
        untrusted: Some(why),
        name: None,
        name_match: None,
    })
}

#[test]
fn nothing_is_predicted_where_tcp_was_not_accepted() {
    for tcp in [
        TcpStatus::Refused,
        TcpStatus::Timeout,
        TcpStatus::Unreachable,
        TcpStatus::Error,
    ] {
        let mut obs = healthy();
        obs.tcp = tcp;
        assert_eq!(predict(&obs, ClientPolicy::Default), None, "{tcp}");
    }
}

#[test]
fn a_connection_cut_during_setup_fails() {
    use ClientOutcome::Fails;
    for status in [
        RdpStatus::Timeout,
        RdpStatus::Closed,
        RdpStatus::Reset,
        RdpStatus::NotRdp,
        RdpStatus::ProtocolError,
    ] {
        assert_eq!(outcome(&x224(status, 5.0)), Some(Fails), "{status}");
    }
    for status in [
        TlsStatus::Alert,
        TlsStatus::Closed,
        TlsStatus::Reset,
        TlsStatus::Timeout,
        TlsStatus::ProtocolError,
    ] {
        assert_eq!(
            outcome(&tls_failed(status, 3.0, "x")),
            Some(Fails),
            "{status}"
        );
    }
    let mut legacy = healthy();
    legacy.tls = Some(TlsStatus::Legacy);
    assert_eq!(outcome(&legacy), Some(Fails));
    // A certificate OpenSSL-based clients cannot parse.
    let mut unparsable = healthy();
    unparsable.cert_trust = untrusted(Untrusted::Unparsable);
    assert_eq!(outcome(&unparsable), Some(Fails));
    for code in [1, 3, 4, 5, 6, 99] {
        assert_eq!(outcome(&neg_failure(code)), Some(Fails), "code {code}");
    }
    // A Confirm selecting what the client did not ask for.
    for selected in [
        P::RDSTLS,
        P::RDSAAD,
        P::from_bits_retain(0x20),
        P::SSL | P::HYBRID,
    ] {
        let mut obs = healthy();
        obs.selected_protocol = Some(selected);
        obs.tls = None;
        let p = predict(&obs, ClientPolicy::Default).expect("a prediction");
        assert_eq!(p.outcome, Fails, "{selected}");
        assert!(p.reason.contains("did not request"), "{}", p.reason);
    }
}

#[test]
fn warnings_a_user_accepts_warn_and_fail_the_strict_client() {
    use ClientOutcome::{Fails, Warns};
    let mut standard = healthy();
    standard.selected_protocol = Some(P::RDP);
    standard.tls = None;
    let cases = [
        ("standard security", standard),
        ("ssl_not_allowed", neg_failure(2)),
        ("self-signed", {
            let mut o = healthy();
            o.cert_trust = untrusted(Untrusted::SelfSigned);
            o
        }),
        ("expired", {
            let mut o = healthy();
            o.cert_trust = untrusted(Untrusted::Expired);
            o
        }),
        ("another name", {
            let mut o = healthy();
            o.cert_trust = trusted(Some(false));
            o
        }),
    ];
    for (what, obs) in cases {
        assert_eq!(outcome(&obs), Some(Warns), "{what}");
        let p = predict(&obs, ClientPolicy::Strict).expect("a prediction");
        assert_eq!(p.outcome, Fails, "{what}");
        assert!(
            p.reason.contains("enforces server authentication"),
            "{}",
            p.reason
        );
    }
}

#[test]
fn a_trusted_certificate_for_the_name_connects() {
    let mut obs = healthy();
    obs.cert_trust = trusted(Some(true));
    assert_eq!(outcome(&obs), Some(ClientOutcome::Connects));
    assert_eq!(strict(&obs), Some(ClientOutcome::Connects));
    obs.cert_trust = trusted(None);
    assert_eq!(
        outcome(&obs),
        Some(ClientOutcome::Connects),
        "no name known"
    );
}

#[test]
fn ssl_not_allowed_fails_when_deep_saw_standard_security_refused_too() {
    let mut obs = neg_failure(2);
    obs.deep = Some(crate::deep::fixtures::record(&[], &[], None, None));
    assert_eq!(outcome(&obs), Some(ClientOutcome::Fails));
    obs.deep = Some(crate::deep::fixtures::record(&[P::RDP], &[], None, None));
    assert_eq!(outcome(&obs), Some(ClientOutcome::Warns));
}

#[test]
fn records_without_a_trust_judgement_are_judged_by_the_certificate() {
    // Written before rdpsweep judged trust: the self-signed fixture warns, a CA-issued one
    // within its dates connects, an expired one warns.
    assert_eq!(outcome(&healthy()), Some(ClientOutcome::Warns));
    let issued = with_cert(|c| c.self_signed = false);
    assert_eq!(outcome(&issued), Some(ClientOutcome::Connects));
    let expired = with_cert(|c| {
        c.self_signed = false;
        c.days_left = -3;
    });
    assert_eq!(outcome(&expired), Some(ClientOutcome::Warns));
}
