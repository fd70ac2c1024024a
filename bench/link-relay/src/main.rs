//! The slow, lossy link of `bench/run`'s section 5. This kernel has no `netem` queueing
//! discipline, so the link is two tun devices joined by this relay: every IP packet read from
//! one device is written to the other `DELAY_MS` later, or dropped with probability `LOSS`
//! (a seeded generator per direction, so a run with the same seed drops the same packets of the
//! same sequence). Two directions of `DELAY_MS` each make a round trip of twice that.
//!
//! ```sh
//! rdpsweep-link-relay A B DELAY_MS LOSS SEED    # e.g. rswl-client rswl-fleet 25 0.01 1
//! ```
//! Creates tun devices A and B (down, without addresses) in the network namespace it runs in,
//! prints `relay ready: A B` on standard output, then relays until SIGTERM or SIGINT, when it
//! prints what each direction carried and exits. The devices end with the process, wherever
//! they have been moved (`ip link set A netns NS`): bench/run moves each into a namespace of
//! its own and gives the addresses and routes. The relay never writes a packet anywhere but to
//! the other device.

mod line;

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use line::DelayLine;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use tun_rs::{DeviceBuilder, SyncDevice};

/// Larger than any packet a tun device without offloads hands over (its MTU is 1,500).
const MAX_PACKET: usize = 65_536;

struct Settings {
    names: [String; 2],
    delay: Duration,
    loss: f64,
    seed: u64,
}

/// One direction: its line (the fate of each packet) and the writes that failed.
struct Direction {
    label: String,
    line: Mutex<DelayLine>,
    write_errors: AtomicU64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let settings = match parse(&args) {
        Ok(settings) => settings,
        Err(why) => {
            eprintln!("link-relay: {why}\nusage: rdpsweep-link-relay A B DELAY_MS LOSS SEED");
            std::process::exit(1);
        }
    };
    let open = |name: &str| match DeviceBuilder::new().name(name).enable(false).build_sync() {
        Ok(device) => Arc::new(device),
        Err(e) => {
            eprintln!("link-relay: cannot create tun device {name}: {e}");
            std::process::exit(2);
        }
    };
    let [a_name, b_name] = &settings.names;
    let a = open(a_name);
    let b = open(b_name);
    // Wait for the signals before saying ready, so that none arrives unhandled.
    let mut signals = Signals::new([SIGTERM, SIGINT]).expect("signal handlers");
    let directions = [
        relay(&a, &b, format!("{a_name} -> {b_name}"), &settings, 0),
        relay(&b, &a, format!("{b_name} -> {a_name}"), &settings, 1),
    ];
    println!("relay ready: {a_name} {b_name}");
    let _ = std::io::stdout().flush();
    signals.forever().next();
    for direction in &directions {
        let line = direction
            .line
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let seen = line.delivered + line.dropped;
        println!(
            "relay {}: {seen} packets, {} dropped ({:.2}%), {} writes failed",
            direction.label,
            line.dropped,
            100.0 * line.dropped as f64 / seen.max(1) as f64,
            direction.write_errors.load(Ordering::Relaxed)
        );
    }
    let _ = std::io::stdout().flush();
    // Exiting closes both devices' descriptors, which removes the devices.
    std::process::exit(0);
}

fn parse(args: &[String]) -> Result<Settings, String> {
    let [a, b, delay_ms, loss, seed] = args else {
        return Err("expected five arguments".to_string());
    };
    let delay_ms: u64 = delay_ms
        .parse()
        .map_err(|e| format!("delay {delay_ms}: {e}"))?;
    let loss: f64 = loss.parse().map_err(|e| format!("loss {loss}: {e}"))?;
    if !(0.0..=1.0).contains(&loss) {
        return Err(format!("loss {loss}: expected a probability from 0 to 1"));
    }
    let seed: u64 = seed.parse().map_err(|e| format!("seed {seed}: {e}"))?;
    Ok(Settings {
        names: [a.clone(), b.clone()],
        delay: Duration::from_millis(delay_ms),
        loss,
        seed,
    })
}

/// Starts the threads that carry packets from `from` to `to`: a reader that decides each
/// packet's fate as it arrives, and a writer that holds it until it is due. The delay is the
/// same for every packet, so packets leave in the order they came.
fn relay(
    from: &Arc<SyncDevice>,
    to: &Arc<SyncDevice>,
    label: String,
    settings: &Settings,
    index: u64,
) -> Arc<Direction> {
    let direction = Arc::new(Direction {
        line: Mutex::new(DelayLine::new(
            settings.delay,
            settings.loss,
            settings.seed.wrapping_add(index),
        )),
        label,
        write_errors: AtomicU64::new(0),
    });
    let (due_tx, due_rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    let (from, reader_direction) = (from.clone(), direction.clone());
    thread::spawn(move || {
        let mut buf = vec![0u8; MAX_PACKET];
        loop {
            let len = match from.recv(&mut buf) {
                Ok(len) => len,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    eprintln!("link-relay {}: read failed: {e}", reader_direction.label);
                    return;
                }
            };
            let due = reader_direction
                .line
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .admit(Instant::now());
            if let Some(due) = due {
                if due_tx.send((due, buf[..len].to_vec())).is_err() {
                    return;
                }
            }
        }
    });
    let (to, writer_direction) = (to.clone(), direction.clone());
    thread::spawn(move || {
        for (due, packet) in due_rx {
            let now = Instant::now();
            if due > now {
                thread::sleep(due - now);
            }
            // A device that is down refuses the write: the packet is lost, as on a real link.
            if to.send(&packet).is_err() {
                writer_direction
                    .write_errors
                    .fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    direction
}
