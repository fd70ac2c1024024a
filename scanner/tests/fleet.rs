//! The fleet against real sockets on loopback. Each test uses its own port (outside the
//! ephemeral range 32768–60999) and its own 127.88.N.0/27, so tests never collide.

use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{AlertDescription, ProtocolVersion};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use x509_parser::oid_registry::{
    OID_KEY_TYPE_EC_PUBLIC_KEY, OID_PKCS1_SHA1WITHRSA, OID_PKCS1_SHA256WITHRSA,
};
use x509_parser::prelude::{FromDer, X509Certificate};

use ipnetwork::IpNetwork;
use rdpsweep::tls::scanning_client_config;
use rdpsweep_codec::{
    decode_server_answer, CodecError, ConnectionRequest, FrameSize, NegotiationResponse, PduHint,
    ServerAnswer, TpktHint,
};
use rdpsweep_fleet::*;

/// The longest any single step of a test may take before it counts as a failure.
const STEP: Duration = Duration::from_secs(5);
/// How long a test waits to be sure a host sends nothing.
const QUIET: Duration = Duration::from_millis(250);

fn net(s: &str) -> IpNetwork {
    s.parse().expect("test range parses")
}

async fn start(range: &str, port: u16, profile: Profile) -> Fleet {
    Fleet::start(FleetConfig {
        range: net(range),
        port,
        profile,
    })
    .await
    .expect("fleet starts")
}

/// The behaviours of a profile's table, in address order.
fn order(profile: Profile) -> Vec<Behaviour> {
    profile.specs().iter().map(|spec| spec.behaviour).collect()
}

fn addr_of(fleet: &Fleet, behaviour: Behaviour) -> IpAddr {
    fleet.addr_of(behaviour).expect("behaviour in range")
}

/// Connects and sends a Windows client's Connection Request.
async fn send_request(addr: IpAddr, port: u16) -> TcpStream {
    let mut stream = tokio::time::timeout(STEP, TcpStream::connect((addr, port)))
        .await
        .expect("connect in time")
        .expect("connect");
    stream
        .write_all(&ConnectionRequest::windows_client("fleet-test").encode())
        .await
        .expect("send request");
    stream
}

/// Everything the host sends until it closes.
async fn read_all(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut answer = Vec::new();
    tokio::time::timeout(STEP, stream.read_to_end(&mut answer))
        .await
        .expect("host closes in time")?;
    Ok(answer)
}

/// True when the host sends nothing (and does not close) for a while.
async fn stays_quiet(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    tokio::time::timeout(QUIET, stream.read(&mut byte))
        .await
        .is_err()
}

/// Reads one 19-byte Connection Confirm and returns its negotiation data.
async fn read_confirm(stream: &mut TcpStream) -> Option<NegotiationResponse> {
    let mut frame = [0u8; 19];
    tokio::time::timeout(STEP, stream.read_exact(&mut frame))
        .await
        .expect("confirm in time")
        .expect("confirm");
    match decode_server_answer(&frame) {
        Ok(ServerAnswer::Confirm(confirm)) => confirm.negotiation,
        other => panic!("expected a confirm, got {other:?}"),
    }
}

/// What a completed handshake showed.
struct Shown {
    version: ProtocolVersion,
    chain: Vec<CertificateDer<'static>>,
}

/// A rustls client handshake (TLS 1.2 and 1.3 offered) on a stream past its Confirm.
async fn handshake(stream: TcpStream) -> std::io::Result<Shown> {
    // The scanner's own client: accepts every certificate and signature.
    let config = scanning_client_config();
    let name = ServerName::try_from("fleet.test").expect("server name");
    let tls = tokio::time::timeout(STEP, TlsConnector::from(config).connect(name, stream))
        .await
        .map_err(|_| std::io::Error::new(ErrorKind::TimedOut, "handshake timed out"))??;
    let (_, conn) = tls.get_ref();
    Ok(Shown {
        version: conn.protocol_version().expect("negotiated version"),
        chain: conn
            .peer_certificates()
            .map(|c| c.to_vec())
            .unwrap_or_default(),
    })
}

