//! What changed between two runs (last night's and tonight's): per host, findings that appeared
//! or disappeared, and risk levels that changed.
//!
//! Each run is read once and reduced to its hosts at risk (a level other than `none`, or any
//! finding): a host absent from that set is `none` with no findings, refused or healthy. The new
//! run is then read once more to find which of the old run's hosts at risk it does not hold at
//! all: those were not scanned, and their findings are not known to be fixed
//! ([`ChangeKind::NotScanned`]). So a diff holds only the hosts at risk in memory, never the
//! whole target space. Hosts are matched by host name when the target was given as one, else
//! by address, and by port.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::findings::FindingCode;
use crate::observation::Observation;
use crate::risk::{assess, RiskLevel, RiskPolicy};
use crate::vocab::word_enum;
use crate::writers::write_safe_record;

word_enum! {
    /// The kind of one change.
    ChangeKind, "change" {
        /// The host's risk level changed.
        Level => "level",
        Appeared => "appeared",
        Disappeared => "disappeared",
        /// At risk in the old run and absent from the new one: not scanned, nothing known.
        NotScanned => "not-scanned",
    }
}

/// One change of one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The host name the target was given as, else its address.
    pub host: String,
    pub port: u16,
    pub kind: ChangeKind,
    /// The finding that appeared or disappeared.
    pub code: Option<FindingCode>,
    pub old_level: RiskLevel,
    pub new_level: RiskLevel,
    /// The finding's evidence (from the run where it is present).
    pub evidence: String,
}

/// The `diff.csv` columns.
pub const DIFF_CSV_COLUMNS: [&str; 7] = [
    "host",
    "port",
    "change",
    "code",
    "old_level",
    "new_level",
    "evidence",
];

type Key = (String, u16);

/// What one run says about one host at risk.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AtRisk {
    level: RiskLevel,
    score: u32,
    findings: BTreeMap<FindingCode, String>,
}

/// The hosts at risk in one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskView {
    hosts: BTreeMap<Key, AtRisk>,
    /// Hosts at risk in an earlier run that this run does not hold at all
    /// (see [`RiskView::note_absent`]).
    absent: BTreeSet<Key>,
}

/// How a run names a host: its host name if it was given as one, else its address.
fn key_of(obs: &Observation) -> Key {
    let name = obs
        .hostname
        .clone()
        .or_else(|| obs.ip.map(|ip| ip.to_string()))
        .unwrap_or_default();
    (name, obs.port)
}

impl RiskView {
    /// Assesses every observation of `source` under `policy` and keeps the hosts at risk.
    pub fn read<E>(
        source: impl Iterator<Item = Result<Observation, E>>,
        policy: &RiskPolicy,
    ) -> Result<RiskView, E> {
        let mut view = RiskView::default();
        for obs in source {
            let obs = obs?;
            let assessment = assess(&obs, policy);
            if assessment.level == RiskLevel::None && assessment.findings.is_empty() {
                continue;
            }
            let findings = assessment
                .findings
                .into_iter()
                .map(|f| (f.code, f.evidence))
                .collect();
            view.hosts.insert(
                key_of(&obs),
                AtRisk {
                    level: assessment.level,
                    score: assessment.score,
                    findings,
                },
            );
        }
        Ok(view)
    }

    /// Reads this run's observations once more (`source`) and notes which of `old`'s hosts at
    /// risk it does not hold at all, at risk or not. Memory: `old`'s hosts at risk.
    pub fn note_absent<E>(
        &mut self,
        old: &RiskView,
        source: impl Iterator<Item = Result<Observation, E>>,
    ) -> Result<(), E> {
        let mut absent: BTreeSet<Key> = old
            .hosts
            .keys()
            .filter(|key| !self.hosts.contains_key(*key))
            .cloned()
            .collect();
        for obs in source {
            if absent.is_empty() {
                break;
            }
            absent.remove(&key_of(&obs?));
        }
        self.absent = absent;
        Ok(())
    }

    /// How many hosts are at risk.
    pub fn len(&self) -> usize {
        self.hosts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty()
    }
}

