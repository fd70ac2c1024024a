//! What each behaviour does on one accepted connection.
//!
//! Every function here reads at most [`MAX_READ`] bytes at a time, never panics on client
//! input, and returns when the client goes away; the caller runs each connection on its own task.

use std::io;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use super::behaviour::{SLOW_DELAY, TRICKLE_INTERVAL};
use super::certs::Certs;
use super::Behaviour;
use rdpsweep_codec::legacy_tls::{self as legacy, ClientHelloRead};
use rdpsweep_codec::tpkt::HEADER_LEN;
use rdpsweep_codec::{
    ConnectionConfirm, ConnectionRequest, FailureCode, FrameSize, NegotiationResponse, PduHint,
    ResponseFlags, SecurityProtocol, TpktHint,
};

/// The most a server buffers from one client at a time.
pub const MAX_READ: usize = 64 * 1024;
/// How long a closing server keeps draining the client's bytes after its FIN, so that unread
/// input does not turn the close into a reset.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);
/// The SRC-REF Windows puts in its Connection Confirm.
const SRC_REF: u16 = rdpsweep_codec::x224::WINDOWS_SRC_REF;
/// What the `http` host answers.
const HTTP_400: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
/// The X.224 Data TPDU carrying an MCS Disconnect Provider Ultimatum, as some xrdp builds send.
const XRDP_DISCONNECT: [u8; 9] = [0x03, 0x00, 0x00, 0x09, 0x02, 0xf0, 0x80, 0x21, 0x80];
/// TLS_RSA_WITH_AES_128_CBC_SHA, the `tls10-only` host's cipher suite.
const TLS_RSA_WITH_AES_128_CBC_SHA: u16 = 0x002f;
/// TLS alert descriptions.
const ALERT_PROTOCOL_VERSION: u8 = 70;
const ALERT_INTERNAL_ERROR: u8 = 80;

/// Plays `behaviour` on an accepted connection until the client goes away.
pub async fn play(
    behaviour: Behaviour,
    mut stream: TcpStream,
    certs: Arc<Certs>,
) -> io::Result<()> {
    let Some(request) = read_request(&mut stream).await? else {
        // Not an X.224 Connection Request: a server closes on garbage.
        return close(stream).await;
    };
    if behaviour.policy().is_some() {
        return super::play_deep::play(behaviour, request, stream, certs).await;
    }
    if let Some(code) = behaviour.failure_code() {
        let failure = NegotiationResponse::Failure {
            code: FailureCode(code),
        };
        let answer = ConnectionConfirm {
            src_ref: SRC_REF,
            negotiation: Some(failure),
        }
        .encode();
        stream.write_all(&answer).await?;
        return close(stream).await;
    }
    match behaviour {
        Behaviour::Healthy | Behaviour::HealthyEcdsa => {
            stream
                .write_all(&confirm(SecurityProtocol::HYBRID_EX, 0x1f))
                .await?;
            serve_tls(stream, &certs, behaviour).await
        }
        Behaviour::HealthySsl | Behaviour::WeakCert => {
            stream
                .write_all(&confirm(SecurityProtocol::SSL, 0x00))
                .await?;
            serve_tls(stream, &certs, behaviour).await
        }
        Behaviour::CertExpired
        | Behaviour::CertExpiring
        | Behaviour::CertNotYetValid
        | Behaviour::FormulaSubject => {
            stream
                .write_all(&confirm(SecurityProtocol::HYBRID, 0x01))
                .await?;
            serve_tls(stream, &certs, behaviour).await
        }
        Behaviour::Slow => {
            tokio::time::sleep(SLOW_DELAY).await;
            stream
                .write_all(&confirm(SecurityProtocol::HYBRID, 0x01))
                .await?;
            serve_tls(stream, &certs, behaviour).await
        }
        Behaviour::Silent => hold(&mut stream).await,
        Behaviour::AcceptClose => close(stream).await,
        Behaviour::Reset => {
            // SO_LINGER 0: dropping the socket sends RST instead of FIN.
            stream.set_zero_linger()?;
            drop(stream);
            Ok(())
        }
        Behaviour::TlsClose => {
            stream
                .write_all(&confirm(SecurityProtocol::SSL, 0x00))
                .await?;
            read_record(&mut stream).await?;
            close(stream).await
        }
        Behaviour::TlsStall => {
            stream
                .write_all(&confirm(SecurityProtocol::SSL, 0x00))
                .await?;
            hold(&mut stream).await
        }
        Behaviour::TlsAlert => {
            stream
                .write_all(&confirm(SecurityProtocol::HYBRID, 0x01))
                .await?;
            read_record(&mut stream).await?;
            stream
                .write_all(&legacy::alert(ALERT_INTERNAL_ERROR))
                .await?;
            close(stream).await
        }
        Behaviour::Tls10Only => {
            stream
                .write_all(&confirm(SecurityProtocol::SSL, 0x00))
                .await?;
            serve_tls10(stream, certs.tls10_chain()).await
        }
        Behaviour::PreVista => {
            let answer = ConnectionConfirm {
                src_ref: SRC_REF,
                negotiation: None,
            }
            .encode();
            stream.write_all(&answer).await?;
            hold(&mut stream).await
        }
        Behaviour::Http => {
            stream.write_all(HTTP_400).await?;
            close(stream).await
        }
        Behaviour::Trickle => {
            stream.set_nodelay(true)?;
            for (i, byte) in confirm(SecurityProtocol::HYBRID, 0x01)
                .into_iter()
                .enumerate()
            {
                if i > 0 {
                    tokio::time::sleep(TRICKLE_INTERVAL).await;
                }
                stream.write_all(&[byte]).await?;
            }
            hold(&mut stream).await
        }
        Behaviour::BadLength => {
            // A TPKT length of 2 cannot even hold its own header; 8 bytes of a Confirm follow.
            let body = confirm(SecurityProtocol::HYBRID, 0x01);
            stream.write_all(&[0x03, 0x00, 0x00, 0x02]).await?;
            stream.write_all(&body[HEADER_LEN..HEADER_LEN + 8]).await?;
            hold(&mut stream).await
        }
        Behaviour::OversizedLength => {
            // A valid Confirm whose TPKT length says 65535: the header, then the Confirm's 15
            // bytes after its own header, and nothing more.
            let body = confirm(SecurityProtocol::HYBRID, 0x01);
            stream.write_all(&[0x03, 0x00, 0xff, 0xff]).await?;
            stream.write_all(&body[HEADER_LEN..]).await?;
            hold(&mut stream).await
        }
        Behaviour::XrdpDisconnect => {
            stream.write_all(&XRDP_DISCONNECT).await?;
            close(stream).await
        }
        // Deep hosts were played above; `no-listener` is never bound; failure hosts were
        // answered above.
        Behaviour::PolicyRdpOnly
        | Behaviour::PolicyTlsOnly
        | Behaviour::PolicyNegotiate
        | Behaviour::PolicyNlaRequired
        | Behaviour::PolicyHybridEx
        | Behaviour::TlsRange10
        | Behaviour::TlsRange10To11
        | Behaviour::TlsRange10To12
        | Behaviour::TlsRange10To13
        | Behaviour::TlsRange11To12
        | Behaviour::TlsRange12
        | Behaviour::TlsRange12To13
        | Behaviour::TlsRange13
        | Behaviour::StdSecurityNone
        | Behaviour::StdSecurityLow
        | Behaviour::StdSecurityClientCompatible
        | Behaviour::StdSecurityHigh
        | Behaviour::StdSecurityFips
        | Behaviour::NtlmIdentity
        | Behaviour::NoListener
        | Behaviour::NegFailure1
        | Behaviour::NegFailure2
        | Behaviour::NegFailure3
        | Behaviour::NegFailure4
        | Behaviour::NegFailure5
        | Behaviour::NegFailure6
        | Behaviour::NegFailureUnknown => Ok(()),
    }
}

