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
    use tokio::io::{duplex, AsyncReadExt, AsyncWrite, AsyncWriteExt};

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

    /// A stream that takes vectored writes and counts the calls that reach it.
    #[derive(Default)]
    struct VectoredSink {
        calls: usize,
        bytes: Vec<u8>,
    }

    impl AsyncWrite for VectoredSink {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            this.calls += 1;
            this.bytes.extend_from_slice(buf);
            Poll::Ready(Ok(buf.len()))
        }

        fn poll_write_vectored(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            bufs: &[io::IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            this.calls += 1;
            bufs.iter().for_each(|b| this.bytes.extend_from_slice(b));
            Poll::Ready(Ok(bufs.iter().map(|b| b.len()).sum()))
        }

        fn is_write_vectored(&self) -> bool {
            true
        }

        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    impl AsyncRead for VectoredSink {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            _: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn records_written_together_reach_the_stream_in_one_call() {
        let (mut headed, _) = Headed::new(VectoredSink::default());
        assert!(headed.is_write_vectored());
        // A ChangeCipherSpec and a Finished, as rustls hands them over.
        let records = [
            io::IoSlice::new(&[0x14, 0x03, 0x03, 0x00, 0x01, 0x01]),
            io::IoSlice::new(&[0x17, 0x03, 0x03, 0x00, 0x02, 0xaa, 0xbb]),
        ];
        let written = headed.write_vectored(&records).await.unwrap();
        assert_eq!(written, 13);
        assert_eq!(headed.inner.calls, 1);
        assert_eq!(headed.inner.bytes.len(), 13);
    }
}
