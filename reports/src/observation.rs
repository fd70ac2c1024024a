//! One typed record per target: every stage's outcome and timing.
//!
//! The record is the contract between probing and reporting. It is written to `results.jsonl`
//! as is (serde), so a saved run can be re-read and re-reported without rescanning.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::deep::DeepObservation;
use crate::vocab::{NegFailure, NegFlags, RdpStatus, SelectedProtocol, TcpStatus, TlsStatus};

/// Everything the probe saw of one `(address, port)` target.
///
/// Stage fields are `None` when the stage did not run (for example `rdp` when TCP was refused).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// The address probed; `None` only when a host name could not be resolved.
    pub ip: Option<IpAddr>,
    pub port: u16,
    /// The host name the target was given as, if it was given as a name.
    pub hostname: Option<String>,
    pub tcp: TcpStatus,
    pub tcp_ms: Option<f64>,
    pub rdp: Option<RdpStatus>,
    pub rdp_ms: Option<f64>,
    pub selected_protocol: Option<SelectedProtocol>,
    pub neg_flags: Option<NegFlags>,
    pub neg_failure: Option<NegFailure>,
    pub tls: Option<TlsStatus>,
    pub tls_ms: Option<f64>,
    /// `TLSv1.0` … `TLSv1.3`.
    pub tls_version: Option<String>,
    /// The IANA cipher-suite name.
    pub tls_cipher: Option<String>,
    /// The server's (leaf) certificate.
    pub cert: Option<CertInfo>,
    /// Every certificate the server sent, leaf first (JSON Lines only).
    #[serde(default)]
    pub chain: Vec<CertInfo>,
    /// How many times the target was probed (1 + retries used).
    pub attempts: u32,
    /// One short outcome per attempt, oldest first, e.g. `rdp=timeout` (JSON Lines only).
    #[serde(default)]
    pub attempt_outcomes: Vec<String>,
    /// What went wrong, in words, for any stage that did not succeed.
    pub error: Option<String>,
    /// When the probe of this target finished, RFC 3339 UTC.
    pub scanned_at: String,
    /// What `--deep` found; `None` when it was not asked for (and in results written before it
    /// existed).
    #[serde(default)]
    pub deep: Option<DeepObservation>,
}

/// What rdpsweep records of one X.509 certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInfo {
    /// The subject CN, or the whole DN when there is no CN.
    pub subject: String,
    /// The issuer CN, or the whole DN when there is no CN.
    pub issuer: String,
    pub self_signed: bool,
    /// RFC 3339 UTC.
    pub not_before: String,
    /// RFC 3339 UTC.
    pub not_after: String,
    /// Whole days from the scan to `not_after`; negative once expired.
    pub days_left: i64,
    /// Key type and size, e.g. `RSA 2048`, `EC P-256`.
    pub key: String,
    /// Signature algorithm name, e.g. `sha256WithRSAEncryption`.
    pub signature: String,
    /// SHA-256 of the DER encoding, lowercase hex.
    pub sha256: String,
}

impl Observation {
    /// A record for `port` on `ip` with only the TCP outcome filled in; the probe fills the rest.
    pub fn new(ip: Option<IpAddr>, port: u16, hostname: Option<String>, tcp: TcpStatus) -> Self {
        Observation {
            ip,
            port,
            hostname,
            tcp,
            tcp_ms: None,
            rdp: None,
            rdp_ms: None,
            selected_protocol: None,
            neg_flags: None,
            neg_failure: None,
            tls: None,
            tls_ms: None,
            tls_version: None,
            tls_cipher: None,
            cert: None,
            chain: Vec::new(),
            attempts: 1,
            attempt_outcomes: Vec::new(),
            error: None,
            scanned_at: String::new(),
            deep: None,
        }
    }

    /// The outcome of the last stage that ran, e.g. `tls=ok`, `rdp=timeout`, `tcp=refused`.
    pub fn outcome(&self) -> String {
        if let Some(tls) = self.tls {
            format!("tls={tls}")
        } else if let Some(rdp) = self.rdp {
            format!("rdp={rdp}")
        } else {
            format!("tcp={}", self.tcp)
        }
    }
}
