//! The probe's wire layer: the one place where bytes meet sockets.
//!
//! - [`dial`]: how a connection is opened ([`Dial`]); the probe is given a dialer, so its stages
//!   run over real TCP in a scan and over in-memory streams in tests.
//! - [`framed`]: [`Framed`], one reader of whole messages over any stream, sized by the codec's
//!   length hints ([`rdpsweep_codec::hint::PduHint`]); bytes that come past a message are kept
//!   for what reads next.
//! - [`failure`]: one classification of socket errors ([`IoKind`]) into what the record says.
//! - [`head`]: [`Headed`], a stream that keeps its first bytes, for what a stage says of an
//!   answer its reader consumed.
//! - [`replay`]: [`Replay`], a stream that gives back bytes read ahead of it first.
//! - `memory` (tests): a scripted dialer of in-memory pipes.
//!
//! Deadlines are not set here: a stage puts one deadline around everything it does.

/// Implements `AsyncWrite` for a stream wrapper `$wrapper<S>` that only watches or changes
/// reads: every write goes to its `inner` stream as it is, vectored writes included (rustls
/// hands several records to one vectored write, which a TCP stream sends as one segment: the
/// ChangeCipherSpec and the Finished together).
macro_rules! forward_writes {
    ($wrapper:ident) => {
        impl<S: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for $wrapper<S> {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
            }

            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                self.inner.is_write_vectored()
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut self.get_mut().inner).poll_flush(cx)
            }

            fn poll_shutdown(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
            }
        }
    };
}

pub mod dial;
pub mod failure;
pub mod framed;
pub mod head;
#[cfg(test)]
pub mod memory;
pub mod replay;

pub use dial::{Conn, Dial, TcpDial};
pub use failure::IoKind;
pub use framed::{Framed, ReadError};
pub use head::{Head, Headed};
pub use replay::Replay;

#[cfg(test)]
mod tests {
    use std::io;
    use std::pin::Pin;
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll};

    use tokio::io::{AsyncWrite, AsyncWriteExt};

    use super::{Headed, Replay};

    /// A stream that takes vectored writes and keeps what each call that reaches it brought.
    #[derive(Clone, Default)]
    struct VectoredSink(Arc<Mutex<Vec<Vec<u8>>>>);

    impl VectoredSink {
        fn calls(&self) -> Vec<Vec<u8>> {
            self.0.lock().unwrap().clone()
        }
    }

    impl AsyncWrite for VectoredSink {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            self.0.lock().unwrap().push(buf.to_vec());
            Poll::Ready(Ok(buf.len()))
        }

        fn poll_write_vectored(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            bufs: &[io::IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            let call = bufs.iter().flat_map(|b| b.iter().copied()).collect();
            self.0.lock().unwrap().push(call);
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

    /// A ChangeCipherSpec and a Finished, as rustls hands them over in one vectored write.
    const RECORDS: [&[u8]; 2] = [
        &[0x14, 0x03, 0x03, 0x00, 0x01, 0x01],
        &[0x17, 0x03, 0x03, 0x00, 0x02, 0xaa, 0xbb],
    ];

    /// The calls that reach the stream under `wrapper` when the records are written through it.
    async fn calls_through(mut wrapper: impl AsyncWrite + Unpin, sink: &VectoredSink) -> usize {
        assert!(wrapper.is_write_vectored());
        let slices = RECORDS.map(io::IoSlice::new);
        assert_eq!(wrapper.write_vectored(&slices).await.unwrap(), 13);
        assert_eq!(sink.calls().concat(), RECORDS.concat());
        sink.calls().len()
    }

    #[tokio::test]
    async fn records_written_together_reach_the_stream_in_one_call() {
        let sink = VectoredSink::default();
        let (headed, _) = Headed::new(sink.clone());
        assert_eq!(calls_through(headed, &sink).await, 1, "through Headed");
        let sink = VectoredSink::default();
        let replay = Replay::new(b"read ahead".to_vec(), sink.clone());
        assert_eq!(calls_through(replay, &sink).await, 1, "through Replay");
    }
}
