//! The ranking: every host a client fails on first, then most at risk, ties broken by fewest
//! days left on the certificate, then by address and port; the targets nothing listened on
//! (refused, timed out, unreachable) after all of them, by address and port. A plain function
//! of the observations and the policy, so saved `results.jsonl` files can be re-ranked without
//! rescanning.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::IpAddr;
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

#[cfg(test)]
impl RankedHost {
    /// A host of the tests: no findings, score 0, level none, and `outcome` predicted (for the
    /// reason "test").
    pub(crate) fn for_test(
        rank: usize,
        observation: Observation,
        outcome: Option<ClientOutcome>,
    ) -> RankedHost {
        RankedHost {
            rank,
            observation,
            assessment: Assessment {
                findings: Vec::new(),
                score: 0,
                level: crate::RiskLevel::None,
                outcome: outcome.map(|outcome| crate::Prediction {
                    outcome,
                    reason: "test".into(),
                }),
            },
        }
    }
}

/// How many observations one sorted run holds in memory while ranking a results file.
pub const RUN_LEN: usize = 20_000;

/// About how many bytes the hosts of one sorted run take in memory while ranking a results
/// file (see [`Ranker::spill_above`]): with [`RUN_LEN`], what keeps the ranking's memory the
/// same for a /20 and a /8.
pub const RUN_BYTES: usize = 8 << 20;

/// The share of [`Ranker::spill_above`]'s bytes the targets nothing listened on may take: their
/// runs merge without parsing a line, so small runs cost little. With [`RUN_BYTES`], a run holds
/// 4,096 refused rows ([`DEAD_ROW_BYTES`]; fewer timed-out ones, whose lines are longer), what a
/// /20 has: every larger space ranks its dead rows in the memory of a /20. A /8 of refused
/// targets makes 4,096 runs, which merge in two passes of [`MAX_FAN_IN`]; more runs take a
/// third pass over only as many runs as that needs (see [`reduce_runs`]).
const DEAD_SHARE: usize = 8;

/// A refused target's row in memory, rounded up: a dead run holds at most its bytes' worth of
/// these, 4,096 with [`RUN_BYTES`] (a whole /20), so its list never doubles past that.
const DEAD_ROW_BYTES: usize = 256;

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
            hosts.push(h);
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
        // Two names for one address: by name, so no tie is left to the order of the input.
        .then_with(|| a.observation.hostname.cmp(&b.observation.hostname))
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

/// Ranks the observations of `source` in bounded memory and hands every host over to `each` in
/// rank order, rank numbers set: a [`Ranker`] fed the whole source, then finished. `stop` is
/// checked for every host: once set, the ranking ends with [`RankError::Interrupted`].
/// Temporary files are removed whatever happens.
pub fn rank_streaming<E>(
    source: impl Iterator<Item = Result<Observation, E>>,
    policy: &RiskPolicy,
    scratch: &Path,
    run_len: usize,
    stop: &AtomicBool,
    each: impl FnMut(RankedHost) -> io::Result<()>,
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
/// sweeps. At most `run_len` hosts (and about [`Ranker::spill_above`] bytes) are held at once:
/// each sorted run is written to a temporary file in `scratch`, and [`Ranker::finish`] merges
/// them back (a k-way merge, at most [`MAX_FAN_IN`] files at a time). So a /8 ranks in the
/// memory of one run, and needs about the size of its observations in scratch space. Its
/// temporary files are removed when it is dropped, whatever happened.
///
/// The targets nothing listened on are counted rather than ranked: nothing tells them apart but
/// their address, so they follow every other host in address and port order, and are held as
/// their `results.jsonl` line and that key in a stream of their own ([`DeadRows`]), whose runs
/// merge without parsing a line. A /8 of dead addresses costs about 200 bytes a row to sort.
pub struct Ranker<'a> {
    policy: &'a RiskPolicy,
    run_len: usize,
    run_bytes: usize,
    runs: Runs,
    chunk: Vec<RankedHost>,
    chunk_bytes: usize,
    dead: DeadRows,
}

