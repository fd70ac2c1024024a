//! A target as every stage and every deep step reaches it: one [`Link`] opens each connection
//! (a governor token, the connection budget, the connect deadline) and runs the X.224 exchange
//! on it (the stage deadline), and says how each ended in the record's words.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use rdpsweep_codec::hint::TpktHint;
use rdpsweep_codec::{
    decode_server_answer, CodecError, ConnectionRequest, FailureCode, NegotiationResponse,
    ResponseFlags, SecurityProtocol, ServerAnswer,
};
use rdpsweep_reports::{RdpStatus, TcpStatus};
use tokio::time::{timeout_at, Instant};

use super::{deadline, human, ProbeConfig};
use crate::wire::dial::ResetStream;
use crate::wire::failure::{io_words, lowercase};
use crate::wire::{Conn, Framed, IoKind, ReadError};

/// A Connection Confirm is 11 or 19 bytes; a TPKT length beyond this cannot be one.
/// (The X.224 LI is one byte, so a CR/CC TPDU with its TPKT header never exceeds 260 bytes.)
pub const MAX_CONFIRM_LEN: usize = 260;

/// The TCP connections one target has taken so far: every connect attempt counts, answered
/// or not (the ordinary probe's, its retries and legacy reconnects, and the deep steps').
#[derive(Debug, Default)]
pub struct Connections(AtomicU32);

impl Connections {
    fn add(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    pub fn get(&self) -> u32 {
        self.0.load(Ordering::SeqCst)
    }
}

/// One target's address, the probe settings, and the target's connection count.
pub struct Link<'a> {
    pub addr: SocketAddr,
    pub config: &'a ProbeConfig,
    pub connections: &'a Connections,
}

/// A connection whose TCP connect succeeded.
pub struct Connected {
    pub framed: Framed<Conn>,
    pub elapsed: Duration,
}

/// A TCP connect that failed: the `tcp` status and why, in words.
#[derive(Debug, Clone)]
pub struct TcpFailure {
    pub status: TcpStatus,
    pub error: String,
    pub elapsed: Duration,
}

/// What a Connection Confirm said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmed {
    /// An RDP_NEG_RSP: the server selected `protocol`.
    Selected {
        protocol: SecurityProtocol,
        flags: ResponseFlags,
    },
    /// A Confirm without negotiation data: standard RDP security (pre-Vista servers).
    WithoutNegotiation,
    /// An RDP_NEG_FAILURE.
    Refused(FailureCode),
}

/// What the X.224 stage saw.
#[derive(Debug, Clone)]
pub struct Negotiation {
    pub status: RdpStatus,
    /// The Confirm's answer, when a Confirm arrived.
    pub confirmed: Option<Confirmed>,
    pub error: Option<String>,
    pub elapsed: Duration,
}

impl Negotiation {
    /// The protocol the Confirm selected (PROTOCOL_RDP for one without negotiation data).
    pub fn selected(&self) -> Option<SecurityProtocol> {
        match self.confirmed {
            Some(Confirmed::Selected { protocol, .. }) => Some(protocol),
            Some(Confirmed::WithoutNegotiation) => Some(SecurityProtocol::RDP),
            Some(Confirmed::Refused(_)) | None => None,
        }
    }
}

