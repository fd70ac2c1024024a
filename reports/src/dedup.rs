//! Rows of a `results.jsonl` that a later row repeats: the same target (its host name, else its
//! address) and port, as in a file joined by hand or appended to twice. The report keeps the
//! last row of each target, so every target appears once in the report files, and says how
//! many rows it left out.
//!
//! Found in bounded memory, like the ranking: the keys are sorted in runs (spilled to
//! temporary files in the output directory when there are many) and merged; only the numbers
//! of the superseded lines are held.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Deserialize;

/// Why the repeated rows could not be found.
#[derive(Debug, thiserror::Error)]
pub enum DedupError {
    /// A file could not be read or a temporary run written; the message names it.
    #[error("{0}")]
    Io(String),
    /// `stop` was set.
    #[error("interrupted")]
    Interrupted,
}

/// Keys sorted in memory before a run is spilled (about 60 bytes each).
pub const KEY_RUN_LEN: usize = 200_000;

/// The line numbers (1-based, as [`crate::files::ResultsReader::line_number`] counts them) of
/// the rows a later row supersedes.
#[derive(Debug, Default)]
pub struct Superseded {
    lines: HashSet<usize>,
}

impl Superseded {
    pub fn contains(&self, line: usize) -> bool {
        self.lines.contains(&line)
    }

    /// How many rows are left out.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// The fields of a row that name its target; the rest of the line is skipped unread.
#[derive(Deserialize)]
struct TargetFields {
    ip: Option<IpAddr>,
    port: u16,
    hostname: Option<String>,
}

/// A row's target, port and line number: sorted, a target's rows are adjacent, oldest first.
type Key = (String, u16, usize);

/// Finds the rows of `results` that a later row supersedes, spilling sorted runs of `run_len`
/// keys into `scratch`. A line that is not an observation is passed over: the reading of the
/// rows reports it. `stop` abandons the work.
pub fn find_superseded(
    results: &Path,
    scratch: &Path,
    run_len: usize,
    stop: &AtomicBool,
) -> Result<Superseded, DedupError> {
    let read_error =
        |e: io::Error| DedupError::Io(format!("cannot read {}: {e}", results.display()));
    let mut reader = BufReader::new(File::open(results).map_err(read_error)?);
    let mut runs = KeyRuns::new(scratch);
    let mut keys: Vec<Key> = Vec::new();
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(read_error)? == 0 {
            break;
        }
        number += 1;
        if let Ok(row) = serde_json::from_slice::<TargetFields>(&line) {
            let target = match (row.hostname, row.ip) {
                (Some(name), _) => format!("name {name}"),
                (None, Some(ip)) => format!("ip {ip}"),
                (None, None) => continue,
            };
            keys.push((target, row.port, number));
        }
        if keys.len() >= run_len.max(1) {
            if stop.load(Ordering::Relaxed) {
                return Err(DedupError::Interrupted);
            }
            runs.spill(&mut keys)?;
        }
    }
    if runs.files.is_empty() {
        keys.sort_unstable();
        return superseded_in(keys.into_iter().map(Ok));
    }
    runs.spill(&mut keys)?;
    runs.merge()
}

/// The superseded lines of a sorted stream of keys: each key followed by one of the same
/// target and port.
fn superseded_in(
    sorted: impl Iterator<Item = Result<Key, DedupError>>,
) -> Result<Superseded, DedupError> {
    let mut found = Superseded::default();
    let mut previous: Option<Key> = None;
    for key in sorted {
        let key = key?;
        if let Some((target, port, line)) = &previous {
            if *target == key.0 && *port == key.1 {
                found.lines.insert(*line);
            }
        }
        previous = Some(key);
    }
    Ok(found)
}

/// The sorted runs of keys spilled to `scratch`, removed on drop. Their names are those of the
/// ranking's runs, so a killed process's leftovers are cleaned up the same way.
struct KeyRuns {
    dir: PathBuf,
    files: Vec<PathBuf>,
}

impl KeyRuns {
    fn new(dir: &Path) -> KeyRuns {
        KeyRuns {
            dir: dir.to_path_buf(),
            files: Vec::new(),
        }
    }