impl<'a> Ranker<'a> {
    /// An empty ranking under `policy`, spilling runs of `run_len` hosts into `scratch`.
    pub fn new(policy: &'a RiskPolicy, scratch: &Path, run_len: usize) -> Ranker<'a> {
        Ranker {
            policy,
            run_len: run_len.max(1),
            run_bytes: usize::MAX,
            runs: Runs::new(scratch),
            chunk: Vec::new(),
            chunk_bytes: 0,
            dead: DeadRows::default(),
        }
    }

    /// Also spills a run once its hosts take about `bytes` in memory (an estimate: the records
    /// and their strings), so rows of any size rank in the same memory.
    pub fn spill_above(mut self, bytes: usize) -> Ranker<'a> {
        self.run_bytes = bytes.max(1);
        self
    }

    /// The policy hosts are assessed under.
    pub fn policy(&self) -> &'a RiskPolicy {
        self.policy
    }

    /// Assesses `obs` and adds it (spilling a sorted run when a run is full).
    pub fn push<E>(&mut self, mut obs: Observation) -> Result<(), RankError<E>> {
        // A row of an older file, in today's form (a dead row's line is written back).
        obs.upgrade();
        if obs.no_listener() {
            let row = DeadRow::of(&obs, &mut self.dead.line)
                .map_err(|e| scratch_error(&self.runs.dir, e))?;
            self.dead.bytes += row.bytes();
            self.dead.rows.push(row);
            let dead_bytes = self.run_bytes / DEAD_SHARE;
            let dead_rows = self.run_len.min((dead_bytes / DEAD_ROW_BYTES).max(1));
            if self.dead.rows.len() >= dead_rows || self.dead.bytes >= dead_bytes {
                self.dead.spill(&mut self.runs)?;
            }
            return Ok(());
        }
        let host = assessed(obs, self.policy);
        self.chunk_bytes += approx_bytes(&host);
        self.chunk.push(host);
        if self.chunk.len() >= self.run_len || self.chunk_bytes >= self.run_bytes {
            self.runs.spill(&mut self.chunk)?;
            self.chunk_bytes = 0;
        }
        Ok(())
    }

    /// Hands every host pushed over to `each` in rank order, rank numbers set; returns how many.
    pub fn finish<E>(
        mut self,
        stop: &AtomicBool,
        mut each: impl FnMut(RankedHost) -> io::Result<()>,
    ) -> Result<usize, RankError<E>> {
        let mut rank = 0;
        let policy = self.policy;
        let mut emit = |mut host: RankedHost| {
            if stop.load(AtomicOrdering::Relaxed) {
                return Err(RankError::Interrupted);
            }
            rank += 1;
            host.rank = rank;
            each(host).map_err(RankError::Sink)
        };
        self.finish_listeners(stop, &mut emit)?;
        let Ranker { dead, runs, .. } = &mut self;
        dead.finish(runs, stop, |line, path| {
            let obs = serde_json::from_slice(line).map_err(|e| scratch_error(path, e.into()))?;
            emit(assessed(obs, policy))
        })?;
        Ok(rank)
    }

    /// The hosts that were not dead, in rank order.
    fn finish_listeners<E>(
        &mut self,
        stop: &AtomicBool,
        emit: &mut impl FnMut(RankedHost) -> Result<(), RankError<E>>,
    ) -> Result<(), RankError<E>> {
        let policy = self.policy;
        let runs = &mut self.runs;
        let mut chunk = std::mem::take(&mut self.chunk);
        if runs.live.is_empty() {
            let mut slots: Vec<Option<RankedHost>> = Vec::with_capacity(chunk.len());
            let order = sorted_order(&chunk);
            slots.extend(chunk.into_iter().map(Some));
            for at in order {
                if let Some(host) = slots[at].take() {
                    emit(host)?;
                }
            }
            return Ok(());
        }
        if !chunk.is_empty() {
            runs.spill(&mut chunk)?;
        }
        let mut live = std::mem::take(&mut runs.live);
        reduce_runs(&mut live, runs, |group, out, path| {
            merge(group, policy, stop, |host| {
                write_observation(out, &host.observation).map_err(|e| scratch_error(path, e))
            })
        })?;
        merge(&runs.paths(&live), policy, stop, emit)
    }
}

