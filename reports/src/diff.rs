//! What changed between two runs (last night's and tonight's): per host, findings that appeared
//! or disappeared, and risk levels that changed; hosts that are new or gone. Hosts are matched
//! by address (or host name when unresolved) and port.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::findings::FindingCode;
use crate::ranking::RankedHost;
use crate::risk::RiskLevel;
use crate::vocab::word_enum;
use crate::writers::spreadsheet_safe;

word_enum! {
    /// The kind of one change.
    ChangeKind, "change" {
        /// The host is in the new run only.
        NewHost => "new-host",
        /// The host is in the old run only.
        GoneHost => "gone-host",
        /// The host's risk level changed.
        Level => "level",
        Appeared => "appeared",
        Disappeared => "disappeared",
    }
}

/// One change of one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `ADDRESS` (or the host name when it did not resolve).
    pub host: String,
    pub port: u16,
    pub kind: ChangeKind,
    /// The finding that appeared or disappeared.
    pub code: Option<FindingCode>,
    pub old_level: Option<RiskLevel>,
    pub new_level: Option<RiskLevel>,
    /// The finding's evidence (from the run where it is present).
    pub evidence: String,
}

/// The `diff.csv` columns.
pub const DIFF_CSV_COLUMNS: [&str; 7] = [
    "ip",
    "port",
    "change",
    "code",
    "old_level",
    "new_level",
    "evidence",
];

type Key = (String, u16);

fn key(host: &RankedHost) -> Key {
    let o = &host.observation;
    let name =
        o.ip.map(|ip| ip.to_string())
            .or_else(|| o.hostname.clone())
            .unwrap_or_default();
    (name, o.port)
}

/// Every change from `old` to `new`, hosts in the new run's rank order, then gone hosts.
pub fn diff(old: &[RankedHost], new: &[RankedHost]) -> Vec<Change> {
    let old_by_key: BTreeMap<Key, &RankedHost> = old.iter().map(|h| (key(h), h)).collect();
    let new_keys: BTreeSet<Key> = new.iter().map(key).collect();
    let mut changes = Vec::new();
    for host in new {
        let (name, port) = key(host);
        let new_level = host.assessment.level;
        let change = |kind, code, old_level, evidence: &str| Change {
            host: name.clone(),
            port,
            kind,
            code,
            old_level,
            new_level: Some(new_level),
            evidence: evidence.to_string(),
        };
        let Some(before) = old_by_key.get(&(name.clone(), port)) else {
            changes.push(change(ChangeKind::NewHost, None, None, ""));
            for f in &host.assessment.findings {
                changes.push(change(
                    ChangeKind::Appeared,
                    Some(f.code),
                    None,
                    &f.evidence,
                ));
            }
            continue;
        };
        let old_level = Some(before.assessment.level);
        if before.assessment.level != new_level {
            changes.push(change(ChangeKind::Level, None, old_level, ""));
        }
        let was: BTreeSet<FindingCode> =
            before.assessment.findings.iter().map(|f| f.code).collect();
        let is: BTreeSet<FindingCode> = host.assessment.findings.iter().map(|f| f.code).collect();
        for f in host
            .assessment
            .findings
            .iter()
            .filter(|f| !was.contains(&f.code))
        {
            changes.push(change(
                ChangeKind::Appeared,
                Some(f.code),
                old_level,
                &f.evidence,
            ));
        }
        for f in before
            .assessment
            .findings
            .iter()
            .filter(|f| !is.contains(&f.code))
        {
            changes.push(change(
                ChangeKind::Disappeared,
                Some(f.code),
                old_level,
                &f.evidence,
            ));
        }
    }
    for host in old.iter().filter(|h| !new_keys.contains(&key(h))) {
        let (name, port) = key(host);
        changes.push(Change {
            host: name,
            port,
            kind: ChangeKind::GoneHost,
            code: None,
            old_level: Some(host.assessment.level),
            new_level: None,
            evidence: String::new(),
        });
    }
    changes
}

