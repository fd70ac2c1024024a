//! The report files of a run, read and written as whole files: `results.jsonl` in, and
//! `hosts.csv`, `findings.csv`, `summary.json`, `report.html` out. Each output is written to a
//! temporary file and renamed into place, so a reader never sees half a report.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::observation::Observation;
use crate::ranking::{rank_streaming, RankError, RUN_LEN};
use crate::risk::RiskPolicy;
use crate::summary::{ScanInfo, Summary, SummaryCounter};
use crate::writers::{FindingsCsv, RankedHostsCsv};
use std::sync::atomic::AtomicBool;

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

/// Reads a `results.jsonl` one observation at a time. Blank lines are skipped; a last line
/// without its newline that does not parse (a scan killed mid-write) ends the file and sets
/// [`ResultsReader::truncated_last_line`]; any other bad line is an error naming file and line.
pub struct ResultsReader {
    reader: BufReader<File>,
    path: String,
    line: Vec<u8>,
    number: usize,
    truncated: bool,
    done: bool,
}

impl ResultsReader {
    pub fn open(path: &Path) -> Result<ResultsReader, ReadError> {
        let name = path.display().to_string();
        let file = File::open(path).map_err(|source| ReadError::Io {
            path: name.clone(),
            source,
        })?;
        Ok(ResultsReader {
            reader: BufReader::new(file),
            path: name,
            line: Vec::new(),
            number: 0,
            truncated: false,
            done: false,
        })
    }

    /// True once a cut-short last line was met (and left out).
    pub fn truncated_last_line(&self) -> bool {
        self.truncated
    }
}

impl Iterator for ResultsReader {
    type Item = Result<Observation, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.line.clear();
            // Bytes, not a String: a last line cut inside a multi-byte character is torn, not
            // an unreadable file.
            match self.reader.read_until(b'\n', &mut self.line) {
                Ok(0) => self.done = true,
                Err(source) => {
                    self.done = true;
                    return Some(Err(ReadError::Io {
                        path: self.path.clone(),
                        source,
                    }));
                }
                Ok(_) => {
                    self.number += 1;
                    if self.line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    match serde_json::from_slice::<Observation>(&self.line) {
                        Ok(obs) => return Some(Ok(obs)),
                        Err(_) if self.line.last() != Some(&b'\n') => {
                            self.truncated = true;
                            self.done = true;
                        }
                        Err(e) => {
                            self.done = true;
                            return Some(Err(ReadError::BadLine {
                                path: self.path.clone(),
                                line: self.number,
                                reason: e.to_string(),
                            }));
                        }
                    }
                }
            }
        }
        None
    }
}

/// Every observation of a `results.jsonl`, in memory (for small files: a diff, a demo).
pub fn read_results(path: &Path) -> Result<Vec<Observation>, ReadError> {
    ResultsReader::open(path)?.collect()
}

/// The report files are built from this many riskiest hosts at most in `report.html`'s tables
/// (its totals and charts count every host).
pub const HTML_MAX_HOSTS: usize = 5_000;

/// Why the report files could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// `results.jsonl` could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// An output (or a temporary ranking file) could not be written; the message names it.
    #[error("{0}")]
    Write(String),
    /// `stop` was set while the reports were being built; no report file was replaced.
    #[error("interrupted while building the report files; run `rdpsweep report` on results.jsonl to build them")]
    Interrupted,
}

/// What writing the report files gave.
#[derive(Debug)]
pub struct ReportOutcome {
    pub summary: Summary,
    /// The files written, in order.
    pub files: Vec<PathBuf>,
    /// True when the last line of `results.jsonl` was cut short and left out.
    pub truncated_last_line: bool,
}

