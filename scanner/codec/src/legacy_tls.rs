//! Hand-built TLS 1.0–1.2 ClientHello and a reader of the server's clear-text answer.
//!
//! The scanner's TLS client is rustls, which speaks only TLS 1.2 and 1.3 with modern suites. A
//! Windows host that speaks only TLS 1.0/1.1 (Windows 7 / 2008 R2 without KB3080079), or only
//! legacy suites, fails that handshake, yet it must still be reported with its version and
//! certificate. Up to TLS 1.2 the server's Certificate message travels in clear text, so a
//! short ClientHello is enough: the scanner sends [`client_hello`], feeds the answer to a
//! [`ServerFlightReader`] until it holds the ServerHello (version, cipher) and the Certificate,
//! and then hangs up; the key exchange is never completed, so no cryptography is needed.
//!
//! The hello is built by hand because no crate builds a ClientHello offering the legacy suites
//! (RSA key exchange, 3DES, RC4, CBC with SHA-1) that rustls refuses to speak. It carries no
//! supported_versions extension, so a TLS 1.3 server answers with TLS 1.2 at most and its
//! certificate stays readable, and no TLS_FALLBACK_SCSV, so a server that supports more than
//! `max_version` still answers instead of sending inappropriate_fallback.
//!
//! Layouts: RFC 2246 (TLS 1.0) and RFC 5246 (TLS 1.2) sections 6.2 (records) and 7.4
//! (handshake); extensions from RFC 6066 (server_name), RFC 8422 (supported_groups,
//! ec_point_formats), RFC 5746 (renegotiation_info) and RFC 8446 4.2.1 (supported_versions).
//! Records and hello bodies are read with `tls-parser`; handshake messages are reassembled
//! across records here (a Certificate often spans several records, and several messages often
//! share one), and the Certificate list is checked by hand because `tls-parser` stops silently
//! at a malformed entry.
//!
//! Sans-IO: pure functions over bytes that never panic, whatever the input. The hello's
//! random (whose first 4 bytes are the sender's clock, RFC 5246 7.4.1.2) is the caller's input.

use std::net::IpAddr;

use tls_parser::nom::Err as NomErr;
use tls_parser::{
    parse_tls_handshake_client_hello, parse_tls_handshake_server_hello, parse_tls_raw_record,
    TlsCipherSuite,
};

use crate::cursor::{ReadCursor, WriteBytes};
use crate::CodecError;

/// SSL 3.0 on the wire.
pub const SSL3_0: u16 = 0x0300;
/// TLS 1.0 on the wire.
pub const TLS1_0: u16 = 0x0301;
/// TLS 1.1 on the wire.
pub const TLS1_1: u16 = 0x0302;
/// TLS 1.2 on the wire.
pub const TLS1_2: u16 = 0x0303;
/// TLS 1.3 on the wire (only ever inside supported_versions).
pub const TLS1_3: u16 = 0x0304;

/// The most a server's flight (or one handshake message in it) may take before we give up.
pub const MAX_FLIGHT_LEN: usize = 256 * 1024;

/// ContentType values (RFC 5246 6.2.1).
const RECORD_ALERT: u8 = 21;
const RECORD_HANDSHAKE: u8 = 22;

/// HandshakeType values (RFC 5246 7.4).
const HS_HELLO_REQUEST: u8 = 0;
const HS_CLIENT_HELLO: u8 = 1;
const HS_SERVER_HELLO: u8 = 2;
const HS_CERTIFICATE: u8 = 11;
const HS_SERVER_KEY_EXCHANGE: u8 = 12;
const HS_CERTIFICATE_REQUEST: u8 = 13;
const HS_SERVER_HELLO_DONE: u8 = 14;
const HS_CERTIFICATE_STATUS: u8 = 22;

/// ExtensionType values.
const EXT_SERVER_NAME: u16 = 0x0000;
const EXT_SUPPORTED_GROUPS: u16 = 0x000a;
const EXT_EC_POINT_FORMATS: u16 = 0x000b;
const EXT_SIGNATURE_ALGORITHMS: u16 = 0x000d;
const EXT_SUPPORTED_VERSIONS: u16 = 0x002b;
const EXT_RENEGOTIATION_INFO: u16 = 0xff01;

