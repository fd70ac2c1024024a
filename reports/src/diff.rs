//! What changed between two runs (last night's and tonight's): per host, findings that appeared
//! or disappeared, risk levels and client outcomes that changed, and their totals.
//!
//! Each run is read once and reduced to its hosts at risk (a level other than `none`, or any
//! finding): a host absent from that set is `none` with no findings, refused or healthy. Each
//! run is then read once more to look up the other run's hosts at risk that it does not hold at
//! risk: whether it scanned them at all, and what a client got from them. A host at risk in
//! the old run that the new run does not hold at all was not scanned, and its findings are not
//! known to be fixed ([`ChangeKind::NotScanned`]). So a diff holds only the hosts at risk in
//! memory, never the whole target space. Hosts are matched by host name when the target was
//! given as one, else by address, and by port; a target a run holds twice counts by its last
//! row, as `report` does.

mod output;
mod totals;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::IpAddr;

use crate::findings::FindingCode;
use crate::observation::Observation;
use crate::outcome::{predict, ClientOutcome, ClientPolicy};
use crate::risk::{assess, RiskLevel, RiskPolicy};
use crate::vocab::word_enum;

pub use output::{diff_text, outcome_word, write_diff_csv, DIFF_CSV_COLUMNS};
pub use totals::{news_at, DiffTotals, News};

word_enum! {
    /// The kind of one change.
    ChangeKind, "change" {
        /// The host's risk level changed.
        Level => "level",
        /// What a client gets from the host changed (`connects` → `fails`...).
        Outcome => "outcome",
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
    /// The level of that finding's weight under the policy (`high` for a finding that alone
    /// makes a host high), in the run where it is present.
    pub finding_level: Option<RiskLevel>,
    pub old_level: RiskLevel,
    pub new_level: RiskLevel,
    /// What a client got in each run; `None` where TCP was not accepted or the run does not
    /// hold the host.
    pub old_outcome: Option<ClientOutcome>,
    pub new_outcome: Option<ClientOutcome>,
    /// The finding's evidence (from the run where it is present).
    pub evidence: String,
}

/// How a run names a host: the host name the target was given as, else its address.
/// Addresses order numerically, IPv4 before IPv6 (`10.0.0.9` before `10.0.0.10`), and names
/// after every address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HostName {
    Address(IpAddr),
    Name(String),
}

impl fmt::Display for HostName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostName::Address(ip) => write!(f, "{ip}"),
            HostName::Name(name) => f.write_str(name),
        }
    }
}

type Key = (HostName, u16);

/// The key of an observation: its host name if the target was given as one, else its address.
fn key_of(obs: &Observation) -> Key {
    let name = match (&obs.hostname, obs.ip) {
        (Some(name), _) => HostName::Name(name.clone()),
        (None, Some(ip)) => HostName::Address(ip),
        (None, None) => HostName::Name(String::new()),
    };
    (name, obs.port)
}

/// A finding as one run saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    level: RiskLevel,
    evidence: String,
}

/// What one run says about one host at risk.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AtRisk {
    level: RiskLevel,
    score: u32,
    outcome: Option<ClientOutcome>,
    findings: BTreeMap<FindingCode, Seen>,
}

/// What a run says about a host another run holds at risk and this one does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presence {
    /// The run has the host, not at risk: `none`, no findings, this outcome.
    Scanned { outcome: Option<ClientOutcome> },
    /// The run has no row for the host.
    Absent,
}

/// The hosts at risk in one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskView {
    hosts: BTreeMap<Key, AtRisk>,
    /// The other run's hosts at risk that this run does not hold at risk, once looked up
    /// ([`RiskView::look_up`]).
    others: BTreeMap<Key, Presence>,
    client_policy: ClientPolicy,
}

impl RiskView {
    /// Assesses every observation of `source` under `policy` and keeps the hosts at risk (the
    /// last row of a target counts).
    pub fn read<E>(
        source: impl Iterator<Item = Result<Observation, E>>,
        policy: &RiskPolicy,
    ) -> Result<RiskView, E> {
        let mut view = RiskView {
            hosts: BTreeMap::new(),
            others: BTreeMap::new(),
            client_policy: policy.client_policy,
        };
        for obs in source {
            let obs = obs?;
            let key = key_of(&obs);
            let assessment = assess(&obs, policy);
            if assessment.level == RiskLevel::None && assessment.findings.is_empty() {
                view.hosts.remove(&key);
                continue;
            }
            let findings = assessment
                .findings
                .into_iter()
                .map(|f| {
                    let level = policy.level(policy.weight(&f).min(100));
                    (
                        f.code,
                        Seen {
                            level,
                            evidence: f.evidence,
                        },
                    )
                })
                .collect();
            view.hosts.insert(
                key,
                AtRisk {
                    level: assessment.level,
                    score: assessment.score,
                    outcome: assessment.outcome.map(|p| p.outcome),
                    findings,
                },
            );
        }
        Ok(view)
    }

