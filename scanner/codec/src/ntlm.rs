//! NTLM NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1) and CHALLENGE_MESSAGE (2.2.1.2) with the AV_PAIR
//! target information (2.2.2.1) and VERSION (2.2.2.10) they carry.
//!
//! The scanner sends a NEGOTIATE with no domain, no workstation and no credentials of any kind,
//! and reads from the server's CHALLENGE what a server tells anyone: its names, its OS version
//! and its clock. All fields are little-endian; offsets are from the start of the message and
//! every one is checked against the buffer.

use std::fmt;

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

/// NegotiateFlags (MS-NLMP 2.2.2.5); unknown bits kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NegotiateFlags(pub u32);

impl NegotiateFlags {
    pub const UNICODE: u32 = 0x0000_0001;
    pub const OEM: u32 = 0x0000_0002;
    pub const REQUEST_TARGET: u32 = 0x0000_0004;
    pub const NTLM: u32 = 0x0000_0200;
    pub const ALWAYS_SIGN: u32 = 0x0000_8000;
    pub const TARGET_TYPE_DOMAIN: u32 = 0x0001_0000;
    pub const TARGET_TYPE_SERVER: u32 = 0x0002_0000;
    pub const EXTENDED_SESSIONSECURITY: u32 = 0x0008_0000;
    pub const TARGET_INFO: u32 = 0x0080_0000;
    pub const VERSION: u32 = 0x0200_0000;
    pub const NEGOTIATE_128: u32 = 0x2000_0000;
    pub const KEY_EXCH: u32 = 0x4000_0000;
    pub const NEGOTIATE_56: u32 = 0x8000_0000;

    /// What the scanner asks for: Unicode, target name and info, version, NTLM with extended
    /// session security, always-sign, 128/56-bit and key exchange (`0xe2888205`).
    pub const SCANNER: Self = Self(
        Self::UNICODE
            | Self::REQUEST_TARGET
            | Self::NTLM
            | Self::ALWAYS_SIGN
            | Self::EXTENDED_SESSIONSECURITY
            | Self::TARGET_INFO
            | Self::VERSION
            | Self::NEGOTIATE_128
            | Self::KEY_EXCH
            | Self::NEGOTIATE_56,
    );

