//! Step 3: standard RDP security, one encryption method offered per connection. The first
//! attempt rides on the protocol matrix's PROTOCOL_RDP connection; the others run only when
//! that request was accepted (so a host without standard security gets no connection for them).

use rdpsweep_codec::{EncryptionMethod, SecurityProtocol};
use rdpsweep_reports::{ProtocolAnswer, RdpSecurity, TcpStatus};
use tokio::time::{timeout_at, Instant};

use super::hooks::{self, McsAttempt};
use super::{request, Opened, Session};
use crate::probe::{deadline, human, ProbeConfig};
use crate::wire::{Conn, Framed};

/// The method the PROTOCOL_RDP matrix connection offers.
pub(super) const FIRST_METHOD: EncryptionMethod = EncryptionMethod::BIT_40;

/// One attempt on a connection whose Confirm selected PROTOCOL_RDP, within one stage deadline.
pub(super) async fn attempt(
    config: &ProbeConfig,
    framed: &mut Framed<Conn>,
    method: EncryptionMethod,
) -> McsAttempt {
    let deadline = deadline(Instant::now(), config.timeout);
    match timeout_at(deadline, hooks::standard_security(framed, method)).await {
        Ok(attempt) => attempt,
        Err(_) => McsAttempt::Refused(format!(
            "no mcs connect response within {}",
            human(config.timeout)
        )),
    }
}

/// Offers the remaining methods, one connection each, once the first attempt was made, and
/// sums up. `None` when there was no first attempt (PROTOCOL_RDP not accepted, or not asked);
/// `rdp_answer`, the matrix's answer to the PROTOCOL_RDP request, then says why.
pub(super) async fn run(
    session: &mut Session<'_>,
    first: Option<McsAttempt>,
    rdp_answer: Option<&ProtocolAnswer>,
) -> Option<RdpSecurity> {
    let first = match first {
        Some(first) => first,
        None => {
            if let Some(why) = rdp_answer.and_then(why_not_probed) {
                session.note(why);
            }
            return None;
        }
    };
    let mut attempts = vec![(FIRST_METHOD, first)];
    for method in EncryptionMethod::ALL
        .into_iter()
        .filter(|&m| m != FIRST_METHOD)
    {
        let framed = match session.open(&format!("standard security {method}")).await {
            Opened::Skipped => continue,
            Opened::Failed(failure) => {
                let why = format!("tcp {}: {}", failure.status, failure.error);
                attempts.push((method, McsAttempt::Refused(why)));
                continue;
            }
            Opened::Connected(framed) => framed,
        };
        let link = session.link;
        let request = request(session, SecurityProtocol::RDP);
        let is_rdp = |p: SecurityProtocol| p == SecurityProtocol::RDP;
        let result = match link
            .reselect(framed, &request, is_rdp, "PROTOCOL_RDP")
            .await
        {
            Ok(mut framed) => attempt(link.config, &mut framed, method).await,
            Err(why) => McsAttempt::Refused(why),
        };
        attempts.push((method, result));
    }
    Some(summarize(&attempts))
}

/// Why standard security was not probed after this answer to the PROTOCOL_RDP request, in the
/// words of what happened: the server refused PROTOCOL_RDP, chose another protocol, or never
/// answered (a failed TCP connect or no Connection Confirm says nothing about what it
/// accepts). `None` when the request was accepted.
fn why_not_probed(answer: &ProtocolAnswer) -> Option<String> {
    const STEP: &str = "standard security";
    let detail = || {
        answer
            .error
            .as_deref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default()
    };
    if answer.accepted {
        return None;
    }
    if answer.tcp != TcpStatus::Open {
        return Some(format!(
            "{STEP}: not probed, the PROTOCOL_RDP request's connection failed (tcp {}{})",
            answer.tcp,
            detail()
        ));
    }
    if let Some(failure) = answer.neg_failure {
        return Some(format!(
            "{STEP}: not applicable, PROTOCOL_RDP was refused with rdp_neg_failure {failure}"
        ));
    }
    if let Some(other) = answer.selected {
        return Some(format!(
            "{STEP}: not applicable, PROTOCOL_RDP was not accepted (the server selected {other})"
        ));
    }
    let rdp = answer
        .rdp
        .map(|status| format!("rdp {status}"))
        .unwrap_or_else(|| "no answer".to_string());
    Some(format!(
        "{STEP}: not probed, the PROTOCOL_RDP request got no connection confirm ({rdp}{})",
        detail()
    ))
}