/// Request, Confirm, handshake: what a host with TLS shows.
async fn tls_host(fleet: &Fleet, port: u16, behaviour: Behaviour) -> Shown {
    let mut stream = send_request(addr_of(fleet, behaviour), port).await;
    read_confirm(&mut stream).await;
    handshake(stream)
        .await
        .unwrap_or_else(|e| panic!("{behaviour} handshake: {e}"))
}

fn common_name(cert: &X509Certificate<'_>) -> String {
    let cn = cert
        .subject()
        .iter_common_name()
        .next()
        .expect("subject has a cn");
    cn.as_str().expect("cn is a string").to_string()
}

fn days_from_now(timestamp: i64) -> i64 {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    (timestamp - now).div_euclid(86_400)
}

fn rustls_error(e: &std::io::Error) -> Option<&rustls::Error> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
}

#[test]
fn mixed_order_follows_the_table() {
    let mixed = order(Profile::Mixed);
    let names: Vec<&str> = mixed.iter().map(|b| b.name()).collect();
    assert_eq!(
        names,
        [
            "healthy",
            "healthy-ssl",
            "cert-expired",
            "cert-expiring",
            "cert-not-yet-valid",
            "weak-cert",
            "neg-failure-1",
            "neg-failure-2",
            "neg-failure-3",
            "neg-failure-4",
            "neg-failure-5",
            "neg-failure-6",
            "neg-failure-unknown",
            "silent",
            "accept-close",
            "reset",
            "tls-close",
            "tls-stall",
            "tls-alert",
            "tls10-only",
            "pre-vista",
            "http",
            "slow",
            "trickle",
            "bad-length",
            "oversized-length",
            "xrdp-disconnect",
            "formula-subject",
            "no-listener",
        ]
    );
    let mut all: Vec<Behaviour> = mixed.clone();
    all.extend(order(Profile::Healthy));
    assert_eq!(order(Profile::Healthy), [Behaviour::HealthyEcdsa]);
    for b in &all {
        assert!(!b.describe().is_empty(), "{b} has a description");
        assert_eq!(
            all.iter().filter(|o| o.name() == b.name()).count(),
            1,
            "{b} is unique"
        );
    }
}

#[test]
fn profiles_parse_and_print() {
    assert_eq!("mixed".parse::<Profile>().expect("mixed"), Profile::Mixed);
    assert_eq!(
        "healthy".parse::<Profile>().expect("healthy"),
        Profile::Healthy
    );
    assert_eq!(Profile::Healthy.to_string(), "healthy");
    let err = "wild".parse::<Profile>().expect_err("unknown profile");
    assert!(err.to_string().contains("wild"), "{err}");
}

#[test]
fn behaviour_at_maps_offsets_from_the_network_address() {
    // A range written with a host part still counts offsets from its network address.
    let range = net("127.88.1.5/26");
    let at = |last: u8| {
        behaviour_at(
            &range,
            IpAddr::V4(Ipv4Addr::new(127, 88, 1, last)),
            Profile::Mixed,
        )
    };
    assert_eq!(at(0), Some(Behaviour::Healthy));
    assert_eq!(at(8), Some(Behaviour::NegFailure3));
    assert_eq!(at(28), Some(Behaviour::NoListener));
    assert_eq!(at(29), Some(Behaviour::Healthy));
    let mixed = order(Profile::Mixed);
    assert_eq!(at(63), Some(mixed[63 % mixed.len()]));
    assert_eq!(at(64), None);
    assert_eq!(
        behaviour_at(&range, IpAddr::V6(Ipv6Addr::LOCALHOST), Profile::Mixed),
        None
    );
    assert_eq!(
        behaviour_at(
            &range,
            IpAddr::V4(Ipv4Addr::new(127, 88, 1, 9)),
            Profile::Healthy
        ),
        Some(Behaviour::HealthyEcdsa)
    );
    let v6 = net("::1/128");
    assert_eq!(
        behaviour_at(&v6, IpAddr::V6(Ipv6Addr::LOCALHOST), Profile::Mixed),
        Some(Behaviour::Healthy)
    );
}

