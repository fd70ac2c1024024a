//! `summary.json`: the scan's parameters, when it ran, and counts by status, level and finding
//! (and, for a `--deep` scan, by what the deep probe found).

use std::collections::BTreeMap;

use rdpsweep_codec::EncryptionLevel;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::deep::{DeepObservation, TlsVersion};
use crate::findings::CLOCK_SKEW_LIMIT_S;
use crate::history::HistorySummary;
use crate::outcome::ClientOutcome;
use crate::ranking::RankedHost;
use crate::risk::{RiskLevel, RiskPolicy};
use crate::timestamp;

/// What was scanned and how. Fields a rebuilt report cannot know (`rdpsweep report` reads only
/// observations) are `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanInfo {
    /// rdpsweep's version.
    pub version: String,
    /// For a rebuilt report, the earliest `scanned_at`.
    #[serde(default, with = "timestamp::nullable")]
    pub started_at: Option<OffsetDateTime>,
    /// For a rebuilt report, the latest `scanned_at`.
    #[serde(default, with = "timestamp::nullable")]
    pub finished_at: Option<OffsetDateTime>,
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
    /// True when the scan was interrupted, or the report is partial for another reason.
    pub interrupted: bool,
    /// Why the report does not cover the whole scan (a scan interrupted, killed or still
    /// running; shards missing from a merge); `None` when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
    /// The `results.jsonl` a rebuilt report was made from.
    pub source: Option<String>,
    /// The risk policy the hosts were scored under (left out of files written before it was
    /// recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_policy: Option<PolicyInfo>,
}

/// What `summary.json` and the page record of the risk policy used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyInfo {
    /// `built in`, or the `--risk-config` file.
    pub source: String,
    /// The clients the outcome and severities are for: `default` or `strict`.
    pub client_policy: String,
    pub expiring_days: i64,
    pub slow_ms: f64,
    pub severity_weights: BTreeMap<String, u32>,
    pub code_weights: BTreeMap<String, u32>,
    /// The lowest score of `high`, `medium`, `low`.
    pub levels: BTreeMap<String, u32>,
}

impl PolicyInfo {
    /// The record of `policy`.
    pub fn of(policy: &RiskPolicy) -> PolicyInfo {
        let words = |map: Vec<(String, u32)>| map.into_iter().collect();
        PolicyInfo {
            source: policy.source.clone(),
            client_policy: policy.client_policy.to_string(),
            expiring_days: policy.expiring_days,
            slow_ms: policy.slow_ms,
            severity_weights: words(
                policy
                    .severity_weights
                    .iter()
                    .map(|(k, v)| (k.to_string(), *v))
                    .collect(),
            ),
            code_weights: words(
                policy
                    .code_weights
                    .iter()
                    .map(|(k, v)| (k.to_string(), *v))
                    .collect(),
            ),
            levels: words(vec![
                ("high".to_string(), policy.high_from),
                ("medium".to_string(), policy.medium_from),
                ("low".to_string(), policy.low_from),
            ]),
        }
    }
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
    /// Hosts by what a client gets (`fails`, `warns`, `connects`, and `none` where nothing is
    /// predicted: TCP not accepted), under the policy's client policy; every key present.
    #[serde(default)]
    pub by_client_outcome: BTreeMap<String, usize>,
    /// Hosts raising each finding code (codes no host raised are left out).
    pub by_finding: BTreeMap<String, usize>,
    /// Hosts with a certificate, by days left to its expiry, in [`EXPIRY_BUCKETS`] (all present).
    pub cert_expiry: BTreeMap<String, usize>,
    /// What the deep probe found; left out of the file (and `None` when read back) unless some
    /// host has a deep record, so the summary of an ordinary scan keeps its shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deep: Option<DeepSummary>,
    /// The nights before this one (`--history`) and how the listed hosts changed since the last;
    /// left out of the file (and `None` when read back) without `--history`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistorySummary>,
}

