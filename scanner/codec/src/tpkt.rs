//! TPKT framing (RFC 1006 / ITU-T T.123): `03 00 LEN_HI LEN_LO`, length big-endian and
//! counting the 4 header bytes. How many bytes make a frame is asked of
//! [`TpktHint`](crate::hint::TpktHint).

use crate::cursor::ReadCursor;
use crate::hint::FrameSize;
use crate::CodecError;

/// The TPKT version byte.
pub const VERSION: u8 = 0x03;
/// Bytes in a TPKT header.
pub const HEADER_LEN: usize = 4;
/// The smallest frame that can carry an X.224 TPDU: header + LI + code + a 2-byte minimum
/// (a Data TPDU `02 f0 80`: header 4 + 3 = 7).
pub const MIN_FRAME_LEN: usize = 7;
/// The largest frame a TPKT length can state.
pub const MAX_FRAME_LEN: usize = u16::MAX as usize;

/// Encodes a TPKT header for a frame of `frame_len` bytes (header included).
pub fn header(frame_len: u16) -> [u8; HEADER_LEN] {
    let [hi, lo] = frame_len.to_be_bytes();
    [VERSION, 0x00, hi, lo]
}

/// What the first bytes of a buffer say about the TPKT frame they start, for frames of at
/// most `max` bytes. Needs at most 4 bytes; a wrong first byte is known from that byte alone.
pub(crate) fn frame_size(received: &[u8], max: usize) -> Result<FrameSize, CodecError> {
    let mut r = ReadCursor::new(received);
    if r.peek_u8().is_some_and(|version| version != VERSION) {
        return Err(CodecError::NotTpkt);
    }
    if r.remaining() < HEADER_LEN {
        return Ok(FrameSize::More(HEADER_LEN - r.remaining()));
    }
    r.skip(2, "tpkt version and reserved")?;
    let len = r.read_u16_be("tpkt length")?;
    let frame_len = usize::from(len);
    if frame_len < MIN_FRAME_LEN {
        Err(CodecError::BadTpktLength(len))
    } else if frame_len > max {
        Err(CodecError::TpktTooLong {
            len: frame_len,
            max,
        })
    } else {
        Ok(FrameSize::Whole(frame_len))
    }
}
