//! NTLM NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1) and CHALLENGE_MESSAGE (2.2.1.2) with the AV_PAIR
//! target information (2.2.2.1) and VERSION (2.2.2.10) they carry.
//!
//! The scanner sends a NEGOTIATE with no domain, no workstation and no credentials of any kind,
//! and reads from the server's CHALLENGE what a server tells anyone: its names, its OS version
//! and its clock. All fields are little-endian; offsets are from the start of the message and
//! every one is checked against the buffer.

use std::fmt;

use bitflags::bitflags;

use crate::cursor::{ReadCursor, WriteBytes};
use crate::CodecError;

/// Every NTLM message starts with these 8 bytes.
pub const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";
/// MessageType of a NEGOTIATE_MESSAGE.
pub const NEGOTIATE: u32 = 1;
/// MessageType of a CHALLENGE_MESSAGE.
pub const CHALLENGE: u32 = 2;
/// Bytes in a NEGOTIATE_MESSAGE with a VERSION and an empty payload.
pub const NEGOTIATE_LEN: usize = 40;
/// Bytes in a CHALLENGE_MESSAGE header with a VERSION, before the payload.
const CHALLENGE_HEADER_LEN: usize = 56;
/// Bytes in a CHALLENGE_MESSAGE header without a VERSION.
const CHALLENGE_HEADER_MIN: usize = 48;

bitflags! {
    /// NegotiateFlags (MS-NLMP 2.2.2.5), named after `NTLMSSP_NEGOTIATE_*`; unknown and
    /// reserved bits kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct NegotiateFlags: u32 {
        /// A: NTLMSSP_NEGOTIATE_UNICODE.
        const UNICODE = 0x0000_0001;
        /// B: NTLM_NEGOTIATE_OEM.
        const OEM = 0x0000_0002;
        /// C: NTLMSSP_REQUEST_TARGET.
        const REQUEST_TARGET = 0x0000_0004;
        /// D: NTLMSSP_NEGOTIATE_SIGN.
        const SIGN = 0x0000_0010;
        /// E: NTLMSSP_NEGOTIATE_SEAL.
        const SEAL = 0x0000_0020;
        /// F: NTLMSSP_NEGOTIATE_DATAGRAM.
        const DATAGRAM = 0x0000_0040;
        /// G: NTLMSSP_NEGOTIATE_LM_KEY.
        const LM_KEY = 0x0000_0080;
        /// H: NTLMSSP_NEGOTIATE_NTLM.
        const NTLM = 0x0000_0200;
        /// J: anonymous connection.
        const ANONYMOUS = 0x0000_0800;
        /// K: NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED.
        const OEM_DOMAIN_SUPPLIED = 0x0000_1000;
        /// L: NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED.
        const OEM_WORKSTATION_SUPPLIED = 0x0000_2000;
        /// M: NTLMSSP_NEGOTIATE_ALWAYS_SIGN.
        const ALWAYS_SIGN = 0x0000_8000;
        /// N: NTLMSSP_TARGET_TYPE_DOMAIN.
        const TARGET_TYPE_DOMAIN = 0x0001_0000;
        /// O: NTLMSSP_TARGET_TYPE_SERVER.
        const TARGET_TYPE_SERVER = 0x0002_0000;
        /// P: NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY.
        const EXTENDED_SESSIONSECURITY = 0x0008_0000;
        /// Q: NTLMSSP_NEGOTIATE_IDENTIFY.
        const IDENTIFY = 0x0010_0000;
        /// R: NTLMSSP_REQUEST_NON_NT_SESSION_KEY.
        const REQUEST_NON_NT_SESSION_KEY = 0x0040_0000;
        /// S: NTLMSSP_NEGOTIATE_TARGET_INFO.
        const TARGET_INFO = 0x0080_0000;
        /// T: NTLMSSP_NEGOTIATE_VERSION.
        const VERSION = 0x0200_0000;
        /// U: NTLMSSP_NEGOTIATE_128.
        const NEGOTIATE_128 = 0x2000_0000;
        /// V: NTLMSSP_NEGOTIATE_KEY_EXCH.
        const KEY_EXCH = 0x4000_0000;
        /// W: NTLMSSP_NEGOTIATE_56.
        const NEGOTIATE_56 = 0x8000_0000;
        const _ = !0;
    }
}

