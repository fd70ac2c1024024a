//! What a real client gets from a host: the question the scan answers. A plain function of the
//! observation ([`predict`]), so a saved `results.jsonl` is re-judged without rescanning.
//!
//! The client is a current one with default settings: it requests SSL|HYBRID|HYBRID_EX, speaks
//! TLS 1.2 or newer, and its user accepts certificate prompts. What such a client does in each
//! case, measured with xfreerdp 2.11 against xrdp, FreeRDP and weston servers and documented of
//! the Microsoft client (the project's `0x904-causes` notes, and `tests/interop/`):
//! - **fails** when the connection is cut during security setup (0x904): no Connection Confirm
//!   (silence, close, reset); an answer that is not RDP or RDP framing that cannot be right; a
//!   negotiation failure answered to its request for SSL and HYBRID (but code 2, below); a
//!   Confirm selecting a protocol it did not ask for; TLS that closes, resets, alerts or stalls;
//!   a host that handshakes only at TLS 1.0/1.1. Once TLS is selected there is no fallback.
//! - **warns** when it completes only after the user accepts a warning: a certificate that is not
//!   trusted (self-signed, unknown issuer), expired, not yet valid or for another name; standard
//!   RDP security (the server's identity cannot be verified); `SSL_NOT_ALLOWED_BY_SERVER`, after
//!   which clients reconnect asking for standard security (unless `--deep` saw that refused too).
//! - **connects** otherwise.
//!
//! No prediction where TCP was not accepted: a refused port is a 0x204 for clients, not 0x904.
//! Under the strict client policy (clients that enforce server authentication, "Do not connect
//! if authentication fails"), every host that warns fails.

use rdpsweep_codec::{FailureCode, SecurityProtocol};

use crate::observation::Observation;
use crate::trust::Untrusted;
use crate::vocab::{word_enum, RdpStatus, TcpStatus, TlsStatus};

word_enum! {
    /// What a current client gets from a host.
    ClientOutcome, "client outcome" {
        /// Cut during security setup: error 0x904.
        Fails => "fails",
        /// Connects only after the user accepts a warning.
        Warns => "warns",
        /// Connects without a warning.
        Connects => "connects",
    }
}

word_enum! {
    /// Which clients the prediction is for.
    ClientPolicy, "client policy" {
        /// Default settings: the user accepts certificate and identity warnings.
        Default => "default",
        /// Clients that enforce server authentication: a warning is a failure.
        Strict => "strict",
    }
}

/// The prediction for one host: what the client gets, and one sentence naming the stage and
/// the cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prediction {
    pub outcome: ClientOutcome,
    pub reason: String,
}

impl Prediction {
    fn new(outcome: ClientOutcome, reason: impl Into<String>) -> Self {
        Prediction {
            outcome,
            reason: reason.into(),
        }
    }
}

/// What a client under `policy` gets from the host `obs` describes; `None` when TCP was not
/// accepted (or a name did not resolve): nothing to predict.
pub fn predict(obs: &Observation, policy: ClientPolicy) -> Option<Prediction> {
    let default = default_client(obs)?;
    Some(match (policy, default.outcome) {
        (ClientPolicy::Strict, ClientOutcome::Warns) => Prediction::new(
            ClientOutcome::Fails,
            format!(
                "{} (a client that enforces server authentication refuses it)",
                default.reason
            ),
        ),
        _ => default,
    })
}

/// What a client with default settings gets.
fn default_client(obs: &Observation) -> Option<Prediction> {
    use ClientOutcome::{Fails, Warns};
    if obs.tcp != TcpStatus::Open {
        return None;
    }
    let rdp = obs.rdp?;
    let fails = |why: String| Some(Prediction::new(Fails, why));
    match rdp {
        RdpStatus::Timeout => {
            return fails("X.224: accepted TCP, then no Connection Confirm".into())
        }
        RdpStatus::Closed => {
            return fails(
                "X.224: the listener closed the connection before a Connection Confirm".into(),
            )
        }
        RdpStatus::Reset => {
            return fails(
                "X.224: the listener reset the connection before a Connection Confirm".into(),
            )
        }
        RdpStatus::NotRdp => {
            return fails("X.224: something other than RDP answers on this port".into())
        }
        RdpStatus::ProtocolError => {
            return fails("X.224: the answer's framing cannot be RDP".into())
        }
        RdpStatus::Failure => return negotiation_failure(obs),
        RdpStatus::Negotiated => {}
    }
    let selected = obs.selected_protocol?;
    if selected == SecurityProtocol::RDP {
        return Some(Prediction::new(
            Warns,
            "X.224: standard RDP security only; clients connect after a warning that the \
             server's identity cannot be verified",
        ));
    }
    if !selected.starts_tls() {
        return fails(format!(
            "X.224: the Confirm selects {selected}, which the client did not request"
        ));
    }
    let tls = obs.tls?;
    match tls {
        TlsStatus::Ok => {}
        TlsStatus::Legacy => {
            return fails(format!(
            "TLS: the host completes a handshake only as {} (clients with TLS 1.0/1.1 off fail)",
            obs.tls_version
                .map(|v| v.to_string())
                .unwrap_or_else(|| "an old version".into())
        ))
        }
        TlsStatus::Timeout => {
            return fails("TLS: no handshake after the Confirm selected TLS".into())
        }
        TlsStatus::Alert => {
            return fails("TLS: the server answered the ClientHello with an alert".into())
        }
        TlsStatus::Closed => {
            return fails("TLS: the server closed the connection during the handshake".into())
        }
        TlsStatus::Reset => {
            return fails("TLS: the server reset the connection during the handshake".into())
        }
        TlsStatus::ProtocolError => {
            return fails("TLS: the handshake broke with a protocol error".into())
        }
    }
    Some(certificate(obs))
}