    /// True when every bit of `bits` is set.
    pub fn has(self, bits: u32) -> bool {
        self.0 & bits == bits
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

    fn encode(self) -> [u8; 8] {
        let [b0, b1] = self.build.to_le_bytes();
        [self.major, self.minor, b0, b1, 0, 0, 0, self.revision]
    }

    fn decode(b: &[u8]) -> Option<Self> {
        let b = b.get(..8)?;
        Some(NtlmVersion {
            major: b[0],
            minor: b[1],
            build: u16::from_le_bytes([b[2], b[3]]),
            revision: b[7],
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

/// Why bytes are not a usable NTLM message, or what [`Challenge::decode_reporting`] tolerated
/// in one that is (an odd-length string, a bad timestamp, a missing MsvAvEOL). Messages are
/// lowercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NtlmError {
    /// Shorter than the fixed header.
    Truncated { need: usize, got: usize },
    /// Not `NTLMSSP\0`.
    BadSignature,
    /// Another MessageType than the one expected.
    WrongMessageType(u32),
    /// A (length, offset) field pointing outside the message.
    OutOfBounds {
        field: &'static str,
        offset: u32,
        len: u16,
    },
    /// A UTF-16 string of an odd number of bytes.
    OddUtf16 { field: &'static str, len: u16 },
    /// An AV_PAIR whose value runs past the TargetInfo buffer.
    AvPairOutOfBounds { av_id: u16, len: u16 },
    /// TargetInfo ends without MsvAvEOL (at a pair boundary: tolerated).
    MissingEol,
    /// TargetInfo ends 1 to 3 bytes into an AV_PAIR header.
    AvHeaderCut { left: usize },
    /// An MsvAvTimestamp that is not 8 bytes.
    BadTimestampLength(u16),
}

impl fmt::Display for NtlmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            NtlmError::Truncated { need, got } => {
                write!(f, "ntlm message of {got} bytes, need {need}")
            }
            NtlmError::BadSignature => write!(f, "not an ntlm message"),
            NtlmError::WrongMessageType(t) => write!(f, "unexpected ntlm message type {t}"),
            NtlmError::OutOfBounds { field, offset, len } => write!(
                f,
                "ntlm {field} of {len} bytes at offset {offset} is outside the message"
            ),
            NtlmError::OddUtf16 { field, len } => {
                write!(f, "ntlm {field} is utf-16 of odd length {len}")
            }
            NtlmError::AvPairOutOfBounds { av_id, len } => {
                write!(
                    f,
                    "ntlm av pair {av_id} of {len} bytes runs past target info"
                )
            }
            NtlmError::MissingEol => write!(f, "ntlm target info without msvaveol"),
            NtlmError::AvHeaderCut { left } => {
                write!(
                    f,
                    "ntlm target info ends {left} bytes into an av pair header"
                )
            }
            NtlmError::BadTimestampLength(len) => {
                write!(f, "ntlm timestamp of {len} bytes, expected 8")
            }
        }
    }
}

impl std::error::Error for NtlmError {}

/// Encodes the scanner's NEGOTIATE_MESSAGE: [`NegotiateFlags::SCANNER`], no domain, no
/// workstation, [`NtlmVersion::SCANNER`] (40 bytes).
pub fn encode_negotiate() -> Vec<u8> {
    let mut out = Vec::with_capacity(NEGOTIATE_LEN);
    out.extend_from_slice(SIGNATURE);
    out.extend_from_slice(&NEGOTIATE.to_le_bytes());
    out.extend_from_slice(&NegotiateFlags::SCANNER.0.to_le_bytes());
    let empty_at_payload = fields(0, NEGOTIATE_LEN as u32);
    out.extend_from_slice(&empty_at_payload); // DomainNameFields
    out.extend_from_slice(&empty_at_payload); // WorkstationFields
    out.extend_from_slice(&NtlmVersion::SCANNER.encode());
    out
}

/// Reads the flags of a NEGOTIATE_MESSAGE (the fleet's side; the payload is not read).
pub fn decode_negotiate(msg: &[u8]) -> Result<NegotiateFlags, NtlmError> {
    check_header(msg, NEGOTIATE, 16)?;
    Ok(NegotiateFlags(le32(msg, 12)))
}

impl Challenge {
    /// Encodes a CHALLENGE_MESSAGE: 56-byte header, then TargetName and TargetInfo.
    ///
    /// Writes `flags` with NEGOTIATE_TARGET_INFO set, and NEGOTIATE_VERSION set exactly when
    /// `version` is `Some` (the 8 Version bytes are always there, zero when `None`). AV pairs are written in Windows' order (NetBIOS domain, NetBIOS computer, DNS
    /// domain, DNS computer, DNS tree, timestamp) and end with MsvAvEOL. Strings are cut to
    /// 1,024 UTF-16 units so that every length fits its u16.
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

        let mut flags = self.flags.0 | NegotiateFlags::TARGET_INFO;
        if self.version.is_some() {
            flags |= NegotiateFlags::VERSION;
        } else {
            flags &= !NegotiateFlags::VERSION;
        }
        let name_at = CHALLENGE_HEADER_LEN as u32;
        let info_at = name_at + target_name.len() as u32;
        let mut out = Vec::with_capacity(CHALLENGE_HEADER_LEN + target_name.len() + info.len());
        out.extend_from_slice(SIGNATURE);
        out.extend_from_slice(&CHALLENGE.to_le_bytes());
        out.extend_from_slice(&fields(target_name.len() as u16, name_at));
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&self.server_challenge);
        out.extend_from_slice(&[0; 8]); // Reserved
        out.extend_from_slice(&fields(info.len() as u16, info_at));
        out.extend_from_slice(&self.version.unwrap_or_default().encode());
        out.extend_from_slice(&target_name);
        out.extend_from_slice(&info);
        out
    }

