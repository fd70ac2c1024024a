//! MCS Connect Initial and Connect Response (T.125, BER) in X.224 Data TPDUs: the Basic
//! Settings Exchange of standard RDP security (MS-RDPBCGR 2.2.1.3, 2.2.1.4), and the server's
//! other possible answers (a refusal, a Disconnect Provider Ultimatum, an X.224 Disconnect).
//!
//! Client: [`encode_connect_initial`], then [`decode_connect_response`] on the next frame.
//! Server (the simulated fleet): [`decode_connect_initial`], then [`encode_connect_response`],
//! [`encode_connect_refusal`] or [`encode_disconnect_provider_ultimatum`].

use std::fmt;

use crate::cursor::ReadCursor;
use crate::der::{self, Reader};
use crate::gcc::{self, ClientRequest, ClientSettings, ServerData, ServerSettings};
use crate::x224::{self, DataFrame};
use crate::CodecError;

/// BER tag of Connect-Initial (`[APPLICATION 101]`, constructed).
const TAG_CONNECT_INITIAL: [u8; 2] = [0x7f, 0x65];
/// BER tag of Connect-Response (`[APPLICATION 102]`, constructed).
const TAG_CONNECT_RESPONSE: [u8; 2] = [0x7f, 0x66];
/// DomainMCSPDU CHOICE index of disconnectProviderUltimatum.
const DPU_CHOICE: u8 = 8;

/// The client's targetParameters (MS-RDPBCGR 3.2.5.3.3): 34 channels, 2 users, 0 tokens, 1
/// priority, 0 throughput, height 1, 65535-byte PDUs, protocol version 2.
const TARGET_PARAMETERS: [u8; 25] = [
    0x02, 0x01, 0x22, 0x02, 0x01, 0x02, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02,
    0x01, 0x01, 0x02, 0x02, 0xff, 0xff, 0x02, 0x01, 0x02,
];
/// minimumParameters: 1, 1, 1, 1, 0, 1, 1056, 2.
const MINIMUM_PARAMETERS: [u8; 25] = [
    0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02,
    0x01, 0x01, 0x02, 0x02, 0x04, 0x20, 0x02, 0x01, 0x02,
];
/// maximumParameters: 65535, 64535, 65535, 1, 0, 1, 65535, 2 (written as Windows does,
/// without the sign octet).
const MAXIMUM_PARAMETERS: [u8; 28] = [
    0x02, 0x02, 0xff, 0xff, 0x02, 0x02, 0xfc, 0x17, 0x02, 0x02, 0xff, 0xff, 0x02, 0x01, 0x01, 0x02,
    0x01, 0x00, 0x02, 0x01, 0x01, 0x02, 0x02, 0xff, 0xff, 0x02, 0x01, 0x02,
];
/// The server's domainParameters (MS-RDPBCGR 4.1.4): 34, 3, 0, 1, 0, 1, 65528, 2.
const SERVER_PARAMETERS: [u8; 26] = [
    0x02, 0x01, 0x22, 0x02, 0x01, 0x03, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02,
    0x01, 0x01, 0x02, 0x03, 0x00, 0xff, 0xf8, 0x02, 0x01, 0x02,
];

/// An MCS Connect-Response `result` (T.125 Result); unknown values kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct McsResult(pub u32);

impl McsResult {
    pub const RT_SUCCESSFUL: Self = Self(0);
    pub const RT_DOMAIN_MERGING: Self = Self(1);
    pub const RT_DOMAIN_NOT_HIERARCHICAL: Self = Self(2);
    pub const RT_NO_SUCH_CHANNEL: Self = Self(3);
    pub const RT_NO_SUCH_DOMAIN: Self = Self(4);
    pub const RT_NO_SUCH_USER: Self = Self(5);
    pub const RT_NOT_ADMITTED: Self = Self(6);
    pub const RT_OTHER_USER_ID: Self = Self(7);
    pub const RT_PARAMETERS_UNACCEPTABLE: Self = Self(8);
    pub const RT_TOKEN_NOT_AVAILABLE: Self = Self(9);
    pub const RT_TOKEN_NOT_POSSESSED: Self = Self(10);
    pub const RT_TOO_MANY_CHANNELS: Self = Self(11);
    pub const RT_TOO_MANY_TOKENS: Self = Self(12);
    pub const RT_TOO_MANY_USERS: Self = Self(13);
    /// What Windows sends for GCC data it rejects (MS-RDPBCGR 3.3.5.3.3.1).
    pub const RT_UNSPECIFIED_FAILURE: Self = Self(14);
    pub const RT_USER_REJECTED: Self = Self(15);

