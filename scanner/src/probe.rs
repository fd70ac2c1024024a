//! The probe engine: the one place that does network I/O.
//!
//! One probe walks a target through TCP connect, the X.224 Connection Request / Confirm, and
//! (when the server selects TLS or CredSSP) the TLS upgrade, and returns one [`Observation`].
//! Each stage has one deadline for the whole stage, not per read, so a server that trickles a
//! byte a second still times out. Every connection waits for the shared rate limiter first.
//!
//! - `link`: opening a connection and the X.224 exchange, for the probe and every deep step.
//! - `tls`: the TLS stage (rustls, then the legacy hello of `legacy` on a new connection).
//! - `deep`: the `--deep` steps.
//!
//! Bytes move through the wire layer ([`crate::wire`]): the probe is given a dialer, so every
//! stage is tested over in-memory streams under tokio's paused clock.
//!
//! With `--deep` ([`DeepConfig`]), the probe then asks the listener one question per
//! connection (see the `deep` module): which protocols it accepts, which TLS versions it
//! completes; every connection of a target is counted against a per-target budget.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use rdpsweep_codec::ConnectionRequest;
use rdpsweep_reports::{Observation, RdpStatus, TcpStatus, TlsStatus};
use rustls::pki_types::UnixTime;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::cert;
use crate::rate::RateLimit;
use crate::trust::{SentAfter, TrustStore};
use crate::wire::{Dial, TcpDial};

mod deep;
mod legacy;
mod link;
mod tls;

pub use deep::{DeepConfig, MAX_CONNECTIONS_PER_HOST};
pub use link::MAX_CONFIRM_LEN;
use link::{Confirmed, Connections, Link};

/// How one probe behaves; shared by every probe of a sweep.
#[derive(Clone)]
pub struct ProbeConfig {
    pub connect_timeout: Duration,
    /// The deadline of each stage after TCP connect (X.224, TLS with its legacy fallback).
    pub timeout: Duration,
    /// Extra probes of a target whose outcome was a timeout or a reset.
    pub retries: u32,
    /// The `mstshash` cookie of the Connection Request.
    pub cookie: String,
    pub tls: Arc<rustls::ClientConfig>,
    /// Every TCP connection takes a token: the sweep takes the first one of each target before
    /// the probe starts; the probe takes those of retries and legacy reconnects.
    pub limiter: Option<Arc<RateLimit>>,
    /// Cancelled when the scan is interrupted: a probe then opens no further connection (no
    /// retry, no legacy reconnect, no deep step) and reports what it has.
    pub stop: CancellationToken,
    /// `--deep`: after the ordinary probe, ask the listener what exactly it supports.
    pub deep: Option<DeepConfig>,
    /// How connections are opened: TCP in a scan, in-memory streams in tests.
    pub dial: Arc<dyn Dial>,
    /// The anchors a client trusts, to judge the certificate a server sent.
    pub trust: Arc<TrustStore>,
    /// The certificates servers sent after their leaves, read once per scan.
    pub sent_certs: Arc<cert::SentCache>,
}

impl ProbeConfig {
    /// A probe with these deadlines, retries and cookie, speaking TLS with `tls` over TCP, with
    /// no rate limit, no deep probe, a stop token of its own, and the public roots as anchors.
    pub fn new(
        connect_timeout: Duration,
        timeout: Duration,
        retries: u32,
        cookie: &str,
        tls: Arc<rustls::ClientConfig>,
    ) -> Self {
        ProbeConfig {
            connect_timeout,
            timeout,
            retries,
            cookie: cookie.to_string(),
            tls,
            limiter: None,
            stop: CancellationToken::new(),
            deep: None,
            dial: Arc::new(TcpDial),
            trust: Arc::new(TrustStore::public()),
            sent_certs: Arc::default(),
        }
    }
}

/// The most TCP connections one attempt of the ordinary probe opens: the connect and, when
/// rustls fails, the legacy reconnect.
const MAX_CONNECTIONS_PER_ATTEMPT: u32 = 2;

