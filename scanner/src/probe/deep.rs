//! The deep probe (`--deep`): what exactly a listener supports, one question per connection.
//!
//! After the ordinary probe of a target, and only when it got a Connection Confirm (a selection
//! or an RDP_NEG_FAILURE), the steps run one after another, never in parallel:
//!
//! 1. **Protocol matrix** ([`matrix`]): one Connection Request per protocol (PROTOCOL_RDP, SSL,
//!    SSL|HYBRID, RDSTLS, RDSAAD); the SSL|HYBRID|HYBRID_EX answer is the ordinary probe's,
//!    which sent exactly that request. The PROTOCOL_RDP connection, when RDP is selected, carries
//!    the first standard-security attempt; the HYBRID one, when CredSSP is selected, carries the
//!    TLS handshake and the NTLM exchange.
//! 2. **TLS versions** ([`tls_range`]), when SSL, HYBRID or HYBRID_EX was accepted: TLS 1.0,
//!    1.1 (the hand-built legacy hello), 1.2 and 1.3 (rustls pinned to that version), each on
//!    its own connection.
//! 3. **Standard security** ([`security`]), when the PROTOCOL_RDP request was accepted (its
//!    connection carried the 40-bit attempt): one connection per remaining encryption method
//!    (56-bit, 128-bit, FIPS), each offered alone in an MCS Connect Initial.
//!
//! The MCS and NTLM exchanges are in [`hooks`], over the `proto` codecs.
//!
//! Worst case: 5 (matrix) + 4 (TLS) + 3 (standard security) = 12 connections, after the
//! ordinary probe's 1 (2 with a legacy reconnect): at most 14. Every connection, the ordinary
//! probe's included, counts against [`DeepConfig::max_connections`]; a step that would go over
//! is not run and says so in `notes`, as does every step the stop token (SIGINT/SIGTERM) leaves
//! out. Each connection takes a governor token, waits `host_pause` first (a pause the stop
//! token cuts short, after which nothing is opened), and has one deadline per stage (connect,
//! X.224, TLS, MCS, CredSSP). The ordinary probe's retries stop before they could go over
//! the budget (see `probe`).

mod hooks;
mod matrix;
mod security;
mod tls_range;

use std::sync::Arc;
use std::time::Duration;

use rdpsweep_codec::{ConnectionRequest, RequestFlags, SecurityProtocol};
use rdpsweep_reports::{DeepObservation, Observation, RdpStatus};
use rustls::ClientConfig;

use super::link::{Link, TcpFailure};
use crate::tls::pinned_client_config;
use crate::wire::{Conn, Framed};

/// The most TCP connections one target (address and port) gets, the ordinary probe's included.
pub const MAX_CONNECTIONS_PER_HOST: u32 = 14;

/// How the deep probe runs; shared by every probe of a sweep.
#[derive(Clone)]
pub struct DeepConfig {
    /// The pause before each deep connection (`--host-pause`), zero for none.
    pub host_pause: Duration,
    /// The connection budget of one target, the ordinary probe's connections included.
    pub max_connections: u32,
    /// rustls offering TLS 1.2 only, and TLS 1.3 only.
    tls12: Arc<ClientConfig>,
    tls13: Arc<ClientConfig>,
}

impl DeepConfig {
    /// The deep probe with this pause between connections and a budget of
    /// [`MAX_CONNECTIONS_PER_HOST`].
    pub fn new(host_pause: Duration) -> Self {
        DeepConfig {
            host_pause,
            max_connections: MAX_CONNECTIONS_PER_HOST,
            tls12: pinned_client_config(&rustls::version::TLS12),
            tls13: pinned_client_config(&rustls::version::TLS13),
        }
    }
}

/// Runs every deep step that applies to the target the ordinary probe saw as `first`.
pub(super) async fn run(
    first: &Observation,
    link: &Link<'_>,
    hostname: Option<&str>,
    deep: &DeepConfig,
) -> DeepObservation {
    let mut session = Session {
        link,
        hostname,
        deep,
        notes: Vec::new(),
        interrupted: false,
    };
    let mut out = DeepObservation::default();
    if matches!(first.rdp, Some(RdpStatus::Negotiated | RdpStatus::Failure)) {
        let found = matrix::run(&mut session, first).await;
        out.protocols = found.answers;
        out.ntlm = found.ntlm;
        out.tls_versions = tls_range::run(&mut session, &out.protocols).await;
        let rdp_answer = out
            .protocols
            .iter()
            .find(|p| p.protocol == SecurityProtocol::RDP);
        let security = security::run(&mut session, found.first_mcs, rdp_answer).await;
        out.rdp_security = security;
    } else {
        session.note("deep probe: not run, the listener sent no Connection Confirm");
    }
    out.connections = link.connections.get();
    out.notes = session.notes;
    out
}

/// The Connection Request of a deep step: the scan's cookie and these requestedProtocols.
fn request(session: &Session<'_>, requested: SecurityProtocol) -> ConnectionRequest {
    ConnectionRequest {
        cookie: Some(session.link.config.cookie.clone()),
        negotiation: Some((RequestFlags::empty(), requested)),
    }
}

/// One target's deep probe under way: where it connects, its budget, its notes.
struct Session<'a> {
    link: &'a Link<'a>,
    hostname: Option<&'a str>,
    deep: &'a DeepConfig,
    notes: Vec<String>,
    /// Set once a step was left out because the scan is stopping: later steps say nothing.
    interrupted: bool,
}

/// How opening a deep step's connection went.
enum Opened {
    /// Connected: the step goes on.
    Connected(Framed<Conn>),
    /// The TCP connect failed: the step records it.
    Failed(TcpFailure),
    /// Not attempted (the budget, a stop): already said in the notes.
    Skipped,
}

impl Session<'_> {
    fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }

    /// Opens the connection of `step` (after the pause, with a governor token), unless the
    /// scan is stopping or the target's connection budget is spent, which it notes.
    async fn open(&mut self, step: &str) -> Opened {
        if self.stopping(step) {
            return Opened::Skipped;
        }
        let used = self.link.connections.get();
        if used >= self.deep.max_connections {
            self.note(format!(
                "{step}: not run, this target's budget of {} connections is spent ({used} used)",
                self.deep.max_connections
            ));
            return Opened::Skipped;
        }
        if !self.deep.host_pause.is_zero() {
            // A stop cuts the pause short, and nothing is opened after it.
            let stop = &self.link.config.stop;
            tokio::select! {
                _ = tokio::time::sleep(self.deep.host_pause) => {}
                _ = stop.cancelled() => {}
            }
            if self.stopping(step) {
                return Opened::Skipped;
            }
        }
        match self.link.connect(true).await {
            Ok(connected) => Opened::Connected(connected.framed),
            Err(failure) => Opened::Failed(failure),
        }
    }

    /// True (and noted once) when the scan is stopping: no new connection is started.
    fn stopping(&mut self, step: &str) -> bool {
        if self.interrupted {
            return true;
        }
        if self.link.config.stop.is_cancelled() {
            self.interrupted = true;
            self.note(format!(
                "{step} and later steps: not run, the scan was interrupted"
            ));
        }
        self.interrupted
    }
}

#[cfg(test)]
mod tests;
