//! Step 2: the TLS version range. Each of TLS 1.0, 1.1, 1.2 and 1.3 is tried on its own
//! connection: rustls pinned to the one version for 1.2 and 1.3, the hand-built legacy
//! ClientHello with that version as its highest for 1.0 and 1.1. A version is accepted only
//! when the server answers at exactly that version.

use std::io;
use std::sync::Arc;

use rdpsweep_reports::{ProtocolAnswer, TlsStatus, TlsVersion, TlsVersionAnswer, TlsWireVersion};
use rustls::ClientConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};

use super::{request, selected, NotOpened, Session};
use crate::probe::{hello_random, human, is_reset, negotiate_as, sni, tls_server_name, upgrade};
use rdpsweep_codec::legacy_tls::{self as legacy, Progress, ServerFlightReader};
use rdpsweep_codec::SecurityProtocol;

/// Tries every version, when a protocol that starts TLS was accepted.
pub(super) async fn run(
    session: &mut Session<'_>,
    answers: &[ProtocolAnswer],
) -> Vec<TlsVersionAnswer> {
    if session.interrupted {
        return Vec::new();
    }
    let Some(requested) = tls_request(answers) else {
        session.note("tls versions: not applicable, no protocol that starts tls was accepted");
        return Vec::new();
    };
    let mut out = Vec::with_capacity(TlsVersion::ALL.len());
    for &version in TlsVersion::ALL {
        let mut stream = match session.open(&format!("tls version {version}")).await {
            Err(NotOpened) => continue,
            Ok(Err(failure)) => {
                let why = format!("tcp {}: {}", failure.status, failure.error);
                out.push(not_reached(version, why));
                continue;
            }
            Ok(Ok(stream)) => stream,
        };
        let config = session.config;
        let nego = negotiate_as(&mut stream, &request(config, requested), config).await;
        if !selected(&nego).is_some_and(|p| p.starts_tls()) {
            let why = nego
                .error
                .unwrap_or_else(|| "the server did not select tls again".to_string());
            out.push(not_reached(version, why));
            continue;
        }
        let deadline = Instant::now() + config.timeout;
        let answer = match timeout_at(deadline, handshake(session, stream, version)).await {
            Ok(answer) => answer,
            Err(_) => TlsVersionAnswer {
                tls: Some(TlsStatus::Timeout),
                error: Some(format!("no tls handshake within {}", human(config.timeout))),
                ..not_reached(version, String::new())
            },
        };
        out.push(answer);
    }
    out
}

/// The requestedProtocols of the first accepted protocol that starts TLS (SSL, then
/// SSL|HYBRID, then SSL|HYBRID|HYBRID_EX).
fn tls_request(answers: &[ProtocolAnswer]) -> Option<u32> {
    answers
        .iter()
        .find(|a| a.accepted && SecurityProtocol::from_bits_retain(a.protocol.0).starts_tls())
        .map(|a| a.requested)
}

/// A version whose handshake never started.
fn not_reached(version: TlsVersion, error: String) -> TlsVersionAnswer {
    TlsVersionAnswer {
        version,
        accepted: false,
        tls: None,
        server_version: None,
        cipher: None,
        error: (!error.is_empty()).then_some(error),
    }
}

async fn handshake(
    session: &Session<'_>,
    stream: TcpStream,
    version: TlsVersion,
) -> TlsVersionAnswer {
    let name = tls_server_name(session.addr.ip(), session.hostname);
    match version {
        TlsVersion::Tls10 => legacy_hello(stream, version, legacy::TLS1_0, sni(&name)).await,
        TlsVersion::Tls11 => legacy_hello(stream, version, legacy::TLS1_1, sni(&name)).await,
        TlsVersion::Tls12 => pinned(stream, version, name, session.deep.tls12.clone()).await,
        TlsVersion::Tls13 => pinned(stream, version, name, session.deep.tls13.clone()).await,
    }
}

/// rustls offering only `version`: a completed handshake is that version.
async fn pinned(
    stream: TcpStream,
    version: TlsVersion,
    name: rustls::pki_types::ServerName<'static>,
    tls: Arc<ClientConfig>,
) -> TlsVersionAnswer {
    match upgrade(stream, name, tls).await {
        Ok(done) => TlsVersionAnswer {
            version,
            accepted: done.version == Some(version.wire()),
            tls: Some(done.status),
            server_version: done.version,
            cipher: Some(done.cipher),
            error: None,
        },
        Err(failure) => TlsVersionAnswer {
            tls: Some(failure.status),
            ..not_reached(version, failure.error)
        },
    }
}

/// The legacy ClientHello offering up to `wire`; reads the ServerHello in the clear.
async fn legacy_hello(
    mut stream: TcpStream,
    version: TlsVersion,
    wire: u16,
    sni: Option<String>,
) -> TlsVersionAnswer {
    let failed = |status: TlsStatus, error: String| TlsVersionAnswer {
        tls: Some(status),
        ..not_reached(version, error)
    };
    let io_failed = |e: io::Error| {
        if is_reset(&e) {
            failed(TlsStatus::Reset, "reset during the tls handshake".into())
        } else {
            failed(TlsStatus::ProtocolError, super::super::lowercase(&e))
        }
    };
    let random = hello_random(wire, sni.as_deref());
    if let Err(e) = stream
        .write_all(&legacy::client_hello(wire, sni.as_deref(), random))
        .await
    {
        return io_failed(e);
    }
    let mut reader = ServerFlightReader::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = match stream.read(&mut chunk).await {
            Ok(0) => return failed(TlsStatus::Closed, "closed during the tls handshake".into()),
            Ok(n) => n,
            Err(e) => return io_failed(e),
        };
        match reader.push(&chunk[..n]) {
            Progress::NeedMore => continue,
            Progress::Hello(hello) => {
                let chosen = TlsWireVersion(hello.version);
                let accepted = hello.version == wire;
                return TlsVersionAnswer {
                    version,
                    accepted,
                    tls: Some(TlsStatus::Ok),
                    error: (!accepted).then(|| format!("the server chose {chosen}")),
                    server_version: Some(chosen),
                    cipher: Some(legacy::cipher_name(hello.cipher)),
                };
            }
            Progress::Alert(code) => {
                let why = format!("server sent tls alert {}", legacy::alert_name(code));
                return failed(TlsStatus::Alert, why);
            }
            Progress::Error(e) => return failed(TlsStatus::ProtocolError, e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdpsweep_reports::{SelectedProtocol, TcpStatus};

    fn answer(protocol: u32, requested: u32, accepted: bool) -> ProtocolAnswer {
        ProtocolAnswer {
            protocol: SelectedProtocol(protocol),
            requested,
            from_first_probe: false,
            tcp: TcpStatus::Open,
            rdp: None,
            selected: None,
            neg_failure: None,
            accepted,
            error: None,
        }
    }

    #[test]
    fn tls_is_asked_with_the_first_accepted_tls_protocol() {
        let all = |ssl, hybrid, hybrid_ex| {
            vec![
                answer(0x00, 0x00, true),
                answer(0x01, 0x01, ssl),
                answer(0x02, 0x03, hybrid),
                answer(0x08, 0x0b, hybrid_ex),
                answer(0x04, 0x04, true),
            ]
        };
        assert_eq!(tls_request(&all(true, true, true)), Some(0x01));
        assert_eq!(tls_request(&all(false, true, true)), Some(0x03));
        assert_eq!(tls_request(&all(false, false, true)), Some(0x0b));
        // RDP and RDSTLS alone do not start the TLS handshake this probe makes.
        assert_eq!(tls_request(&all(false, false, false)), None);
    }
}
