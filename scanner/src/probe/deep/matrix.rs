//! Step 1: the protocol matrix, one Connection Request per protocol, each on its own
//! connection (the SSL|HYBRID|HYBRID_EX answer is the ordinary probe's).

use rdpsweep_codec::SecurityProtocol;
use rdpsweep_reports::deep::MATRIX;
use rdpsweep_reports::{NtlmIdentity, Observation, ProtocolAnswer};
use tokio::time::{timeout_at, Instant};

use super::hooks::{self, McsAttempt, NtlmStep};
use super::{request, security, Opened, Session};
use crate::probe::link::{Confirmed, Negotiation};
use crate::probe::tls::{server_name, upgrade};
use crate::probe::{deadline, human};
use crate::wire::{Conn, Framed};

/// What the matrix connections learned.
pub(super) struct Matrix {
    /// One answer per protocol asked, in [`MATRIX`] order (a step left out has no answer).
    pub answers: Vec<ProtocolAnswer>,
    /// The first standard-security attempt, made on the PROTOCOL_RDP connection when that
    /// request was accepted.
    pub first_mcs: Option<McsAttempt>,
    /// The NTLM identity, from the SSL|HYBRID connection when it selected CredSSP.
    pub ntlm: Option<NtlmIdentity>,
}

/// Asks for each protocol of [`MATRIX`] in turn.
pub(super) async fn run(session: &mut Session<'_>, first: &Observation) -> Matrix {
    let mut out = Matrix {
        answers: Vec::with_capacity(MATRIX.len()),
        first_mcs: None,
        ntlm: None,
    };
    for (protocol, requested) in MATRIX {
        if requested == SecurityProtocol::WINDOWS_CLIENT {
            out.answers
                .push(from_first_probe(protocol, requested, first));
            continue;
        }
        let mut framed = match session.open(&format!("protocol {protocol}")).await {
            Opened::Skipped => continue,
            Opened::Failed(failure) => {
                let mut answer = blank(protocol, requested, failure.status);
                answer.error = Some(failure.error);
                out.answers.push(answer);
                continue;
            }
            Opened::Connected(framed) => framed,
        };
        let nego = session
            .link
            .negotiate(&mut framed, &request(session, requested))
            .await;
        let answer = answer_of(protocol, requested, &nego);
        let credssp = nego.selected().is_some_and(|p| p.is_credssp());
        if protocol == SecurityProtocol::RDP && answer.accepted {
            let attempt =
                security::attempt(session.link.config, &mut framed, security::FIRST_METHOD).await;
            out.first_mcs = Some(attempt);
        } else if protocol == SecurityProtocol::HYBRID && credssp {
            out.ntlm = ntlm_step(session, framed).await;
        } else if protocol == SecurityProtocol::HYBRID {
            session.note(format!(
                "ntlm identity: not applicable, the {:#04x} request did not select CredSSP",
                requested.bits()
            ));
        }
        out.answers.push(answer);
    }
    out
}

/// The HYBRID_EX row: the ordinary probe sent exactly SSL|HYBRID|HYBRID_EX.
fn from_first_probe(
    protocol: SecurityProtocol,
    requested: SecurityProtocol,
    first: &Observation,
) -> ProtocolAnswer {
    ProtocolAnswer {
        from_first_probe: true,
        rdp: first.rdp,
        selected: first.selected_protocol,
        neg_failure: first.neg_failure,
        accepted: first.selected_protocol == Some(protocol),
        ..blank(protocol, requested, first.tcp)
    }
}

/// An answer with only the request and the TCP outcome filled in.
pub(super) fn blank(
    protocol: SecurityProtocol,
    requested: SecurityProtocol,
    tcp: rdpsweep_reports::TcpStatus,
) -> ProtocolAnswer {
    ProtocolAnswer {
        protocol,
        requested,
        from_first_probe: false,
        tcp,
        rdp: None,
        selected: None,
        neg_failure: None,
        accepted: false,
        error: None,
    }
}

/// The answer to one request: accepted only when the Confirm selected exactly `protocol`.
pub(super) fn answer_of(
    protocol: SecurityProtocol,
    requested: SecurityProtocol,
    nego: &Negotiation,
) -> ProtocolAnswer {
    let mut answer = blank(protocol, requested, rdpsweep_reports::TcpStatus::Open);
    answer.rdp = Some(nego.status);
    answer.error = nego.error.clone();
    match nego.confirmed {
        Some(Confirmed::Selected {
            protocol: chosen, ..
        }) => {
            answer.selected = Some(chosen);
        }
        Some(Confirmed::Refused(code)) => {
            answer.neg_failure = Some(code);
        }
        Some(Confirmed::WithoutNegotiation) => {
            answer.selected = Some(SecurityProtocol::RDP);
            answer.error = Some("a connection confirm without negotiation data".to_string());
        }
        None => {}
    }
    answer.accepted = answer.selected == Some(protocol);
    answer
}

/// TLS on the CredSSP connection, then the NTLM exchange, each within one deadline.
async fn ntlm_step(session: &mut Session<'_>, framed: Framed<Conn>) -> Option<NtlmIdentity> {
    let config = session.link.config;
    let name = server_name(session.link.addr.ip(), session.hostname);
    let handshake = upgrade(framed.into_conn(), name, config.tls.clone());
    let tls = match timeout_at(deadline(Instant::now(), config.timeout), handshake).await {
        Ok(Ok((_, tls))) => tls,
        Ok(Err(failure)) => {
            session.note(format!("ntlm identity: {}", failure.error));
            return None;
        }
        Err(_) => {
            session.note(format!(
                "ntlm identity: no tls handshake within {}",
                human(config.timeout)
            ));
            return None;
        }
    };
    let mut tls = Framed::new(tls);
    let challenge = hooks::ntlm_identity(&mut tls);
    match timeout_at(deadline(Instant::now(), config.timeout), challenge).await {
        Ok(NtlmStep::Identity(identity, defects)) => {
            for defect in defects {
                session.note(format!("ntlm identity: {defect}; the fields read are kept"));
            }
            Some(identity)
        }
        Ok(NtlmStep::Failed(error)) => {
            session.note(format!("ntlm identity: {error}"));
            None
        }
        Err(_) => {
            session.note(format!(
                "ntlm identity: no ntlm challenge within {}",
                human(config.timeout)
            ));
            None
        }
    }
}
