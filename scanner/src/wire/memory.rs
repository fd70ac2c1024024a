//! A dialer of in-memory connections for tests: each dial asks a script what the "server"
//! does (refuse, never answer, or serve one end of a pipe), so the probe's stages run without
//! a socket and, under tokio's paused clock, their deadlines pass in no time.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{duplex, DuplexStream};

use super::dial::{Conn, Dial, Dialing};

/// A server's side of one connection.
pub type Serve = Box<dyn FnOnce(DuplexStream) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// What the far end does with the n-th dial.
pub enum Answer {
    /// The connect is refused (nothing listens).
    Refuse,
    /// The connect never completes (a filtered port).
    Hang,
    /// The connect fails with this error (a reset during the handshake, no route...).
    Fail(io::ErrorKind),
    /// The connect completes; the function plays the server on the far end of the pipe.
    Serve(Serve),
}

impl Answer {
    /// A server running `play` on its end of the pipe.
    pub fn serve<F, Fut>(play: F) -> Answer
    where
        F: FnOnce(DuplexStream) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Answer::Serve(Box::new(move |stream| Box::pin(play(stream))))
    }
}

/// Dials by script: the n-th dial (from 0) gets `script(n)`.
pub struct MemoryDial {
    script: Box<dyn Fn(usize) -> Answer + Send + Sync>,
    dials: AtomicUsize,
}

impl MemoryDial {
    pub fn new(script: impl Fn(usize) -> Answer + Send + Sync + 'static) -> Arc<MemoryDial> {
        Arc::new(MemoryDial {
            script: Box::new(script),
            dials: AtomicUsize::new(0),
        })
    }

    /// How many connections were dialed.
    pub fn dials(&self) -> usize {
        self.dials.load(Ordering::SeqCst)
    }
}

impl Dial for MemoryDial {
    fn dial(&self, _addr: SocketAddr) -> Dialing<'_> {
        let n = self.dials.fetch_add(1, Ordering::SeqCst);
        let answer = (self.script)(n);
        Box::pin(async move {
            match answer {
                Answer::Refuse => Err(io::Error::from(io::ErrorKind::ConnectionRefused)),
                Answer::Hang => std::future::pending().await,
                Answer::Fail(kind) => Err(io::Error::from(kind)),
                Answer::Serve(play) => {
                    let (near, far) = duplex(1 << 17);
                    tokio::spawn(play(far));
                    Ok(Box::new(near) as Conn)
                }
            }
        })
    }
}
