//! The hand-built legacy ClientHello over a connection whose Confirm selected TLS, and the
//! server's clear-text answer read with the codec's [`ServerFlightReader`]: how the probe sees
//! hosts that rustls cannot talk to (TLS 1.0/1.1, legacy suites), and how the deep probe asks
//! for TLS 1.0 and 1.1.

use std::time::{SystemTime, UNIX_EPOCH};

use rdpsweep_codec::legacy_tls::{self as legacy, LegacyHello, Progress, ServerFlightReader};
use rdpsweep_reports::TlsStatus;
use sha2::{Digest, Sha256};

use crate::wire::failure::lowercase;
use crate::wire::{Conn, Framed, IoKind, ReadError};

/// Why the legacy handshake gave no ServerHello and certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegacyFailure {
    Closed,
    Reset,
    /// Another socket error, in words.
    Io(String),
    /// A TLS alert, by its description code.
    Alert(u8),
    /// An answer that is not a readable server flight, in the codec's words.
    Malformed(String),
}

impl LegacyFailure {
    /// The `tls` status and the words the record gives this failure.
    pub fn status(&self) -> (TlsStatus, String) {
        match self {
            LegacyFailure::Closed => (TlsStatus::Closed, "closed during the tls handshake".into()),
            LegacyFailure::Reset => (TlsStatus::Reset, "reset during the tls handshake".into()),
            LegacyFailure::Io(words) => (TlsStatus::ProtocolError, words.clone()),
            LegacyFailure::Alert(code) => (
                TlsStatus::Alert,
                format!("server sent tls alert {}", legacy::alert_name(*code)),
            ),
            LegacyFailure::Malformed(words) => (TlsStatus::ProtocolError, words.clone()),
        }
    }
}

/// Sends a legacy ClientHello offering versions up to `max_version` (with `sni`, when the
/// target was given as a name) and reads until the ServerHello and Certificate are in.
pub async fn hello(
    framed: &mut Framed<Conn>,
    max_version: u16,
    sni: Option<&str>,
) -> Result<LegacyHello, LegacyFailure> {
    let hello = legacy::client_hello(max_version, sni, hello_random(max_version, sni));
    if let Err(e) = framed.send(&hello).await {
        return Err(io_failure(ReadError::Io {
            kind: IoKind::of(&e),
            error: e,
            received: 0,
        }));
    }
    let mut reader = ServerFlightReader::new();
    framed
        .read_until(|chunk| match reader.push(chunk) {
            Progress::NeedMore => None,
            Progress::Hello(hello) => Some(Ok(hello)),
            Progress::Alert(code) => Some(Err(LegacyFailure::Alert(code))),
            Progress::Error(e) => Some(Err(LegacyFailure::Malformed(e.to_string()))),
        })
        .await
        .map_err(io_failure)?
}

fn io_failure(e: ReadError) -> LegacyFailure {
    match e {
        ReadError::Closed { .. } => LegacyFailure::Closed,
        ReadError::Io {
            kind: IoKind::Reset,
            ..
        } => LegacyFailure::Reset,
        ReadError::Io { error, .. } => LegacyFailure::Io(lowercase(&error)),
        ReadError::Frame { error, .. } => LegacyFailure::Malformed(error.to_string()),
    }
}

/// The ClientHello's 32 random bytes: gmt_unix_time as RFC 5246 7.4.1.2 describes it, then 28
/// bytes derived from the clock and the hello's arguments. Not secret and not needed to be:
/// the key exchange never happens.
fn hello_random(max_version: u16, sni: Option<&str>) -> [u8; 32] {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(now.as_nanos().to_be_bytes());
    hasher.update(max_version.to_be_bytes());
    hasher.update(sni.unwrap_or("").as_bytes());
    let digest = hasher.finalize();
    let mut random = [0u8; 32];
    random[..4].copy_from_slice(&(now.as_secs() as u32).to_be_bytes());
    random[4..].copy_from_slice(&digest[..28]);
    random
}
