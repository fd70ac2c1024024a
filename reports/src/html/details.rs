//! "Host details": every host of the table, folded (`<details>`), each with what a client gets
//! and why, its certificate and trust, its deep facts and its findings with their evidence;
//! each finding's fix is its step of the remediation plan, linked.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::deep::deep_facts;
use super::escape;
use super::history::history_fact;
use super::hosts::endpoint;
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
    let outcome = a
        .outcome
        .as_ref()
        .map_or("no listener".to_string(), |p| p.outcome.to_string());
    let mut summary = format!(
        "<span class=\"level {level}\">{level}</span> <span class=\"code\">{}</span>",
        escape(&endpoint(o))
    );
    if let (Some(_), Some(name)) = (o.ip, &o.hostname) {
        let _ = write!(summary, " {}", escape(name));
    }
    let _ = write!(summary, " · {}", escape(&outcome));
    let codes = codes(host, " ");
    if !codes.is_empty() {
        let _ = write!(summary, " · <span class=\"code\">{codes}</span>");
    }
    let _ = writeln!(
        out,
        "<details class=\"detail\" id=\"host-{rank}\" data-rank=\"{rank}\"><summary>{summary}</summary>",
        rank = host.rank,
    );
    let _ = write!(
        out,
        "<p>rank {}, score {}; last stage <span class=\"code\">{}</span>. ",
        host.rank,
        a.score,
        escape(&o.outcome())
    );
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

    let mut facts: Vec<(&str, String)> = Vec::new();
    if let Some(story) = history.and_then(|h| history_fact(h, host)) {
        facts.push(("history", story));
    }
    if let Some(cert) = &o.cert {
        facts.push(("certificate", cert.subject.clone()));
        let issuer = if cert.self_signed {
            format!("{} (self-signed)", cert.issuer)
        } else {
            cert.issuer.clone()
        };
        facts.push(("issued by", issuer));
        let time = |at: Option<time::OffsetDateTime>| at.map_or("?".into(), timestamp::rfc3339);
        facts.push((
            "valid",
            format!(
                "{} to {} ({} days left)",
                time(cert.not_before),
                time(cert.not_after),
                cert.days_left
            ),
        ));
        facts.push((
            "key, signature",
            format!("{}, {}", cert.key, cert.signature),
        ));
        facts.push(("SHA-256", cert.sha256.clone()));
    }
    if let Some(trust) = &o.cert_trust {
        let mut text = match trust.untrusted {
            None => "trusted by clients".to_string(),
            Some(why) => format!("not trusted by clients ({why})"),
        };
        if let (Some(name), Some(matches)) = (&trust.name, trust.name_match) {
            let verb = if matches { "names" } else { "does not name" };
            let _ = write!(text, "; {verb} {name}");
        }
        facts.push(("trust", text));
    }
    if let Some(version) = &o.tls_version {
        let cipher = o.tls_cipher.as_deref().unwrap_or("");
        facts.push(("TLS", format!("{version} {cipher}").trim().to_string()));
    }
    if let Some(error) = &o.error {
        facts.push(("error", error.clone()));
    }
    if !facts.is_empty() {
        out.push_str("<dl class=\"facts\">\n");
        for (term, value) in facts {
            let _ = writeln!(out, "<dt>{term}</dt><dd>{}</dd>", escape(&value));
        }
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
            let step = steps.get(&f.code).map_or_else(String::new, |n| {
                format!("<a href=\"#fix-{}\">step {n} of the plan</a>", f.code)
            });
            let _ = writeln!(
                out,
                "<tr><td class=\"code\">{}</td><td><span class=\"sev {sev}\">{sev}</span></td>\
                 <td>{}</td><td>{step}</td></tr>",
                f.code,
                escape(&f.evidence),
                sev = f.severity,
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</details>\n");
}
