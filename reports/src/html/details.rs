//! "Host details": every host of the table, folded (`<details>`), each with what a client gets
//! and why, its certificate and trust, its deep facts and its findings with their evidence;
//! each finding's fix is its step of the remediation plan, linked.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::deep::deep_facts;
use super::history::history_fact;
use super::hosts::endpoint;
use super::{badge, escape_into, Escaping};
use crate::columns::{codes, put};
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
    // Pushed in pieces (every host has one): numbers and words need no escaping.
    out.push_str("<details class=\"detail\" id=\"host-");
    put(out, host.rank);
    out.push_str("\" data-rank=\"");
    put(out, host.rank);
    out.push_str("\"><summary>");
    badge(out, "level", a.level.as_str());
    out.push_str(" <span class=\"code\">");
    escape_into(out, &endpoint(o));
    out.push_str("</span>");
    if let (Some(_), Some(name)) = (o.ip, &o.hostname) {
        out.push(' ');
        escape_into(out, name);
    }
    match &a.outcome {
        Some(p) => {
            out.push_str(" · ");
            out.push_str(p.outcome.as_str());
        }
        None => out.push_str(" · no listener"),
    }
    if !a.findings.is_empty() {
        out.push_str(" · <span class=\"code\">");
        codes(host, " ", out);
        out.push_str("</span>");
    }
    out.push_str("</summary>\n");
    out.push_str("<p>rank ");
    put(out, host.rank);
    out.push_str(", score ");
    put(out, a.score);
    out.push_str("; last stage <span class=\"code\">");
    // Words of the record's vocabulary (`tls=ok`): nothing to escape.
    o.write_outcome(out);
    out.push_str("</span>. ");
    match &a.outcome {
        Some(p) => {
            out.push_str("A client <strong>");
            out.push_str(p.outcome.as_str());
            out.push_str("</strong>: ");
            escape_into(out, &p.reason);
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
        // Times, digits and words: nothing to escape.
        let time = |out: &mut String, at: Option<time::OffsetDateTime>| match at {
            Some(at) => timestamp::write_rfc3339(out, at),
            None => out.push('?'),
        };
        term_then(out, "valid");
        time(out, cert.not_before);
        out.push_str(" to ");
        time(out, cert.not_after);
        out.push_str(" (");
        put(out, cert.days_left);
        out.push_str(" days left)</dd>\n");
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
            let code = f.code.as_str();
            out.push_str("<tr><td class=\"code\">");
            out.push_str(code);
            out.push_str("</td><td>");
            badge(out, "sev", f.severity.as_str());
            out.push_str("</td><td>");
            escape_into(out, &f.evidence);
            out.push_str("</td><td>");
            if let Some(n) = steps.get(&f.code) {
                out.push_str("<a href=\"#fix-");
                out.push_str(code);
                out.push_str("\">step ");
                put(out, *n);
                out.push_str(" of the plan</a>");
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
