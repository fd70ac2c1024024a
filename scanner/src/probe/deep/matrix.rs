//! Step 1: the protocol matrix, one Connection Request per protocol, each on its own
//! connection (the SSL|HYBRID|HYBRID_EX answer is the ordinary probe's).

use rdpsweep_reports::deep::MATRIX;
use rdpsweep_reports::{NegFailure, NtlmIdentity, Observation, ProtocolAnswer, SelectedProtocol};
use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};

use super::hooks::{self, McsAttempt, NtlmStep};
use super::{request, security, NotOpened, Session};
use crate::probe::{human, negotiate_as, tls_server_name, upgrade_keep, Negotiation};
use rdpsweep_codec::{NegotiationResponse, SecurityProtocol};

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
        if requested == SecurityProtocol::WINDOWS_CLIENT.bits() {
            out.answers
                .push(from_first_probe(protocol, requested, first));
            continue;
        }
        let mut stream = match session.open(&format!("protocol {protocol}")).await {
            Err(NotOpened) => continue,
            Ok(Err(failure)) => {
                let mut answer = blank(protocol, requested, failure.status);
                answer.error = Some(failure.error);
                out.answers.push(answer);
                continue;
            }
            Ok(Ok(stream)) => stream,
        };
        let nego = negotiate_as(
            &mut stream,
            &request(session.config, requested),
            session.config,
        )
        .await;
        let answer = answer_of(protocol, requested, &nego);
        let credssp = answer
            .selected
            .is_some_and(|s| SecurityProtocol::from_bits_retain(s.0).is_credssp());
        match SecurityProtocol::from_bits_retain(protocol.0) {
            SecurityProtocol::RDP if answer.accepted => {
                let attempt =
                    security::attempt(session.config, &mut stream, security::FIRST_METHOD).await;
                out.first_mcs = Some(attempt);
            }
            SecurityProtocol::HYBRID if credssp => out.ntlm = ntlm_step(session, stream).await,
            SecurityProtocol::HYBRID => session.note(format!(
                "ntlm identity: not applicable, the {requested:#04x} request did not select CredSSP"
            )),
            _ => {}
        }
        out.answers.push(answer);
    }
    out
}

/// The HYBRID_EX row: the ordinary probe sent exactly SSL|HYBRID|HYBRID_EX.
fn from_first_probe(
    protocol: SelectedProtocol,
    requested: u32,
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
    protocol: SelectedProtocol,
    requested: u32,
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
    protocol: SelectedProtocol,
    requested: u32,
    nego: &Negotiation,
) -> ProtocolAnswer {
    let mut answer = blank(protocol, requested, rdpsweep_reports::TcpStatus::Open);
    answer.rdp = Some(nego.status);
    answer.error = nego.error.clone();
    match nego.answer {
        Some(Some(NegotiationResponse::Response {
            protocol: chosen, ..
        })) => {
            answer.selected = Some(SelectedProtocol(chosen.bits()));
        }
        Some(Some(NegotiationResponse::Failure { code })) => {
            answer.neg_failure = Some(NegFailure(code.0));
        }
        Some(None) => {
            answer.selected = Some(SelectedProtocol(SecurityProtocol::RDP.bits()));
            answer.error = Some("a connection confirm without negotiation data".to_string());
        }
        None => {}
    }
    answer.accepted = answer.selected == Some(protocol);
    answer
}

/// TLS on the CredSSP connection, then the NTLM exchange, each within one deadline.
async fn ntlm_step(session: &mut Session<'_>, stream: TcpStream) -> Option<NtlmIdentity> {
    let config = session.config;
    let name = tls_server_name(session.addr.ip(), session.hostname);
    let deadline = Instant::now() + config.timeout;
    let mut tls = match timeout_at(deadline, upgrade_keep(stream, name, config.tls.clone())).await {
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
    let deadline = Instant::now() + config.timeout;
    match timeout_at(deadline, hooks::ntlm_identity(&mut tls)).await {
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