    /// The T.125 name (`rt-unspecified-failure`), `None` for a value T.125 does not define.
    pub fn name(self) -> Option<&'static str> {
        const NAMES: [&str; 16] = [
            "rt-successful",
            "rt-domain-merging",
            "rt-domain-not-hierarchical",
            "rt-no-such-channel",
            "rt-no-such-domain",
            "rt-no-such-user",
            "rt-not-admitted",
            "rt-other-user-id",
            "rt-parameters-unacceptable",
            "rt-token-not-available",
            "rt-token-not-possessed",
            "rt-too-many-channels",
            "rt-too-many-tokens",
            "rt-too-many-users",
            "rt-unspecified-failure",
            "rt-user-rejected",
        ];
        NAMES.get(usize::try_from(self.0).ok()?).copied()
    }
}

impl fmt::Display for McsResult {
    /// The name and value (`rt-unspecified-failure (14)`), or `unknown (99)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name().unwrap_or("unknown"), self.0)
    }
}

/// A Disconnect Provider Ultimatum `reason` (T.125 Reason, 3 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DisconnectReason(pub u8);

impl DisconnectReason {
    pub const RN_DOMAIN_DISCONNECTED: Self = Self(0);
    pub const RN_PROVIDER_INITIATED: Self = Self(1);
    pub const RN_TOKEN_PURGED: Self = Self(2);
    pub const RN_USER_REQUESTED: Self = Self(3);
    pub const RN_CHANNEL_PURGED: Self = Self(4);

    /// The T.125 name (`rn-provider-initiated`), `None` for 5 to 7.
    pub fn name(self) -> Option<&'static str> {
        const NAMES: [&str; 5] = [
            "rn-domain-disconnected",
            "rn-provider-initiated",
            "rn-token-purged",
            "rn-user-requested",
            "rn-channel-purged",
        ];
        NAMES.get(usize::from(self.0)).copied()
    }
}

impl fmt::Display for DisconnectReason {
    /// The name and value (`rn-provider-initiated (1)`), or `unknown (6)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name().unwrap_or("unknown"), self.0)
    }
}

/// What a server answered a Connect Initial with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectReply {
    /// Connect-Response rt-successful with server core and security data.
    Accepted(ServerData),
    /// Connect-Response with a non-zero result (the rest of it is not read).
    Refused(McsResult),
    /// An MCS Disconnect Provider Ultimatum instead of a Connect-Response.
    DisconnectProviderUltimatum(DisconnectReason),
    /// An X.224 Disconnect Request instead of a Connect-Response.
    X224Disconnect,
}

/// Encodes the whole TPKT frame of a Client MCS Connect Initial PDU (2.2.1.3).
pub fn encode_connect_initial(settings: &ClientSettings) -> Vec<u8> {
    let gcc = gcc::encode_conference_create_request(&settings.encode_blocks());
    let mut body = Vec::with_capacity(gcc.len() + 100);
    der::write(&mut body, &[der::TAG_OCTET_STRING], &[0x01]); // callingDomainSelector
    der::write(&mut body, &[der::TAG_OCTET_STRING], &[0x01]); // calledDomainSelector
    der::write(&mut body, &[der::TAG_BOOLEAN], &[0xff]); // upwardFlag TRUE
    der::write(&mut body, &[der::TAG_SEQUENCE], &TARGET_PARAMETERS);
    der::write(&mut body, &[der::TAG_SEQUENCE], &MINIMUM_PARAMETERS);
    der::write(&mut body, &[der::TAG_SEQUENCE], &MAXIMUM_PARAMETERS);
    der::write(&mut body, &[der::TAG_OCTET_STRING], &gcc); // userData
    let mut mcs = Vec::with_capacity(body.len() + 6);
    der::write(&mut mcs, &TAG_CONNECT_INITIAL, &body);
    x224::encode_data(&mcs)
}

