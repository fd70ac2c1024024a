//! The `--deep` parts of the page: the "Deep probe" totals and a host's deep facts.

use std::collections::BTreeMap;
use std::fmt::Write;

use rdpsweep_codec::EncryptionLevel;

use super::escape;
use crate::columns::nla_word;
use crate::deep::{join, DeepObservation, TlsVersion};
use crate::summary::DeepSummary;

/// One row of a small count table: its label, its hosts, and whether the label is a code word
/// (a value of a column) rather than words.
type CountRow = (String, usize, bool);

/// A small table of counts: a caption, then one row per [`CountRow`].
pub(super) fn count_table(out: &mut String, id: &str, caption: &str, rows: &[CountRow]) {
    let _ = writeln!(
        out,
        "<table class=\"status\" id=\"{id}\">\n<caption>{}</caption>\n<thead><tr>\
         <th scope=\"col\">value</th><th scope=\"col\">hosts</th></tr></thead>\n<tbody>",
        escape(caption)
    );
    for (label, count, code) in rows {
        let _ = writeln!(
            out,
            "<tr><td{}>{}</td><td class=\"num\">{count}</td></tr>",
            if *code { " class=\"code\"" } else { "" },
            escape(label)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The rows of one map of [`DeepSummary`], in the order of `keys` (shown as their `label`,
/// a code word when `code`), and the hosts counted under no key as `missing`, when there are
/// any.
pub(super) fn deep_rows(
    map: &BTreeMap<String, usize>,
    keys: &[(&str, &str)],
    code: bool,
    hosts: usize,
    missing: &str,
) -> Vec<CountRow> {
    let mut rows: Vec<CountRow> = keys
        .iter()
        .map(|(key, label)| (label.to_string(), map.get(*key).copied().unwrap_or(0), code))
        .collect();
    let without = hosts.saturating_sub(rows.iter().map(|r| r.1).sum());
    if without > 0 {
        rows.push((missing.to_string(), without, false));
    }
    rows
}

/// The "Deep probe" section: the `deep` counts of the summary, which count every host.
pub(super) fn deep_totals(out: &mut String, deep: &DeepSummary) {
    out.push_str(
        "<section aria-labelledby=\"deep-h\" id=\"deep\">\n<h2 id=\"deep-h\">Deep probe</h2>\n",
    );
    let _ = writeln!(
        out,
        "<p class=\"note\">{} {} probed with <span class=\"code\">--deep</span>: each protocol \
         and TLS version asked for alone, standard RDP security one encryption method at a \
         time, and the NTLM CHALLENGE read (no credentials sent).</p>",
        deep.hosts,
        if deep.hosts == 1 { "host" } else { "hosts" },
    );
    out.push_str("<div class=\"tables\">\n");
    let nla = deep_rows(
        &deep.nla_required,
        &[("true", "yes"), ("false", "no")],
        false,
        deep.hosts,
        "not known (matrix cut short)",
    );
    count_table(out, "deep-nla", "NLA required", &nla);
    let tls: Vec<(&str, &str)> = TlsVersion::ALL
        .iter()
        .map(|v| (v.as_str(), v.as_str()))
        .collect();
    let tls = deep_rows(&deep.tls_min, &tls, true, deep.hosts, "none accepted");
    count_table(out, "deep-tls-min", "Lowest TLS version", &tls);
    let levels: Vec<(&str, &str)> = EncryptionLevel::KNOWN
        .iter()
        .filter_map(|l| l.name())
        .map(|name| (name, name))
        .collect();
    let levels = deep_rows(
        &deep.rdp_encryption_level,
        &levels,
        true,
        deep.hosts,
        "not known (not probed or no answer)",
    );
    count_table(out, "deep-level", "Standard-security level", &levels);
    let ntlm = [
        (
            "computer or domain named".to_string(),
            deep.ntlm_identity,
            false,
        ),
        (
            "clock over 5 minutes off".to_string(),
            deep.clock_skew_over_5min,
            false,
        ),
    ];
    count_table(out, "deep-ntlm", "NTLM CHALLENGE", &ntlm);
    out.push_str("</div>\n</section>\n");
}

/// One riskiest host's deep facts, those it has, as a list of terms.
pub(super) fn deep_facts(out: &mut String, deep: &DeepObservation) {
    let mut facts: Vec<(&str, String)> = Vec::new();
    let protocols = deep.protocols_accepted();
    if !deep.protocols.is_empty() {
        let text = if protocols.is_empty() {
            "none".to_string()
        } else {
            join(&protocols).replace('|', ", ")
        };
        facts.push(("protocols accepted", text));
    }
    if let Some(required) = deep.nla_required() {
        facts.push(("NLA required", nla_word(Some(required)).to_string()));
    }
    if !deep.tls_versions.is_empty() {
        let tls = deep.tls_accepted();
        let text = if tls.is_empty() {
            "none accepted".to_string()
        } else {
            join(&tls).replace('|', ", ")
        };
        facts.push(("TLS versions", text));
    }
    if let Some(security) = &deep.rdp_security {
        let mut parts = Vec::new();
        if let Some(level) = security.level {
            parts.push(format!("level {level}"));
        }
        if !security.methods.is_empty() {
            parts.push(format!(
                "methods {}",
                join(&security.methods).replace('|', ", ")
            ));
        }
        if let Some(version) = security.version {
            parts.push(format!("RDP {version}"));
        }
        if parts.is_empty() {
            parts.push("no answer".to_string());
        }
        facts.push(("standard security", parts.join("; ")));
    }
    if let Some(ntlm) = &deep.ntlm {
        let names = [
            ("NTLM computer", &ntlm.computer),
            ("NTLM domain", &ntlm.domain),
            ("NTLM DNS computer", &ntlm.dns_computer),
            ("NTLM DNS domain", &ntlm.dns_domain),
            ("OS version", &ntlm.os_version),
        ];
        for (term, value) in names {
            if let Some(value) = value {
                facts.push((term, value.clone()));
            }
        }
        if let Some(skew) = ntlm.clock_skew_s {
            let text = match skew {
                0 => "0 s".to_string(),
                1.. => format!("+{skew} s (server ahead)"),
                _ => format!("{skew} s (server behind)"),
            };
            facts.push(("clock skew", text));
        }
    }
    if !deep.notes.is_empty() {
        facts.push(("deep notes", deep.notes.join("; ")));
    }
    out.push_str("<dl class=\"facts deep\">\n");
    for (term, value) in facts {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(term), escape(&value));
    }
    out.push_str("</dl>\n");
}