impl Link<'_> {
    /// Waits for the rate limiter (when `take_token`), then connects within the connect
    /// deadline, counting the attempt against the target's budget.
    pub async fn connect(&self, take_token: bool) -> Result<Connected, TcpFailure> {
        if let (true, Some(limiter)) = (take_token, &self.config.limiter) {
            limiter.until_ready().await;
        }
        self.connections.add();
        let started = Instant::now();
        let deadline = deadline(started, self.config.connect_timeout);
        let result = timeout_at(deadline, self.config.dial.dial(self.addr)).await;
        let elapsed = started.elapsed();
        let (status, error) = match result {
            Ok(Ok(conn)) => {
                return Ok(Connected {
                    framed: Framed::new(conn),
                    elapsed,
                })
            }
            // A listener that resets right after the handshake (an IPS, a service that drops
            // every RDP connection): the port is open and the connection reset, whether the RST
            // beat `connect` or not. The next stage reads the reset.
            Ok(Err(e)) if IoKind::of(&e) == IoKind::Reset => {
                return Ok(Connected {
                    framed: Framed::new(Box::new(ResetStream)),
                    elapsed,
                })
            }
            Err(_) => (
                TcpStatus::Timeout,
                format!(
                    "no tcp answer within {}",
                    human(self.config.connect_timeout)
                ),
            ),
            Ok(Err(e)) => match IoKind::of(&e) {
                IoKind::Refused => (TcpStatus::Refused, "connection refused".to_string()),
                IoKind::Unreachable => (TcpStatus::Unreachable, lowercase(&e)),
                IoKind::TimedOut => (TcpStatus::Timeout, lowercase(&e)),
                _ => (TcpStatus::Error, lowercase(&e)),
            },
        };
        Err(TcpFailure {
            status,
            error,
            elapsed,
        })
    }

    /// Sends `request` and reads one answer frame, all within one stage deadline.
    pub async fn negotiate(
        &self,
        framed: &mut Framed<Conn>,
        request: &ConnectionRequest,
    ) -> Negotiation {
        let started = Instant::now();
        let deadline = deadline(started, self.config.timeout);
        let hint = TpktHint::new(MAX_CONFIRM_LEN);
        let read = timeout_at(deadline, async {
            if let Err(e) = framed.send(&request.encode()).await {
                return Err(ReadError::Io {
                    kind: IoKind::of(&e),
                    error: e,
                    received: 0,
                });
            }
            framed.read_pdu(&hint).await
        })
        .await;
        let elapsed = started.elapsed();
        let (status, confirmed, error) = match read {
            Err(_) => (
                RdpStatus::Timeout,
                None,
                Some(format!(
                    "no connection confirm within {} ({} bytes received)",
                    human(self.config.timeout),
                    framed.received()
                )),
            ),
            Ok(Err(failure)) => {
                let (status, error) = read_failure(failure, framed.bytes());
                (status, None, Some(error))
            }
            Ok(Ok(frame)) => answer(&frame),
        };
        Negotiation {
            status,
            confirmed,
            error,
            elapsed,
        }
    }

    /// Negotiates `request` on `framed` and keeps the connection only when the Confirm
    /// selected a protocol `wanted` accepts; else why not, in words (the X.224 stage's error,
    /// or that the server did not select `what` again).
    pub async fn reselect(
        &self,
        mut framed: Framed<Conn>,
        request: &ConnectionRequest,
        wanted: impl Fn(SecurityProtocol) -> bool,
        what: &str,
    ) -> Result<Framed<Conn>, String> {
        let nego = self.negotiate(&mut framed, request).await;
        match nego.selected() {
            Some(protocol) if wanted(protocol) => Ok(framed),
            _ => Err(nego
                .error
                .unwrap_or_else(|| format!("the server did not select {what} again"))),
        }
    }
}

/// The status and words of a decoded answer frame.
fn answer(frame: &[u8]) -> (RdpStatus, Option<Confirmed>, Option<String>) {
    match decode_server_answer(frame) {
        Ok(ServerAnswer::Confirm(confirm)) => match confirm.negotiation {
            Some(NegotiationResponse::Failure { code }) => (
                RdpStatus::Failure,
                Some(Confirmed::Refused(code)),
                Some("server sent rdp_neg_failure".to_string()),
            ),
            Some(NegotiationResponse::Response { flags, protocol }) => (
                RdpStatus::Negotiated,
                Some(Confirmed::Selected { protocol, flags }),
                None,
            ),
            None => (
                RdpStatus::Negotiated,
                Some(Confirmed::WithoutNegotiation),
                None,
            ),
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
    }
}

/// How a read of the Connection Confirm failed, as an `rdp` status and words.
fn read_failure(failure: ReadError, bytes: &[u8]) -> (RdpStatus, String) {
    const WHAT: &str = "the connection confirm";
    match failure {
        ReadError::Frame { error, .. } => frame_fault(&error, bytes),
        ReadError::Closed { received } => (
            RdpStatus::Closed,
            format!("closed before {WHAT} ({received} bytes received)"),
        ),
        ReadError::Io {
            kind,
            error,
            received,
        } => {
            let status = match kind {
                IoKind::Reset => RdpStatus::Reset,
                IoKind::TimedOut => RdpStatus::Timeout,
                _ => RdpStatus::Closed,
            };
            let words = io_words(&error);
            (
                status,
                format!("{words} before {WHAT} ({received} bytes received)"),
            )
        }
    }
}

/// Why bytes cannot start the message expected, as an `rdp` status and words: something
/// other than RDP answered (`not-rdp`), or RDP framing that cannot be right.
pub fn frame_fault(error: &CodecError, bytes: &[u8]) -> (RdpStatus, String) {
    match error {
        CodecError::NotTpkt => (
            RdpStatus::NotRdp,
            format!("not rdp: answer starts {}", preview(bytes)),
        ),
        CodecError::TpktTooLong { len, .. } => (
            RdpStatus::ProtocolError,
            format!("tpkt length {len} is too long for a connection confirm"),
        ),
        CodecError::NotTsRequest(_) => (
            RdpStatus::ProtocolError,
            format!("not credssp: answer starts {}", preview(bytes)),
        ),
        CodecError::BadDerLength { octet, .. } => (
            RdpStatus::ProtocolError,
            format!("credssp tsrequest with bad length octet {octet:#04x}"),
        ),
        other => (RdpStatus::ProtocolError, other.to_string()),
    }
}

/// Up to 8 bytes as hex, with printable ASCII alongside, for the `error` column.
pub fn preview(bytes: &[u8]) -> String {
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
