//! X.224 Connection Request (MS-RDPBCGR 2.2.1.1) and Connection Confirm (2.2.1.2) TPDUs,
//! each inside one TPKT frame.
//!
//! Layout after the TPKT header: `LI` (bytes that follow it in the TPDU header and variable
//! part), the TPDU code (`0xE0` CR, `0xD0` CC), DST-REF (2), SRC-REF (2), class (1), then the
//! variable part: optional cookie (requests only) and optional 8-byte negotiation data.

use std::fmt;

use super::nego::{
    self, NegDecodeError, NegotiationResponse, RequestFlags, SecurityProtocol, NEG_LEN,
};
use super::tpkt::{self, FrameLen, HEADER_LEN};

/// TPDU code of a Connection Request (credit 0).
pub const CODE_CR: u8 = 0xe0;
/// TPDU code of a Connection Confirm.
pub const CODE_CC: u8 = 0xd0;
/// TPDU code of a Disconnect Request.
pub const CODE_DR: u8 = 0x80;
/// TPDU code of a Data TPDU.
pub const CODE_DT: u8 = 0xf0;
/// LI of a CR/CC without a variable part: code, DST-REF, SRC-REF, class.
const FIXED_LI: usize = 6;
/// The SRC-REF Windows servers put in their Connection Confirm.
pub const WINDOWS_SRC_REF: u16 = 0x1234;

/// A client's X.224 Connection Request with its optional cookie and RDP_NEG_REQ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRequest {
    /// The `IDENTIFIER` of `Cookie: mstshash=IDENTIFIER\r\n`; `None` sends no cookie.
    pub cookie: Option<String>,
    /// The RDP_NEG_REQ; `None` sends none (as pre-RDP 5.2 clients did).
    pub negotiation: Option<(RequestFlags, SecurityProtocol)>,
}

/// A server's X.224 Connection Confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionConfirm {
    /// SRC-REF as sent (Windows `0x1234`, xrdp `0x0000`).
    pub src_ref: u16,
    /// The negotiation data; `None` for a pre-Vista Confirm without it (standard security).
    pub negotiation: Option<NegotiationResponse>,
}

/// What a server answered a Connection Request with, decoded from one TPKT frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerAnswer {
    Confirm(ConnectionConfirm),
    /// An X.224 Disconnect Request TPDU.
    DisconnectRequest,
    /// An X.224 Data TPDU (some xrdp builds answer a request they dislike with an MCS
    /// Disconnect Provider Ultimatum: `03 00 00 09 02 f0 80 21 80`).
    Data,
}

