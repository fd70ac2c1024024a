//! A host's row interpreted on one accepted connection: the X.224 stage here, then the TLS
//! stage ([`super::play_tls`]) or standard security ([`super::play_deep`]); the hostile
//! answers' bytes come from [`super::play_hostile`].
//!
//! Every function here reads at most [`MAX_READ`] bytes at a time, never panics on client
//! input, and returns when the client goes away; the caller runs each connection on its own task.

use std::io;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::certs::Certs;
use super::spec::{HostSpec, Tcp, Then, X224};
use super::{play_deep, play_hostile, play_tls};
use rdpsweep_codec::tpkt::HEADER_LEN;
use rdpsweep_codec::{
    ConnectionConfirm, ConnectionRequest, FrameSize, NegotiationResponse, PduHint, ResponseFlags,
    SecurityProtocol, TpktHint,
};

/// The most a server buffers from one client at a time.
pub const MAX_READ: usize = 64 * 1024;
/// How long a closing server keeps draining the client's bytes after its FIN, so that unread
/// input does not turn the close into a reset.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);
/// The SRC-REF Windows puts in its Connection Confirm.
const SRC_REF: u16 = rdpsweep_codec::x224::WINDOWS_SRC_REF;

/// Plays `spec` on an accepted connection until the client goes away.
pub async fn play(spec: &HostSpec, mut stream: TcpStream, certs: Arc<Certs>) -> io::Result<()> {
    match spec.answers.tcp {
        Tcp::Listen => {}
        // Never bound, so never accepted; closed if it were.
        Tcp::NoListener => return close(stream).await,
        Tcp::ResetAtAccept => return reset(stream),
    }
    let Some(request) = read_request(&mut stream).await? else {
        // Not an X.224 Connection Request: a server closes on garbage.
        return close(stream).await;
    };
    let answers = &spec.answers;
    if !answers.delay.is_zero() {
        tokio::time::sleep(answers.delay).await;
    }
    match answers.x224 {
        X224::Select { protocol, flags } => {
            stream
                .write_all(&confirm(Some(selects(protocol, flags))))
                .await?;
            after_select(spec, protocol, stream, &certs).await
        }
        X224::Refuse(code) => {
            let failure = NegotiationResponse::Failure { code };
            stream.write_all(&confirm(Some(failure))).await?;
            close(stream).await
        }
        X224::ConfirmWithoutNegotiation => {
            stream.write_all(&confirm(None)).await?;
            after_select(spec, SecurityProtocol::RDP, stream, &certs).await
        }
        X224::Policy(policy) => {
            let requested = request
                .negotiation
                .map(|(_, protocols)| protocols)
                .unwrap_or(SecurityProtocol::RDP);
            let answer = policy.select(requested);
            stream.write_all(&confirm(Some(answer))).await?;
            match answer {
                NegotiationResponse::Failure { .. } => close(stream).await,
                NegotiationResponse::Response { protocol, .. } => {
                    after_select(spec, protocol, stream, &certs).await
                }
            }
        }
        X224::Silence => hold(&mut stream).await,
        X224::Close => close(stream).await,
        X224::Reset => reset(stream),
        X224::Send { bytes, then } => {
            stream.write_all(bytes).await?;
            end(stream, then).await
        }
        X224::Trickle {
            protocol,
            flags,
            every,
        } => {
            stream.set_nodelay(true)?;
            let answer = confirm(Some(selects(protocol, flags)));
            for (i, byte) in answer.into_iter().enumerate() {
                if i > 0 {
                    tokio::time::sleep(every).await;
                }
                stream.write_all(&[byte]).await?;
            }
            hold(&mut stream).await
        }
        X224::LyingTpkt { length, tpdu_bytes } => {
            let body = confirm(Some(selects(
                SecurityProtocol::HYBRID,
                ResponseFlags::EXTENDED_CLIENT_DATA_SUPPORTED,
            )));
            let mut tpdu = body.get(HEADER_LEN..).unwrap_or_default().to_vec();
            tpdu.resize(tpdu_bytes, 0);
            let [high, low] = length.to_be_bytes();
            stream.write_all(&[0x03, 0x00, high, low]).await?;
            stream.write_all(&tpdu).await?;
            hold(&mut stream).await
        }
        X224::Shaped {
            protocol,
            flags,
            shape,
        } => {
            let answer = confirm(Some(selects(protocol, flags)));
            play_hostile::send_shaped(&mut stream, &answer, shape).await?;
            after_select(spec, protocol, stream, &certs).await
        }
        X224::Noise { seed } => play_hostile::noise(stream, seed).await,
    }
}

