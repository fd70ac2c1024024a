//! The TLS stage of a host's row, on a connection whose Connection Confirm selected SSL,
//! HYBRID or HYBRID_EX, and what follows a completed handshake.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use super::certs::Certs;
use super::play::{close, hold, server_random, MAX_READ};
use super::play_deep::answer_credssp;
use super::play_hostile;
use super::spec::{AfterTls, HostSpec, Tls};
use rdpsweep_codec::legacy_tls::{self as legacy, ClientHelloRead};
use rdpsweep_codec::SecurityProtocol;
use rustls::ServerConfig;

/// TLS_RSA_WITH_AES_128_CBC_SHA: the suite of the hand-built TLS 1.0/1.1 answers.
const LEGACY_SUITE: u16 = 0x002f;
/// TLS alert protocol_version.
const ALERT_PROTOCOL_VERSION: u8 = 70;

/// Plays the row's TLS stage; `protocol` is what the Connection Confirm selected.
pub async fn play(
    spec: &HostSpec,
    protocol: SecurityProtocol,
    mut stream: TcpStream,
    certs: &Certs,
) -> io::Result<()> {
    match spec.answers.tls {
        Tls::Never | Tls::Stall => hold(&mut stream).await,
        Tls::Rustls { .. } => {
            let config = server_config(spec, certs)?;
            let mut tls = TlsAcceptor::from(config).accept(stream).await?;
            after_tls(spec, protocol, &mut tls).await
        }
        Tls::CloseOnHello => {
            read_record(&mut stream).await?;
            close(stream).await
        }
        Tls::Alert(description) => {
            read_record(&mut stream).await?;
            stream.write_all(&legacy::alert(description)).await?;
            close(stream).await
        }
        Tls::Answer {
            flight,
            delivery,
            then,
        } => {
            read_record(&mut stream).await?;
            play_hostile::answer(stream, flight, delivery, then).await
        }
        Tls::Noise { seed } => {
            read_record(&mut stream).await?;
            play_hostile::noise(stream, seed).await
        }
        Tls::Legacy { version } => {
            let hello = match read_client_hello(&mut stream).await? {
                HelloRead::Gone => return Ok(()),
                HelloRead::NotHello => return close(stream).await,
                HelloRead::Hello(hello) => hello,
            };
            if hello.max_version < legacy::TLS1_0 {
                return refuse_version(stream).await;
            }
            // A TLS 1.0-only server answers even a TLS 1.2/1.3 ClientHello with TLS 1.0.
            legacy_flight(stream, version, certs.chain(spec.behaviour)).await
        }
        Tls::Range { min, max } => {
            let hello = match read_client_hello(&mut stream).await? {
                HelloRead::Gone => return Ok(()),
                HelloRead::NotHello => return close(stream).await,
                HelloRead::Hello(hello) => hello,
            };
            let chosen = hello.max_version.min(max);
            if chosen < min {
                return refuse_version(stream).await;
            }
            if chosen < legacy::TLS1_2 {
                return legacy_flight(stream, chosen, certs.chain(spec.behaviour)).await;
            }
            let config = server_config(spec, certs)?;
            let mut tls = TlsAcceptor::from(config)
                .accept(Prefixed::new(hello.bytes, stream))
                .await?;
            after_tls(spec, protocol, &mut tls).await
        }
    }
}

/// What follows a completed rustls handshake on a connection that selected `protocol`.
async fn after_tls<S: AsyncRead + AsyncWrite + Unpin>(
    spec: &HostSpec,
    protocol: SecurityProtocol,
    tls: &mut S,
) -> io::Result<()> {
    match (spec.answers.after_tls, protocol.is_credssp()) {
        (
            AfterTls::Ntlm {
                identity,
                clock_ahead_s,
            },
            true,
        ) => answer_credssp(tls, identity, clock_ahead_s).await,
        (AfterTls::Ntlm { .. }, false) | (AfterTls::Hold, _) => hold(tls).await,
    }
}

fn server_config(spec: &HostSpec, certs: &Certs) -> io::Result<Arc<ServerConfig>> {
    certs
        .server_config(spec.behaviour)
        .ok_or_else(|| io::Error::other(format!("no tls configuration for {}", spec.name)))
}

/// A ClientHello read off the wire: the highest version it offers, and its bytes.
struct Hello {
    max_version: u16,
    bytes: Vec<u8>,
}

/// What the client sent where a ClientHello belongs.
enum HelloRead {
    /// It closed first.
    Gone,
    /// Something else, or more than [`MAX_READ`] bytes without a whole hello.
    NotHello,
    Hello(Hello),
}

/// Reads until a whole ClientHello is in.
async fn read_client_hello(stream: &mut TcpStream) -> io::Result<HelloRead> {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(HelloRead::Gone);
        }
        bytes.extend_from_slice(&chunk[..n]);
        match legacy::read_client_hello(&bytes) {
            ClientHelloRead::Incomplete if bytes.len() < MAX_READ => continue,
            ClientHelloRead::Incomplete | ClientHelloRead::NotHello => {
                return Ok(HelloRead::NotHello)
            }
            ClientHelloRead::Hello { max_version } => {
                return Ok(HelloRead::Hello(Hello { max_version, bytes }))
            }
        }
    }
}

/// Alert 70 (protocol_version), then closes.
async fn refuse_version(mut stream: TcpStream) -> io::Result<()> {
    stream
        .write_all(&legacy::alert(ALERT_PROTOCOL_VERSION))
        .await?;
    close(stream).await
}

/// The hand-built answer: a `version` ServerHello, Certificate with `chain` and
/// ServerHelloDone, then holds.
async fn legacy_flight(mut stream: TcpStream, version: u16, chain: &[Vec<u8>]) -> io::Result<()> {
    let flight = legacy::server_flight(version, LEGACY_SUITE, server_random(), chain);
    stream.write_all(&flight).await?;
    hold(&mut stream).await
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