/// The `deep` object of `summary.json`: counts over the hosts with a deep record (`--deep`).
/// Each map has every key of its vocabulary, zeros included; a host whose value is unknown
/// (its column in `hosts.csv` is empty) or outside the vocabulary (a level `unknown(7)`) is
/// counted in none of a map's keys, so `hosts` minus a map's sum is how many hosts had no
/// value there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeepSummary {
    /// Hosts probed deep.
    pub hosts: usize,
    /// By `nla_required`: `true`, `false`.
    pub nla_required: BTreeMap<String, usize>,
    /// By `tls_min`, the lowest TLS version accepted: `TLSv1.0` … `TLSv1.3`.
    pub tls_min: BTreeMap<String, usize>,
    /// By `rdp_encryption_level`: `none`, `low`, `client-compatible`, `high`, `fips`.
    pub rdp_encryption_level: BTreeMap<String, usize>,
    /// Hosts whose NTLM CHALLENGE named the computer or its domain (NetBIOS or DNS).
    pub ntlm_identity: usize,
    /// Hosts whose NTLM clock is more than [`CLOCK_SKEW_LIMIT_S`] (5 minutes) off the
    /// scanner's, either way (the `CLOCK_SKEW` finding).
    pub clock_skew_over_5min: usize,
}

impl Default for DeepSummary {
    fn default() -> Self {
        fn zeros<T: ToString>(words: &[T]) -> BTreeMap<String, usize> {
            words.iter().map(|w| (w.to_string(), 0)).collect()
        }
        DeepSummary {
            hosts: 0,
            nla_required: zeros(&[true, false]),
            tls_min: zeros(TlsVersion::ALL),
            rdp_encryption_level: zeros(&EncryptionLevel::KNOWN),
            ntlm_identity: 0,
            clock_skew_over_5min: 0,
        }
    }
}

