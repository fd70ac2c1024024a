//! The README's fleet tables, rendered from the profiles' tables. README.md holds each between
//! [`start_marker`] and [`end_marker`]; a test of this crate fails, printing the expected text,
//! when they differ.

use crate::spec::{Expect, HostSpec};
use crate::Profile;

/// The line before a profile's section in README.md: `<!-- fleet:mixed -->`.
pub fn start_marker(profile: Profile) -> String {
    format!("<!-- fleet:{profile} -->")
}

/// The line after a profile's section in README.md: `<!-- /fleet:mixed -->`.
pub fn end_marker(profile: Profile) -> String {
    format!("<!-- /fleet:{profile} -->")
}

/// A profile's section: one sentence, then the table (offset, name, what the host does, what
/// the scan reports), each line ending in a newline.
pub fn markdown(profile: Profile) -> String {
    let specs = profile.specs();
    let scan = match profile {
        Profile::Mixed | Profile::Healthy | Profile::Hostile => "`scan`",
        Profile::Deep => "`scan --deep`",
    };
    let mut text = match specs.len() {
        1 => format!("In `{profile}`, every address plays the one row:\n\n"),
        n => format!(
            "In `{profile}`, the address at offset *i* from the range's network address plays \
             row *i* mod {n}:\n\n"
        ),
    };
    text.push_str(&format!(
        "| offset | behaviour | what it does | what {scan} reports |\n|---|---|---|---|\n"
    ));
    for (offset, spec) in specs.iter().enumerate() {
        text.push_str(&format!(
            "| {offset} | `{}` | {} | {} |\n",
            cell(spec.name),
            cell(spec.does),
            cell(&reports(spec))
        ));
    }
    text
}

/// What the scan reports for a host, in the words of `hosts.csv`: the ordinary probe's, then
/// the deep probe's, then the findings, risk level and client outcome.
fn reports(spec: &HostSpec) -> String {
    let e: &Expect = &spec.expect;
    let mut parts = Vec::new();
    if e.tcp != "open" {
        word(&mut parts, "tcp", e.tcp);
    }
    word(&mut parts, "rdp", e.rdp);
    word(&mut parts, "selected", e.selected_protocol);
    word(&mut parts, "neg_failure", e.neg_failure);
    word(&mut parts, "tls", e.tls);
    for value in [e.tls_version, e.cert_key, e.cert_signature] {
        if !value.is_empty() {
            parts.push(format!("`{value}`"));
        }
    }
    if !e.cert_subject.is_empty() && e.cert_subject != format!("{}.fleet.test", spec.name) {
        parts.push(format!("subject `{}`", e.cert_subject));
    }
    if !e.error.is_empty() {
        parts.push(format!("error “…{}…”", e.error));
    }
    if let Some(deep) = &e.deep {
        word(&mut parts, "protocols_accepted", deep.protocols_accepted);
        word(&mut parts, "nla_required", deep.nla_required);
        word(&mut parts, "tls_versions", deep.tls_versions);
        word(
            &mut parts,
            "rdp_encryption_level",
            deep.rdp_encryption_level,
        );
        word(
            &mut parts,
            "rdp_encryption_methods",
            deep.rdp_encryption_methods,
        );
        word(&mut parts, "rdp_version", deep.rdp_version);
        word(&mut parts, "ntlm_computer", deep.ntlm_computer);
        if let Some(skew) = deep.clock_skew_s.filter(|s| *s != 0) {
            parts.push(format!("clock {skew} s ahead"));
        }
    }
    let mut text = parts.join(", ");
    let codes: Vec<String> = e.findings.iter().map(|c| format!("`{c}`")).collect();
    match codes.is_empty() {
        true => text.push_str("; no finding"),
        false => text.push_str(&format!("; findings {}", codes.join(", "))),
    }
    text.push_str(&format!("; risk {}", e.risk_level));
    if !e.client_outcome.is_empty() {
        text.push_str(&format!("; client {}", e.client_outcome));
    }
    text
}

/// Adds `` `column=value` `` to `parts`, unless the value is empty.
fn word(parts: &mut Vec<String>, column: &str, value: &str) {
    if !value.is_empty() {
        parts.push(format!("`{column}={value}`"));
    }
}

/// Text safe in a markdown table cell: `|` escaped, control characters written as escapes.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_says_what_the_host_does_and_what_the_scan_reports() {
        let text = markdown(Profile::Mixed);
        let row = text
            .lines()
            .find(|l| l.starts_with("| 2 |"))
            .expect("offset 2");
        assert_eq!(
            row,
            "| 2 | `cert-expired` | selects HYBRID, completes TLS with a certificate that expired \
             30 days ago | `rdp=negotiated`, `selected=hybrid`, `tls=ok`, `TLSv1.3`, `RSA 2048`, \
             `sha256WithRSAEncryption`; findings `CERT_EXPIRED`; risk medium; client warns |"
        );
        assert_eq!(
            text.lines().filter(|l| l.starts_with("| ")).count(),
            1 + Profile::Mixed.specs().len()
        );
    }

    #[test]
    fn cells_escape_pipes_and_control_characters() {
        assert_eq!(cell("ssl|hybrid"), "ssl\\|hybrid");
        assert_eq!(cell("a\r\nb\0"), "a\\r\\nb\\u{0}");
    }
}
