//! CredSSP TSRequest (MS-CSSP 2.2.1), DER, as exchanged inside TLS after PROTOCOL_HYBRID:
//!
//! ```text
//! TSRequest ::= SEQUENCE {
//!     version     [0] INTEGER,
//!     negoTokens  [1] NegoData OPTIONAL,      -- SEQUENCE OF SEQUENCE { negoToken [0] OCTET STRING }
//!     authInfo    [2] OCTET STRING OPTIONAL,
//!     pubKeyAuth  [3] OCTET STRING OPTIONAL,
//!     errorCode   [4] INTEGER OPTIONAL,       -- version 3 and later
//!     clientNonce [5] OCTET STRING OPTIONAL } -- version 5 and later
//! ```
//!
//! Only the first round is modelled: the client's NTLM NEGOTIATE in `negoTokens`, and the
//! server's CHALLENGE (or `errorCode`). The client states version 6, the current one, so that a
//! server able to report an `errorCode` does so; every server answers a NEGOTIATE the same way
//! whatever the client's version, and older servers answer with their own lower version.
//!
//! Why hand-written DER rather than a crate (`der`, `rasn`, `picky-asn1-der`): six tags, all
//! explicit, with two value types; the "how many bytes make a TSRequest" hint must read the
//! outer length by hand anyway; and hostile input must map to our own classified errors. The
//! BER/DER primitives (`der.rs`) are shared with the MCS codec, so the crates' build time and
//! their error types would buy nothing here. (`asn1-rs`, already in the tree through
//! x509-parser, was the cheapest candidate: zero build cost, but its API and error type are
//! tied to x509-parser's version.)

use crate::cursor::ReadCursor;
use crate::der::{self, Reader};
use crate::hint::FrameSize;
use crate::CodecError;

/// The TSRequest version the scanner sends.
pub const VERSION: u32 = 6;
/// The largest TSRequest accepted: an NTLM CHALLENGE is a few hundred bytes; 64 KiB leaves
/// room for anything a real server sends in the first round.
pub const MAX_TSREQUEST_LEN: usize = 64 * 1024;

/// What the first bytes of a TLS-decrypted stream say about the TSRequest they start, for
/// TSRequests of at most `max` bytes. Needs at most 5 bytes.
pub(crate) fn frame_size(received: &[u8], max: usize) -> Result<FrameSize, CodecError> {
    const WHAT: &str = "credssp tsrequest";
    let mut r = ReadCursor::new(received);
    let Some(tag) = r.peek_u8() else {
        // One byte: whatever answered is told from its first byte, nothing more is taken.
        return Ok(FrameSize::More(1));
    };
    if tag != der::TAG_SEQUENCE {
        return Err(CodecError::NotTsRequest(tag));
    }
    r.skip(1, WHAT)?;
    let Some(first) = r.peek_u8() else {
        return Ok(FrameSize::More(1));
    };
    let header = 2 + der::extra_length_octets(first, WHAT)?;
    if received.len() < header {
        return Ok(FrameSize::More(header - received.len()));
    }
    let total = header + der::read_length(&mut r, WHAT)?;
    if total > max {
        return Err(CodecError::TsRequestTooLong { len: total, max });
    }
    Ok(FrameSize::Whole(total))
}

/// The parts of a TSRequest the first round uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TsRequest {
    /// `version`; values above `u32::MAX` or negative read as `u32::MAX`.
    pub version: u32,
    /// The first `negoToken` of `negoTokens` (an NTLM message here).
    pub nego_token: Option<Vec<u8>>,
    /// `errorCode`: an NTSTATUS / HRESULT, read as its 32 low bits (`0xc000006d`).
    pub error_code: Option<u32>,
}

impl TsRequest {
    /// A TSRequest of `version` carrying one negoToken.
    pub fn with_token(version: u32, token: Vec<u8>) -> Self {
        TsRequest {
            version,
            nego_token: Some(token),
            error_code: None,
        }
    }

    /// The scanner's first message: version 6 carrying an NTLM NEGOTIATE, no credentials.
    pub fn ntlm_negotiate() -> Self {
        Self::with_token(VERSION, crate::ntlm::encode_negotiate())
    }

    /// Encodes the whole TSRequest (DER).
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::new();
        let mut version = Vec::new();
        der::write_int(&mut version, der::TAG_INTEGER, i64::from(self.version));
        der::write(&mut body, &[der::context(0)], &version);
        if let Some(token) = &self.nego_token {
            let mut octets = Vec::with_capacity(token.len() + 4);
            der::write(&mut octets, &[der::TAG_OCTET_STRING], token);
            let mut field = Vec::with_capacity(octets.len() + 4);
            der::write(&mut field, &[der::context(0)], &octets);
            let mut nego_data = Vec::with_capacity(field.len() + 4);
            der::write(&mut nego_data, &[der::TAG_SEQUENCE], &field);
            let mut sequence_of = Vec::with_capacity(nego_data.len() + 4);
            der::write(&mut sequence_of, &[der::TAG_SEQUENCE], &nego_data);
            der::write(&mut body, &[der::context(1)], &sequence_of);
        }
        if let Some(code) = self.error_code {
            let mut int = Vec::new();
            // NTSTATUS values are 32-bit; Windows writes them as signed 32-bit INTEGERs.
            der::write_int(&mut int, der::TAG_INTEGER, i64::from(code as i32));
            der::write(&mut body, &[der::context(4)], &int);
        }
        let mut out = Vec::with_capacity(body.len() + 4);
        der::write(&mut out, &[der::TAG_SEQUENCE], &body);
        out
    }

    /// Decodes one TSRequest (as delimited by [`TsRequestHint`](crate::hint::TsRequestHint));
    /// bytes after it are ignored. Unknown and unused fields are skipped. Never panics.
    pub fn decode(buf: &[u8]) -> Result<Self, CodecError> {
        let body = Reader::new(buf).read(&[der::TAG_SEQUENCE], "credssp tsrequest")?;
        let mut fields = Reader::new(body);
        let mut version = None;
        let mut request = TsRequest::default();
        while !fields.is_empty() {
            let (tag, content) = fields.read_any("credssp tsrequest field")?;
            match tag {
                t if t == der::context(0) => {
                    let v = Reader::new(content).read_int(der::TAG_INTEGER, "credssp version")?;
                    version = Some(u32::try_from(v).unwrap_or(u32::MAX));
                }
                t if t == der::context(1) => {
                    request.nego_token = first_nego_token(content)?;
                }
                t if t == der::context(4) => {
                    let code =
                        Reader::new(content).read_int(der::TAG_INTEGER, "credssp errorCode")?;
                    // The 32 low bits whether sent as a negative 4-byte or a positive 5-byte
                    // INTEGER.
                    request.error_code = Some(code as u32);
                }
                _ => {}
            }
        }
        request.version = version.ok_or(CodecError::MissingVersion)?;
        Ok(request)
    }
}

/// The first negoToken of NegoData (`SEQUENCE OF SEQUENCE { [0] OCTET STRING }`).
fn first_nego_token(content: &[u8]) -> Result<Option<Vec<u8>>, CodecError> {
    let list = Reader::new(content).read(&[der::TAG_SEQUENCE], "credssp negoTokens")?;
    let mut items = Reader::new(list);
    if items.is_empty() {
        return Ok(None);
    }
    let item = items.read(&[der::TAG_SEQUENCE], "credssp NegoData")?;
    let field = Reader::new(item).read(&[der::context(0)], "credssp negoToken")?;
    let token = Reader::new(field).read(&[der::TAG_OCTET_STRING], "credssp negoToken")?;
    Ok(Some(token.to_vec()))
}