impl DeepSummary {
    /// Counts one host's deep record.
    pub fn add(&mut self, deep: &DeepObservation) {
        self.hosts += 1;
        let count = |map: &mut BTreeMap<String, usize>, key: Option<String>| {
            if let Some(key) = key {
                *map.entry(key).or_insert(0) += 1;
            }
        };
        count(
            &mut self.nla_required,
            deep.nla_required().map(|b| b.to_string()),
        );
        count(
            &mut self.tls_min,
            deep.tls_accepted().first().map(TlsVersion::to_string),
        );
        count(
            &mut self.rdp_encryption_level,
            deep.rdp_security
                .as_ref()
                .and_then(|s| s.level)
                .and_then(|l| l.name())
                .map(str::to_string),
        );
        if let Some(ntlm) = &deep.ntlm {
            let named = [
                &ntlm.computer,
                &ntlm.domain,
                &ntlm.dns_computer,
                &ntlm.dns_domain,
            ]
            .iter()
            .any(|name| name.as_deref().is_some_and(|n| !n.is_empty()));
            if named {
                self.ntlm_identity += 1;
            }
            if ntlm
                .clock_skew_s
                .is_some_and(|s| s.unsigned_abs() > CLOCK_SKEW_LIMIT_S.unsigned_abs())
            {
                self.clock_skew_over_5min += 1;
            }
        }
    }
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

/// The `by_client_outcome` key of hosts with nothing predicted (TCP not accepted).
pub const NO_PREDICTION: &str = "none";

/// Counts hosts one at a time, so a summary of any number of hosts takes constant memory.
#[derive(Debug, Clone)]
pub struct SummaryCounter {
    hosts: usize,
    by_status: BTreeMap<String, usize>,
    by_level: BTreeMap<String, usize>,
    by_client_outcome: BTreeMap<String, usize>,
    by_finding: BTreeMap<String, usize>,
    cert_expiry: BTreeMap<String, usize>,
    /// `None` until a host with a deep record is counted.
    deep: Option<DeepSummary>,
    /// The earliest and latest `scanned_at`, for reports rebuilt without scan times.
    first_seen: Option<OffsetDateTime>,
    last_seen: Option<OffsetDateTime>,
    /// The host's `by_status` key, written here first: a key is allocated only when new.
    status: String,
}

/// Adds one to `key`'s count (a new key starts at one): the key is allocated only when new.
pub fn count<N: std::ops::AddAssign + From<u8>>(counts: &mut BTreeMap<String, N>, key: &str) {
    match counts.get_mut(key) {
        Some(n) => *n += N::from(1),
        None => {
            counts.insert(key.to_string(), N::from(1));
        }
    }
}

impl Default for SummaryCounter {
    fn default() -> Self {
        SummaryCounter {
            hosts: 0,
            by_status: BTreeMap::new(),
            by_level: RiskLevel::ALL.iter().map(|l| (l.to_string(), 0)).collect(),
            by_client_outcome: ClientOutcome::ALL
                .iter()
                .map(|o| o.as_str())
                .chain([NO_PREDICTION])
                .map(|o| (o.to_string(), 0))
                .collect(),
            by_finding: BTreeMap::new(),
            cert_expiry: EXPIRY_BUCKETS
                .iter()
                .map(|(name, _, _)| (name.to_string(), 0))
                .collect(),
            deep: None,
            first_seen: None,
            last_seen: None,
            status: String::new(),
        }
    }
}

impl SummaryCounter {
    /// Counts one host.
    pub fn add(&mut self, host: &RankedHost) {
        self.hosts += 1;
        self.status.clear();
        host.observation.write_outcome(&mut self.status);
        count(&mut self.by_status, &self.status);
        count(&mut self.by_level, host.assessment.level.as_str());
        let outcome = host.assessment.outcome.as_ref().map(|p| p.outcome.as_str());
        count(
            &mut self.by_client_outcome,
            outcome.unwrap_or(NO_PREDICTION),
        );
        for finding in &host.assessment.findings {
            count(&mut self.by_finding, finding.code.as_str());
        }
        if let Some(seen) = host.observation.scanned_at {
            self.first_seen = Some(self.first_seen.map_or(seen, |first| first.min(seen)));
            self.last_seen = Some(self.last_seen.map_or(seen, |last| last.max(seen)));
        }
        if let Some(cert) = &host.observation.cert {
            count(&mut self.cert_expiry, expiry_bucket(cert.days_left));
        }
        if let Some(deep) = &host.observation.deep {
            self.deep.get_or_insert_with(DeepSummary::default).add(deep);
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
            by_client_outcome: self.by_client_outcome,
            by_finding: self.by_finding,
            cert_expiry: self.cert_expiry,
            deep: self.deep,
            history: None,
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
    use crate::deep::fixtures::{identity, record};
    use crate::deep::NtlmIdentity;
    use crate::risk::Assessment;
    use crate::{Observation, TcpStatus};

    fn host(last_octet: u8, deep: Option<DeepObservation>) -> RankedHost {
        let ip = format!("10.0.0.{last_octet}").parse().unwrap();
        let mut observation = Observation::new(Some(ip), 3389, None, TcpStatus::Open);
        observation.deep = deep;
        RankedHost {
            rank: usize::from(last_octet),
            observation,
            assessment: Assessment {
                findings: Vec::new(),
                score: 0,
                level: RiskLevel::None,
                outcome: None,
            },
        }
    }

    fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
        pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
    }

    #[test]
    fn a_summary_without_deep_records_keeps_its_shape() {
        let summary = summarize(&[host(1, None), host(2, None)], &ScanInfo::default());
        assert_eq!(summary.deep, None);
        let json = serde_json::to_value(&summary).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "by_client_outcome",
                "by_finding",
                "by_level",
                "by_status",
                "cert_expiry",
                "hosts",
                "scan"
            ]
        );
        assert_eq!(
            summary.by_client_outcome,
            counts(&[("connects", 0), ("fails", 0), ("none", 2), ("warns", 0)])
        );
        // A summary.json written before `deep` existed reads back as one without it.
        let back: Summary = serde_json::from_value(json).unwrap();
        assert_eq!(back, summary);
    }

