//! The remediation plan: the hosts grouped by the fix they need, one step per finding code (a
//! code has one remediation), in the order that clears the most failing hosts soonest.
//!
//! A failing host is cleared once every finding that makes it fail is fixed: its `high`
//! findings (what a client fails on, see the catalogue). The steps are chosen greedily: next
//! comes the fix that clears the most failing hosts not cleared yet; ties, and the fixes that
//! clear no failing host on their own, go by how many failing, then warning, then all hosts
//! have the finding.
//!
//! Counted while the ranked hosts stream by, in bounded memory: per code its counts and its
//! first [`STEP_HOSTS_KEPT`] hosts (rank order) with their evidence; per combination of codes
//! that make hosts fail, how many hosts (at most [`CAUSES_KEPT`] combinations; failing hosts
//! beyond them are counted as not planned). `remediation.csv` ([`csv`]) lists every host.

pub mod csv;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use crate::findings::{FindingCode, Severity};
use crate::outcome::ClientOutcome;
use crate::ranking::RankedHost;

/// The hosts a step keeps for the page (the first in rank order); `remediation.csv` has all.
pub const STEP_HOSTS_KEPT: usize = 50;

/// The combinations of failing causes the plan tracks (a fleet has a handful).
pub const CAUSES_KEPT: usize = 4096;

/// One host of a step, as the page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepHost {
    pub rank: usize,
    pub ip: Option<IpAddr>,
    pub port: u16,
    pub hostname: Option<String>,
    pub outcome: Option<ClientOutcome>,
    /// The finding's evidence on this host.
    pub evidence: String,
}

/// One step of the plan: a fix and the hosts that need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub code: FindingCode,
    pub severity: Severity,
    pub remediation: &'static str,
    /// Hosts with the finding.
    pub hosts: usize,
    /// Of those, hosts a client fails on, and hosts it warns on.
    pub fails: usize,
    pub warns: usize,
    /// Failing hosts cleared by this step, once the steps before it are done.
    pub clears: usize,
    /// The first [`STEP_HOSTS_KEPT`] hosts, in rank order.
    pub sample: Vec<StepHost>,
}

/// The plan: its steps in order, and how many failing hosts it cannot clear.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Hosts a client fails on.
    pub failing: usize,
    /// Failing hosts without a `high` finding (no step clears them).
    pub failing_without_cause: usize,
    /// Failing hosts whose combination of causes was beyond [`CAUSES_KEPT`]: the order does not
    /// count them.
    pub untracked: usize,
}

/// The counts of one code while the hosts stream by.
#[derive(Debug, Clone)]
struct Tally {
    severity: Severity,
    hosts: usize,
    fails: usize,
    warns: usize,
    sample: Vec<StepHost>,
}

/// Counts the plan one ranked host at a time.
#[derive(Debug, Default)]
pub struct PlanCounter {
    tallies: BTreeMap<FindingCode, Tally>,
    /// Failing hosts by the (sorted) codes that make them fail.
    causes: HashMap<Vec<FindingCode>, usize>,
    failing: usize,
    without_cause: usize,
    untracked: usize,
}

impl PlanCounter {
    /// Counts one host (hosts come in rank order, so each step keeps its riskiest ones).
    pub fn add(&mut self, host: &RankedHost) {
        let outcome = host.assessment.outcome.as_ref().map(|p| p.outcome);
        let mut seen = BTreeSet::new();
        for finding in &host.assessment.findings {
            if !seen.insert(finding.code) {
                continue;
            }
            let tally = self.tallies.entry(finding.code).or_insert(Tally {
                severity: finding.severity,
                hosts: 0,
                fails: 0,
                warns: 0,
                sample: Vec::new(),
            });
            tally.hosts += 1;
            match outcome {
                Some(ClientOutcome::Fails) => tally.fails += 1,
                Some(ClientOutcome::Warns) => tally.warns += 1,
                _ => {}
            }
            if tally.sample.len() < STEP_HOSTS_KEPT {
                let o = &host.observation;
                tally.sample.push(StepHost {
                    rank: host.rank,
                    ip: o.ip,
                    port: o.port,
                    hostname: o.hostname.clone(),
                    outcome,
                    evidence: finding.evidence.clone(),
                });
            }
        }
        if outcome != Some(ClientOutcome::Fails) {
            return;
        }
        self.failing += 1;
        let causes: Vec<FindingCode> = host
            .assessment
            .findings
            .iter()
            .filter(|f| f.severity == Severity::High)
            .map(|f| f.code)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if causes.is_empty() {
            self.without_cause += 1;
        } else if let Some(count) = self.causes.get_mut(&causes) {
            *count += 1;
        } else if self.causes.len() < CAUSES_KEPT {
            self.causes.insert(causes, 1);
        } else {
            self.untracked += 1;
        }
    }

    /// The plan: every code some host raised, as a step, in order (see the module doc).
    pub fn finish(self) -> Plan {
        let mut left: Vec<(FindingCode, Tally)> = self.tallies.into_iter().collect();
        let mut causes: Vec<(Vec<FindingCode>, usize)> = self.causes.into_iter().collect();
        let mut done: BTreeSet<FindingCode> = BTreeSet::new();
        let mut steps = Vec::with_capacity(left.len());
        while !left.is_empty() {
            // What each remaining fix would clear now: the failing hosts all of whose causes
            // are then fixed.
            let clears = |code: FindingCode| -> usize {
                causes
                    .iter()
                    .filter(|(codes, _)| {
                        codes.contains(&code)
                            && codes.iter().all(|c| *c == code || done.contains(c))
                    })
                    .map(|(_, n)| n)
                    .sum()
            };
            let best = (0..left.len())
                .max_by(|&a, &b| {
                    let key = |i: usize| {
                        let (code, t) = &left[i];
                        (clears(*code), t.fails, t.warns, t.hosts)
                    };
                    // Equal keys: the more severe, then the catalogue's order, first.
                    key(a).cmp(&key(b)).then_with(|| {
                        let (ca, ta) = &left[a];
                        let (cb, tb) = &left[b];
                        tb.severity.cmp(&ta.severity).then(cb.cmp(ca))
                    })
                })
                .expect("a step is left");
            let (code, tally) = left.swap_remove(best);
            let cleared = clears(code);
            done.insert(code);
            causes.retain(|(codes, _)| !codes.iter().all(|c| done.contains(c)));
            steps.push(Step {
                code,
                severity: tally.severity,
                remediation: code.remediation(),
                hosts: tally.hosts,
                fails: tally.fails,
                warns: tally.warns,
                clears: cleared,
                sample: tally.sample,
            });
        }
        Plan {
            steps,
            failing: self.failing,
            failing_without_cause: self.without_cause,
            untracked: self.untracked,
        }
    }
}

impl Plan {
    /// The plan of hosts held in memory (tests, small runs).
    pub fn of(hosts: &[RankedHost]) -> Plan {
        let mut counter = PlanCounter::default();
        hosts.iter().for_each(|h| counter.add(h));
        counter.finish()
    }

    /// The step number (1-based) of each code.
    pub fn step_numbers(&self) -> BTreeMap<FindingCode, usize> {
        self.steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.code, i + 1))
            .collect()
    }
}
