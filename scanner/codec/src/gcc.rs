//! GCC Conference Create Request / Response (T.124, ALIGNED PER) and the RDP settings data
//! blocks they carry (MS-RDPBCGR 2.2.1.3.2–2.2.1.3.4 client, 2.2.1.4.2–2.2.1.4.4 server).
//!
//! Only what a scanner and the simulated fleet need: client core, security, network and
//! (optionally) cluster data; server core, network and security data. Values are kept as sent,
//! unknown ones included. Every data block starts with a User Data Header (type u16, length u16,
//! little-endian, length counting the header).

use std::fmt;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RdpVersion(pub u32);

impl RdpVersion {
    pub const RDP_4: Self = Self(0x0008_0001);
    /// RDP 5.0 up to 8.1 all send this value.
    pub const RDP_5_PLUS: Self = Self(0x0008_0004);
    pub const RDP_10_0: Self = Self(0x0008_0005);

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
        match self.0 {
            0x0008_0001 => Some("RDP 4.0"),
            0x0008_0004 => Some("RDP 5.0-8.1"),
            v @ 0x0008_0005..=0x0008_0011 => Some(TEN[(v - 0x0008_0005) as usize]),
            _ => None,
        }
    }
}

impl fmt::Display for RdpVersion {
    /// The product name, or the hex value when unknown (`unknown (0x00090001)`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "unknown ({:#010x})", self.0),
        }
    }
}

/// Encryption method bits (client `encryptionMethods`, server `encryptionMethod`); unknown
/// bits kept. `0` is ENCRYPTION_METHOD_NONE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EncryptionMethod(pub u32);

impl EncryptionMethod {
    pub const NONE: Self = Self(0x00);
    pub const BIT_40: Self = Self(0x01);
    pub const BIT_128: Self = Self(0x02);
    pub const BIT_56: Self = Self(0x08);
    pub const FIPS: Self = Self(0x10);
    /// The four single methods a scanner offers one at a time.
    pub const EACH: [Self; 4] = [Self::BIT_40, Self::BIT_128, Self::BIT_56, Self::FIPS];

    /// A short name for a single method, `None` for a combination or unknown bits.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Self::NONE => Some("none"),
            Self::BIT_40 => Some("40-bit"),
            Self::BIT_128 => Some("128-bit"),
            Self::BIT_56 => Some("56-bit"),
            Self::FIPS => Some("fips"),
            _ => None,
        }
    }
}

/// Server `encryptionLevel` (MS-RDPBCGR 2.2.1.4.3); unknown values kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EncryptionLevel(pub u32);

impl EncryptionLevel {
    pub const NONE: Self = Self(0);
    pub const LOW: Self = Self(1);
    pub const CLIENT_COMPATIBLE: Self = Self(2);
    pub const HIGH: Self = Self(3);
    pub const FIPS: Self = Self(4);

    /// `none`, `low`, `client-compatible`, `high`, `fips`; `None` when unknown.
    pub fn name(self) -> Option<&'static str> {
        match self.0 {
            0 => Some("none"),
            1 => Some("low"),
            2 => Some("client-compatible"),
            3 => Some("high"),
            4 => Some("fips"),
            _ => None,
        }
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
    /// Echo of the server's selectedProtocol (0 for standard RDP security).
    pub server_selected_protocol: u32,
    /// TS_UD_CS_SEC `encryptionMethods`.
    pub encryption_methods: EncryptionMethod,
    /// TS_UD_CS_CLUSTER (flags, redirectedSessionID), sent when `Some`.
    pub cluster: Option<(u32, u32)>,
    /// TS_UD_CS_NET channel definitions: 8-byte name (NUL-padded ASCII) and options.
    pub channels: Vec<([u8; 8], u32)>,
}