#[tokio::test]
async fn refuses_ranges_outside_loopback_and_oversized_mixed_ranges() {
    for range in [
        "10.0.0.0/24",
        "0.0.0.0/0",
        "126.0.0.0/7",
        "128.0.0.1/32",
        "::/0",
        "::2/128",
        "fe80::1/128",
    ] {
        for profile in [Profile::Mixed, Profile::Healthy] {
            let config = FleetConfig {
                range: net(range),
                port: 23398,
                profile,
            };
            let err = Fleet::start(config)
                .await
                .err()
                .unwrap_or_else(|| panic!("{range} refused"));
            assert!(
                err.to_string().contains(range),
                "error names {range}: {err}"
            );
            assert!(err.to_string().contains("loopback"), "{err}");
        }
    }
    let config = FleetConfig {
        range: net("127.88.0.0/19"),
        port: 23398,
        profile: Profile::Mixed,
    };
    let err = Fleet::start(config)
        .await
        .err()
        .expect("a mixed /19 is refused");
    assert!(
        err.to_string().contains("127.88.0.0/19") && err.to_string().contains("8192"),
        "{err}"
    );
    let config = FleetConfig {
        range: net("127.88.0.0/27"),
        port: 0,
        profile: Profile::Mixed,
    };
    assert!(Fleet::start(config).await.is_err(), "port 0 is refused");
}

#[tokio::test]
async fn hosts_map_offsets_refuse_no_listener_and_stop_on_shutdown() {
    let port = 23389;
    let fleet = start("127.88.1.0/27", port, Profile::Mixed).await;
    let hosts = fleet.hosts();
    assert_eq!(hosts.len(), 32);
    let mixed = order(Profile::Mixed);
    for (i, (addr, behaviour)) in hosts.iter().enumerate() {
        assert_eq!(*addr, IpAddr::V4(Ipv4Addr::new(127, 88, 1, i as u8)));
        assert_eq!(*behaviour, mixed[i % mixed.len()], "offset {i}");
    }
    assert_eq!(hosts[28].1, Behaviour::NoListener);

    let refused = TcpStream::connect((hosts[28].0, port))
        .await
        .expect_err("no-listener refuses");
    assert_eq!(refused.kind(), ErrorKind::ConnectionRefused);
    let healthy = hosts[0].0;
    TcpStream::connect((healthy, port))
        .await
        .expect("healthy listens");

    fleet.shutdown();
    let deadline = Instant::now() + STEP;
    loop {
        match TcpStream::connect((healthy, port)).await {
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => break,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(20)).await,
            other => panic!("still listening after shutdown: {other:?}"),
        }
    }
}