/// The suites offered, most preferred first: what TLS 1.0–1.2 servers of every Windows
/// generation pick from, legacy ones included on purpose.
const CIPHER_SUITES: [u16; 29] = [
    0xc02b, // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    0xc02f, // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    0xc02c, // TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
    0xc030, // TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    0xc023, // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256
    0xc027, // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256
    0xc024, // TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384
    0xc028, // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384
    0xc009, // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
    0xc013, // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
    0xc00a, // TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA
    0xc014, // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
    0x009e, // TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
    0x009f, // TLS_DHE_RSA_WITH_AES_256_GCM_SHA384
    0x0033, // TLS_DHE_RSA_WITH_AES_128_CBC_SHA
    0x0039, // TLS_DHE_RSA_WITH_AES_256_CBC_SHA
    0x0032, // TLS_DHE_DSS_WITH_AES_128_CBC_SHA
    0x0038, // TLS_DHE_DSS_WITH_AES_256_CBC_SHA
    0x009c, // TLS_RSA_WITH_AES_128_GCM_SHA256
    0x009d, // TLS_RSA_WITH_AES_256_GCM_SHA384
    0x003c, // TLS_RSA_WITH_AES_128_CBC_SHA256
    0x003d, // TLS_RSA_WITH_AES_256_CBC_SHA256
    0x002f, // TLS_RSA_WITH_AES_128_CBC_SHA
    0x0035, // TLS_RSA_WITH_AES_256_CBC_SHA
    0xc012, // TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA
    0x0016, // TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA
    0x000a, // TLS_RSA_WITH_3DES_EDE_CBC_SHA
    0x0005, // TLS_RSA_WITH_RC4_128_SHA
    0x0004, // TLS_RSA_WITH_RC4_128_MD5
];

/// supported_groups: x25519, secp256r1, secp384r1.
const GROUPS: [u16; 3] = [0x001d, 0x0017, 0x0018];

/// signature_algorithms (RFC 5246 7.4.1.4.1, RFC 8446 4.2.3), SHA-1 ones included.
const SIGNATURE_ALGORITHMS: [u16; 13] = [
    0x0403, // ecdsa_secp256r1_sha256
    0x0804, // rsa_pss_rsae_sha256
    0x0401, // rsa_pkcs1_sha256
    0x0503, // ecdsa_secp384r1_sha384
    0x0805, // rsa_pss_rsae_sha384
    0x0501, // rsa_pkcs1_sha384
    0x0603, // ecdsa_secp521r1_sha512
    0x0806, // rsa_pss_rsae_sha512
    0x0601, // rsa_pkcs1_sha512
    0x0203, // ecdsa_sha1
    0x0201, // rsa_pkcs1_sha1
    0x0402, // dsa_sha256
    0x0202, // dsa_sha1
];

