//! `summary.json`: the scan's parameters, when it ran, and counts by status, level and finding.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ranking::RankedHost;
use crate::risk::RiskLevel;

/// What was scanned and how. Fields a rebuilt report cannot know (`rdpsweep report` reads only
/// observations) are `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanInfo {
    /// rdpsweep's version.
    pub version: String,
    /// RFC 3339 UTC; for a rebuilt report, the earliest `scanned_at`.
    pub started_at: Option<String>,
    /// RFC 3339 UTC; for a rebuilt report, the latest `scanned_at`.
    pub finished_at: Option<String>,
    pub targets: Option<Vec<String>>,
    pub input_files: Option<Vec<String>>,
    pub excludes: Option<Vec<String>>,
    pub ports: Option<Vec<u16>>,
    pub rate: Option<u32>,
    pub concurrency: Option<u32>,
    pub connect_timeout: Option<String>,
    pub timeout: Option<String>,
    pub retries: Option<u32>,
    /// The seed of the order targets were visited in.
    #[serde(default)]
    pub seed: Option<u64>,
    /// The shard scanned, `I/N` (`1/1` for all).
    #[serde(default)]
    pub shard: Option<String>,
    /// True when the scan was interrupted.
    pub interrupted: bool,
    /// The `results.jsonl` a rebuilt report was made from.
    pub source: Option<String>,
}

/// The whole `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub scan: ScanInfo,
    pub hosts: usize,
    /// Hosts by the outcome of their last stage (`tls=ok`, `rdp=timeout`, `tcp=refused`...).
    pub by_status: BTreeMap<String, usize>,
    /// Hosts by risk level (every level present, zeros included).
    pub by_level: BTreeMap<String, usize>,
    /// Hosts raising each finding code (codes no host raised are left out).
    pub by_finding: BTreeMap<String, usize>,
    /// Hosts with a certificate, by days left to its expiry, in [`EXPIRY_BUCKETS`] (all present).
    pub cert_expiry: BTreeMap<String, usize>,
}

/// The buckets of days to certificate expiry: (name, lowest days, highest days).
pub const EXPIRY_BUCKETS: [(&str, i64, i64); 6] = [
    ("expired", i64::MIN, -1),
    ("0-7", 0, 7),
    ("8-30", 8, 30),
    ("31-90", 31, 90),
    ("91-365", 91, 365),
    (">365", 366, i64::MAX),
];

/// The bucket of `days_left`.
pub fn expiry_bucket(days_left: i64) -> &'static str {
    EXPIRY_BUCKETS
        .iter()
        .find(|(_, low, high)| (*low..=*high).contains(&days_left))
        .map(|(name, _, _)| *name)
        .unwrap_or("expired")
}

/// Counts hosts one at a time, so a summary of any number of hosts takes constant memory.
#[derive(Debug, Clone)]
pub struct SummaryCounter {
    hosts: usize,
    by_status: BTreeMap<String, usize>,
    by_level: BTreeMap<String, usize>,
    by_finding: BTreeMap<String, usize>,
    cert_expiry: BTreeMap<String, usize>,
    /// The earliest and latest `scanned_at`, for reports rebuilt without scan times.
    first_seen: Option<String>,
    last_seen: Option<String>,
}

impl Default for SummaryCounter {
    fn default() -> Self {
        SummaryCounter {
            hosts: 0,
            by_status: BTreeMap::new(),
            by_level: RiskLevel::ALL.iter().map(|l| (l.to_string(), 0)).collect(),
            by_finding: BTreeMap::new(),
            cert_expiry: EXPIRY_BUCKETS
                .iter()
                .map(|(name, _, _)| (name.to_string(), 0))
                .collect(),
            first_seen: None,
            last_seen: None,
        }
    }
}

impl SummaryCounter {
    /// Counts one host.
    pub fn add(&mut self, host: &RankedHost) {
        self.hosts += 1;
        *self
            .by_status
            .entry(host.observation.outcome())
            .or_insert(0) += 1;
        *self
            .by_level
            .entry(host.assessment.level.to_string())
            .or_insert(0) += 1;
        for finding in &host.assessment.findings {
            *self.by_finding.entry(finding.code.to_string()).or_insert(0) += 1;
        }
        let seen = &host.observation.scanned_at;
        if !seen.is_empty() {
            if self.first_seen.as_ref().is_none_or(|first| seen < first) {
                self.first_seen = Some(seen.clone());
            }
            if self.last_seen.as_ref().is_none_or(|last| seen > last) {
                self.last_seen = Some(seen.clone());
            }
        }
        if let Some(cert) = &host.observation.cert {
            *self
                .cert_expiry
                .entry(expiry_bucket(cert.days_left).to_string())
                .or_insert(0) += 1;
        }
    }

    /// The summary of every host counted. Scan times the caller does not know (a rebuilt
    /// report) are taken from the earliest and latest `scanned_at`.
    pub fn finish(self, scan: &ScanInfo) -> Summary {
        let mut scan = scan.clone();
        if scan.started_at.is_none() {
            scan.started_at = self.first_seen;
            scan.finished_at = self.last_seen;
        }
        Summary {
            scan,
            hosts: self.hosts,
            by_status: self.by_status,
            by_level: self.by_level,
            by_finding: self.by_finding,
            cert_expiry: self.cert_expiry,
        }
    }
}

/// Counts the ranked hosts.
pub fn summarize(hosts: &[RankedHost], scan: &ScanInfo) -> Summary {
    let mut counter = SummaryCounter::default();
    hosts.iter().for_each(|h| counter.add(h));
    counter.finish(scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_buckets_cover_every_day_once() {
        assert_eq!(expiry_bucket(-400), "expired");
        assert_eq!(expiry_bucket(-1), "expired");
        assert_eq!(expiry_bucket(0), "0-7");
        assert_eq!(expiry_bucket(7), "0-7");
        assert_eq!(expiry_bucket(8), "8-30");
        assert_eq!(expiry_bucket(30), "8-30");
        assert_eq!(expiry_bucket(365), "91-365");
        assert_eq!(expiry_bucket(366), ">365");
        assert_eq!(expiry_bucket(i64::MAX), ">365");
        assert_eq!(expiry_bucket(i64::MIN), "expired");
    }
}