#[tokio::test]
async fn x224_hosts_answer_as_the_table_says() {
    let port = 23390;
    let fleet = start("127.88.2.0/27", port, Profile::Mixed).await;

    let mut s = send_request(addr_of(&fleet, Behaviour::NegFailure3), port).await;
    let failure = [
        0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00, 0x03, 0x00, 0x08, 0x00,
        0x03, 0x00, 0x00, 0x00,
    ];
    assert_eq!(read_all(&mut s).await.expect("clean close"), failure);

    for (behaviour, code) in [
        (Behaviour::NegFailure1, 1),
        (Behaviour::NegFailure2, 2),
        (Behaviour::NegFailure4, 4),
        (Behaviour::NegFailure5, 5),
        (Behaviour::NegFailure6, 6),
        (Behaviour::NegFailureUnknown, 99),
    ] {
        let mut s = send_request(addr_of(&fleet, behaviour), port).await;
        let expected = NegotiationResponse::Failure {
            code: rdpsweep_codec::FailureCode(code),
        };
        assert_eq!(read_confirm(&mut s).await, Some(expected), "{behaviour}");
        assert_eq!(
            read_all(&mut s).await.expect("clean close"),
            b"",
            "{behaviour} closes"
        );
    }

    let mut s = send_request(addr_of(&fleet, Behaviour::Healthy), port).await;
    let expected = NegotiationResponse::Response {
        flags: rdpsweep_codec::ResponseFlags::from_bits_retain(0x1f),
        protocol: rdpsweep_codec::SecurityProtocol::HYBRID_EX,
    };
    assert_eq!(read_confirm(&mut s).await, Some(expected));

    let mut s = send_request(addr_of(&fleet, Behaviour::PreVista), port).await;
    let mut confirm = [0u8; 11];
    s.read_exact(&mut confirm).await.expect("11-byte confirm");
    assert_eq!(
        confirm,
        [0x03, 0x00, 0x00, 0x0b, 0x06, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00]
    );
    assert!(
        stays_quiet(&mut s).await,
        "pre-vista sends exactly 11 bytes and holds"
    );

    let mut s = send_request(addr_of(&fleet, Behaviour::Http), port).await;
    let answer = read_all(&mut s).await.expect("clean close");
    assert!(
        answer.starts_with(b"HTTP/1.1 400 "),
        "{}",
        String::from_utf8_lossy(&answer)
    );

    let mut s = send_request(addr_of(&fleet, Behaviour::XrdpDisconnect), port).await;
    assert_eq!(
        read_all(&mut s).await.expect("clean close"),
        [0x03, 0x00, 0x00, 0x09, 0x02, 0xf0, 0x80, 0x21, 0x80]
    );
    assert_eq!(
        decode_server_answer(&[0x03, 0x00, 0x00, 0x09, 0x02, 0xf0, 0x80, 0x21, 0x80]),
        Ok(ServerAnswer::Data)
    );

    let mut s = send_request(addr_of(&fleet, Behaviour::AcceptClose), port).await;
    assert_eq!(read_all(&mut s).await.expect("fin, not reset"), b"");

    let mut s = send_request(addr_of(&fleet, Behaviour::Reset), port).await;
    let err = read_all(&mut s).await.expect_err("reset");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);

    let mut s = send_request(addr_of(&fleet, Behaviour::Silent), port).await;
    assert!(stays_quiet(&mut s).await, "silent never answers");

    let mut s = send_request(addr_of(&fleet, Behaviour::BadLength), port).await;
    let mut head = [0u8; 12];
    s.read_exact(&mut head).await.expect("bad-length bytes");
    assert_eq!(
        TpktHint::ANY.frame_size(&head),
        Err(CodecError::BadTpktLength(2))
    );
    assert!(stays_quiet(&mut s).await, "bad-length holds");

    let mut s = send_request(addr_of(&fleet, Behaviour::OversizedLength), port).await;
    let mut head = [0u8; 19];
    s.read_exact(&mut head)
        .await
        .expect("oversized-length bytes");
    assert_eq!(
        TpktHint::ANY.frame_size(&head),
        Ok(FrameSize::Whole(0xffff))
    );
    assert!(
        stays_quiet(&mut s).await,
        "oversized-length sends no more and holds"
    );
}

#[tokio::test]
async fn hosts_survive_garbage_and_early_close() {
    let port = 23397;
    let fleet = start("127.88.8.0/27", port, Profile::Mixed).await;
    let healthy = addr_of(&fleet, Behaviour::Healthy);

    let mut s = TcpStream::connect((healthy, port)).await.expect("connect");
    s.write_all(b"GET / HTTP/1.0\r\n\r\n")
        .await
        .expect("send garbage");
    assert_eq!(
        read_all(&mut s).await.expect("closed without reset"),
        b"",
        "garbage gets no answer"
    );

    let mut s = TcpStream::connect((healthy, port)).await.expect("connect");
    s.write_all(&[0x03, 0x00, 0x00, 0x2a, 0x25])
        .await
        .expect("send a cut request");
    drop(s);

    // An impossible length in a valid TPKT header.
    let mut s = TcpStream::connect((healthy, port)).await.expect("connect");
    s.write_all(&[0x03, 0x00, 0x00, 0x05, 0x00])
        .await
        .expect("send a bad length");
    assert_eq!(read_all(&mut s).await.expect("closed without reset"), b"");

    let mut s = send_request(healthy, port).await;
    assert!(
        read_confirm(&mut s).await.is_some(),
        "the host still answers"
    );
}

