//! Every host's `hosts.csv` row against the expected row of its specification in the fleet's
//! tables (`rdpsweep_fleet::{mixed, deep, healthy}`): a behaviour added to a table is checked
//! here without a line of test.

use std::collections::HashMap;

use rdpsweep_fleet::spec::{chain_ca_name, Cert, Expect, HostSpec, Issuer, PADDED_VALID_DAYS};
use rdpsweep_fleet::{Profile, CA_COMMON_NAME};

use crate::util::Row;

/// Seconds a measured clock skew may differ from the fleet's offset.
const SKEW_SLACK_S: i64 = 2;

/// The columns only `scan --deep` fills, which a host without an expected deep row leaves empty.
const DEEP_COLUMNS: [&str; 8] = [
    "protocols_accepted",
    "nla_required",
    "tls_versions",
    "rdp_encryption_level",
    "rdp_encryption_methods",
    "rdp_version",
    "ntlm_computer",
    "clock_skew_s",
];

/// Checks the row of every host the fleet listed (`ADDRESS NAME`, in address order from the
/// range's network address) against its specification in `profile`'s table.
pub fn check_rows(profile: Profile, hosts: &[(String, String)], rows: &HashMap<String, Row>) {
    let specs = profile.specs();
    assert!(!hosts.is_empty(), "the fleet listed no host");
    let mut wrong = Vec::new();
    for (offset, (addr, name)) in hosts.iter().enumerate() {
        let spec = &specs[offset % specs.len()];
        assert_eq!(
            name, spec.name,
            "{addr} at offset {offset} plays its table row"
        );
        let row = rows
            .get(addr)
            .unwrap_or_else(|| panic!("no row for {addr} ({name})"));
        for difference in differences(spec, row) {
            wrong.push(format!("{addr} ({name}): {difference}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} rows differ from the {profile} fleet's table:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// How `row` differs from what `spec` says the scan reports.
fn differences(spec: &HostSpec, row: &Row) -> Vec<String> {
    let e: &Expect = &spec.expect;
    let mut wrong = Vec::new();
    exact(&mut wrong, row, "tcp", e.tcp);
    exact(&mut wrong, row, "rdp", e.rdp);
    exact(&mut wrong, row, "selected_protocol", e.selected_protocol);
    exact(&mut wrong, row, "neg_failure", e.neg_failure);
    exact(&mut wrong, row, "tls", e.tls);
    exact(&mut wrong, row, "tls_version", e.tls_version);
    exact(&mut wrong, row, "cert_subject", e.cert_subject);
    exact(&mut wrong, row, "cert_key", e.cert_key);
    exact(&mut wrong, row, "cert_signature", e.cert_signature);
    exact(&mut wrong, row, "findings", &e.findings.join(";"));
    exact(&mut wrong, row, "risk_level", e.risk_level);
    exact(&mut wrong, row, "client_outcome", e.client_outcome);
    match &e.deep {
        Some(deep) => {
            exact(
                &mut wrong,
                row,
                "protocols_accepted",
                deep.protocols_accepted,
            );
            exact(&mut wrong, row, "nla_required", deep.nla_required);
            exact(&mut wrong, row, "tls_versions", deep.tls_versions);
            exact(
                &mut wrong,
                row,
                "rdp_encryption_level",
                deep.rdp_encryption_level,
            );
            exact(
                &mut wrong,
                row,
                "rdp_encryption_methods",
                deep.rdp_encryption_methods,
            );
            exact(&mut wrong, row, "rdp_version", deep.rdp_version);
            exact(&mut wrong, row, "ntlm_computer", deep.ntlm_computer);
            match deep.clock_skew_s {
                None => exact(&mut wrong, row, "clock_skew_s", ""),
                Some(ahead) => {
                    let skew = row["clock_skew_s"].parse::<i64>();
                    if !skew.is_ok_and(|s| (s - ahead).abs() <= SKEW_SLACK_S) {
                        wrong.push(format!(
                            "clock_skew_s is {:?}, not {ahead} ± {SKEW_SLACK_S}",
                            row["clock_skew_s"]
                        ));
                    }
                }
            }
        }
        None => {
            for column in DEEP_COLUMNS {
                exact(&mut wrong, row, column, "");
            }
        }
    }
    match e.error {
        "" => exact(&mut wrong, row, "error", ""),
        fragment if !row["error"].contains(fragment) => {
            wrong.push(format!("error {:?} lacks {fragment:?}", row["error"]))
        }
        _ => {}
    }
    wrong.extend(certificate_differences(spec, row));
    let delay_ms = spec.answers.delay.as_secs_f64() * 1000.0;
    if delay_ms > 0.0 && !row["rdp_ms"].parse::<f64>().is_ok_and(|ms| ms >= delay_ms) {
        wrong.push(format!(
            "rdp_ms {:?} is under the host's {delay_ms} ms delay",
            row["rdp_ms"]
        ));
    }
    wrong
}

/// Notes in `wrong` when the row's `cert_days_left` is not about `to_days`.
fn days_left_about(wrong: &mut Vec<String>, row: &Row, to_days: i64) {
    let days: Option<i64> = row["cert_days_left"].parse().ok();
    if !days.is_some_and(|d| (to_days - 1..=to_days).contains(&d)) {
        wrong.push(format!(
            "cert_days_left {:?}, not about {to_days}",
            row["cert_days_left"]
        ));
    }
}

/// Notes in `wrong` when `row[column]` is not `expected`.
fn exact(wrong: &mut Vec<String>, row: &Row, column: &str, expected: &str) {
    if row[column] != expected {
        wrong.push(format!("{column} is {:?}, not {expected:?}", row[column]));
    }
}

/// How the row's certificate differs from the one the host presents (when the scan saw it):
/// days left, self-signed or issued by the fleet CA, trusted or why not.
fn certificate_differences(spec: &HostSpec, row: &Row) -> Vec<String> {
    let cert = spec.cert;
    if row["cert_subject"].is_empty() {
        return Vec::new();
    }
    let mut wrong = Vec::new();
    let (self_signed, issuer) = match cert {
        Cert::None => return vec!["a certificate the host does not have".into()],
        Cert::Made {
            valid_days: (_, to_days),
            issuer,
            ..
        } => {
            days_left_about(&mut wrong, row, to_days);
            match issuer {
                Issuer::SelfSigned => ("true", row["cert_subject"].clone()),
                Issuer::FleetCa => ("false", CA_COMMON_NAME.to_string()),
                Issuer::LongChain { .. } => ("false", chain_ca_name(1)),
            }
        }
        Cert::Padded { .. } => {
            days_left_about(&mut wrong, row, PADDED_VALID_DAYS.1);
            ("true", row["cert_subject"].clone())
        }
        Cert::WeakFixture => ("true", row["cert_subject"].clone()),
    };
    if row["cert_self_signed"] != self_signed || row["cert_issuer"] != issuer {
        wrong.push(format!(
            "cert_self_signed {:?} and cert_issuer {:?}, not {self_signed} and {issuer:?}",
            row["cert_self_signed"], row["cert_issuer"]
        ));
    }
    // The scan trusts the fleet CA (`--ca-file`): a chain it issued within its dates is
    // trusted, a self-signed one is not, and says so. A long chain whose last CA no anchor
    // names has an unknown issuer, however long it is.
    let (trusted, reason) = match cert {
        Cert::Made {
            valid_days: (from, _),
            ..
        } if from > 0 => ("false", "not_yet_valid"),
        Cert::Made {
            valid_days: (_, to),
            ..
        } if to < 0 => ("false", "expired"),
        Cert::Made {
            issuer: Issuer::LongChain { .. },
            ..
        } => ("false", "unknown_issuer"),
        _ if spec.expect.findings.contains(&"CERT_MALFORMED") => ("false", "unparsable"),
        _ if self_signed == "true" => ("false", "self_signed"),
        _ if spec.expect.findings.contains(&"CERT_NAME_MISMATCH") => ("false", "name_mismatch"),
        _ => ("true", ""),
    };
    if row["cert_trusted"] != trusted || row["cert_untrusted_reason"] != reason {
        wrong.push(format!(
            "cert_trusted {:?} ({:?}), not {trusted} ({reason:?})",
            row["cert_trusted"], row["cert_untrusted_reason"]
        ));
    }
    wrong
}