/// A 19-byte Connection Confirm selecting `protocol` with these RDP_NEG_RSP flags.
fn confirm(protocol: SecurityProtocol, flags: u8) -> Vec<u8> {
    let negotiation = NegotiationResponse::Response {
        flags: ResponseFlags::from_bits_retain(flags),
        protocol,
    };
    ConnectionConfirm {
        src_ref: SRC_REF,
        negotiation: Some(negotiation),
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

/// Reads one TLS record (5-byte header and body): the ClientHello, for the hosts that fail on it.
async fn read_record(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut record = vec![0u8; 5];
    stream.read_exact(&mut record).await?;
    let len = usize::from(u16::from_be_bytes([record[3], record[4]]));
    record.resize(5 + len, 0);
    stream.read_exact(&mut record[5..]).await?;
    Ok(record)
}

/// A rustls handshake with this host's configuration, then reads until the client closes.
async fn serve_tls(stream: TcpStream, certs: &Certs, behaviour: Behaviour) -> io::Result<()> {
    let config = certs
        .server_config(behaviour)
        .ok_or_else(|| io::Error::other(format!("no tls configuration for {behaviour}")))?;
    let mut tls = TlsAcceptor::from(config).accept(stream).await?;
    hold(&mut tls).await
}

/// The hand-built TLS 1.0 server: answers any ClientHello that offers TLS 1.0 or later with a
/// TLS 1.0 ServerHello, Certificate and ServerHelloDone, then holds.
async fn serve_tls10(mut stream: TcpStream, chain: &[Vec<u8>]) -> io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        match legacy::read_client_hello(&buf) {
            ClientHelloRead::Incomplete if buf.len() < MAX_READ => continue,
            ClientHelloRead::Incomplete | ClientHelloRead::NotHello => return close(stream).await,
            ClientHelloRead::Hello { max_version } if max_version < legacy::TLS1_0 => {
                stream
                    .write_all(&legacy::alert(ALERT_PROTOCOL_VERSION))
                    .await?;
                return close(stream).await;
            }
            ClientHelloRead::Hello { .. } => {
                // A TLS 1.0-only server answers even a TLS 1.2/1.3 ClientHello with TLS 1.0.
                let flight = legacy::server_flight(
                    legacy::TLS1_0,
                    TLS_RSA_WITH_AES_128_CBC_SHA,
                    server_random(),
                    chain,
                );
                stream.write_all(&flight).await?;
                return hold(&mut stream).await;
            }
        }
    }
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