    /// Decodes a CHALLENGE_MESSAGE. Never panics; every offset is checked. What was wrong but
    /// tolerated is dropped: [`Challenge::decode_reporting`] says what it was.
    pub fn decode(msg: &[u8]) -> Result<Self, NtlmError> {
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
    pub fn decode_reporting(msg: &[u8]) -> Result<(Self, Vec<NtlmError>), NtlmError> {
        check_header(msg, CHALLENGE, CHALLENGE_HEADER_MIN)?;
        let mut defects = Vec::new();
        let flags = NegotiateFlags(le32(msg, 20));
        let mut server_challenge = [0u8; 8];
        server_challenge.copy_from_slice(&msg[24..32]);
        let mut challenge = Challenge {
            flags,
            server_challenge,
            ..Challenge::default()
        };

        let name = payload(msg, 12, "target name")?;
        if !name.is_empty() {
            if !flags.has(NegotiateFlags::UNICODE) {
                challenge.target_name = Some(name.iter().map(|b| char::from(*b)).collect());
            } else {
                match from_utf16(name, "target name") {
                    Ok(name) => challenge.target_name = Some(name),
                    Err(defect) => defects.push(defect),
                }
            }
        }
        // VERSION sits at 48..56 when negotiated, and only if the payload starts after it.
        if flags.has(NegotiateFlags::VERSION) && payload_start(msg) >= CHALLENGE_HEADER_LEN {
            challenge.version = NtlmVersion::decode(&msg[48..]);
        }
        let info = payload(msg, 40, "target info")?;
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

fn check_header(msg: &[u8], kind: u32, min_len: usize) -> Result<(), NtlmError> {
    if msg.len() >= 8 && &msg[..8] != SIGNATURE {
        return Err(NtlmError::BadSignature);
    }
    if msg.len() >= 12 {
        let got = le32(msg, 8);
        if got != kind {
            return Err(NtlmError::WrongMessageType(got));
        }
    }
    if msg.len() < min_len {
        return Err(NtlmError::Truncated {
            need: min_len,
            got: msg.len(),
        });
    }
    Ok(())
}

/// The bytes a (Len, MaxLen, BufferOffset) field at `at` points to; empty when Len is 0.
fn payload<'a>(msg: &'a [u8], at: usize, field: &'static str) -> Result<&'a [u8], NtlmError> {
    let len = u16::from_le_bytes([msg[at], msg[at + 1]]);
    let offset = le32(msg, at + 4);
    if len == 0 {
        return Ok(&[]);
    }
    let start = offset as usize;
    let end = start.saturating_add(usize::from(len));
    if start < CHALLENGE_HEADER_MIN || end > msg.len() {
        return Err(NtlmError::OutOfBounds { field, offset, len });
    }
    Ok(&msg[start..end])
}

/// Where the payload starts: the smallest offset of a non-empty field (the message end if none).
fn payload_start(msg: &[u8]) -> usize {
    [12usize, 40]
        .iter()
        .filter(|at| u16::from_le_bytes([msg[**at], msg[**at + 1]]) != 0)
        .map(|at| le32(msg, at + 4) as usize)
        .min()
        .unwrap_or(msg.len())
}

/// Reads the AV_PAIRs into `challenge` (the rule is [`Challenge::decode_reporting`]'s).
fn read_target_info(
    mut info: &[u8],
    challenge: &mut Challenge,
    defects: &mut Vec<NtlmError>,
) -> Result<(), NtlmError> {
    loop {
        let header = match info.len() {
            0 => {
                defects.push(NtlmError::MissingEol);
                return Ok(());
            }
            1..=3 => return Err(NtlmError::AvHeaderCut { left: info.len() }),
            _ => &info[..4],
        };
        let id = u16::from_le_bytes([header[0], header[1]]);
        let len = u16::from_le_bytes([header[2], header[3]]);
        if id == av::EOL {
            return Ok(());
        }
        let value = info
            .get(4..4 + usize::from(len))
            .ok_or(NtlmError::AvPairOutOfBounds { av_id: id, len })?;
        info = &info[4 + usize::from(len)..];
        if id == av::TIMESTAMP {
            match <[u8; 8]>::try_from(value) {
                Ok(bytes) => challenge.timestamp = Some(u64::from_le_bytes(bytes)),
                Err(_) => defects.push(NtlmError::BadTimestampLength(len)),
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

fn from_utf16(bytes: &[u8], field: &'static str) -> Result<String, NtlmError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(NtlmError::OddUtf16 {
            field,
            len: bytes.len() as u16,
        });
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    Ok(String::from_utf16_lossy(&units))
}

/// UTF-16LE bytes of `s`, cut to 1,024 units (real names are at most 255).
fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16()
        .take(1024)
        .flat_map(u16::to_le_bytes)
        .collect()
}

fn push_av(out: &mut Vec<u8>, id: u16, value: &[u8]) {
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&(value.len() as u16).to_le_bytes());
    out.extend_from_slice(value);
}

/// A (Len, MaxLen, BufferOffset) field.
fn fields(len: u16, offset: u32) -> [u8; 8] {
    let [l0, l1] = len.to_le_bytes();
    let [o0, o1, o2, o3] = offset.to_le_bytes();
    [l0, l1, l0, l1, o0, o1, o2, o3]
}

fn le32(buf: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]])
}
