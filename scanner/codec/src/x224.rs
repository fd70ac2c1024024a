//! X.224 Connection Request (MS-RDPBCGR 2.2.1.1) and Connection Confirm (2.2.1.2) TPDUs,
//! each inside one TPKT frame, and the Data TPDUs that carry MCS after them.
//!
//! Layout after the TPKT header: `LI` (bytes that follow it in the TPDU header and variable
//! part), the TPDU code (`0xE0` CR, `0xD0` CC), DST-REF (2), SRC-REF (2), class (1), then the
//! variable part: optional cookie (requests only) and optional 8-byte negotiation data.

use crate::cursor::{ReadCursor, WriteBytes};
use crate::hint::FrameSize;
use crate::nego::{self, NegotiationResponse, RequestFlags, SecurityProtocol, NEG_LEN};
use crate::tpkt::{self, HEADER_LEN};
use crate::CodecError;

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

const COOKIE_PREFIX: &[u8] = b"Cookie: mstshash=";

impl ConnectionRequest {
    /// What a current Windows client sends: a cookie and a request for SSL|HYBRID|HYBRID_EX.
    pub fn windows_client(cookie: &str) -> Self {
        ConnectionRequest {
            cookie: Some(cookie.to_string()),
            negotiation: Some((RequestFlags::empty(), SecurityProtocol::WINDOWS_CLIENT)),
        }
    }

    /// Encodes the whole TPKT frame.
    ///
    /// A cookie is cut so that the frame's LI fits its one byte; it must not contain `\r\n`.
    pub fn encode(&self) -> Vec<u8> {
        // Room for the longest variable part, so that it is allocated once.
        let mut variable = Vec::with_capacity(254 - FIXED_LI);
        if let Some(cookie) = &self.cookie {
            let room = 254 - FIXED_LI - NEG_LEN - COOKIE_PREFIX.len() - 2;
            variable.put_slice(COOKIE_PREFIX);
            variable.extend(
                cookie
                    .bytes()
                    .filter(|b| *b != b'\r' && *b != b'\n')
                    .take(room),
            );
            variable.put_slice(b"\r\n");
        }
        if let Some((flags, protocols)) = self.negotiation {
            variable.put_slice(&nego::encode_request(flags, protocols));
        }
        encode_tpdu(CODE_CR, 0x0000, &variable)
    }

