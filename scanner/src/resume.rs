//! Resuming an interrupted scan: which `(target, port)` pairs its `results.jsonl` already holds,
//! so the sweep can skip them.
//!
//! The sweep starts pairs in a fixed order: the shard's targets in the seeded order of
//! [`TargetSet::iter_ordered`], each with every port in turn. Pair `k · ports + p` is target `k`
//! on port `p`. A run that was stopped has finished a prefix of that order except for the
//! probes that were in flight (a hard kill) and those that finished out of order, so the done
//! pairs are summed up as a *frontier* (every pair before it is done) plus the few done pairs
//! after it. Rows arrive nearly in start order, so that set stays small (about the rate times
//! the longest probe) and memory does not grow with the target space.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use rdpsweep_reports::files::ResultsReader;

use crate::targets::{Order, Target, TargetSet};

/// What an earlier run into the same directory already did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResumePoint {
    /// Every pair before this one is done.
    pub frontier: u128,
    /// The done pairs after the frontier.
    pub done_after: BTreeSet<u128>,
    /// Rows read from the file (all kept).
    pub rows: u64,
    /// Rows of targets or ports outside this scan (another shard, a changed input file): kept,
    /// and not counted as done.
    pub foreign: u64,
    /// Bytes of a cut-short last line (a run killed mid-write) that were removed.
    pub torn_bytes: u64,
    /// Rows of a pair seen earlier in the file (kept, and in the reports as often as they
    /// appear: worth a warning).
    pub duplicates: u64,
}

/// The most done pairs after the frontier that a resume holds: rows of one run arrive at most
/// a few probe timeouts' worth of rate out of order, far fewer than this. More means the rows
/// do not follow this scan's order, and holding them would make memory grow with the file.
pub const MAX_DONE_AFTER: usize = 1_000_000;

impl ResumePoint {
    /// How many of this scan's pairs are done.
    pub fn done(&self) -> u128 {
        self.frontier + self.done_after.len() as u128
    }

    /// True when pair `index` was done by the earlier run.
    pub fn is_done(&self, index: u128) -> bool {
        index < self.frontier || self.done_after.contains(&index)
    }

    /// Marks pair `index` done; false when it already was.
    fn add(&mut self, index: u128) -> bool {
        if index < self.frontier || !self.done_after.insert(index) {
            return false;
        }
        while self.done_after.remove(&self.frontier) {
            self.frontier += 1;
        }
        true
    }
}

/// Reads `results` (a `results.jsonl` being resumed) and returns the pairs it holds. A last
/// line cut short by a kill is removed from the file (a complete last line missing only its
/// newline gets one), so rows appended next start on a line of their own. Any other bad line
/// is an error naming the file and line.
pub fn prepare(
    results: &Path,
    targets: &TargetSet,
    order: &Order,
    ports: &[u16],
) -> Result<ResumePoint, String> {
    prepare_capped(results, targets, order, ports, MAX_DONE_AFTER)
}

/// [`prepare`] with `max_done_after` for [`MAX_DONE_AFTER`].
fn prepare_capped(
    results: &Path,
    targets: &TargetSet,
    order: &Order,
    ports: &[u16],
    max_done_after: usize,
) -> Result<ResumePoint, String> {
    let name = results.display();
    let mut point = ResumePoint::default();
    let sequence = targets.sequence(order);
    let ports_count = ports.len() as u128;
    let mut reader = ResultsReader::open(results).map_err(|e| e.to_string())?;
    for row in reader.by_ref() {
        let obs = row.map_err(|e| e.to_string())?;
        point.rows += 1;
        let target = match (&obs.hostname, obs.ip) {
            (Some(name), _) => Target::Name(name.clone()),
            (None, Some(ip)) => Target::Ip(ip),
            (None, None) => {
                point.foreign += 1;
                continue;
            }
        };
        let port = ports.iter().position(|&p| p == obs.port);
        let pair = sequence
            .index_of(&target)
            .zip(port)
            .and_then(|(k, p)| k.checked_mul(ports_count)?.checked_add(p as u128));
        match pair {
            Some(index) if !point.add(index) => point.duplicates += 1,
            Some(_) if point.done_after.len() > max_done_after => {
                return Err(format!(
                    "{name}: its rows do not follow this scan's order (more than \
                     {max_done_after} finished out of order by line {}): was it written by \
                     another scan?",
                    point.rows
                ));
            }
            Some(_) => {}
            None => point.foreign += 1,
        }
    }
    point.torn_bytes = mend_last_line(results, reader.truncated_last_line())
        .map_err(|e| format!("cannot repair the last line of {name}: {e}"))?;
    Ok(point)
}

/// Makes the file end with a newline: cuts a torn last line off (`torn`), or ends a complete
/// last line. Returns how many bytes were cut.
fn mend_last_line(path: &Path, torn: bool) -> io::Result<u64> {
    let mut file = OpenOptions::new().read(true).write(true).open(path)?;
    let len = file.metadata()?.len();
    let keep = after_last_newline(&mut file, len)?;
    if keep == len {
        return Ok(0);
    }
    if torn {
        file.set_len(keep)?;
        file.sync_all()?;
        Ok(len - keep)
    } else {
        file.seek(SeekFrom::End(0))?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        Ok(0)
    }
}

