//! The bare baseline of `bench/run`: the least a scanner of TLS-upgrading RDP listeners can do
//! per host, to measure `rdpsweep scan` against. Per address: TCP connect, a fixed 19-byte
//! X.224 Connection Request with an RDP_NEG_REQ, exactly 19 bytes of Connection Confirm read
//! back, a rustls handshake with the scanner's own client configuration, and close. At most
//! CONCURRENCY hosts in flight; no rate limiter, no observation, no output file.
//!
//! ```sh
//! cargo run --release --manifest-path bench/bare-baseline/Cargo.toml -- 127.77.0.0/20 25003 2000
//! ```
//! Prints one line: hosts, handshakes completed, seconds, hosts per second. Exits 1 when an
//! argument is bad, 0 otherwise (failed hosts are counted, not fatal).

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ipnetwork::IpNetwork;
use rdpsweep_bare_baseline::{args_or_exit, print_figures, run_on_a_worker};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio_rustls::TlsConnector;

/// TPKT header, X.224 Connection Request without a cookie, and RDP_NEG_REQ asking for
/// SSL | HYBRID | HYBRID_EX, as `rdpsweep` asks (MS-RDPBCGR 2.2.1.1).
const CONNECTION_REQUEST: [u8; 19] = [
    0x03, 0x00, 0x00, 0x13, // TPKT: version 3, reserved, length 19
    0x0e, // X.224 length indicator: 14
    0xe0, // CR TPDU, CDT 0
    0x00, 0x00, // DST-REF
    0x00, 0x00, // SRC-REF
    0x00, // class 0
    0x01, // RDP_NEG_REQ
    0x00, // flags
    0x08, 0x00, // length 8
    0x0b, 0x00, 0x00, 0x00, // requestedProtocols: SSL | HYBRID | HYBRID_EX
];
/// A Connection Confirm carrying an RDP_NEG_RSP is 19 bytes long as well.
const CONFIRM_LEN: usize = 19;
/// The whole exchange of one host must end within this, so a stuck host cannot hang the run.
const HOST_DEADLINE: Duration = Duration::from_secs(10);

fn main() {
    let (range, port, concurrency) = args_or_exit("bare_baseline", |range| {
        range
            .parse::<IpNetwork>()
            .map_err(|e| format!("range {range}: {e}"))
    });
    let ((hosts, done), secs) = run_on_a_worker(run(range, port, concurrency));
    print_figures("baseline", hosts, done, secs);
}

/// Visits every address of `range`, `concurrency` at a time; returns (hosts, handshakes).
async fn run(range: IpNetwork, port: u16, concurrency: usize) -> (u64, u64) {
    let connector = TlsConnector::from(rdpsweep::tls::scanning_client_config());
    let slots = Arc::new(Semaphore::new(concurrency));
    let done = Arc::new(AtomicU64::new(0));
    let mut hosts = 0u64;
    for ip in range.iter() {
        let slot = slots.clone().acquire_owned().await.expect("never closed");
        let connector = connector.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let addr = SocketAddr::new(ip, port);
            if let Ok(Ok(())) =
                tokio::time::timeout(HOST_DEADLINE, handshake(addr, connector)).await
            {
                done.fetch_add(1, Ordering::Relaxed);
            }
            drop(slot);
        });
        hosts += 1;
    }
    // Every slot back means every host is finished.
    let _all = slots
        .acquire_many(concurrency as u32)
        .await
        .expect("never closed");
    (hosts, done.load(Ordering::Relaxed))
}

/// Connect, X.224 request and confirm, TLS handshake; the stream is dropped (closed) on return.
async fn handshake(addr: SocketAddr, connector: TlsConnector) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    stream.write_all(&CONNECTION_REQUEST).await?;
    let mut confirm = [0u8; CONFIRM_LEN];
    stream.read_exact(&mut confirm).await?;
    let ip: IpAddr = addr.ip();
    connector
        .connect(ServerName::IpAddress(ip.into()), stream)
        .await?;
    Ok(())
}