    /// Reads this run's observations once more (`source`) and looks up `other`'s hosts at risk
    /// that this run does not hold at risk: whether this run has them at all, and what a client
    /// got from them. Memory: `other`'s hosts at risk.
    pub fn look_up<E>(
        &mut self,
        other: &RiskView,
        source: impl Iterator<Item = Result<Observation, E>>,
    ) -> Result<(), E> {
        let wanted: BTreeSet<&Key> = other
            .hosts
            .keys()
            .filter(|key| !self.hosts.contains_key(*key))
            .collect();
        let mut others: BTreeMap<Key, Presence> = wanted
            .iter()
            .map(|key| ((*key).clone(), Presence::Absent))
            .collect();
        if !others.is_empty() {
            for obs in source {
                let obs = obs?;
                if let Some(presence) = others.get_mut(&key_of(&obs)) {
                    // The last row of a target counts, as in `read`.
                    *presence = Presence::Scanned {
                        outcome: predict(&obs, self.client_policy).map(|p| p.outcome),
                    };
                }
            }
        }
        self.others = others;
        Ok(())
    }

    /// How many hosts are at risk.
    pub fn len(&self) -> usize {
        self.hosts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty()
    }

    /// How many hosts are at each level other than `none`.
    pub fn by_level(&self) -> BTreeMap<RiskLevel, usize> {
        let mut counts: BTreeMap<RiskLevel, usize> = RiskLevel::ALL
            .iter()
            .filter(|level| **level != RiskLevel::None)
            .map(|level| (*level, 0))
            .collect();
        for host in self.hosts.values() {
            if let Some(n) = counts.get_mut(&host.level) {
                *n += 1;
            }
        }
        counts
    }

    /// What this run says about `key`.
    fn side(&self, key: &Key) -> Side<'_> {
        static NO_FINDINGS: BTreeMap<FindingCode, Seen> = BTreeMap::new();
        if let Some(host) = self.hosts.get(key) {
            return Side {
                level: host.level,
                score: host.score,
                outcome: host.outcome,
                findings: &host.findings,
                scanned: true,
            };
        }
        let (outcome, scanned) = match self.others.get(key) {
            Some(Presence::Scanned { outcome }) => (*outcome, true),
            Some(Presence::Absent) => (None, false),
            // Not looked up: counted as scanned and not at risk.
            None => (None, true),
        };
        Side {
            level: RiskLevel::None,
            score: 0,
            outcome,
            findings: &NO_FINDINGS,
            scanned,
        }
    }
}

/// One run's word on one host.
struct Side<'a> {
    level: RiskLevel,
    score: u32,
    outcome: Option<ClientOutcome>,
    findings: &'a BTreeMap<FindingCode, Seen>,
    scanned: bool,
}

/// Every change from `old` to `new`: hosts at risk now first (highest level, then score), then
/// hosts no longer at risk; hosts of equal standing in address order.
pub fn diff(old: &RiskView, new: &RiskView) -> Vec<Change> {
    let keys: BTreeSet<&Key> = old.hosts.keys().chain(new.hosts.keys()).collect();
    let mut order: Vec<(&Key, Side<'_>, Side<'_>)> = keys
        .into_iter()
        .map(|key| (key, old.side(key), new.side(key)))
        .collect();
    // Most at risk now first; then those that were most at risk before; then by host.
    order.sort_by(|a, b| {
        (a.2.level, std::cmp::Reverse(a.2.score), a.1.level, a.0).cmp(&(
            b.2.level,
            std::cmp::Reverse(b.2.score),
            b.1.level,
            b.0,
        ))
    });
    let mut changes = Vec::new();
    for ((host, port), before, after) in order {
        let change = |kind, finding: Option<(&FindingCode, &Seen)>| Change {
            host: host.to_string(),
            port: *port,
            kind,
            code: finding.map(|(code, _)| *code),
            finding_level: finding.map(|(_, seen)| seen.level),
            old_level: before.level,
            new_level: after.level,
            old_outcome: before.outcome,
            new_outcome: after.outcome,
            evidence: finding
                .map(|(_, seen)| seen.evidence.clone())
                .unwrap_or_default(),
        };
        if !after.scanned {
            changes.push(change(ChangeKind::NotScanned, None));
            continue;
        }
        if before.level != after.level {
            changes.push(change(ChangeKind::Level, None));
        }
        if before.outcome != after.outcome {
            changes.push(change(ChangeKind::Outcome, None));
        }
        for finding in after
            .findings
            .iter()
            .filter(|(c, _)| !before.findings.contains_key(c))
        {
            changes.push(change(ChangeKind::Appeared, Some(finding)));
        }
        for finding in before
            .findings
            .iter()
            .filter(|(c, _)| !after.findings.contains_key(c))
        {
            changes.push(change(ChangeKind::Disappeared, Some(finding)));
        }
    }
    changes
}