    fn write_error(path: &Path, e: impl std::fmt::Display) -> DedupError {
        DedupError::Io(format!("cannot write {}: {e}", path.display()))
    }

    /// Sorts `keys` into a new run file, one JSON array per line, and empties it.
    fn spill(&mut self, keys: &mut Vec<Key>) -> Result<(), DedupError> {
        keys.sort_unstable();
        let path = self.dir.join(format!(
            ".rank-run-{}-keys-{}.jsonl",
            std::process::id(),
            self.files.len()
        ));
        self.files.push(path.clone());
        let file = File::create(&path).map_err(|e| Self::write_error(&path, e))?;
        let mut out = BufWriter::new(file);
        for key in keys.drain(..) {
            serde_json::to_writer(&mut out, &key).map_err(|e| Self::write_error(&path, e))?;
            out.write_all(b"\n")
                .map_err(|e| Self::write_error(&path, e))?;
        }
        out.flush().map_err(|e| Self::write_error(&path, e))
    }

    /// Merges the runs (a k-way merge) and finds the superseded lines.
    fn merge(&self) -> Result<Superseded, DedupError> {
        let mut readers = Vec::new();
        for path in &self.files {
            let file = File::open(path).map_err(|e| Self::write_error(path, e))?;
            readers.push((path, BufReader::new(file).lines()));
        }
        let next = |run: usize, readers: &mut Vec<(&PathBuf, io::Lines<BufReader<File>>)>| {
            let (path, lines) = &mut readers[run];
            match lines.next() {
                None => Ok(None),
                Some(line) => {
                    let line = line.map_err(|e| Self::write_error(path, e))?;
                    serde_json::from_str::<Key>(&line)
                        .map(Some)
                        .map_err(|e| Self::write_error(path, e))
                }
            }
        };
        let mut heap = BinaryHeap::new();
        for run in 0..readers.len() {
            if let Some(key) = next(run, &mut readers)? {
                heap.push(Reverse((key, run)));
            }
        }
        let sorted = std::iter::from_fn(|| {
            let Reverse((key, run)) = heap.pop()?;
            match next(run, &mut readers) {
                Ok(Some(following)) => heap.push(Reverse((following, run))),
                Ok(None) => {}
                Err(e) => return Some(Err(e)),
            }
            Some(Ok(key))
        });
        superseded_in(sorted)
    }
}

impl Drop for KeyRuns {
    fn drop(&mut self) {
        for file in &self.files {
            let _ = std::fs::remove_file(file);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ip: &str, port: u16, hostname: Option<&str>) -> String {
        serde_json::json!({"ip": ip, "port": port, "hostname": hostname, "tcp": "open"}).to_string()
    }

    fn lines(rows: &[String]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        std::fs::write(&path, rows.join("\n") + "\n").unwrap();
        (dir, path)
    }

    fn found(rows: &[String], run_len: usize) -> Vec<usize> {
        let (dir, path) = lines(rows);
        let superseded =
            find_superseded(&path, dir.path(), run_len, &AtomicBool::new(false)).unwrap();
        let mut lines: Vec<usize> = superseded.lines.into_iter().collect();
        lines.sort();
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "the runs are removed");
        lines
    }

    #[test]
    fn a_repeated_target_and_port_supersedes_its_earlier_rows() {
        let rows = [
            row("10.0.0.1", 3389, None),
            row("10.0.0.2", 3389, None),
            row("10.0.0.1", 3390, None), // another port: another target
            row("10.0.0.1", 3389, None),
            String::new(),
            row("10.0.0.9", 3389, Some("a.example")),
            row("10.0.0.8", 3389, Some("a.example")), // the name decides, as in `diff`
            "not json".to_string(),
            row("10.0.0.1", 3389, None),
        ];
        for run_len in [1, 2, 3, 1000] {
            assert_eq!(found(&rows, run_len), [1, 4, 6], "runs of {run_len}");
        }
    }

    #[test]
    fn distinct_rows_supersede_nothing() {
        let rows: Vec<String> = (0..50)
            .map(|i| row(&format!("10.0.0.{i}"), 3389, None))
            .collect();
        assert_eq!(found(&rows, 7), Vec::<usize>::new());
    }
}
