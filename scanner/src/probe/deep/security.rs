//! Step 3: standard RDP security, one encryption method offered per connection. The first
//! attempt rides on the protocol matrix's PROTOCOL_RDP connection; the others run only when
//! that request was accepted (so a host without standard security gets no connection for them).

use rdpsweep_reports::{EncryptionMethod, RdpSecurity};
use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};

use super::hooks::{self, McsAttempt};
use super::{request, selected, NotOpened, Session};
use crate::probe::{human, negotiate_as, ProbeConfig};
use crate::proto::SecurityProtocol;

/// The method the PROTOCOL_RDP matrix connection offers.
pub(super) const FIRST_METHOD: EncryptionMethod = EncryptionMethod::Bits40;

/// One attempt on a stream whose Confirm selected PROTOCOL_RDP, within one stage deadline.
pub(super) async fn attempt(
    config: &ProbeConfig,
    stream: &mut TcpStream,
    method: EncryptionMethod,
) -> McsAttempt {
    let deadline = Instant::now() + config.timeout;
    match timeout_at(deadline, hooks::standard_security(stream, method)).await {
        Ok(attempt) => attempt,
        Err(_) => McsAttempt::Refused(format!(
            "no mcs connect response within {}",
            human(config.timeout)
        )),
    }
}

/// Offers the remaining methods, one connection each, once the first attempt was made, and
/// sums up. `None` when there was no first attempt (PROTOCOL_RDP not accepted, or not asked).
pub(super) async fn run(
    session: &mut Session<'_>,
    first: Option<McsAttempt>,
    rdp_accepted: Option<bool>,
) -> Option<RdpSecurity> {
    let first = match first {
        Some(first) => first,
        None => {
            if rdp_accepted == Some(false) {
                session.note("standard security: not applicable, PROTOCOL_RDP was not accepted");
            }
            return None;
        }
    };
    let mut attempts = vec![(FIRST_METHOD, first)];
    for &method in EncryptionMethod::ALL.iter().filter(|&&m| m != FIRST_METHOD) {
        let mut stream = match session.open(&format!("standard security {method}")).await {
            Err(NotOpened) => continue,
            Ok(Err(failure)) => {
                let why = format!("tcp {}: {}", failure.status, failure.error);
                attempts.push((method, McsAttempt::Refused(why)));
                continue;
            }
            Ok(Ok(stream)) => stream,
        };
        let rdp = SecurityProtocol::RDP.0;
        let nego = negotiate_as(&mut stream, &request(session.config, rdp), session.config).await;
        let result = if selected(&nego) == Some(SecurityProtocol::RDP) {
            attempt(session.config, &mut stream, method).await
        } else {
            McsAttempt::Refused("the server did not select PROTOCOL_RDP again".to_string())
        };
        attempts.push((method, result));
    }
    Some(summarize(&attempts))
}

/// Level, version and accepted methods from the attempts: a method is accepted when the
/// Connect Response names it.
fn summarize(attempts: &[(EncryptionMethod, McsAttempt)]) -> RdpSecurity {
    let mut out = RdpSecurity::default();
    for (offered, attempt) in attempts {
        let line = match attempt {
            McsAttempt::Answered {
                method,
                level,
                version,
            } => {
                if *method == Some(*offered) {
                    out.methods.push(*offered);
                }
                out.level = out.level.or(*level);
                out.version = out.version.or(*version);
                format!(
                    "answered with method {}, level {}",
                    word(method),
                    word(level)
                )
            }
            McsAttempt::Refused(why) => why.clone(),
        };
        out.attempts.push(format!("{offered}: {line}"));
    }
    out.methods.sort();
    out
}

fn word<T: ToString>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map(T::to_string)
        .unwrap_or_else(|| "none".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdpsweep_reports::{EncryptionLevel, RdpVersion};

    fn answered(method: Option<EncryptionMethod>, level: u32) -> McsAttempt {
        McsAttempt::Answered {
            method,
            level: EncryptionLevel::from_wire(level),
            version: Some(RdpVersion(0x0008_0004)),
        }
    }

    #[test]
    fn only_methods_the_server_named_are_accepted() {
        use EncryptionMethod::*;
        let security = summarize(&[
            (Bits40, McsAttempt::Refused("closed".into())),
            (Bits56, answered(Some(Bits128), 2)),
            (Bits128, answered(Some(Bits128), 2)),
            (Fips, answered(Some(Fips), 2)),
        ]);
        assert_eq!(security.methods, [Bits128, Fips]);
        assert_eq!(security.level, Some(EncryptionLevel::ClientCompatible));
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

    #[test]
    fn level_none_accepts_no_method() {
        let security = summarize(&[(EncryptionMethod::Bits40, answered(None, 0))]);
        assert!(security.methods.is_empty());
        assert_eq!(security.level, Some(EncryptionLevel::None));
    }
}
