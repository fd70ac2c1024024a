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

use std::fmt;

use super::der::{self, DerError, HeaderLen, Reader};

/// The TSRequest version the scanner sends.
pub const VERSION: u32 = 6;
/// The largest TSRequest accepted: an NTLM CHALLENGE is a few hundred bytes; 64 KiB leaves
/// room for anything a real server sends in the first round.
pub const MAX_TSREQUEST_LEN: usize = 64 * 1024;

/// What the first bytes of a TLS-decrypted stream say about the TSRequest they start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsFrameLen {
    /// Too few bytes to know the length yet.
    NeedMore,
    /// The TSRequest is this many bytes long (tag and length included).
    Frame(usize),
    /// The first byte is not a SEQUENCE tag: whatever answered is not CredSSP.
    NotTsRequest(u8),
    /// Indefinite or over-long DER length form (the length octet).
    BadLength(u8),
    /// A length above [`MAX_TSREQUEST_LEN`].
    TooLong(usize),
}

/// Reads the length of the TSRequest that starts `buf`. Never panics; needs at most 5 bytes.
pub fn frame_len(buf: &[u8]) -> TsFrameLen {
    match buf.first() {
        None => return TsFrameLen::NeedMore,
        Some(&tag) if tag != der::TAG_SEQUENCE => return TsFrameLen::NotTsRequest(tag),
        Some(_) => {}
    }
    match der::read_length(&buf[1..]) {
        HeaderLen::Incomplete => TsFrameLen::NeedMore,
        HeaderLen::Bad(b) => TsFrameLen::BadLength(b),
        HeaderLen::Known { header, content } => {
            let total = 1 + header + content;
            if total > MAX_TSREQUEST_LEN {
                TsFrameLen::TooLong(total)
            } else {
                TsFrameLen::Frame(total)
            }
        }
    }
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

/// Why bytes are not a TSRequest. Messages are lowercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredsspError {
    /// A DER field is malformed.
    Der(DerError),
    /// The mandatory `version` field is absent.
    MissingVersion,
}

impl fmt::Display for CredsspError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredsspError::Der(e) => write!(f, "credssp {e}"),
            CredsspError::MissingVersion => write!(f, "credssp tsrequest without a version"),
        }
    }
}

impl std::error::Error for CredsspError {}

impl From<DerError> for CredsspError {
    fn from(e: DerError) -> Self {
        CredsspError::Der(e)
    }
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
        Self::with_token(VERSION, super::ntlm::encode_negotiate())
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

    /// Decodes one TSRequest (as delimited by [`frame_len`]); bytes after it are ignored.
    /// Unknown and unused fields are skipped. Never panics.
    pub fn decode(buf: &[u8]) -> Result<Self, CredsspError> {
        let body = Reader::new(buf).read(&[der::TAG_SEQUENCE], "tsrequest")?;
        let mut fields = Reader::new(body);
        let mut version = None;
        let mut request = TsRequest::default();
        while !fields.is_empty() {
            let (tag, content) = fields.read_any("tsrequest field")?;
            match tag {
                t if t == der::context(0) => {
                    let v = Reader::new(content).read_int(der::TAG_INTEGER, "version")?;
                    version = Some(u32::try_from(v).unwrap_or(u32::MAX));
                }
                t if t == der::context(1) => {
                    request.nego_token = first_nego_token(content)?;
                }
                t if t == der::context(4) => {
                    let code = Reader::new(content).read_int(der::TAG_INTEGER, "errorCode")?;
                    // The 32 low bits whether sent as a negative 4-byte or a positive 5-byte
                    // INTEGER.
                    request.error_code = Some(code as u32);
                }
                _ => {}
            }
        }
        request.version = version.ok_or(CredsspError::MissingVersion)?;
        Ok(request)
    }
}

/// The first negoToken of NegoData (`SEQUENCE OF SEQUENCE { [0] OCTET STRING }`).
fn first_nego_token(content: &[u8]) -> Result<Option<Vec<u8>>, DerError> {
    let list = Reader::new(content).read(&[der::TAG_SEQUENCE], "negoTokens")?;
    let mut items = Reader::new(list);
    if items.is_empty() {
        return Ok(None);
    }
    let item = items.read(&[der::TAG_SEQUENCE], "NegoData")?;
    let field = Reader::new(item).read(&[der::context(0)], "negoToken")?;
    let token = Reader::new(field).read(&[der::TAG_OCTET_STRING], "negoToken")?;
    Ok(Some(token.to_vec()))
}