/// Why a frame is not a well-formed answer. Messages are lowercase, for the `error` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// The first byte is not the TPKT version `0x03`.
    NotTpkt,
    /// The TPKT length cannot hold an X.224 TPDU.
    BadTpktLength(u16),
    /// The frame is shorter than its TPKT length says.
    Truncated { expected: usize, got: usize },
    /// The X.224 length indicator does not fit the frame.
    BadLengthIndicator { li: u8, frame_len: usize },
    /// A TPDU code this exchange does not expect.
    UnexpectedTpdu(u8),
    /// Between 1 and 7 bytes of negotiation data.
    TruncatedNegotiation(usize),
    /// Negotiation data with an unknown type or a wrong length field.
    Negotiation(NegDecodeError),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DecodeError::NotTpkt => write!(f, "not a tpkt frame"),
            DecodeError::BadTpktLength(len) => write!(f, "impossible tpkt length {len}"),
            DecodeError::Truncated { expected, got } => {
                write!(f, "tpkt frame of {expected} bytes cut at {got}")
            }
            DecodeError::BadLengthIndicator { li, frame_len } => {
                write!(
                    f,
                    "x.224 length indicator {li} does not fit a {frame_len}-byte frame"
                )
            }
            DecodeError::UnexpectedTpdu(code) => {
                write!(f, "unexpected x.224 tpdu code {code:#04x}")
            }
            DecodeError::TruncatedNegotiation(n) => {
                write!(f, "negotiation data of {n} bytes, expected 8")
            }
            DecodeError::Negotiation(NegDecodeError::UnknownType(t)) => {
                write!(f, "unknown negotiation type {t:#04x}")
            }
            DecodeError::Negotiation(NegDecodeError::BadLength(l)) => {
                write!(f, "negotiation length field {l}, expected 8")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

const COOKIE_PREFIX: &[u8] = b"Cookie: mstshash=";

impl ConnectionRequest {
    /// What a current Windows client sends: a cookie and a request for SSL|HYBRID|HYBRID_EX.
    pub fn windows_client(cookie: &str) -> Self {
        ConnectionRequest {
            cookie: Some(cookie.to_string()),
            negotiation: Some((RequestFlags(0), SecurityProtocol::WINDOWS_CLIENT)),
        }
    }

    /// Encodes the whole TPKT frame.
    ///
    /// A cookie is cut so that the frame's LI fits its one byte; it must not contain `\r\n`.
    pub fn encode(&self) -> Vec<u8> {
        let mut variable = Vec::new();
        if let Some(cookie) = &self.cookie {
            let room = 254 - FIXED_LI - NEG_LEN - COOKIE_PREFIX.len() - 2;
            let id: Vec<u8> = cookie
                .bytes()
                .filter(|b| *b != b'\r' && *b != b'\n')
                .take(room)
                .collect();
            variable.extend_from_slice(COOKIE_PREFIX);
            variable.extend_from_slice(&id);
            variable.extend_from_slice(b"\r\n");
        }
        if let Some((flags, protocols)) = self.negotiation {
            variable.extend_from_slice(&nego::encode_request(flags, protocols));
        }
        encode_tpdu(CODE_CR, 0x0000, &variable)
    }

    /// Decodes a request from one whole frame (used by the simulated fleet).
    pub fn decode(frame: &[u8]) -> Result<Self, DecodeError> {
        let (code, _src_ref, variable) = split_tpdu(frame)?;
        if code & 0xf0 != CODE_CR {
            return Err(DecodeError::UnexpectedTpdu(code));
        }
        let mut rest = variable;
        let mut cookie = None;
        if rest.starts_with(b"Cookie: ") {
            let end = rest
                .windows(2)
                .position(|w| w == b"\r\n")
                .ok_or(DecodeError::TruncatedNegotiation(rest.len()))?;
            let line = &rest[..end];
            let id = line.strip_prefix(COOKIE_PREFIX).unwrap_or(line);
            cookie = Some(String::from_utf8_lossy(id).into_owned());
            rest = &rest[end + 2..];
        }
        let negotiation = match rest.len() {
            0 => None,
            n if n < NEG_LEN => return Err(DecodeError::TruncatedNegotiation(n)),
            _ => {
                if rest[0] != nego::TYPE_RDP_NEG_REQ {
                    return Err(DecodeError::Negotiation(NegDecodeError::UnknownType(
                        rest[0],
                    )));
                }
                let protocols = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]);
                Some((RequestFlags(rest[1]), SecurityProtocol(protocols)))
            }
        };
        Ok(ConnectionRequest {
            cookie,
            negotiation,
        })
    }
}

impl ConnectionConfirm {
    /// Encodes the whole TPKT frame: 19 bytes with negotiation data, 11 without.
    pub fn encode(&self) -> Vec<u8> {
        let variable = self.negotiation.map(|n| n.encode());
        encode_tpdu(
            CODE_CC,
            self.src_ref,
            variable.as_ref().map_or(&[][..], |v| &v[..]),
        )
    }
}

/// Decodes a server's answer from one whole TPKT frame (as delimited by [`tpkt::frame_len`]).
/// Never panics, whatever the bytes.
pub fn decode_server_answer(frame: &[u8]) -> Result<ServerAnswer, DecodeError> {
    let (code, src_ref, variable) = split_tpdu(frame)?;
    match code & 0xf0 {
        CODE_CC => {}
        CODE_DR => return Ok(ServerAnswer::DisconnectRequest),
        CODE_DT => return Ok(ServerAnswer::Data),
        _ => return Err(DecodeError::UnexpectedTpdu(code)),
    }
    let negotiation = match variable.len() {
        0 => None,
        n if n < NEG_LEN => return Err(DecodeError::TruncatedNegotiation(n)),
        _ => {
            let mut neg = [0u8; NEG_LEN];
            neg.copy_from_slice(&variable[..NEG_LEN]);
            Some(nego::decode_response(neg).map_err(DecodeError::Negotiation)?)
        }
    };
    Ok(ServerAnswer::Confirm(ConnectionConfirm {
        src_ref,
        negotiation,
    }))
}

