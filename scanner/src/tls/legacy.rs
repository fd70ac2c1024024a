//! Hand-built TLS 1.0–1.2 ClientHello and a reader of the server's clear-text answer.
//! STUB: owned by the legacy-TLS helper. Signatures are the agreed interface.

/// TLS 1.0 on the wire.
pub const TLS1_0: u16 = 0x0301;
/// TLS 1.1 on the wire.
pub const TLS1_1: u16 = 0x0302;
/// TLS 1.2 on the wire.
pub const TLS1_2: u16 = 0x0303;

/// A ClientHello record offering every version up to `max_version` with legacy suites.
pub fn client_hello(max_version: u16, server_name: Option<&str>) -> Vec<u8> {
    let _ = (max_version, server_name);
    Vec::new()
}

/// What the first bytes from a client say (used by the simulated fleet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientHelloRead {
    Incomplete,
    /// A whole ClientHello; the highest version it offers (supported_versions included).
    Hello {
        max_version: u16,
    },
    NotHello,
}

/// Reads a ClientHello from the start of `buf` (used by the simulated fleet).
pub fn read_client_hello(buf: &[u8]) -> ClientHelloRead {
    let _ = buf;
    ClientHelloRead::NotHello
}

/// A server's first flight in clear text: ServerHello, Certificate, ServerHelloDone records.
pub fn server_flight(version: u16, cipher: u16, chain: &[Vec<u8>]) -> Vec<u8> {
    let _ = (version, cipher, chain);
    Vec::new()
}

/// A fatal alert record with this description code.
pub fn alert(description: u8) -> Vec<u8> {
    vec![0x15, 0x03, 0x01, 0x00, 0x02, 0x02, description]
}

/// What the server answered the legacy ClientHello with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyHello {
    pub version: u16,
    pub cipher: u16,
    /// DER certificates, leaf first.
    pub chain: Vec<Vec<u8>>,
}

/// Progress of reading the server's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    NeedMore,
    Hello(LegacyHello),
    /// A TLS alert with this description code.
    Alert(u8),
    /// Not TLS, or TLS that cannot be right; lowercase words for the `error` column.
    Error(String),
}

/// Accumulates the server's bytes until the ServerHello and Certificate are read.
#[derive(Debug, Default)]
pub struct ServerFlightReader {
    buf: Vec<u8>,
}

impl ServerFlightReader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes read from the server and says what is known so far.
    pub fn push(&mut self, bytes: &[u8]) -> Progress {
        self.buf.extend_from_slice(bytes);
        Progress::NeedMore
    }
}

/// `TLSv1.0` … `TLSv1.3`, or `0x....` for anything else.
pub fn version_name(version: u16) -> String {
    format!("{version:#06x}")
}

/// The IANA name of a cipher suite, or `0x....` when unknown.
pub fn cipher_name(id: u16) -> String {
    format!("{id:#06x}")
}

/// An alert description as `name (code)`, e.g. `handshake_failure (40)`.
pub fn alert_name(description: u8) -> String {
    format!("alert {description}")
}
