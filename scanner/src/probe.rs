//! The probe engine: the one place that does network I/O.
//!
//! One probe walks a target through TCP connect, the X.224 Connection Request / Confirm, and
//! (when the server selects TLS or CredSSP) the TLS upgrade, and returns one [`Observation`].
//! Each stage has one deadline for the whole stage, not per read, so a server that trickles a
//! byte a second still times out. Every connection waits for the shared rate limiter first.
//!
//! With `--deep` ([`DeepConfig`]), the probe then asks the listener one question per
//! connection (see the `deep` module): which protocols it accepts, which TLS versions it
//! completes; every connection of a target is counted against a per-target budget.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use governor::DefaultDirectRateLimiter;
use rdpsweep_reports::{
    NegFailure, NegFlags, Observation, RdpStatus, SelectedProtocol, TcpStatus, TlsStatus,
    TlsWireVersion,
};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};

use crate::cert;
use rdpsweep_codec::{
    self as proto, CodecError, ConnectionRequest, FrameSize, NegotiationResponse, PduHint,
    ServerAnswer, TpktHint,
};

mod deep;

pub use deep::{DeepConfig, MAX_CONNECTIONS_PER_HOST};
use rdpsweep_codec::legacy_tls::{self as legacy, Progress, ServerFlightReader};

/// A Connection Confirm is 11 or 19 bytes; a TPKT length beyond this cannot be one.
/// (The X.224 LI is one byte, so a CR/CC TPDU with its TPKT header never exceeds 260 bytes.)
pub const MAX_CONFIRM_LEN: usize = 260;

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
    pub limiter: Option<Arc<DefaultDirectRateLimiter>>,
    /// Set when the scan is interrupted: a probe then opens no further connection (no retry,
    /// no legacy reconnect, no deep step) and reports what it has.
    pub stop: Arc<AtomicBool>,
    /// `--deep`: after the ordinary probe, ask the listener what exactly it supports.
    pub deep: Option<DeepConfig>,
}