/// Decodes the server's answer to a Connect Initial from one whole TPKT frame. Never panics.
pub fn decode_connect_response(frame: &[u8]) -> Result<ConnectReply, CodecError> {
    let payload = match x224::decode_data(frame)? {
        DataFrame::Data(payload) => payload,
        DataFrame::DisconnectRequest => return Ok(ConnectReply::X224Disconnect),
    };
    let mut pdu = ReadCursor::new(payload);
    match pdu.peek_u8() {
        None => return Err(CodecError::EmptyMcsData),
        Some(_) if pdu.peek(2) == Some(&TAG_CONNECT_RESPONSE[..]) => {}
        Some(first) if first >> 2 == DPU_CHOICE => {
            pdu.skip(1, "mcs disconnect provider ultimatum")?;
            let second = pdu
                .read_u8("mcs disconnect provider ultimatum")
                .map_err(|_| CodecError::TruncatedUltimatum)?;
            let reason = ((first & 0x03) << 1) | (second >> 7);
            return Ok(ConnectReply::DisconnectProviderUltimatum(DisconnectReason(
                reason,
            )));
        }
        Some(first) => return Err(CodecError::UnexpectedMcsPdu(first)),
    }
    let mut outer = Reader::new(payload);
    let body = outer.read(&TAG_CONNECT_RESPONSE, "mcs Connect-Response")?;
    let mut r = Reader::new(body);
    let result = r.read_int(der::TAG_ENUMERATED, "mcs Connect-Response.result")?;
    let result = McsResult(u32::try_from(result).unwrap_or(u32::MAX));
    if result != McsResult::RT_SUCCESSFUL {
        return Ok(ConnectReply::Refused(result));
    }
    r.read(&[der::TAG_INTEGER], "mcs Connect-Response.calledConnectId")?;
    r.read(
        &[der::TAG_SEQUENCE],
        "mcs Connect-Response.domainParameters",
    )?;
    let user_data = r.read(&[der::TAG_OCTET_STRING], "mcs Connect-Response.userData")?;
    Ok(ConnectReply::Accepted(
        gcc::decode_conference_create_response(user_data)?,
    ))
}

/// Decodes a client's Connect Initial from one whole TPKT frame (the fleet's side).
pub fn decode_connect_initial(frame: &[u8]) -> Result<ClientRequest, CodecError> {
    let payload = match x224::decode_data(frame)? {
        DataFrame::Data(payload) => payload,
        DataFrame::DisconnectRequest => return Err(CodecError::UnexpectedTpdu(x224::CODE_DR)),
    };
    let mut outer = Reader::new(payload);
    let body = outer.read(&TAG_CONNECT_INITIAL, "mcs Connect-Initial")?;
    let mut r = Reader::new(body);
    let octets = [der::TAG_OCTET_STRING];
    r.read(&octets, "mcs Connect-Initial.callingDomainSelector")?;
    r.read(&octets, "mcs Connect-Initial.calledDomainSelector")?;
    r.read(&[der::TAG_BOOLEAN], "mcs Connect-Initial.upwardFlag")?;
    r.read(&[der::TAG_SEQUENCE], "mcs Connect-Initial.targetParameters")?;
    r.read(
        &[der::TAG_SEQUENCE],
        "mcs Connect-Initial.minimumParameters",
    )?;
    r.read(
        &[der::TAG_SEQUENCE],
        "mcs Connect-Initial.maximumParameters",
    )?;
    let user_data = r.read(&octets, "mcs Connect-Initial.userData")?;
    gcc::decode_conference_create_request(user_data)
}

/// Encodes the whole TPKT frame of a successful Server MCS Connect Response PDU (2.2.1.4).
pub fn encode_connect_response(settings: &ServerSettings) -> Vec<u8> {
    let gcc = gcc::encode_conference_create_response(&settings.encode_blocks());
    let mut body = Vec::with_capacity(gcc.len() + 40);
    der::write_int(&mut body, der::TAG_ENUMERATED, 0); // result rt-successful
    der::write_int(&mut body, der::TAG_INTEGER, 0); // calledConnectId
    der::write(&mut body, &[der::TAG_SEQUENCE], &SERVER_PARAMETERS);
    der::write(&mut body, &[der::TAG_OCTET_STRING], &gcc);
    let mut mcs = Vec::with_capacity(body.len() + 6);
    der::write(&mut mcs, &TAG_CONNECT_RESPONSE, &body);
    x224::encode_data(&mcs)
}

/// Encodes a Connect Response holding only a failing `result`, as Windows sends for GCC data
/// it rejects (MS-RDPBCGR 3.3.5.3.3.1).
pub fn encode_connect_refusal(result: McsResult) -> Vec<u8> {
    let mut body = Vec::new();
    der::write_int(&mut body, der::TAG_ENUMERATED, i64::from(result.0));
    let mut mcs = Vec::new();
    der::write(&mut mcs, &TAG_CONNECT_RESPONSE, &body);
    x224::encode_data(&mcs)
}

/// Encodes an MCS Disconnect Provider Ultimatum (PER, 2 bytes) in an X.224 Data TPDU.
pub fn encode_disconnect_provider_ultimatum(reason: DisconnectReason) -> Vec<u8> {
    let r = reason.0 & 0x07;
    x224::encode_data(&[(DPU_CHOICE << 2) | (r >> 1), (r & 1) << 7])
}