/// Probes `ip:port` (the caller has taken the first connection's rate token), retrying
/// timeouts and resets up to `retries` times unless the scan is stopping, and returns the last
/// attempt's observation with every attempt's outcome recorded; then, with `--deep`, runs the
/// deep steps one after another on new connections. With `--deep`, a retry is made only when
/// its connections ([`MAX_CONNECTIONS_PER_ATTEMPT`]) fit the target's budget.
pub async fn probe(
    ip: IpAddr,
    port: u16,
    hostname: Option<String>,
    config: &ProbeConfig,
) -> Observation {
    let connections = Connections::default();
    let link = Link {
        addr: SocketAddr::new(ip, port),
        config,
        connections: &connections,
    };
    let mut outcomes = Vec::new();
    let mut over_budget = None;
    let (mut obs, chain) = loop {
        let first = outcomes.is_empty();
        let (mut obs, chain) = probe_once(&link, hostname.as_deref(), !first).await;
        obs.hostname = hostname.clone();
        outcomes.push(obs.outcome());
        let mut retry = is_retryable(&obs) && outcomes.len() <= config.retries as usize;
        if let (true, Some(deep)) = (retry, &config.deep) {
            let used = connections.get();
            if used + MAX_CONNECTIONS_PER_ATTEMPT > deep.max_connections {
                over_budget = Some((used, deep.max_connections));
                retry = false;
            }
        }
        if !retry || config.stop.is_cancelled() {
            obs.attempts = outcomes.len() as u32;
            obs.attempt_outcomes = outcomes;
            break (obs, chain);
        }
    };
    if let Some(deep) = &config.deep {
        // Boxed, like the TLS stage: a probe without --deep should not carry the deep steps' state.
        let mut found = Box::pin(deep::run(&obs, &link, hostname.as_deref(), deep)).await;
        if let Some((used, max)) = over_budget {
            found.notes.insert(
                0,
                format!(
                    "retries: stopped after {} attempts, another could take {MAX_CONNECTIONS_PER_ATTEMPT} connections of this target's budget of {max} ({used} used)",
                    obs.attempts
                ),
            );
        }
        obs.deep = Some(found);
    }
    if let Some(chain) = chain {
        // The name a client connects to: the target's, or the one the host gave for itself.
        let ntlm_name = obs
            .deep
            .as_ref()
            .and_then(|d| d.ntlm.as_ref()?.dns_computer.clone());
        let name = hostname.or(ntlm_name);
        record_certificates(&mut obs, &chain, name.as_deref(), config);
    }
    obs
}

/// An outcome worth another try: something timed out or was reset.
fn is_retryable(obs: &Observation) -> bool {
    obs.tcp == TcpStatus::Timeout
        || matches!(obs.rdp, Some(RdpStatus::Timeout | RdpStatus::Reset))
        || matches!(obs.tls, Some(TlsStatus::Timeout | TlsStatus::Reset))
}