impl NegotiateFlags {
    /// What the scanner asks for: Unicode, target name and info, version, NTLM with extended
    /// session security, always-sign, 128/56-bit and key exchange (`0xe2888205`).
    pub const SCANNER: Self = Self::UNICODE
        .union(Self::REQUEST_TARGET)
        .union(Self::NTLM)
        .union(Self::ALWAYS_SIGN)
        .union(Self::EXTENDED_SESSIONSECURITY)
        .union(Self::TARGET_INFO)
        .union(Self::VERSION)
        .union(Self::NEGOTIATE_128)
        .union(Self::KEY_EXCH)
        .union(Self::NEGOTIATE_56);
}

impl Default for NegotiateFlags {
    fn default() -> Self {
        Self::empty()
    }
}

/// VERSION (2.2.2.10): the sender's OS version and NTLM revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NtlmVersion {
    pub major: u8,
    pub minor: u8,
    pub build: u16,
    /// NTLMRevisionCurrent (15 = NTLMSSP_REVISION_W2K3).
    pub revision: u8,
}

impl NtlmVersion {
    /// The version the scanner states in its NEGOTIATE: 10.0, build 0, revision 15.
    pub const SCANNER: Self = Self {
        major: 10,
        minor: 0,
        build: 0,
        revision: 15,
    };

    fn encode(self, out: &mut Vec<u8>) {
        out.put_u8(self.major);
        out.put_u8(self.minor);
        out.put_u16_le(self.build);
        out.put_slice(&[0, 0, 0]); // Reserved
        out.put_u8(self.revision);
    }

    fn decode(r: &mut ReadCursor<'_>) -> Result<Self, CodecError> {
        let major = r.read_u8("ntlm version")?;
        let minor = r.read_u8("ntlm version")?;
        let build = r.read_u16_le("ntlm version")?;
        r.skip(3, "ntlm version")?;
        let revision = r.read_u8("ntlm version")?;
        Ok(NtlmVersion {
            major,
            minor,
            build,
            revision,
        })
    }
}

impl fmt::Display for NtlmVersion {
    /// `major.minor.build`, e.g. `10.0.20348`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.build)
    }
}

/// AvId values (2.2.2.1).
pub mod av {
    pub const EOL: u16 = 0;
    pub const NB_COMPUTER_NAME: u16 = 1;
    pub const NB_DOMAIN_NAME: u16 = 2;
    pub const DNS_COMPUTER_NAME: u16 = 3;
    pub const DNS_DOMAIN_NAME: u16 = 4;
    pub const DNS_TREE_NAME: u16 = 5;
    pub const FLAGS: u16 = 6;
    pub const TIMESTAMP: u16 = 7;
}

/// What a CHALLENGE_MESSAGE tells about the server. Absent fields are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Challenge {
    pub flags: NegotiateFlags,
    pub server_challenge: [u8; 8],
    /// TargetName (the domain, or the server name when it is not in one).
    pub target_name: Option<String>,
    /// MsvAvNbComputerName.
    pub nb_computer_name: Option<String>,
    /// MsvAvNbDomainName.
    pub nb_domain_name: Option<String>,
    /// MsvAvDnsComputerName.
    pub dns_computer_name: Option<String>,
    /// MsvAvDnsDomainName.
    pub dns_domain_name: Option<String>,
    /// MsvAvDnsTreeName.
    pub dns_tree_name: Option<String>,
    /// MsvAvTimestamp: the server's clock as a FILETIME (100 ns since 1601-01-01 UTC).
    pub timestamp: Option<u64>,
    /// VERSION: the server's OS major.minor.build.
    pub version: Option<NtlmVersion>,
}

/// Encodes the scanner's NEGOTIATE_MESSAGE: [`NegotiateFlags::SCANNER`], no domain, no
/// workstation, [`NtlmVersion::SCANNER`] (40 bytes).
pub fn encode_negotiate() -> Vec<u8> {
    let mut out = Vec::with_capacity(NEGOTIATE_LEN);
    out.put_slice(SIGNATURE);
    out.put_u32_le(NEGOTIATE);
    out.put_u32_le(NegotiateFlags::SCANNER.bits());
    let empty_at_payload = PayloadField {
        len: 0,
        offset: NEGOTIATE_LEN as u32,
    };
    empty_at_payload.encode(&mut out); // DomainNameFields
    empty_at_payload.encode(&mut out); // WorkstationFields
    NtlmVersion::SCANNER.encode(&mut out);
    out
}

/// Reads the flags of a NEGOTIATE_MESSAGE (the fleet's side; the payload is not read).
pub fn decode_negotiate(msg: &[u8]) -> Result<NegotiateFlags, CodecError> {
    let mut r = ReadCursor::new(msg);
    read_header(&mut r, NEGOTIATE, 16)?;
    let flags = r.read_u32_le("ntlm negotiate flags")?;
    Ok(NegotiateFlags::from_bits_retain(flags))
}

