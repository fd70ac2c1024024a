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
