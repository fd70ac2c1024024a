//! The deep probe against the simulated fleet's deep profile, in process. Each test has its
//! own 127.96.N.0/27 and port (23470–23479, outside the ephemeral range).

use std::net::IpAddr;
use std::time::Duration as StdDuration;

use super::matrix::answer_of;
use super::*;
use crate::probe::link::{Confirmed, Negotiation};
use crate::probe::{probe, ProbeConfig};
use ipnetwork::IpNetwork;
use rdpsweep_codec::{
    EncryptionLevel, EncryptionMethod, FailureCode, RdpVersion, ResponseFlags, SecurityProtocol,
};
use rdpsweep_fleet::{Behaviour, Fleet, FleetConfig, Profile};

async fn deep_fleet(range: &str, port: u16) -> Fleet {
    Fleet::start(FleetConfig {
        range: range.parse::<IpNetwork>().expect("range"),
        port,
        profile: Profile::Deep,
    })
    .await
    .expect("fleet starts")
}

fn addr_of(fleet: &Fleet, behaviour: Behaviour) -> IpAddr {
    fleet.addr_of(behaviour).expect("behaviour in range")
}

fn config(max_connections: u32) -> ProbeConfig {
    let mut deep = DeepConfig::new(StdDuration::ZERO);
    deep.max_connections = max_connections;
    ProbeConfig {
        deep: Some(deep),
        ..ProbeConfig::new(
            StdDuration::from_secs(2),
            StdDuration::from_secs(3),
            0,
            "deep-test",
            crate::tls::scanning_client_config(),
        )
    }
}

fn protocols(deep: &DeepObservation) -> Vec<String> {
    deep.protocols
        .iter()
        .map(|p| p.protocol.to_string())
        .collect()
}

#[tokio::test]
async fn deep_budget_caps_connections_and_names_the_steps_left_out() {
    let port = 23470;
    let fleet = deep_fleet("127.96.0.0/27", port).await;
    let ip = addr_of(&fleet, Behaviour::PolicyNegotiate);
    let obs = probe(ip, port, None, &config(4)).await;
    let deep = obs.deep.expect("deep ran");
    assert_eq!(deep.connections, 4);
    assert_eq!(fleet.connection_counts().get(&ip), Some(&4));
    // The ordinary probe's connection, then rdp, ssl and hybrid; hybrid_ex is the ordinary
    // probe's answer; rdstls and rdsaad found the budget spent.
    assert_eq!(protocols(&deep), ["rdp", "ssl", "hybrid", "hybrid_ex"]);
    assert_eq!(deep.nla_required(), Some(false));
    assert!(deep.tls_versions.is_empty());
    for step in ["protocol rdstls", "protocol rdsaad", "tls version TLSv1.0"] {
        let note = format!("{step}: not run, this target's budget of 4 connections is spent");
        assert!(
            deep.notes.iter().any(|n| n.starts_with(&note)),
            "{note:?} not in {:?}",
            deep.notes
        );
    }
}

#[tokio::test]
async fn deep_with_a_full_budget_asks_everything_once() {
    let port = 23471;
    let fleet = deep_fleet("127.96.1.0/27", port).await;
    let ip = addr_of(&fleet, Behaviour::PolicyNegotiate);
    let obs = probe(ip, port, None, &config(MAX_CONNECTIONS_PER_HOST)).await;
    let deep = obs.deep.expect("deep ran");
    // 1 ordinary + 5 matrix + 4 TLS versions + 3 standard security (the 40-bit attempt rode
    // on the PROTOCOL_RDP request's connection).
    assert_eq!(deep.connections, 13);
    assert_eq!(fleet.connection_counts().get(&ip), Some(&13));
    assert_eq!(
        protocols(&deep),
        ["rdp", "ssl", "hybrid", "hybrid_ex", "rdstls", "rdsaad"]
    );
    let accepted: Vec<String> = deep
        .protocols_accepted()
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(accepted, ["rdp", "ssl", "hybrid", "hybrid_ex"]);
    // RDSTLS alone is answered with PROTOCOL_RDP: recorded, not counted as support.
    let rdstls = &deep.protocols[4];
    assert_eq!(rdstls.selected, Some(SecurityProtocol::RDP));
    assert!(!rdstls.accepted);
    assert!(deep.protocols[3].from_first_probe);
    let security = deep.rdp_security.expect("standard security probed");
    assert_eq!(security.level, Some(EncryptionLevel::CLIENT_COMPATIBLE));
    assert_eq!(
        security.methods,
        [
            EncryptionMethod::BIT_40,
            EncryptionMethod::BIT_56,
            EncryptionMethod::BIT_128
        ]
    );
    assert_eq!(security.version, Some(RdpVersion(0x0008_000c)));
    let ntlm = deep
        .ntlm
        .expect("the CredSSP connection carried the NTLM exchange");
    assert_eq!(ntlm.computer.as_deref(), Some("RDPSIM01"));
    assert_eq!(ntlm.os_version.as_deref(), Some("10.0.20348"));
    assert!(deep.notes.is_empty(), "{:?}", deep.notes);
}