/// Merges `live` runs in passes, [`MAX_FAN_IN`] at a time and in order (so equal hosts keep the
/// order they were pushed in), until one pass can merge them all; `merge_group` writes one
/// group's merge to a new run file. A pass merges only as many runs as it must: merging `k`
/// runs into one leaves `k - 1` fewer, so the first groups of a pass are merged until at most
/// [`MAX_FAN_IN`] runs are left (or every group, when even that is not enough), and the runs
/// after them are left for the next pass as they are.
fn reduce_runs<E>(
    live: &mut Vec<RunId>,
    runs: &mut Runs,
    mut merge_group: impl FnMut(&[PathBuf], &mut BufWriter<File>, &Path) -> Result<(), RankError<E>>,
) -> Result<(), RankError<E>> {
    while live.len() > MAX_FAN_IN {
        // Merging the first `surplus + groups` runs, `MAX_FAN_IN` at a time, makes at most
        // `groups` runs of them, `surplus` fewer (a pass needs `groups` for that).
        let surplus = live.len() - MAX_FAN_IN;
        let groups = surplus.div_ceil(MAX_FAN_IN - 1);
        let merged = (surplus + groups).min(live.len());
        let mut next = Vec::with_capacity(groups + live.len() - merged);
        for group in live[..merged].chunks(MAX_FAN_IN) {
            let group = runs.paths(group);
            let (run, path, mut out) = runs.create()?;
            merge_group(&group, &mut out, &path)?;
            out.flush().map_err(|e| scratch_error(&path, e))?;
            for file in group {
                let _ = std::fs::remove_file(file);
            }
            next.push(run);
        }
        next.extend_from_slice(&live[merged..]);
        *live = next;
    }
    Ok(())
}

/// About what `host` takes in memory: the record and its strings. An estimate that only has to
/// keep a run's memory bounded.
fn approx_bytes(host: &RankedHost) -> usize {
    let obs = &host.observation;
    let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    let cert = |c: &crate::CertInfo| {
        std::mem::size_of::<crate::CertInfo>() + c.subject.len() + c.issuer.len() + c.sha256.len()
    };
    std::mem::size_of::<RankedHost>()
        + text(&obs.hostname)
        + text(&obs.tls_cipher)
        + text(&obs.error)
        + obs.cert.as_ref().map_or(0, cert)
        + obs
            .intermediates
            .iter()
            .chain(&obs.chain)
            .map(cert)
            .sum::<usize>()
        + obs
            .attempt_outcomes
            .iter()
            .map(|o| o.len() + 24)
            .sum::<usize>()
        + obs.deep.as_ref().map_or(0, |_| 2048)
        + host.assessment.findings.len() * 128
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
    for (at, path) in files.iter().enumerate() {
        let mut reader = RunReader::open(path)?;
        if let Some(obs) = reader.next_observation()? {
            heap.push(Head {
                host: assessed(obs, policy),
                at,
            });
        }
        readers.push(reader);
    }
    while let Some(Head { host, at }) = heap.pop() {
        if stop.load(AtomicOrdering::Relaxed) {
            return Err(RankError::Interrupted);
        }
        emit(host)?;
        if let Some(obs) = readers[at].next_observation()? {
            heap.push(Head {
                host: assessed(obs, policy),
                at,
            });
        }
    }
    Ok(())
}

/// The targets nothing listened on: each kept as its sort key and its `results.jsonl` line, in
/// memory and in sorted runs of their own (a record format of this file: the key, then the
/// line, length-prefixed, so runs merge without parsing a line).
#[derive(Default)]
struct DeadRows {
    rows: Vec<DeadRow>,
    bytes: usize,
    runs: Vec<RunId>,
    /// Where a row's line is written before it is kept at its exact length, reused.
    line: Vec<u8>,
}

