//! RDP negotiation structures carried in the X.224 variable part: RDP_NEG_REQ
//! (MS-RDPBCGR 2.2.1.1.1), RDP_NEG_RSP (2.2.1.2.1) and RDP_NEG_FAILURE (2.2.1.2.2).
//! Every field is little-endian. Flag sets keep unknown bits, failure codes unknown values.

use bitflags::bitflags;

use crate::cursor::{ReadCursor, WriteBytes};
use crate::CodecError;

/// TYPE_RDP_NEG_REQ.
pub const TYPE_RDP_NEG_REQ: u8 = 0x01;
/// TYPE_RDP_NEG_RSP.
pub const TYPE_RDP_NEG_RSP: u8 = 0x02;
/// TYPE_RDP_NEG_FAILURE.
pub const TYPE_RDP_NEG_FAILURE: u8 = 0x03;
/// Every negotiation structure is 8 bytes long.
pub const NEG_LEN: usize = 8;

bitflags! {
    /// requestedProtocols (a set) and selectedProtocol (one of them): PROTOCOL_RDP, standard
    /// security, is the absence of bits ([`SecurityProtocol::RDP`]). Unknown bits are kept.
    ///
    /// `Display` writes the report word of a selectedProtocol (`rdp`, `hybrid_ex`,
    /// `unknown(0x20)`; a combination is `unknown(0xb)`), see the `words` module.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct SecurityProtocol: u32 {
        /// PROTOCOL_SSL: TLS.
        const SSL = 0x0000_0001;
        /// PROTOCOL_HYBRID: CredSSP (TLS implied).
        const HYBRID = 0x0000_0002;
        /// PROTOCOL_RDSTLS.
        const RDSTLS = 0x0000_0004;
        /// PROTOCOL_HYBRID_EX: CredSSP with Early User Authorization.
        const HYBRID_EX = 0x0000_0008;
        /// PROTOCOL_RDSAAD.
        const RDSAAD = 0x0000_0010;
        // Every bit may be set on the wire: keep them through every operation.
        const _ = !0;
    }
}

impl SecurityProtocol {
    /// PROTOCOL_RDP: standard RDP security, the absence of bits.
    pub const RDP: Self = Self::empty();
    /// What current Windows clients request: SSL | HYBRID | HYBRID_EX.
    pub const WINDOWS_CLIENT: Self = Self::SSL.union(Self::HYBRID).union(Self::HYBRID_EX);

    /// True when this selection means a TLS handshake follows on the same stream: exactly
    /// SSL, HYBRID or HYBRID_EX.
    pub fn starts_tls(self) -> bool {
        self == Self::SSL || self.is_credssp()
    }

    /// True when this selection means CredSSP follows the TLS handshake: exactly HYBRID or
    /// HYBRID_EX.
    pub fn is_credssp(self) -> bool {
        self == Self::HYBRID || self == Self::HYBRID_EX
    }
}

impl Default for SecurityProtocol {
    /// PROTOCOL_RDP.
    fn default() -> Self {
        Self::RDP
    }
}

bitflags! {
    /// RDP_NEG_REQ flags (MS-RDPBCGR 2.2.1.1.1); unknown bits kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct RequestFlags: u8 {
        const RESTRICTED_ADMIN_MODE_REQUIRED = 0x01;
        const REDIRECTED_AUTHENTICATION_MODE_REQUIRED = 0x02;
        const CORRELATION_INFO_PRESENT = 0x08;
        const _ = !0;
    }
}

bitflags! {
    /// RDP_NEG_RSP flags (MS-RDPBCGR 2.2.1.2.1); unknown bits kept. `Display` writes the
    /// report word (`extended_client_data|dynvc_gfx|0x40`), see the `words` module.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ResponseFlags: u8 {
        const EXTENDED_CLIENT_DATA_SUPPORTED = 0x01;
        const DYNVC_GFX_PROTOCOL_SUPPORTED = 0x02;
        const RDP_NEGRSP_RESERVED = 0x04;
        const RESTRICTED_ADMIN_MODE_SUPPORTED = 0x08;
        const REDIRECTED_AUTHENTICATION_MODE_SUPPORTED = 0x10;
        const _ = !0;
    }
}

impl Default for RequestFlags {
    fn default() -> Self {
        Self::empty()
    }
}

impl Default for ResponseFlags {
    fn default() -> Self {
        Self::empty()
    }
}