#[tokio::test]
async fn tls_hosts_show_their_certificates() {
    let port = 23391;
    let fleet = start("127.88.3.0/27", port, Profile::Mixed).await;

    let shown = tls_host(&fleet, port, Behaviour::Healthy).await;
    let (_, cert) = X509Certificate::from_der(&shown.chain[0]).expect("healthy cert parses");
    assert!(
        cert.subject().to_string().contains("healthy.fleet.test"),
        "{}",
        cert.subject()
    );
    assert_eq!(cert.subject(), cert.issuer(), "healthy is self-signed");
    assert_eq!(cert.public_key().parsed().expect("key").key_size(), 2048);
    assert_eq!(cert.signature_algorithm.algorithm, OID_PKCS1_SHA256WITHRSA);
    assert!((334..=335).contains(&days_from_now(cert.validity().not_after.timestamp())));

    let shown = tls_host(&fleet, port, Behaviour::HealthySsl).await;
    assert_eq!(shown.version, ProtocolVersion::TLSv1_3);
    assert_eq!(shown.chain.len(), 2, "leaf and ca");
    let (_, leaf) = X509Certificate::from_der(&shown.chain[0]).expect("leaf parses");
    let (_, ca) = X509Certificate::from_der(&shown.chain[1]).expect("ca parses");
    assert_eq!(common_name(&leaf), "healthy-ssl.fleet.test");
    assert_eq!(common_name(&ca), CA_COMMON_NAME);
    assert_eq!(leaf.issuer(), ca.subject(), "the ca issued the leaf");
    assert_eq!(
        leaf.public_key().algorithm.algorithm,
        OID_KEY_TYPE_EC_PUBLIC_KEY
    );

    let shown = tls_host(&fleet, port, Behaviour::WeakCert).await;
    assert_eq!(
        shown.version,
        ProtocolVersion::TLSv1_2,
        "weak-cert speaks TLS 1.2 only"
    );
    let (_, cert) = X509Certificate::from_der(&shown.chain[0]).expect("weak cert parses");
    assert_eq!(cert.public_key().parsed().expect("key").key_size(), 2048);
    assert_eq!(cert.signature_algorithm.algorithm, OID_PKCS1_SHA1WITHRSA);

    let shown = tls_host(&fleet, port, Behaviour::CertExpired).await;
    let (_, cert) = X509Certificate::from_der(&shown.chain[0]).expect("cert parses");
    assert!((-31..=-30).contains(&days_from_now(cert.validity().not_after.timestamp())));

    let shown = tls_host(&fleet, port, Behaviour::CertExpiring).await;
    let (_, cert) = X509Certificate::from_der(&shown.chain[0]).expect("cert parses");
    assert!((9..=10).contains(&days_from_now(cert.validity().not_after.timestamp())));

    let shown = tls_host(&fleet, port, Behaviour::CertNotYetValid).await;
    let (_, cert) = X509Certificate::from_der(&shown.chain[0]).expect("cert parses");
    assert!((29..=30).contains(&days_from_now(cert.validity().not_before.timestamp())));

    let shown = tls_host(&fleet, port, Behaviour::FormulaSubject).await;
    let (_, cert) = X509Certificate::from_der(&shown.chain[0]).expect("cert parses");
    assert_eq!(common_name(&cert), FORMULA_COMMON_NAME);
}

#[tokio::test]
async fn tls_failure_hosts_fail_the_handshake() {
    let port = 23392;
    let fleet = start("127.88.4.0/27", port, Profile::Mixed).await;

    let mut s = send_request(addr_of(&fleet, Behaviour::TlsAlert), port).await;
    read_confirm(&mut s).await;
    let err = handshake(s)
        .await
        .err()
        .expect("tls-alert fails the handshake");
    assert_eq!(
        rustls_error(&err),
        Some(&rustls::Error::AlertReceived(
            AlertDescription::InternalError
        )),
        "{err}"
    );

    let mut s = send_request(addr_of(&fleet, Behaviour::TlsClose), port).await;
    read_confirm(&mut s).await;
    let err = handshake(s)
        .await
        .err()
        .expect("tls-close fails the handshake");
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof, "{err}");

    let mut s = send_request(addr_of(&fleet, Behaviour::TlsStall), port).await;
    read_confirm(&mut s).await;
    let mut hello = Vec::new();
    let mut client = rustls::ClientConnection::new(
        scanning_client_config(),
        ServerName::try_from("fleet.test").expect("name"),
    )
    .expect("client");
    client.write_tls(&mut hello).expect("client hello");
    s.write_all(&hello).await.expect("send client hello");
    assert!(
        stays_quiet(&mut s).await,
        "tls-stall never answers the ClientHello"
    );
}

