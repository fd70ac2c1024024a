//! The ranking: every host a client fails on first, then most at risk, ties broken by fewest
//! days left on the certificate, then by address and port. A plain function of the
//! observations and the policy, so saved `results.jsonl` files can be re-ranked without
//! rescanning.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};

use crate::observation::Observation;
use crate::outcome::ClientOutcome;
use crate::risk::{assess, Assessment, RiskPolicy};

/// One host in the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedHost {
    /// 1 for the riskiest host.
    pub rank: usize,
    pub observation: Observation,
    pub assessment: Assessment,
}

/// How many observations one sorted run holds in memory while ranking a results file.
pub const RUN_LEN: usize = 20_000;

/// Assesses and sorts every observation, in memory (for small sets: a demo, a diff, a test).
pub fn rank(observations: Vec<Observation>, policy: &RiskPolicy) -> Vec<RankedHost> {
    let mut hosts = Vec::with_capacity(observations.len());
    let source = observations
        .into_iter()
        .map(Ok::<_, std::convert::Infallible>);
    // One run as long as the input: nothing spills, so no scratch directory is touched.
    let ranked = rank_streaming(
        source,
        policy,
        Path::new("."),
        usize::MAX,
        &AtomicBool::new(false),
        |h| {
            hosts.push(h.clone());
            Ok(())
        },
    );
    match ranked {
        Ok(_) => hosts,
        Err(_) => {
            unreachable!("an in-memory ranking cannot fail: no source error, no spill, no stop")
        }
    }
}

/// Every host a client fails on first; then score descending; then days left ascending (hosts
/// without a certificate after those with one); then address (unresolved names last) and port
/// ascending.
fn ranking_order(a: &RankedHost, b: &RankedHost) -> Ordering {
    let days = |h: &RankedHost| h.observation.cert.as_ref().map(|c| c.days_left);
    let fails = |h: &RankedHost| {
        h.assessment
            .outcome
            .as_ref()
            .is_some_and(|p| p.outcome == ClientOutcome::Fails)
    };
    fails(b)
        .cmp(&fails(a))
        .then_with(|| b.assessment.score.cmp(&a.assessment.score))
        .then_with(|| match (days(a), days(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| match (a.observation.ip, b.observation.ip) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.observation.hostname.cmp(&b.observation.hostname),
        })
        .then_with(|| a.observation.port.cmp(&b.observation.port))
}

/// The most run files one merge pass reads at once; more runs are merged in several passes,
/// so the ranking never needs more than this many open files.
pub const MAX_FAN_IN: usize = 64;

/// Why a streaming ranking stopped.
#[derive(Debug, thiserror::Error)]
pub enum RankError<E> {
    /// The source of observations failed.
    #[error("{0}")]
    Source(E),
    /// A temporary run file could not be written or read back.
    #[error("cannot use temporary ranking file {path}: {source}")]
    Scratch { path: String, source: io::Error },
    /// The consumer failed.
    #[error("{0}")]
    Sink(io::Error),
    /// `stop` was set (a signal): the ranking was abandoned and its temporary files removed.
    #[error("interrupted while ranking")]
    Interrupted,
}

/// Ranks the observations of `source` in bounded memory and hands every host to `each` in rank
/// order, rank numbers set: a [`Ranker`] fed the whole source, then finished. `stop` is
/// checked for every host: once set, the ranking ends with [`RankError::Interrupted`].
/// Temporary files are removed whatever happens.
pub fn rank_streaming<E>(
    source: impl Iterator<Item = Result<Observation, E>>,
    policy: &RiskPolicy,
    scratch: &Path,
    run_len: usize,
    stop: &AtomicBool,
    each: impl FnMut(&RankedHost) -> io::Result<()>,
) -> Result<usize, RankError<E>> {
    let mut ranker = Ranker::new(policy, scratch, run_len);
    for obs in source {
        if stop.load(AtomicOrdering::Relaxed) {
            return Err(RankError::Interrupted);
        }
        ranker.push(obs.map_err(RankError::Source)?)?;
    }
    ranker.finish(stop, each)
}

/// An external merge sort fed one observation at a time, so a scan can rank its rows while it
/// sweeps. At most `run_len` hosts are held at once: each sorted run of `run_len` is written to
/// a temporary file in `scratch`, and [`Ranker::finish`] merges them back (a k-way merge, at
/// most [`MAX_FAN_IN`] files at a time). So a /8 ranks in the memory of `run_len` hosts, and
/// needs about the size of its observations in scratch space. Its temporary files are removed
/// when it is dropped, whatever happened.
pub struct Ranker<'a> {
    policy: &'a RiskPolicy,
    run_len: usize,
    runs: Runs,
    chunk: Vec<RankedHost>,
}