#[tokio::test]
async fn deep_standard_security_records_each_refused_method() {
    let port = 23475;
    let fleet = deep_fleet("127.96.5.0/27", port).await;
    let ip = addr_of(&fleet, Behaviour::StdSecurityHigh);
    let obs = probe(ip, port, None, &config(MAX_CONNECTIONS_PER_HOST)).await;
    let deep = obs.deep.expect("deep ran");
    // 1 ordinary + 5 matrix + 3 standard security; no TLS protocol was accepted.
    assert_eq!(deep.connections, 9);
    assert_eq!(fleet.connection_counts().get(&ip), Some(&9));
    let security = deep.rdp_security.expect("standard security probed");
    assert_eq!(security.level, Some(EncryptionLevel::HIGH));
    assert_eq!(security.methods, [EncryptionMethod::BIT_128]);
    let closed = "closed before the mcs connect response (0 bytes received)";
    assert_eq!(
        security.attempts,
        [
            format!("40bit: {closed}"),
            format!("56bit: {closed}"),
            "128bit: answered with method 128bit, level high".to_string(),
            format!("fips: {closed}"),
        ]
    );
    assert!(deep.ntlm.is_none());
}

#[tokio::test]
async fn deep_opens_no_connection_once_the_scan_is_stopping() {
    let port = 23472;
    let fleet = deep_fleet("127.96.2.0/27", port).await;
    let ip = addr_of(&fleet, Behaviour::PolicyTlsOnly);
    let stopping = config(MAX_CONNECTIONS_PER_HOST);
    stopping.stop.cancel();
    let obs = probe(ip, port, None, &stopping).await;
    let deep = obs.deep.expect("deep record");
    assert_eq!(deep.connections, 1);
    assert_eq!(fleet.connection_counts().get(&ip), Some(&1));
    assert_eq!(protocols(&deep), ["hybrid_ex"]);
    assert_eq!(
        deep.notes,
        ["protocol rdp and later steps: not run, the scan was interrupted"]
    );
}

#[tokio::test]
async fn deep_skips_a_listener_that_sent_no_confirm() {
    // Nothing listens on this port of 127.96.3.1: TCP is refused.
    let obs = probe(
        "127.96.3.1".parse().expect("ip"),
        23473,
        None,
        &config(MAX_CONNECTIONS_PER_HOST),
    )
    .await;
    let deep = obs.deep.expect("deep record");
    assert_eq!(deep.connections, 1);
    assert!(deep.protocols.is_empty());
    assert_eq!(
        deep.notes,
        ["deep probe: not run, the listener sent no Connection Confirm"]
    );
}

fn negotiation(status: RdpStatus, confirmed: Option<Confirmed>) -> Negotiation {
    Negotiation {
        status,
        confirmed,
        error: None,
        elapsed: StdDuration::ZERO,
    }
}

#[test]
fn deep_matrix_accepts_only_the_exact_selection() {
    use rdpsweep_codec::SecurityProtocol as P;
    let selects = |p: P| {
        negotiation(
            RdpStatus::Negotiated,
            Some(Confirmed::Selected {
                flags: ResponseFlags::empty(),
                protocol: p,
            }),
        )
    };
    let ssl_hybrid = P::SSL | P::HYBRID;
    let hybrid = P::HYBRID;
    assert!(answer_of(hybrid, ssl_hybrid, &selects(P::HYBRID)).accepted);
    // nmap would call HYBRID supported here: the server chose SSL instead.
    let other = answer_of(hybrid, ssl_hybrid, &selects(P::SSL));
    assert!(!other.accepted);
    assert_eq!(other.selected, Some(P::SSL));

    let failure = negotiation(
        RdpStatus::Failure,
        Some(Confirmed::Refused(FailureCode::HYBRID_REQUIRED_BY_SERVER)),
    );
    let ssl = P::SSL;
    let refused = answer_of(ssl, P::SSL, &failure);
    assert!(!refused.accepted);
    assert_eq!(
        refused.neg_failure,
        Some(FailureCode::HYBRID_REQUIRED_BY_SERVER)
    );
    assert_eq!(refused.selected, None);

    // A Confirm without negotiation data is standard RDP security.
    let rdp = P::RDP;
    let bare = negotiation(RdpStatus::Negotiated, Some(Confirmed::WithoutNegotiation));
    assert!(answer_of(rdp, P::RDP, &bare).accepted);
    assert!(!answer_of(ssl, P::SSL, &bare).accepted);

    let silent = negotiation(RdpStatus::Timeout, None);
    let timed_out = answer_of(rdp, P::RDP, &silent);
    assert!(!timed_out.accepted);
    assert_eq!(timed_out.rdp, Some(RdpStatus::Timeout));
}
