//! RDP negotiation structures carried in the X.224 variable part: RDP_NEG_REQ
//! (MS-RDPBCGR 2.2.1.1.1), RDP_NEG_RSP (2.2.1.2.1) and RDP_NEG_FAILURE (2.2.1.2.2).
//! Every field is little-endian. Types keep unknown bits and codes.

/// TYPE_RDP_NEG_REQ.
pub const TYPE_RDP_NEG_REQ: u8 = 0x01;
/// TYPE_RDP_NEG_RSP.
pub const TYPE_RDP_NEG_RSP: u8 = 0x02;
/// TYPE_RDP_NEG_FAILURE.
pub const TYPE_RDP_NEG_FAILURE: u8 = 0x03;
/// Every negotiation structure is 8 bytes long.
pub const NEG_LEN: usize = 8;

/// requestedProtocols / selectedProtocol: a bit set; `0` is PROTOCOL_RDP (standard security).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SecurityProtocol(pub u32);

impl SecurityProtocol {
    /// PROTOCOL_RDP: standard RDP security, the absence of bits.
    pub const RDP: Self = Self(0x00);
    /// PROTOCOL_SSL: TLS.
    pub const SSL: Self = Self(0x01);
    /// PROTOCOL_HYBRID: CredSSP (TLS implied).
    pub const HYBRID: Self = Self(0x02);
    /// PROTOCOL_RDSTLS.
    pub const RDSTLS: Self = Self(0x04);
    /// PROTOCOL_HYBRID_EX: CredSSP with Early User Authorization.
    pub const HYBRID_EX: Self = Self(0x08);
    /// PROTOCOL_RDSAAD.
    pub const RDSAAD: Self = Self(0x10);
    /// What current Windows clients request: SSL | HYBRID | HYBRID_EX.
    pub const WINDOWS_CLIENT: Self = Self(0x0b);

    /// True when the selection means a TLS handshake follows on the same stream.
    pub fn starts_tls(self) -> bool {
        matches!(self, Self::SSL | Self::HYBRID | Self::HYBRID_EX)
    }
}

/// RDP_NEG_REQ flags; unknown bits are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RequestFlags(pub u8);

impl RequestFlags {
    pub const RESTRICTED_ADMIN_MODE_REQUIRED: Self = Self(0x01);
    pub const REDIRECTED_AUTHENTICATION_MODE_REQUIRED: Self = Self(0x02);
    pub const CORRELATION_INFO_PRESENT: Self = Self(0x08);
}

/// RDP_NEG_RSP flags; unknown bits are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ResponseFlags(pub u8);

impl ResponseFlags {
    pub const EXTENDED_CLIENT_DATA_SUPPORTED: Self = Self(0x01);
    pub const DYNVC_GFX_PROTOCOL_SUPPORTED: Self = Self(0x02);
    pub const RDP_NEGRSP_RESERVED: Self = Self(0x04);
    pub const RESTRICTED_ADMIN_MODE_SUPPORTED: Self = Self(0x08);
    pub const REDIRECTED_AUTHENTICATION_MODE_SUPPORTED: Self = Self(0x10);
}

/// An RDP_NEG_FAILURE failureCode; unknown codes are kept.
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
pub fn encode_request(flags: RequestFlags, protocols: SecurityProtocol) -> [u8; NEG_LEN] {
    encode(TYPE_RDP_NEG_REQ, flags.0, protocols.0)
}

impl NegotiationResponse {
    /// Encodes this RDP_NEG_RSP or RDP_NEG_FAILURE (2.2.1.2.1, 2.2.1.2.2).
    pub fn encode(&self) -> [u8; NEG_LEN] {
        match *self {
            NegotiationResponse::Response { flags, protocol } => {
                encode(TYPE_RDP_NEG_RSP, flags.0, protocol.0)
            }
            NegotiationResponse::Failure { code } => encode(TYPE_RDP_NEG_FAILURE, 0, code.0),
        }
    }
}

fn encode(kind: u8, flags: u8, value: u32) -> [u8; NEG_LEN] {
    let [l0, l1] = (NEG_LEN as u16).to_le_bytes();
    let [v0, v1, v2, v3] = value.to_le_bytes();
    [kind, flags, l0, l1, v0, v1, v2, v3]
}

/// Why 8 bytes of negotiation data could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NegDecodeError {
    /// The type byte is none of RDP_NEG_RSP / RDP_NEG_FAILURE.
    UnknownType(u8),
    /// The length field is not 8.
    BadLength(u16),
}

/// Decodes the 8-byte negotiation data of a Connection Confirm.
pub fn decode_response(b: [u8; NEG_LEN]) -> Result<NegotiationResponse, NegDecodeError> {
    let length = u16::from_le_bytes([b[2], b[3]]);
    if usize::from(length) != NEG_LEN {
        return Err(NegDecodeError::BadLength(length));
    }
    let value = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
    match b[0] {
        TYPE_RDP_NEG_RSP => Ok(NegotiationResponse::Response {
            flags: ResponseFlags(b[1]),
            protocol: SecurityProtocol(value),
        }),
        TYPE_RDP_NEG_FAILURE => Ok(NegotiationResponse::Failure {
            code: FailureCode(value),
        }),
        other => Err(NegDecodeError::UnknownType(other)),
    }
}
