//! TPKT framing (RFC 1006 / ITU-T T.123): `03 00 LEN_HI LEN_LO`, length big-endian and
//! counting the 4 header bytes.

/// The TPKT version byte.
pub const VERSION: u8 = 0x03;
/// Bytes in a TPKT header.
pub const HEADER_LEN: usize = 4;
/// The smallest frame that can carry an X.224 TPDU: header + LI + code + a 2-byte minimum
/// (a Data TPDU `02 f0 80`: header 4 + 3 = 7).
pub const MIN_FRAME_LEN: usize = 7;

/// What the first bytes of a buffer say about the frame they start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameLen {
    /// Fewer than 4 bytes so far, and nothing contradicts TPKT yet.
    NeedHeader,
    /// The frame is this many bytes long (header included).
    Frame(usize),
    /// The first byte is not the TPKT version: whatever answered is not RDP.
    NotTpkt,
    /// A TPKT header whose length cannot hold an X.224 TPDU.
    BadLength(u16),
}

/// Encodes a TPKT header for a frame of `frame_len` bytes (header included).
pub fn header(frame_len: u16) -> [u8; HEADER_LEN] {
    let [hi, lo] = frame_len.to_be_bytes();
    [VERSION, 0x00, hi, lo]
}

/// Reads the frame length from the start of `buf`. Never panics; needs at most 4 bytes.
pub fn frame_len(buf: &[u8]) -> FrameLen {
    match buf {
        [] => FrameLen::NeedHeader,
        [first, ..] if *first != VERSION => FrameLen::NotTpkt,
        [_, _, hi, lo, ..] => {
            let len = u16::from_be_bytes([*hi, *lo]);
            if usize::from(len) < MIN_FRAME_LEN {
                FrameLen::BadLength(len)
            } else {
                FrameLen::Frame(usize::from(len))
            }
        }
        _ => FrameLen::NeedHeader,
    }
}
