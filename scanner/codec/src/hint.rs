//! Length hints for a framed reader (as IronRDP's `PduHint`): how many bytes make the next
//! message, asked of the bytes received so far, so that a reader hands on exactly one message
//! and keeps what follows it (the TLS handshake after a Connection Confirm, say) for the next.
//!
//! The reader loops: ask [`PduHint::frame_size`]; on [`FrameSize::More`] read (at least that
//! many bytes belong to the message) and ask again; on [`FrameSize::Whole`] read until the
//! buffer holds that many; on an error stop, as the bytes are not the message expected.

use crate::{credssp, tpkt, CodecError};

/// How much of one message the bytes received so far say there is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameSize {
    /// At least this many more bytes are needed before the length is known; all of them
    /// belong to the message.
    More(usize),
    /// The whole message is this many bytes (header included).
    Whole(usize),
}

/// Says how long the message starting a buffer is.
pub trait PduHint {
    /// What `received`, the bytes read so far, say about the length of the message they
    /// start. Never panics; an error means the bytes are not such a message.
    fn frame_size(&self, received: &[u8]) -> Result<FrameSize, CodecError>;
}

/// A TPKT frame (RFC 1006) of at most `max_len` bytes: the header's 4 bytes say the length.
///
/// Errors: [`CodecError::NotTpkt`] from the first byte (whatever answered is not RDP),
/// [`CodecError::BadTpktLength`] for a length below 7 (no TPDU fits), and
/// [`CodecError::TpktTooLong`] above `max_len` (both protocol errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TpktHint {
    max_len: usize,
}

impl TpktHint {
    /// Any length a TPKT header can state (up to 65,535 bytes).
    pub const ANY: Self = Self {
        max_len: tpkt::MAX_FRAME_LEN,
    };

    /// Frames of at most `max_len` bytes, header included.
    pub const fn new(max_len: usize) -> Self {
        TpktHint { max_len }
    }

    /// The longest frame accepted.
    pub const fn max_len(&self) -> usize {
        self.max_len
    }
}

impl PduHint for TpktHint {
    fn frame_size(&self, received: &[u8]) -> Result<FrameSize, CodecError> {
        tpkt::frame_size(received, self.max_len)
    }
}

/// A CredSSP TSRequest (MS-CSSP 2.2.1): a DER SEQUENCE whose length octets say the length,
/// at most `max_len` bytes (by default [`credssp::MAX_TSREQUEST_LEN`]).
///
/// Errors: [`CodecError::NotTsRequest`] from the first byte, [`CodecError::BadDerLength`] for
/// the indefinite form or more than 3 length octets, [`CodecError::TsRequestTooLong`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TsRequestHint {
    max_len: usize,
}

impl TsRequestHint {
    /// TSRequests of at most `max_len` bytes, tag and length included.
    pub const fn new(max_len: usize) -> Self {
        TsRequestHint { max_len }
    }

    /// The longest TSRequest accepted.
    pub const fn max_len(&self) -> usize {
        self.max_len
    }
}

impl Default for TsRequestHint {
    fn default() -> Self {
        Self::new(credssp::MAX_TSREQUEST_LEN)
    }
}

impl PduHint for TsRequestHint {
    fn frame_size(&self, received: &[u8]) -> Result<FrameSize, CodecError> {
        credssp::frame_size(received, self.max_len)
    }
}

#[cfg(test)]
#[path = "hint_tests.rs"]
mod tests;