/// Ranks `results` under `policy` and writes `hosts.csv`, `findings.csv`, `summary.json` and
/// `report.html` into `dir`, in one pass over the ranking, in bounded memory (see
/// [`rank_streaming`]). The four files are replaced together: each is written to a temporary
/// file, all are synced, then all are renamed. `stop` abandons the work (a signal).
pub fn write_reports(
    dir: &Path,
    results: &Path,
    policy: &RiskPolicy,
    info: &ScanInfo,
    stop: &AtomicBool,
) -> Result<ReportOutcome, ReportError> {
    let mut reader = ResultsReader::open(results)?;
    let mut hosts_file = Pending::create(dir, "hosts.csv")?;
    let mut findings_file = Pending::create(dir, "findings.csv")?;
    let (hosts_error, findings_error) = (hosts_file.namer(), findings_file.namer());
    let mut hosts_csv = RankedHostsCsv::new(&mut hosts_file.out).map_err(&hosts_error)?;
    let mut findings_csv = FindingsCsv::new(&mut findings_file.out).map_err(&findings_error)?;
    let mut counter = SummaryCounter::default();
    let mut riskiest = Vec::new();
    let (hosts_path, findings_path) = (hosts_file.path.clone(), findings_file.path.clone());
    let named = |path: &Path, e: io::Error| {
        io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
    };
    let ranked = rank_streaming(reader.by_ref(), policy, dir, RUN_LEN, stop, |host| {
        hosts_csv.write(host).map_err(|e| named(&hosts_path, e))?;
        findings_csv
            .write(host)
            .map_err(|e| named(&findings_path, e))?;
        counter.add(host);
        if riskiest.len() < HTML_MAX_HOSTS {
            riskiest.push(host.clone());
        }
        Ok(())
    });
    ranked.map_err(|e| match e {
        RankError::Source(read) => ReportError::Read(read),
        RankError::Interrupted => ReportError::Interrupted,
        other => ReportError::Write(other.to_string()),
    })?;
    hosts_csv.finish().map_err(&hosts_error)?;
    findings_csv.finish().map_err(&findings_error)?;
    let summary = counter.finish(info);

    let mut summary_file = Pending::create(dir, "summary.json")?;
    serde_json::to_writer_pretty(&mut summary_file.out, &summary)
        .map_err(io::Error::from)
        .and_then(|()| summary_file.out.write_all(b"\n"))
        .map_err(summary_file.namer())?;
    let mut html_file = Pending::create(dir, "report.html")?;
    html_file
        .out
        .write_all(crate::html::report_html(&riskiest, &summary).as_bytes())
        .map_err(html_file.namer())?;

    let files = commit_together(
        dir,
        vec![hosts_file, findings_file, summary_file, html_file],
    )?;
    Ok(ReportOutcome {
        summary,
        files,
        truncated_last_line: reader.truncated_last_line(),
    })
}

/// Writes `dir/name` through a temporary file renamed into place (for single files such as
/// `diff.csv`). Errors name the file.
pub fn write_atomically(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<PathBuf, ReportError> {
    let mut file = Pending::create(dir, name)?;
    write(&mut file.out).map_err(file.namer())?;
    Ok(commit_together(dir, vec![file])?.remove(0))
}

/// Flushes and syncs every pending file, then renames them all, then syncs the directory: a
/// failure before the renames replaces none of them.
fn commit_together(dir: &Path, mut files: Vec<Pending>) -> Result<Vec<PathBuf>, ReportError> {
    for file in &mut files {
        let named = file.namer();
        file.out.flush().map_err(&named)?;
        file.out.get_ref().sync_all().map_err(&named)?;
    }
    let mut paths = Vec::new();
    for mut file in files {
        std::fs::rename(&file.temp, &file.path).map_err(file.namer())?;
        file.committed = true;
        paths.push(file.path.clone());
    }
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
    Ok(paths)
}

/// An output being written to `.NAME.tmp` beside its final name; `commit` renames it into
/// place, so a reader never sees half a file. Dropped uncommitted, the temporary is removed.
struct Pending {
    out: BufWriter<File>,
    temp: PathBuf,
    path: PathBuf,
    committed: bool,
}

impl Pending {
    fn create(dir: &Path, name: &str) -> Result<Pending, ReportError> {
        let path = dir.join(name);
        // The process id keeps two reports into one directory off each other's files.
        let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = File::create(&temp)
            .map_err(|e| ReportError::Write(format!("cannot write {}: {e}", path.display())))?;
        Ok(Pending {
            out: BufWriter::new(file),
            temp,
            path,
            committed: false,
        })
    }

    /// Turns an error about this file into one that names it.
    fn namer(&self) -> impl Fn(io::Error) -> ReportError + 'static {
        let path = self.path.clone();
        move |e| ReportError::Write(format!("cannot write {}: {e}", path.display()))
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}
