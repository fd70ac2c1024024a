//! The comparison, host by host: what `rdpsweep scan` predicts (`client_outcome`, the trust
//! columns, the level and the rank) against what the real client got.
//!
//! `client_outcome` must be `fails` where the lenient client failed in setup, `warns` where only
//! the strict client failed, `connects` where both completed, and empty where TCP did not
//! connect (0x204, not 0x904). Two documented differences between FreeRDP 2.11 and the
//! Microsoft client the scanner models are named where they apply ([`STANDARD_SECURITY`],
//! [`HYBRID_EX`]) and asserted as what each side does.

use std::collections::HashMap;
use std::net::SocketAddr;

use crate::classify::{Bar, ClientRun, Got, Security};
use crate::util::{rdpsweep, read_hosts_csv, stderr, Row, TestDir};

/// FreeRDP does not authenticate the server under standard RDP security: no certificate check
/// and no trust prompt whatever `/cert` says (observed with xrdp, weston and freerdp-shadow: the
/// strict run completes; FreeRDP verifies certificates on its TLS transport only, libfreerdp
/// `tls_verify_certificate`). Nor could it: the server's proprietary certificate is signed with
/// the Terminal Services key whose private half MS-RDPBCGR 5.3.3.1.1 publishes. The Microsoft
/// client warns that the server's identity cannot be verified, and refuses under "Do not connect
/// if authentication fails". So FreeRDP's strict run completes where the scanner says `warns`.
pub const STANDARD_SECURITY: &str = "FreeRDP does not authenticate the server under standard RDP \
     security (its strict run completes); the Microsoft client warns: expected warns";

/// FreeRDP 2.11 requests SSL|HYBRID (0x3), not HYBRID_EX, and cannot connect HYBRID_EX at all
/// (it logs "cannot connect security layer because no protocol has been selected yet",
/// libfreerdp/core/nego.c `nego_security_connect`). The Microsoft client requests
/// SSL|HYBRID|HYBRID_EX (0xB) and connects, as the scanner does; a host that selects HYBRID_EX
/// is not comparable, and must not be predicted to fail for it.
pub const HYBRID_EX: &str = "the host selected HYBRID_EX, which FreeRDP 2.11 neither requests \
     nor connects; the Microsoft client does: not comparable, expected not fails";

/// One host: where it is, what the client got as each user, what is known of its certificate.
pub struct Host {
    pub label: String,
    pub addr: SocketAddr,
    pub lenient: ClientRun,
    pub strict: ClientRun,
    /// The certificate's name matches the name the host was scanned by: known for the real
    /// servers (scanned as `localhost`), unknown for the fleet (scanned by address).
    pub name_matches: Option<bool>,
}

/// What the scan must say of a host in `client_outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Is(&'static str),
    /// [`HYBRID_EX`]: FreeRDP cannot tell; the scanner must not say `fails`.
    NotFails,
}

/// What FreeRDP's two runs say, in the scanner's words, and the difference that applies.
pub fn expected(host: &Host, tcp_open: bool, bar: Bar) -> (Expected, Option<&'static str>) {
    let (lenient, strict) = (host.lenient.got(bar), host.strict.got(bar));
    if !tcp_open {
        return (Expected::Is(""), None);
    }
    if lenient == Got::FailedInSetup && host.lenient.selected == Some(8) {
        return (Expected::NotFails, Some(HYBRID_EX));
    }
    match (lenient, host.lenient.security, strict) {
        (Got::FailedInSetup, _, _) => (Expected::Is("fails"), None),
        (_, Some(Security::Rdp), _) => (Expected::Is("warns"), Some(STANDARD_SECURITY)),
        (_, _, Got::FailedInSetup) => (Expected::Is("warns"), None),
        _ => (Expected::Is("connects"), None),
    }
}

/// Under `--client-policy strict` (clients that enforce server authentication) every host that
/// would warn fails.
pub fn expected_strict(default: Expected) -> Expected {
    match default {
        Expected::Is("warns") => Expected::Is("fails"),
        other => other,
    }
}

/// The value of column `name`, with a message naming the columns there are when it is absent.
pub fn column<'a>(row: &'a Row, name: &str) -> &'a str {
    row.get(name).map(String::as_str).unwrap_or_else(|| {
        let mut names: Vec<&String> = row.keys().collect();
        names.sort();
        panic!("hosts.csv has no `{name}` column; it has {names:?}")
    })
}