impl<'a> Ranker<'a> {
    /// An empty ranking under `policy`, spilling runs of `run_len` hosts into `scratch`.
    pub fn new(policy: &'a RiskPolicy, scratch: &Path, run_len: usize) -> Ranker<'a> {
        Ranker {
            policy,
            run_len: run_len.max(1),
            runs: Runs::new(scratch),
            chunk: Vec::new(),
        }
    }

    /// The policy hosts are assessed under.
    pub fn policy(&self) -> &'a RiskPolicy {
        self.policy
    }

    /// Assesses `obs` and adds it (spilling a sorted run when `run_len` are held).
    pub fn push<E>(&mut self, obs: Observation) -> Result<(), RankError<E>> {
        self.chunk.push(assessed(obs, self.policy));
        if self.chunk.len() >= self.run_len {
            self.runs.spill(&mut self.chunk)?;
        }
        Ok(())
    }

    /// Hands every host pushed to `each` in rank order, rank numbers set; returns how many.
    pub fn finish<E>(
        mut self,
        stop: &AtomicBool,
        mut each: impl FnMut(&RankedHost) -> io::Result<()>,
    ) -> Result<usize, RankError<E>> {
        let stopped = || stop.load(AtomicOrdering::Relaxed);
        let policy = self.policy;
        let runs = &mut self.runs;
        let chunk = &mut self.chunk;
        if runs.live.is_empty() {
            for (i, at) in sorted_order(chunk).into_iter().enumerate() {
                if stopped() {
                    return Err(RankError::Interrupted);
                }
                let host = &mut chunk[at];
                host.rank = i + 1;
                each(host).map_err(RankError::Sink)?;
            }
            return Ok(chunk.len());
        }
        if !chunk.is_empty() {
            runs.spill(chunk)?;
        }
        // Reduce the number of runs until one pass can merge them all.
        while runs.live.len() > MAX_FAN_IN {
            let group: Vec<PathBuf> = runs.live.drain(..MAX_FAN_IN).collect();
            let (path, mut out) = runs.create()?;
            merge(&group, policy, stop, |host| {
                write_observation(&mut out, &host.observation).map_err(|e| scratch_error(&path, e))
            })?;
            out.flush().map_err(|e| scratch_error(&path, e))?;
            for file in &group {
                let _ = std::fs::remove_file(file);
            }
            runs.live.push(path);
        }
        let mut rank = 0;
        merge(&runs.live, policy, stop, |mut host| {
            rank += 1;
            host.rank = rank;
            each(&host).map_err(RankError::Sink)
        })?;
        Ok(rank)
    }
}

/// The positions of `hosts` in rank order. Sorting positions rather than the hosts themselves
/// moves 8 bytes per step instead of a whole observation (the sort was a tenth of a report).
fn sorted_order(hosts: &[RankedHost]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..hosts.len()).collect();
    order.sort_by(|&a, &b| ranking_order(&hosts[a], &hosts[b]));
    order
}

