//! One typed record per target: every stage's outcome and timing.
//!
//! The record is the contract between probing and reporting. It is written to `results.jsonl`
//! as is (serde), so a saved run can be re-read and re-reported without rescanning. Its values
//! are typed (TLS versions, the certificate's key and signature, times); only the writers turn
//! them into text, each the same text `results.jsonl` has always held.

use std::net::IpAddr;

use rdpsweep_codec::{FailureCode, ResponseFlags, SecurityProtocol, TlsWireVersion};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use crate::certificate::CertInfo;
use crate::deep::DeepObservation;
use crate::timestamp;
use crate::trust::CertTrust;
use crate::vocab::{RdpStatus, TcpStatus, TlsStatus};

/// Everything the probe saw of one `(address, port)` target.
///
/// Stage fields are `None` when the stage did not run (for example `rdp` when TCP was refused).
/// `results.jsonl` leaves out the fields that are `None` or empty (a dead target is a short
/// row); a line that writes them as `null` or `[]`, as rdpsweep 0.1 did, loads the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// The address probed; `None` only when a host name could not be resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    pub port: u16,
    /// The host name the target was given as, if it was given as a name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    pub tcp: TcpStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rdp: Option<RdpStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rdp_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_protocol: Option<SecurityProtocol>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neg_flags: Option<ResponseFlags>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neg_failure: Option<FailureCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_ms: Option<f64>,
    /// The version the handshake reached (the legacy hello may see SSLv3 or an unknown value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_version: Option<TlsWireVersion>,
    /// The IANA cipher-suite name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_cipher: Option<String>,
    /// The server's (leaf) certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert: Option<CertInfo>,
    /// The certificates the server sent after its leaf, in order (JSON Lines only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intermediates: Vec<CertInfo>,
    /// Results written before `intermediates`: every certificate the server sent, leaf first.
    /// Read, never written (see [`Observation::certificates`]).
    #[serde(default, skip_serializing)]
    pub chain: Vec<CertInfo>,
    /// Whether a client trusts that chain and it names the host; `None` without a certificate
    /// (and in results written before rdpsweep judged trust).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_trust: Option<CertTrust>,
    /// How many times the target was probed (1 + retries used).
    pub attempts: u32,
    /// One short outcome per attempt, oldest first, e.g. `rdp=timeout` (JSON Lines only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempt_outcomes: Vec<String>,
    /// What went wrong, in words, for any stage that did not succeed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When the probe of this target finished, to the whole second. Absent only in a record
    /// that has no time there (written `""`).
    #[serde(with = "timestamp::text")]
    pub scanned_at: Option<OffsetDateTime>,
    /// What `--deep` found; `None` when it was not asked for (and in results written before it
    /// existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deep: Option<DeepObservation>,
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
            intermediates: Vec::new(),
            chain: Vec::new(),
            cert_trust: None,
            attempts: 1,
            attempt_outcomes: Vec::new(),
            error: None,
            scanned_at: None,
            deep: None,
        }
    }

    /// True for a target nothing listened on: TCP refused, timed out or unreachable (a 0x204 for
    /// clients, not 0x904).
    pub fn no_listener(&self) -> bool {
        matches!(
            self.tcp,
            TcpStatus::Refused | TcpStatus::Timeout | TcpStatus::Unreachable
        )
    }

    /// Every certificate the server sent, leaf first: `cert` and `intermediates` (or, in
    /// results written before them, `chain`).
    pub fn certificates(&self) -> impl Iterator<Item = &CertInfo> {
        let old = !self.chain.is_empty();
        let (leaf, rest) = match old {
            true => (None, self.chain.as_slice()),
            false => (self.cert.as_ref(), self.intermediates.as_slice()),
        };
        leaf.into_iter().chain(rest)
    }

    /// A record read from a file written before `intermediates`: its `chain` (leaf first)
    /// becomes `cert`'s intermediates, so the record is written back in today's form.
    pub fn upgrade(&mut self) {
        if !self.chain.is_empty() {
            let mut chain = std::mem::take(&mut self.chain).into_iter();
            let leaf = chain.next();
            if self.cert.is_none() {
                self.cert = leaf;
            }
            self.intermediates = chain.collect();
        }
    }

    /// The outcome of the last stage that ran, e.g. `tls=ok`, `rdp=timeout`, `tcp=refused`.
    pub fn outcome(&self) -> String {
        let mut text = String::with_capacity(16);
        self.write_outcome(&mut text);
        text
    }

    /// [`Observation::outcome`] at the end of `out`.
    pub fn write_outcome(&self, out: &mut String) {
        let (stage, word) = if let Some(tls) = self.tls {
            ("tls=", tls.as_str())
        } else if let Some(rdp) = self.rdp {
            ("rdp=", rdp.as_str())
        } else {
            ("tcp=", self.tcp.as_str())
        };
        out.push_str(stage);
        out.push_str(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::{assess, RiskPolicy};

    /// A record of an RDP host with a certificate and a deep NTLM identity, its time fields
    /// set to `scanned_at`, `not_before`, `not_after` and `server_time` (JSON values).
    fn line(scanned_at: &str, not_before: &str, not_after: &str, server_time: &str) -> String {
        format!(
            r#"{{"ip":"10.0.0.7","port":3389,"hostname":null,"tcp":"open","tcp_ms":0.3,"rdp":"negotiated","rdp_ms":0.4,"selected_protocol":"hybrid","neg_flags":"","neg_failure":null,"tls":"legacy","tls_ms":2.0,"tls_version":"SSLv3","tls_cipher":"TLS_RSA_WITH_RC4_128_SHA","cert":{{"subject":"old","issuer":"old","self_signed":true,"not_before":{not_before},"not_after":{not_after},"days_left":-3,"key":"RSA 1024","signature":"md5WithRSAEncryption","sha256":"00"}},"chain":[],"attempts":1,"attempt_outcomes":["tls=legacy"],"error":null,"scanned_at":{scanned_at},"deep":{{"protocols":[],"tls_versions":[{{"version":"TLSv1.0","accepted":false,"tls":"ok","server_version":"0x7f1c","cipher":null,"error":"the server chose 0x7f1c"}}],"rdp_security":null,"ntlm":{{"computer":"OLD","domain":null,"dns_computer":null,"dns_domain":null,"dns_tree":null,"os_version":null,"server_time":{server_time},"clock_skew_s":900}},"connections":3,"notes":[]}}}}"#
        )
    }

    #[test]
    fn versions_beyond_tls_1_0_to_1_3_load_and_write_back() {
        let text = line(
            r#""2026-11-21T23:00:00Z""#,
            r#""2026-01-01T00:00:00Z""#,
            r#""2026-11-18T00:00:00Z""#,
            r#""2026-11-21T23:15:00Z""#,
        );
        let obs: Observation = serde_json::from_str(&text).expect("loads");
        assert_eq!(obs.tls_version, Some(TlsWireVersion(0x0300)));
        let deep = obs.deep.as_ref().unwrap();
        assert_eq!(
            deep.tls_versions[0].server_version,
            Some(TlsWireVersion(0x7f1c))
        );
        assert_eq!(serde_json::to_string(&obs).unwrap(), written(&text));
    }

    /// A `line` as rdpsweep writes it back: empty top-level fields left out.
    fn written(line: &str) -> String {
        line.replace(r#""hostname":null,"#, "")
            .replace(r#""neg_failure":null,"#, "")
            .replace(r#""chain":[],"#, "")
            .replace(r#""error":null,"#, "")
    }

    #[test]
    fn an_old_chain_becomes_the_leaf_and_its_intermediates() {
        let text = line(r#""2026-11-21T23:00:00Z""#, "null", "null", "null");
        let mut obs: Observation = serde_json::from_str(&text).expect("loads");
        let leaf = obs.cert.clone().unwrap();
        let mut ca = leaf.clone();
        ca.subject = "ca".into();
        obs.chain = vec![leaf.clone(), ca.clone()];
        obs.upgrade();
        assert_eq!(obs.cert.as_ref(), Some(&leaf));
        assert_eq!(obs.intermediates, [ca.clone()]);
        assert!(obs.chain.is_empty());
        assert_eq!(obs.certificates().cloned().collect::<Vec<_>>(), [leaf, ca]);
        let again = serde_json::to_string(&obs).unwrap();
        assert!(
            again.contains(r#""intermediates":[{"subject":"ca""#),
            "{again}"
        );
        assert!(!again.contains(r#""chain""#), "{again}");
    }

    #[test]
    fn empty_or_malformed_times_load_as_absent() {
        let text = line(r#""""#, r#""yesterday""#, r#""""#, r#""2026-11-21 23:15""#);
        let obs: Observation = serde_json::from_str(&text).expect("loads");
        assert_eq!(obs.scanned_at, None);
        let cert = obs.cert.as_ref().unwrap();
        assert_eq!((cert.not_before, cert.not_after), (None, None));
        let ntlm = obs.deep.as_ref().unwrap().ntlm.as_ref().unwrap();
        assert_eq!(ntlm.server_time, None);
        // The findings that need no time are still raised.
        let codes: Vec<String> = assess(&obs, &RiskPolicy::default())
            .findings
            .iter()
            .map(|f| f.code.to_string())
            .collect();
        for code in [
            "CERT_EXPIRED",
            "CERT_WEAK_KEY",
            "CERT_WEAK_SIGNATURE",
            "CLOCK_SKEW",
        ] {
            assert!(codes.iter().any(|c| c == code), "{code} in {codes:?}");
        }
        assert!(
            !codes.iter().any(|c| c == "CERT_NOT_YET_VALID"),
            "{codes:?}"
        );
        // Written back as absent: `""` where the field was always a string, `null` otherwise.
        let again = serde_json::to_string(&obs).unwrap();
        assert_eq!(again, written(&line(r#""""#, r#""""#, r#""""#, "null")));
        // A time that is not a string at all is not a record.
        assert!(serde_json::from_str::<Observation>(&line("7", "null", "null", "null")).is_err());
    }

    #[test]
    fn a_missing_server_time_is_absent() {
        let text = line(r#""2026-11-21T23:00:00Z""#, "null", "null", "null")
            .replace(r#","server_time":null"#, "");
        let obs: Observation = serde_json::from_str(&text).expect("loads");
        let ntlm = obs.deep.as_ref().unwrap().ntlm.as_ref().unwrap();
        assert_eq!(ntlm.server_time, None);
        assert_eq!(
            obs.scanned_at.map(crate::timestamp::rfc3339).as_deref(),
            Some("2026-11-21T23:00:00Z")
        );
    }
}