/// Runs `rdpsweep scan ARGS` into `DIR/NAME` and returns the `hosts.csv` rows by address.
pub fn scan(dir: &TestDir, name: &str, args: &[String]) -> HashMap<SocketAddr, Row> {
    let out_dir = dir.join(name);
    let out = rdpsweep()
        .arg("scan")
        .args(args)
        .args([
            "--timeout",
            "3s",
            "--connect-timeout",
            "1s",
            "--retries",
            "0",
            "-q",
        ])
        .arg("-o")
        .arg(&out_dir)
        .output()
        .expect("run rdpsweep scan");
    assert_eq!(
        out.status.code(),
        Some(0),
        "rdpsweep scan {args:?} failed: {}",
        stderr(&out)
    );
    read_hosts_csv(&out_dir)
        .1
        .into_iter()
        .map(|row| {
            let addr = format!("{}:{}", column(&row, "ip"), column(&row, "port"));
            let addr = match addr.parse() {
                Ok(a) => a,
                Err(_) => format!("[{}]:{}", column(&row, "ip"), column(&row, "port"))
                    .parse()
                    .expect("an address in hosts.csv"),
            };
            (addr, row)
        })
        .collect()
}

/// Prints what the client got on each host, as both users.
pub fn print_clients(hosts: &[Host], bar: Bar) {
    for host in hosts {
        println!(
            "{:<30} lenient {:<40} strict {}",
            host.label,
            host.lenient.summary(bar),
            host.strict.summary(bar)
        );
    }
}

/// Checks every host's row against the client (`strict_policy`: the scan ran with
/// `--client-policy strict`); returns the disagreements, one line each.
pub fn disagreements(
    hosts: &[Host],
    rows: &HashMap<SocketAddr, Row>,
    bar: Bar,
    strict_policy: bool,
) -> Vec<String> {
    let mut wrong = Vec::new();
    println!(
        "{:<30} {:<10} {:<14} {:<12} {:<15} outcome_reason",
        "host", "expected", "client_outcome", "cert_trusted", "cert_name_match"
    );
    for host in hosts {
        let Some(row) = rows.get(&host.addr) else {
            wrong.push(format!(
                "{}: no row for {} in hosts.csv",
                host.label, host.addr
            ));
            continue;
        };
        let (default, difference) = expected(host, column(row, "tcp") == "open", bar);
        let want = match strict_policy {
            true => expected_strict(default),
            false => default,
        };
        let cell = |name: &str| row.get(name).map_or("<no column>", String::as_str);
        println!(
            "{:<30} {:<10} {:<14} {:<12} {:<15} {}",
            host.label,
            match want {
                Expected::Is(w) => w,
                Expected::NotFails => "not fails",
            },
            cell("client_outcome"),
            cell("cert_trusted"),
            cell("cert_name_match"),
            cell("outcome_reason")
        );
        let got = column(row, "client_outcome");
        let agrees = match want {
            Expected::Is(w) => got == w,
            Expected::NotFails => got != "fails",
        };
        if !agrees {
            wrong.push(format!(
                "{} ({}): client_outcome {got:?}, the client says {want:?}{}; lenient: {} {:?}; \
                 strict: {} {:?}",
                host.label,
                host.addr,
                difference.map(|d| format!(" ({d})")).unwrap_or_default(),
                host.lenient.summary(bar),
                host.lenient.evidence,
                host.strict.summary(bar),
                host.strict.evidence,
            ));
        }
        if difference == Some(STANDARD_SECURITY) && host.strict.got(bar) != Got::SetupCompleted {
            wrong.push(format!(
                "{}: FreeRDP's strict run failed under standard RDP security, which it does not \
                 authenticate: {:?}",
                host.label, host.strict.evidence
            ));
        }
        wrong.extend(trust_disagreements(host, row, bar));
    }
    wrong.extend(rank_disagreements(rows));
    wrong
}