    /// Decodes a request from one whole frame (used by the simulated fleet).
    pub fn decode(frame: &[u8]) -> Result<Self, CodecError> {
        let tpdu = split_tpdu(frame)?;
        if tpdu.code & 0xf0 != CODE_CR {
            return Err(CodecError::UnexpectedTpdu(tpdu.code));
        }
        let mut r = ReadCursor::new(tpdu.variable);
        let mut cookie = None;
        if r.rest().starts_with(b"Cookie: ") {
            let end = r
                .rest()
                .windows(2)
                .position(|w| w == b"\r\n")
                .ok_or(CodecError::TruncatedNegotiation(r.remaining()))?;
            let line = r.read_slice(end, "cookie")?;
            r.skip(2, "cookie end")?;
            let id = line.strip_prefix(COOKIE_PREFIX).unwrap_or(line);
            cookie = Some(String::from_utf8_lossy(id).into_owned());
        }
        let negotiation = match r.remaining() {
            0 => None,
            n if n < NEG_LEN => return Err(CodecError::TruncatedNegotiation(n)),
            _ => Some(nego::decode_request(&mut r)?),
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
        let variable = self.negotiation.map(|n| n.encode()).unwrap_or_default();
        encode_tpdu(CODE_CC, self.src_ref, &variable)
    }
}

/// Decodes a server's answer from one whole TPKT frame (as delimited by
/// [`TpktHint`](crate::hint::TpktHint)). Never panics, whatever the bytes.
pub fn decode_server_answer(frame: &[u8]) -> Result<ServerAnswer, CodecError> {
    let tpdu = split_tpdu(frame)?;
    match tpdu.code & 0xf0 {
        CODE_CC => {}
        CODE_DR => return Ok(ServerAnswer::DisconnectRequest),
        CODE_DT => return Ok(ServerAnswer::Data),
        _ => return Err(CodecError::UnexpectedTpdu(tpdu.code)),
    }
    let mut r = ReadCursor::new(tpdu.variable);
    let negotiation = match r.remaining() {
        0 => None,
        n if n < NEG_LEN => return Err(CodecError::TruncatedNegotiation(n)),
        _ => Some(nego::decode_response(&mut r)?),
    };
    Ok(ServerAnswer::Confirm(ConnectionConfirm {
        src_ref: tpdu.src_ref,
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
    out.put_slice(&tpkt::header(u16::try_from(frame_len).unwrap_or(u16::MAX)));
    out.put_slice(&[0x02, CODE_DT, 0x80]);
    out.put_slice(payload);
    out
}

/// Decodes one whole TPKT frame expected to hold a Data TPDU. Never panics.
pub fn decode_data(frame: &[u8]) -> Result<DataFrame<'_>, CodecError> {
    let tpdu = split_tpdu(frame)?;
    match tpdu.code & 0xf0 {
        CODE_DT => Ok(DataFrame::Data(tpdu.user_data)),
        CODE_DR => Ok(DataFrame::DisconnectRequest),
        _ => Err(CodecError::UnexpectedTpdu(tpdu.code)),
    }
}

/// Builds a CR/CC TPDU frame: TPKT header, LI, code, DST-REF 0, SRC-REF, class 0, variable part.
fn encode_tpdu(code: u8, src_ref: u16, variable: &[u8]) -> Vec<u8> {
    let li = FIXED_LI + variable.len();
    let frame_len = HEADER_LEN + 1 + li;
    let mut out = Vec::with_capacity(frame_len);
    // LI is at most 254 by construction (the cookie is cut in `ConnectionRequest::encode`).
    out.put_slice(&tpkt::header(frame_len as u16));
    out.put_u8(li as u8);
    out.put_u8(code);
    out.put_u16_be(0x0000); // DST-REF
    out.put_u16_be(src_ref);
    out.put_u8(0x00); // class 0
    out.put_slice(variable);
    out
}

/// One TPDU of a whole frame.
struct Tpdu<'a> {
    code: u8,
    /// SRC-REF of a CR/CC; 0 for Data and Disconnect TPDUs, whose fixed parts are shorter.
    src_ref: u16,
    /// The variable part of a CR/CC (empty for the others).
    variable: &'a [u8],
    /// What follows the TPDU header up to the TPKT length (a Data TPDU's MCS PDU).
    user_data: &'a [u8],
}

/// Checks the TPKT header and LI of a whole frame and splits its TPDU.
fn split_tpdu(frame: &[u8]) -> Result<Tpdu<'_>, CodecError> {
    let frame_len = match tpkt::frame_size(frame, tpkt::MAX_FRAME_LEN)? {
        FrameSize::Whole(len) => len,
        FrameSize::More(_) => {
            return Err(CodecError::FrameTruncated {
                expected: HEADER_LEN,
                got: frame.len(),
            })
        }
    };
    let mut whole = ReadCursor::new(frame);
    let mut r = ReadCursor::new(whole.read_slice(frame_len, "tpkt frame").map_err(|_| {
        CodecError::FrameTruncated {
            expected: frame_len,
            got: frame.len(),
        }
    })?);
    r.skip(HEADER_LEN, "tpkt header")?;
    let li = r.read_u8("x.224 length indicator")?;
    let bad_li = CodecError::BadLengthIndicator { li, frame_len };
    if li < 2 || usize::from(li) > r.remaining() {
        return Err(bad_li);
    }
    let mut header = ReadCursor::new(r.read_slice(usize::from(li), "x.224 header")?);
    let user_data = r.read_rest();
    let code = header.read_u8("x.224 tpdu code")?;
    if matches!(code & 0xf0, CODE_DT | CODE_DR) {
        return Ok(Tpdu {
            code,
            src_ref: 0,
            variable: &[],
            user_data,
        });
    }
    if usize::from(li) < FIXED_LI {
        return Err(bad_li);
    }
    header.skip(2, "x.224 dst-ref")?;
    let src_ref = header.read_u16_be("x.224 src-ref")?;
    header.skip(1, "x.224 class")?;
    Ok(Tpdu {
        code,
        src_ref,
        variable: header.read_rest(),
        user_data,
    })
}
