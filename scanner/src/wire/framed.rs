//! [`Framed`]: whole messages over any stream. It asks the codec how long the message under way
//! is. Until the length is known a read asks for up to [`READ_AHEAD`] bytes, so a short answer
//! (the 19-byte Connection Confirm) takes one system call, not one for its header and one for
//! the rest; once it is known, a read asks for what is missing and no more. Bytes that came
//! past a message are kept: the next read begins with them, and [`Framed::into_conn`] hands
//! them on ahead of the stream (to the TLS handshake after a Confirm), so none is lost. What
//! arrived is kept in the reader, not in the read's future, so a stage deadline that cancels a
//! read can still say how many bytes came.

use std::io;

use rdpsweep_codec::hint::{FrameSize, PduHint};
use rdpsweep_codec::CodecError;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::dial::Conn;
use super::failure::IoKind;
use super::replay::Replay;

/// Why no whole message was read.
#[derive(Debug)]
pub enum ReadError {
    /// The peer closed its side first.
    Closed { received: usize },
    /// A socket error, sorted.
    Io {
        kind: IoKind,
        error: io::Error,
        received: usize,
    },
    /// The bytes received cannot start such a message (the codec's verdict).
    Frame { error: CodecError, received: usize },
}

/// A stream and the bytes of the message being read from it.
pub struct Framed<S> {
    stream: S,
    /// The message under way (or the last one that failed).
    buf: Vec<u8>,
    /// Bytes that came after the last whole message: where the next read begins.
    ahead: Vec<u8>,
    /// Bytes of the message under way received so far.
    received: usize,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Framed<S> {
    pub fn new(stream: S) -> Self {
        Framed {
            stream,
            buf: Vec::new(),
            ahead: Vec::new(),
            received: 0,
        }
    }

    /// Writes `bytes` and flushes them (a TLS stream sends nothing until flushed).
    pub async fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes).await?;
        self.stream.flush().await
    }

    /// Reads exactly one message, asking `hint` how long it is as bytes arrive; what came after
    /// it is kept for the next read.
    pub async fn read_pdu(&mut self, hint: &impl PduHint) -> Result<Vec<u8>, ReadError> {
        self.take_ahead();
        loop {
            let need = match hint.frame_size(&self.buf) {
                Ok(FrameSize::Whole(len)) if self.buf.len() >= len => {
                    self.ahead = self.buf.split_off(len);
                    return Ok(std::mem::take(&mut self.buf));
                }
                Ok(FrameSize::Whole(len)) => len - self.buf.len(),
                Ok(FrameSize::More(n)) => n.max(READ_AHEAD),
                Err(error) => {
                    return Err(ReadError::Frame {
                        error,
                        received: self.buf.len(),
                    })
                }
            };
            self.fill(need).await?;
            self.received = self.buf.len();
        }
    }

    /// Feeds the bytes that arrive, in whatever pieces they come, to `push` until it returns
    /// an answer (for a parser that keeps its own state and bounds, such as the legacy TLS
    /// reader), beginning with those that came after the last message. Only one piece is held
    /// here at a time, and what `push` did not need of the last one is not kept.
    pub async fn read_until<T>(
        &mut self,
        mut push: impl FnMut(&[u8]) -> Option<T>,
    ) -> Result<T, ReadError> {
        self.take_ahead();
        if !self.buf.is_empty() {
            if let Some(answer) = push(&self.buf) {
                return Ok(answer);
            }
        }
        loop {
            self.buf.clear();
            if let Err(e) = self.fill(CHUNK).await {
                return Err(e.after(self.received));
            }
            self.received += self.buf.len();
            if let Some(answer) = push(&self.buf) {
                return Ok(answer);
            }
        }
    }

    /// Bytes of the message under way (or of the last one that failed) received so far.
    pub fn received(&self) -> usize {
        self.received
    }

    /// The bytes [`Framed::read_pdu`] holds of the message under way (or of the last one that
    /// failed), e.g. to show what a non-RDP answer began with.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The stream, for what speaks over it next, with the bytes that came after the last
    /// message given back first.
    pub fn into_inner(self) -> Replay<S> {
        Replay::new(self.ahead, self.stream)
    }

    /// The message under way begins with the bytes that came after the last one.
    fn take_ahead(&mut self) {
        self.buf.clear();
        std::mem::swap(&mut self.buf, &mut self.ahead);
        self.received = self.buf.len();
    }

    /// Reads up to `want` more bytes into the buffer (one read).
    async fn fill(&mut self, want: usize) -> Result<(), ReadError> {
        let start = self.buf.len();
        self.buf.resize(start + want, 0);
        let read = self.stream.read(&mut self.buf[start..]).await;
        let got = match &read {
            Ok(n) => *n,
            Err(_) => 0,
        };
        self.buf.truncate(start + got);
        match read {
            Ok(0) => Err(ReadError::Closed { received: start }),
            Ok(_) => Ok(()),
            Err(error) => Err(ReadError::Io {
                kind: IoKind::of(&error),
                error,
                received: start,
            }),
        }
    }
}