/// What a frame after the Connection Confirm carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFrame<'a> {
    /// An X.224 Data TPDU and its user data (the MCS PDU).
    Data(&'a [u8]),
    /// An X.224 Disconnect Request TPDU.
    DisconnectRequest,
}

/// Encodes `payload` in an X.224 Data TPDU (`02 f0 80`, LI 2, EOT) inside one TPKT frame.
/// Payloads above 65,528 bytes do not fit a TPKT frame; callers encode far smaller PDUs.
pub fn encode_data(payload: &[u8]) -> Vec<u8> {
    let frame_len = HEADER_LEN + 3 + payload.len();
    let mut out = Vec::with_capacity(frame_len);
    out.extend_from_slice(&tpkt::header(u16::try_from(frame_len).unwrap_or(u16::MAX)));
    out.extend_from_slice(&[0x02, CODE_DT, 0x80]);
    out.extend_from_slice(payload);
    out
}

/// Decodes one whole TPKT frame expected to hold a Data TPDU. Never panics.
pub fn decode_data(frame: &[u8]) -> Result<DataFrame<'_>, DecodeError> {
    let (code, _, _) = split_tpdu(frame)?;
    match code & 0xf0 {
        CODE_DT => {
            // split_tpdu checked that LI fits the frame and the TPKT length fits `frame`.
            let frame_len = usize::from(u16::from_be_bytes([frame[2], frame[3]]));
            let start = HEADER_LEN + 1 + usize::from(frame[HEADER_LEN]);
            Ok(DataFrame::Data(&frame[start..frame_len]))
        }
        CODE_DR => Ok(DataFrame::DisconnectRequest),
        _ => Err(DecodeError::UnexpectedTpdu(code)),
    }
}

/// Builds a CR/CC TPDU frame: TPKT header, LI, code, DST-REF 0, SRC-REF, class 0, variable part.
fn encode_tpdu(code: u8, src_ref: u16, variable: &[u8]) -> Vec<u8> {
    let li = FIXED_LI + variable.len();
    let frame_len = HEADER_LEN + 1 + li;
    let mut out = Vec::with_capacity(frame_len);
    // LI is at most 254 by construction (the cookie is cut in `ConnectionRequest::encode`).
    out.extend_from_slice(&tpkt::header(frame_len as u16));
    out.push(li as u8);
    out.push(code);
    out.extend_from_slice(&[0x00, 0x00]);
    out.extend_from_slice(&src_ref.to_be_bytes());
    out.push(0x00);
    out.extend_from_slice(variable);
    out
}

/// Checks the TPKT header and LI of a whole frame and returns (code, SRC-REF, variable part).
/// Data and Disconnect TPDUs have shorter fixed parts: their SRC-REF reads as 0.
fn split_tpdu(frame: &[u8]) -> Result<(u8, u16, &[u8]), DecodeError> {
    let frame_len = match tpkt::frame_len(frame) {
        FrameLen::Frame(len) => len,
        FrameLen::NotTpkt => return Err(DecodeError::NotTpkt),
        FrameLen::BadLength(len) => return Err(DecodeError::BadTpktLength(len)),
        FrameLen::NeedHeader => {
            return Err(DecodeError::Truncated {
                expected: HEADER_LEN,
                got: frame.len(),
            })
        }
    };
    if frame.len() < frame_len {
        return Err(DecodeError::Truncated {
            expected: frame_len,
            got: frame.len(),
        });
    }
    let frame = &frame[..frame_len];
    let li = frame[HEADER_LEN];
    let tpdu_end = HEADER_LEN + 1 + usize::from(li);
    if li < 2 || tpdu_end > frame_len {
        return Err(DecodeError::BadLengthIndicator { li, frame_len });
    }
    let code = frame[HEADER_LEN + 1];
    if matches!(code & 0xf0, CODE_DT | CODE_DR) {
        return Ok((code, 0, &[]));
    }
    if usize::from(li) < FIXED_LI {
        return Err(DecodeError::BadLengthIndicator { li, frame_len });
    }
    let src_ref = u16::from_be_bytes([frame[8], frame[9]]);
    Ok((code, src_ref, &frame[HEADER_LEN + 1 + FIXED_LI..tpdu_end]))
}