/// A ClientHello record offering every version up to `max_version` with legacy suites.
///
/// `random` is sent as is: RFC 5246 7.4.1.2 makes its first 4 bytes the client's clock
/// (gmt_unix_time), the caller's to read. It need not be secret: no key exchange follows.
/// `server_name` goes into the server_name extension unless it is an IP literal (RFC 6066 3
/// forbids those). signature_algorithms is sent only when `max_version` is TLS 1.2 or more:
/// RFC 5246 7.4.1.4.1 says clients offering earlier versions must not send it.
pub fn client_hello(max_version: u16, server_name: Option<&str>, random: [u8; 32]) -> Vec<u8> {
    let mut extensions = Vec::new();
    if let Some(name) = server_name.and_then(sni_host_name) {
        // ServerNameList: one entry of type host_name (0).
        let mut list = vec![0x00];
        put_u16_prefixed(&mut list, name.as_bytes());
        let mut data = Vec::new();
        put_u16_prefixed(&mut data, &list);
        put_extension(&mut extensions, EXT_SERVER_NAME, &data);
    }
    let mut groups = Vec::new();
    put_u16_prefixed(&mut groups, &u16_bytes(&GROUPS));
    put_extension(&mut extensions, EXT_SUPPORTED_GROUPS, &groups);
    // One point format: uncompressed (0).
    put_extension(&mut extensions, EXT_EC_POINT_FORMATS, &[0x01, 0x00]);
    if max_version >= TLS1_2 {
        let mut algorithms = Vec::new();
        put_u16_prefixed(&mut algorithms, &u16_bytes(&SIGNATURE_ALGORITHMS));
        put_extension(&mut extensions, EXT_SIGNATURE_ALGORITHMS, &algorithms);
    }
    // An initial handshake: an empty renegotiated_connection.
    put_extension(&mut extensions, EXT_RENEGOTIATION_INFO, &[0x00]);

    let mut body = Vec::new();
    body.put_u16_be(max_version);
    body.put_slice(&random);
    body.put_u8(0x00); // empty session id
    put_u16_prefixed(&mut body, &u16_bytes(&CIPHER_SUITES));
    body.put_slice(&[0x01, 0x00]); // one compression method: null
    put_u16_prefixed(&mut body, &extensions);

    handshake_record(TLS1_0, &handshake_message(HS_CLIENT_HELLO, &body))
}

/// The host name to send as SNI: none for IP literals or names that cannot be one.
fn sni_host_name(name: &str) -> Option<&str> {
    let name = name.strip_suffix('.').unwrap_or(name);
    let unbracketed = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    if unbracketed.parse::<IpAddr>().is_ok() {
        return None;
    }
    let valid = !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    valid.then_some(name)
}

fn u16_bytes(values: &[u16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 * values.len());
    for value in values {
        out.put_u16_be(*value);
    }
    out
}

/// Appends `data` behind its big-endian u16 length. Callers keep `data` under 64 KiB.
fn put_u16_prefixed(out: &mut Vec<u8>, data: &[u8]) {
    out.put_u16_be(data.len() as u16);
    out.put_slice(data);
}

fn put_extension(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    out.put_u16_be(kind);
    put_u16_prefixed(out, data);
}

/// A handshake message: type, u24 length, body. Callers keep `body` under 16 MiB.
fn handshake_message(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + body.len());
    out.put_u8(kind);
    out.put_u24_be(body.len() as u32);
    out.put_slice(body);
    out
}

/// Handshake bytes as records of at most 2^14 bytes each (RFC 5246 6.2.1).
fn handshake_record(version: u16, handshake: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(handshake.len() + 5);
    for fragment in handshake.chunks(1 << 14) {
        out.put_u8(RECORD_HANDSHAKE);
        out.put_u16_be(version);
        put_u16_prefixed(&mut out, fragment);
    }
    out
}

/// What the first bytes from a client say (used by the simulated fleet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientHelloRead {
    /// Nothing contradicts a ClientHello yet, but it is not whole.
    Incomplete,
    /// A whole ClientHello; the highest version it offers (supported_versions included).
    Hello { max_version: u16 },
    /// Not a TLS ClientHello.
    NotHello,
}