    #[test]
    fn deep_records_are_counted_by_nla_lowest_tls_level_identity_and_skew() {
        use rdpsweep_codec::SecurityProtocol as P;
        use EncryptionLevel as L;
        use TlsVersion::*;
        let bare = NtlmIdentity {
            clock_skew_s: Some(100_000),
            ..NtlmIdentity::default()
        };
        let mut cut_short = record(&[P::HYBRID], &[], None, Some(bare));
        cut_short.protocols.remove(0);
        let hosts = [
            // PROTOCOL_RDP, SSL and HYBRID accepted: NLA not required.
            host(
                1,
                Some(record(
                    &[P::RDP, P::SSL, P::HYBRID, P::HYBRID_EX],
                    &[Tls10, Tls12, Tls13],
                    Some(L::CLIENT_COMPATIBLE),
                    Some(identity("RDP-01", "CORP", Some(301))),
                )),
            ),
            host(
                2,
                Some(record(
                    &[P::HYBRID, P::HYBRID_EX],
                    &[Tls12, Tls13],
                    None,
                    Some(identity("RDP-02", "CORP", Some(-400))),
                )),
            ),
            // Exactly at the limit is not over it.
            host(
                3,
                Some(record(
                    &[P::HYBRID, P::HYBRID_EX],
                    &[Tls13],
                    Some(L::FIPS),
                    Some(identity("RDP-03", "CORP", Some(-300))),
                )),
            ),
            // The matrix cut short; a CHALLENGE that named nothing.
            host(4, Some(cut_short)),
            host(5, None),
            host(6, Some(record(&[P::RDP], &[], Some(L::LOW), None))),
        ];
        let mut counter = SummaryCounter::default();
        hosts.iter().for_each(|h| counter.add(h));
        let summary = counter.finish(&ScanInfo::default());
        assert_eq!(summary.hosts, 6);
        assert_eq!(
            summary.deep,
            Some(DeepSummary {
                hosts: 5,
                nla_required: counts(&[("true", 2), ("false", 2)]),
                tls_min: counts(&[
                    ("TLSv1.0", 1),
                    ("TLSv1.1", 0),
                    ("TLSv1.2", 1),
                    ("TLSv1.3", 1)
                ]),
                rdp_encryption_level: counts(&[
                    ("none", 0),
                    ("low", 1),
                    ("client-compatible", 1),
                    ("high", 0),
                    ("fips", 1),
                ]),
                ntlm_identity: 3,
                clock_skew_over_5min: 3,
            })
        );
        let json = serde_json::to_value(&summary).unwrap();
        assert_eq!(json["deep"]["hosts"], 5);
        assert_eq!(json["deep"]["tls_min"]["TLSv1.0"], 1);
        assert_eq!(json["deep"]["rdp_encryption_level"]["client-compatible"], 1);
        assert_eq!(json["deep"]["clock_skew_over_5min"], 3);
        assert_eq!(serde_json::from_value::<Summary>(json).unwrap(), summary);
    }

    #[test]
    fn a_level_outside_the_vocabulary_is_counted_in_no_key() {
        let odd = record(&[], &[], Some(EncryptionLevel(7)), None);
        let mut counter = SummaryCounter::default();
        counter.add(&host(1, Some(odd)));
        let deep = counter
            .finish(&ScanInfo::default())
            .deep
            .expect("a deep summary");
        assert_eq!(deep.hosts, 1);
        assert_eq!(
            deep.rdp_encryption_level,
            counts(&[
                ("none", 0),
                ("low", 0),
                ("client-compatible", 0),
                ("high", 0),
                ("fips", 0),
            ])
        );
    }

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
