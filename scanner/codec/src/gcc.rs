//! GCC Conference Create Request / Response (T.124, ALIGNED PER) and the RDP settings data
//! blocks they carry (MS-RDPBCGR 2.2.1.3.2–2.2.1.3.4 client, 2.2.1.4.2–2.2.1.4.4 server).
//!
//! Only what a scanner and the simulated fleet need: client core, security, network and
//! (optionally) cluster data; server core, network and security data. Values are kept as sent,
//! unknown ones included. Every data block starts with a User Data Header (type u16, length u16,
//! little-endian, length counting the header).

use bitflags::bitflags;

use crate::cursor::{ReadCursor, WriteBytes};
use crate::nego::SecurityProtocol;
use crate::CodecError;

/// The T.124 object identifier `{0 0 20 124 0 1}` with its PER length byte and CHOICE key.
const T124_OID: [u8; 7] = [0x00, 0x05, 0x00, 0x14, 0x7c, 0x00, 0x01];
/// The client's H.221 non-standard key.
pub const CLIENT_KEY: &[u8; 4] = b"Duca";
/// The server's H.221 non-standard key.
pub const SERVER_KEY: &[u8; 4] = b"McDn";

/// CS_CORE.
pub const CS_CORE: u16 = 0xc001;
/// CS_SECURITY.
pub const CS_SECURITY: u16 = 0xc002;
/// CS_NET.
pub const CS_NET: u16 = 0xc003;
/// CS_CLUSTER.
pub const CS_CLUSTER: u16 = 0xc004;
/// SC_CORE.
pub const SC_CORE: u16 = 0x0c01;
/// SC_SECURITY.
pub const SC_SECURITY: u16 = 0x0c02;
/// SC_NET.
pub const SC_NET: u16 = 0x0c03;

/// The MCS channel id of the I/O channel (MS-RDPBCGR 2.2.1.4.4 example value).
pub const IO_CHANNEL_ID: u16 = 1003;

/// An RDP version number as in TS_UD_CS_CORE / TS_UD_SC_CORE `version`; unknown values kept.
/// `Display` writes the report word (`5.0-8.1`, `10.7`, `unknown(0x00080012)`), see the
/// `words` module; [`RdpVersion::name`] gives the product name (`RDP 10.7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RdpVersion(pub u32);

impl RdpVersion {
    pub const RDP_4: Self = Self(0x0008_0001);
    /// RDP 5.0 up to 8.1 all send this value.
    pub const RDP_5_PLUS: Self = Self(0x0008_0004);
    pub const RDP_10_0: Self = Self(0x0008_0005);
    /// RDP 10.12, the highest value MS-RDPBCGR 2.2.1.4.2 names.
    pub const RDP_10_12: Self = Self(0x0008_0011);

    /// The minor number of an RDP 10.x value (`10.7` → 7), `None` for any other value.
    pub fn ten_minor(self) -> Option<u32> {
        (Self::RDP_10_0.0..=Self::RDP_10_12.0)
            .contains(&self.0)
            .then(|| self.0 - Self::RDP_10_0.0)
    }

    /// The product name for this value (MS-RDPBCGR 2.2.1.4.2), `None` when unknown.
    pub fn name(self) -> Option<&'static str> {
        const TEN: [&str; 13] = [
            "RDP 10.0",
            "RDP 10.1",
            "RDP 10.2",
            "RDP 10.3",
            "RDP 10.4",
            "RDP 10.5",
            "RDP 10.6",
            "RDP 10.7",
            "RDP 10.8",
            "RDP 10.9",
            "RDP 10.10",
            "RDP 10.11",
            "RDP 10.12",
        ];
        match self {
            Self::RDP_4 => Some("RDP 4.0"),
            Self::RDP_5_PLUS => Some("RDP 5.0-8.1"),
            _ => TEN.get(usize::try_from(self.ten_minor()?).ok()?).copied(),
        }
    }
}

