//! The report files of a run, read and written as whole files: `results.jsonl` in, and
//! `hosts.csv`, `findings.csv`, `remediation.csv`, `summary.json`, `report.html` out. Each
//! output is written to a temporary file and renamed into place, so a reader never sees half a
//! report.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::dedup::{find_superseded, DedupError, KEY_RUN_LEN};
use crate::history::{History, Night};
use crate::observation::Observation;
use crate::page::{PageCollector, PageOptions};
use crate::patterns::no_listener;
use crate::plan::csv::RemediationSpill;
use crate::ranking::{RankError, Ranker, RUN_BYTES, RUN_LEN};
use crate::risk::RiskPolicy;
use crate::summary::{PolicyInfo, ScanInfo, Summary, SummaryCounter};
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
    reader: BufReader<io::Take<File>>,
    path: String,
    line: Vec<u8>,
    number: usize,
    truncated: bool,
    done: bool,
}

impl ResultsReader {
    pub fn open(path: &Path) -> Result<ResultsReader, ReadError> {
        Self::open_prefix(path, u64::MAX)
    }

    /// Reads only the first `len` bytes of the file: the rows it held when a resumed scan
    /// started appending to it.
    pub fn open_prefix(path: &Path, len: u64) -> Result<ResultsReader, ReadError> {
        use std::io::Read as _;
        let name = path.display().to_string();
        let file = File::open(path).map_err(|source| ReadError::Io {
            path: name.clone(),
            source,
        })?;
        Ok(ResultsReader {
            reader: BufReader::new(file.take(len)),
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

    /// The line number (1-based, blank lines counted) of the last observation read.
    pub fn line_number(&self) -> usize {
        self.number
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
                        Ok(mut obs) => {
                            obs.upgrade();
                            return Some(Ok(obs));
                        }
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
    /// An earlier run given with `--history` could not be read; the message names it.
    #[error("{0}")]
    History(String),
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
    /// Rows left out because a later row has the same target and port (see [`crate::dedup`]).
    pub superseded: usize,
}

/// Ranks `results` under `policy` and writes the [`REPORT_FILES`] into `dir` (the page built
/// as `page` says), in bounded memory (see [`Ranker`]): one pass finds the rows a later row
/// repeats ([`find_superseded`]; the last row of each target is kept), one ranks. The files
/// are replaced together: each is written to a temporary file, all are synced, then all are
/// renamed. `stop` abandons the work (a signal).
pub fn write_reports(
    dir: &Path,
    results: &Path,
    policy: &RiskPolicy,
    info: &ScanInfo,
    page: &PageOptions,
    stop: &AtomicBool,
) -> Result<ReportOutcome, ReportError> {
    let mut reader = ResultsReader::open(results)?;
    let superseded = find_superseded(results, dir, KEY_RUN_LEN, stop).map_err(|e| match e {
        DedupError::Io(message) => ReportError::Write(message),
        DedupError::Interrupted => ReportError::Interrupted,
    })?;
    let mut ranker = Ranker::new(policy, dir, RUN_LEN).spill_above(RUN_BYTES);
    while let Some(obs) = reader.next() {
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(ReportError::Interrupted);
        }
        let obs = obs?;
        if !superseded.contains(reader.line_number()) {
            ranker.push(obs).map_err(rank_error)?;
        }
    }
    let mut outcome = finish_reports(dir, ranker, info, page, stop)?;
    outcome.truncated_last_line = reader.truncated_last_line();
    outcome.superseded = superseded.len();
    Ok(outcome)
}

/// Writes the report files of everything `ranker` (made with `dir` as its scratch directory)
/// was fed: the second half of [`write_reports`], for a scan that ranks its rows while it
/// sweeps. The files are created only now, so a long sweep leaves no half-written report.
pub fn finish_reports(
    dir: &Path,
    ranker: Ranker<'_>,
    info: &ScanInfo,
    page: &PageOptions,
    stop: &AtomicBool,
) -> Result<ReportOutcome, ReportError> {
    let info = &ScanInfo {
        risk_policy: Some(PolicyInfo::of(ranker.policy())),
        ..info.clone()
    };
    let mut hosts_file = Pending::create(dir, "hosts.csv")?;
    let mut findings_file = Pending::create(dir, "findings.csv")?;
    let (hosts_error, findings_error) = (hosts_file.namer(), findings_file.namer());
    let mut hosts_csv = RankedHostsCsv::new(&mut hosts_file.out).map_err(&hosts_error)?;
    let mut findings_csv = FindingsCsv::new(&mut findings_file.out).map_err(&findings_error)?;
    let mut counter = SummaryCounter::default();
    let mut collector = PageCollector::new(page.clone());
    let mut spill = RemediationSpill::new(dir);
    let (hosts_path, findings_path) = (hosts_file.path.clone(), findings_file.path.clone());
    let plan_path = dir.join("remediation.csv");
    let named = |path: &Path, e: io::Error| {
        io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
    };
    ranker
        .finish(stop, |host| {
            if !(page.open_only && no_listener(&host)) {
                hosts_csv.write(&host).map_err(|e| named(&hosts_path, e))?;
            }
            findings_csv
                .write(&host)
                .map_err(|e| named(&findings_path, e))?;
            spill.add(&host).map_err(|e| named(&plan_path, e))?;
            counter.add(&host);
            collector.add(host);
            Ok(())
        })
        .map_err(rank_error)?;
    hosts_csv.finish().map_err(&hosts_error)?;
    findings_csv.finish().map_err(&findings_error)?;
    let mut summary = counter.finish(info);
    let (hosts, mut extras) = collector.finish();
    if !page.history.is_empty() {
        let history = History::read(&page.history, dir, &hosts)
            .map_err(|e| ReportError::History(e.to_string()))?;
        summary.history = Some(history.summary(Night::of("", &summary), &hosts));
        extras.history = Some(history);
    }

    let mut plan_file = Pending::create(dir, "remediation.csv")?;
    spill
        .write(&extras.plan, &mut plan_file.out)
        .map_err(plan_file.namer())?;
    let mut summary_file = Pending::create(dir, "summary.json")?;
    serde_json::to_writer_pretty(&mut summary_file.out, &summary)
        .map_err(io::Error::from)
        .and_then(|()| summary_file.out.write_all(b"\n"))
        .map_err(summary_file.namer())?;
    let mut html_file = Pending::create(dir, "report.html")?;
    crate::html::write_report_page(&mut html_file.out, &hosts, &summary, &extras)
        .map_err(html_file.namer())?;

    let files = commit_together(
        dir,
        vec![
            hosts_file,
            findings_file,
            plan_file,
            summary_file,
            html_file,
        ],
    )?;
    Ok(ReportOutcome {
        summary,
        files,
        truncated_last_line: false,
        superseded: 0,
    })
}

fn rank_error(e: RankError<ReadError>) -> ReportError {
    match e {
        RankError::Source(read) => ReportError::Read(read),
        RankError::Interrupted => ReportError::Interrupted,
        other => ReportError::Write(other.to_string()),
    }
}

/// What a scan hands its ranking, one message at a time: its rows as they finish (a few at a
/// time, so the ranking thread is woken once per batch, not once per row), then the scan's
/// parameters and times, which end the feed.
#[derive(Debug)]
pub enum Feed {
    Rows(Vec<Observation>),
    End(Box<ScanInfo>),
}

/// Ranks a scan's rows while it sweeps, then writes the report files: the rows of `earlier`
/// first (what a resumed scan found in `results.jsonl`), then the rows of each [`Feed::Rows`]
/// of `feed`, until [`Feed::End`]. A feed that ends without [`Feed::End`] (the scan failed)
/// abandons the work with [`ReportError::Interrupted`]; so does `stop`.
pub fn write_reports_fed(
    dir: &Path,
    policy: &RiskPolicy,
    page: &PageOptions,
    earlier: Option<ResultsReader>,
    feed: impl IntoIterator<Item = Feed>,
    stop: &AtomicBool,
) -> Result<ReportOutcome, ReportError> {
    let stopped = || stop.load(std::sync::atomic::Ordering::Relaxed);
    let mut ranker = Ranker::new(policy, dir, RUN_LEN).spill_above(RUN_BYTES);
    for obs in earlier.into_iter().flatten() {
        if stopped() {
            return Err(ReportError::Interrupted);
        }
        ranker.push(obs?).map_err(rank_error)?;
    }
    for message in feed {
        if stopped() {
            return Err(ReportError::Interrupted);
        }
        match message {
            Feed::Rows(rows) => {
                for obs in rows {
                    ranker.push(obs).map_err(rank_error)?;
                }
            }
            Feed::End(info) => return finish_reports(dir, ranker, &info, page, stop),
        }
    }
    Err(ReportError::Interrupted)
}

/// Removes what a process killed while ranking or writing reports into `dir` left behind: its
/// temporary ranking runs and report files (all hidden: `.rank-run-*.jsonl`, `.NAME.PID.tmp`).
/// Call it only while holding the directory (a scan's lock), so no live process owns them.
pub fn remove_stale_scratch(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let run = name.starts_with(".rank-run-") && name.ends_with(".jsonl");
        let report = REPORT_FILES
            .iter()
            .any(|file| name.starts_with(&format!(".{file}.")) && name.ends_with(".tmp"));
        if (run || report) && entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The report files a scan or `report` writes, beside `results.jsonl`.
pub const REPORT_FILES: [&str; 5] = [
    "hosts.csv",
    "findings.csv",
    "remediation.csv",
    "summary.json",
    "report.html",
];

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

/// A report file's buffer: a healthy host's rows of `hosts.csv` and `report.html` take some
/// 2.7 KB, so a /20's files go out in some 200 writes rather than 1,700.
const PENDING_BUFFER: usize = 64 * 1024;

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
            out: BufWriter::with_capacity(PENDING_BUFFER, file),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{RdpStatus, TcpStatus};

    fn rows(n: usize) -> Vec<Observation> {
        (0..n)
            .map(|i| {
                let ip = std::net::Ipv4Addr::from(0x0a00_0000 + i as u32);
                let mut obs = Observation::new(Some(ip.into()), 3389, None, TcpStatus::Open);
                obs.rdp = Some(if i % 3 == 0 {
                    RdpStatus::Timeout
                } else {
                    RdpStatus::Negotiated
                });
                obs
            })
            .collect()
    }

    fn jsonl(rows: &[Observation]) -> String {
        rows.iter()
            .map(|r| serde_json::to_string(r).unwrap() + "\n")
            .collect()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_fed_ranking_writes_what_a_ranking_of_the_file_writes() {
        let stop = AtomicBool::new(false);
        let policy = RiskPolicy::default();
        let all = rows(50);
        let from_file = tempfile::tempdir().unwrap();
        let results = from_file.path().join("results.jsonl");
        std::fs::write(&results, jsonl(&all)).unwrap();
        write_reports(
            from_file.path(),
            &results,
            &policy,
            &ScanInfo::default(),
            &PageOptions::default(),
            &stop,
        )
        .unwrap();

        // Fed: the first 20 rows are "earlier" (a resumed run's), and the file also holds a
        // row appended after the resume started, which the prefix must not read.
        let fed = tempfile::tempdir().unwrap();
        let resumed = fed.path().join("results.jsonl");
        let earlier_len = jsonl(&all[..20]).len() as u64;
        std::fs::write(&resumed, jsonl(&all[..21])).unwrap();
        let earlier = ResultsReader::open_prefix(&resumed, earlier_len).unwrap();
        let feed = all[20..]
            .iter()
            .cloned()
            .map(|o| Feed::Rows(vec![o]))
            .chain([Feed::End(Box::default())]);
        let page = PageOptions::default();
        let outcome =
            write_reports_fed(fed.path(), &policy, &page, Some(earlier), feed, &stop).unwrap();
        assert_eq!(outcome.summary.hosts, 50);
        for file in REPORT_FILES {
            assert_eq!(
                std::fs::read(fed.path().join(file)).unwrap(),
                std::fs::read(from_file.path().join(file)).unwrap(),
                "{file}"
            );
        }
    }

    #[test]
    fn the_subnet_roll_up_of_a_fed_ranking_counts_every_target_and_keeps_the_top_50() {
        use std::collections::BTreeMap;
        // Listeners in 10.0.3.0/24 and 10.0.70.0/24 (dead targets there too); 100 /24s with
        // k % 9 + 1 refused addresses on two ports each; an IPv6 /64 of 5 dead targets; a
        // name that did not resolve (no address). Fed in an order unlike the ranking's.
        let mut all = Vec::new();
        for ip in ["10.0.3.1", "10.0.70.1", "10.0.70.2"] {
            let mut obs = Observation::new(Some(ip.parse().unwrap()), 3389, None, TcpStatus::Open);
            obs.rdp = Some(RdpStatus::Timeout);
            all.push(obs);
        }
        // Dead targets per IPv4 subnet (third octet), to count against.
        let mut dead: BTreeMap<u32, usize> = BTreeMap::new();
        for k in 0..100u32 {
            for d in 0..(k % 9 + 1) {
                for port in [3389, 3390] {
                    let ip = std::net::Ipv4Addr::new(10, 0, k as u8, 10 + d as u8);
                    all.push(Observation::new(
                        Some(ip.into()),
                        port,
                        None,
                        TcpStatus::Refused,
                    ));
                    *dead.entry(k).or_default() += 1;
                }
            }
        }
        for i in 1..=5 {
            let ip = format!("2001:db8::{i}").parse().unwrap();
            all.push(Observation::new(Some(ip), 3389, None, TcpStatus::Timeout));
        }
        all.push(Observation::new(
            None,
            3389,
            Some("gone.example".into()),
            TcpStatus::Error,
        ));
        let n = all.len();
        let shuffled: Vec<Observation> = (0..n).map(|i| all[(i * 37) % n].clone()).collect();
        assert_ne!(n % 37, 0, "37 must walk every row");
        let dir = tempfile::tempdir().unwrap();
        let feed = shuffled
            .chunks(64)
            .map(|c| Feed::Rows(c.to_vec()))
            .chain([Feed::End(Box::default())]);
        let stop = AtomicBool::new(false);
        let page = PageOptions::default();
        write_reports_fed(dir.path(), &RiskPolicy::default(), &page, None, feed, &stop).unwrap();
        let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();

        assert!(
            html.contains("The 50 of 101 subnets with the most failing, then warning, hosts."),
            "100 IPv4 /24s and one IPv6 /64"
        );
        let table = html.split("id=\"subnets\">").nth(1).unwrap();
        let table = &table[..table.find("</table>").unwrap()];
        let rows: Vec<Vec<String>> = table
            .split("<tr><td")
            .skip(1)
            .map(|row| {
                row.split("</td>")
                    .filter_map(|cell| cell.rsplit('>').next())
                    .filter(|cell| !cell.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        // 50 subnets, then "other" for the name without an address.
        assert_eq!(rows.len(), 51, "{rows:?}");
        assert!(rows[50][0].starts_with("other"), "{:?}", rows[50]);
        // The listeners' subnets first (they have failing or warning hosts), their dead
        // targets counted with them.
        let live: Vec<(&str, &str, &str)> = rows[..2]
            .iter()
            .map(|r| (r[0].as_str(), r[1].as_str(), r[5].as_str()))
            .collect();
        let (d3, d70) = (dead[&3].to_string(), dead[&70].to_string());
        let (t3, t70) = ((dead[&3] + 1).to_string(), (dead[&70] + 2).to_string());
        assert_eq!(
            live,
            [
                ("10.0.70.0/24", t70.as_str(), d70.as_str()),
                ("10.0.3.0/24", t3.as_str(), d3.as_str())
            ]
        );
        // Then the dead-only subnets with the most targets, ties by address: the IPv6 /64
        // (5 targets) never makes it past 48 IPv4 /24s of 8 or more.
        let mut expected: Vec<(usize, u32)> = dead
            .iter()
            .filter(|(k, _)| **k != 3 && **k != 70)
            .map(|(k, n)| (*n, *k))
            .collect();
        expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let expected: Vec<(String, String)> = expected[..48]
            .iter()
            .map(|(n, k)| (format!("10.0.{k}.0/24"), n.to_string()))
            .collect();
        let shown: Vec<(String, String)> = rows[2..50]
            .iter()
            .map(|r| {
                assert_eq!(r[1], r[5], "dead-only: every target without a listener");
                (r[0].clone(), r[1].clone())
            })
            .collect();
        assert_eq!(shown, expected);
    }

    #[test]
    fn a_feed_cut_off_before_its_end_writes_nothing_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        // Small runs: the ranking has spilled files by the time the feed is cut.
        let policy = RiskPolicy::default();
        let mut ranker = Ranker::new(&policy, dir.path(), 7);
        for obs in rows(30) {
            ranker.push::<ReadError>(obs).unwrap();
        }
        assert!(names(dir.path())
            .iter()
            .any(|n| n.starts_with(".rank-run-")));
        drop(ranker);
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));

        let feed = rows(30).into_iter().map(|o| Feed::Rows(vec![o]));
        let page = PageOptions::default();
        let result = write_reports_fed(
            dir.path(),
            &policy,
            &page,
            None,
            feed,
            &AtomicBool::new(false),
        );
        assert!(
            matches!(result, Err(ReportError::Interrupted)),
            "{result:?}"
        );
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }

    #[test]
    fn targets_nothing_listened_on_are_counted_not_listed_unless_asked() {
        let stop = AtomicBool::new(false);
        let dir = tempfile::tempdir().unwrap();
        let results = dir.path().join("results.jsonl");
        let mut all = rows(6);
        all[5].tcp = TcpStatus::Refused;
        all[5].rdp = None;
        let refused = "<td data-key=\"4-010.000.000.005\">10.0.0.5</td>";
        std::fs::write(&results, jsonl(&all)).unwrap();
        let policy = RiskPolicy::default();
        let info = ScanInfo::default();
        for (list_dead, listed) in [(false, false), (true, true)] {
            let page = PageOptions {
                list_dead,
                ..PageOptions::default()
            };
            let outcome = write_reports(dir.path(), &results, &policy, &info, &page, &stop);
            assert_eq!(outcome.unwrap().files.len(), REPORT_FILES.len());
            let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
            assert_eq!(html.contains(refused), listed, "list_dead {list_dead}");
            assert_eq!(html.contains("id=\"unlisted\""), !listed);
            // hosts.csv lists every target either way.
            let csv = std::fs::read_to_string(dir.path().join("hosts.csv")).unwrap();
            assert_eq!(csv.lines().count(), 7);
        }
        let plan = std::fs::read_to_string(dir.path().join("remediation.csv")).unwrap();
        assert!(plan.starts_with("step,code,severity,step_hosts,step_fails,step_clears,rank,"));
        // Two hosts time out at X.224: one step, two rows.
        assert_eq!(plan.lines().count(), 3, "{plan}");
        assert!(names(dir.path())
            .iter()
            .all(|n| !n.starts_with(".remediation")));
    }

    #[test]
    fn stale_scratch_files_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            ".rank-run-123-000000001-0.jsonl",
            ".hosts.csv.4242.tmp",
            ".report.html.4242.tmp",
            ".remediation.csv.CERT_EXPIRED.4242.tmp",
            "results.jsonl",
            "hosts.csv",
            ".rdpsweep.lock",
            ".notes.tmp",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        assert_eq!(remove_stale_scratch(dir.path()).unwrap(), 4);
        assert_eq!(
            names(dir.path()),
            [".notes.tmp", ".rdpsweep.lock", "hosts.csv", "results.jsonl"]
        );
    }
}