/// Where a dead target sorts: by address, then port, then the name it was given as (two names
/// for one address); unresolved names after every address, by name, then port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum DeadKey {
    Ip(IpAddr, u16, Option<String>),
    Name(Option<String>, u16),
}

struct DeadRow {
    key: DeadKey,
    line: Box<[u8]>,
}

impl DeadRow {
    /// `obs`'s row, its line written in `scratch` first (one allocation for the line, not one
    /// per doubling of a new `Vec`).
    fn of(obs: &Observation, scratch: &mut Vec<u8>) -> io::Result<DeadRow> {
        let key = match obs.ip {
            Some(ip) => DeadKey::Ip(ip, obs.port, obs.hostname.clone()),
            None => DeadKey::Name(obs.hostname.clone(), obs.port),
        };
        scratch.clear();
        serde_json::to_writer(&mut *scratch, obs)?;
        Ok(DeadRow {
            key,
            line: scratch.as_slice().into(),
        })
    }

    fn bytes(&self) -> usize {
        let name = match &self.key {
            DeadKey::Ip(_, _, Some(name)) | DeadKey::Name(Some(name), _) => name.len(),
            _ => 0,
        };
        std::mem::size_of::<DeadRow>() + self.line.len() + name
    }

    /// Kind byte (4: IPv4, 6: IPv6, 0: no address), the address, the port, the name (a byte
    /// 1 and the name, u32 length first, or a byte 0), then the line (u32 length first);
    /// big-endian.
    fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let (port, name) = match &self.key {
            DeadKey::Ip(IpAddr::V4(ip), port, name) => {
                out.write_all(&[4])?;
                out.write_all(&ip.octets())?;
                (port, name)
            }
            DeadKey::Ip(IpAddr::V6(ip), port, name) => {
                out.write_all(&[6])?;
                out.write_all(&ip.octets())?;
                (port, name)
            }
            DeadKey::Name(name, port) => {
                out.write_all(&[0])?;
                (port, name)
            }
        };
        out.write_all(&port.to_be_bytes())?;
        match name {
            Some(name) => {
                out.write_all(&[1])?;
                write_bytes(out, name.as_bytes())?;
            }
            None => out.write_all(&[0])?,
        }
        write_bytes(out, &self.line)
    }

    /// The next record of a run file, `None` at its end.
    fn read(input: &mut impl Read) -> io::Result<Option<DeadRow>> {
        let mut kind = [0u8; 1];
        if input.read(&mut kind)? == 0 {
            return Ok(None);
        }
        let ip = match kind[0] {
            4 => {
                let mut octets = [0u8; 4];
                input.read_exact(&mut octets)?;
                Some(IpAddr::from(octets))
            }
            6 => {
                let mut octets = [0u8; 16];
                input.read_exact(&mut octets)?;
                Some(IpAddr::from(octets))
            }
            0 => None,
            other => return Err(invalid(format!("unknown record kind {other}"))),
        };
        let mut port = [0u8; 2];
        input.read_exact(&mut port)?;
        let port = u16::from_be_bytes(port);
        let mut named = [0u8; 1];
        input.read_exact(&mut named)?;
        let name = match named[0] {
            0 => None,
            1 => Some(String::from_utf8(read_bytes(input)?).map_err(invalid)?),
            other => return Err(invalid(format!("unknown name marker {other}"))),
        };
        let key = match ip {
            Some(ip) => DeadKey::Ip(ip, port, name),
            None => DeadKey::Name(name, port),
        };
        let line = read_bytes(input)?.into_boxed_slice();
        Ok(Some(DeadRow { key, line }))
    }
}

fn invalid(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

fn write_bytes(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let len = u32::try_from(bytes.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "record over 4 GiB"))?;
    out.write_all(&len.to_be_bytes())?;
    out.write_all(bytes)
}

fn read_bytes(input: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    input.read_exact(&mut len)?;
    let mut bytes = vec![0u8; u32::from_be_bytes(len) as usize];
    input.read_exact(&mut bytes)?;
    Ok(bytes)
}

