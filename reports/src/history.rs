//! Night-to-night history (`--history DIR...`): earlier runs' output directories, each read
//! from its `summary.json` (the night's counts) and its `hosts.csv` (each host's client
//! outcome that night). Hosts are matched as `diff` matches them: by the host name they were
//! given as, else by address, and by port.
//!
//! Memory is bounded: a night is its counts, and only the hosts the page lists (at most
//! [`crate::files::HTML_MAX_HOSTS`]) get their past looked up, as each `hosts.csv` streams by.
//! At most [`NIGHTS_KEPT`] nights are read (the latest).

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::outcome::ClientOutcome;
use crate::ranking::RankedHost;
use crate::summary::Summary;
use crate::timestamp;

/// The most nights a history holds (the latest, by date).
pub const NIGHTS_KEPT: usize = 90;

/// One night's counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Night {
    /// The run's output directory (tonight's: empty).
    pub dir: String,
    /// When the run finished (else started); `None` when its summary does not say.
    #[serde(default, with = "timestamp::nullable")]
    pub at: Option<OffsetDateTime>,
    pub hosts: usize,
    pub fails: usize,
    pub warns: usize,
    pub connects: usize,
}

impl Night {
    /// The night a summary describes.
    pub fn of(dir: &str, summary: &Summary) -> Night {
        let count = |o: ClientOutcome| {
            let counts = &summary.by_client_outcome;
            counts.get(o.as_str()).copied().unwrap_or(0)
        };
        Night {
            dir: dir.to_string(),
            at: summary.scan.finished_at.or(summary.scan.started_at),
            hosts: summary.hosts,
            fails: count(ClientOutcome::Fails),
            warns: count(ClientOutcome::Warns),
            connects: count(ClientOutcome::Connects),
        }
    }

    /// The night's date (`2026-11-21`), or its directory when its time is not known.
    pub fn label(&self) -> String {
        match self.at {
            Some(at) => timestamp::rfc3339(at)[..10].to_string(),
            None => self.dir.clone(),
        }
    }
}

/// What a host was on one earlier night.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Was {
    /// Not in that night's `hosts.csv`.
    Absent,
    /// No prediction (TCP not accepted), or a `hosts.csv` without `client_outcome`.
    Unknown,
    Seen(ClientOutcome),
}

/// A host's story across the nights, tonight included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostHistory {
    /// Nights in a row, up to tonight, a client failed on it (0 when it does not fail now).
    pub nights_failing: usize,
    /// Failing now, not on the last earlier night it was scanned: new since that night.
    pub new_since: Option<String>,
    /// Not failing now, failing on an earlier night: fixed on the night after the last one it
    /// failed (`tonight` when that is tonight).
    pub fixed_since: Option<String>,
}

/// The earlier nights, oldest first, and the past of the hosts asked about.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub nights: Vec<Night>,
    past: HashMap<(String, u16), Vec<Was>>,
}

/// Why a history directory could not be read; the message names the file.
#[derive(Debug, thiserror::Error)]
#[error("history {path}: {reason}")]
pub struct HistoryError {
    pub path: String,
    pub reason: String,
}

/// How a run names a host (as `diff` does): its host name, else its address; and its port.
fn key(name: Option<&str>, ip: Option<&str>, port: u16) -> (String, u16) {
    let name = name.filter(|n| !n.is_empty()).or(ip).unwrap_or_default();
    (name.to_string(), port)
}

fn key_of(host: &RankedHost) -> (String, u16) {
    let o = &host.observation;
    let ip = o.ip.map(|ip| ip.to_string());
    key(o.hostname.as_deref(), ip.as_deref(), o.port)
}

/// Checks that `dir` holds a run's `summary.json` and `hosts.csv`.
pub fn check_dir(dir: &Path) -> Result<(), HistoryError> {
    for file in ["summary.json", "hosts.csv"] {
        let path = dir.join(file);
        if !path.is_file() {
            return Err(HistoryError {
                path: dir.display().to_string(),
                reason: format!("no {file} (give the output directory of an earlier run)"),
            });
        }
    }
    Ok(())
}

impl History {
    /// Reads the runs in `dirs` (any order: they are sorted by date; `skip`, tonight's own
    /// directory, is left out), and the past of `hosts`.
    pub fn read(
        dirs: &[PathBuf],
        skip: &Path,
        hosts: &[RankedHost],
    ) -> Result<History, HistoryError> {
        let same = |a: &Path, b: &Path| {
            let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            canonical(a) == canonical(b)
        };
        let mut runs = Vec::new();
        for dir in dirs.iter().filter(|d| !same(d, skip)) {
            check_dir(dir)?;
            let path = dir.join("summary.json");
            let error = |reason: String| HistoryError {
                path: path.display().to_string(),
                reason,
            };
            let text = std::fs::read_to_string(&path).map_err(|e| error(e.to_string()))?;
            let summary: Summary = serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
            runs.push((Night::of(&dir.display().to_string(), &summary), dir.clone()));
        }
        runs.sort_by(|a, b| a.0.at.cmp(&b.0.at).then_with(|| a.0.dir.cmp(&b.0.dir)));
        if runs.len() > NIGHTS_KEPT {
            runs.drain(..runs.len() - NIGHTS_KEPT);
        }
        let mut past: HashMap<(String, u16), Vec<Was>> = hosts
            .iter()
            .map(|h| (key_of(h), vec![Was::Absent; runs.len()]))
            .collect();
        for (night, (_, dir)) in runs.iter().enumerate() {
            read_hosts(&dir.join("hosts.csv"), night, &mut past)?;
        }
        Ok(History {
            nights: runs.into_iter().map(|(night, _)| night).collect(),
            past,
        })
    }