impl ClientSettings {
    /// What the scanner sends: no channels, one encryption method, an echo of `selected`.
    pub fn probe(method: EncryptionMethod, selected: u32) -> Self {
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
        core.extend_from_slice(&self.version.0.to_le_bytes());
        core.extend_from_slice(&self.desktop_width.to_le_bytes());
        core.extend_from_slice(&self.desktop_height.to_le_bytes());
        core.extend_from_slice(&0xca01u16.to_le_bytes()); // colorDepth RNS_UD_COLOR_8BPP
        core.extend_from_slice(&0xaa03u16.to_le_bytes()); // SASSequence RNS_UD_SAS_DEL
        core.extend_from_slice(&self.keyboard_layout.to_le_bytes());
        core.extend_from_slice(&self.client_build.to_le_bytes());
        push_utf16_fixed(&mut core, &self.client_name, 32);
        core.extend_from_slice(&4u32.to_le_bytes()); // keyboardType: IBM enhanced
        core.extend_from_slice(&0u32.to_le_bytes()); // keyboardSubType
        core.extend_from_slice(&12u32.to_le_bytes()); // keyboardFunctionKey
        core.extend_from_slice(&[0; 64]); // imeFileName
        core.extend_from_slice(&0xca01u16.to_le_bytes()); // postBeta2ColorDepth
        core.extend_from_slice(&1u16.to_le_bytes()); // clientProductId
        core.extend_from_slice(&0u32.to_le_bytes()); // serialNumber
        core.extend_from_slice(&24u16.to_le_bytes()); // highColorDepth
        core.extend_from_slice(&7u16.to_le_bytes()); // supportedColorDepths 24|16|15 bpp
        core.extend_from_slice(&1u16.to_le_bytes()); // earlyCapabilityFlags ERRINFO_PDU
        push_utf16_fixed(&mut core, &self.client_dig_product_id, 64);
        core.extend_from_slice(&[0, 0]); // connectionType, pad1octet
        core.extend_from_slice(&self.server_selected_protocol.to_le_bytes());

        let mut out = Vec::new();
        push_block(&mut out, CS_CORE, &core);
        if let Some((flags, session)) = self.cluster {
            let mut cluster = flags.to_le_bytes().to_vec();
            cluster.extend_from_slice(&session.to_le_bytes());
            push_block(&mut out, CS_CLUSTER, &cluster);
        }
        let mut sec = self.encryption_methods.0.to_le_bytes().to_vec();
        sec.extend_from_slice(&0u32.to_le_bytes()); // extEncryptionMethods
        push_block(&mut out, CS_SECURITY, &sec);
        let mut net = (self.channels.len() as u32).to_le_bytes().to_vec();
        for (name, options) in &self.channels {
            net.extend_from_slice(name);
            net.extend_from_slice(&options.to_le_bytes());
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
    pub server_selected_protocol: Option<u32>,
    /// TS_UD_CS_SEC `encryptionMethods`; `None` when there is no security block.
    pub encryption_methods: Option<EncryptionMethod>,
    /// TS_UD_CS_SEC `extEncryptionMethods` (French locale clients use it instead).
    pub ext_encryption_methods: Option<u32>,
}

/// What a server answers in its Conference Create Response (server data blocks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    /// TS_UD_SC_CORE `version`.
    pub version: RdpVersion,
    /// TS_UD_SC_CORE `clientRequestedProtocols`, sent when `Some`.
    pub client_requested_protocols: Option<u32>,
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
            client_requested_protocols: Some(0),
            encryption_method: method,
            encryption_level: level,
            random_and_certificate: None,
            channel_ids: Vec::new(),
        }
    }

    /// The concatenated server data blocks: core, network, security (Windows' order).
    pub fn encode_blocks(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut core = self.version.0.to_le_bytes().to_vec();
        if let Some(p) = self.client_requested_protocols {
            core.extend_from_slice(&p.to_le_bytes());
        }
        push_block(&mut out, SC_CORE, &core);
        let mut net = IO_CHANNEL_ID.to_le_bytes().to_vec();
        net.extend_from_slice(&(self.channel_ids.len() as u16).to_le_bytes());
        for id in &self.channel_ids {
            net.extend_from_slice(&id.to_le_bytes());
        }
        if self.channel_ids.len() % 2 == 1 {
            net.extend_from_slice(&[0, 0]); // Pad
        }
        push_block(&mut out, SC_NET, &net);
        let mut sec = self.encryption_method.0.to_le_bytes().to_vec();
        sec.extend_from_slice(&self.encryption_level.0.to_le_bytes());
        if let Some((random, cert)) = &self.random_and_certificate {
            sec.extend_from_slice(&(random.len() as u32).to_le_bytes());
            sec.extend_from_slice(&(cert.len() as u32).to_le_bytes());
            sec.extend_from_slice(random);
            sec.extend_from_slice(cert);
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

/// Why GCC data could not be read. Messages are lowercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GccError {
    /// The input ends inside the named field.
    Truncated(&'static str),
    /// The named field holds a value this codec does not accept (the first offending byte).
    Unexpected { field: &'static str, byte: u8 },
    /// A data block whose length is below 4 or runs past the end.
    BadBlockLength { block_type: u16, length: u16 },
    /// A required data block is absent.
    MissingBlock(u16),
    /// A data block too short for a field this codec reads.
    ShortBlock { block_type: u16, length: u16 },
}

impl fmt::Display for GccError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            GccError::Truncated(field) => {
                write!(f, "gcc {}: truncated", field.to_ascii_lowercase())
            }
            GccError::Unexpected { field, byte } => write!(
                f,
                "gcc {}: unexpected byte {byte:#04x}",
                field.to_ascii_lowercase()
            ),
            GccError::BadBlockLength { block_type, length } => {
                write!(
                    f,
                    "data block {block_type:#06x} with impossible length {length}"
                )
            }
            GccError::MissingBlock(t) => write!(f, "no data block {t:#06x}"),
            GccError::ShortBlock { block_type, length } => {
                write!(f, "data block {block_type:#06x} too short ({length} bytes)")
            }
        }
    }
}

