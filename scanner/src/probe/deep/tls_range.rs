//! Step 2: the TLS version range. Each of TLS 1.0, 1.1, 1.2 and 1.3 is tried on its own
//! connection: rustls pinned to the one version for 1.2 and 1.3, the hand-built legacy
//! ClientHello with that version as its highest for 1.0 and 1.1. A version is accepted only
//! when the server answers at exactly that version.

use std::sync::Arc;

use rdpsweep_codec::legacy_tls as legacy;
use rdpsweep_codec::{SecurityProtocol, TlsWireVersion};
use rdpsweep_reports::{ProtocolAnswer, TlsStatus, TlsVersion, TlsVersionAnswer};
use rustls::ClientConfig;
use tokio::time::{timeout_at, Instant};

use super::{request, Opened, Session};
use crate::probe::legacy::hello;
use crate::probe::tls::{server_name, sni, upgrade};
use crate::probe::{deadline, human};
use crate::wire::{Conn, Framed};

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
        let framed = match session.open(&format!("tls version {version}")).await {
            Opened::Skipped => continue,
            Opened::Failed(failure) => {
                let why = format!("tcp {}: {}", failure.status, failure.error);
                out.push(not_reached(version, why));
                continue;
            }
            Opened::Connected(framed) => framed,
        };
        let link = session.link;
        let starts_tls = |p: SecurityProtocol| p.starts_tls();
        let request = request(session, requested);
        let framed = match link.reselect(framed, &request, starts_tls, "tls").await {
            Ok(framed) => framed,
            Err(why) => {
                out.push(not_reached(version, why));
                continue;
            }
        };
        let deadline = deadline(Instant::now(), link.config.timeout);
        let answer = match timeout_at(deadline, handshake(session, framed, version)).await {
            Ok(answer) => answer,
            Err(_) => TlsVersionAnswer {
                tls: Some(TlsStatus::Timeout),
                error: Some(format!(
                    "no tls handshake within {}",
                    human(link.config.timeout)
                )),
                ..not_reached(version, String::new())
            },
        };
        out.push(answer);
    }
    out
}

/// The requestedProtocols of the first accepted protocol that starts TLS (SSL, then
/// SSL|HYBRID, then SSL|HYBRID|HYBRID_EX).
fn tls_request(answers: &[ProtocolAnswer]) -> Option<SecurityProtocol> {
    answers
        .iter()
        .find(|a| a.accepted && a.protocol.starts_tls())
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
    framed: Framed<Conn>,
    version: TlsVersion,
) -> TlsVersionAnswer {
    let name = server_name(session.link.addr.ip(), session.hostname);
    match version {
        TlsVersion::Tls10 | TlsVersion::Tls11 => legacy_hello(framed, version, sni(&name)).await,
        TlsVersion::Tls12 => pinned(framed, version, name, session.deep.tls12.clone()).await,
        TlsVersion::Tls13 => pinned(framed, version, name, session.deep.tls13.clone()).await,
    }
}

/// rustls offering only `version`: a completed handshake is that version.
async fn pinned(
    framed: Framed<Conn>,
    version: TlsVersion,
    name: rustls::pki_types::ServerName<'static>,
    tls: Arc<ClientConfig>,
) -> TlsVersionAnswer {
    match upgrade(framed.into_conn(), name, tls).await {
        Ok((done, _)) => TlsVersionAnswer {
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

/// The legacy ClientHello offering up to `version`; reads the ServerHello in the clear.
async fn legacy_hello(
    mut framed: Framed<Conn>,
    version: TlsVersion,
    sni: Option<String>,
) -> TlsVersionAnswer {
    let wire = version.wire();
    match hello(&mut framed, wire.0, sni.as_deref()).await {
        Ok(hello) => {
            let chosen = TlsWireVersion(hello.version);
            let accepted = chosen == wire;
            TlsVersionAnswer {
                version,
                accepted,
                tls: Some(TlsStatus::Ok),
                error: (!accepted).then(|| format!("the server chose {chosen}")),
                server_version: Some(chosen),
                cipher: Some(legacy::cipher_name(hello.cipher)),
            }
        }
        Err(failure) => {
            let (status, why) = failure.status();
            TlsVersionAnswer {
                tls: Some(status),
                ..not_reached(version, why)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdpsweep_codec::SecurityProtocol as P;
    use rdpsweep_reports::TcpStatus;

    fn answer(protocol: P, requested: P, accepted: bool) -> ProtocolAnswer {
        ProtocolAnswer {
            protocol,
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
                answer(P::RDP, P::RDP, true),
                answer(P::SSL, P::SSL, ssl),
                answer(P::HYBRID, P::SSL | P::HYBRID, hybrid),
                answer(P::HYBRID_EX, P::SSL | P::HYBRID | P::HYBRID_EX, hybrid_ex),
                answer(P::RDSTLS, P::RDSTLS, true),
            ]
        };
        let bits = |answers: Vec<ProtocolAnswer>| tls_request(&answers).map(|p| p.bits());
        assert_eq!(bits(all(true, true, true)), Some(0x01));
        assert_eq!(bits(all(false, true, true)), Some(0x03));
        assert_eq!(bits(all(false, false, true)), Some(0x0b));
        // RDP and RDSTLS alone do not start the TLS handshake this probe makes.
        assert_eq!(tls_request(&all(false, false, false)), None);
    }
}
