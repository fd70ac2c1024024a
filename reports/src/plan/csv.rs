//! `remediation.csv`, for ticketing: one row per plan step and host, the steps in plan order,
//! each step's hosts in rank order; every cell spreadsheet-safe.
//!
//! The step order is known only once every host has been seen, so while the hosts stream by
//! each code's rows go to a hidden spill file of their own in the output directory
//! (`.remediation.csv.CODE.PID.tmp`, removed when done); [`RemediationSpill::write`] then copies
//! them into the final file step by step. Memory stays flat; disk holds the rows once more
//! until the end. A spilled line is already the CSV text of its cells, made spreadsheet-safe
//! (which leaves no line break inside a cell), so the copy puts the step's cells around each
//! line without parsing it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::Plan;
use crate::columns::{opt, put};
use crate::findings::FindingCode;
use crate::ip_text::IpText;
use crate::ranking::RankedHost;
use crate::writers::CsvLine;

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
    out: BufWriter<File>,
}

/// The rows of `remediation.csv` while the hosts stream by, one spill file per code.
pub struct RemediationSpill {
    dir: PathBuf,
    spills: BTreeMap<FindingCode, Spill>,
    /// The row being written, reused for every row.
    row: CsvLine,
}

impl RemediationSpill {
    /// Spills into `dir` (the output directory).
    pub fn new(dir: &Path) -> RemediationSpill {
        RemediationSpill {
            dir: dir.to_path_buf(),
            spills: BTreeMap::new(),
            row: CsvLine::default(),
        }
    }

    /// Writes one row per finding code of `host` (one per code, the first finding's evidence).
    pub fn add(&mut self, host: &RankedHost) -> io::Result<()> {
        let findings = &host.assessment.findings;
        for (i, finding) in findings.iter().enumerate() {
            if findings[..i].iter().any(|f| f.code == finding.code) {
                continue;
            }
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
                    let out = BufWriter::new(file);
                    self.spills
                        .entry(finding.code)
                        .or_insert(Spill { path, out })
                }
            };
            let o = &host.observation;
            let outcome = host.assessment.outcome.as_ref().map(|p| p.outcome);
            let row = &mut self.row;
            row.cell(|cell| put(cell, host.rank));
            row.cell(|cell| opt(cell, &o.ip.map(IpText)));
            row.cell(|cell| put(cell, o.port));
            row.cell(|cell| opt(cell, &o.hostname));
            row.cell(|cell| opt(cell, &outcome));
            row.cell(|cell| put(cell, host.assessment.level));
            row.text(&finding.evidence);
            row.write_to(&mut spill.out)?;
        }
        Ok(())
    }

    /// Writes `remediation.csv` to `out`: the header, then each step of `plan` with its rows.
    /// A row is written in a few pieces: `out` should be buffered.
    pub fn write(mut self, plan: &Plan, mut out: impl Write) -> io::Result<()> {
        out.write_all(&csv_record(HEADER)?)?;
        for (number, step) in plan.steps.iter().enumerate() {
            let Some(mut spill) = self.spills.remove(&step.code) else {
                continue;
            };
            // The step's cells before and after each spilled row's, as CSV text: `before` ends
            // with the comma after its last cell, `after` begins with the one before its first
            // (written as a record behind an empty cell, so that an empty remediation is an
            // empty cell, not the `""` a record of one empty cell is written as).
            let mut before = csv_record([
                (number + 1).to_string(),
                step.code.to_string(),
                step.severity.to_string(),
                step.hosts.to_string(),
                step.fails.to_string(),
                step.clears.to_string(),
            ])?;
            before.pop(); // the line's end: the row goes on
            before.push(b',');
            let after = csv_record(["", step.remediation])?;
            let path = spill.path.clone();
            let copied = spill
                .out
                .flush()
                .and_then(|()| File::open(&path))
                .and_then(|file| {
                    drop(spill.out);
                    let mut rows = BufReader::new(file);
                    let mut row = Vec::new();
                    loop {
                        row.clear();
                        if rows.read_until(b'\n', &mut row)? == 0 {
                            return Ok(());
                        }
                        let row = row.strip_suffix(b"\n").unwrap_or(&row);
                        out.write_all(&before)?;
                        out.write_all(row)?;
                        out.write_all(&after)?;
                    }
                });
            let _ = std::fs::remove_file(&path);
            copied?;
        }
        out.flush()
    }
}

/// One CSV record of spreadsheet-safe `cells`, with its line's end.
fn csv_record<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> io::Result<Vec<u8>> {
    let mut row = CsvLine::default();
    for cell in cells {
        row.text(cell.as_ref());
    }
    let mut line = Vec::new();
    row.write_to(&mut line)?;
    Ok(line)
}

impl Drop for RemediationSpill {
    fn drop(&mut self) {
        for spill in self.spills.values() {
            let _ = std::fs::remove_file(&spill.path);
        }
    }
}
