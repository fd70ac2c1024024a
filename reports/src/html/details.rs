//! "Host details": every host of the table, folded (`<details>`), each with what a client gets
//! and why, its certificate and trust, its deep facts and its findings with their evidence;
//! each finding's fix is its step of the remediation plan, linked.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::deep::deep_facts;
use super::history::history_fact;
use super::hosts::endpoint;
use super::{escape, escape_into, Escaping};
use crate::columns::codes;
use crate::findings::FindingCode;
use crate::history::History;
use crate::page::PageExtras;
use crate::ranking::RankedHost;
use crate::timestamp;

/// The section: one folded `<details id="host-RANK">` per host, in rank order.
pub(super) fn host_details(
    out: &mut String,
    hosts: &[RankedHost],
    steps: &BTreeMap<FindingCode, usize>,
    extras: &PageExtras,
    hand_over: &mut dyn FnMut(&mut String),
) {
    if hosts.is_empty() {
        return;
    }
    out.push_str(
        "<section aria-labelledby=\"details-h\" id=\"details\">\n\
         <h2 id=\"details-h\">Host details</h2>\n\
         <p class=\"note\">Every host of the table, folded: open one for what a client gets and \
         why, its certificate, and its findings with their evidence (each finding's fix is its \
         step of the remediation plan). Printing prints the hosts that are open.</p>\n\
         <div id=\"host-details\">\n",
    );
    for host in hosts {
        detail(out, host, steps, extras.history.as_ref());
        hand_over(out);
    }
    out.push_str("</div>\n</section>\n");
}

fn detail(
    out: &mut String,
    host: &RankedHost,
    steps: &BTreeMap<FindingCode, usize>,
    history: Option<&History>,
) {
    let o = &host.observation;
    let a = &host.assessment;
    let level = a.level.as_str();
    let _ = write!(
        out,
        "<details class=\"detail\" id=\"host-{rank}\" data-rank=\"{rank}\"><summary>\
         <span class=\"level {level}\">{level}</span> <span class=\"code\">{}</span>",
        escape(&endpoint(o)),
        rank = host.rank,
    );
    if let (Some(_), Some(name)) = (o.ip, &o.hostname) {
        let _ = write!(out, " {}", escape(name));
    }
    match &a.outcome {
        Some(p) => {
            let _ = write!(out, " · {}", p.outcome);
        }
        None => out.push_str(" · no listener"),
    }
    if !a.findings.is_empty() {
        out.push_str(" · <span class=\"code\">");
        codes(host, " ", out);
        out.push_str("</span>");
    }
    out.push_str("</summary>\n");
    let _ = write!(
        out,
        "<p>rank {}, score {}; last stage <span class=\"code\">",
        host.rank, a.score,
    );
    // Words of the record's vocabulary (`tls=ok`): nothing to escape.
    o.write_outcome(out);
    out.push_str("</span>. ");
    match &a.outcome {
        Some(p) => {
            let _ = write!(
                out,
                "A client <strong>{}</strong>: {}",
                p.outcome,
                escape(&p.reason)
            );
        }
        None => out.push_str("Nothing to predict: the port accepted no TCP connection."),
    }
    out.push_str("</p>\n");

    let story = history.and_then(|h| history_fact(h, host));
    let has_facts = story.is_some()
        || o.cert.is_some()
        || o.cert_trust.is_some()
        || o.tls_version.is_some()
        || o.error.is_some();
    if has_facts {
        out.push_str("<dl class=\"facts\">\n");
    }
    if let Some(story) = story {
        fact_text(out, "history", &story);
    }
    if let Some(cert) = &o.cert {
        fact_text(out, "certificate", &cert.subject);
        match cert.self_signed {
            true => fact(
                out,
                "issued by",
                format_args!("{} (self-signed)", cert.issuer),
            ),
            false => fact_text(out, "issued by", &cert.issuer),
        }
        let time = |at: Option<time::OffsetDateTime>| at.map_or("?".into(), timestamp::rfc3339);
        fact(
            out,
            "valid",
            format_args!(
                "{} to {} ({} days left)",
                time(cert.not_before),
                time(cert.not_after),
                cert.days_left
            ),
        );
        fact(
            out,
            "key, signature",
            format_args!("{}, {}", cert.key, cert.signature),
        );
        fact_text(out, "SHA-256", &cert.sha256);
    }
    if let Some(trust) = &o.cert_trust {
        let named = match (&trust.name, trust.name_match) {
            (Some(name), Some(true)) => format!("; names {name}"),
            (Some(name), Some(false)) => format!("; does not name {name}"),
            _ => String::new(),
        };
        match trust.untrusted {
            None => fact(out, "trust", format_args!("trusted by clients{named}")),
            Some(why) => fact(
                out,
                "trust",
                format_args!("not trusted by clients ({why}){named}"),
            ),
        }
    }
    if let Some(version) = &o.tls_version {
        match o.tls_cipher.as_deref().map(str::trim_end) {
            Some(cipher) if !cipher.is_empty() => {
                fact(out, "TLS", format_args!("{version} {cipher}"))
            }
            _ => fact(out, "TLS", format_args!("{version}")),
        }
    }
    if let Some(error) = &o.error {
        fact_text(out, "error", error);
    }
    if has_facts {
        out.push_str("</dl>\n");
    }
    if let Some(deep) = &o.deep {
        deep_facts(out, deep);
    }
    if !a.findings.is_empty() {
        out.push_str(
            "<table class=\"findings\">\n<thead><tr><th scope=\"col\">code</th>\
             <th scope=\"col\">severity</th><th scope=\"col\">evidence</th>\
             <th scope=\"col\">fix</th></tr></thead>\n<tbody>\n",
        );
        for f in &a.findings {
            let _ = write!(
                out,
                "<tr><td class=\"code\">{}</td><td><span class=\"sev {sev}\">{sev}</span></td>\
                 <td>{}</td><td>",
                f.code,
                escape(&f.evidence),
                sev = f.severity,
            );
            if let Some(n) = steps.get(&f.code) {
                let _ = write!(out, "<a href=\"#fix-{}\">step {n} of the plan</a>", f.code);
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</details>\n");
}

/// One `<dt>term</dt><dd>value</dd>` of a host's facts, the value escaped as it is written.
fn fact(out: &mut String, term: &str, value: std::fmt::Arguments) {
    term_then(out, term);
    let _ = Escaping(out).write_fmt(value);
    out.push_str("</dd>\n");
}

/// [`fact`] of a value that is text already (without the formatting machinery).
fn fact_text(out: &mut String, term: &str, value: &str) {
    term_then(out, term);
    escape_into(out, value);
    out.push_str("</dd>\n");
}

/// `<dt>term</dt><dd>`: the start of a fact.
fn term_then(out: &mut String, term: &str) {
    out.push_str("<dt>");
    out.push_str(term);
    out.push_str("</dt><dd>");
}