impl std::error::Error for GccError {}

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
    pdu.extend_from_slice(CLIENT_KEY);
    per_length(&mut pdu, blocks.len());
    pdu.extend_from_slice(blocks);
    let mut out = T124_OID.to_vec();
    per_length(&mut out, pdu.len());
    out.extend_from_slice(&pdu);
    out
}

/// Wraps server data blocks in a GCC Conference Create Response as Windows sends it.
///
/// Windows writes the ConnectData length as `0x2a` whatever the size (MS-RDPBCGR 4.1.4), and
/// so does this encoder; decoders must not rely on it.
pub fn encode_conference_create_response(blocks: &[u8]) -> Vec<u8> {
    let mut out = T124_OID.to_vec();
    out.extend_from_slice(&[
        0x2a, // ConnectData::connectPDU length (fixed by Windows, not the real length)
        0x14, // ConnectGCCPDU CHOICE: conferenceCreateResponse; userData present
        0x76, 0x0a, // nodeID 0x760a + 1001
        0x01, 0x01, // tag: 1-byte INTEGER 1
        0x00, // result: success
        0x01, // userData: one set
        0xc0, // UserData: value present, key CHOICE h221NonStandard
        0x00, // h221NonStandard length: 4
    ]);
    out.extend_from_slice(SERVER_KEY);
    per_length(&mut out, blocks.len());
    out.extend_from_slice(blocks);
    out
}

/// Reads a Conference Create Request and the client data blocks a server needs.
pub fn decode_conference_create_request(buf: &[u8]) -> Result<ClientRequest, GccError> {
    let mut r = PerReader::new(buf);
    r.expect(&T124_OID, "object identifier")?;
    r.length("connectPDU length")?;
    r.expect(&[0x00], "ConnectGCCPDU choice")?;
    let bitmap = r.byte("optional-field bitmap")?;
    if bitmap != 0x08 {
        // Convener password, password or conference description present: not from an RDP client.
        return Err(GccError::Unexpected {
            field: "optional-field bitmap",
            byte: bitmap,
        });
    }
    let digits = usize::from(r.byte("conferenceName length")?) + 1;
    r.take(digits.div_ceil(2), "conferenceName")?;
    r.byte("terminationMethod")?;
    r.h221_key(CLIENT_KEY)?;
    let len = r.length("userData length")?;
    let blocks = r.take(len, "userData")?;

    let mut request = ClientRequest::default();
    let mut saw_core = false;
    for block in Blocks::new(blocks) {
        let (block_type, body) = block?;
        let short = GccError::ShortBlock {
            block_type,
            length: (body.len() + 4) as u16,
        };
        match block_type {
            CS_CORE => {
                request.version = RdpVersion(le32(body, 0).ok_or(short)?);
                request.server_selected_protocol = le32(body, 208);
                saw_core = true;
            }
            CS_SECURITY => {
                request.encryption_methods = Some(EncryptionMethod(le32(body, 0).ok_or(short)?));
                request.ext_encryption_methods = le32(body, 4);
            }
            _ => {}
        }
    }
    if !saw_core {
        return Err(GccError::MissingBlock(CS_CORE));
    }
    Ok(request)
}

