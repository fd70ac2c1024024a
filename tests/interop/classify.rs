//! What the real client got, read from xfreerdp 2.11's exit code and the connection-state lines
//! of its debug log (`/log-filters:com.freerdp.core.connection:DEBUG,com.freerdp.core.nego:DEBUG`):
//! it got past the security setup, or it failed in setup.
//!
//! Exit codes of xfreerdp 2.11.7 with `+auth-only` (seen on this suite's servers):
//! - 0: setup completed, `Authentication only, exit status 0` (the connection reached ACTIVE;
//!   FreeRDP then still logs ERRCONNECT_CONNECT_CANCELLED, which is not a failure);
//! - 131: the server disconnected during setup (an ERRINFO_* code), e.g. xrdp's salted-MAC refusal;
//! - 133: security negotiation failed (an RDP_NEG_FAILURE, or a protocol it cannot use);
//! - 136: pre-connect failed (`+auth-only` without a password);
//! - 143: TLS connect failed, a refused certificate included;
//! - 147: transport failed (refused, reset, closed, not RDP, NLA rejected).
//!
//! A run the suite stopped (past its deadline, or once past the bar it waited for) has no exit
//! code: only the furthest state tells. A peer that never answers hangs xfreerdp for ever.

/// The connection states of FreeRDP 2.11 (`CONNECTION_STATE_*`) in the order a client enters
/// them. TLS, the certificate check and CredSSP happen inside NEGO and NLA
/// (`nego_security_connect`); standard RDP security's keys are made during MCS, before LICENSING.
const STATES: [&str; 15] = [
    "INITIAL",
    "NEGO",
    "NLA",
    "MCS_CONNECT",
    "MCS_ERECT_DOMAIN",
    "MCS_ATTACH_USER",
    "MCS_CHANNEL_JOIN",
    "RDP_SECURITY_COMMENCEMENT",
    "SECURE_SETTINGS_EXCHANGE",
    "CONNECT_TIME_AUTO_DETECT",
    "LICENSING",
    "MULTITRANSPORT_BOOTSTRAPPING",
    "CAPABILITIES_EXCHANGE",
    "FINALIZATION",
    "ACTIVE",
];

fn rank(state: &str) -> Option<usize> {
    STATES.iter().position(|s| *s == state)
}

/// The security protocol the client agreed to (`Negotiated ... security`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Standard RDP security.
    Rdp,
    Tls,
    /// CredSSP over TLS (HYBRID).
    Nla,
    /// HYBRID_EX, which FreeRDP 2.11 names but cannot connect.
    Ext,
}

/// Whether the client got past the security setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Got {
    SetupCompleted,
    FailedInSetup,
}

/// How far a client must get to count as past the security setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bar {
    /// Real servers: TLS handshake and certificate check done (the client left NEGO), or
    /// standard RDP security set up (the client reached LICENSING).
    SecuritySetUp,
    /// The simulated fleet, which holds after TLS or after its MCS answer: past TLS and the
    /// certificate check, or past the negotiation of standard RDP security (NLA or MCS reached).
    PastNegotiation,
}

/// One client run, as read from its log.
#[derive(Debug, Clone)]
pub struct ClientRun {
    /// None when the suite stopped the client.
    pub exit: Option<i32>,
    pub security: Option<Security>,
    /// The furthest `CONNECTION_STATE_*` entered after INITIAL.
    pub furthest: Option<&'static str>,
    /// `Authentication only, exit status 0`.
    pub active: bool,
    /// The certificate trust prompt was shown (and refused).
    pub prompted: bool,
    /// The server's `selected_protocol` in its RDP_NEG_RSP (the last one, after retries).
    pub selected: Option<u32>,
    /// The lines that say why, for messages: errors, warnings, the negotiation's result.
    pub evidence: Vec<String>,
}

/// Reads one run of xfreerdp: its exit code (None if stopped) and its output.
pub fn classify(exit: Option<i32>, log: &str) -> ClientRun {
    let mut run = ClientRun {
        exit,
        security: None,
        furthest: None,
        active: false,
        prompted: false,
        selected: None,
        evidence: Vec::new(),
    };
    for line in log.lines() {
        let message = line.split_once("] - ").map_or(line, |(_, m)| m).trim_end();
        if let Some((_, to)) = message.split_once("--> CONNECTION_STATE_") {
            if let Some(r) = rank(to).filter(|&r| r > 0) {
                if run.furthest.and_then(rank).is_none_or(|f| r > f) {
                    run.furthest = Some(STATES[r]);
                }
            }
        } else if let Some(rest) = message.strip_prefix("Negotiated ") {
            run.security = match rest {
                "RDP security" => Some(Security::Rdp),
                "TLS security" => Some(Security::Tls),
                "NLA security" => Some(Security::Nla),
                "EXT security" => Some(Security::Ext),
                _ => run.security,
            };
        } else if let Some(n) = message.strip_prefix("selected_protocol: ") {
            run.selected = n.trim().parse().ok();
        }
        // Whole lines: the prompt has no newline, so the next log line follows it on its line.
        run.active |= line.contains("Authentication only, exit status 0");
        run.prompted |= line.contains("Do you trust the above certificate");
        let telling = ["[ERROR]", "[WARN]"].iter().any(|l| line.contains(l))
            || message.starts_with("Negotiated ")
            || message.starts_with("selected_protocol");
        if telling && !message.starts_with('@') {
            run.evidence.push(message.to_string());
        }
    }
    run
}