/// Reads a ClientHello from the start of `buf` (used by the simulated fleet).
///
/// The highest version offered is the largest of supported_versions (GREASE values skipped)
/// when the extension is there, else client_version.
pub fn read_client_hello(buf: &[u8]) -> ClientHelloRead {
    let mut handshake = Vec::new();
    let mut rest = buf;
    let body = loop {
        let mut messages = ReadCursor::new(&handshake);
        if messages
            .peek_u8()
            .is_some_and(|kind| kind != HS_CLIENT_HELLO)
        {
            return ClientHelloRead::NotHello;
        }
        match take_message(&mut messages) {
            Ok(Some((_, body))) => break body,
            Ok(None) => {}
            Err(_) => return ClientHelloRead::NotHello,
        }
        match next_record(rest) {
            Ok(Some((RECORD_HANDSHAKE, fragment, after))) if !fragment.is_empty() => {
                handshake.extend_from_slice(fragment);
                rest = after;
            }
            Ok(None) => return ClientHelloRead::Incomplete,
            _ => return ClientHelloRead::NotHello,
        }
    };
    let Ok((trailing, hello)) = parse_tls_handshake_client_hello(body) else {
        return ClientHelloRead::NotHello;
    };
    if !trailing.is_empty() {
        return ClientHelloRead::NotHello;
    }
    let client_version = hello.version.0;
    let Some(extensions) = extensions(hello.ext.unwrap_or(&[])) else {
        return ClientHelloRead::NotHello;
    };
    let Some((_, data)) = extensions
        .iter()
        .find(|(kind, _)| *kind == EXT_SUPPORTED_VERSIONS)
    else {
        return ClientHelloRead::Hello {
            max_version: client_version,
        };
    };
    // ProtocolVersion versions<2..254>: a u8 length, then the versions.
    let mut list = ReadCursor::new(data);
    match list.read_u8("supported_versions length") {
        Ok(len) if usize::from(len) == list.remaining() && len >= 2 && len % 2 == 0 => {}
        _ => return ClientHelloRead::NotHello,
    }
    let mut max_version = None;
    while let Ok(version) = list.read_u16_be("supported_versions") {
        if version & 0x0f0f != 0x0a0a {
            // Not GREASE (RFC 8701).
            max_version = max_version.max(Some(version));
        }
    }
    ClientHelloRead::Hello {
        max_version: max_version.unwrap_or(client_version),
    }
}

/// A server's first flight in clear text: ServerHello, Certificate, ServerHelloDone records.
///
/// Each message travels in its own record(s) with record version `version`; the ServerHello
/// carries `random` (the caller's: its first 4 bytes are the server's clock), an empty
/// session id, null compression and an empty renegotiation_info.
pub fn server_flight(version: u16, cipher: u16, random: [u8; 32], chain: &[Vec<u8>]) -> Vec<u8> {
    let mut hello = Vec::new();
    hello.put_u16_be(version);
    hello.put_slice(&random);
    hello.put_u8(0x00); // empty session id
    hello.put_u16_be(cipher);
    hello.put_u8(0x00); // null compression
    if version > SSL3_0 {
        let mut extensions = Vec::new();
        put_extension(&mut extensions, EXT_RENEGOTIATION_INFO, &[0x00]);
        put_u16_prefixed(&mut hello, &extensions);
    }

    // Certificate: u24 length of the list, then each certificate behind its u24 length.
    let mut list = Vec::new();
    for cert in chain {
        list.put_u24_be(cert.len() as u32);
        list.put_slice(cert);
    }
    let mut certificate = Vec::with_capacity(3 + list.len());
    certificate.put_u24_be(list.len() as u32);
    certificate.put_slice(&list);

    let mut out = handshake_record(version, &handshake_message(HS_SERVER_HELLO, &hello));
    out.put_slice(&handshake_record(
        version,
        &handshake_message(HS_CERTIFICATE, &certificate),
    ));
    out.put_slice(&handshake_record(
        version,
        &handshake_message(HS_SERVER_HELLO_DONE, &[]),
    ));
    out
}

/// A fatal alert record with this description code.
pub fn alert(description: u8) -> Vec<u8> {
    // type alert, version TLS 1.0, length 2, level fatal (2), description.
    vec![RECORD_ALERT, 0x03, 0x01, 0x00, 0x02, 0x02, description]
}

/// What the server answered the legacy ClientHello with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyHello {
    /// The version the ServerHello selected (not the record header's).
    pub version: u16,
    /// The cipher suite the ServerHello selected.
    pub cipher: u16,
    /// DER certificates, leaf first.
    pub chain: Vec<Vec<u8>>,
}

/// Progress of reading the server's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Nothing wrong so far; more bytes are needed.
    NeedMore,
    /// The ServerHello and the Certificate were read.
    Hello(LegacyHello),
    /// A TLS alert with this description code.
    Alert(u8),
    /// Not TLS, or TLS that cannot be right (its message is for the `error` column).
    Error(CodecError),
}

