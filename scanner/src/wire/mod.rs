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
