//! The probe's stages over in-memory connections ([`MemoryDial`]) under tokio's paused clock:
//! no socket, and every deadline passes in no time, so each test can assert the exact stage
//! time and words a scan would record.

use std::time::Duration;

use rdpsweep_codec::hint::TpktHint;
use rdpsweep_codec::legacy_tls as legacy;
use rdpsweep_codec::{
    ConnectionConfirm, FailureCode, NegotiationResponse, ResponseFlags, SecurityProtocol,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

use super::*;
use crate::wire::memory::{Answer, MemoryDial};
use crate::wire::{Framed, Replay};

const TARGET: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 1));

/// A probe of 2 s connect and 5 s stage deadlines over `dial`.
fn config(dial: &Arc<MemoryDial>, retries: u32) -> ProbeConfig {
    ProbeConfig {
        dial: dial.clone(),
        ..ProbeConfig::new(
            Duration::from_secs(2),
            Duration::from_secs(5),
            retries,
            "test",
            crate::tls::scanning_client_config(),
        )
    }
}

async fn run(config: &ProbeConfig) -> Observation {
    probe(TARGET, 3389, None, config).await
}

/// Reads the client's Connection Request (one whole TPKT frame); `None` if it never comes.
async fn read_request(stream: DuplexStream) -> Option<Replay<DuplexStream>> {
    let mut framed = Framed::new(stream);
    framed.read_pdu(&TpktHint::ANY).await.ok()?;
    Some(framed.into_inner())
}

/// A Connection Confirm selecting `protocol`.
fn confirm(protocol: SecurityProtocol) -> Vec<u8> {
    ConnectionConfirm {
        src_ref: 0x1234,
        negotiation: Some(NegotiationResponse::Response {
            flags: ResponseFlags::empty(),
            protocol,
        }),
    }
    .encode()
}

/// Reads until the client goes away.
async fn hold(mut stream: impl tokio::io::AsyncRead + Unpin) {
    let mut sink = [0u8; 512];
    while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
}

/// A server that answers the Connection Request with `answer`, then holds.
fn answers(answer: Vec<u8>) -> Answer {
    Answer::serve(move |stream| async move {
        if let Some(mut stream) = read_request(stream).await {
            let _ = stream.write_all(&answer).await;
            hold(stream).await;
        }
    })
}

/// A self-signed certificate for `name` and its key.
fn certificate(name: &str) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec![name.into()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    (CertificateDer::from(cert.der().to_vec()), key)
}