/// Accumulates the server's bytes until the ServerHello and Certificate are read.
///
/// Once it returns anything but [`Progress::NeedMore`] it keeps returning that answer.
#[derive(Debug, Default)]
pub struct ServerFlightReader {
    /// Received bytes not yet cut into records.
    buf: Vec<u8>,
    /// Handshake bytes from whole records, not yet cut into messages.
    handshake: Vec<u8>,
    /// Bytes accepted so far, against [`MAX_FLIGHT_LEN`].
    received: usize,
    /// (version, cipher) from the ServerHello.
    hello: Option<(u16, u16)>,
    /// The final answer, once there is one.
    done: Option<Progress>,
}

impl ServerFlightReader {
    /// A reader that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes read from the server and says what is known so far.
    pub fn push(&mut self, bytes: &[u8]) -> Progress {
        if let Some(done) = &self.done {
            return done.clone();
        }
        // Never hold more than MAX_FLIGHT_LEN bytes, however much is pushed at once.
        let room = MAX_FLIGHT_LEN.saturating_sub(self.received);
        let taken = bytes.get(..room).unwrap_or(bytes);
        self.received += taken.len();
        self.buf.extend_from_slice(taken);
        let progress = match self.advance() {
            Ok(Some(done)) => done,
            Ok(None) if bytes.len() > taken.len() || self.received >= MAX_FLIGHT_LEN => {
                Progress::Error(CodecError::FlightTooLarge)
            }
            Ok(None) => return Progress::NeedMore,
            Err(error) => Progress::Error(error),
        };
        self.buf = Vec::new();
        self.handshake = Vec::new();
        self.done = Some(progress.clone());
        progress
    }

    /// Bytes held now, received but not yet read as whole records and handshake messages;
    /// never more than [`MAX_FLIGHT_LEN`] (the fuzz target `legacy_tls_flight` checks it).
    pub fn buffered(&self) -> usize {
        self.buf.len() + self.handshake.len()
    }

    /// Consumes whole records and handshake messages; `Some` once the answer is known.
    fn advance(&mut self) -> Result<Option<Progress>, CodecError> {
        let mut consumed = 0;
        let result = loop {
            let rest = self.buf.get(consumed..).unwrap_or_default();
            let (kind, fragment, after) = match next_record(rest) {
                Ok(Some(record)) => record,
                Ok(None) => break Ok(None),
                Err(error) => break Err(error),
            };
            consumed = self.buf.len() - after.len();
            match kind {
                RECORD_ALERT => match fragment {
                    // A warning other than close_notify (say unrecognized_name) does not end
                    // the handshake: keep reading.
                    [1, description] if *description != 0 => {}
                    [_, description] => break Ok(Some(Progress::Alert(*description))),
                    _ => break Err(CodecError::BadAlertRecord(fragment.len())),
                },
                _ if fragment.is_empty() => break Err(CodecError::EmptyHandshakeRecord),
                _ => {
                    self.handshake.extend_from_slice(fragment);
                    match self.read_messages() {
                        Ok(None) => {}
                        other => break other,
                    }
                }
            }
        };
        self.buf.drain(..consumed);
        result
    }

    /// Reads the whole handshake messages buffered so far.
    fn read_messages(&mut self) -> Result<Option<Progress>, CodecError> {
        let mut messages = ReadCursor::new(&self.handshake);
        let result = loop {
            let (kind, body) = match take_message(&mut messages) {
                Ok(Some(message)) => message,
                Ok(None) => break Ok(None),
                Err(error) => break Err(error),
            };
            match (kind, self.hello) {
                (HS_SERVER_HELLO, None) => match read_server_hello(body) {
                    Ok(hello) => self.hello = Some(hello),
                    Err(error) => break Err(error),
                },
                (HS_SERVER_HELLO, Some(_)) => break Err(CodecError::SecondServerHello),
                (HS_CERTIFICATE, Some((version, cipher))) => {
                    break read_certificate(body).map(|chain| {
                        Some(Progress::Hello(LegacyHello {
                            version,
                            cipher,
                            chain,
                        }))
                    });
                }
                (HS_CERTIFICATE, None) => break Err(CodecError::CertificateBeforeServerHello),
                (HS_SERVER_HELLO_DONE, Some(_)) => break Err(CodecError::NoCertificate),
                (HS_HELLO_REQUEST, _) => {}
                (
                    HS_SERVER_KEY_EXCHANGE | HS_CERTIFICATE_REQUEST | HS_CERTIFICATE_STATUS,
                    Some(_),
                ) => {}
                (other, _) => break Err(CodecError::UnexpectedHandshake(other)),
            }
        };
        let consumed = messages.position();
        self.handshake.drain(..consumed);
        result
    }
}