impl DeadRows {
    /// Writes the rows held, sorted, to a new run file.
    fn spill<E>(&mut self, runs: &mut Runs) -> Result<(), RankError<E>> {
        self.rows.sort_by(|a, b| a.key.cmp(&b.key));
        let (run, path, mut out) = runs.create()?;
        for row in self.rows.drain(..) {
            row.write(&mut out).map_err(|e| scratch_error(&path, e))?;
        }
        out.flush().map_err(|e| scratch_error(&path, e))?;
        self.bytes = 0;
        self.runs.push(run);
        Ok(())
    }

    /// Hands every line to `emit` in key order (with the file it was read from, for errors).
    fn finish<E>(
        &mut self,
        runs: &mut Runs,
        stop: &AtomicBool,
        mut emit: impl FnMut(&[u8], &Path) -> Result<(), RankError<E>>,
    ) -> Result<(), RankError<E>> {
        if self.runs.is_empty() {
            self.rows.sort_by(|a, b| a.key.cmp(&b.key));
            for row in self.rows.drain(..) {
                emit(&row.line, &runs.dir)?;
            }
            return Ok(());
        }
        if !self.rows.is_empty() {
            self.spill(runs)?;
        }
        let mut last = std::mem::take(&mut self.runs);
        reduce_runs(&mut last, runs, |group, out, path| {
            merge_dead(group, stop, |row, _| {
                row.write(out).map_err(|e| scratch_error(path, e))
            })
        })?;
        merge_dead(&runs.paths(&last), stop, |row, path| emit(&row.line, path))
    }
}

/// Merges sorted runs of dead rows, handing each to `emit` in key order (ties: earlier run
/// first) with the file it came from.
fn merge_dead<E>(
    files: &[PathBuf],
    stop: &AtomicBool,
    mut emit: impl FnMut(DeadRow, &Path) -> Result<(), RankError<E>>,
) -> Result<(), RankError<E>> {
    let mut readers = Vec::with_capacity(files.len());
    let mut heap = BinaryHeap::new();
    for (at, path) in files.iter().enumerate() {
        let file = File::open(path).map_err(|e| scratch_error(path, e))?;
        let mut reader = BufReader::new(file);
        if let Some(row) = DeadRow::read(&mut reader).map_err(|e| scratch_error(path, e))? {
            heap.push(std::cmp::Reverse((row.key, at, row.line)));
        }
        readers.push(reader);
    }
    while let Some(std::cmp::Reverse((key, at, line))) = heap.pop() {
        if stop.load(AtomicOrdering::Relaxed) {
            return Err(RankError::Interrupted);
        }
        let path = &files[at];
        emit(DeadRow { key, line }, path)?;
        if let Some(row) = DeadRow::read(&mut readers[at]).map_err(|e| scratch_error(path, e))? {
            heap.push(std::cmp::Reverse((row.key, at, row.line)));
        }
    }
    Ok(())
}

/// A run file of one ranking, by number: [`Runs::path`] names it. Runs are listed by number, so
/// a /8's thousands of runs cost 8 bytes each in memory, not a path.
type RunId = usize;

/// The temporary sorted runs of one ranking; every file it made is removed on drop.
struct Runs {
    dir: PathBuf,
    /// Runs of listening hosts still to merge.
    live: Vec<RunId>,
    /// How many run files were made: runs 0 to `made - 1`, all removed on drop.
    made: usize,
    /// Tells this ranking's files from those of another process, of another ranking of this
    /// one, or of an earlier run.
    tag: String,
}

