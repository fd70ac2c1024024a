//! The sweep: runs the probe engine over a lazily expanded target stream, under a concurrency
//! bound (at most `concurrency` probes in flight) and the probe config's rate limiter, and
//! hands every observation to the caller as soon as it is finished.
//!
//! Invariants: every `(target, port)` pulled from the stream yields exactly one observation
//! (a probe that panics yields an `error` row, a name that does not resolve yields one too);
//! a target is started only when a slot is free and the rate limiter allows a connection, so
//! memory is bounded by `concurrency`, never by the size of the target space; once `stop` is
//! cancelled no new target is started, and the probes in flight get `stop_grace` to finish:
//! those still running then are abandoned (aborted, and no row is written for them, so a
//! resumed scan probes them again).

use std::io;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::{self, FutureExt};
use futures::stream::{self, StreamExt};
use rdpsweep_reports::{Observation, TcpStatus};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

use crate::probe::{self, ProbeConfig};
use crate::resume::ResumePoint;
use crate::targets::{Order, Target, TargetSet};

/// What a sweep probes and how hard.
#[derive(Clone)]
pub struct SweepConfig {
    pub ports: Vec<u16>,
    /// The order targets are visited in (a seeded permutation) and the shard of them to scan.
    pub order: Order,
    /// Probes in flight at once.
    pub concurrency: usize,
    pub probe: ProbeConfig,
    /// The pairs an earlier run into the same directory finished: skipped (`--resume`).
    pub resume: Option<Arc<ResumePoint>>,
    /// Once `stop` is cancelled, how long the probes in flight may take to finish before they
    /// are abandoned.
    pub stop_grace: Duration,
}

/// How a sweep ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepEnd {
    /// Observations handed to the caller.
    pub recorded: u64,
    /// True when `stop` was cancelled during the sweep (targets may be left unstarted, retries and
    /// legacy reconnects skipped).
    pub interrupted: bool,
    /// Probes still in flight when the stop grace ran out: aborted, no row written.
    pub abandoned: u64,
}