/// `cert_trusted` and `cert_name_match` where the client and the configuration make them known:
/// over TLS, the strict client (which trusts the test CA only and checks the name) completes
/// exactly when the certificate is trusted for the name, and refuses it at the prompt otherwise.
fn trust_disagreements(host: &Host, row: &Row, bar: Bar) -> Vec<String> {
    let mut wrong = Vec::new();
    let over_tls = matches!(host.lenient.security, Some(Security::Tls | Security::Nla))
        && host.lenient.got(bar) == Got::SetupCompleted;
    if !over_tls {
        return wrong;
    }
    let trusted = match (host.strict.got(bar), host.strict.prompted) {
        (Got::SetupCompleted, _) => Some("true"),
        (Got::FailedInSetup, true) => Some("false"),
        _ => None,
    };
    if let Some(want) = trusted {
        let got = column(row, "cert_trusted");
        if got != want {
            wrong.push(format!(
                "{}: cert_trusted {got:?}, the strict client says {want:?} ({})",
                host.label,
                host.strict.summary(bar)
            ));
        }
    }
    if let Some(matches) = host.name_matches {
        let got = column(row, "cert_name_match");
        if got != matches.to_string() {
            wrong.push(format!(
                "{}: cert_name_match {got:?}, the certificate is {} the name scanned",
                host.label,
                if matches { "for" } else { "not for" }
            ));
        }
    }
    wrong
}

/// `high` means `fails` now, and every `fails` host ranks above every other.
fn rank_disagreements(rows: &HashMap<SocketAddr, Row>) -> Vec<String> {
    let mut wrong = Vec::new();
    let rank = |row: &Row| -> u64 { column(row, "rank").parse().expect("a numeric rank") };
    let failing = rows
        .values()
        .filter(|r| column(r, "client_outcome") == "fails");
    let others = rows
        .values()
        .filter(|r| column(r, "client_outcome") != "fails");
    let last_failing = failing.clone().map(rank).max();
    let first_other = others.map(rank).min();
    if let (Some(f), Some(o)) = (last_failing, first_other) {
        if f > o {
            wrong.push(format!(
                "a host that fails ranks {f}, below a host that does not at rank {o}"
            ));
        }
    }
    for row in rows.values() {
        let (outcome, level) = (column(row, "client_outcome"), column(row, "risk_level"));
        if (outcome == "fails") != (level == "high") {
            wrong.push(format!(
                "{}:{}: client_outcome {outcome:?} with risk_level {level:?} (high means fails)",
                column(row, "ip"),
                column(row, "port")
            ));
        }
    }
    wrong
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{classify, data};

    fn host(lenient: (Option<i32>, &str), strict: (Option<i32>, &str)) -> Host {
        Host {
            label: "test".to_string(),
            addr: "127.0.0.1:23600".parse().unwrap(),
            lenient: classify(lenient.0, &data(lenient.1)),
            strict: classify(strict.0, &data(strict.1)),
            name_matches: None,
        }
    }

    const ACTIVE: (Option<i32>, &str) = (Some(0), "tls-active.log");
    const REFUSED: (Option<i32>, &str) = (Some(143), "tls-certificate-refused.log");

    #[test]
    fn the_two_users_say_connects_warns_or_fails() {
        let bar = Bar::SecuritySetUp;
        let connects = host(ACTIVE, ACTIVE);
        assert_eq!(
            expected(&connects, true, bar),
            (Expected::Is("connects"), None)
        );
        let warns = host(ACTIVE, REFUSED);
        assert_eq!(expected(&warns, true, bar), (Expected::Is("warns"), None));
        let fails = host((Some(133), "negotiation-failure.log"), REFUSED);
        assert_eq!(expected(&fails, true, bar), (Expected::Is("fails"), None));
        // Refused or unreachable: nothing to predict, whatever the client got.
        assert_eq!(expected(&fails, false, bar), (Expected::Is(""), None));
    }

    #[test]
    fn the_documented_differences_are_named() {
        let rdp = (Some(131), "rdp-disconnected-at-licensing.log");
        assert_eq!(
            expected(&host(rdp, rdp), true, Bar::SecuritySetUp),
            (Expected::Is("warns"), Some(STANDARD_SECURITY))
        );
        let ext = (Some(133), "hybrid-ex-selected.log");
        assert_eq!(
            expected(&host(ext, ext), true, Bar::PastNegotiation),
            (Expected::NotFails, Some(HYBRID_EX))
        );
    }

    #[test]
    fn the_strict_client_policy_turns_warnings_into_failures() {
        assert_eq!(
            expected_strict(Expected::Is("warns")),
            Expected::Is("fails")
        );
        assert_eq!(
            expected_strict(Expected::Is("connects")),
            Expected::Is("connects")
        );
        assert_eq!(expected_strict(Expected::Is("")), Expected::Is(""));
    }
}