/// After RDP_NEG_FAILURE: code 2 makes clients retry with standard security (and connect
/// after a warning) unless the deep probe saw PROTOCOL_RDP refused too; any other code, or a
/// failure without one, answers the client's own request with a refusal.
fn negotiation_failure(obs: &Observation) -> Option<Prediction> {
    let code = obs.neg_failure;
    let rdp_refused = obs
        .deep
        .as_ref()
        .and_then(|d| d.accepts(SecurityProtocol::RDP))
        == Some(false);
    Some(match code {
        Some(FailureCode::SSL_NOT_ALLOWED_BY_SERVER) if !rdp_refused => Prediction::new(
            ClientOutcome::Warns,
            "X.224: the listener refuses TLS (ssl_not_allowed); clients retry with standard RDP \
             security and connect after a warning that the server's identity cannot be verified",
        ),
        Some(FailureCode::SSL_NOT_ALLOWED_BY_SERVER) => Prediction::new(
            ClientOutcome::Fails,
            "X.224: the listener refuses TLS (ssl_not_allowed) and, the deep probe saw, \
             standard RDP security too",
        ),
        Some(code) => Prediction::new(
            ClientOutcome::Fails,
            format!("X.224: the listener refuses the client's request with rdp_neg_failure {code}"),
        ),
        None => Prediction::new(
            ClientOutcome::Fails,
            "X.224: the listener refuses the client's request with an RDP_NEG_FAILURE",
        ),
    })
}

/// A completed TLS handshake: what the client makes of the certificate.
fn certificate(obs: &Observation) -> Prediction {
    use ClientOutcome::{Connects, Warns};
    let warns =
        |why: String| Prediction::new(Warns, format!("TLS: {why}; the user must accept a warning"));
    let Some(cert) = &obs.cert else {
        return Prediction::new(
            ClientOutcome::Fails,
            "TLS: the server sent no readable certificate",
        );
    };
    match &obs.cert_trust {
        Some(trust) if trust.untrusted == Some(Untrusted::Unparsable) => Prediction::new(
            ClientOutcome::Fails,
            "TLS: the certificate has a name that is not valid text; OpenSSL-based clients \
             cannot parse it and the handshake fails",
        ),
        Some(trust) => {
            if let Some(why) = trust.untrusted {
                return warns(match why {
                    Untrusted::SelfSigned => "the certificate is self-signed".into(),
                    Untrusted::UnknownIssuer => {
                        format!("the certificate's issuer {:?} is not trusted", cert.issuer)
                    }
                    Untrusted::Expired => "the certificate has expired".into(),
                    Untrusted::NotYetValid => "the certificate is not valid yet".into(),
                    Untrusted::BadSignature => {
                        "the certificate's signature is refused (weak or broken)".into()
                    }
                    Untrusted::NotForServers => {
                        "the certificate is not for server authentication".into()
                    }
                    Untrusted::Invalid => "the certificate cannot be verified".into(),
                    Untrusted::Unparsable => "the certificate cannot be parsed".into(),
                });
            }
            if trust.name_match == Some(false) {
                return warns(format!(
                    "the certificate does not name {}",
                    trust.name.as_deref().unwrap_or("the host")
                ));
            }
            Prediction::new(
                Connects,
                "TLS: a certificate the client trusts, for the host's name",
            )
        }
        // Results written before rdpsweep judged trust: what the certificate says of itself.
        None if cert.days_left < 0 => warns("the certificate has expired".into()),
        None if not_yet_valid(obs) => warns("the certificate is not valid yet".into()),
        None if cert.self_signed => warns("the certificate is self-signed".into()),
        None => Prediction::new(Connects, "TLS: a CA-issued certificate within its dates"),
    }
}

/// True when the certificate's validity starts after the scan (compared to the second).
fn not_yet_valid(obs: &Observation) -> bool {
    let from = obs.cert.as_ref().and_then(|c| c.not_before);
    match (from, obs.scanned_at) {
        (Some(from), Some(scan)) => {
            crate::timestamp::whole_second_utc(from) > crate::timestamp::whole_second_utc(scan)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