/// Every change from `old` to `new`: hosts at risk now first (most at risk first), then hosts
/// no longer at risk.
pub fn diff(old: &RiskView, new: &RiskView) -> Vec<Change> {
    let none = AtRisk {
        level: RiskLevel::None,
        score: 0,
        findings: BTreeMap::new(),
    };
    let keys: BTreeSet<&Key> = old.hosts.keys().chain(new.hosts.keys()).collect();
    let mut order: Vec<(&Key, &AtRisk, &AtRisk)> = keys
        .into_iter()
        .map(|key| {
            (
                key,
                old.hosts.get(key).unwrap_or(&none),
                new.hosts.get(key).unwrap_or(&none),
            )
        })
        .collect();
    // Most at risk now first; then those that were most at risk before.
    order.sort_by(|a, b| {
        (a.2.level, std::cmp::Reverse(a.2.score), a.1.level, a.0).cmp(&(
            b.2.level,
            std::cmp::Reverse(b.2.score),
            b.1.level,
            b.0,
        ))
    });
    let mut changes = Vec::new();
    for (key, before, after) in order {
        let (host, port) = key;
        let change = |kind, code: Option<FindingCode>, evidence: &str| Change {
            host: host.clone(),
            port: *port,
            kind,
            code,
            old_level: before.level,
            new_level: after.level,
            evidence: evidence.to_string(),
        };
        if new.absent.contains(key) {
            changes.push(change(ChangeKind::NotScanned, None, ""));
            continue;
        }
        if before.level != after.level {
            changes.push(change(ChangeKind::Level, None, ""));
        }
        for (code, evidence) in after
            .findings
            .iter()
            .filter(|(c, _)| !before.findings.contains_key(c))
        {
            changes.push(change(ChangeKind::Appeared, Some(*code), evidence));
        }
        for (code, evidence) in before
            .findings
            .iter()
            .filter(|(c, _)| !after.findings.contains_key(c))
        {
            changes.push(change(ChangeKind::Disappeared, Some(*code), evidence));
        }
    }
    changes
}

/// The changes as text for a terminal or a cron mail, one block per host.
pub fn diff_text(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "no changes\n".to_string();
    }
    let mut text = String::new();
    let mut current: Option<(&str, u16)> = None;
    for c in changes {
        if current != Some((c.host.as_str(), c.port)) {
            current = Some((c.host.as_str(), c.port));
            let new_level = match c.kind {
                ChangeKind::NotScanned => "not scanned".to_string(),
                _ => c.new_level.to_string(),
            };
            let _ = writeln!(
                text,
                "{}:{} ({} -> {new_level})",
                c.host, c.port, c.old_level
            );
        }
        let code = c.code.map(|c| c.to_string()).unwrap_or_default();
        let _ = match c.kind {
            ChangeKind::Level => writeln!(text, "  level {} -> {}", c.old_level, c.new_level),
            ChangeKind::Appeared => writeln!(text, "  + {code}: {}", c.evidence),
            ChangeKind::Disappeared => writeln!(text, "  - {code}"),
            ChangeKind::NotScanned => writeln!(
                text,
                "  ? not in the new run: its findings are not known to be fixed"
            ),
        };
    }
    text
}