impl ProbeConfig {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// The TCP connections one target has taken so far: every connect attempt counts, answered
/// or not (the ordinary probe's, its retries and legacy reconnects, and the deep steps').
#[derive(Debug, Default)]
struct Connections(AtomicU32);

impl Connections {
    fn add(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    fn get(&self) -> u32 {
        self.0.load(Ordering::SeqCst)
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
    let addr = SocketAddr::new(ip, port);
    let connections = Connections::default();
    let mut outcomes = Vec::new();
    let mut over_budget = None;
    let mut obs = loop {
        let first = outcomes.is_empty();
        let mut obs = probe_once(addr, hostname.as_deref(), config, !first, &connections).await;
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
        if !retry || config.stopping() {
            obs.attempts = outcomes.len() as u32;
            obs.attempt_outcomes = outcomes;
            break obs;
        }
    };
    if let Some(deep) = &config.deep {
        // Boxed, like the TLS stage: a probe without --deep should not carry the deep steps' state.
        let mut found = Box::pin(deep::run(
            &obs,
            addr,
            hostname.as_deref(),
            config,
            deep,
            &connections,
        ))
        .await;
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
    obs
}

/// An outcome worth another try: something timed out or was reset.
fn is_retryable(obs: &Observation) -> bool {
    obs.tcp == TcpStatus::Timeout
        || matches!(obs.rdp, Some(RdpStatus::Timeout | RdpStatus::Reset))
        || matches!(obs.tls, Some(TlsStatus::Timeout | TlsStatus::Reset))
}

/// One attempt at one target: every stage, in order, as far as it goes.
async fn probe_once(
    addr: SocketAddr,
    hostname: Option<&str>,
    config: &ProbeConfig,
    take_token: bool,
    connections: &Connections,
) -> Observation {
    let mut obs = Observation::new(Some(addr.ip()), addr.port(), None, TcpStatus::Open);
    let mut stream = match connect(addr, config, take_token, connections).await {
        Ok((stream, elapsed)) => {
            obs.tcp_ms = Some(ms(elapsed));
            stream
        }
        Err(failure) => {
            obs.tcp = failure.status;
            obs.tcp_ms = Some(ms(failure.elapsed));
            obs.error = Some(failure.error);
            return finish(obs);
        }
    };

    let nego = negotiate(&mut stream, config).await;
    obs.rdp = Some(nego.status);
    obs.rdp_ms = Some(ms(nego.elapsed));
    obs.error = nego.error;
    let selected = match nego.answer {
        Some(Some(NegotiationResponse::Response { flags, protocol })) => {
            obs.neg_flags = Some(NegFlags(flags.bits()));
            Some(protocol)
        }
        Some(Some(NegotiationResponse::Failure { code })) => {
            obs.neg_failure = Some(NegFailure(code.0));
            None
        }
        // A Confirm without negotiation data: standard RDP security (pre-Vista servers).
        Some(None) => Some(proto::SecurityProtocol::RDP),
        None => None,
    };
    obs.selected_protocol = selected.map(|p| SelectedProtocol(p.bits()));
    match selected {
        Some(protocol) if protocol.starts_tls() => {}
        _ => return finish(obs),
    }

    let started = Instant::now();
    // Boxed: the TLS stage (with its legacy fallback) is most of a probe's state, and a probe
    // that never gets there (refused, filtered, not RDP) should not carry it.
    let deadline = started + config.timeout;
    let tls = Box::pin(tls_stage(
        addr,
        stream,
        hostname,
        config,
        deadline,
        connections,
    ))
    .await;
    obs.tls_ms = Some(ms(started.elapsed()));
    match tls {
        Ok(done) => {
            obs.tls = Some(done.status);
            obs.tls_version = done.version;
            obs.tls_cipher = Some(done.cipher);
            obs.error = done.note;
            record_chain(&mut obs, &done.chain);
        }
        Err(failure) => {
            obs.tls = Some(failure.status);
            obs.error = Some(failure.error);
        }
    }
    finish(obs)
}

fn finish(mut obs: Observation) -> Observation {
    obs.scanned_at = Some(now_utc());
    obs
}

/// The current time in UTC, to the whole second (as the reports write it).
pub fn now_utc() -> time::OffsetDateTime {
    rdpsweep_reports::timestamp::whole_second_utc(time::OffsetDateTime::now_utc())
}

/// Summarises each certificate of the chain (leaf first) once; `cert` is the leaf's summary.
/// An unreadable leaf, or no certificate at all, is said in `error`.
fn record_chain(obs: &mut Observation, chain: &[Vec<u8>]) {
    let now = time::OffsetDateTime::now_utc();
    let summaries: Vec<_> = chain.iter().map(|der| cert::summarize(der, now)).collect();
    let problem = match summaries.first() {
        Some(Ok(leaf)) => {
            obs.cert = Some(leaf.clone());
            None
        }
        Some(Err(e)) => Some(format!("server certificate: {e}")),
        None => Some("server sent no certificate".to_string()),
    };
    obs.chain = summaries.into_iter().filter_map(Result::ok).collect();
    if let Some(why) = problem {
        obs.error = Some(match obs.error.take() {
            Some(e) => format!("{e}; {why}"),
            None => why,
        });
    }
}

/// How a stage that did not succeed ended.
struct StageFailure<S> {
    status: S,
    error: String,
    elapsed: Duration,
}

/// Waits for the rate limiter (when `take_token`), then connects within the connect timeout,
/// counting the attempt in `connections`.
async fn connect(
    addr: SocketAddr,
    config: &ProbeConfig,
    take_token: bool,
    connections: &Connections,
) -> Result<(TcpStream, Duration), StageFailure<TcpStatus>> {
    if let (true, Some(limiter)) = (take_token, &config.limiter) {
        limiter.until_ready().await;
    }
    connections.add();
    let started = Instant::now();
    let result = timeout_at(started + config.connect_timeout, TcpStream::connect(addr)).await;
    let elapsed = started.elapsed();
    let (status, error) = match result {
        Ok(Ok(stream)) => {
            let _ = stream.set_nodelay(true);
            return Ok((stream, elapsed));
        }
        Err(_) => (
            TcpStatus::Timeout,
            format!("no tcp answer within {}", human(config.connect_timeout)),
        ),
        Ok(Err(e)) => match e.kind() {
            io::ErrorKind::ConnectionRefused => {
                (TcpStatus::Refused, "connection refused".to_string())
            }
            io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
                (TcpStatus::Unreachable, lowercase(&e))
            }
            io::ErrorKind::TimedOut => (TcpStatus::Timeout, lowercase(&e)),
            _ => (TcpStatus::Error, lowercase(&e)),
        },
    };
    Err(StageFailure {
        status,
        error,
        elapsed,
    })
}

/// What the X.224 stage saw.
struct Negotiation {
    status: RdpStatus,
    /// `Some(..)` when a Connection Confirm arrived; its negotiation data, if any.
    answer: Option<Option<NegotiationResponse>>,
    error: Option<String>,
    elapsed: Duration,
}

/// Sends a Windows client's Connection Request and reads one answer frame, within one deadline.
async fn negotiate(stream: &mut TcpStream, config: &ProbeConfig) -> Negotiation {
    negotiate_as(
        stream,
        &ConnectionRequest::windows_client(&config.cookie),
        config,
    )
    .await
}

/// Sends `request` and reads one answer frame, all within one deadline.
async fn negotiate_as(
    stream: &mut TcpStream,
    request: &ConnectionRequest,
    config: &ProbeConfig,
) -> Negotiation {
    let started = Instant::now();
    let request = request.encode();
    let mut buf = Vec::with_capacity(32);
    let read = timeout_at(started + config.timeout, async {
        match stream.write_all(&request).await {
            Ok(()) => read_frame(stream, &mut buf).await,
            Err(e) => FrameRead::Failed(rdp_io_failure(&e, 0)),
        }
    })
    .await;
    let elapsed = started.elapsed();
    let (status, answer, error) = match read {
        Err(_) => (
            RdpStatus::Timeout,
            None,
            Some(format!(
                "no connection confirm within {} ({} bytes received)",
                human(config.timeout),
                buf.len()
            )),
        ),
        Ok(FrameRead::Failed((status, error))) => (status, None, Some(error)),
        Ok(FrameRead::Frame(frame)) => match proto::decode_server_answer(&frame) {
            Ok(ServerAnswer::Confirm(confirm)) => match confirm.negotiation {
                Some(failure @ NegotiationResponse::Failure { .. }) => (
                    RdpStatus::Failure,
                    Some(Some(failure)),
                    Some("server sent rdp_neg_failure".to_string()),
                ),
                negotiation => (RdpStatus::Negotiated, Some(negotiation), None),
            },
            Ok(ServerAnswer::DisconnectRequest) => (
                RdpStatus::Closed,
                None,
                Some("server answered with an x.224 disconnect request".to_string()),
            ),
            Ok(ServerAnswer::Data) => (
                RdpStatus::Closed,
                None,
                Some(
                    "server answered with an x.224 data tpdu (an mcs disconnect) instead of a connection confirm"
                        .to_string(),
                ),
            ),
            Err(e) => (RdpStatus::ProtocolError, None, Some(e.to_string())),
        },
    };
    Negotiation {
        status,
        answer,
        error,
        elapsed,
    }
}

/// One answer frame, or why there is none.
enum FrameRead {
    Frame(Vec<u8>),
    Failed((RdpStatus, String)),
}

/// Reads exactly one TPKT frame, asking the codec how many bytes it needs, so no byte of what
/// follows (the TLS stream) is consumed. Classifies non-TPKT answers and impossible lengths as
/// soon as the first bytes show them. `buf` holds what arrived, for the timeout message.
async fn read_frame(stream: &mut TcpStream, buf: &mut Vec<u8>) -> FrameRead {
    let mut chunk = [0u8; MAX_CONFIRM_LEN];
    loop {
        let need = match TpktHint::new(MAX_CONFIRM_LEN).frame_size(buf) {
            Ok(FrameSize::More(n)) => n,
            Err(CodecError::TpktTooLong { len, .. }) => {
                return FrameRead::Failed((
                    RdpStatus::ProtocolError,
                    format!("tpkt length {len} is too long for a connection confirm"),
                ))
            }
            Ok(FrameSize::Whole(len)) if buf.len() >= len => {
                return FrameRead::Frame(std::mem::take(buf))
            }
            Ok(FrameSize::Whole(len)) => len - buf.len(),
            Err(CodecError::NotTpkt) => {
                return FrameRead::Failed((
                    RdpStatus::NotRdp,
                    format!("not rdp: answer starts {}", preview(buf)),
                ))
            }
            // An impossible TPKT length ("impossible tpkt length 2").
            Err(e) => return FrameRead::Failed((RdpStatus::ProtocolError, e.to_string())),
        };
        match stream.read(&mut chunk[..need]).await {
            Ok(0) => {
                return FrameRead::Failed((
                    RdpStatus::Closed,
                    format!(
                        "closed before the connection confirm ({} bytes received)",
                        buf.len()
                    ),
                ))
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return FrameRead::Failed(rdp_io_failure(&e, buf.len())),
        }
    }
}

/// Classifies a socket error during the X.224 stage.
fn rdp_io_failure(e: &io::Error, received: usize) -> (RdpStatus, String) {
    let status = if is_reset(e) {
        RdpStatus::Reset
    } else if e.kind() == io::ErrorKind::TimedOut {
        RdpStatus::Timeout
    } else {
        RdpStatus::Closed
    };
    let what = if is_reset(e) {
        "reset".to_string()
    } else {
        lowercase(e)
    };
    (
        status,
        format!("{what} before the connection confirm ({received} bytes received)"),
    )
}

/// Up to 8 bytes as hex, with printable ASCII alongside, for the `error` column.
fn preview(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(8)];
    let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
    let text: String = head
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    format!("{} ({text:?})", hex.join(" "))
}

/// The TLS stage under one deadline: rustls first; if it fails other than by timeout (and the
/// scan is not stopping), the legacy handshake on a new connection, within what is left.
async fn tls_stage(
    addr: SocketAddr,
    stream: TcpStream,
    hostname: Option<&str>,
    config: &ProbeConfig,
    deadline: Instant,
    connections: &Connections,
) -> Result<TlsDone, TlsFailure> {
    let name = tls_server_name(addr.ip(), hostname);
    let timed_out = || TlsFailure {
        status: TlsStatus::Timeout,
        error: format!("no tls handshake within {}", human(config.timeout)),
    };
    let handshake = upgrade(stream, name.clone(), config.tls.clone());
    let failure = match timeout_at(deadline, handshake).await {
        Ok(Ok(done)) => return Ok(done),
        Ok(Err(failure)) => failure,
        Err(_) => return Err(timed_out()),
    };
    if config.stopping() {
        return Err(failure);
    }
    // rustls speaks only TLS 1.2/1.3 with modern suites: ask again the way an old client
    // would, and read the answer in the clear. Only an answer rustls could not have accepted
    // makes the host `legacy`; any other failure stands.
    let legacy = legacy_handshake(addr, name, config, connections);
    let hello = match timeout_at(deadline, legacy).await {
        Ok(Ok(hello)) => hello,
        _ => return Err(failure),
    };
    let version = TlsWireVersion(hello.version);
    let cipher = legacy::cipher_name(hello.cipher);
    if !rustls_could_speak(&hello, config) {
        return Ok(TlsDone {
            status: TlsStatus::Legacy,
            note: Some(format!(
                "tls 1.2/1.3 handshake failed ({}); the server answers an old client",
                failure.error
            )),
            version: Some(version),
            cipher,
            chain: hello.chain,
        });
    }
    Err(TlsFailure {
        error: format!(
            "{}; a second handshake then reached {version} with {cipher}, which rustls speaks",
            failure.error
        ),
        ..failure
    })
}

/// True when rustls offers the version and suite the server chose for the legacy hello.
fn rustls_could_speak(hello: &legacy::LegacyHello, config: &ProbeConfig) -> bool {
    hello.version >= legacy::TLS1_2
        && config
            .tls
            .crypto_provider()
            .cipher_suites
            .iter()
            .any(|suite| u16::from(suite.suite()) == hello.cipher)
}

/// A completed handshake: rustls (`ok`) or the legacy hello (`legacy`).
struct TlsDone {
    status: TlsStatus,
    /// Said in `error` even though the handshake succeeded (why it is `legacy`).
    note: Option<String>,
    /// `None` only if rustls had no version to tell after its handshake.
    version: Option<TlsWireVersion>,
    cipher: String,
    chain: Vec<Vec<u8>>,
}

/// How a TLS handshake failed.
#[derive(Clone)]
struct TlsFailure {
    status: TlsStatus,
    error: String,
}

/// The name rustls sends as SNI: the host name when the target was given as one, else the
/// address (for which rustls sends no SNI).
fn tls_server_name(ip: IpAddr, hostname: Option<&str>) -> ServerName<'static> {
    hostname
        .and_then(|name| ServerName::try_from(name.to_string()).ok())
        .unwrap_or_else(|| ServerName::IpAddress(ip.into()))
}

/// Upgrades the stream with rustls and records version, suite and chain.
async fn upgrade(
    stream: TcpStream,
    name: ServerName<'static>,
    tls: Arc<rustls::ClientConfig>,
) -> Result<TlsDone, TlsFailure> {
    upgrade_keep(stream, name, tls).await.map(|(done, _)| done)
}

/// As [`upgrade`], and hands back the TLS stream for what follows on it (the deep probe's
/// CredSSP exchange).
async fn upgrade_keep(
    stream: TcpStream,
    name: ServerName<'static>,
    tls: Arc<rustls::ClientConfig>,
) -> Result<(TlsDone, tokio_rustls::client::TlsStream<TcpStream>), TlsFailure> {
    let connector = tokio_rustls::TlsConnector::from(tls);
    let tls = connector
        .connect(name, stream)
        .await
        .map_err(classify_tls_error)?;
    let (_, conn) = tls.get_ref();
    let version = conn
        .protocol_version()
        .map(|v| TlsWireVersion(u16::from(v)));
    let cipher = conn
        .negotiated_cipher_suite()
        .map(|s| legacy::cipher_name(u16::from(s.suite())))
        .unwrap_or_default();
    let chain = conn
        .peer_certificates()
        .unwrap_or_default()
        .iter()
        .map(|c| c.as_ref().to_vec())
        .collect();
    let done = TlsDone {
        status: TlsStatus::Ok,
        note: None,
        version,
        cipher,
        chain,
    };
    Ok((done, tls))
}

/// Maps what tokio-rustls reports into the `tls` vocabulary.
fn classify_tls_error(e: io::Error) -> TlsFailure {
    if let Some(tls) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return match tls {
            rustls::Error::AlertReceived(alert) => TlsFailure {
                status: TlsStatus::Alert,
                error: format!(
                    "server sent tls alert {}",
                    legacy::alert_name(u8::from(*alert))
                ),
            },
            other => TlsFailure {
                status: TlsStatus::ProtocolError,
                error: format!("tls handshake failed: {}", lowercase(other)),
            },
        };
    }
    if is_reset(&e) {
        TlsFailure {
            status: TlsStatus::Reset,
            error: "reset during the tls handshake".to_string(),
        }
    } else if e.kind() == io::ErrorKind::UnexpectedEof {
        TlsFailure {
            status: TlsStatus::Closed,
            error: "closed during the tls handshake".to_string(),
        }
    } else {
        TlsFailure {
            status: TlsStatus::ProtocolError,
            error: format!("tls handshake failed: {}", lowercase(&e)),
        }
    }
}

/// Reconnects, renegotiates X.224 and sends the hand-built legacy ClientHello; reads the
/// ServerHello and the clear-text Certificate. Uses one connection and the stage deadlines.
async fn legacy_handshake(
    addr: SocketAddr,
    name: ServerName<'static>,
    config: &ProbeConfig,
    connections: &Connections,
) -> Result<legacy::LegacyHello, String> {
    let (mut stream, _) = connect(addr, config, true, connections)
        .await
        .map_err(|f| f.error)?;
    let nego = negotiate(&mut stream, config).await;
    match nego.answer {
        Some(Some(NegotiationResponse::Response { protocol, .. })) if protocol.starts_tls() => {}
        _ => return Err("the server did not select tls again".to_string()),
    }
    let sni = sni(&name);
    let random = hello_random(legacy::TLS1_2, sni.as_deref());
    let hello = legacy::client_hello(legacy::TLS1_2, sni.as_deref(), random);
    let deadline = Instant::now() + config.timeout;
    let read = timeout_at(deadline, send_legacy_hello(&mut stream, &hello)).await;
    match read {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(lowercase(&e)),
        Err(_) => Err("legacy handshake timed out".to_string()),
    }
}

/// The random of a legacy ClientHello (the codec reads no clock): gmt_unix_time as RFC 5246
/// 7.4.1.2 describes it, then 28 bytes hashed from the clock and the arguments. Not secret
/// and not needed to be: the key exchange never happens.
fn hello_random(max_version: u16, server_name: Option<&str>) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(now.as_nanos().to_be_bytes());
    hasher.update(max_version.to_be_bytes());
    hasher.update(server_name.unwrap_or("").as_bytes());
    let digest = hasher.finalize();
    let mut random = [0u8; 32];
    random[..4].copy_from_slice(&(now.as_secs() as u32).to_be_bytes());
    random[4..].copy_from_slice(&digest[..28]);
    random
}

/// The host name the legacy ClientHello sends as SNI, if the target was given as a name.
fn sni(name: &ServerName<'_>) -> Option<String> {
    match name {
        ServerName::DnsName(dns) => Some(dns.as_ref().to_string()),
        _ => None,
    }
}

/// Sends the legacy ClientHello and reads until the ServerHello and Certificate are in.
async fn send_legacy_hello(
    stream: &mut TcpStream,
    hello: &[u8],
) -> io::Result<Result<legacy::LegacyHello, String>> {
    stream.write_all(hello).await?;
    let mut reader = ServerFlightReader::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(Err("closed during the legacy handshake".to_string()));
        }
        match reader.push(&chunk[..n]) {
            Progress::NeedMore => continue,
            Progress::Hello(hello) => return Ok(Ok(hello)),
            Progress::Alert(code) => {
                return Ok(Err(format!(
                    "legacy handshake alert {}",
                    legacy::alert_name(code)
                )))
            }
            Progress::Error(e) => return Ok(Err(e.to_string())),
        }
    }
}

fn is_reset(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
    )
}

/// Error text for the `error` column: lowercase first letter, as the rest of the vocabulary.
fn lowercase(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
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
