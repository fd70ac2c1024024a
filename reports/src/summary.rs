//! `summary.json`: the scan's parameters, when it ran, and counts by status, level and finding.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ranking::RankedHost;

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
}

/// Counts the ranked hosts.
pub fn summarize(hosts: &[RankedHost], scan: &ScanInfo) -> Summary {
    let mut by_status = BTreeMap::new();
    let mut by_level: BTreeMap<String, usize> = crate::risk::RiskLevel::ALL
        .iter()
        .map(|l| (l.to_string(), 0))
        .collect();
    let mut by_finding = BTreeMap::new();
    for host in hosts {
        *by_status.entry(host.observation.outcome()).or_insert(0) += 1;
        *by_level
            .entry(host.assessment.level.to_string())
            .or_insert(0) += 1;
        for finding in &host.assessment.findings {
            *by_finding.entry(finding.code.to_string()).or_insert(0) += 1;
        }
    }
    Summary {
        scan: scan.clone(),
        hosts: hosts.len(),
        by_status,
        by_level,
        by_finding,
    }
}