bitflags! {
    /// Encryption method bits (MS-RDPBCGR 2.2.1.3.3 client `encryptionMethods` and
    /// `extEncryptionMethods`, 2.2.1.4.3 server `encryptionMethod`); unknown bits kept.
    /// ENCRYPTION_METHOD_NONE is the absence of bits ([`EncryptionMethod::NONE`]).
    ///
    /// `Display` writes the report words, `|`-joined in [`EncryptionMethod::ALL`] order
    /// (`40bit|128bit`, `none`), see the `words` module.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct EncryptionMethod: u32 {
        const BIT_40 = 0x0000_0001;
        const BIT_128 = 0x0000_0002;
        const BIT_56 = 0x0000_0008;
        const FIPS = 0x0000_0010;
        const _ = !0;
    }
}

impl EncryptionMethod {
    /// ENCRYPTION_METHOD_NONE.
    pub const NONE: Self = Self::empty();
    /// The four single methods, in the order reports list them: 40-bit, 56-bit, 128-bit, FIPS.
    pub const ALL: [Self; 4] = [Self::BIT_40, Self::BIT_56, Self::BIT_128, Self::FIPS];
}

impl Default for EncryptionMethod {
    /// ENCRYPTION_METHOD_NONE.
    fn default() -> Self {
        Self::NONE
    }
}

/// Server `encryptionLevel` (MS-RDPBCGR 2.2.1.4.3); unknown values kept. `Display` writes
/// the report word (`client-compatible`, `unknown(7)`), see the `words` module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EncryptionLevel(pub u32);

impl EncryptionLevel {
    pub const NONE: Self = Self(0);
    pub const LOW: Self = Self(1);
    pub const CLIENT_COMPATIBLE: Self = Self(2);
    pub const HIGH: Self = Self(3);
    pub const FIPS: Self = Self(4);
    /// The five levels MS-RDPBCGR names, weakest first (the order reports list and sort them).
    pub const KNOWN: [Self; 5] = [
        Self::NONE,
        Self::LOW,
        Self::CLIENT_COMPATIBLE,
        Self::HIGH,
        Self::FIPS,
    ];

    /// `none`, `low`, `client-compatible`, `high`, `fips`; `None` when unknown.
    pub fn name(self) -> Option<&'static str> {
        const NAMES: [&str; 5] = ["none", "low", "client-compatible", "high", "fips"];
        NAMES.get(usize::try_from(self.0).ok()?).copied()
    }
}

/// What a client sends in its Conference Create Request (client data blocks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettings {
    /// TS_UD_CS_CORE `version`.
    pub version: RdpVersion,
    pub desktop_width: u16,
    pub desktop_height: u16,
    pub keyboard_layout: u32,
    pub client_build: u32,
    /// Up to 15 UTF-16 code units are sent.
    pub client_name: String,
    /// Up to 31 UTF-16 code units are sent.
    pub client_dig_product_id: String,
    /// Echo of the server's selectedProtocol (PROTOCOL_RDP for standard RDP security).
    pub server_selected_protocol: SecurityProtocol,
    /// TS_UD_CS_SEC `encryptionMethods`.
    pub encryption_methods: EncryptionMethod,
    /// TS_UD_CS_CLUSTER (flags, redirectedSessionID), sent when `Some`.
    pub cluster: Option<(u32, u32)>,
    /// TS_UD_CS_NET channel definitions: 8-byte name (NUL-padded ASCII) and options.
    pub channels: Vec<([u8; 8], u32)>,
}

impl ClientSettings {
    /// What the scanner sends: no channels, one encryption method, an echo of `selected`.
    pub fn probe(method: EncryptionMethod, selected: SecurityProtocol) -> Self {
        ClientSettings {
            version: RdpVersion::RDP_5_PLUS,
            desktop_width: 1024,
            desktop_height: 768,
            keyboard_layout: 0x0409,
            client_build: 2600,
            client_name: "rdpsweep".into(),
            client_dig_product_id: String::new(),
            server_selected_protocol: selected,
            encryption_methods: method,
            cluster: None,
            channels: Vec::new(),
        }
    }

