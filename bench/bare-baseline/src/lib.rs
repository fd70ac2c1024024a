//! What the two clients of `bench/run` share: their command line (`RANGE PORT CONCURRENCY`),
//! the scanner's open-file headroom, a runtime with a worker per core (what the scan gets at
//! `--rate 1000000`) whose worker runs the loop that starts the hosts, and the line they print.

use std::future::Future;
use std::time::Instant;

/// Reads `RANGE PORT CONCURRENCY` from the command line, the range by `range`; on a bad
/// argument, says why with `name`'s usage and exits 1.
pub fn args_or_exit<R>(
    name: &str,
    range: impl FnOnce(&str) -> Result<R, String>,
) -> (R, u16, usize) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match &args[..] {
        [r, port, concurrency] => range(r).and_then(|r| {
            let port: u16 = port.parse().map_err(|e| format!("port {port}: {e}"))?;
            let concurrency: usize = concurrency
                .parse()
                .map_err(|e| format!("concurrency {concurrency}: {e}"))?;
            Ok((r, port, concurrency.max(1)))
        }),
        _ => Err("expected three arguments".to_string()),
    };
    parsed.unwrap_or_else(|why| {
        eprintln!("{name}: {why}\nusage: {name} RANGE PORT CONCURRENCY");
        std::process::exit(1)
    })
}

/// Runs `sweep` to its end and returns what it returned and the seconds it took. It runs on a
/// runtime worker, as the scan's sweep does: from the main thread, every host finished while
/// the loop waits for a slot would wake it across threads (a futex call each), which a
/// scanner need not pay.
pub fn run_on_a_worker<T: Send + 'static>(
    sweep: impl Future<Output = T> + Send + 'static,
) -> (T, f64) {
    // The same open-file headroom the scanner gives itself.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    // Set explicitly, as the scan sets it (TOKIO_WORKER_THREADS does not change it).
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let started = Instant::now();
    let out = runtime
        .block_on(runtime.spawn(sweep))
        .expect("the sweep does not panic");
    (out, started.elapsed().as_secs_f64())
}

/// The one line a client prints: `NAME: H hosts, D handshakes, S s, R hosts/s`.
pub fn print_figures(name: &str, hosts: u64, handshakes: u64, secs: f64) {
    println!(
        "{name}: {hosts} hosts, {handshakes} handshakes, {secs:.3} s, {:.0} hosts/s",
        hosts as f64 / secs
    );
}