/// One attempt at one target: every stage, in order, as far as it goes; and, when the TLS
/// handshake completed, the certificate chain the server sent (DER, leaf first; maybe empty).
async fn probe_once(
    link: &Link<'_>,
    hostname: Option<&str>,
    take_token: bool,
) -> (Observation, Option<Vec<Vec<u8>>>) {
    let config = link.config;
    let mut obs = Observation::new(
        Some(link.addr.ip()),
        link.addr.port(),
        None,
        TcpStatus::Open,
    );
    let mut framed = match link.connect(take_token).await {
        Ok(connected) => {
            obs.tcp_ms = Some(ms(connected.elapsed));
            connected.framed
        }
        Err(failure) => {
            obs.tcp = failure.status;
            obs.tcp_ms = Some(ms(failure.elapsed));
            obs.error = Some(failure.error);
            return (finish(obs), None);
        }
    };

    let request = ConnectionRequest::windows_client(&config.cookie);
    let nego = link.negotiate(&mut framed, &request).await;
    obs.rdp = Some(nego.status);
    obs.rdp_ms = Some(ms(nego.elapsed));
    obs.error = nego.error.clone();
    match nego.confirmed {
        Some(Confirmed::Selected { flags, .. }) => obs.neg_flags = Some(flags),
        Some(Confirmed::Refused(code)) => obs.neg_failure = Some(code),
        Some(Confirmed::WithoutNegotiation) | None => {}
    }
    let selected = nego.selected();
    obs.selected_protocol = selected;
    if !selected.is_some_and(|p| p.starts_tls()) {
        return (finish(obs), None);
    }

    let started = Instant::now();
    // Boxed: the TLS stage (with its legacy fallback) is most of a probe's state, and a probe
    // that never gets there (refused, filtered, not RDP) should not carry it.
    let deadline = deadline(started, config.timeout);
    let done = Box::pin(tls::stage(link, framed.into_conn(), hostname, deadline)).await;
    obs.tls_ms = Some(ms(started.elapsed()));
    match done {
        Ok(done) => {
            obs.tls = Some(done.status);
            obs.tls_version = done.version;
            obs.tls_cipher = Some(done.cipher);
            obs.error = done.note;
            (finish(obs), Some(done.chain))
        }
        Err(failure) => {
            obs.tls = Some(failure.status);
            obs.error = Some(failure.error);
            (finish(obs), None)
        }
    }
}

fn finish(mut obs: Observation) -> Observation {
    obs.scanned_at = Some(now_utc());
    obs
}

/// The current time in UTC, to the whole second (as the reports write it).
pub fn now_utc() -> time::OffsetDateTime {
    rdpsweep_reports::timestamp::whole_second_utc(time::OffsetDateTime::now_utc())
}

/// Reads the chain (leaf first): the leaf parsed once, for its summary (`cert`) and the
/// judgement of the chain as a client would make it (for `name` when known); the certificates
/// after it as the scan keeps them ([`cert::SentCache`]), for their summaries
/// (`intermediates`) and the judgement. An unreadable leaf, or no certificate at all, is said
/// in `error`.
fn record_certificates(
    obs: &mut Observation,
    chain: &[Vec<u8>],
    name: Option<&str>,
    config: &ProbeConfig,
) {
    let Some((leaf, rest)) = chain.split_first() else {
        add_error(obs, "server sent no certificate".to_string());
        return;
    };
    let now = time::OffsetDateTime::now_utc();
    let leaf = cert::Parsed::of(leaf);
    let sent: Vec<Arc<cert::Sent>> = rest
        .iter()
        .map(|der| config.sent_certs.get(der, now))
        .collect();
    let problem = match cert::summarize_parsed(&leaf, now) {
        Ok(summary) => {
            obs.cert = Some(summary);
            None
        }
        Err(e) => Some(format!("server certificate: {e}")),
    };
    obs.intermediates = sent.iter().filter_map(|s| s.summary(now)).collect();
    let after: Vec<SentAfter<'_>> = rest
        .iter()
        .zip(&sent)
        .map(|(der, s)| SentAfter {
            der,
            issuer: s.issuer.as_deref(),
        })
        .collect();
    let verdict = config
        .trust
        .judge_leaf(&leaf, &after, name, UnixTime::now());
    obs.cert_trust = Some(verdict.record(name));
    if let Some(why) = problem {
        add_error(obs, why);
    }
}

/// Adds `why` to the row's error, after what it says already.
fn add_error(obs: &mut Observation, why: String) {
    obs.error = Some(match obs.error.take() {
        Some(e) => format!("{e}; {why}"),
        None => why,
    });
}

/// The deadline `after` from `start`; saturating, so that no duration a caller gives can
/// overflow the clock (the command line bounds its durations far below this).
pub fn deadline(start: Instant, after: Duration) -> Instant {
    start
        .checked_add(after)
        .unwrap_or_else(|| start + Duration::from_secs(10 * 365 * 86_400))
}

/// Milliseconds with one decimal, as the `*_ms` columns show them.
fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// `3s`, `500ms`: how durations appear in messages.
fn human(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

#[cfg(test)]
mod tests;