impl Challenge {
    /// Encodes a CHALLENGE_MESSAGE: 56-byte header, then TargetName and TargetInfo.
    ///
    /// Writes `flags` with NEGOTIATE_TARGET_INFO set, and NEGOTIATE_VERSION set exactly when
    /// `version` is `Some` (the 8 Version bytes are always there, zero when `None`). AV pairs
    /// are written in Windows' order (NetBIOS domain, NetBIOS computer, DNS domain, DNS
    /// computer, DNS tree, timestamp) and end with MsvAvEOL. Strings are cut to 1,024 UTF-16
    /// units so that every length fits its u16.
    pub fn encode(&self) -> Vec<u8> {
        let target_name = self.target_name.as_deref().map(utf16).unwrap_or_default();
        let mut info = Vec::new();
        let strings = [
            (av::NB_DOMAIN_NAME, &self.nb_domain_name),
            (av::NB_COMPUTER_NAME, &self.nb_computer_name),
            (av::DNS_DOMAIN_NAME, &self.dns_domain_name),
            (av::DNS_COMPUTER_NAME, &self.dns_computer_name),
            (av::DNS_TREE_NAME, &self.dns_tree_name),
        ];
        for (id, value) in strings {
            if let Some(value) = value {
                push_av(&mut info, id, &utf16(value));
            }
        }
        if let Some(ts) = self.timestamp {
            push_av(&mut info, av::TIMESTAMP, &ts.to_le_bytes());
        }
        push_av(&mut info, av::EOL, &[]);

        let mut flags = self.flags | NegotiateFlags::TARGET_INFO;
        flags.set(NegotiateFlags::VERSION, self.version.is_some());
        let name = PayloadField {
            len: target_name.len() as u16,
            offset: CHALLENGE_HEADER_LEN as u32,
        };
        let target_info = PayloadField {
            len: info.len() as u16,
            offset: name.offset + u32::from(name.len),
        };
        let mut out = Vec::with_capacity(CHALLENGE_HEADER_LEN + target_name.len() + info.len());
        out.put_slice(SIGNATURE);
        out.put_u32_le(CHALLENGE);
        name.encode(&mut out); // TargetNameFields
        out.put_u32_le(flags.bits());
        out.put_slice(&self.server_challenge);
        out.put_slice(&[0; 8]); // Reserved
        target_info.encode(&mut out); // TargetInfoFields
        self.version.unwrap_or_default().encode(&mut out);
        out.put_slice(&target_name);
        out.put_slice(&info);
        out
    }

    /// Decodes a CHALLENGE_MESSAGE. Never panics; every offset is checked. What was wrong but
    /// tolerated is dropped: [`Challenge::decode_reporting`] says what it was.
    pub fn decode(msg: &[u8]) -> Result<Self, CodecError> {
        Self::decode_reporting(msg).map(|(challenge, _)| challenge)
    }