#[tokio::test]
async fn slow_and_trickle_take_their_time() {
    let port = 23393;
    let fleet = start("127.88.5.0/27", port, Profile::Mixed).await;

    let mut trickle = send_request(addr_of(&fleet, Behaviour::Trickle), port).await;
    let started = Instant::now();
    let mut s = send_request(addr_of(&fleet, Behaviour::Slow), port).await;
    let mut first = [0u8; 1];
    trickle
        .read_exact(&mut first)
        .await
        .expect("first trickled byte");
    assert_eq!(first, [0x03]);
    assert!(
        stays_quiet(&mut trickle).await,
        "the second byte waits {TRICKLE_INTERVAL:?}"
    );

    read_confirm(&mut s).await;
    assert!(
        started.elapsed() >= SLOW_DELAY,
        "slow answered after {:?}",
        started.elapsed()
    );
    let shown = handshake(s).await.expect("slow completes tls");
    let (_, cert) = X509Certificate::from_der(&shown.chain[0]).expect("cert parses");
    assert_eq!(common_name(&cert), "slow.fleet.test");
}

#[tokio::test]
async fn a_busy_port_is_an_error_naming_it() {
    let port = 23394;
    let _busy = tokio::net::TcpListener::bind(("127.88.6.1", port))
        .await
        .expect("occupy the port");
    let config = FleetConfig {
        range: net("127.88.6.0/30"),
        port,
        profile: Profile::Mixed,
    };
    let err = Fleet::start(config).await.err().expect("bind fails");
    assert!(err.to_string().contains("127.88.6.1:23394"), "{err}");
    // Nothing of the failed fleet stays bound.
    TcpStream::connect(("127.88.6.0", port))
        .await
        .expect_err("offset 0 was released");
}

#[tokio::test]
async fn healthy_profile_serves_the_range_and_drops_the_rest() {
    let port = 23395;
    let fleet = start("127.89.0.0/16", port, Profile::Healthy).await;
    let hosts = fleet.hosts();
    assert_eq!(hosts.len(), 65536);
    assert!(hosts.iter().all(|(_, b)| *b == Behaviour::HealthyEcdsa));

    let mut s = send_request(IpAddr::V4(Ipv4Addr::new(127, 89, 3, 77)), port).await;
    read_confirm(&mut s).await;
    let shown = handshake(s).await.expect("healthy-ecdsa completes tls");
    assert_eq!(shown.version, ProtocolVersion::TLSv1_3);
    let (_, cert) = X509Certificate::from_der(&shown.chain[0]).expect("cert parses");
    assert_eq!(common_name(&cert), "healthy-ecdsa.fleet.test");
    assert_eq!(
        cert.public_key().algorithm.algorithm,
        OID_KEY_TYPE_EC_PUBLIC_KEY
    );

    // The wildcard listener accepts 127.91.0.1 too, but the fleet closes it unanswered.
    let mut s = send_request(IpAddr::V4(Ipv4Addr::new(127, 91, 0, 1)), port).await;
    let mut answer = Vec::new();
    match tokio::time::timeout(STEP, s.read_to_end(&mut answer)).await {
        Ok(_) => assert!(answer.is_empty(), "outside the range gets no answer"),
        Err(_) => panic!("a connection outside the range stays open"),
    }
}

#[tokio::test]
async fn ipv6_loopback_serves_one_healthy_host() {
    let port = 23399;
    let fleet = start("::1/128", port, Profile::Mixed).await;
    assert_eq!(
        fleet.hosts(),
        [(IpAddr::V6(Ipv6Addr::LOCALHOST), Behaviour::Healthy)]
    );
    let mut s = send_request(IpAddr::V6(Ipv6Addr::LOCALHOST), port).await;
    read_confirm(&mut s).await;
    let shown = handshake(s).await.expect("healthy on ::1 completes tls");
    let (_, cert) = X509Certificate::from_der(&shown.chain[0]).expect("cert parses");
    assert_eq!(common_name(&cert), "healthy.fleet.test");
}