    /// The concatenated client data blocks: core, cluster (if any), security, network.
    pub fn encode_blocks(&self) -> Vec<u8> {
        let mut core = Vec::with_capacity(212);
        core.put_u32_le(self.version.0);
        core.put_u16_le(self.desktop_width);
        core.put_u16_le(self.desktop_height);
        core.put_u16_le(0xca01); // colorDepth RNS_UD_COLOR_8BPP
        core.put_u16_le(0xaa03); // SASSequence RNS_UD_SAS_DEL
        core.put_u32_le(self.keyboard_layout);
        core.put_u32_le(self.client_build);
        push_utf16_fixed(&mut core, &self.client_name, 32);
        core.put_u32_le(4); // keyboardType: IBM enhanced
        core.put_u32_le(0); // keyboardSubType
        core.put_u32_le(12); // keyboardFunctionKey
        core.put_slice(&[0; 64]); // imeFileName
        core.put_u16_le(0xca01); // postBeta2ColorDepth
        core.put_u16_le(1); // clientProductId
        core.put_u32_le(0); // serialNumber
        core.put_u16_le(24); // highColorDepth
        core.put_u16_le(7); // supportedColorDepths 24|16|15 bpp
        core.put_u16_le(1); // earlyCapabilityFlags ERRINFO_PDU
        push_utf16_fixed(&mut core, &self.client_dig_product_id, 64);
        core.put_slice(&[0, 0]); // connectionType, pad1octet
        core.put_u32_le(self.server_selected_protocol.bits());

        let mut out = Vec::new();
        push_block(&mut out, CS_CORE, &core);
        if let Some((flags, session)) = self.cluster {
            let mut cluster = Vec::with_capacity(8);
            cluster.put_u32_le(flags);
            cluster.put_u32_le(session);
            push_block(&mut out, CS_CLUSTER, &cluster);
        }
        let mut sec = Vec::with_capacity(8);
        sec.put_u32_le(self.encryption_methods.bits());
        sec.put_u32_le(0); // extEncryptionMethods
        push_block(&mut out, CS_SECURITY, &sec);
        let mut net = Vec::new();
        net.put_u32_le(self.channels.len() as u32);
        for (name, options) in &self.channels {
            net.put_slice(name);
            net.put_u32_le(*options);
        }
        push_block(&mut out, CS_NET, &net);
        out
    }
}

/// What a server reads from a client's data blocks (the simulated fleet's view).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientRequest {
    /// TS_UD_CS_CORE `version`.
    pub version: RdpVersion,
    /// TS_UD_CS_CORE `serverSelectedProtocol`; `None` from clients too old to send it.
    pub server_selected_protocol: Option<SecurityProtocol>,
    /// TS_UD_CS_SEC `encryptionMethods`; `None` when there is no security block.
    pub encryption_methods: Option<EncryptionMethod>,
    /// TS_UD_CS_SEC `extEncryptionMethods` (French locale clients use it instead).
    pub ext_encryption_methods: Option<EncryptionMethod>,
}

/// What a server answers in its Conference Create Response (server data blocks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    /// TS_UD_SC_CORE `version`.
    pub version: RdpVersion,
    /// TS_UD_SC_CORE `clientRequestedProtocols`, sent when `Some`.
    pub client_requested_protocols: Option<SecurityProtocol>,
    /// TS_UD_SC_SEC1 `encryptionMethod`.
    pub encryption_method: EncryptionMethod,
    /// TS_UD_SC_SEC1 `encryptionLevel`.
    pub encryption_level: EncryptionLevel,
    /// serverRandom (32 bytes) and serverCertificate; sent only when `Some`.
    /// A scanner reads neither: they are here so the fleet can look like Windows.
    pub random_and_certificate: Option<([u8; 32], Vec<u8>)>,
    /// TS_UD_SC_NET channel ids after the I/O channel (1003).
    pub channel_ids: Vec<u16>,
}

