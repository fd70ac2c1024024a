//! What the deep profile's hosts do on one connection: answer the Connection Request by their
//! security-layer policy, then speak TLS within their version range (and, after HYBRID or
//! HYBRID_EX, answer an NTLM NEGOTIATE with a CHALLENGE), or standard security (answer an MCS
//! Connect Initial with a Connect Response, or refuse the offer by closing).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use super::certs::Certs;
use super::play::{close, hold, read_tpkt, server_random, MAX_READ};
use super::policy::{NtlmIdentity, StandardSecurity, NTLM_IDENTITY};
use super::Behaviour;
use rdpsweep_codec::credssp;
use rdpsweep_codec::legacy_tls::{self as legacy, ClientHelloRead};
use rdpsweep_codec::{
    self as proto, self, ntlm, Challenge, ConnectionConfirm, ConnectionRequest, EncryptionLevel,
    EncryptionMethod, FrameSize, NegotiateFlags, NegotiationResponse, NtlmVersion, PduHint,
    RdpVersion, SecurityProtocol, ServerSettings, TsRequest, TsRequestHint,
};

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
        src_ref: rdpsweep_codec::x224::WINDOWS_SRC_REF,
        negotiation: Some(answer),
    };
    stream.write_all(&confirm.encode()).await?;
    match answer {
        NegotiationResponse::Failure { .. } => close(stream).await,
        NegotiationResponse::Response { protocol, .. } if protocol.starts_tls() => {
            serve_tls_range(behaviour, protocol, stream, &certs).await
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
/// below the range. After a rustls handshake on a connection that selected HYBRID or
/// HYBRID_EX (`protocol`), answers CredSSP.
async fn serve_tls_range(
    behaviour: Behaviour,
    protocol: SecurityProtocol,
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
        let flight = legacy::server_flight(
            chosen,
            LEGACY_SUITE,
            server_random(),
            certs.legacy_chain(behaviour),
        );
        stream.write_all(&flight).await?;
        return hold(&mut stream).await;
    }
    let config = certs
        .server_config(behaviour)
        .ok_or_else(|| io::Error::other(format!("no tls configuration for {behaviour}")))?;
    let mut tls = TlsAcceptor::from(config)
        .accept(Prefixed::new(hello, stream))
        .await?;
    match behaviour.ntlm_clock_ahead_s() {
        Some(ahead) if protocol.is_credssp() => {
            answer_credssp(&mut tls, NTLM_IDENTITY, ahead).await
        }
        _ => hold(&mut tls).await,
    }
}

/// Standard RDP security: reads the MCS Connect Initial and answers with a Connect Response
/// whose SC_CORE carries `security.version` and whose SC_SECURITY carries `security.level`
/// and the method [`StandardSecurity::answer`] picks from the client's offer; then holds.
///
/// **How an offer is refused:** when no method can be picked, the host sends nothing and
/// closes the connection (FIN), as MS-RDPBCGR 5.3.2.1 says a server does when it cannot select
/// an encryption method ("the network connection is closed"). The scanner reads that as a
/// refusal of the method offered. Bytes that are not a Connect Initial are closed on too.
async fn answer_mcs(mut stream: TcpStream, security: StandardSecurity) -> io::Result<()> {
    let Some(frame) = read_tpkt(&mut stream).await? else {
        return close(stream).await;
    };
    let Ok(request) = proto::decode_connect_initial(&frame) else {
        return close(stream).await;
    };
    // French-locale clients leave encryptionMethods 0 and use extEncryptionMethods (2.2.1.3.3).
    let offered = match request.encryption_methods {
        Some(methods) if !methods.is_empty() => methods,
        _ => request
            .ext_encryption_methods
            .unwrap_or(EncryptionMethod::NONE),
    };
    let Some(method) = security.answer(offered.bits()) else {
        return close(stream).await;
    };
    let response = proto::encode_connect_response(&ServerSettings::new(
        RdpVersion(security.version),
        EncryptionMethod::from_bits_retain(method),
        EncryptionLevel(security.level),
    ));
    stream.write_all(&response).await?;
    hold(&mut stream).await
}

/// CredSSP: reads the client's TSRequest, and when it carries an NTLM NEGOTIATE answers with
/// a TSRequest carrying a CHALLENGE with `identity` in its TargetInfo and Version, and the
/// host's clock (the real one plus `clock_ahead_s`) as MsvAvTimestamp; then holds. Anything
/// else ends the connection without an answer. The host never asks for, nor reads,
/// credentials: the scanner stops at the CHALLENGE.
async fn answer_credssp<S: AsyncRead + AsyncWrite + Unpin>(
    tls: &mut S,
    identity: NtlmIdentity,
    clock_ahead_s: i64,
) -> io::Result<()> {
    let Some(frame) = read_tsrequest(tls).await? else {
        return Ok(());
    };
    let negotiate = TsRequest::decode(&frame)
        .ok()
        .and_then(|request| request.nego_token)
        .filter(|token| ntlm::decode_negotiate(token).is_ok());
    if negotiate.is_none() {
        return Ok(());
    }
    let clock = shifted(SystemTime::now(), clock_ahead_s);
    let challenge = challenge(identity, ntlm::system_to_filetime(clock));
    let answer = TsRequest::with_token(credssp::VERSION, challenge.encode()).encode();
    tls.write_all(&answer).await?;
    tls.flush().await?;
    hold(tls).await
}

/// `now` moved by `seconds`, either way.
fn shifted(now: SystemTime, seconds: i64) -> SystemTime {
    let by = Duration::from_secs(seconds.unsigned_abs());
    if seconds >= 0 {
        now + by
    } else {
        now - by
    }
}

/// The CHALLENGE a Windows Server 2022 domain member sends, for `identity` at `filetime`.
fn challenge(identity: NtlmIdentity, filetime: u64) -> Challenge {
    let (major, minor, build) = identity.version;
    Challenge {
        flags: NegotiateFlags::SCANNER | NegotiateFlags::TARGET_TYPE_DOMAIN,
        // Fixed: no one ever answers it (the scanner sends no AUTHENTICATE).
        server_challenge: *b"rdpsweep",
        target_name: Some(identity.domain.to_string()),
        nb_computer_name: Some(identity.computer.to_string()),
        nb_domain_name: Some(identity.domain.to_string()),
        dns_computer_name: Some(identity.dns_computer.to_string()),
        dns_domain_name: Some(identity.dns_domain.to_string()),
        dns_tree_name: Some(identity.dns_tree.to_string()),
        timestamp: Some(filetime),
        version: Some(NtlmVersion {
            major,
            minor,
            build,
            revision: NtlmVersion::SCANNER.revision,
        }),
    }
}

/// Reads exactly one TSRequest (at most [`credssp::MAX_TSREQUEST_LEN`] bytes). `None` when the
/// client goes away first or sends something else.
async fn read_tsrequest<S: AsyncRead + Unpin>(stream: &mut S) -> io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    let len = loop {
        match TsRequestHint::default().frame_size(&buf) {
            Ok(FrameSize::More(_)) => {}
            Ok(FrameSize::Whole(len)) => break len,
            Err(_) => return Ok(None),
        }
        if stream.read(&mut byte).await? == 0 {
            return Ok(None);
        }
        buf.push(byte[0]);
    };
    let start = buf.len();
    buf.resize(len.max(start), 0);
    match stream.read_exact(&mut buf[start..]).await {
        Ok(_) => Ok(Some(buf)),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(e),
    }
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
