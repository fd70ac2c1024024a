//! Shared certificates, certificates for another name, subnets and dead targets.

use super::*;
use crate::trust::CertTrust;
use crate::{CertInfo, Observation, TcpStatus};

fn cert(subject: &str, sha256: &str) -> CertInfo {
    CertInfo {
        subject: subject.into(),
        issuer: subject.into(),
        self_signed: true,
        not_before: None,
        not_after: None,
        days_left: 100,
        key: crate::CertKey::Rsa { bits: 2048 },
        signature: crate::SignatureAlgorithm::Sha256WithRsa,
        sha256: sha256.into(),
    }
}

fn host(rank: usize, ip: &str, tcp: TcpStatus, outcome: Option<ClientOutcome>) -> RankedHost {
    let observation = Observation::new(Some(ip.parse().unwrap()), 3389, None, tcp);
    RankedHost::for_test(rank, observation, outcome)
}

fn with_cert(mut h: RankedHost, name: Option<&str>, subject: &str, sha: &str) -> RankedHost {
    h.observation.hostname = name.map(str::to_string);
    h.observation.cert = Some(cert(subject, sha));
    h.observation.cert_trust = name.map(|name| CertTrust {
        untrusted: None,
        name: Some(name.into()),
        name_match: Some(name.eq_ignore_ascii_case(subject)),
    });
    h
}

#[test]
fn one_certificate_on_several_hosts_is_found_with_its_hosts() {
    use ClientOutcome::*;
    let hosts = [
        with_cert(
            host(1, "10.0.1.1", TcpStatus::Open, Some(Warns)),
            None,
            "GOLD-IMAGE",
            "aa",
        ),
        with_cert(
            host(2, "10.0.1.2", TcpStatus::Open, Some(Warns)),
            None,
            "GOLD-IMAGE",
            "aa",
        ),
        with_cert(
            host(3, "10.0.2.9", TcpStatus::Open, Some(Connects)),
            None,
            "solo",
            "bb",
        ),
        with_cert(
            host(4, "10.0.2.7", TcpStatus::Open, Some(Warns)),
            None,
            "GOLD-IMAGE",
            "aa",
        ),
    ];
    let p = Patterns::of(&hosts, SubnetPrefix::default());
    assert_eq!(p.shared_certs.len(), 1);
    let shared = &p.shared_certs[0];
    assert_eq!(
        (
            shared.sha256.as_str(),
            shared.subject.as_str(),
            shared.hosts
        ),
        ("aa", "GOLD-IMAGE", 3)
    );
    let ranks: Vec<usize> = shared.sample.iter().map(|h| h.rank).collect();
    assert_eq!(ranks, [1, 2, 4]);
    assert_eq!(p.certs_uncompared, 0);
}

#[test]
fn a_certificate_for_another_scanned_hosts_name_names_that_host() {
    use ClientOutcome::*;
    let hosts = [
        // rdp-02 serves rdp-01's certificate; rdp-03's is for a name nobody scanned.
        with_cert(
            host(1, "10.0.0.2", TcpStatus::Open, Some(Warns)),
            Some("rdp-02.corp"),
            "RDP-01.corp",
            "c1",
        ),
        with_cert(
            host(2, "10.0.0.1", TcpStatus::Open, Some(Connects)),
            Some("rdp-01.corp"),
            "rdp-01.corp",
            "c2",
        ),
        with_cert(
            host(3, "10.0.0.3", TcpStatus::Open, Some(Warns)),
            Some("rdp-03.corp"),
            "old.corp",
            "c3",
        ),
    ];
    let p = Patterns::of(&hosts, SubnetPrefix::default());
    assert_eq!(p.mismatches, 2);
    let first = &p.mismatch_sample[0];
    assert_eq!(first.host.name.as_deref(), Some("rdp-02.corp"));
    assert_eq!(first.subject, "RDP-01.corp");
    assert_eq!(
        first.named.as_ref().map(|h| h.rank),
        Some(2),
        "matched without case"
    );
    assert_eq!(p.mismatch_sample[1].named, None);
}

