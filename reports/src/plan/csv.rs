//! `remediation.csv`, for ticketing: one row per plan step and host, the steps in plan order,
//! each step's hosts in rank order; every cell spreadsheet-safe.
//!
//! The step order is known only once every host has been seen, so while the hosts stream by
//! each code's rows go to a hidden spill file of their own in the output directory
//! (`.remediation.csv.CODE.PID.tmp`, removed when done); [`RemediationSpill::write`] then copies
//! them into the final file step by step. Memory stays flat; disk holds the rows once more
//! until the end.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::Plan;
use crate::findings::FindingCode;
use crate::ranking::RankedHost;
use crate::writers::{cell, write_safe_record};

/// The columns of `remediation.csv`.
pub const HEADER: [&str; 14] = [
    "step",
    "code",
    "severity",
    "step_hosts",
    "step_fails",
    "step_clears",
    "rank",
    "ip",
    "port",
    "hostname",
    "client_outcome",
    "risk_level",
    "evidence",
    "remediation",
];

/// One code's spill file: its rows so far, without the step's columns.
struct Spill {
    path: PathBuf,
    out: ::csv::Writer<BufWriter<File>>,
}

/// The rows of `remediation.csv` while the hosts stream by, one spill file per code.
pub struct RemediationSpill {
    dir: PathBuf,
    spills: BTreeMap<FindingCode, Spill>,
}

impl RemediationSpill {
    /// Spills into `dir` (the output directory).
    pub fn new(dir: &Path) -> RemediationSpill {
        RemediationSpill {
            dir: dir.to_path_buf(),
            spills: BTreeMap::new(),
        }
    }

    /// Writes one row per finding code of `host` (one per code, the first finding's evidence).
    pub fn add(&mut self, host: &RankedHost) -> io::Result<()> {
        let mut seen = Vec::new();
        for finding in &host.assessment.findings {
            if seen.contains(&finding.code) {
                continue;
            }
            seen.push(finding.code);
            let spill = match self.spills.get_mut(&finding.code) {
                Some(spill) => spill,
                None => {
                    let path = self.dir.join(format!(
                        ".remediation.csv.{}.{}.tmp",
                        finding.code,
                        std::process::id()
                    ));
                    let file = File::create(&path).map_err(|e| {
                        io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
                    })?;
                    let out = ::csv::WriterBuilder::new()
                        .has_headers(false)
                        .from_writer(BufWriter::new(file));
                    self.spills
                        .entry(finding.code)
                        .or_insert(Spill { path, out })
                }
            };
            let o = &host.observation;
            let outcome = host.assessment.outcome.as_ref().map(|p| p.outcome);
            spill.out.write_record([
                host.rank.to_string(),
                cell(&o.ip),
                o.port.to_string(),
                cell(&o.hostname),
                cell(&outcome),
                host.assessment.level.to_string(),
                finding.evidence.clone(),
            ])?;
        }
        Ok(())
    }

    /// Writes `remediation.csv` to `out`: the header, then each step of `plan` with its rows.
    pub fn write(mut self, plan: &Plan, out: impl Write) -> io::Result<()> {
        let mut csv = ::csv::Writer::from_writer(out);
        csv.write_record(HEADER)?;
        for (number, step) in plan.steps.iter().enumerate() {
            let Some(mut spill) = self.spills.remove(&step.code) else {
                continue;
            };
            let path = spill.path.clone();
            let copied = spill
                .out
                .flush()
                .and_then(|()| File::open(&path))
                .and_then(|file| {
                    drop(spill.out);
                    let mut rows = ::csv::ReaderBuilder::new()
                        .has_headers(false)
                        .from_reader(BufReader::new(file));
                    let first = [
                        (number + 1).to_string(),
                        step.code.to_string(),
                        step.severity.to_string(),
                        step.hosts.to_string(),
                        step.fails.to_string(),
                        step.clears.to_string(),
                    ];
                    for row in rows.records() {
                        let row = row.map_err(io::Error::other)?;
                        let cells = first
                            .iter()
                            .map(String::as_str)
                            .chain(row.iter())
                            .chain([step.remediation]);
                        write_safe_record(&mut csv, cells)?;
                    }
                    Ok(())
                });
            let _ = std::fs::remove_file(&path);
            copied?;
        }
        csv.flush()?;
        Ok(())
    }
}

impl Drop for RemediationSpill {
    fn drop(&mut self) {
        for spill in self.spills.values() {
            let _ = std::fs::remove_file(&spill.path);
        }
    }
}