/// Level, version and accepted methods from the attempts: a method is accepted when the
/// Connect Response names exactly it; level and version are the first Connect Response's.
fn summarize(attempts: &[(EncryptionMethod, McsAttempt)]) -> RdpSecurity {
    let mut out = RdpSecurity::default();
    for &(offered, ref attempt) in attempts {
        let line = match attempt {
            McsAttempt::Answered(data) => {
                if data.encryption_method == offered {
                    out.methods.push(offered);
                }
                out.level = out.level.or(Some(data.encryption_level));
                out.version = out.version.or(Some(data.version));
                format!(
                    "answered with method {}, level {}",
                    data.encryption_method, data.encryption_level
                )
            }
            McsAttempt::Refused(why) => why.clone(),
        };
        out.attempts.push(format!("{offered}: {line}"));
    }
    out.methods
        .sort_by_key(|m| EncryptionMethod::ALL.iter().position(|a| a == m));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdpsweep_codec::{EncryptionLevel, RdpVersion, ServerData};
    use EncryptionMethod as M;

    fn answered(method: EncryptionMethod, level: EncryptionLevel) -> McsAttempt {
        McsAttempt::Answered(ServerData {
            version: RdpVersion::RDP_5_PLUS,
            encryption_method: method,
            encryption_level: level,
        })
    }

    #[test]
    fn only_methods_the_server_named_are_accepted() {
        let compatible = EncryptionLevel::CLIENT_COMPATIBLE;
        let security = summarize(&[
            (M::BIT_40, McsAttempt::Refused("closed".into())),
            (M::BIT_56, answered(M::BIT_128, compatible)),
            (M::BIT_128, answered(M::BIT_128, compatible)),
            (M::FIPS, answered(M::FIPS, compatible)),
        ]);
        assert_eq!(security.methods, [M::BIT_128, M::FIPS]);
        assert_eq!(security.level, Some(compatible));
        assert_eq!(security.version, Some(RdpVersion(0x0008_0004)));
        assert_eq!(
            security.attempts,
            [
                "40bit: closed",
                "56bit: answered with method 128bit, level client-compatible",
                "128bit: answered with method 128bit, level client-compatible",
                "fips: answered with method fips, level client-compatible",
            ]
        );
    }

    /// The PROTOCOL_RDP request's answer, as the matrix records it.
    fn rdp_answer(tcp: TcpStatus) -> ProtocolAnswer {
        super::super::matrix::blank(SecurityProtocol::RDP, SecurityProtocol::RDP, tcp)
    }

    #[test]
    fn the_note_says_what_happened_to_the_protocol_rdp_request() {
        use rdpsweep_codec::FailureCode;
        use rdpsweep_reports::RdpStatus;
        let accepted = ProtocolAnswer {
            rdp: Some(RdpStatus::Negotiated),
            selected: Some(SecurityProtocol::RDP),
            accepted: true,
            ..rdp_answer(TcpStatus::Open)
        };
        assert_eq!(why_not_probed(&accepted), None);

        let refused = ProtocolAnswer {
            rdp: Some(RdpStatus::Failure),
            neg_failure: Some(FailureCode::SSL_REQUIRED_BY_SERVER),
            ..rdp_answer(TcpStatus::Open)
        };
        assert_eq!(
            why_not_probed(&refused).as_deref(),
            Some("standard security: not applicable, PROTOCOL_RDP was refused with rdp_neg_failure ssl_required")
        );
        let other = ProtocolAnswer {
            rdp: Some(RdpStatus::Negotiated),
            selected: Some(SecurityProtocol::SSL),
            ..rdp_answer(TcpStatus::Open)
        };
        assert_eq!(
            why_not_probed(&other).as_deref(),
            Some("standard security: not applicable, PROTOCOL_RDP was not accepted (the server selected ssl)")
        );

        // No answer at all says nothing about what the server accepts.
        let filtered = ProtocolAnswer {
            error: Some("no tcp answer within 2s".into()),
            ..rdp_answer(TcpStatus::Timeout)
        };
        assert_eq!(
            why_not_probed(&filtered).as_deref(),
            Some("standard security: not probed, the PROTOCOL_RDP request's connection failed (tcp timeout: no tcp answer within 2s)")
        );
        let silent = ProtocolAnswer {
            rdp: Some(RdpStatus::Timeout),
            error: Some("no connection confirm within 5s (0 bytes received)".into()),
            ..rdp_answer(TcpStatus::Open)
        };
        assert_eq!(
            why_not_probed(&silent).as_deref(),
            Some("standard security: not probed, the PROTOCOL_RDP request got no connection confirm (rdp timeout: no connection confirm within 5s (0 bytes received))")
        );
        for status in [RdpStatus::Closed, RdpStatus::Reset, RdpStatus::NotRdp] {
            let answer = ProtocolAnswer {
                rdp: Some(status),
                ..rdp_answer(TcpStatus::Open)
            };
            let note = why_not_probed(&answer).expect("a note");
            assert!(
                note.contains("not probed") && !note.contains("not accepted"),
                "{note}"
            );
        }
    }

    #[test]
    fn level_none_accepts_no_method() {
        let security = summarize(&[(M::BIT_40, answered(M::NONE, EncryptionLevel::NONE))]);
        assert!(security.methods.is_empty());
        assert_eq!(security.level, Some(EncryptionLevel::NONE));
        assert_eq!(
            security.attempts,
            ["40bit: answered with method none, level none"]
        );
    }

    #[test]
    fn a_combination_of_methods_accepts_none_and_odd_values_are_written_as_seen() {
        let odd = answered(M::BIT_40 | M::BIT_128, EncryptionLevel(7));
        let security = summarize(&[(M::BIT_40, odd)]);
        assert!(security.methods.is_empty());
        assert_eq!(security.level, Some(EncryptionLevel(7)));
        assert_eq!(
            security.attempts,
            ["40bit: answered with method 40bit|128bit, level unknown(7)"]
        );
    }
}
