//! What an X.509 certificate says, summarised for the report (x509-parser does the parsing).
//! STUB: owned by the cert/targets helper.

use rdpsweep_reports::CertInfo;

/// Why a certificate could not be read.
#[derive(Debug, thiserror::Error)]
#[error("unreadable certificate: {0}")]
pub struct CertError(pub String);

/// Summarises one DER certificate as seen at `now`: subject/issuer (CN, or the whole DN when
/// there is no CN), self-signed, validity in RFC 3339 UTC, whole days left (negative once
/// expired), key (`RSA 2048`, `EC P-256`, `Ed25519`), signature algorithm name
/// (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `sha1WithRSAEncryption`), SHA-256 hex.
pub fn summarize(der: &[u8], now: time::OffsetDateTime) -> Result<CertInfo, CertError> {
    let _ = (der, now);
    Err(CertError("not implemented yet".into()))
}