    /// Decodes a CHALLENGE_MESSAGE, strict where the framing is wrong and lenient where only
    /// a value is, and returns it with the defects it tolerated, in message order.
    ///
    /// - **An error, nothing kept**, when an offset or a length cannot be trusted: a header
    ///   that is short, not `NTLMSSP\0` or not a CHALLENGE; a TargetName or TargetInfo field
    ///   pointing outside the message; an AV_PAIR whose header or value runs past the end of
    ///   TargetInfo. In the last case the pairs' lengths do not tile TargetInfo, so the
    ///   positions the earlier pairs were read at are in doubt too.
    /// - **Kept, the defect reported**, when the framing is sound and only a value is not: a
    ///   UTF-16 string of odd length (TargetName or an AV_PAIR: that field is left out, the
    ///   rest is read, as the pair's length still says where the next pair starts); an
    ///   MsvAvTimestamp that is not 8 bytes (left out); TargetInfo that ends exactly at a pair
    ///   boundary without MsvAvEOL (every pair read was whole, so all are kept).
    pub fn decode_reporting(msg: &[u8]) -> Result<(Self, Vec<CodecError>), CodecError> {
        let mut r = ReadCursor::new(msg);
        read_header(&mut r, CHALLENGE, CHALLENGE_HEADER_MIN)?;
        let name_field = PayloadField::decode(&mut r, "ntlm target name fields")?;
        let flags = NegotiateFlags::from_bits_retain(r.read_u32_le("ntlm negotiate flags")?);
        let server_challenge = r.read_array("ntlm server challenge")?;
        r.skip(8, "ntlm reserved")?;
        let info_field = PayloadField::decode(&mut r, "ntlm target info fields")?;
        let mut defects = Vec::new();
        let mut challenge = Challenge {
            flags,
            server_challenge,
            ..Challenge::default()
        };

        let name = payload(msg, name_field, "target name")?;
        if !name.is_empty() {
            if !flags.contains(NegotiateFlags::UNICODE) {
                challenge.target_name = Some(name.iter().map(|b| char::from(*b)).collect());
            } else {
                match from_utf16(name, "target name") {
                    Ok(name) => challenge.target_name = Some(name),
                    Err(defect) => defects.push(defect),
                }
            }
        }
        // VERSION sits at 48..56 when negotiated, and only if the payload starts after it.
        let payload_start = [name_field, info_field]
            .iter()
            .filter(|field| field.len != 0)
            .map(|field| field.offset as usize)
            .min()
            .unwrap_or(msg.len());
        if flags.contains(NegotiateFlags::VERSION) && payload_start >= CHALLENGE_HEADER_LEN {
            challenge.version = NtlmVersion::decode(&mut r).ok();
        }
        let info = payload(msg, info_field, "target info")?;
        if !info.is_empty() {
            read_target_info(info, &mut challenge, &mut defects)?;
        }
        Ok((challenge, defects))
    }

    /// The server clock as seconds since the Unix epoch, when a timestamp was sent.
    pub fn unix_time(&self) -> Option<i64> {
        self.timestamp.map(filetime_to_unix)
    }
}

/// FILETIME (100 ns units since 1601-01-01 UTC) → whole seconds since 1970-01-01 UTC.
pub fn filetime_to_unix(filetime: u64) -> i64 {
    const EPOCH_DIFFERENCE_SECS: i64 = 11_644_473_600;
    (filetime / 10_000_000) as i64 - EPOCH_DIFFERENCE_SECS
}

/// Seconds since 1970-01-01 UTC → FILETIME; times before 1601 give 0.
pub fn unix_to_filetime(secs: i64) -> u64 {
    const EPOCH_DIFFERENCE_SECS: i64 = 11_644_473_600;
    u64::try_from(secs.saturating_add(EPOCH_DIFFERENCE_SECS))
        .unwrap_or(0)
        .saturating_mul(10_000_000)
}

/// A point in time → FILETIME at full precision (100 ns); times before 1601 give 0 and
/// times past the year 60056 saturate. A value in, a value out: the caller reads the clock.
pub fn system_to_filetime(t: std::time::SystemTime) -> u64 {
    const EPOCH_FILETIME: u128 = 116_444_736_000_000_000;
    let ticks = match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(after) => EPOCH_FILETIME.saturating_add(after.as_nanos() / 100),
        Err(before) => EPOCH_FILETIME.saturating_sub(before.duration().as_nanos() / 100),
    };
    u64::try_from(ticks).unwrap_or(u64::MAX)
}

/// A FILETIME as RFC 3339 UTC (`2024-05-01T12:00:00Z`), `None` past year 9999.
pub fn filetime_rfc3339(filetime: u64) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp(filetime_to_unix(filetime))
        .ok()?
        .format(&Rfc3339)
        .ok()
}

/// Reads the signature and MessageType, which must be `kind`, and checks that the message
/// holds at least `min_len` bytes. A wrong signature or type is named before a short length.
fn read_header(r: &mut ReadCursor<'_>, kind: u32, min_len: usize) -> Result<(), CodecError> {
    let got = r.remaining();
    if let Ok(signature) = r.read_array::<8>("ntlm signature") {
        if &signature != SIGNATURE {
            return Err(CodecError::NotNtlm);
        }
        if let Ok(message_type) = r.read_u32_le("ntlm message type") {
            if message_type != kind {
                return Err(CodecError::WrongNtlmMessageType(message_type));
            }
        }
    }
    if got < min_len {
        return Err(CodecError::NtlmTruncated { need: min_len, got });
    }
    Ok(())
}

/// A (Len, MaxLen, BufferOffset) field: where a payload string lies in the message.
#[derive(Debug, Clone, Copy)]
struct PayloadField {
    len: u16,
    offset: u32,
}

impl PayloadField {
    fn decode(r: &mut ReadCursor<'_>, what: &'static str) -> Result<Self, CodecError> {
        let len = r.read_u16_le(what)?;
        r.skip(2, what)?; // MaxLen
        let offset = r.read_u32_le(what)?;
        Ok(PayloadField { len, offset })
    }

