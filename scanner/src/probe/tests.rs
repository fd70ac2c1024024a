//! Probe-engine cases the simulated fleet does not play: in-process servers on 127.0.0.1.

use std::sync::atomic::AtomicUsize;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;

use super::*;
use rdpsweep_codec::{ConnectionConfirm, ResponseFlags, SecurityProtocol};

fn config(timeout_ms: u64, retries: u32) -> ProbeConfig {
    ProbeConfig {
        connect_timeout: Duration::from_secs(1),
        timeout: Duration::from_millis(timeout_ms),
        retries,
        cookie: "test".into(),
        tls: crate::tls::scanning_client_config(),
        limiter: None,
        stop: Arc::default(),
        deep: None,
    }
}

/// Reads one whole TPKT frame (the Connection Request).
async fn read_request(stream: &mut TcpStream) -> Option<()> {
    let mut buf = vec![0u8; 4];
    stream.read_exact(&mut buf).await.ok()?;
    let Ok(FrameSize::Whole(len)) = TpktHint::ANY.frame_size(&buf) else {
        return None;
    };
    let mut rest = vec![0u8; len - 4];
    stream.read_exact(&mut rest).await.ok()?;
    Some(())
}

fn confirm_ssl() -> Vec<u8> {
    ConnectionConfirm {
        src_ref: 0x1234,
        negotiation: Some(NegotiationResponse::Response {
            flags: ResponseFlags::empty(),
            protocol: SecurityProtocol::SSL,
        }),
    }
    .encode()
}

/// A TLS 1.2-only rustls server with a fresh ECDSA certificate.
fn tls12_acceptor() -> tokio_rustls::TlsAcceptor {
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["flaky.test".into()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("tls 1.2")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .expect("server config");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

#[tokio::test]
async fn a_retry_that_succeeds_at_tls12_is_not_legacy() {
    // First connection: selects SSL, then closes on the ClientHello. Every later one: a normal
    // TLS 1.2 server. The host is flaky, not legacy-only: rustls could have talked to it.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let acceptor = tls12_acceptor();
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                read_request(&mut stream).await?;
                stream.write_all(&confirm_ssl()).await.ok()?;
                if n == 0 {
                    let mut hello = [0u8; 512];
                    let _ = stream.read(&mut hello).await;
                    return None;
                }
                let mut tls = acceptor.accept(stream).await.ok()?;
                let mut rest = [0u8; 64];
                let _ = tls.read(&mut rest).await;
                Some(())
            });
        }
    });

    let obs = probe(addr.ip(), addr.port(), None, &config(3000, 0)).await;
    assert_eq!(obs.tls, Some(TlsStatus::Closed), "{obs:?}");
    let error = obs.error.unwrap_or_default();
    assert!(
        error.contains("second handshake then reached TLSv1.2"),
        "{error}"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_stopping_scan_makes_no_retry() {
    // A host that accepts and never answers: each attempt times out.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });

    let retrying = probe(addr.ip(), addr.port(), None, &config(100, 2)).await;
    assert_eq!(retrying.attempts, 3);
    assert_eq!(retrying.attempt_outcomes, vec!["rdp=timeout"; 3]);

    let stopping = config(100, 2);
    stopping.stop.store(true, Ordering::SeqCst);
    let once = probe(addr.ip(), addr.port(), None, &stopping).await;
    assert_eq!(once.attempts, 1);
    assert_eq!(connections.load(Ordering::SeqCst), 4);
}

/// A host that accepts and never answers (every attempt times out); counts its connections.
async fn silent_host() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    (addr, connections)
}

/// `config` with `--deep`, a budget of `max_connections` and this pause.
fn deep_config(
    timeout_ms: u64,
    retries: u32,
    max_connections: u32,
    host_pause: Duration,
) -> ProbeConfig {
    let mut deep = DeepConfig::new(host_pause);
    deep.max_connections = max_connections;
    ProbeConfig {
        deep: Some(deep),
        ..config(timeout_ms, retries)
    }
}

#[tokio::test]
async fn deep_retries_stop_before_an_attempt_could_go_over_the_budget() {
    let (addr, connections) = silent_host().await;
    // Each attempt may take 2 connections (connect + legacy reconnect): with a budget of 5,
    // a retry is made after 1, 2 and 3 connections used, not after 4.
    let obs = probe(
        addr.ip(),
        addr.port(),
        None,
        &deep_config(50, 100, 5, Duration::ZERO),
    )
    .await;
    assert_eq!(obs.attempts, 4, "{:?}", obs.attempt_outcomes);
    assert_eq!(connections.load(Ordering::SeqCst), 4);
    let deep = obs.deep.expect("deep record");
    assert_eq!(deep.connections, 4);
    assert_eq!(
        deep.notes.first().map(String::as_str),
        Some("retries: stopped after 4 attempts, another could take 2 connections of this target's budget of 5 (4 used)"),
        "{:?}",
        deep.notes
    );

    // Without --deep there is no budget: every retry asked for is made.
    let plain = probe(addr.ip(), addr.port(), None, &config(50, 6)).await;
    assert_eq!(plain.attempts, 7);
}

#[tokio::test]
async fn a_stop_cuts_the_host_pause_short_and_opens_no_deep_connection() {
    // A host that selects PROTOCOL_RDP, so the deep steps follow; when the ordinary probe's
    // connection is closed (the probe is then in the pause before the first deep step: this
    // current-thread runtime ran it until the pause's sleep), the scan is stopped.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let config = deep_config(3000, 0, MAX_CONNECTIONS_PER_HOST, Duration::from_secs(3600));
    let stop = config.stop.clone();
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            let stop = stop.clone();
            tokio::spawn(async move {
                read_request(&mut stream).await?;
                let confirm = ConnectionConfirm {
                    src_ref: 0x1234,
                    negotiation: Some(NegotiationResponse::Response {
                        flags: ResponseFlags::empty(),
                        protocol: SecurityProtocol::RDP,
                    }),
                };
                stream.write_all(&confirm.encode()).await.ok()?;
                let mut rest = [0u8; 64];
                while stream.read(&mut rest).await.ok()? > 0 {}
                stop.store(true, Ordering::SeqCst);
                Some(())
            });
        }
    });

    // Without the stop cutting it short, the pause would last an hour: the deadline fails
    // the test long before.
    let obs = tokio::time::timeout(
        Duration::from_secs(60),
        probe(addr.ip(), addr.port(), None, &config),
    )
    .await
    .expect("the pause ended when the scan stopped");
    let deep = obs.deep.expect("deep record");
    assert_eq!(deep.connections, 1);
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    assert_eq!(
        deep.notes,
        ["protocol rdp and later steps: not run, the scan was interrupted"]
    );
}