/// Rankings started by this process: part of each one's [`Runs::tag`].
static RANKINGS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Runs {
    fn new(dir: &Path) -> Runs {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        Runs {
            dir: dir.to_path_buf(),
            live: Vec::new(),
            made: 0,
            tag: format!(
                "{}-{nanos:09}-{}",
                std::process::id(),
                RANKINGS.fetch_add(1, AtomicOrdering::Relaxed)
            ),
        }
    }

    /// The file of run `run`.
    fn path(&self, run: RunId) -> PathBuf {
        self.dir.join(format!(".rank-run-{}-{run}.jsonl", self.tag))
    }

    /// The files of `runs`, in order.
    fn paths(&self, runs: &[RunId]) -> Vec<PathBuf> {
        runs.iter().map(|&run| self.path(run)).collect()
    }

    /// A new, empty run file.
    fn create<E>(&mut self) -> Result<(RunId, PathBuf, BufWriter<File>), RankError<E>> {
        let run = self.made;
        let path = self.path(run);
        self.made += 1;
        let file = File::create(&path).map_err(|e| scratch_error(&path, e))?;
        Ok((run, path, BufWriter::new(file)))
    }

    /// Writes the observations of `chunk` in rank order to a new run file and empties it.
    fn spill<E>(&mut self, chunk: &mut Vec<RankedHost>) -> Result<(), RankError<E>> {
        let (run, path, mut out) = self.create()?;
        for at in sorted_order(chunk) {
            write_observation(&mut out, &chunk[at].observation)
                .map_err(|e| scratch_error(&path, e))?;
        }
        chunk.clear();
        out.flush().map_err(|e| scratch_error(&path, e))?;
        self.live.push(run);
        Ok(())
    }
}