/// Takes the next handshake message (type, body) off `r` once it is whole; the cursor does
/// not move while it is not. A message longer than [`MAX_FLIGHT_LEN`] is an error.
fn take_message<'a>(r: &mut ReadCursor<'a>) -> Result<Option<(u8, &'a [u8])>, CodecError> {
    let mut message = *r;
    let Ok(kind) = message.read_u8("tls handshake type") else {
        return Ok(None);
    };
    let Ok(len) = message.read_u24_be("tls handshake length") else {
        return Ok(None);
    };
    let len = len as usize;
    if len > MAX_FLIGHT_LEN {
        return Err(CodecError::HandshakeTooLarge(len));
    }
    match message.read_slice(len, "tls handshake message") {
        Ok(body) => {
            *r = message;
            Ok(Some((kind, body)))
        }
        Err(_) => Ok(None),
    }
}

/// (version, cipher) of a ServerHello body; TLS 1.3 (via supported_versions) is an error.
fn read_server_hello(body: &[u8]) -> Result<(u16, u16), CodecError> {
    let version = ReadCursor::new(body)
        .read_u16_be("tls server hello version")
        .unwrap_or(0);
    if !(SSL3_0..=TLS1_2).contains(&version) {
        return Err(CodecError::ServerHelloVersion(version));
    }
    let (trailing, hello) =
        parse_tls_handshake_server_hello(body).map_err(|_| CodecError::MalformedServerHello)?;
    // SSL 3.0 hellos are read without extensions; anything after them is not looked at.
    if hello.version.0 != SSL3_0 && !trailing.is_empty() {
        return Err(CodecError::MalformedServerHello);
    }
    let extensions =
        extensions(hello.ext.unwrap_or(&[])).ok_or(CodecError::MalformedServerHello)?;
    if let Some((_, data)) = extensions
        .iter()
        .find(|(kind, _)| *kind == EXT_SUPPORTED_VERSIONS)
    {
        let mut r = ReadCursor::new(data);
        let selected = r
            .read_u16_be("supported_versions")
            .ok()
            .filter(|_| r.is_empty())
            .ok_or(CodecError::MalformedServerHello)?;
        if selected >= TLS1_3 {
            return Err(CodecError::SupportedVersionsSelected(selected));
        }
    }
    Ok((hello.version.0, hello.cipher.0))
}

/// The DER certificates of a Certificate body (RFC 5246 7.4.2), checked to the last byte.
fn read_certificate(body: &[u8]) -> Result<Vec<Vec<u8>>, CodecError> {
    let malformed = |_| CodecError::MalformedCertificate;
    let mut r = ReadCursor::new(body);
    let list_len = r
        .read_u24_be("tls certificate list length")
        .map_err(malformed)?;
    if list_len as usize != r.remaining() {
        return Err(CodecError::MalformedCertificate);
    }
    let mut chain = Vec::new();
    while !r.is_empty() {
        let len = r.read_u24_be("tls certificate length").map_err(malformed)?;
        let cert = r
            .read_slice(len as usize, "tls certificate")
            .map_err(malformed)?;
        chain.push(cert.to_vec());
    }
    Ok(chain)
}

/// A whole record as (content type, fragment, the bytes after it).
type Record<'a> = (u8, &'a [u8], &'a [u8]);