    fn encode(self, out: &mut Vec<u8>) {
        out.put_u16_le(self.len);
        out.put_u16_le(self.len); // MaxLen
        out.put_u32_le(self.offset);
    }
}

/// The bytes `field` points to; empty when its Len is 0. A field that points into the fixed
/// header or past the end is [`CodecError::NtlmOutOfBounds`].
fn payload<'a>(
    msg: &'a [u8],
    field: PayloadField,
    name: &'static str,
) -> Result<&'a [u8], CodecError> {
    if field.len == 0 {
        return Ok(&[]);
    }
    let out_of_bounds = CodecError::NtlmOutOfBounds {
        field: name,
        offset: field.offset,
        len: field.len,
    };
    let start = usize::try_from(field.offset).unwrap_or(usize::MAX);
    if start < CHALLENGE_HEADER_MIN {
        return Err(out_of_bounds);
    }
    let mut r = ReadCursor::new(msg);
    r.skip(start, name)
        .and_then(|()| r.read_slice(usize::from(field.len), name))
        .map_err(|_| out_of_bounds)
}

/// Reads the AV_PAIRs into `challenge` (the rule is [`Challenge::decode_reporting`]'s).
fn read_target_info(
    info: &[u8],
    challenge: &mut Challenge,
    defects: &mut Vec<CodecError>,
) -> Result<(), CodecError> {
    let mut r = ReadCursor::new(info);
    loop {
        match r.remaining() {
            0 => {
                defects.push(CodecError::MissingEol);
                return Ok(());
            }
            left @ 1..=3 => return Err(CodecError::AvHeaderCut { left }),
            _ => {}
        }
        let id = r.read_u16_le("ntlm av pair id")?;
        let len = r.read_u16_le("ntlm av pair length")?;
        if id == av::EOL {
            return Ok(());
        }
        let value = r
            .read_slice(usize::from(len), "ntlm av pair value")
            .map_err(|_| CodecError::AvPairOutOfBounds { av_id: id, len })?;
        if id == av::TIMESTAMP {
            let mut stamp = ReadCursor::new(value);
            match stamp.read_u64_le("ntlm timestamp") {
                Ok(filetime) if stamp.is_empty() => challenge.timestamp = Some(filetime),
                _ => defects.push(CodecError::BadTimestampLength(len)),
            }
            continue;
        }
        let slot = match id {
            av::NB_COMPUTER_NAME => &mut challenge.nb_computer_name,
            av::NB_DOMAIN_NAME => &mut challenge.nb_domain_name,
            av::DNS_COMPUTER_NAME => &mut challenge.dns_computer_name,
            av::DNS_DOMAIN_NAME => &mut challenge.dns_domain_name,
            av::DNS_TREE_NAME => &mut challenge.dns_tree_name,
            _ => continue,
        };
        match from_utf16(value, av_name(id)) {
            Ok(text) => *slot = Some(text),
            Err(defect) => defects.push(defect),
        }
    }
}

fn av_name(id: u16) -> &'static str {
    match id {
        av::NB_COMPUTER_NAME => "msvavnbcomputername",
        av::NB_DOMAIN_NAME => "msvavnbdomainname",
        av::DNS_COMPUTER_NAME => "msvavdnscomputername",
        av::DNS_DOMAIN_NAME => "msvavdnsdomainname",
        _ => "msvavdnstreename",
    }
}

/// UTF-16LE bytes as text (unpaired surrogates replaced); an odd length is
/// [`CodecError::OddUtf16`].
fn from_utf16(bytes: &[u8], field: &'static str) -> Result<String, CodecError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(CodecError::OddUtf16 {
            field,
            len: bytes.len() as u16,
        });
    }
    let mut r = ReadCursor::new(bytes);
    let mut units = Vec::with_capacity(bytes.len() / 2);
    while let Ok(unit) = r.read_u16_le("ntlm utf-16 string") {
        units.push(unit);
    }
    Ok(String::from_utf16_lossy(&units))
}

/// UTF-16LE bytes of `s`, cut to 1,024 units (real names are at most 255).
fn utf16(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 * s.len());
    for unit in s.encode_utf16().take(1024) {
        out.put_u16_le(unit);
    }
    out
}

fn push_av(out: &mut Vec<u8>, id: u16, value: &[u8]) {
    out.put_u16_le(id);
    out.put_u16_le(value.len() as u16);
    out.put_slice(value);
}