impl ClientRun {
    /// Whether the client got past the security setup, by `bar`.
    pub fn got(&self, bar: Bar) -> Got {
        let past = |state: &str| self.furthest.and_then(rank) > rank(state);
        let done = self.active
            || match self.security {
                Some(Security::Tls | Security::Nla | Security::Ext) => past("NEGO"),
                Some(Security::Rdp) => match bar {
                    Bar::SecuritySetUp => past("CONNECT_TIME_AUTO_DETECT"),
                    Bar::PastNegotiation => past("NEGO"),
                },
                None => false,
            };
        match done {
            true => Got::SetupCompleted,
            false => Got::FailedInSetup,
        }
    }

    /// One line: what the client got, how far, and its exit code.
    pub fn summary(&self, bar: Bar) -> String {
        let got = match self.got(bar) {
            Got::SetupCompleted => "completed",
            Got::FailedInSetup => "failed",
        };
        let security = self.security.map_or("-".to_string(), |s| format!("{s:?}"));
        let exit = self
            .exit
            .map_or("stopped".to_string(), |c| format!("exit {c}"));
        let prompt = if self.prompted {
            ", prompt refused"
        } else {
            ""
        };
        format!(
            "{got} ({security}/{}, {exit}{prompt})",
            self.furthest.unwrap_or("-")
        )
    }
}

/// A log excerpt committed in `data/` (real xfreerdp 2.11 output), for the unit tests.
pub fn data(name: &str) -> String {
    let path = format!(
        "{}/../tests/interop/data/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_that_reached_active_completed_setup() {
        // xrdp, TLS, a CA-issued certificate for the name given, the CA trusted: exit 0.
        let run = classify(Some(0), &data("tls-active.log"));
        assert!(run.active);
        assert_eq!(run.security, Some(Security::Tls));
        assert_eq!(run.furthest, Some("ACTIVE"));
        assert_eq!(run.got(Bar::SecuritySetUp), Got::SetupCompleted);
        assert_eq!(
            run.summary(Bar::SecuritySetUp),
            "completed (Tls/ACTIVE, exit 0)"
        );
    }

    #[test]
    fn a_refused_certificate_fails_in_setup_at_nego() {
        // The trust prompt answered N: exit 143 without leaving NEGO.
        let run = classify(Some(143), &data("tls-certificate-refused.log"));
        assert!(run.prompted);
        assert_eq!(run.furthest, Some("NEGO"));
        assert_eq!(run.got(Bar::SecuritySetUp), Got::FailedInSetup);
        assert_eq!(run.got(Bar::PastNegotiation), Got::FailedInSetup);
        assert!(run
            .evidence
            .iter()
            .any(|l| l.contains("ERRCONNECT_TLS_CONNECT_FAILED")));
    }

    #[test]
    fn standard_security_set_up_then_cut_at_licensing_counts_as_past_setup() {
        // xrdp deb12u3 at crypt_level low refuses FreeRDP's salted MACs on the first encrypted
        // PDU: the keys were made, the server then logs the user off (exit 131).
        let run = classify(Some(131), &data("rdp-disconnected-at-licensing.log"));
        assert_eq!(run.security, Some(Security::Rdp));
        assert_eq!(run.furthest, Some("LICENSING"));
        assert!(!run.active);
        assert_eq!(run.got(Bar::SecuritySetUp), Got::SetupCompleted);
    }

    #[test]
    fn standard_security_closed_during_mcs_is_past_negotiation_only() {
        // xrdp with security_layer=tls, client /sec:rdp: closed at MCS_CONNECT (exit 147).
        let run = classify(Some(147), &data("rdp-closed-at-mcs-connect.log"));
        assert_eq!(run.furthest, Some("MCS_CONNECT"));
        assert_eq!(run.got(Bar::SecuritySetUp), Got::FailedInSetup);
        assert_eq!(run.got(Bar::PastNegotiation), Got::SetupCompleted);
    }

    #[test]
    fn a_negotiation_failure_fails_in_setup() {
        let run = classify(Some(133), &data("negotiation-failure.log"));
        assert_eq!(run.security, None);
        assert_eq!(run.got(Bar::PastNegotiation), Got::FailedInSetup);
        assert!(run
            .evidence
            .iter()
            .any(|l| l.contains("HYBRID_REQUIRED_BY_SERVER")));
    }

    #[test]
    fn a_stopped_run_is_judged_by_its_furthest_state() {
        // The fleet holds after TLS: the client entered NLA (TLS and certificate done).
        let held = classify(None, &data("nla-stopped.log"));
        assert_eq!(
            (held.security, held.furthest),
            (Some(Security::Nla), Some("NLA"))
        );
        assert_eq!(held.got(Bar::PastNegotiation), Got::SetupCompleted);
        assert_eq!(
            held.summary(Bar::PastNegotiation),
            "completed (Nla/NLA, stopped)"
        );
        // A silent peer: nothing after the Connection Request.
        let silent = classify(None, &data("silent-stopped.log"));
        assert_eq!((silent.security, silent.furthest), (None, Some("NEGO")));
        assert_eq!(silent.got(Bar::PastNegotiation), Got::FailedInSetup);
    }

    #[test]
    fn hybrid_ex_selected_is_a_negotiation_failure_for_freerdp_2() {
        // FreeRDP 2.11 requested SSL|HYBRID (3); the host selected HYBRID_EX (8) anyway.
        let run = classify(Some(133), &data("hybrid-ex-selected.log"));
        assert_eq!(run.selected, Some(8));
        assert_eq!(run.got(Bar::PastNegotiation), Got::FailedInSetup);
    }
}