impl Framed<Conn> {
    /// The connection, for what speaks over it next (a TLS handshake), with the bytes that came
    /// after the last message given back first: wrapped only when there are any, which no
    /// server that waits for the client's next message sends.
    pub fn into_conn(self) -> Conn {
        match self.ahead.is_empty() {
            true => self.stream,
            false => Box::new(self.into_inner()),
        }
    }
}

impl ReadError {
    /// The same error, counting `earlier` bytes of the message received before it.
    fn after(self, earlier: usize) -> Self {
        match self {
            ReadError::Closed { received } => ReadError::Closed {
                received: received + earlier,
            },
            ReadError::Io {
                kind,
                error,
                received,
            } => ReadError::Io {
                kind,
                error,
                received: received + earlier,
            },
            ReadError::Frame { error, received } => ReadError::Frame {
                error,
                received: received + earlier,
            },
        }
    }
}

/// How much [`Framed::read_until`] reads at a time.
const CHUNK: usize = 4096;

/// What a read asks for while the length of the message under way is not known yet (or what
/// the hint says is missing, if more): more than a Connection Confirm or a negotiation
/// failure (19 bytes), or the start of an answer that is not RDP, shown in `error`.
pub const READ_AHEAD: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::{Context, Poll};
    use tokio::io::{duplex, ReadBuf};

    /// A stream that counts the reads that brought bytes (each a system call on a socket),
    /// and may hand out one byte per read (a server that trickles its answer).
    struct Counted<S> {
        inner: S,
        reads: Arc<AtomicUsize>,
        one_byte: bool,
    }

    impl<S> Counted<S> {
        fn new(inner: S) -> (Self, Arc<AtomicUsize>) {
            let reads = Arc::new(AtomicUsize::new(0));
            let counted = Counted {
                inner,
                reads: reads.clone(),
                one_byte: false,
            };
            (counted, reads)
        }

        fn trickling(inner: S) -> (Self, Arc<AtomicUsize>) {
            let (counted, reads) = Counted::new(inner);
            let counted = Counted {
                one_byte: true,
                ..counted
            };
            (counted, reads)
        }
    }

    impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            let this = self.get_mut();
            let before = buf.filled().len();
            let polled = match this.one_byte {
                true => {
                    let mut byte = [0u8; 1];
                    let mut one = ReadBuf::new(&mut byte);
                    let polled = Pin::new(&mut this.inner).poll_read(cx, &mut one);
                    buf.put_slice(one.filled());
                    polled
                }
                false => Pin::new(&mut this.inner).poll_read(cx, buf),
            };
            if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
                this.reads.fetch_add(1, Ordering::SeqCst);
            }
            polled
        }
    }

    forward_writes!(Counted);

    /// A message of a 2-byte big-endian length (itself included) and a body.
    struct TwoByteLength;

    impl PduHint for TwoByteLength {
        fn frame_size(&self, b: &[u8]) -> Result<FrameSize, CodecError> {
            match b {
                [hi, lo, ..] => match u16::from_be_bytes([*hi, *lo]) {
                    len if len < 2 => Err(CodecError::BadTpktLength(len)),
                    len => Ok(FrameSize::Whole(usize::from(len))),
                },
                _ => Ok(FrameSize::More(2 - b.len())),
            }
        }
    }

    #[tokio::test]
    async fn messages_that_come_a_byte_at_a_time_are_read_whole_one_by_one() {
        let (near, mut far) = duplex(64);
        let (near, reads) = Counted::trickling(near);
        let mut framed = Framed::new(near);
        // Two messages back to back, handed out one byte per read.
        far.write_all(&[0x00, 0x05, b'a', b'b', b'c', 0x00, 0x03, b'z'])
            .await
            .unwrap();
        let first = framed.read_pdu(&TwoByteLength).await.unwrap();
        assert_eq!(first, [0x00, 0x05, b'a', b'b', b'c']);
        let second = framed.read_pdu(&TwoByteLength).await.unwrap();
        assert_eq!(second, [0x00, 0x03, b'z']);
        assert_eq!(reads.load(Ordering::SeqCst), 8);
    }

    #[tokio::test]
    async fn a_close_mid_message_says_how_much_came() {
        let (near, mut far) = duplex(64);
        let mut framed = Framed::new(near);
        far.write_all(&[0x00, 0x09, 1, 2]).await.unwrap();
        drop(far);
        match framed.read_pdu(&TwoByteLength).await {
            Err(ReadError::Closed { received }) => assert_eq!(received, 4),
            other => panic!("{other:?}"),
        }
        assert_eq!(framed.received(), 4);
    }

    #[tokio::test]
    async fn the_codecs_verdict_stops_the_read() {
        let (near, mut far) = duplex(64);
        let mut framed = Framed::new(near);
        far.write_all(&[0x00, 0x01, 0xff]).await.unwrap();
        match framed.read_pdu(&TwoByteLength).await {
            Err(ReadError::Frame { error, received }) => {
                // The read asked for more than the length's 2 bytes: all 3 came.
                assert_eq!((error, received), (CodecError::BadTpktLength(1), 3));
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_deadline_cancels_a_read_and_the_bytes_stay_counted() {
        let (near, mut far) = duplex(64);
        let mut framed = Framed::new(near);
        far.write_all(&[0x00, 0x09, 1]).await.unwrap();
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            framed.read_pdu(&TwoByteLength),
        )
        .await;
        assert!(read.is_err(), "the read waits for the rest");
        assert_eq!(framed.received(), 3);
    }

    #[tokio::test]
    async fn read_until_feeds_what_arrives() {
        let (near, mut far) = duplex(64);
        let mut framed = Framed::new(near);
        far.write_all(b"hel").await.unwrap();
        let mut seen = Vec::new();
        let task = tokio::spawn(async move {
            far.write_all(b"lo!").await.unwrap();
            far
        });
        let answer: Result<usize, ReadError> = framed
            .read_until(|chunk| {
                seen.extend_from_slice(chunk);
                seen.ends_with(b"!").then_some(seen.len())
            })
            .await;
        assert_eq!(answer.unwrap(), 6);
        drop(task.await.unwrap());
    }

    #[tokio::test]
    async fn a_short_message_that_came_whole_takes_one_read() {
        let (near, mut far) = duplex(64);
        let (near, reads) = Counted::new(near);
        let mut framed = Framed::new(near);
        far.write_all(&[0x00, 0x05, b'a', b'b', b'c'])
            .await
            .unwrap();
        let message = framed.read_pdu(&TwoByteLength).await.unwrap();
        assert_eq!(message, [0x00, 0x05, b'a', b'b', b'c']);
        assert_eq!(reads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn bytes_past_a_message_begin_the_next_read() {
        let (near, mut far) = duplex(64);
        let (near, reads) = Counted::new(near);
        let mut framed = Framed::new(near);
        far.write_all(&[0x00, 0x03, b'x', 0x00, 0x04, b'y'])
            .await
            .unwrap();
        assert_eq!(
            framed.read_pdu(&TwoByteLength).await.unwrap(),
            [0x00, 0x03, b'x']
        );
        // The second message began in the first read; its last byte is still to come.
        let second = tokio::spawn(async move {
            let message = framed.read_pdu(&TwoByteLength).await.unwrap();
            (message, framed.received())
        });
        far.write_all(b"z").await.unwrap();
        let (message, received) = tokio::time::timeout(std::time::Duration::from_secs(5), second)
            .await
            .expect("the second message is read once its last byte comes")
            .unwrap();
        assert_eq!(message, [0x00, 0x04, b'y', b'z']);
        assert_eq!(received, 4);
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn the_stream_handed_on_gives_back_what_came_past_the_last_message() {
        let (near, mut far) = duplex(64);
        let mut framed = Framed::new(Box::new(near) as Conn);
        far.write_all(&[0x00, 0x02, 0x16, 0x03, 0x03])
            .await
            .unwrap();
        drop(far);
        assert_eq!(framed.read_pdu(&TwoByteLength).await.unwrap(), [0x00, 0x02]);
        let mut rest = Vec::new();
        framed.into_conn().read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, [0x16, 0x03, 0x03]);
    }

    #[tokio::test]
    async fn read_until_is_fed_what_came_past_the_last_message_first() {
        let (near, mut far) = duplex(64);
        let mut framed = Framed::new(near);
        far.write_all(&[0x00, 0x02, b'h', b'i']).await.unwrap();
        assert_eq!(framed.read_pdu(&TwoByteLength).await.unwrap(), [0x00, 0x02]);
        far.write_all(b"!").await.unwrap();
        let mut seen = Vec::new();
        let answer: Result<Vec<u8>, ReadError> = framed
            .read_until(|chunk| {
                seen.extend_from_slice(chunk);
                seen.ends_with(b"!").then(|| seen.clone())
            })
            .await;
        assert_eq!(answer.unwrap(), b"hi!");
    }
}
