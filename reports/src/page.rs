//! What `report.html` is built from besides the summary, gathered while the ranked hosts stream
//! by, in bounded memory: the hosts its tables list (the first [`HTML_MAX_HOSTS`]; targets
//! nothing listened on are counted, not listed, unless asked for), the remediation plan and
//! the fleet's patterns.

use std::path::PathBuf;

use crate::files::HTML_MAX_HOSTS;
use crate::history::History;
use crate::patterns::{no_listener, PatternCounter, Patterns, SubnetPrefix};
use crate::plan::{Plan, PlanCounter};
use crate::ranking::RankedHost;

/// How the page is built (`--list-dead`, `--subnet-prefix`, `--history`, `--open`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageOptions {
    /// List the targets nothing listened on too (refused, timed out, unreachable); by default
    /// the page only counts them.
    pub list_dead: bool,
    /// `--open`: leave the targets nothing listened on out of `hosts.csv` too (in the spirit of
    /// nmap's `--open`); `summary.json` counts them and `results.jsonl` keeps them.
    pub open_only: bool,
    /// The prefix lengths of the subnet roll-up.
    pub prefix: SubnetPrefix,
    /// Earlier runs' output directories, for the night-to-night history (see
    /// [`crate::history`]).
    pub history: Vec<PathBuf>,
}

/// The page's sections besides the hosts and the summary.
#[derive(Debug, Clone, Default)]
pub struct PageExtras {
    pub plan: Plan,
    pub patterns: Patterns,
    pub options: PageOptions,
    /// Targets nothing listened on that the page does not list.
    pub unlisted: usize,
    /// The earlier nights, with `--history`.
    pub history: Option<History>,
}

impl PageExtras {
    /// The extras of hosts held in memory, all of them listed (tests, small runs).
    pub fn of(hosts: &[RankedHost]) -> PageExtras {
        let options = PageOptions {
            list_dead: true,
            ..PageOptions::default()
        };
        PageExtras {
            plan: Plan::of(hosts),
            patterns: Patterns::of(hosts, options.prefix),
            options,
            unlisted: 0,
            history: None,
        }
    }
}

/// Gathers the page's hosts and extras from the ranked hosts, in rank order.
pub struct PageCollector {
    hosts: Vec<RankedHost>,
    plan: PlanCounter,
    patterns: PatternCounter,
    options: PageOptions,
    unlisted: usize,
}

impl PageCollector {
    pub fn new(options: PageOptions) -> PageCollector {
        PageCollector {
            hosts: Vec::new(),
            plan: PlanCounter::default(),
            patterns: PatternCounter::new(options.prefix),
            options,
            unlisted: 0,
        }
    }

    /// Counts one host, and keeps it for the page's tables while there is room.
    pub fn add(&mut self, host: RankedHost) {
        self.plan.add(&host);
        self.patterns.add(&host);
        if !self.options.list_dead && no_listener(&host) {
            self.unlisted += 1;
        } else if self.hosts.len() < HTML_MAX_HOSTS {
            self.hosts.push(host);
        }
    }

    /// The hosts the page lists, in rank order, and its extras.
    pub fn finish(self) -> (Vec<RankedHost>, PageExtras) {
        let extras = PageExtras {
            plan: self.plan.finish(),
            patterns: self.patterns.finish(),
            options: self.options,
            unlisted: self.unlisted,
            history: None,
        };
        (self.hosts, extras)
    }
}