    /// `host`'s story: its earlier nights and tonight's outcome.
    pub fn of(&self, host: &RankedHost) -> HostHistory {
        let now = host.assessment.outcome.as_ref().map(|p| p.outcome);
        let nights = self
            .past
            .get(&key_of(host))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let failing = |w: &Was| *w == Was::Seen(ClientOutcome::Fails);
        let scanned: Vec<(usize, &Was)> = nights
            .iter()
            .enumerate()
            .filter(|(_, w)| **w != Was::Absent)
            .collect();
        if now == Some(ClientOutcome::Fails) {
            let before = scanned.iter().rev().take_while(|(_, w)| failing(w)).count();
            let new_since = match scanned.last() {
                Some((i, w)) if !failing(w) => Some(self.nights[*i].label()),
                _ => None,
            };
            return HostHistory {
                nights_failing: 1 + before,
                new_since,
                fixed_since: None,
            };
        }
        let fixed_since =
            scanned
                .iter()
                .rposition(|(_, w)| failing(w))
                .map(|last| match scanned.get(last + 1) {
                    Some((i, _)) => self.nights[*i].label(),
                    None => "tonight".to_string(),
                });
        HostHistory {
            nights_failing: 0,
            new_since: None,
            fixed_since,
        }
    }

    /// The `history` object of `summary.json`: the nights, tonight last, and how many of the
    /// listed hosts are newly failing, still failing and no longer failing since the last night.
    pub fn summary(&self, tonight: Night, hosts: &[RankedHost]) -> HistorySummary {
        let mut counts = HistorySummary {
            nights: self.nights.clone(),
            new_failing: 0,
            still_failing: 0,
            no_longer_failing: 0,
        };
        counts.nights.push(tonight);
        let last = self.nights.len().checked_sub(1);
        for host in hosts {
            let now =
                host.assessment.outcome.as_ref().map(|p| p.outcome) == Some(ClientOutcome::Fails);
            let then = last.and_then(|i| self.past.get(&key_of(host)).map(|p| p[i]))
                == Some(Was::Seen(ClientOutcome::Fails));
            match (then, now) {
                (false, true) => counts.new_failing += 1,
                (true, true) => counts.still_failing += 1,
                (true, false) => counts.no_longer_failing += 1,
                (false, false) => {}
            }
        }
        counts
    }
}

/// The `history` object of `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistorySummary {
    /// Every night, oldest first, tonight last (its `dir` empty).
    pub nights: Vec<Night>,
    /// Of the hosts the page lists: failing tonight and not on the last earlier night...
    pub new_failing: usize,
    /// ...failing on both...
    pub still_failing: usize,
    /// ...failing on the last earlier night, not tonight.
    pub no_longer_failing: usize,
}

/// Records, for the hosts of `past`, what night `night`'s `hosts.csv` says of them.
fn read_hosts(
    path: &Path,
    night: usize,
    past: &mut HashMap<(String, u16), Vec<Was>>,
) -> Result<(), HistoryError> {
    let error = |reason: String| HistoryError {
        path: path.display().to_string(),
        reason,
    };
    let mut csv = csv::Reader::from_path(path).map_err(|e| error(e.to_string()))?;
    let headers = csv.headers().map_err(|e| error(e.to_string()))?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(ip), Some(port)) = (column("ip"), column("port")) else {
        return Err(error("not a hosts.csv: no ip or port column".into()));
    };
    let (hostname, outcome) = (column("hostname"), column("client_outcome"));
    for row in csv.records() {
        let row = row.map_err(|e| error(e.to_string()))?;
        let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).unwrap_or("");
        // A cell was written spreadsheet-safe: a name starting with `-` has a leading `'`.
        let name = cell(hostname);
        let name = name.strip_prefix('\'').unwrap_or(name);
        let Ok(port) = cell(Some(port)).parse::<u16>() else {
            continue;
        };
        let key = key(Some(name), Some(cell(Some(ip))), port);
        if let Some(nights) = past.get_mut(&key) {
            nights[night] = match cell(outcome).parse::<ClientOutcome>() {
                Ok(o) => Was::Seen(o),
                Err(_) => Was::Unknown,
            };
        }
    }
    Ok(())
}
