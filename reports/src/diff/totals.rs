//! The totals of a diff (hosts worse and better, findings by level, clients that now fail) and
//! the news at a level that `rdpsweep diff --fail-on LEVEL` exits 3 on.

use std::collections::BTreeMap;

use super::{Change, ChangeKind, RiskView};
use crate::findings::FindingCode;
use crate::outcome::ClientOutcome;
use crate::risk::RiskLevel;

/// How much changed between two runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffTotals {
    /// Hosts whose risk level rose (a host new at risk included) or fell.
    pub worse: usize,
    pub better: usize,
    /// Hosts at risk in the old run that the new run does not hold.
    pub not_scanned: usize,
    /// Findings that appeared or disappeared, by the level of their weight (every level
    /// present, zeros included).
    pub appeared: BTreeMap<RiskLevel, usize>,
    pub disappeared: BTreeMap<RiskLevel, usize>,
    /// Hosts a client fails on now and did not before, and the reverse.
    pub now_fail: usize,
    pub no_longer_fail: usize,
    /// Hosts at `high`, `medium` and `low` in each run.
    pub old_levels: BTreeMap<RiskLevel, usize>,
    pub new_levels: BTreeMap<RiskLevel, usize>,
}

impl DiffTotals {
    /// The totals of `changes`, the diff of `old` and `new`.
    pub fn of(old: &RiskView, new: &RiskView, changes: &[Change]) -> DiffTotals {
        let zeros = || RiskLevel::ALL.iter().map(|l| (*l, 0)).collect();
        let mut totals = DiffTotals {
            appeared: zeros(),
            disappeared: zeros(),
            old_levels: old.by_level(),
            new_levels: new.by_level(),
            ..DiffTotals::default()
        };
        let fails = |o: Option<ClientOutcome>| o == Some(ClientOutcome::Fails);
        for c in changes {
            match c.kind {
                ChangeKind::Level if c.new_level < c.old_level => totals.worse += 1,
                ChangeKind::Level => totals.better += 1,
                ChangeKind::Outcome if fails(c.new_outcome) => totals.now_fail += 1,
                ChangeKind::Outcome if fails(c.old_outcome) => totals.no_longer_fail += 1,
                ChangeKind::Outcome => {}
                ChangeKind::Appeared | ChangeKind::Disappeared => {
                    let by_level = match c.kind {
                        ChangeKind::Appeared => &mut totals.appeared,
                        _ => &mut totals.disappeared,
                    };
                    if let Some(level) = c.finding_level {
                        *by_level.entry(level).or_default() += 1;
                    }
                }
                ChangeKind::NotScanned => totals.not_scanned += 1,
            }
        }
        totals
    }
}

/// One host that brings news at a level: the findings that appeared at it or worse, and the
/// level it rose to, if it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct News {
    pub host: String,
    pub port: u16,
    pub appeared: Vec<FindingCode>,
    /// `(old, new)` when the host's level rose to the threshold or worse.
    pub rose: Option<(RiskLevel, RiskLevel)>,
}

/// The hosts with news at `threshold` or worse, in the diff's order: a finding that appeared
/// whose level is `threshold` or worse (a host new at risk included), or a risk level that
/// rose to `threshold` or worse. A finding that stayed, a level that fell and a host the new
/// run did not scan are no news.
pub fn news_at(changes: &[Change], threshold: RiskLevel) -> Vec<News> {
    let mut news: Vec<News> = Vec::new();
    for c in changes {
        let appeared = c.kind == ChangeKind::Appeared
            && c.finding_level.is_some_and(|level| level <= threshold);
        let rose =
            c.kind == ChangeKind::Level && c.new_level < c.old_level && c.new_level <= threshold;
        if !appeared && !rose {
            continue;
        }
        let same_host = news
            .last()
            .is_some_and(|n| n.host == c.host && n.port == c.port);
        if !same_host {
            news.push(News {
                host: c.host.clone(),
                port: c.port,
                appeared: Vec::new(),
                rose: None,
            });
        }
        let entry = news.last_mut().expect("pushed above");
        match (appeared, c.code) {
            (true, Some(code)) => entry.appeared.push(code),
            _ => entry.rose = Some((c.old_level, c.new_level)),
        }
    }
    news
}
