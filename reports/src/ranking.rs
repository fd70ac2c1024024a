//! The ranking: most at risk first, ties broken by fewest days left on the certificate, then
//! by address and port. A plain function of the observations and the policy, so saved
//! `results.jsonl` files can be re-ranked without rescanning.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::observation::Observation;
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

/// Assesses and sorts every observation, in memory (for small sets: a demo, a test).
pub fn rank(observations: Vec<Observation>, policy: &RiskPolicy) -> Vec<RankedHost> {
    let mut hosts: Vec<RankedHost> = observations
        .into_iter()
        .map(|observation| {
            let assessment = assess(&observation, policy);
            RankedHost {
                rank: 0,
                observation,
                assessment,
            }
        })
        .collect();
    hosts.sort_by(ranking_order);
    for (i, host) in hosts.iter_mut().enumerate() {
        host.rank = i + 1;
    }
    hosts
}

/// Score descending; then days left ascending (hosts without a certificate after those with
/// one); then address (unresolved names last) and port ascending.
fn ranking_order(a: &RankedHost, b: &RankedHost) -> Ordering {
    let days = |h: &RankedHost| h.observation.cert.as_ref().map(|c| c.days_left);
    b.assessment
        .score
        .cmp(&a.assessment.score)
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
}

/// Ranks the observations of `source` in bounded memory and hands every host to `each` in rank
/// order, rank numbers set. At most `run_len` hosts are held at once: when there are more, each
/// sorted run of `run_len` is written to a temporary file in `scratch`, and a k-way merge reads
/// them back (an external merge sort), so a /8 ranks in the memory of `run_len` hosts plus one
/// per run. Temporary files are removed whatever happens. Returns how many hosts were ranked.
pub fn rank_streaming<E>(
    source: impl Iterator<Item = Result<Observation, E>>,
    policy: &RiskPolicy,
    scratch: &Path,
    run_len: usize,
    mut each: impl FnMut(&RankedHost) -> io::Result<()>,
) -> Result<usize, RankError<E>> {
    let run_len = run_len.max(1);
    let assessed = |observation: Observation| {
        let assessment = assess(&observation, policy);
        RankedHost {
            rank: 0,
            observation,
            assessment,
        }
    };
    let mut runs = Runs {
        dir: scratch.to_path_buf(),
        files: Vec::new(),
    };
    let mut chunk = Vec::new();
    for obs in source {
        chunk.push(assessed(obs.map_err(RankError::Source)?));
        if chunk.len() >= run_len {
            runs.spill(&mut chunk)?;
        }
    }
    if runs.files.is_empty() {
        chunk.sort_by(ranking_order);
        for (i, host) in chunk.iter_mut().enumerate() {
            host.rank = i + 1;
            each(host).map_err(RankError::Sink)?;
        }
        return Ok(chunk.len());
    }
    if !chunk.is_empty() {
        runs.spill(&mut chunk)?;
    }

    let mut readers = Vec::with_capacity(runs.files.len());
    let mut heap = BinaryHeap::new();
    for (index, path) in runs.files.iter().enumerate() {
        let mut reader = RunReader::open(path)?;
        if let Some(obs) = reader.next_observation()? {
            heap.push(Head {
                host: assessed(obs),
                run: index,
            });
        }
        readers.push(reader);
    }
    let mut rank = 0;
    while let Some(Head { mut host, run }) = heap.pop() {
        rank += 1;
        host.rank = rank;
        each(&host).map_err(RankError::Sink)?;
        if let Some(obs) = readers[run].next_observation()? {
            heap.push(Head {
                host: assessed(obs),
                run,
            });
        }
    }
    Ok(rank)
}

/// The temporary sorted runs of one ranking; removed on drop.
struct Runs {
    dir: PathBuf,
    files: Vec<PathBuf>,
}

impl Runs {
    /// Sorts `chunk`, writes its observations to a new run file and empties it.
    fn spill<E>(&mut self, chunk: &mut Vec<RankedHost>) -> Result<(), RankError<E>> {
        chunk.sort_by(ranking_order);
        let path = self.dir.join(format!(
            ".rank-run-{}-{}.jsonl",
            std::process::id(),
            self.files.len()
        ));
        let scratch = |source| RankError::Scratch {
            path: path.display().to_string(),
            source,
        };
        self.files.push(path.clone());
        let mut out = BufWriter::new(File::create(&path).map_err(scratch)?);
        for host in chunk.drain(..) {
            serde_json::to_writer(&mut out, &host.observation).map_err(|e| scratch(e.into()))?;
            out.write_all(b"\n").map_err(scratch)?;
        }
        out.flush().map_err(scratch)
    }
}

impl Drop for Runs {
    fn drop(&mut self) {
        for file in &self.files {
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
        let file = File::open(path).map_err(|source| RankError::Scratch {
            path: path.display().to_string(),
            source,
        })?;
        Ok(RunReader {
            lines: BufReader::new(file).lines(),
            path: path.to_path_buf(),
        })
    }

    fn next_observation<E>(&mut self) -> Result<Option<Observation>, RankError<E>> {
        let scratch = |source| RankError::Scratch {
            path: self.path.display().to_string(),
            source,
        };
        match self.lines.next() {
            None => Ok(None),
            Some(line) => {
                let line = line.map_err(scratch)?;
                serde_json::from_str(&line)
                    .map(Some)
                    .map_err(|e| scratch(e.into()))
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
                            not_before: "2026-01-01T00:00:00Z".into(),
                            not_after: "2027-01-01T00:00:00Z".into(),
                            days_left: (i as i64 % 90) - 30,
                            key: "RSA 2048".into(),
                            signature: "sha256WithRSAEncryption".into(),
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
        rank_streaming(source, &RiskPolicy::default(), scratch, run_len, |h| {
            out.push(h.clone());
            Ok(())
        })
        .expect("rank");
        out
    }

    #[test]
    fn spilled_runs_merge_to_the_in_memory_ranking() {
        let dir = tempfile::tempdir().expect("temp dir");
        let expected = rank(observations(1000), &RiskPolicy::default());
        for run_len in [1, 7, 64, 999, 1000, 5000] {
            let got = streamed(observations(1000), run_len, dir.path());
            assert_eq!(got, expected, "run_len {run_len}");
        }
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("list").collect();
        assert!(left.is_empty(), "temporary run files left behind: {left:?}");
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
