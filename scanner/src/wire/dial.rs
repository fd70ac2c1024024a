//! Opening connections. A scan dials TCP ([`TcpDial`]); tests give the probe a dialer of
//! in-memory streams, so every stage runs without sockets and under tokio's paused clock.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// A byte stream a probe can speak over: a TCP connection, or one end of an in-memory pipe.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// An open connection.
pub type Conn = Box<dyn Stream>;

/// The future of one dial.
pub type Dialing<'a> = Pin<Box<dyn Future<Output = io::Result<Conn>> + Send + 'a>>;

/// Opens connections to targets. The probe puts the connect deadline around [`Dial::dial`];
/// a dialer only reports how the attempt ended.
pub trait Dial: Send + Sync {
    fn dial(&self, addr: SocketAddr) -> Dialing<'_>;
}

/// TCP, with Nagle off: the probe sends a few small messages and waits for each answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TcpDial;

impl Dial for TcpDial {
    fn dial(&self, addr: SocketAddr) -> Dialing<'_> {
        Box::pin(async move {
            let stream = TcpStream::connect(addr).await?;
            let _ = stream.set_nodelay(true);
            Ok(Box::new(stream) as Conn)
        })
    }
}

/// The connection of a listener that reset it during or right after the TCP handshake: the
/// port is open (it answered the SYN), and every read and write says the peer reset it. A
/// reset that lands before `connect` returns and one that lands just after then read the same
/// way (`tcp=open`, `rdp=reset`), whichever the kernel's timing gives.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResetStream;

impl ResetStream {
    fn error() -> io::Error {
        io::Error::new(
            io::ErrorKind::ConnectionReset,
            "connection reset during the tcp handshake",
        )
    }
}

impl AsyncRead for ResetStream {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        _: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        std::task::Poll::Ready(Err(Self::error()))
    }
}

impl AsyncWrite for ResetStream {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        _: &[u8],
    ) -> std::task::Poll<io::Result<usize>> {
        std::task::Poll::Ready(Err(Self::error()))
    }

    fn poll_flush(
        self: Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        std::task::Poll::Ready(Err(Self::error()))
    }

    fn poll_shutdown(
        self: Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}