/// The changes as text for a terminal or a cron mail, one block per host.
pub fn diff_text(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "no changes\n".to_string();
    }
    let level = |l: Option<RiskLevel>| l.map(|l| l.to_string()).unwrap_or_else(|| "-".to_string());
    let mut text = String::new();
    let mut current: Option<(&str, u16)> = None;
    for c in changes {
        if current != Some((c.host.as_str(), c.port)) {
            current = Some((c.host.as_str(), c.port));
            let _ = writeln!(
                text,
                "{}:{} ({} -> {})",
                c.host,
                c.port,
                level(c.old_level),
                level(c.new_level)
            );
        }
        let code = c.code.map(|c| c.to_string()).unwrap_or_default();
        let _ = match c.kind {
            ChangeKind::NewHost => writeln!(text, "  new host"),
            ChangeKind::GoneHost => writeln!(text, "  gone: not in the new run"),
            ChangeKind::Level => writeln!(
                text,
                "  level {} -> {}",
                level(c.old_level),
                level(c.new_level)
            ),
            ChangeKind::Appeared => writeln!(text, "  + {code}: {}", c.evidence),
            ChangeKind::Disappeared => writeln!(text, "  - {code}"),
        };
    }
    text
}

/// Writes `diff.csv`: [`DIFF_CSV_COLUMNS`], one row per change.
pub fn write_diff_csv<W: Write>(out: W, changes: &[Change]) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(DIFF_CSV_COLUMNS)?;
    let opt = |v: Option<String>| v.unwrap_or_default();
    for c in changes {
        let row = [
            c.host.clone(),
            c.port.to_string(),
            c.kind.to_string(),
            opt(c.code.map(|x| x.to_string())),
            opt(c.old_level.map(|x| x.to_string())),
            opt(c.new_level.map(|x| x.to_string())),
            c.evidence.clone(),
        ];
        csv.write_record(row.iter().map(|cell| spreadsheet_safe(cell).into_owned()))?;
    }
    csv.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Finding, Severity};
    use crate::observation::Observation;
    use crate::risk::Assessment;
    use crate::vocab::TcpStatus;

    fn host(ip: &str, level: RiskLevel, codes: &[FindingCode]) -> RankedHost {
        let findings = codes
            .iter()
            .map(|&code| Finding {
                code,
                severity: Severity::High,
                evidence: format!("{code} seen"),
                remediation: "fix it".into(),
            })
            .collect();
        RankedHost {
            rank: 1,
            observation: Observation::new(Some(ip.parse().unwrap()), 3389, None, TcpStatus::Open),
            assessment: Assessment {
                findings,
                score: 0,
                level,
            },
        }
    }

    #[test]
    fn appeared_disappeared_level_new_and_gone() {
        let old = vec![
            host(
                "10.0.0.1",
                RiskLevel::Medium,
                &[FindingCode::CertExpiringSoon],
            ),
            host("10.0.0.2", RiskLevel::None, &[]),
            host("10.0.0.3", RiskLevel::High, &[FindingCode::X224NoResponse]),
        ];
        let new = vec![
            host("10.0.0.1", RiskLevel::High, &[FindingCode::CertExpired]),
            host("10.0.0.2", RiskLevel::None, &[]),
            host("10.0.0.4", RiskLevel::High, &[FindingCode::TlsLegacyOnly]),
        ];
        let changes = diff(&old, &new);
        let kinds: Vec<(String, ChangeKind, Option<FindingCode>)> = changes
            .iter()
            .map(|c| (c.host.clone(), c.kind, c.code))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("10.0.0.1".into(), ChangeKind::Level, None),
                (
                    "10.0.0.1".into(),
                    ChangeKind::Appeared,
                    Some(FindingCode::CertExpired)
                ),
                (
                    "10.0.0.1".into(),
                    ChangeKind::Disappeared,
                    Some(FindingCode::CertExpiringSoon)
                ),
                ("10.0.0.4".into(), ChangeKind::NewHost, None),
                (
                    "10.0.0.4".into(),
                    ChangeKind::Appeared,
                    Some(FindingCode::TlsLegacyOnly)
                ),
                ("10.0.0.3".into(), ChangeKind::GoneHost, None),
            ]
        );
        let text = diff_text(&changes);
        assert!(text.contains("10.0.0.1:3389 (medium -> high)"), "{text}");
        assert!(
            text.contains("  + CERT_EXPIRED: CERT_EXPIRED seen"),
            "{text}"
        );
        assert!(text.contains("  - CERT_EXPIRING_SOON"), "{text}");
        let mut csv = Vec::new();
        write_diff_csv(&mut csv, &changes).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.starts_with("ip,port,change,code,old_level,new_level,evidence\n"));
        assert!(csv.contains("10.0.0.3,3389,gone-host,,high,,"), "{csv}");
    }

    #[test]
    fn identical_runs_have_no_changes() {
        let run = vec![host(
            "10.0.0.1",
            RiskLevel::High,
            &[FindingCode::CertExpired],
        )];
        assert!(diff(&run, &run).is_empty());
        assert_eq!(diff_text(&[]), "no changes\n");
    }
}