/// The offset just past the file's last `\n` (0 when there is none), reading backwards.
fn after_last_newline(file: &mut File, len: u64) -> io::Result<u64> {
    const CHUNK: u64 = 64 * 1024;
    let mut end = len;
    let mut buf = vec![0u8; CHUNK as usize];
    while end > 0 {
        let start = end.saturating_sub(CHUNK);
        let chunk = &mut buf[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(chunk)?;
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdpsweep_reports::{Observation, TcpStatus};

    fn targets(list: &[&str]) -> TargetSet {
        let list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        TargetSet::build(&list, &[], &[], &[]).expect("targets")
    }

    fn row(ip: &str, port: u16) -> String {
        let obs = Observation::new(Some(ip.parse().unwrap()), port, None, TcpStatus::Refused);
        serde_json::to_string(&obs).unwrap() + "\n"
    }

    fn pair_index(set: &TargetSet, order: &Order, ports: &[u16], ip: &str, port: u16) -> u128 {
        let k = set
            .sequence(order)
            .index_of(&Target::Ip(ip.parse().unwrap()))
            .unwrap();
        let p = ports.iter().position(|&q| q == port).unwrap();
        k * ports.len() as u128 + p as u128
    }

    #[test]
    fn the_frontier_advances_over_rows_that_finish_out_of_order() {
        let mut point = ResumePoint::default();
        let fresh: Vec<bool> = [1, 0, 3, 5, 2, 3].map(|i| point.add(i)).to_vec();
        assert_eq!(fresh, [true, true, true, true, true, false]);
        assert_eq!(point.frontier, 4);
        assert_eq!(point.done_after, BTreeSet::from([5]));
        assert_eq!(point.done(), 5);
        assert!(point.is_done(2) && point.is_done(5) && !point.is_done(4) && !point.is_done(6));
    }

    #[test]
    fn rows_of_the_scan_count_as_done_and_others_are_kept_as_foreign() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        let set = targets(&["10.0.0.0/29"]);
        let order = Order::default();
        let ports = [3389, 3390];
        let first: Vec<Target> = set.iter_ordered(&order).take(2).collect();
        let ip = |t: &Target| t.to_string();
        let text = [
            row(&ip(&first[0]), 3390),
            row(&ip(&first[0]), 3389),
            row(&ip(&first[1]), 3389),
            row("192.0.2.1", 3389),    // not a target
            row(&ip(&first[1]), 4000), // not a port of this scan
        ]
        .concat();
        std::fs::write(&path, &text).unwrap();
        let point = prepare(&path, &set, &order, &ports).unwrap();
        assert_eq!(point.rows, 5);
        assert_eq!(point.foreign, 2);
        assert_eq!(
            point.frontier, 3,
            "target 0 on both ports, target 1 on 3389"
        );
        assert!(point.done_after.is_empty());
        assert_eq!(
            pair_index(&set, &order, &ports, &ip(&first[1]), 3390),
            3,
            "the next pair is target 1 on the second port"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "nothing to mend"
        );
    }

    #[test]
    fn a_torn_last_line_is_cut_and_a_missing_newline_is_added() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        let set = targets(&["10.0.0.1", "10.0.0.2"]);
        let whole = row("10.0.0.1", 3389);
        let torn = &row("10.0.0.2", 3389)[..40];
        std::fs::write(&path, format!("{whole}{torn}")).unwrap();
        let point = prepare(&path, &set, &Order::default(), &[3389]).unwrap();
        assert_eq!((point.rows, point.done(), point.torn_bytes), (1, 1, 40));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), whole);

        let complete = row("10.0.0.2", 3389);
        std::fs::write(&path, format!("{whole}{}", complete.trim_end())).unwrap();
        let point = prepare(&path, &set, &Order::default(), &[3389]).unwrap();
        assert_eq!((point.rows, point.done(), point.torn_bytes), (2, 2, 0));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("{whole}{complete}")
        );
    }

    #[test]
    fn a_bad_line_in_the_middle_is_an_error_naming_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        let set = targets(&["10.0.0.1"]);
        std::fs::write(&path, format!("not json\n{}", row("10.0.0.1", 3389))).unwrap();
        let error = prepare(&path, &set, &Order::default(), &[3389]).unwrap_err();
        assert!(error.contains("results.jsonl:1"), "{error}");
    }

    #[test]
    fn duplicate_rows_are_counted_and_rows_in_another_order_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        let set = targets(&["10.0.0.0/26"]);
        let ours = Order::default();
        let first: Vec<Target> = set.iter_ordered(&ours).take(3).collect();
        let rows: String = first.iter().map(|t| row(&t.to_string(), 3389)).collect();
        std::fs::write(&path, format!("{rows}{}", row(&first[1].to_string(), 3389))).unwrap();
        let point = prepare(&path, &set, &ours, &[3389]).unwrap();
        assert_eq!((point.rows, point.done(), point.duplicates), (4, 3, 1));

        // The first 20 targets of another seed's order land all over this order.
        let theirs = Order {
            seed: 99,
            ..Order::default()
        };
        let rows: String = set
            .iter_ordered(&theirs)
            .take(20)
            .map(|t| row(&t.to_string(), 3389))
            .collect();
        std::fs::write(&path, rows).unwrap();
        let error = prepare_capped(&path, &set, &ours, &[3389], 5).unwrap_err();
        assert!(error.contains("do not follow this scan's order"), "{error}");
        assert!(prepare_capped(&path, &set, &theirs, &[3389], 5).is_ok());
    }
}
