//! The TLS stage: rustls on the connection whose Confirm selected TLS, and, when rustls fails,
//! the legacy hello on a new connection, all under one stage deadline.

use std::io;
use std::net::IpAddr;
use std::sync::Arc;

use rdpsweep_codec::legacy_tls::{self as legacy, LegacyHello};
use rdpsweep_codec::{ConnectionRequest, TlsWireVersion};
use rdpsweep_reports::TlsStatus;
use rustls::pki_types::ServerName;
use tokio::time::{timeout_at, Instant};
use tokio_rustls::client::TlsStream;

use super::link::{preview, Link};
use super::{human, legacy as legacy_hello};
use crate::wire::failure::lowercase;
use crate::wire::{Conn, Headed, IoKind};

/// A completed handshake: rustls (`ok`) or the legacy hello (`legacy`).
pub struct TlsDone {
    pub status: TlsStatus,
    /// Said in `error` even though the handshake succeeded (why it is `legacy`).
    pub note: Option<String>,
    /// `None` when rustls reports no version after a handshake (never seen).
    pub version: Option<TlsWireVersion>,
    pub cipher: String,
    pub chain: Vec<Vec<u8>>,
}

/// How a TLS handshake failed.
#[derive(Debug, Clone)]
pub struct TlsFailure {
    pub status: TlsStatus,
    pub error: String,
}

/// The TLS stage under one deadline: rustls first; if it fails other than by timeout (and the
/// scan is not stopping), the legacy handshake on a new connection, within what is left.
pub async fn stage(
    link: &Link<'_>,
    conn: Conn,
    hostname: Option<&str>,
    deadline: Instant,
) -> Result<TlsDone, TlsFailure> {
    let config = link.config;
    let name = server_name(link.addr.ip(), hostname);
    let timed_out = || TlsFailure {
        status: TlsStatus::Timeout,
        error: format!("no tls handshake within {}", human(config.timeout)),
    };
    let handshake = upgrade(conn, name.clone(), config.tls.clone());
    let failure = match timeout_at(deadline, handshake).await {
        Ok(Ok((done, _))) => return Ok(done),
        Ok(Err(failure)) => failure,
        Err(_) => return Err(timed_out()),
    };
    if config.stop.is_cancelled() {
        return Err(failure);
    }
    // rustls speaks only TLS 1.2/1.3 with modern suites: ask again the way an old client
    // would, and read the answer in the clear. Only an answer rustls could not have accepted
    // makes the host `legacy`; any other failure stands.
    let hello = match timeout_at(deadline, reconnect(link, &name)).await {
        Ok(Ok(hello)) => hello,
        _ => return Err(failure),
    };
    let version = TlsWireVersion(hello.version);
    let cipher = legacy::cipher_name(hello.cipher);
    if !rustls_could_speak(&hello, &config.tls) {
        return Ok(TlsDone {
            status: TlsStatus::Legacy,
            note: Some(format!(
                "tls 1.2/1.3 handshake failed ({}); the server answers an old client",
                failure.error
            )),
            version: Some(version),
            cipher,
            chain: hello.chain,
        });
    }
    let without = match hello.chain.is_empty() {
        true => " (and no certificate)",
        false => "",
    };
    Err(TlsFailure {
        error: format!(
            "{}; a second handshake then reached {version} with {cipher}{without}, which rustls speaks",
            failure.error
        ),
        ..failure
    })
}

/// A new connection (with a governor token), the Windows client's Connection Request, and, if
/// TLS is selected again, the legacy hello. The error's words are not recorded: the rustls
/// failure stands for the stage.
async fn reconnect(link: &Link<'_>, name: &ServerName<'static>) -> Result<LegacyHello, String> {
    let connected = link.connect(true).await.map_err(|f| f.error)?;
    let request = ConnectionRequest::windows_client(&link.config.cookie);
    let mut framed = link
        .reselect(connected.framed, &request, |p| p.starts_tls(), "tls")
        .await?;
    legacy_hello::hello(&mut framed, legacy::TLS1_2, sni(name).as_deref())
        .await
        .map_err(|f| f.status().1)
}

/// True when rustls offers the version and suite the server chose for the legacy hello.
fn rustls_could_speak(hello: &LegacyHello, tls: &rustls::ClientConfig) -> bool {
    hello.version >= legacy::TLS1_2
        && tls
            .crypto_provider()
            .cipher_suites
            .iter()
            .any(|suite| u16::from(suite.suite()) == hello.cipher)
}

/// The name rustls sends as SNI: the host name when the target was given as one, else the
/// address (for which rustls sends no SNI).
pub fn server_name(ip: IpAddr, hostname: Option<&str>) -> ServerName<'static> {
    hostname
        .and_then(|name| ServerName::try_from(name.to_string()).ok())
        .unwrap_or_else(|| ServerName::IpAddress(ip.into()))
}

/// The host name the legacy ClientHello sends as SNI, if the target was given as a name.
pub fn sni(name: &ServerName<'_>) -> Option<String> {
    match name {
        ServerName::DnsName(dns) => Some(dns.as_ref().to_string()),
        _ => None,
    }
}

/// Upgrades the connection with rustls; records version, suite and chain, and hands back the
/// TLS stream for what follows on it (the deep probe's CredSSP exchange).
pub async fn upgrade(
    conn: Conn,
    name: ServerName<'static>,
    tls: Arc<rustls::ClientConfig>,
) -> Result<(TlsDone, TlsStream<Conn>), TlsFailure> {
    let connector = tokio_rustls::TlsConnector::from(tls);
    let (conn, head) = Headed::new(conn);
    let tls = connector
        .connect(name, Box::new(conn) as Conn)
        .await
        .map_err(|e| classify(e, &head.bytes()))?;
    let (_, session) = tls.get_ref();
    let version = session
        .protocol_version()
        .map(|v| TlsWireVersion(u16::from(v)));
    let cipher = session
        .negotiated_cipher_suite()
        .map(|s| legacy::cipher_name(u16::from(s.suite())))
        .unwrap_or_default();
    let chain = session
        .peer_certificates()
        .unwrap_or_default()
        .iter()
        .map(|c| c.as_ref().to_vec())
        .collect();
    let done = TlsDone {
        status: TlsStatus::Ok,
        note: None,
        version,
        cipher,
        chain,
    };
    Ok((done, tls))
}

/// Maps what tokio-rustls reports into the `tls` vocabulary; `head` is what the server's answer
/// began with, shown when it is not TLS at all (its first byte is no record type).
fn classify(e: io::Error, head: &[u8]) -> TlsFailure {
    if let Some(tls) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return match tls {
            rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)
                if !head.is_empty() =>
            {
                TlsFailure {
                    status: TlsStatus::ProtocolError,
                    error: format!("not tls: answer starts {}", preview(head)),
                }
            }
            rustls::Error::AlertReceived(alert) => TlsFailure {
                status: TlsStatus::Alert,
                error: format!(
                    "server sent tls alert {}",
                    legacy::alert_name(u8::from(*alert))
                ),
            },
            other => TlsFailure {
                status: TlsStatus::ProtocolError,
                error: format!("tls handshake failed: {}", lowercase(other)),
            },
        };
    }
    match IoKind::of(&e) {
        IoKind::Reset => TlsFailure {
            status: TlsStatus::Reset,
            error: "reset during the tls handshake".to_string(),
        },
        IoKind::Closed => TlsFailure {
            status: TlsStatus::Closed,
            error: "closed during the tls handshake".to_string(),
        },
        _ => TlsFailure {
            status: TlsStatus::ProtocolError,
            error: format!("tls handshake failed: {}", lowercase(&e)),
        },
    }
}