/// An RDP_NEG_FAILURE failureCode (MS-RDPBCGR 2.2.1.2.2); unknown codes kept. `Display`
/// writes the report word (`ssl_required`, `unknown(99)`), see the `words` module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FailureCode(pub u32);

impl FailureCode {
    pub const SSL_REQUIRED_BY_SERVER: Self = Self(1);
    pub const SSL_NOT_ALLOWED_BY_SERVER: Self = Self(2);
    pub const SSL_CERT_NOT_ON_SERVER: Self = Self(3);
    pub const INCONSISTENT_FLAGS: Self = Self(4);
    pub const HYBRID_REQUIRED_BY_SERVER: Self = Self(5);
    pub const SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER: Self = Self(6);
}

/// The negotiation data a server may put in its Connection Confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NegotiationResponse {
    /// RDP_NEG_RSP: the server selected a protocol.
    Response {
        flags: ResponseFlags,
        protocol: SecurityProtocol,
    },
    /// RDP_NEG_FAILURE: the server refuses; it closes the connection next.
    Failure { code: FailureCode },
}

/// Encodes an RDP_NEG_REQ (2.2.1.1.1).
pub fn encode_request(flags: RequestFlags, protocols: SecurityProtocol) -> Vec<u8> {
    encode(TYPE_RDP_NEG_REQ, flags.bits(), protocols.bits())
}

impl NegotiationResponse {
    /// Encodes this RDP_NEG_RSP or RDP_NEG_FAILURE (2.2.1.2.1, 2.2.1.2.2).
    pub fn encode(&self) -> Vec<u8> {
        match *self {
            NegotiationResponse::Response { flags, protocol } => {
                encode(TYPE_RDP_NEG_RSP, flags.bits(), protocol.bits())
            }
            NegotiationResponse::Failure { code } => encode(TYPE_RDP_NEG_FAILURE, 0, code.0),
        }
    }
}

fn encode(kind: u8, flags: u8, value: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(NEG_LEN);
    out.put_u8(kind);
    out.put_u8(flags);
    out.put_u16_le(NEG_LEN as u16);
    out.put_u32_le(value);
    out
}

/// The 8 bytes of one negotiation structure, its type not yet checked.
struct Fields {
    kind: u8,
    flags: u8,
    value: u32,
}

/// Reads the 8 bytes at the cursor; the length field must say 8.
fn read_fields(r: &mut ReadCursor<'_>) -> Result<Fields, CodecError> {
    let kind = r.read_u8("negotiation type")?;
    let flags = r.read_u8("negotiation flags")?;
    let length = r.read_u16_le("negotiation length")?;
    if usize::from(length) != NEG_LEN {
        return Err(CodecError::BadNegotiationLength(length));
    }
    let value = r.read_u32_le("negotiation value")?;
    Ok(Fields { kind, flags, value })
}

/// Decodes the negotiation data of a Connection Confirm from the 8 bytes at the cursor.
pub fn decode_response(r: &mut ReadCursor<'_>) -> Result<NegotiationResponse, CodecError> {
    let fields = read_fields(r)?;
    match fields.kind {
        TYPE_RDP_NEG_RSP => Ok(NegotiationResponse::Response {
            flags: ResponseFlags::from_bits_retain(fields.flags),
            protocol: SecurityProtocol::from_bits_retain(fields.value),
        }),
        TYPE_RDP_NEG_FAILURE => Ok(NegotiationResponse::Failure {
            code: FailureCode(fields.value),
        }),
        other => Err(CodecError::UnknownNegotiationType(other)),
    }
}

/// Decodes the RDP_NEG_REQ of a Connection Request from the 8 bytes at the cursor (the
/// simulated fleet's side). The length field is not checked.
pub fn decode_request(
    r: &mut ReadCursor<'_>,
) -> Result<(RequestFlags, SecurityProtocol), CodecError> {
    let kind = r.read_u8("negotiation type")?;
    if kind != TYPE_RDP_NEG_REQ {
        return Err(CodecError::UnknownNegotiationType(kind));
    }
    let flags = r.read_u8("negotiation flags")?;
    r.skip(2, "negotiation length")?;
    let protocols = r.read_u32_le("requestedProtocols")?;
    Ok((
        RequestFlags::from_bits_retain(flags),
        SecurityProtocol::from_bits_retain(protocols),
    ))
}
