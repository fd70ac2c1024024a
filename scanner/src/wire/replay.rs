//! [`Replay`]: a stream that first gives back bytes already read from it, then reads on. A
//! [`super::Framed`] reader that read past its last message hands its stream on this way, so
//! the next reader (rustls after a Connection Confirm) sees every byte the server sent.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};

/// A stream with bytes read ahead of it, given back before it is read again.
pub struct Replay<S> {
    ahead: Vec<u8>,
    /// How many of `ahead` were given back.
    given: usize,
    inner: S,
}

impl<S> Replay<S> {
    /// `inner`, whose reads begin with `ahead`.
    pub fn new(ahead: Vec<u8>, inner: S) -> Self {
        Replay {
            ahead,
            given: 0,
            inner,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Replay<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let left = &this.ahead[this.given..];
        if left.is_empty() {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        }
        let n = left.len().min(buf.remaining());
        buf.put_slice(&left[..n]);
        this.given += n;
        if this.given == this.ahead.len() {
            this.ahead = Vec::new();
            this.given = 0;
        }
        Poll::Ready(Ok(()))
    }
}

forward_writes!(Replay);

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{duplex, AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn the_bytes_read_ahead_come_first_even_into_a_small_buffer() {
        let (near, mut far) = duplex(64);
        far.write_all(b" world").await.unwrap();
        drop(far);
        let mut stream = Replay::new(b"hello".to_vec(), near);
        let mut small = [0u8; 3];
        let n = stream.read(&mut small).await.unwrap();
        assert_eq!(&small[..n], b"hel");
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, b"lo world");
    }

    #[tokio::test]
    async fn writes_go_to_the_stream() {
        let (near, mut far) = duplex(64);
        let mut stream = Replay::new(b"x".to_vec(), near);
        stream.write_all(b"request").await.unwrap();
        stream.shutdown().await.unwrap();
        let mut got = Vec::new();
        far.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"request");
    }
}