/// Writes `diff.csv`: [`DIFF_CSV_COLUMNS`], one row per change.
pub fn write_diff_csv<W: Write>(out: W, changes: &[Change]) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(DIFF_CSV_COLUMNS)?;
    for c in changes {
        write_safe_record(
            &mut csv,
            &[
                c.host.clone(),
                c.port.to_string(),
                c.kind.to_string(),
                c.code.map(|x| x.to_string()).unwrap_or_default(),
                c.old_level.to_string(),
                // Not scanned: the new level is not known.
                match c.kind {
                    ChangeKind::NotScanned => String::new(),
                    _ => c.new_level.to_string(),
                },
                c.evidence.clone(),
            ],
        )?;
    }
    csv.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observation::CertInfo;
    use crate::vocab::{RdpStatus, TcpStatus};

    fn obs(ip: &str, rdp: Option<RdpStatus>, days_left: Option<i64>) -> Result<Observation, ()> {
        let mut o = Observation::new(Some(ip.parse().unwrap()), 3389, None, TcpStatus::Open);
        o.rdp = rdp;
        o.cert = days_left.map(|days_left| CertInfo {
            subject: ip.into(),
            issuer: ip.into(),
            self_signed: true,
            not_before: Some(time::macros::datetime!(2026-01-01 00:00:00 UTC)),
            not_after: Some(time::macros::datetime!(2027-01-01 00:00:00 UTC)),
            days_left,
            key: crate::CertKey::Rsa { bits: 2048 },
            signature: crate::SignatureAlgorithm::Sha256WithRsa,
            sha256: "00".into(),
        });
        o.scanned_at = Some(time::macros::datetime!(2026-11-21 00:00:00 UTC));
        Ok(o)
    }

    fn view(rows: Vec<Result<Observation, ()>>) -> RiskView {
        RiskView::read(rows.into_iter(), &RiskPolicy::default()).unwrap()
    }

    #[test]
    fn appeared_disappeared_and_level_changes_only_for_hosts_at_risk() {
        let negotiated = Some(RdpStatus::Negotiated);
        let old = view(vec![
            obs("10.0.0.1", negotiated, Some(20)),  // expiring: medium
            obs("10.0.0.2", negotiated, Some(200)), // healthy
            obs("10.0.0.3", Some(RdpStatus::Timeout), None), // no response: high
        ]);
        let new = view(vec![
            obs("10.0.0.1", negotiated, Some(-1)),  // expired: medium too
            obs("10.0.0.2", negotiated, Some(199)), // healthy
            obs("10.0.0.4", Some(RdpStatus::Timeout), None), // new, high
        ]);
        assert_eq!((old.len(), new.len()), (2, 2), "healthy hosts are not held");
        let changes = diff(&old, &new);
        let kinds: Vec<(&str, ChangeKind, Option<FindingCode>)> = changes
            .iter()
            .map(|c| (c.host.as_str(), c.kind, c.code))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("10.0.0.4", ChangeKind::Level, None),
                (
                    "10.0.0.4",
                    ChangeKind::Appeared,
                    Some(FindingCode::X224NoResponse)
                ),
                (
                    "10.0.0.1",
                    ChangeKind::Appeared,
                    Some(FindingCode::CertExpired)
                ),
                (
                    "10.0.0.1",
                    ChangeKind::Disappeared,
                    Some(FindingCode::CertExpiringSoon)
                ),
                ("10.0.0.3", ChangeKind::Level, None),
                (
                    "10.0.0.3",
                    ChangeKind::Disappeared,
                    Some(FindingCode::X224NoResponse)
                ),
            ]
        );
        let text = diff_text(&changes);
        assert!(text.contains("10.0.0.1:3389 (medium -> medium)"), "{text}");
        assert!(text.contains("  + CERT_EXPIRED: "), "{text}");
        assert!(text.contains("  - CERT_EXPIRING_SOON"), "{text}");
        assert!(text.contains("10.0.0.3:3389 (high -> none)"), "{text}");
        let mut csv = Vec::new();
        write_diff_csv(&mut csv, &changes).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.starts_with("host,port,change,code,old_level,new_level,evidence\n"));
        assert!(csv.contains("10.0.0.4,3389,level,,none,high,"), "{csv}");
    }

    #[test]
    fn a_name_and_its_address_are_different_hosts() {
        let mut named = obs("10.1.2.3", Some(RdpStatus::Timeout), None).unwrap();
        named.hostname = Some("rdp.example".into());
        let rows = || {
            vec![
                obs("10.1.2.3", Some(RdpStatus::Negotiated), Some(200)),
                Ok(named.clone()),
            ]
        };
        assert!(diff(&view(rows()), &view(rows())).is_empty());
    }

    #[test]
    fn identical_runs_have_no_changes() {
        let run = || vec![obs("10.0.0.1", Some(RdpStatus::Negotiated), Some(-5))];
        assert!(diff(&view(run()), &view(run())).is_empty());
        assert_eq!(diff_text(&[]), "no changes\n");
    }

    #[test]
    fn a_host_at_risk_that_the_new_run_does_not_hold_is_not_scanned_not_fixed() {
        let negotiated = Some(RdpStatus::Negotiated);
        let old_rows = || {
            vec![
                obs("10.0.0.1", Some(RdpStatus::Timeout), None), // high, fixed tonight
                obs("10.0.0.3", Some(RdpStatus::Timeout), None), // high, not scanned tonight
            ]
        };
        let new_rows = || vec![obs("10.0.0.1", negotiated, Some(200))];
        let old = view(old_rows());
        let mut new = view(new_rows());
        new.note_absent(&old, new_rows().into_iter()).unwrap();
        let changes = diff(&old, &new);
        let kinds: Vec<(&str, ChangeKind)> =
            changes.iter().map(|c| (c.host.as_str(), c.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("10.0.0.1", ChangeKind::Level),
                ("10.0.0.1", ChangeKind::Disappeared),
                ("10.0.0.3", ChangeKind::NotScanned),
            ]
        );
        let text = diff_text(&changes);
        assert!(
            text.contains("10.0.0.3:3389 (high -> not scanned)"),
            "{text}"
        );
        assert!(text.contains("not known to be fixed"), "{text}");
        let mut csv = Vec::new();
        write_diff_csv(&mut csv, &changes).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.contains("10.0.0.3,3389,not-scanned,,high,,"), "{csv}");
    }
}