impl Drop for Runs {
    fn drop(&mut self) {
        // Merged runs are gone already: their removal fails, harmlessly.
        for run in 0..self.made {
            let _ = std::fs::remove_file(self.path(run));
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

/// The head of one run in the merge heap: the heap pops the host that ranks first. `at` is the
/// run's place among the files merged (earlier runs win ties).
struct Head {
    host: RankedHost,
    at: usize,
}

impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap pops the greatest: the greatest is the one that ranks first.
        ranking_order(&other.host, &self.host).then_with(|| other.at.cmp(&self.at))
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
                out.push(h);
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

    /// Runs whose files hold their own numbers, reduced with a merge that appends each group's
    /// files in order: what is left, read in order, is every number once, in order, in at most
    /// MAX_FAN_IN runs; returns how many runs the passes rewrote.
    fn reduced(n: usize, dir: &Path) -> usize {
        let mut runs = Runs::new(dir);
        let mut live = Vec::new();
        for i in 0..n {
            let (run, _, mut out) = runs.create::<io::Error>().expect("create");
            writeln!(out, "{i}").expect("write");
            out.flush().expect("flush");
            live.push(run);
        }
        let mut rewritten = 0;
        reduce_runs::<io::Error>(&mut live, &mut runs, |group, out, _| {
            rewritten += group.len();
            for path in group {
                out.write_all(&std::fs::read(path).expect("read"))
                    .expect("write");
            }
            Ok(())
        })
        .expect("reduce");
        assert!(live.len() <= MAX_FAN_IN, "{} runs left of {n}", live.len());
        let text: String = runs
            .paths(&live)
            .iter()
            .map(|path| std::fs::read_to_string(path).expect("read"))
            .collect();
        let numbers: Vec<usize> = text.lines().map(|l| l.parse().expect("number")).collect();
        assert_eq!(numbers, (0..n).collect::<Vec<_>>(), "{n} runs");
        rewritten
    }

    #[test]
    fn a_merge_pass_rewrites_only_as_many_runs_as_it_must() {
        let dir = tempfile::tempdir().expect("temp dir");
        // Up to MAX_FAN_IN runs merge at once; one more merges two of them first.
        assert_eq!(reduced(64, dir.path()), 0);
        assert_eq!(reduced(65, dir.path()), 2);
        assert_eq!(reduced(130, dir.path()), 68);
        // 3,900 runs (a /8 of refused targets) take one pass over all but three, then the last.
        assert_eq!(reduced(3_900, dir.path()), 3_897);
        // Beyond 64 x 64, a full pass leaves 71 runs, and the second merges 8 of them.
        assert_eq!(reduced(4_500, dir.path()), 4_500 + 8);
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

    /// Dead targets of every key kind, with fields a round trip through a run file must keep.
    fn dead_and_alive() -> Vec<Observation> {
        let mut out = Vec::new();
        let addresses: [Option<IpAddr>; 7] = [
            Some("10.0.0.9".parse().unwrap()),
            Some("fd00::1".parse().unwrap()),
            Some("10.0.0.2".parse().unwrap()),
            None,
            None,
            // Two names for one address.
            Some("10.0.0.9".parse().unwrap()),
            Some("10.0.0.9".parse().unwrap()),
        ];
        let names = [
            None,
            None,
            None,
            Some("b.example"),
            Some("a.example\tx\u{e9}"),
            Some("z.example"),
            Some("y.example"),
        ];
        for round in 0..3u16 {
            for (i, (ip, name)) in addresses.iter().zip(names).enumerate() {
                let tcp = [
                    TcpStatus::Refused,
                    TcpStatus::Timeout,
                    TcpStatus::Unreachable,
                ][i % 3];
                let mut obs = Observation::new(*ip, 3390 - round, name.map(String::from), tcp);
                obs.tcp_ms = Some(1000.25 + i as f64);
                obs.attempts = 2;
                obs.attempt_outcomes = vec!["tcp=timeout".into(), "tcp=refused".into()];
                obs.error = Some(format!("os error {i} \"quoted\""));
                obs.scanned_at = Some(time::macros::datetime!(2026-11-30 01:02:03.5 UTC));
                out.push(obs);
            }
        }
        // Listeners that score nothing (no certificate, no finding that weighs) still rank
        // before every dead target.
        for last in [200u8, 1] {
            let mut obs = Observation::new(
                Some(std::net::Ipv4Addr::new(10, 0, 0, last).into()),
                3389,
                None,
                TcpStatus::Open,
            );
            obs.rdp = Some(RdpStatus::Timeout);
            out.push(obs);
        }
        out.extend(observations(40));
        out
    }

    #[test]
    fn dead_targets_follow_every_listener_in_address_then_port_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let input = dead_and_alive();
        let expected = rank(input.clone(), &RiskPolicy::default());
        let first_dead = expected
            .iter()
            .position(|h| h.observation.no_listener())
            .expect("dead rows");
        assert!(expected[first_dead..]
            .iter()
            .all(|h| h.observation.no_listener()));
        assert_eq!(
            expected
                .iter()
                .filter(|h| !h.observation.no_listener())
                .count(),
            2 + 30,
            "every listener first"
        );
        let keys: Vec<_> = expected[first_dead..]
            .iter()
            .map(|h| {
                let o = &h.observation;
                let port_first = if o.ip.is_some() { o.port } else { 0 };
                (o.ip.is_none(), o.ip, port_first, o.hostname.clone(), o.port)
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(
            keys, sorted,
            "dead targets by address, names after, then port"
        );
        // Every observation comes out once, unchanged by the run files it went through.
        let mut out: Vec<String> = expected
            .iter()
            .map(|h| serde_json::to_string(&h.observation).unwrap())
            .collect();
        let mut given: Vec<String> = input
            .iter()
            .map(|o| serde_json::to_string(o).unwrap())
            .collect();
        out.sort();
        given.sort();
        assert_eq!(out, given);
        // Spilled by count, or by bytes, the order is the same.
        for run_len in [1, 2, 3, 7, 1000] {
            let got = streamed(dead_and_alive(), run_len, dir.path());
            assert_eq!(got, expected, "run_len {run_len}");
        }
        let policy = RiskPolicy::default();
        let mut ranker = Ranker::new(&policy, dir.path(), usize::MAX).spill_above(1);
        for obs in dead_and_alive() {
            ranker.push::<io::Error>(obs).expect("push");
        }
        let mut got = Vec::new();
        ranker
            .finish::<io::Error>(&AtomicBool::new(false), |h| {
                got.push(h);
                Ok(())
            })
            .expect("finish");
        assert_eq!(got, expected, "a run per host");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
    }
}
