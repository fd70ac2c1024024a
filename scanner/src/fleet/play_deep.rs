//! What the deep profile's hosts do on one connection: answer the Connection Request by their
//! security-layer policy, then speak TLS within their version range, or standard security.
//!
//! The standard-security answer (MCS Connect Response) and the CredSSP answer (NTLM CHALLENGE)
//! wait for their codecs: [`answer_mcs`] and [`answer_credssp`] are where they go. Until then
//! both only hold the connection open, so the scanner sees a host that selects PROTOCOL_RDP,
//! or one that completes TLS after selecting HYBRID, and nothing more.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use super::certs::Certs;
use super::play::{close, hold, MAX_READ};
use super::policy::{NtlmIdentity, StandardSecurity, NTLM_IDENTITY};
use super::Behaviour;
use crate::proto::{ConnectionConfirm, ConnectionRequest, NegotiationResponse, SecurityProtocol};
use crate::tls::legacy::{self, ClientHelloRead};

/// TLS_RSA_WITH_AES_128_CBC_SHA: the suite of the hand-built TLS 1.0/1.1 answers.
const LEGACY_SUITE: u16 = 0x002f;
/// TLS alert protocol_version.
const ALERT_PROTOCOL_VERSION: u8 = 70;

/// Plays a deep-profile `behaviour` on a connection whose Connection Request was `request`.
pub async fn play(
    behaviour: Behaviour,
    request: ConnectionRequest,
    mut stream: TcpStream,
    certs: Arc<Certs>,
) -> io::Result<()> {
    let policy = behaviour
        .policy()
        .ok_or_else(|| io::Error::other(format!("{behaviour} has no security-layer policy")))?;
    let requested = request
        .negotiation
        .map(|(_, protocols)| protocols)
        .unwrap_or(SecurityProtocol::RDP);
    let answer = policy.select(requested);
    let confirm = ConnectionConfirm {
        src_ref: crate::proto::x224::WINDOWS_SRC_REF,
        negotiation: Some(answer),
    };
    stream.write_all(&confirm.encode()).await?;
    match answer {
        NegotiationResponse::Failure { .. } => close(stream).await,
        NegotiationResponse::Response { protocol, .. } if protocol.starts_tls() => {
            serve_tls_range(behaviour, stream, &certs).await
        }
        NegotiationResponse::Response { protocol, .. } => match behaviour.standard_security() {
            Some(security) if protocol == SecurityProtocol::RDP => {
                answer_mcs(stream, security).await
            }
            _ => hold(&mut stream).await,
        },
    }
}

/// Reads the ClientHello and answers within the host's TLS range: rustls for TLS 1.2/1.3, the
/// hand-built server flight for TLS 1.0/1.1, alert 70 when the client's highest version is
/// below the range.
async fn serve_tls_range(
    behaviour: Behaviour,
    mut stream: TcpStream,
    certs: &Certs,
) -> io::Result<()> {
    let (min, max) = behaviour
        .tls_range()
        .ok_or_else(|| io::Error::other(format!("{behaviour} speaks no tls")))?;
    let mut hello = Vec::new();
    let mut chunk = [0u8; 4096];
    let offered = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        hello.extend_from_slice(&chunk[..n]);
        match legacy::read_client_hello(&hello) {
            ClientHelloRead::Incomplete if hello.len() < MAX_READ => continue,
            ClientHelloRead::Incomplete | ClientHelloRead::NotHello => return close(stream).await,
            ClientHelloRead::Hello { max_version } => break max_version,
        }
    };
    let chosen = offered.min(max);
    if chosen < min {
        stream
            .write_all(&legacy::alert(ALERT_PROTOCOL_VERSION))
            .await?;
        return close(stream).await;
    }
    if chosen < legacy::TLS1_2 {
        let flight = legacy::server_flight(chosen, LEGACY_SUITE, certs.legacy_chain(behaviour));
        stream.write_all(&flight).await?;
        return hold(&mut stream).await;
    }
    let config = certs
        .server_config(behaviour)
        .ok_or_else(|| io::Error::other(format!("no tls configuration for {behaviour}")))?;
    let mut tls = TlsAcceptor::from(config)
        .accept(Prefixed::new(hello, stream))
        .await?;
    if behaviour == Behaviour::NtlmIdentity {
        answer_credssp(&mut tls, NTLM_IDENTITY).await
    } else {
        hold(&mut tls).await
    }
}

/// **Hook for the MCS/GCC codec (server side).** Read the MCS Connect Initial, and answer
/// with a Connect Response whose SC_CORE and SC_SECURITY carry `security.level` and the
/// method chosen from the client's offer among `security.methods` (or refuse the offer).
/// Until the codec lands: holds the connection until the client closes.
async fn answer_mcs(mut stream: TcpStream, security: StandardSecurity) -> io::Result<()> {
    let _ = security;
    hold(&mut stream).await
}

/// **Hook for the CredSSP/NTLM codec (server side).** Read the client's TSRequest with an
/// NTLM NEGOTIATE and answer with a TSRequest carrying a CHALLENGE with `identity` in its
/// TargetInfo and Version (and the current time as MsvAvTimestamp). Until the codec lands:
/// holds the connection until the client closes.
async fn answer_credssp<S: AsyncRead + AsyncWrite + Unpin>(
    tls: &mut S,
    identity: NtlmIdentity,
) -> io::Result<()> {
    let _ = identity;
    hold(tls).await
}

/// A stream that yields bytes already read from it (the ClientHello) before the rest, so that
/// rustls can take over a connection whose first bytes were inspected.
struct Prefixed<S> {
    prefix: Vec<u8>,
    given: usize,
    inner: S,
}

impl<S> Prefixed<S> {
    fn new(prefix: Vec<u8>, inner: S) -> Self {
        Prefixed {
            prefix,
            given: 0,
            inner,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Prefixed<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let left = &this.prefix[this.given..];
        if !left.is_empty() {
            let n = left.len().min(buf.remaining());
            buf.put_slice(&left[..n]);
            this.given += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Prefixed<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn prefixed_gives_the_prefix_then_the_rest() {
        let rest: &[u8] = b" world";
        let mut stream = Prefixed::new(b"hello".to_vec(), rest);
        let mut all = String::new();
        stream.read_to_string(&mut all).await.expect("read");
        assert_eq!(all, "hello world");
    }
}