/// A rustls server speaking only TLS 1.2 with a fresh ECDSA certificate.
fn tls12_acceptor() -> tokio_rustls::TlsAcceptor {
    let (cert, key) = certificate("flaky.test");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("tls 1.2")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("server config");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

#[tokio::test(start_paused = true)]
async fn a_filtered_port_times_out_at_the_connect_deadline() {
    let dial = MemoryDial::new(|_| Answer::Hang);
    let obs = run(&config(&dial, 0)).await;
    assert_eq!(obs.tcp, TcpStatus::Timeout);
    assert_eq!(obs.tcp_ms, Some(2000.0));
    assert_eq!(obs.error.as_deref(), Some("no tcp answer within 2s"));
    assert_eq!(obs.rdp, None);
}

#[tokio::test(start_paused = true)]
async fn a_refused_port_is_refused_and_not_retried() {
    let dial = MemoryDial::new(|_| Answer::Refuse);
    let obs = run(&config(&dial, 3)).await;
    assert_eq!(obs.tcp, TcpStatus::Refused);
    assert_eq!(obs.error.as_deref(), Some("connection refused"));
    assert_eq!((obs.attempts, dial.dials()), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn a_silent_listener_times_out_at_the_stage_deadline() {
    let dial = MemoryDial::new(|_| {
        Answer::serve(|stream| async move {
            hold(stream).await;
        })
    });
    let obs = run(&config(&dial, 0)).await;
    assert_eq!(
        (obs.tcp, obs.rdp),
        (TcpStatus::Open, Some(RdpStatus::Timeout))
    );
    assert_eq!(obs.rdp_ms, Some(5000.0));
    assert_eq!(
        obs.error.as_deref(),
        Some("no connection confirm within 5s (0 bytes received)")
    );
}

#[tokio::test(start_paused = true)]
async fn a_trickled_confirm_times_out_with_the_bytes_counted() {
    // A byte every 1.5 s: the stage deadline is for the whole stage, not per read.
    let dial = MemoryDial::new(|_| {
        Answer::serve(|stream| async move {
            let Some(mut stream) = read_request(stream).await else {
                return;
            };
            for byte in confirm(SecurityProtocol::HYBRID) {
                if stream.write_all(&[byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(1500)).await;
            }
            hold(stream).await;
        })
    });
    let obs = run(&config(&dial, 0)).await;
    assert_eq!(obs.rdp, Some(RdpStatus::Timeout));
    assert_eq!(obs.rdp_ms, Some(5000.0));
    assert_eq!(
        obs.error.as_deref(),
        Some("no connection confirm within 5s (4 bytes received)")
    );
}

#[tokio::test(start_paused = true)]
async fn answers_that_are_not_a_confirm_are_classified() {
    let cases: [(&[u8], RdpStatus, &str); 4] = [
        (
            b"HTTP/1.1 400 Bad Request\r\n\r\n",
            RdpStatus::NotRdp,
            "not rdp: answer starts 48 54 54 50 2f 31 2e 31 (\"HTTP/1.1\")",
        ),
        (&[0x03, 0x00, 0x00, 0x02, 0, 0, 0, 0], RdpStatus::ProtocolError, "impossible tpkt length 2"),
        (
            &[0x03, 0x00, 0xff, 0xff, 0x0e, 0xd0],
            RdpStatus::ProtocolError,
            "tpkt length 65535 is too long for a connection confirm",
        ),
        (
            &[0x03, 0x00, 0x00, 0x09, 0x02, 0xf0, 0x80, 0x21, 0x80],
            RdpStatus::Closed,
            "server answered with an x.224 data tpdu (an mcs disconnect) instead of a connection confirm",
        ),
    ];
    for (answer, status, words) in cases {
        let bytes = answer.to_vec();
        let dial = MemoryDial::new(move |_| answers(bytes.clone()));
        let obs = run(&config(&dial, 0)).await;
        assert_eq!(obs.rdp, Some(status), "{answer:02x?}");
        assert_eq!(obs.error.as_deref(), Some(words), "{answer:02x?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_close_before_the_confirm_says_how_much_came() {
    let dial = MemoryDial::new(|_| {
        Answer::serve(|stream| async move {
            if let Some(mut stream) = read_request(stream).await {
                let _ = stream.write_all(&confirm(SecurityProtocol::SSL)[..7]).await;
            }
        })
    });
    let obs = run(&config(&dial, 0)).await;
    assert_eq!(obs.rdp, Some(RdpStatus::Closed));
    assert_eq!(
        obs.error.as_deref(),
        Some("closed before the connection confirm (7 bytes received)")
    );
}

#[tokio::test(start_paused = true)]
async fn a_refusal_records_the_code_and_a_retry_follows_a_timeout() {
    // The first connection is silent; the second refuses with HYBRID_REQUIRED_BY_SERVER.
    let refusal = ConnectionConfirm {
        src_ref: 0x1234,
        negotiation: Some(NegotiationResponse::Failure {
            code: FailureCode::HYBRID_REQUIRED_BY_SERVER,
        }),
    }
    .encode();
    let dial = MemoryDial::new(move |n| match n {
        0 => Answer::serve(|stream| async move { hold(stream).await }),
        _ => answers(refusal.clone()),
    });
    let obs = run(&config(&dial, 1)).await;
    assert_eq!(obs.attempt_outcomes, ["rdp=timeout", "rdp=failure"]);
    assert_eq!(obs.attempts, 2);
    assert_eq!(obs.neg_failure.map(|f| f.0), Some(5));
    assert_eq!(obs.selected_protocol, None);
    assert_eq!(obs.tls, None);
}

#[tokio::test(start_paused = true)]
async fn a_confirm_sent_a_byte_at_a_time_leaves_the_tls_handshake_intact() {
    // The trickled Confirm is put back together whole (nothing comes behind it); the
    // ClientHello that follows reaches the TLS server whole.
    let acceptor = tls12_acceptor();
    let dial = MemoryDial::new(move |_| {
        let acceptor = acceptor.clone();
        Answer::serve(move |stream| async move {
            let Some(mut stream) = read_request(stream).await else {
                return;
            };
            for byte in confirm(SecurityProtocol::SSL) {
                let _ = stream.write_all(&[byte]).await;
                tokio::task::yield_now().await;
            }
            if let Ok(tls) = acceptor.accept(stream).await {
                hold(tls).await;
            }
        })
    });
    let obs = run(&config(&dial, 0)).await;
    assert_eq!(obs.tls, Some(TlsStatus::Ok), "{obs:?}");
    assert_eq!(
        obs.tls_version.map(|v| v.to_string()).as_deref(),
        Some("TLSv1.2")
    );
    let cert = obs.cert.expect("the leaf certificate");
    assert!(
        cert.subject.contains("rcgen") || cert.subject.contains("flaky"),
        "{cert:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_tls_stall_times_out_at_the_stage_deadline() {
    let dial = MemoryDial::new(|_| answers(confirm(SecurityProtocol::SSL)));
    let obs = run(&config(&dial, 0)).await;
    assert_eq!(obs.tls, Some(TlsStatus::Timeout));
    assert_eq!(obs.tls_ms, Some(5000.0));
    assert_eq!(obs.error.as_deref(), Some("no tls handshake within 5s"));
    assert_eq!(dial.dials(), 1, "a timeout makes no legacy reconnect");
}

#[tokio::test(start_paused = true)]
async fn a_tls_1_0_only_host_is_read_by_the_legacy_hello() {
    // Every connection: Confirm SSL, then a TLS 1.0 ServerHello and Certificate for any
    // ClientHello. rustls refuses TLS 1.0; the legacy hello on a second connection reads it.
    let (cert, _) = certificate("old.test");
    let flight = legacy::server_flight(legacy::TLS1_0, 0x002f, [7; 32], &[cert.to_vec()]);
    let dial = MemoryDial::new(move |_| {
        let flight = flight.clone();
        Answer::serve(move |stream| async move {
            let Some(mut stream) = read_request(stream).await else {
                return;
            };
            let _ = stream.write_all(&confirm(SecurityProtocol::SSL)).await;
            let mut hello = [0u8; 1024];
            if matches!(stream.read(&mut hello).await, Ok(n) if n > 0) {
                let _ = stream.write_all(&flight).await;
            }
            hold(stream).await;
        })
    });
    let obs = run(&config(&dial, 0)).await;
    assert_eq!(obs.tls, Some(TlsStatus::Legacy), "{obs:?}");
    assert_eq!(
        obs.tls_version.map(|v| v.to_string()).as_deref(),
        Some("TLSv1.0")
    );
    assert_eq!(
        obs.tls_cipher.as_deref(),
        Some("TLS_RSA_WITH_AES_128_CBC_SHA")
    );
    assert!(obs.cert.is_some());
    assert_eq!(dial.dials(), 2);
    assert!(
        obs.error
            .as_deref()
            .is_some_and(|e| e.contains("the server answers an old client")),
        "{obs:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_that_succeeds_at_tls12_is_not_legacy() {
    // First connection: selects SSL, then closes on the ClientHello. Every later one: a normal
    // TLS 1.2 server. The host is flaky, not legacy-only: rustls could have talked to it.
    let acceptor = tls12_acceptor();
    let dial = MemoryDial::new(move |n| {
        let acceptor = acceptor.clone();
        Answer::serve(move |stream| async move {
            let Some(mut stream) = read_request(stream).await else {
                return;
            };
            let _ = stream.write_all(&confirm(SecurityProtocol::SSL)).await;
            if n == 0 {
                let mut hello = [0u8; 512];
                let _ = stream.read(&mut hello).await;
                return;
            }
            if let Ok(tls) = acceptor.accept(stream).await {
                hold(tls).await;
            }
        })
    });
    let obs = run(&config(&dial, 0)).await;
    assert_eq!(obs.tls, Some(TlsStatus::Closed), "{obs:?}");
    let error = obs.error.unwrap_or_default();
    assert!(
        error.contains("second handshake then reached TLSv1.2"),
        "{error}"
    );
    assert_eq!(dial.dials(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_stopping_scan_makes_no_retry() {
    let silent = || Answer::serve(|stream| async move { hold(stream).await });
    let dial = MemoryDial::new(move |_| silent());
    let retrying = run(&config(&dial, 2)).await;
    assert_eq!(retrying.attempts, 3);
    assert_eq!(retrying.attempt_outcomes, vec!["rdp=timeout"; 3]);

    let stopping = config(&dial, 2);
    stopping.stop.cancel();
    let once = run(&stopping).await;
    assert_eq!(once.attempts, 1);
    assert_eq!(dial.dials(), 4);
}

/// `config` with `--deep`, a budget of `max_connections` and this pause.
fn deep_config(
    dial: &Arc<MemoryDial>,
    retries: u32,
    max_connections: u32,
    host_pause: Duration,
) -> ProbeConfig {
    let mut deep = DeepConfig::new(host_pause);
    deep.max_connections = max_connections;
    ProbeConfig {
        deep: Some(deep),
        ..config(dial, retries)
    }
}

#[tokio::test(start_paused = true)]
async fn deep_retries_stop_before_an_attempt_could_go_over_the_budget() {
    let dial = MemoryDial::new(|_| Answer::serve(|stream| async move { hold(stream).await }));
    // Each attempt may take 2 connections (connect + legacy reconnect): with a budget of 5,
    // a retry is made after 1, 2 and 3 connections used, not after 4.
    let obs = run(&deep_config(&dial, 100, 5, Duration::ZERO)).await;
    assert_eq!(obs.attempts, 4, "{:?}", obs.attempt_outcomes);
    assert_eq!(dial.dials(), 4);
    let deep = obs.deep.expect("deep record");
    assert_eq!(deep.connections, 4);
    assert_eq!(
        deep.notes.first().map(String::as_str),
        Some("retries: stopped after 4 attempts, another could take 2 connections of this target's budget of 5 (4 used)"),
        "{:?}",
        deep.notes
    );

    // Without --deep there is no budget: every retry asked for is made.
    let plain = run(&config(&dial, 6)).await;
    assert_eq!(plain.attempts, 7);
}

#[tokio::test(start_paused = true)]
async fn a_stop_cuts_the_host_pause_short_and_opens_no_deep_connection() {
    // A host that selects PROTOCOL_RDP, so the deep steps follow; when the ordinary probe's
    // connection is closed (the probe is then in the hour-long pause before the first deep
    // step), the scan is stopped.
    let config = {
        let dial = MemoryDial::new(|_| Answer::Refuse);
        deep_config(
            &dial,
            0,
            MAX_CONNECTIONS_PER_HOST,
            Duration::from_secs(3600),
        )
    };
    let stop = config.stop.clone();
    let dial = MemoryDial::new(move |_| {
        let stop = stop.clone();
        Answer::serve(move |stream| async move {
            if let Some(mut stream) = read_request(stream).await {
                let _ = stream.write_all(&confirm(SecurityProtocol::RDP)).await;
                hold(stream).await;
            }
            stop.cancel();
        })
    });
    let config = ProbeConfig {
        dial: dial.clone(),
        ..config
    };
    let started = Instant::now();
    let obs = run(&config).await;
    assert!(
        started.elapsed() < Duration::from_secs(3600),
        "the pause ran its whole hour"
    );
    let deep = obs.deep.expect("deep record");
    assert_eq!(deep.connections, 1);
    assert_eq!(dial.dials(), 1);
    assert_eq!(
        deep.notes,
        ["protocol rdp and later steps: not run, the scan was interrupted"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_reset_during_the_handshake_is_an_open_port_reset_and_retried() {
    // The RST beats `connect` on the first two attempts; the third connection is closed.
    let dial = MemoryDial::new(|n| match n {
        0 | 1 => Answer::Fail(std::io::ErrorKind::ConnectionReset),
        _ => Answer::serve(|stream| async move { drop(stream) }),
    });
    let obs = run(&config(&dial, 2)).await;
    assert_eq!(
        obs.attempt_outcomes,
        ["rdp=reset", "rdp=reset", "rdp=closed"],
        "a reset is retried as any reset is"
    );
    let reset = MemoryDial::new(|_| Answer::Fail(std::io::ErrorKind::ConnectionReset));
    let once = run(&config(&reset, 0)).await;
    assert_eq!(
        (once.tcp, once.rdp),
        (TcpStatus::Open, Some(RdpStatus::Reset))
    );
    assert_eq!(
        once.error.as_deref(),
        Some("reset before the connection confirm (0 bytes received)")
    );
}

mod hostile;