#[test]
fn subnets_roll_up_by_prefix_and_count_the_targets_nothing_listened_on() {
    use ClientOutcome::*;
    let hosts = [
        host(1, "10.0.1.1", TcpStatus::Open, Some(Fails)),
        host(2, "10.0.1.200", TcpStatus::Open, Some(Warns)),
        host(3, "10.0.2.3", TcpStatus::Open, Some(Connects)),
        host(4, "10.0.2.4", TcpStatus::Refused, None),
        host(5, "10.0.2.5", TcpStatus::Timeout, None),
        host(6, "2001:db8::1:5", TcpStatus::Unreachable, None),
    ];
    let p = Patterns::of(&hosts, SubnetPrefix::default());
    let nets: Vec<String> = p.subnets.keys().map(Subnet::to_string).collect();
    assert_eq!(nets, ["10.0.1.0/24", "10.0.2.0/24", "2001:db8::/64"]);
    let net = |text: &str| {
        let (ip, bits) = text.split_once('/').unwrap();
        Subnet {
            net: ip.parse().unwrap(),
            bits: bits.parse().unwrap(),
        }
    };
    assert_eq!(
        p.subnets[&net("10.0.2.0/24")],
        SubnetCounts {
            targets: 3,
            fails: 0,
            warns: 0,
            connects: 1,
            no_listener: 2
        }
    );
    assert_eq!(p.subnets[&net("10.0.1.0/24")].fails, 1);
    assert_eq!(p.no_listener_total(), 3);
    assert_eq!(p.no_listener["refused"], 1);
    assert!(no_listener(&hosts[3]) && !no_listener(&hosts[0]));

    let wide = Patterns::of(&hosts, SubnetPrefix { v4: 16, v6: 48 });
    let nets: Vec<String> = wide.subnets.keys().map(Subnet::to_string).collect();
    assert_eq!(nets, ["10.0.0.0/16", "2001:db8::/48"]);
    assert_eq!(wide.subnets[&net("10.0.0.0/16")].targets, 5);
}

#[test]
fn subnet_edges() {
    let p = SubnetPrefix { v4: 32, v6: 128 };
    assert_eq!(p.subnet("10.1.2.3".parse().unwrap()), "10.1.2.3/32");
    assert_eq!(p.subnet("::1".parse().unwrap()), "::1/128");
    let p = SubnetPrefix { v4: 8, v6: 16 };
    assert_eq!(p.subnet("10.1.2.3".parse().unwrap()), "10.0.0.0/8");
    assert_eq!(p.subnet("2001:db8::1".parse().unwrap()), "2001::/16");
}

#[test]
fn subnets_are_in_address_order_not_text_order() {
    let p = SubnetPrefix::default();
    let mut nets: Vec<Subnet> = ["10.0.10.7", "10.0.2.1", "2001:db8::1", "9.255.0.1"]
        .iter()
        .map(|ip| p.subnet_of(ip.parse().unwrap()))
        .collect();
    nets.sort();
    let text: Vec<String> = nets.iter().map(Subnet::to_string).collect();
    assert_eq!(
        text,
        [
            "9.255.0.0/24",
            "10.0.2.0/24",
            "10.0.10.0/24",
            "2001:db8::/64"
        ]
    );
}

#[test]
fn dead_subnets_keep_only_those_the_page_can_show_yet_count_them_all() {
    use ClientOutcome::*;
    // 120 /24s with dead targets, subnet k with k % 7 + 1 of them; 10.0.5.0/24 has a listener
    // too, and 10.9.0.0/24 only a listener. Handed over as the ranking does: the listeners
    // first, then the dead targets in address order.
    let mut hosts = vec![
        host(1, "10.9.0.1", TcpStatus::Open, Some(Fails)),
        host(2, "10.0.5.1", TcpStatus::Open, Some(Connects)),
    ];
    // The dead-only subnets by the page's order: most targets, then lowest address.
    let mut expected: Vec<(usize, u32)> = Vec::new();
    for k in 0..120u32 {
        let dead = (k % 7 + 1) as usize;
        for d in 0..dead {
            let ip = format!("10.0.{k}.{}", d + 2);
            hosts.push(host(hosts.len() + 1, &ip, TcpStatus::Refused, None));
        }
        if k != 5 {
            expected.push((dead, k));
        }
    }
    expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let p = Patterns::of(&hosts, SubnetPrefix::default());
    assert_eq!(
        p.subnets_total, 121,
        "119 dead-only subnets and two with a listener"
    );
    assert_eq!(p.subnets.len(), 2 + SUBNETS_SHOWN);
    let third_octet = |net: &Subnet| match net.net {
        IpAddr::V4(v4) => u32::from(v4.octets()[2]),
        IpAddr::V6(_) => unreachable!("IPv4 only"),
    };
    let mixed = p
        .subnets
        .iter()
        .find(|(net, _)| third_octet(net) == 5)
        .unwrap()
        .1;
    assert_eq!(
        (mixed.targets, mixed.connects, mixed.no_listener),
        (7, 1, 6)
    );
    let mut kept: Vec<(usize, u32)> = p
        .subnets
        .iter()
        .filter(|(_, c)| c.no_listener == c.targets)
        .map(|(net, c)| (c.targets, third_octet(net)))
        .collect();
    kept.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    assert_eq!(kept, expected[..SUBNETS_SHOWN]);
    assert_eq!(p.no_listener_total(), hosts.len() - 2);
}
