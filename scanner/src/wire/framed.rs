//! [`Framed`]: whole messages over any stream. It asks the codec how long the message under way
//! is and reads exactly that, so nothing that follows (the TLS handshake after a Connection
//! Confirm) is consumed. What arrived is kept in the reader, not in the read's future, so a
//! stage deadline that cancels a read can still say how many bytes came.

use std::io;

use rdpsweep_codec::hint::{FrameSize, PduHint};
use rdpsweep_codec::CodecError;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::failure::IoKind;

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
    buf: Vec<u8>,
    /// Bytes of the message under way received so far.
    received: usize,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Framed<S> {
    pub fn new(stream: S) -> Self {
        Framed {
            stream,
            buf: Vec::new(),
            received: 0,
        }
    }

    /// Writes `bytes` and flushes them (a TLS stream sends nothing until flushed).
    pub async fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes).await?;
        self.stream.flush().await
    }

    /// Reads exactly one message, asking `hint` how long it is as bytes arrive: at most what
    /// the hint says is missing is read at a time.
    pub async fn read_pdu(&mut self, hint: &impl PduHint) -> Result<Vec<u8>, ReadError> {
        self.buf.clear();
        self.received = 0;
        loop {
            let need = match hint.frame_size(&self.buf) {
                Ok(FrameSize::Whole(len)) if self.buf.len() >= len => {
                    return Ok(std::mem::take(&mut self.buf))
                }
                Ok(FrameSize::Whole(len)) => len - self.buf.len(),
                Ok(FrameSize::More(n)) => n.max(1),
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
    /// reader). Only one piece is held here at a time.
    pub async fn read_until<T>(
        &mut self,
        mut push: impl FnMut(&[u8]) -> Option<T>,
    ) -> Result<T, ReadError> {
        self.received = 0;
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

    /// The stream, for what speaks over it next (a TLS handshake). Nothing is lost: a
    /// [`Framed::read_pdu`] never reads past its message.
    pub fn into_inner(self) -> S {
        self.stream
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

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::duplex;

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
    async fn one_message_is_read_whole_and_nothing_after_it() {
        let (near, mut far) = duplex(64);
        let mut framed = Framed::new(near);
        // Sent one byte at a time, with the next message right behind it.
        for byte in [0x00, 0x05, b'a', b'b', b'c', 0x00, 0x03, b'z'] {
            far.write_all(&[byte]).await.unwrap();
        }
        let first = framed.read_pdu(&TwoByteLength).await.unwrap();
        assert_eq!(first, [0x00, 0x05, b'a', b'b', b'c']);
        let second = framed.read_pdu(&TwoByteLength).await.unwrap();
        assert_eq!(second, [0x00, 0x03, b'z']);
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
                assert_eq!((error, received), (CodecError::BadTpktLength(1), 2));
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
}
