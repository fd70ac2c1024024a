//! Sans-IO codec for the RDP connection-initiation exchange (MS-RDPBCGR 2.2.1.1 and 2.2.1.2).
//!
//! Pure functions over bytes: no sockets, no clocks, and no panics on any input. The probe
//! engine asks [`tpkt::frame_len`] how many bytes make a frame, reads exactly that, and hands
//! the frame to [`x224::decode_server_answer`].
//!
//! Why hand-written rather than `ironrdp-pdu`: its decoder drops unknown protocol and flag bits
//! (`from_bits_truncate`) and reads a Confirm without negotiation data as "standard RDP
//! selected", while a scanner must keep unknown values and tell those cases apart; it also
//! reports truncated, non-TPKT and impossible-length input as one generic error, and the
//! simulated fleet must emit exactly such malformed frames. The layouts involved are a few
//! dozen bytes, so the codec is small and tested byte for byte against the specification.

pub mod nego;
pub mod tpkt;
pub mod x224;

pub use nego::{FailureCode, NegotiationResponse, RequestFlags, ResponseFlags, SecurityProtocol};
pub use tpkt::{frame_len, FrameLen};
pub use x224::{
    decode_server_answer, ConnectionConfirm, ConnectionRequest, DecodeError, ServerAnswer,
};

#[cfg(test)]
mod tests;