impl ServerSettings {
    /// Server settings with no extra channels and no random or certificate.
    pub fn new(version: RdpVersion, method: EncryptionMethod, level: EncryptionLevel) -> Self {
        ServerSettings {
            version,
            client_requested_protocols: Some(SecurityProtocol::RDP),
            encryption_method: method,
            encryption_level: level,
            random_and_certificate: None,
            channel_ids: Vec::new(),
        }
    }

    /// The concatenated server data blocks: core, network, security (Windows' order).
    pub fn encode_blocks(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut core = Vec::with_capacity(8);
        core.put_u32_le(self.version.0);
        if let Some(p) = self.client_requested_protocols {
            core.put_u32_le(p.bits());
        }
        push_block(&mut out, SC_CORE, &core);
        let mut net = Vec::new();
        net.put_u16_le(IO_CHANNEL_ID);
        net.put_u16_le(self.channel_ids.len() as u16);
        for id in &self.channel_ids {
            net.put_u16_le(*id);
        }
        if self.channel_ids.len() % 2 == 1 {
            net.put_u16_le(0); // Pad
        }
        push_block(&mut out, SC_NET, &net);
        let mut sec = Vec::new();
        sec.put_u32_le(self.encryption_method.bits());
        sec.put_u32_le(self.encryption_level.0);
        if let Some((random, cert)) = &self.random_and_certificate {
            sec.put_u32_le(random.len() as u32);
            sec.put_u32_le(cert.len() as u32);
            sec.put_slice(random);
            sec.put_slice(cert);
        }
        push_block(&mut out, SC_SECURITY, &sec);
        out
    }
}

/// The server data a scanner reads from a Conference Create Response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerData {
    /// TS_UD_SC_CORE `version`.
    pub version: RdpVersion,
    /// TS_UD_SC_SEC1 `encryptionMethod`.
    pub encryption_method: EncryptionMethod,
    /// TS_UD_SC_SEC1 `encryptionLevel`.
    pub encryption_level: EncryptionLevel,
}

/// Wraps client data blocks in a GCC Conference Create Request (T.124 ConnectData, PER).
pub fn encode_conference_create_request(blocks: &[u8]) -> Vec<u8> {
    let mut pdu = vec![
        0x00, // ConnectGCCPDU CHOICE: conferenceCreateRequest; userData present (next byte)
        0x08, // ConferenceCreateRequest optional-field bitmap: userData present
        0x00, 0x10, // conferenceName: numeric string of 1 digit, "1"
        0x00, // lockedConference, listedConference, conductibleConference, terminationMethod
        0x01, // userData: one set
        0xc0, // UserData: value present, key CHOICE h221NonStandard
        0x00, // h221NonStandard length: 4 (minimum 4)
    ];
    pdu.put_slice(CLIENT_KEY);
    per_length(&mut pdu, blocks.len());
    pdu.put_slice(blocks);
    let mut out = T124_OID.to_vec();
    per_length(&mut out, pdu.len());
    out.put_slice(&pdu);
    out
}

/// Wraps server data blocks in a GCC Conference Create Response as Windows sends it.
///
/// Windows writes the ConnectData length as `0x2a` whatever the size (MS-RDPBCGR 4.1.4), and
/// so does this encoder; decoders must not rely on it.
pub fn encode_conference_create_response(blocks: &[u8]) -> Vec<u8> {
    let mut out = T124_OID.to_vec();
    out.put_slice(&[
        0x2a, // ConnectData::connectPDU length (fixed by Windows, not the real length)
        0x14, // ConnectGCCPDU CHOICE: conferenceCreateResponse; userData present
        0x76, 0x0a, // nodeID 0x760a + 1001
        0x01, 0x01, // tag: 1-byte INTEGER 1
        0x00, // result: success
        0x01, // userData: one set
        0xc0, // UserData: value present, key CHOICE h221NonStandard
        0x00, // h221NonStandard length: 4
    ]);
    out.put_slice(SERVER_KEY);
    per_length(&mut out, blocks.len());
    out.put_slice(blocks);
    out
}