fn assessed(observation: Observation, policy: &RiskPolicy) -> RankedHost {
    let assessment = assess(&observation, policy);
    RankedHost {
        rank: 0,
        observation,
        assessment,
    }
}

fn scratch_error<E>(path: &Path, source: io::Error) -> RankError<E> {
    RankError::Scratch {
        path: path.display().to_string(),
        source,
    }
}

fn write_observation(out: &mut impl Write, obs: &Observation) -> io::Result<()> {
    serde_json::to_writer(&mut *out, obs)?;
    out.write_all(b"\n")
}

/// Merges sorted run files, handing hosts to `emit` in rank order.
fn merge<E>(
    files: &[PathBuf],
    policy: &RiskPolicy,
    stop: &AtomicBool,
    mut emit: impl FnMut(RankedHost) -> Result<(), RankError<E>>,
) -> Result<(), RankError<E>> {
    let mut readers = Vec::with_capacity(files.len());
    let mut heap = BinaryHeap::new();
    for (index, path) in files.iter().enumerate() {
        let mut reader = RunReader::open(path)?;
        if let Some(obs) = reader.next_observation()? {
            heap.push(Head {
                host: assessed(obs, policy),
                run: index,
            });
        }
        readers.push(reader);
    }
    while let Some(Head { host, run }) = heap.pop() {
        if stop.load(AtomicOrdering::Relaxed) {
            return Err(RankError::Interrupted);
        }
        emit(host)?;
        if let Some(obs) = readers[run].next_observation()? {
            heap.push(Head {
                host: assessed(obs, policy),
                run,
            });
        }
    }
    Ok(())
}

/// The temporary sorted runs of one ranking; every file it made is removed on drop.
struct Runs {
    dir: PathBuf,
    /// Runs still to merge.
    live: Vec<PathBuf>,
    /// Every file made, for the clean-up.
    made: Vec<PathBuf>,
    /// Tells this ranking's files from those of another process, or of an earlier run.
    tag: String,
}

impl Runs {
    fn new(dir: &Path) -> Runs {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        Runs {
            dir: dir.to_path_buf(),
            live: Vec::new(),
            made: Vec::new(),
            tag: format!("{}-{nanos:09}", std::process::id()),
        }
    }

    /// A new, empty run file.
    fn create<E>(&mut self) -> Result<(PathBuf, BufWriter<File>), RankError<E>> {
        let path = self
            .dir
            .join(format!(".rank-run-{}-{}.jsonl", self.tag, self.made.len()));
        self.made.push(path.clone());
        let file = File::create(&path).map_err(|e| scratch_error(&path, e))?;
        Ok((path, BufWriter::new(file)))
    }

    /// Writes the observations of `chunk` in rank order to a new run file and empties it.
    fn spill<E>(&mut self, chunk: &mut Vec<RankedHost>) -> Result<(), RankError<E>> {
        let (path, mut out) = self.create()?;
        for at in sorted_order(chunk) {
            write_observation(&mut out, &chunk[at].observation)
                .map_err(|e| scratch_error(&path, e))?;
        }
        chunk.clear();
        out.flush().map_err(|e| scratch_error(&path, e))?;
        self.live.push(path);
        Ok(())
    }
}

impl Drop for Runs {
    fn drop(&mut self) {
        for file in &self.made {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// Reads one run file back, an observation per line.
struct RunReader {
    lines: io::Lines<BufReader<File>>,
    path: PathBuf,
}

impl RunReader {
    fn open<E>(path: &Path) -> Result<RunReader, RankError<E>> {
        let file = File::open(path).map_err(|e| scratch_error(path, e))?;
        Ok(RunReader {
            lines: BufReader::new(file).lines(),
            path: path.to_path_buf(),
        })
    }

    fn next_observation<E>(&mut self) -> Result<Option<Observation>, RankError<E>> {
        match self.lines.next() {
            None => Ok(None),
            Some(line) => {
                let line = line.map_err(|e| scratch_error(&self.path, e))?;
                serde_json::from_str(&line)
                    .map(Some)
                    .map_err(|e| scratch_error(&self.path, e.into()))
            }
        }
    }
}

/// The head of one run in the merge heap: the heap pops the host that ranks first.
struct Head {
    host: RankedHost,
    run: usize,
}

impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap pops the greatest: the greatest is the one that ranks first.
        ranking_order(&other.host, &self.host).then_with(|| other.run.cmp(&self.run))
    }
}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{RdpStatus, TcpStatus};
    use crate::CertInfo;