/// Probes every target on every port and calls `on_row` once per `(target, port)`, in
/// completion order, as each finishes. Stops early only if `on_row` fails (its error is
/// returned) or `stop` is cancelled (then the sweep ends after the probes in flight, or when
/// `stop_grace` has passed, whichever comes first).
pub async fn sweep<F>(
    targets: Arc<TargetSet>,
    config: &SweepConfig,
    stop: CancellationToken,
    mut on_row: F,
) -> io::Result<SweepEnd>
where
    F: FnMut(Observation) -> io::Result<()>,
{
    let probe_config = Arc::new(ProbeConfig {
        stop: stop.clone(),
        ..config.probe.clone()
    });
    let limiter = config.probe.limiter.clone();
    // Owned (not a borrowed slice iterator), so the sweep's future is `Send` for `tokio::spawn`.
    let ports: Arc<[u16]> = config.ports.clone().into();
    let per_target = ports.len() as u128;
    let resume = config.resume.clone().unwrap_or_default();
    // Probes spawned; with `recorded`, how many are in flight.
    let started = AtomicU64::new(0);
    // Pair `k · ports + p` is target `k` of the order on port `p` (see `resume`).
    let first_target = resume.frontier / per_target.max(1);
    let pairs = targets
        .iter_ordered_from(&config.order, first_target)
        .zip(first_target..)
        .flat_map(move |(target, k)| {
            let ports = ports.clone();
            (0..ports.len()).map(move |p| (k * per_target + p as u128, target.clone(), ports[p]))
        })
        .filter(move |(index, _, _)| !resume.is_done(*index))
        .map(|(_, target, port)| (target, port));
    let results = stream::iter(pairs)
        // The token of each target's first connection is taken here, before the probe starts,
        // so that a stop never leaves started probes queued on the limiter.
        .then(|pair| {
            let limiter = limiter.clone();
            async move {
                if let Some(limiter) = limiter {
                    limiter.until_ready().await;
                }
                pair
            }
        })
        .take_while(|_| future::ready(!stop.is_cancelled()))
        .map(|(target, port)| {
            started.fetch_add(1, Ordering::Relaxed);
            // Aborted when its future is dropped (a sweep that gave up waiting).
            let probe = AbortOnDropHandle::new(tokio::spawn(probe_target(
                target.clone(),
                port,
                probe_config.clone(),
                targets.clone(),
            )));
            async move {
                match probe.await {
                    Ok(obs) => obs,
                    Err(e) => {
                        failed_row(&target, port, format!("internal error: probe failed: {e}"))
                    }
                }
            }
        })
        .buffer_unordered(config.concurrency.max(1));
    let mut results = std::pin::pin!(results);
    let mut recorded = 0u64;
    let mut abandon_at: Option<Instant> = None;
    loop {
        // A row that is finished already is taken without waiting (under load there usually
        // is one), and without registering with the stop token.
        let ready = match stop.is_cancelled() {
            false => results.next().now_or_never(),
            true => None,
        };
        let next = match ready {
            Some(next) => next,
            None => match abandon_at {
                None => tokio::select! {
                    next = results.next() => next,
                    () = stop.cancelled() => {
                        let in_flight = started.load(Ordering::Relaxed) - recorded;
                        let grace_s = config.stop_grace.as_secs_f64();
                        tracing::warn!(
                            in_flight,
                            grace_s,
                            "interrupted: no new target; finishing the {in_flight} probes in flight, abandoning those not done within {grace_s:.1}s (interrupt again to quit now)"
                        );
                        abandon_at = Some(probe::deadline(Instant::now(), config.stop_grace));
                        continue;
                    }
                },
                Some(at) => tokio::select! {
                    next = results.next() => next,
                    () = tokio::time::sleep_until(at) => break,
                },
            },
        };
        match next {
            Some(obs) => {
                on_row(obs)?;
                recorded += 1;
            }
            None => break,
        }
    }
    // Dropping the stream aborts the probes still in flight (each an `AbortOnDropHandle`).
    let abandoned = started.load(Ordering::Relaxed) - recorded;
    Ok(SweepEnd {
        recorded,
        interrupted: stop.is_cancelled(),
        abandoned,
    })
}

/// Resolves a name target (first address, within the connect timeout), then probes it unless
/// the address is excluded: excludes apply to the addresses names resolve to as well.
async fn probe_target(
    target: Target,
    port: u16,
    config: Arc<ProbeConfig>,
    targets: Arc<TargetSet>,
) -> Observation {
    let name = match &target {
        Target::Ip(ip) => return probe::probe(*ip, port, None, &config).await,
        Target::Name(name) => name.clone(),
    };
    match resolve(&name, port, &config).await {
        Ok(ip) if targets.is_excluded(ip) => {
            let mut obs = failed_row(
                &target,
                port,
                format!("not probed: {name} resolves to {ip}, which is excluded"),
            );
            obs.ip = Some(ip);
            obs
        }
        Ok(ip) => probe::probe(ip, port, Some(name), &config).await,
        Err(why) => failed_row(&target, port, format!("cannot resolve {name}: {why}")),
    }
}

async fn resolve(name: &str, port: u16, config: &ProbeConfig) -> Result<IpAddr, String> {
    match tokio::time::timeout(
        config.connect_timeout,
        tokio::net::lookup_host((name, port)),
    )
    .await
    {
        Err(_) => Err("name lookup timed out".to_string()),
        Ok(Err(e)) => Err(e.to_string()),
        Ok(Ok(mut addrs)) => addrs
            .next()
            .map(|a| a.ip())
            .ok_or_else(|| "no address".to_string()),
    }
}

/// The row of a target that could not be probed at all.
fn failed_row(target: &Target, port: u16, error: String) -> Observation {
    let (ip, hostname) = match target {
        Target::Ip(ip) => (Some(*ip), None),
        Target::Name(name) => (None, Some(name.clone())),
    };
    let mut obs = Observation::new(ip, port, hostname, TcpStatus::Error);
    obs.error = Some(error);
    obs.scanned_at = Some(probe::now_utc());
    obs
}