/// The next whole record at the start of `buf`; `None` when more bytes are needed. Only
/// handshake and alert records are expected before the certificate; a first byte that is
/// neither is not TLS.
fn next_record(buf: &[u8]) -> Result<Option<Record<'_>>, CodecError> {
    let r = ReadCursor::new(buf);
    let Some(kind) = r.peek_u8() else {
        return Ok(None);
    };
    if kind != RECORD_HANDSHAKE && kind != RECORD_ALERT {
        return Err(if (20..=24).contains(&kind) {
            CodecError::UnexpectedRecordType(kind)
        } else {
            CodecError::NotTls(kind)
        });
    }
    if let Some(&[_, major]) = r.peek(2) {
        if major != 0x03 {
            return Err(CodecError::NotTlsVersion(major));
        }
    }
    match parse_tls_raw_record(buf) {
        Ok((rest, record)) => Ok(Some((kind, record.data, rest))),
        Err(NomErr::Incomplete(_)) => Ok(None),
        Err(_) => {
            let mut header = r;
            let len = header
                .skip(3, "tls record header")
                .and_then(|()| header.read_u16_be("tls record length"))
                .unwrap_or(0);
            Err(CodecError::RecordTooLong(len))
        }
    }
}

/// Splits an extensions block into (type, data) pairs; `None` if the lengths do not add up.
fn extensions(block: &[u8]) -> Option<Vec<(u16, &[u8])>> {
    let mut r = ReadCursor::new(block);
    let mut out = Vec::new();
    while !r.is_empty() {
        let kind = r.read_u16_be("tls extension type").ok()?;
        let len = r.read_u16_be("tls extension length").ok()?;
        out.push((kind, r.read_slice(usize::from(len), "tls extension").ok()?));
    }
    Some(out)
}

/// A ProtocolVersion value as a server answered it (RFC 8446 4.1.2, RFC 5246 6.2.1); unknown
/// values kept, ordered by value. `Display` writes its report word: `SSLv3`, `TLSv1.0` …
/// `TLSv1.3`, else the value as four hex digits (`0x7f1c`); see the `words` module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TlsWireVersion(pub u16);

impl TlsWireVersion {
    pub const SSL3_0: Self = Self(SSL3_0);
    pub const TLS1_0: Self = Self(TLS1_0);
    pub const TLS1_1: Self = Self(TLS1_1);
    pub const TLS1_2: Self = Self(TLS1_2);
    pub const TLS1_3: Self = Self(TLS1_3);
}

/// The IANA name of a cipher suite, or `0x....` when unknown.
pub fn cipher_name(id: u16) -> String {
    match TlsCipherSuite::from_id(id) {
        Some(suite) => suite.name.to_string(),
        None => format!("{id:#06x}"),
    }
}

/// Alert descriptions (RFC 5246 7.2, RFC 8446 6 and B.2).
const ALERTS: [(u8, &str); 34] = [
    (0, "close_notify"),
    (10, "unexpected_message"),
    (20, "bad_record_mac"),
    (21, "decryption_failed"),
    (22, "record_overflow"),
    (30, "decompression_failure"),
    (40, "handshake_failure"),
    (41, "no_certificate"),
    (42, "bad_certificate"),
    (43, "unsupported_certificate"),
    (44, "certificate_revoked"),
    (45, "certificate_expired"),
    (46, "certificate_unknown"),
    (47, "illegal_parameter"),
    (48, "unknown_ca"),
    (49, "access_denied"),
    (50, "decode_error"),
    (51, "decrypt_error"),
    (60, "export_restriction"),
    (70, "protocol_version"),
    (71, "insufficient_security"),
    (80, "internal_error"),
    (86, "inappropriate_fallback"),
    (90, "user_canceled"),
    (100, "no_renegotiation"),
    (109, "missing_extension"),
    (110, "unsupported_extension"),
    (111, "certificate_unobtainable"),
    (112, "unrecognized_name"),
    (113, "bad_certificate_status_response"),
    (114, "bad_certificate_hash_value"),
    (115, "unknown_psk_identity"),
    (116, "certificate_required"),
    (120, "no_application_protocol"),
];

/// An alert description as `name (code)`, e.g. `handshake_failure (40)`.
pub fn alert_name(description: u8) -> String {
    let name = ALERTS
        .iter()
        .find(|(code, _)| *code == description)
        .map_or("unknown", |(_, name)| name);
    format!("{name} ({description})")
}

#[cfg(test)]
mod tests;
