//! The one error type of the codec: why bytes are not the message expected, why an NTLM
//! CHALLENGE was read with a defect, why a report word could not be read back.
//!
//! Messages are lowercase: the probe writes them in the `error` column and in deep notes. A
//! field named in a message (`what`) is the specification's name prefixed by its protocol
//! (`"mcs Connect-Response.result"`) and written lowercased.

use crate::legacy_tls::TlsWireVersion;

/// Everything that can be wrong with input to the codec. Variants keep the values seen, so a
/// caller can classify them (not RDP, protocol error) and a test can name them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    // ---- Any field (the shared cursor) ----
    /// The input ends inside the named field.
    #[error("{}: truncated", what.to_ascii_lowercase())]
    Truncated { what: &'static str },
    /// The named field holds a value this codec does not accept (the first offending byte).
    #[error("{}: unexpected byte {byte:#04x}", what.to_ascii_lowercase())]
    UnexpectedByte { what: &'static str, byte: u8 },

    // ---- TPKT and X.224 (MS-RDPBCGR 2.2.1.1, 2.2.1.2) ----
    /// The first byte is not the TPKT version `0x03`: whatever answered is not RDP.
    #[error("not a tpkt frame")]
    NotTpkt,
    /// A TPKT length that cannot hold an X.224 TPDU.
    #[error("impossible tpkt length {0}")]
    BadTpktLength(u16),
    /// A TPKT length above what the reader accepts for the message it waits for.
    #[error("tpkt length {len} is over the {max} bytes allowed")]
    TpktTooLong { len: usize, max: usize },
    /// The frame is shorter than its TPKT length says.
    #[error("tpkt frame of {expected} bytes cut at {got}")]
    FrameTruncated { expected: usize, got: usize },
    /// The X.224 length indicator does not fit the frame.
    #[error("x.224 length indicator {li} does not fit a {frame_len}-byte frame")]
    BadLengthIndicator { li: u8, frame_len: usize },
    /// A TPDU code this exchange does not expect.
    #[error("unexpected x.224 tpdu code {0:#04x}")]
    UnexpectedTpdu(u8),
    /// Between 1 and 7 bytes of negotiation data.
    #[error("negotiation data of {0} bytes, expected 8")]
    TruncatedNegotiation(usize),
    /// Negotiation data whose type is none this side expects.
    #[error("unknown negotiation type {0:#04x}")]
    UnknownNegotiationType(u8),
    /// Negotiation data whose length field is not 8.
    #[error("negotiation length field {0}, expected 8")]
    BadNegotiationLength(u16),

    // ---- BER / DER (MCS, CredSSP) ----
    /// Another tag stands where the named field's tag belongs (the first differing byte).
    #[error("{}: unexpected tag {tag:#04x}", what.to_ascii_lowercase())]
    UnexpectedTag { what: &'static str, tag: u8 },
    /// The indefinite length form (`0x80`) or more than 3 length octets.
    #[error("{}: unsupported length octet {octet:#04x}", what.to_ascii_lowercase())]
    BadDerLength { what: &'static str, octet: u8 },
    /// An INTEGER wider than this codec keeps (8 bytes).
    #[error("{}: integer of {len} bytes", what.to_ascii_lowercase())]
    IntegerTooLong { what: &'static str, len: usize },

    // ---- MCS (T.125) and GCC (T.124) ----
    /// The MCS PDU is none this exchange expects (its first byte).
    #[error("unexpected mcs pdu starting {0:#04x}")]
    UnexpectedMcsPdu(u8),
    /// A Data TPDU with no MCS PDU in it.
    #[error("x.224 data tpdu without an mcs pdu")]
    EmptyMcsData,
    /// A Disconnect Provider Ultimatum cut before its reason bits.
    #[error("disconnect provider ultimatum truncated")]
    TruncatedUltimatum,
    /// A data block whose length is below 4 or runs past the end.
    #[error("data block {block_type:#06x} with impossible length {length}")]
    BadBlockLength { block_type: u16, length: u16 },
    /// A required data block is absent.
    #[error("no data block {0:#06x}")]
    MissingBlock(u16),
    /// A data block too short for a field this codec reads.
    #[error("data block {block_type:#06x} too short ({length} bytes)")]
    ShortBlock { block_type: u16, length: u16 },

    // ---- CredSSP (MS-CSSP 2.2.1) ----
    /// The first byte is not a SEQUENCE tag: whatever answered is not CredSSP.
    #[error("not a credssp tsrequest (first byte {0:#04x})")]
    NotTsRequest(u8),
    /// A TSRequest longer than the reader accepts.
    #[error("credssp tsrequest of {len} bytes, over {max} allowed")]
    TsRequestTooLong { len: usize, max: usize },
    /// The mandatory `version` field is absent.
    #[error("credssp tsrequest without a version")]
    MissingVersion,

    // ---- NTLM (MS-NLMP 2.2.1) ----
    /// Shorter than the fixed header.
    #[error("ntlm message of {got} bytes, need {need}")]
    NtlmTruncated { need: usize, got: usize },
    /// Not `NTLMSSP\0`.
    #[error("not an ntlm message")]
    NotNtlm,
    /// Another MessageType than the one expected.
    #[error("unexpected ntlm message type {0}")]
    WrongNtlmMessageType(u32),
    /// A (length, offset) field pointing outside the message.
    #[error("ntlm {field} of {len} bytes at offset {offset} is outside the message")]
    NtlmOutOfBounds {
        field: &'static str,
        offset: u32,
        len: u16,
    },
    /// A UTF-16 string of an odd number of bytes (tolerated by `Challenge::decode_reporting`).
    #[error("ntlm {field} is utf-16 of odd length {len}")]
    OddUtf16 { field: &'static str, len: u16 },
    /// An AV_PAIR whose value runs past the TargetInfo buffer.
    #[error("ntlm av pair {av_id} of {len} bytes runs past target info")]
    AvPairOutOfBounds { av_id: u16, len: u16 },
    /// TargetInfo ends without MsvAvEOL at a pair boundary (tolerated).
    #[error("ntlm target info without msvaveol")]
    MissingEol,
    /// TargetInfo ends 1 to 3 bytes into an AV_PAIR header.
    #[error("ntlm target info ends {left} bytes into an av pair header")]
    AvHeaderCut { left: usize },
    /// An MsvAvTimestamp that is not 8 bytes (tolerated).
    #[error("ntlm timestamp of {0} bytes, expected 8")]
    BadTimestampLength(u16),

    // ---- A server's clear-text TLS answer (RFC 5246) ----
    /// A first byte that is no TLS record type.
    #[error("not tls: first byte {0:#04x}")]
    NotTls(u8),
    /// A record whose version major is not 3.
    #[error("not tls: record version major {0:#04x}")]
    NotTlsVersion(u8),
    /// A record type other than handshake and alert before the certificate.
    #[error("unexpected tls record type {0}")]
    UnexpectedRecordType(u8),
    /// A record length beyond what TLS allows.
    #[error("tls record length {0} too large")]
    RecordTooLong(u16),
    /// An alert record that is not 2 bytes.
    #[error("alert record of {0} bytes")]
    BadAlertRecord(usize),
    /// A handshake record with no bytes.
    #[error("empty handshake record")]
    EmptyHandshakeRecord,
    /// The server sent more than `MAX_FLIGHT_LEN` before its certificate.
    #[error("server flight larger than 256 kib")]
    FlightTooLarge,
    /// One handshake message longer than `MAX_FLIGHT_LEN`.
    #[error("handshake message of {0} bytes, larger than 256 kib")]
    HandshakeTooLarge(usize),
    /// A handshake message type a server does not send there.
    #[error("unexpected handshake message type {0}")]
    UnexpectedHandshake(u8),
    #[error("second server hello")]
    SecondServerHello,
    #[error("certificate before server hello")]
    CertificateBeforeServerHello,
    /// ServerHelloDone before any Certificate.
    #[error("server sent no certificate")]
    NoCertificate,
    #[error("malformed server hello")]
    MalformedServerHello,
    /// A ServerHello whose version is outside SSL 3.0 to TLS 1.2.
    #[error("server hello with version {}", TlsWireVersion(*.0))]
    ServerHelloVersion(u16),
    /// A ServerHello selecting TLS 1.3 or later through supported_versions.
    #[error("server selected {} via supported_versions", TlsWireVersion(*.0))]
    SupportedVersionsSelected(u16),
    #[error("malformed certificate message")]
    MalformedCertificate,

    // ---- Report words ----
    /// Text that is not a word of the named kind (`FromStr` of the report word types).
    #[error("unknown {kind} value {value:?}")]
    UnknownWord { kind: &'static str, value: String },
}