/// Reads a Conference Create Request and the client data blocks a server needs.
pub fn decode_conference_create_request(buf: &[u8]) -> Result<ClientRequest, CodecError> {
    let mut r = ReadCursor::new(buf);
    r.expect(&T124_OID, "gcc object identifier")?;
    read_per_length(&mut r, "gcc connectPDU length")?;
    r.expect(&[0x00], "gcc ConnectGCCPDU choice")?;
    let bitmap = r.read_u8("gcc optional-field bitmap")?;
    if bitmap != 0x08 {
        // Convener password, password or conference description present: not from an RDP client.
        return Err(CodecError::UnexpectedByte {
            what: "gcc optional-field bitmap",
            byte: bitmap,
        });
    }
    let digits = usize::from(r.read_u8("gcc conferenceName length")?) + 1;
    r.skip(digits.div_ceil(2), "gcc conferenceName")?;
    r.skip(1, "gcc terminationMethod")?;
    expect_h221_key(&mut r, CLIENT_KEY)?;
    let len = read_per_length(&mut r, "gcc userData length")?;
    let blocks = r.read_slice(len, "gcc userData")?;

    let mut request = ClientRequest::default();
    let mut saw_core = false;
    for block in Blocks::new(blocks) {
        let (block_type, body) = block?;
        let short = short_block(block_type, body);
        let mut fields = ReadCursor::new(body);
        match block_type {
            CS_CORE => {
                let version = fields.read_u32_le("CS_CORE version").map_err(|_| short)?;
                request.version = RdpVersion(version);
                request.server_selected_protocol =
                    u32_at(body, 208).map(SecurityProtocol::from_bits_retain);
                saw_core = true;
            }
            CS_SECURITY => {
                let methods = fields
                    .read_u32_le("CS_SECURITY encryptionMethods")
                    .map_err(|_| short)?;
                request.encryption_methods = Some(EncryptionMethod::from_bits_retain(methods));
                request.ext_encryption_methods = fields
                    .read_u32_le("CS_SECURITY extEncryptionMethods")
                    .ok()
                    .map(EncryptionMethod::from_bits_retain);
            }
            _ => {}
        }
    }
    if !saw_core {
        return Err(CodecError::MissingBlock(CS_CORE));
    }
    Ok(request)
}

/// Reads a Conference Create Response and the server core and security data in it.
pub fn decode_conference_create_response(buf: &[u8]) -> Result<ServerData, CodecError> {
    let mut r = ReadCursor::new(buf);
    r.expect(&T124_OID, "gcc object identifier")?;
    read_per_length(&mut r, "gcc connectPDU length")?; // not trusted: Windows sends 0x2a
    let choice = r.read_u8("gcc ConnectGCCPDU choice")?;
    if choice & 0xfc != 0x14 {
        return Err(CodecError::UnexpectedByte {
            what: "gcc ConnectGCCPDU choice",
            byte: choice,
        });
    }
    r.skip(2, "gcc nodeID")?;
    let tag_len = usize::from(r.read_u8("gcc tag length")?);
    r.skip(tag_len, "gcc tag")?;
    let result = r.read_u8("gcc result")?;
    if result != 0 {
        return Err(CodecError::UnexpectedByte {
            what: "gcc result",
            byte: result,
        });
    }
    expect_h221_key(&mut r, SERVER_KEY)?;
    let len = read_per_length(&mut r, "gcc userData length")?;
    let blocks = r.read_slice(len, "gcc userData")?;

    let mut version = None;
    let mut security = None;
    for block in Blocks::new(blocks) {
        let (block_type, body) = block?;
        let short = short_block(block_type, body);
        let mut fields = ReadCursor::new(body);
        match block_type {
            SC_CORE => {
                let value = fields.read_u32_le("SC_CORE version").map_err(|_| short)?;
                version = Some(RdpVersion(value));
            }
            SC_SECURITY => {
                let method = fields
                    .read_u32_le("SC_SECURITY encryptionMethod")
                    .map_err(|_| short.clone())?;
                let level = fields
                    .read_u32_le("SC_SECURITY encryptionLevel")
                    .map_err(|_| short)?;
                security = Some((
                    EncryptionMethod::from_bits_retain(method),
                    EncryptionLevel(level),
                ));
            }
            _ => {}
        }
    }
    let version = version.ok_or(CodecError::MissingBlock(SC_CORE))?;
    let (encryption_method, encryption_level) =
        security.ok_or(CodecError::MissingBlock(SC_SECURITY))?;
    Ok(ServerData {
        version,
        encryption_method,
        encryption_level,
    })
}