/// Reads a Conference Create Response and the server core and security data in it.
pub fn decode_conference_create_response(buf: &[u8]) -> Result<ServerData, GccError> {
    let mut r = PerReader::new(buf);
    r.expect(&T124_OID, "object identifier")?;
    r.length("connectPDU length")?; // not trusted: Windows sends 0x2a
    let choice = r.byte("ConnectGCCPDU choice")?;
    if choice & 0xfc != 0x14 {
        return Err(GccError::Unexpected {
            field: "ConnectGCCPDU choice",
            byte: choice,
        });
    }
    r.take(2, "nodeID")?;
    let tag_len = usize::from(r.byte("tag length")?);
    r.take(tag_len, "tag")?;
    let result = r.byte("result")?;
    if result != 0 {
        return Err(GccError::Unexpected {
            field: "result",
            byte: result,
        });
    }
    r.h221_key(SERVER_KEY)?;
    let len = r.length("userData length")?;
    let blocks = r.take(len, "userData")?;

    let mut version = None;
    let mut security = None;
    for block in Blocks::new(blocks) {
        let (block_type, body) = block?;
        let short = GccError::ShortBlock {
            block_type,
            length: (body.len() + 4) as u16,
        };
        match block_type {
            SC_CORE => version = Some(RdpVersion(le32(body, 0).ok_or(short)?)),
            SC_SECURITY => {
                let method = le32(body, 0).ok_or(short)?;
                let level = le32(body, 4).ok_or(short)?;
                security = Some((EncryptionMethod(method), EncryptionLevel(level)));
            }
            _ => {}
        }
    }
    let version = version.ok_or(GccError::MissingBlock(SC_CORE))?;
    let (encryption_method, encryption_level) =
        security.ok_or(GccError::MissingBlock(SC_SECURITY))?;
    Ok(ServerData {
        version,
        encryption_method,
        encryption_level,
    })
}

/// Appends an ALIGNED PER length determinant (one byte below 128, else two with bit 15 set).
fn per_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        out.extend_from_slice(&((len as u16 & 0x3fff) | 0x8000).to_be_bytes());
    }
}

fn push_block(out: &mut Vec<u8>, block_type: u16, body: &[u8]) {
    out.extend_from_slice(&block_type.to_le_bytes());
    out.extend_from_slice(&((body.len() + 4) as u16).to_le_bytes());
    out.extend_from_slice(body);
}

/// Appends `s` as UTF-16LE in a field of `size` bytes, cut to leave a NUL terminator.
fn push_utf16_fixed(out: &mut Vec<u8>, s: &str, size: usize) {
    let start = out.len();
    for unit in s.encode_utf16().take(size / 2 - 1) {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out.resize(start + size, 0);
}

fn le32(buf: &[u8], at: usize) -> Option<u32> {
    let b = buf.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Iterates (type, body) over concatenated data blocks; stops at the first bad header.
struct Blocks<'a> {
    rest: &'a [u8],
}

impl<'a> Blocks<'a> {
    fn new(rest: &'a [u8]) -> Self {
        Blocks { rest }
    }
}

impl<'a> Iterator for Blocks<'a> {
    type Item = Result<(u16, &'a [u8]), GccError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let Some(header) = self.rest.get(..4) else {
            self.rest = &[];
            return Some(Err(GccError::Truncated("data block header")));
        };
        let block_type = u16::from_le_bytes([header[0], header[1]]);
        let length = u16::from_le_bytes([header[2], header[3]]);
        let end = usize::from(length);
        if end < 4 || end > self.rest.len() {
            self.rest = &[];
            return Some(Err(GccError::BadBlockLength { block_type, length }));
        }
        let body = &self.rest[4..end];
        self.rest = &self.rest[end..];
        Some(Ok((block_type, body)))
    }
}

/// A byte cursor for the PER-encoded GCC headers.
struct PerReader<'a> {
    rest: &'a [u8],
}

impl<'a> PerReader<'a> {
    fn new(rest: &'a [u8]) -> Self {
        PerReader { rest }
    }

    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], GccError> {
        if self.rest.len() < n {
            return Err(GccError::Truncated(field));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn byte(&mut self, field: &'static str) -> Result<u8, GccError> {
        Ok(self.take(1, field)?[0])
    }

    fn expect(&mut self, bytes: &[u8], field: &'static str) -> Result<(), GccError> {
        let got = self.take(bytes.len(), field)?;
        match got.iter().zip(bytes).find(|(g, e)| g != e) {
            Some((g, _)) => Err(GccError::Unexpected { field, byte: *g }),
            None => Ok(()),
        }
    }

    /// An ALIGNED PER length determinant (fragmented lengths are refused).
    fn length(&mut self, field: &'static str) -> Result<usize, GccError> {
        let first = self.byte(field)?;
        match first {
            0x00..=0x7f => Ok(usize::from(first)),
            0x80..=0xbf => {
                let second = self.byte(field)?;
                Ok(usize::from(first & 0x3f) << 8 | usize::from(second))
            }
            _ => Err(GccError::Unexpected { field, byte: first }),
        }
    }

    /// userData: one set, value present, h221NonStandard key equal to `key`.
    fn h221_key(&mut self, key: &[u8; 4]) -> Result<(), GccError> {
        self.expect(&[0x01], "userData set count")?;
        self.expect(&[0xc0], "userData key choice")?;
        self.expect(&[0x00], "h221NonStandard length")?;
        self.expect(key, "h221NonStandard key")
    }
}