    /// A spread of hosts: refused, timeouts, and TLS hosts with varied certificate expiry.
    fn observations(n: usize) -> Vec<Observation> {
        (0..n)
            .map(|i| {
                let ip = std::net::Ipv4Addr::from(0x0a00_0000 + ((i * 7919) % 65_536) as u32);
                let mut obs = Observation::new(Some(ip.into()), 3389, None, TcpStatus::Open);
                match i % 4 {
                    0 => obs.tcp = TcpStatus::Refused,
                    1 => obs.rdp = Some(RdpStatus::Timeout),
                    _ => {
                        obs.rdp = Some(RdpStatus::Negotiated);
                        obs.cert = Some(CertInfo {
                            subject: format!("h{i}"),
                            issuer: format!("h{i}"),
                            self_signed: true,
                            not_before: Some(time::macros::datetime!(2026-01-01 00:00:00 UTC)),
                            not_after: Some(time::macros::datetime!(2027-01-01 00:00:00 UTC)),
                            days_left: (i as i64 % 90) - 30,
                            key: crate::CertKey::Rsa { bits: 2048 },
                            signature: crate::SignatureAlgorithm::Sha256WithRsa,
                            sha256: "00".into(),
                        });
                    }
                }
                obs
            })
            .collect()
    }

    fn streamed(obs: Vec<Observation>, run_len: usize, scratch: &Path) -> Vec<RankedHost> {
        let mut out = Vec::new();
        let source = obs.into_iter().map(Ok::<_, io::Error>);
        rank_streaming(
            source,
            &RiskPolicy::default(),
            scratch,
            run_len,
            &AtomicBool::new(false),
            |h| {
                out.push(h.clone());
                Ok(())
            },
        )
        .expect("rank");
        out
    }

    #[test]
    fn spilled_runs_merge_to_the_in_memory_ranking() {
        let dir = tempfile::tempdir().expect("temp dir");
        let expected = rank(observations(1000), &RiskPolicy::default());
        // 1 and 7 make more runs than MAX_FAN_IN: several merge passes.
        for run_len in [1, 7, 64, 999, 1000, 5000] {
            let got = streamed(observations(1000), run_len, dir.path());
            assert_eq!(got, expected, "run_len {run_len}");
        }
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("list").collect();
        assert!(left.is_empty(), "temporary run files left behind: {left:?}");
    }

    #[test]
    fn a_stop_abandons_the_ranking_and_removes_its_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let stop = AtomicBool::new(false);
        let mut seen = 0;
        let source = observations(500).into_iter().map(Ok::<_, io::Error>);
        let result = rank_streaming(
            source,
            &RiskPolicy::default(),
            dir.path(),
            10,
            &stop,
            |_| {
                seen += 1;
                if seen == 5 {
                    stop.store(true, AtomicOrdering::Relaxed);
                }
                Ok(())
            },
        );
        assert!(matches!(result, Err(RankError::Interrupted)), "{result:?}");
        assert_eq!(seen, 5);
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
    }

    #[test]
    fn ranks_are_one_based_and_consecutive() {
        let dir = tempfile::tempdir().expect("temp dir");
        let got = streamed(observations(50), 8, dir.path());
        assert_eq!(
            got.iter().map(|h| h.rank).collect::<Vec<_>>(),
            (1..=50).collect::<Vec<_>>()
        );
    }
}