/// The error for a data block too short for a field read from it.
fn short_block(block_type: u16, body: &[u8]) -> CodecError {
    CodecError::ShortBlock {
        block_type,
        length: (body.len() + 4) as u16,
    }
}

/// The u32 (little-endian) `at` bytes into `body`, if the body is that long.
fn u32_at(body: &[u8], at: usize) -> Option<u32> {
    let mut r = ReadCursor::new(body);
    r.skip(at, "data block field").ok()?;
    r.read_u32_le("data block field").ok()
}

/// Appends an ALIGNED PER length determinant (one byte below 128, else two with bit 15 set).
fn per_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.put_u8(len as u8);
    } else {
        out.put_u16_be((len as u16 & 0x3fff) | 0x8000);
    }
}

/// Reads an ALIGNED PER length determinant (fragmented lengths are refused).
fn read_per_length(r: &mut ReadCursor<'_>, what: &'static str) -> Result<usize, CodecError> {
    let first = r.read_u8(what)?;
    match first {
        0x00..=0x7f => Ok(usize::from(first)),
        0x80..=0xbf => {
            let second = r.read_u8(what)?;
            Ok(usize::from(first & 0x3f) << 8 | usize::from(second))
        }
        _ => Err(CodecError::UnexpectedByte { what, byte: first }),
    }
}

/// userData: one set, value present, h221NonStandard key equal to `key`.
fn expect_h221_key(r: &mut ReadCursor<'_>, key: &[u8; 4]) -> Result<(), CodecError> {
    r.expect(&[0x01], "gcc userData set count")?;
    r.expect(&[0xc0], "gcc userData key choice")?;
    r.expect(&[0x00], "gcc h221NonStandard length")?;
    r.expect(key, "gcc h221NonStandard key")
}

fn push_block(out: &mut Vec<u8>, block_type: u16, body: &[u8]) {
    out.put_u16_le(block_type);
    out.put_u16_le((body.len() + 4) as u16);
    out.put_slice(body);
}

/// Appends `s` as UTF-16LE in a field of `size` bytes, cut to leave a NUL terminator.
fn push_utf16_fixed(out: &mut Vec<u8>, s: &str, size: usize) {
    let start = out.len();
    for unit in s.encode_utf16().take(size / 2 - 1) {
        out.put_u16_le(unit);
    }
    out.resize(start + size, 0);
}

/// Iterates (type, body) over concatenated data blocks; stops at the first bad header.
struct Blocks<'a> {
    r: ReadCursor<'a>,
}

impl<'a> Blocks<'a> {
    fn new(blocks: &'a [u8]) -> Self {
        Blocks {
            r: ReadCursor::new(blocks),
        }
    }

    fn read_block(&mut self) -> Result<(u16, &'a [u8]), CodecError> {
        let block_type = self.r.read_u16_le("gcc data block header")?;
        let length = self.r.read_u16_le("gcc data block header")?;
        let body_len = usize::from(length).checked_sub(4);
        match body_len.map(|n| self.r.read_slice(n, "gcc data block")) {
            Some(Ok(body)) => Ok((block_type, body)),
            _ => Err(CodecError::BadBlockLength { block_type, length }),
        }
    }
}

impl<'a> Iterator for Blocks<'a> {
    type Item = Result<(u16, &'a [u8]), CodecError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.r.is_empty() {
            return None;
        }
        let block = self.read_block();
        if block.is_err() {
            self.r.read_rest();
        }
        Some(block)
    }
}
