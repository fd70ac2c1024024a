//! [`Headed`]: a stream that keeps a copy of the first bytes read from it, so that a stage
//! whose reader consumes them (rustls) can still say what the answer began with when it was
//! not what the stage expected (an HTTP server behind the Confirm, say).

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};

/// How many of the first bytes read are kept: as many as an `error` cell shows.
pub const HEAD_LEN: usize = 8;

/// A stream and the first [`HEAD_LEN`] bytes read from it.
pub struct Headed<S> {
    inner: S,
    head: Head,
}

/// The first bytes read from a [`Headed`] stream, readable after the stream was handed on.
#[derive(Debug, Clone, Default)]
pub struct Head(Arc<Mutex<Vec<u8>>>);

impl Head {
    /// The bytes read so far, at most [`HEAD_LEN`].
    pub fn bytes(&self) -> Vec<u8> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn keep(&self, read: &[u8]) {
        let mut head = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let room = HEAD_LEN.saturating_sub(head.len());
        head.extend_from_slice(&read[..room.min(read.len())]);
    }
}

impl<S> Headed<S> {
    /// `inner`, and the handle its first bytes will be readable from.
    pub fn new(inner: S) -> (Self, Head) {
        let head = Head::default();
        (
            Headed {
                inner,
                head: head.clone(),
            },
            head,
        )
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Headed<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            this.head.keep(&buf.filled()[before..]);
        }
        polled
    }
}

forward_writes!(Headed);

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{duplex, AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn the_first_bytes_read_stay_readable_after_the_stream_is_gone() {
        let (near, mut far) = duplex(64);
        let (mut headed, head) = Headed::new(near);
        far.write_all(b"HTTP/1.1 400 Bad Request").await.unwrap();
        let mut first = [0u8; 5];
        headed.read_exact(&mut first).await.unwrap();
        assert_eq!(head.bytes(), b"HTTP/");
        let mut rest = [0u8; 10];
        headed.read_exact(&mut rest).await.unwrap();
        drop(headed);
        assert_eq!(head.bytes(), b"HTTP/1.1");
    }
}
