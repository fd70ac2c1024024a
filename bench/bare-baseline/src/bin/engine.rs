//! The probe engine alone, for `bench/run`: rdpsweep's own sweep over a range, configured as
//! `rdpsweep scan RANGE -p PORT --rate 1000000 --concurrency CONCURRENCY --retries 0` configures
//! it (the scan's deadlines, cookie, seed, TLS client, public roots, rate limiter and worker
//! threads), each observation dropped as it is handed over. This one's CPU minus the bare
//! baseline's is what the probe engine adds to a bare handshake (a rate-limiter token and a
//! task per probe, the stage deadlines, the observation, the certificate read and judged). The
//! scan's CPU minus this one's is everything else the scan does: mainly writing each row to
//! `results.jsonl`, ranking it, and writing the report files (besides: the progress counts,
//! the flush timer, the signal watcher, the lock and `scan.json`).
//!
//! ```sh
//! cargo run --release --manifest-path bench/bare-baseline/Cargo.toml --bin engine -- 127.77.0.0/20 25003 2000
//! ```
//! Prints one line: hosts, handshakes completed (rows with `tls=ok`), seconds, hosts per
//! second. Exits 1 when an argument is bad or the sweep fails, 0 otherwise.

use std::sync::Arc;
use std::time::Duration;

use rdpsweep::probe::ProbeConfig;
use rdpsweep::rate::RateLimit;
use rdpsweep::sweep::{sweep, SweepConfig};
use rdpsweep::targets::{Order, Shard, TargetSet};
use rdpsweep::trust::TrustStore;
use rdpsweep_bare_baseline::{args_or_exit, print_figures, run_on_a_worker};
use rdpsweep_reports::TlsStatus;
use tokio_util::sync::CancellationToken;

/// The scan's defaults (`rdpsweep scan --help`): they only matter for hosts that stall.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const TIMEOUT: Duration = Duration::from_secs(5);
const COOKIE: &str = "rdpsweep";
const SEED: u64 = 0;
/// The rate `bench/run` gives the scan: high enough never to wait.
const RATE: u32 = 1_000_000;

fn main() {
    let (range, port, concurrency) = args_or_exit("engine", |range| {
        TargetSet::build(&[range.to_string()], &[], &[], &[]).map_err(|e| e.to_string())
    });
    match run_on_a_worker(run(range, port, concurrency)) {
        (Ok((hosts, done)), secs) => print_figures("engine", hosts, done, secs),
        (Err(why), _) => {
            eprintln!("engine: {why}");
            std::process::exit(1);
        }
    }
}

/// Sweeps `range` on `port`; returns (rows, rows with `tls=ok`).
async fn run(range: TargetSet, port: u16, concurrency: usize) -> Result<(u64, u64), String> {
    let rate = std::num::NonZeroU32::new(RATE).expect("not zero");
    let config = SweepConfig {
        ports: vec![port],
        order: Order {
            seed: SEED,
            shard: Shard::all(),
        },
        concurrency,
        probe: ProbeConfig {
            limiter: Some(Arc::new(RateLimit::per_second(rate))),
            trust: Arc::new(TrustStore::load(&[])?),
            ..ProbeConfig::new(
                CONNECT_TIMEOUT,
                TIMEOUT,
                0,
                COOKIE,
                rdpsweep::tls::scanning_client_config(),
            )
        },
        resume: None,
        stop_grace: Duration::from_secs(4),
    };
    let mut done = 0u64;
    let end = sweep(Arc::new(range), &config, CancellationToken::new(), |obs| {
        if obs.tls == Some(TlsStatus::Ok) {
            done += 1;
        }
        Ok(())
    })
    .await
    .map_err(|e| e.to_string())?;
    Ok((end.recorded, done))
}