/// What follows a Connection Confirm selecting `protocol`: the TLS stage for SSL, HYBRID or
/// HYBRID_EX; standard security (if the host has it) for PROTOCOL_RDP; else holding.
async fn after_select(
    spec: &HostSpec,
    protocol: SecurityProtocol,
    mut stream: TcpStream,
    certs: &Certs,
) -> io::Result<()> {
    if protocol.starts_tls() {
        return play_tls::play(spec, protocol, stream, certs).await;
    }
    match spec.answers.standard_security {
        Some(security) if protocol == SecurityProtocol::RDP => {
            play_deep::answer_mcs(stream, security).await
        }
        Some(_) | None => hold(&mut stream).await,
    }
}

/// RDP_NEG_RSP selecting `protocol` with `flags`.
fn selects(protocol: SecurityProtocol, flags: ResponseFlags) -> NegotiationResponse {
    NegotiationResponse::Response { flags, protocol }
}

/// A Connection Confirm with this negotiation data (19 bytes), or none (11 bytes).
fn confirm(negotiation: Option<NegotiationResponse>) -> Vec<u8> {
    ConnectionConfirm {
        src_ref: SRC_REF,
        negotiation,
    }
    .encode()
}

/// Reads exactly one TPKT frame and decodes it as a Connection Request. `None` when the bytes
/// are not one; an error when the client goes away first.
async fn read_request(stream: &mut TcpStream) -> io::Result<Option<ConnectionRequest>> {
    Ok(read_tpkt(stream)
        .await?
        .and_then(|frame| ConnectionRequest::decode(&frame).ok()))
}

/// Reads exactly one TPKT frame. `None` when the first bytes are not a TPKT header; an error
/// when the client goes away first.
pub(super) async fn read_tpkt<S: AsyncRead + Unpin>(stream: &mut S) -> io::Result<Option<Vec<u8>>> {
    let mut header = [0u8; HEADER_LEN];
    stream.read_exact(&mut header).await?;
    let len = match TpktHint::ANY.frame_size(&header) {
        Ok(FrameSize::Whole(len)) => len,
        Ok(FrameSize::More(_)) | Err(_) => return Ok(None),
    };
    // A TPKT length is at most 65535, so the frame stays within MAX_READ.
    let mut frame = vec![0u8; len];
    frame[..HEADER_LEN].copy_from_slice(&header);
    stream.read_exact(&mut frame[HEADER_LEN..]).await?;
    Ok(Some(frame))
}

/// The random of a hand-built ServerHello: gmt_unix_time (RFC 5246 7.4.1.2), then 28 fixed
/// bytes. No key exchange ever follows, so nothing depends on them being unpredictable.
pub(super) fn server_random() -> [u8; 32] {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let mut random = [0x5a; 32];
    random[..4].copy_from_slice(&(now.as_secs() as u32).to_be_bytes());
    random
}

/// Ends as `then` says.
pub(super) async fn end(mut stream: TcpStream, then: Then) -> io::Result<()> {
    match then {
        Then::Hold => hold(&mut stream).await,
        Then::Close => close(stream).await,
        Then::HalfClose => {
            stream.shutdown().await?;
            hold(&mut stream).await
        }
        Then::Reset => reset(stream),
    }
}

/// Reads and discards everything until the client closes (or the connection fails).
pub(super) async fn hold<S: AsyncRead + Unpin>(stream: &mut S) -> io::Result<()> {
    let mut chunk = [0u8; 4096];
    while stream.read(&mut chunk).await? > 0 {}
    Ok(())
}

/// Closes with FIN, then drains what the client still sends for a while so that unread input
/// does not make the kernel answer with RST.
pub(super) async fn close(mut stream: TcpStream) -> io::Result<()> {
    stream.shutdown().await?;
    let _ = tokio::time::timeout(DRAIN_LIMIT, hold(&mut stream)).await;
    Ok(())
}

/// Resets the connection: with SO_LINGER 0, dropping the socket sends RST instead of FIN.
fn reset(stream: TcpStream) -> io::Result<()> {
    stream.set_zero_linger()?;
    drop(stream);
    Ok(())
}
