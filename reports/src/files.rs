//! The report files of a run, read and written as whole files: `results.jsonl` in, and
//! `hosts.csv`, `findings.csv`, `summary.json`, `report.html` out. Each output is written to a
//! temporary file and renamed into place, so a reader never sees half a report.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::observation::Observation;
use crate::ranking::RankedHost;
use crate::summary::{summarize, ScanInfo};
use crate::writers::{write_findings_csv, write_ranked_hosts_csv};

/// Why `results.jsonl` could not be read; the message names the file (and line).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}:{line}: not an rdpsweep observation: {reason}")]
    BadLine {
        path: String,
        line: usize,
        reason: String,
    },
}

/// What reading `results.jsonl` gave.
#[derive(Debug)]
pub struct ReadResults {
    pub observations: Vec<Observation>,
    /// True when the last line was cut short (a scan killed mid-write) and was left out.
    pub truncated_last_line: bool,
}

/// Reads every observation of a `results.jsonl`. Blank lines are skipped; a last line without
/// its newline that does not parse (a hard-killed scan) is left out and reported; any other
/// bad line is an error naming the file and line.
pub fn read_results(path: &Path) -> Result<ReadResults, ReadError> {
    let name = path.display().to_string();
    let io_error = |source| ReadError::Io {
        path: name.clone(),
        source,
    };
    let mut reader = BufReader::new(File::open(path).map_err(io_error)?);
    let mut observations = Vec::new();
    let mut line = String::new();
    let mut number = 0;
    loop {
        line.clear();
        if reader.read_line(&mut line).map_err(io_error)? == 0 {
            return Ok(ReadResults {
                observations,
                truncated_last_line: false,
            });
        }
        number += 1;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        match serde_json::from_str::<Observation>(text) {
            Ok(obs) => observations.push(obs),
            Err(_) if !line.ends_with('\n') => {
                return Ok(ReadResults {
                    observations,
                    truncated_last_line: true,
                });
            }
            Err(e) => {
                return Err(ReadError::BadLine {
                    path: name,
                    line: number,
                    reason: e.to_string(),
                })
            }
        }
    }
}

/// Writes the ranked report files into `dir` and returns their paths, in the order written.
pub fn write_reports(
    dir: &Path,
    hosts: &[RankedHost],
    info: &ScanInfo,
) -> io::Result<Vec<PathBuf>> {
    let summary = summarize(hosts, info);
    let written = vec![
        write_atomically(dir, "hosts.csv", |w| write_ranked_hosts_csv(w, hosts))?,
        write_atomically(dir, "findings.csv", |w| write_findings_csv(w, hosts))?,
        write_atomically(dir, "summary.json", |w| {
            serde_json::to_writer_pretty(&mut *w, &summary)?;
            w.write_all(b"\n")
        })?,
        write_atomically(dir, "report.html", |w| {
            w.write_all(crate::html::report_html(hosts, info).as_bytes())
        })?,
    ];
    Ok(written)
}

/// Writes `dir/name` through a temporary file in the same directory, then renames it.
fn write_atomically(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> io::Result<PathBuf> {
    let path = dir.join(name);
    let temp = dir.join(format!(".{name}.tmp"));
    let named =
        |e: io::Error| io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()));
    let mut out = BufWriter::new(File::create(&temp).map_err(named)?);
    write(&mut out).map_err(named)?;
    out.into_inner()
        .map_err(|e| named(e.into_error()))?
        .sync_all()
        .map_err(named)?;
    std::fs::rename(&temp, &path).map_err(named)?;
    Ok(path)
}
