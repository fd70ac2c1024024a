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