#[tokio::test]
async fn tls10_only_answers_with_a_tls10_server_flight() {
    use rdpsweep_codec::legacy_tls::{self as legacy, Progress, ServerFlightReader};
    let port = 23396;
    let fleet = start("127.88.7.0/27", port, Profile::Mixed).await;
    let mut s = send_request(addr_of(&fleet, Behaviour::Tls10Only), port).await;
    read_confirm(&mut s).await;
    s.write_all(&legacy::client_hello(legacy::TLS1_2, None, [0x5a; 32]))
        .await
        .expect("send legacy hello");
    let mut reader = ServerFlightReader::new();
    let mut chunk = [0u8; 4096];
    let hello = loop {
        let n = tokio::time::timeout(STEP, s.read(&mut chunk))
            .await
            .expect("flight in time")
            .expect("read");
        assert!(n > 0, "tls10-only closed before its flight");
        match reader.push(&chunk[..n]) {
            Progress::NeedMore => continue,
            Progress::Hello(hello) => break hello,
            other => panic!("expected a server hello, got {other:?}"),
        }
    };
    assert_eq!(hello.version, legacy::TLS1_0);
    assert_eq!(hello.cipher, 0x002f);
    assert_eq!(hello.chain.len(), 1);
    let (_, cert) = X509Certificate::from_der(&hello.chain[0]).expect("cert parses");
    assert_eq!(common_name(&cert), "tls10-only.fleet.test");
    assert_eq!(cert.public_key().parsed().expect("key").key_size(), 2048);
}

#[tokio::test]
async fn deep_profile_plays_its_order_and_counts_connections_per_address() {
    assert_eq!("deep".parse::<Profile>().expect("deep"), Profile::Deep);
    assert_eq!(Profile::Deep.to_string(), "deep");
    let deep = order(Profile::Deep);
    let names: Vec<&str> = deep.iter().map(|b| b.name()).collect();
    assert_eq!(
        names,
        [
            "policy-rdp-only",
            "policy-tls-only",
            "policy-negotiate",
            "policy-nla-required",
            "policy-hybrid-ex",
            "tls-1.0",
            "tls-1.0-1.1",
            "tls-1.0-1.2",
            "tls-1.0-1.3",
            "tls-1.1-1.2",
            "tls-1.2",
            "tls-1.2-1.3",
            "tls-1.3",
            "std-security-none",
            "std-security-low",
            "std-security-client-compatible",
            "std-security-high",
            "std-security-fips",
            "ntlm-identity",
        ]
    );
    for b in &deep {
        assert!(!b.describe().is_empty(), "{b} has a description");
        assert!(
            !order(Profile::Mixed).contains(b),
            "{b} is not a mixed host"
        );
    }

    let port = 23474;
    let fleet = start("127.96.4.0/27", port, Profile::Deep).await;
    let rdp_only = addr_of(&fleet, Behaviour::PolicyRdpOnly);
    let nla = addr_of(&fleet, Behaviour::PolicyNlaRequired);
    assert!(fleet.connection_counts().is_empty());
    for addr in [rdp_only, rdp_only, nla] {
        // A Windows client's request (SSL|HYBRID|HYBRID_EX): the RDP-only host refuses it with
        // failure 2; the NLA host selects HYBRID.
        let mut stream = send_request(addr, port).await;
        let answer = read_confirm(&mut stream).await;
        let expected = if addr == rdp_only {
            NegotiationResponse::Failure {
                code: rdpsweep_codec::FailureCode::SSL_NOT_ALLOWED_BY_SERVER,
            }
        } else {
            NegotiationResponse::Response {
                flags: rdpsweep_codec::ResponseFlags::from_bits_retain(0x01),
                protocol: rdpsweep_codec::SecurityProtocol::HYBRID,
            }
        };
        assert_eq!(answer, Some(expected), "{addr}");
    }
    let counts = fleet.connection_counts();
    assert_eq!(counts.get(&rdp_only), Some(&2));
    assert_eq!(counts.get(&nla), Some(&1));
    assert_eq!(counts.len(), 2);
}
