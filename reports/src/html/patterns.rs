//! "Fleet-wide patterns": one certificate on several hosts, certificates for another name,
//! hosts by subnet, and the targets nothing listened on, counted rather than listed.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::escape;
use super::hosts::endpoint_of;
use crate::page::PageExtras;
use crate::patterns::{
    PatternHost, Patterns, Subnet, SubnetCounts, MISMATCHES_KEPT, SUBNETS_KEPT, SUBNETS_SHOWN,
};

/// Hosts named per shared certificate.
const SHARED_NAMED: usize = 8;

/// The section. `on_page` holds the ranks the page has details for (linked).
pub(super) fn patterns_section(out: &mut String, extras: &PageExtras, on_page: &BTreeSet<usize>) {
    let p = &extras.patterns;
    out.push_str(
        "<section aria-labelledby=\"patterns-h\" id=\"patterns\">\n\
         <h2 id=\"patterns-h\">Fleet-wide patterns</h2>\n",
    );
    shared_certs(out, p, on_page);
    mismatches(out, p, on_page);
    subnets(out, p);
    no_listener(out, extras);
    out.push_str("</section>\n");
}

/// A host as a link to its details when the page has them: `#12 10.0.0.5:3389 name`.
fn host_ref(h: &PatternHost, on_page: &BTreeSet<usize>) -> String {
    let mut text = escape(&endpoint_of(h.ip, h.port, h.name.as_deref())).into_owned();
    if let (Some(_), Some(name)) = (h.ip, &h.name) {
        let _ = write!(text, " {}", escape(name));
    }
    if on_page.contains(&h.rank) {
        format!("<a href=\"#host-{}\">{text}</a>", h.rank)
    } else {
        text
    }
}

fn shared_certs(out: &mut String, p: &Patterns, on_page: &BTreeSet<usize>) {
    out.push_str("<h3 id=\"shared-certs-h\">One certificate on several hosts</h3>\n");
    if p.shared_certs.is_empty() {
        out.push_str(
            "<p class=\"note\" id=\"shared-certs\">Every certificate was seen on one host \
             only.</p>\n",
        );
    } else {
        out.push_str(
            "<p class=\"note\">The same certificate (SHA-256) on several hosts: images cloned \
             without being generalised (Sysprep) share the self-signed certificate and its key; \
             a certificate deployed on purpose (a wildcard) is shared too, its subject says \
             so.</p>\n<div class=\"scroll short\"><table id=\"shared-certs\">\n<thead><tr>\
             <th scope=\"col\">certificate</th><th scope=\"col\">hosts</th>\
             <th scope=\"col\">which</th></tr></thead>\n<tbody>\n",
        );
        for cert in &p.shared_certs {
            let named: Vec<String> = cert
                .sample
                .iter()
                .take(SHARED_NAMED)
                .map(|h| host_ref(h, on_page))
                .collect();
            let more = cert.hosts.saturating_sub(named.len());
            let _ = writeln!(
                out,
                "<tr><td>{}<br><span class=\"code fingerprint\">{}</span></td>\
                 <td class=\"num\">{}</td><td>{}{}</td></tr>",
                escape(&cert.subject),
                escape(&cert.sha256),
                cert.hosts,
                named.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                },
            );
        }
        out.push_str("</tbody>\n</table></div>\n");
    }
    if p.certs_uncompared > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} certificates beyond the first {} distinct ones were not \
             compared.</p>",
            p.certs_uncompared,
            crate::patterns::FINGERPRINTS_KEPT
        );
    }
}

fn mismatches(out: &mut String, p: &Patterns, on_page: &BTreeSet<usize>) {
    out.push_str("<h3 id=\"mismatches-h\">Certificates for another name</h3>\n");
    if p.mismatches == 0 {
        out.push_str(
            "<p class=\"note\" id=\"mismatches\">No certificate is for a name other than the \
             one clients use (that name is known for targets given by name, and with \
             <span class=\"code\">--deep</span> from NTLM).</p>\n",
        );
        return;
    }
    let _ = writeln!(
        out,
        "<p class=\"note\">{} {} a certificate that does not name the host clients connect to; \
         where another scanned host has the certificate's name, it is named: a copied \
         certificate or a cloned image.</p>\n<div class=\"scroll short\"><table id=\"mismatches\">\n\
         <thead><tr><th scope=\"col\">host</th><th scope=\"col\">certificate is for</th>\
         <th scope=\"col\">the host of that name</th></tr></thead>\n<tbody>",
        p.mismatches,
        if p.mismatches == 1 { "host serves" } else { "hosts serve" },
    );
    for m in &p.mismatch_sample {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"code\">{}</td><td>{}</td></tr>",
            host_ref(&m.host, on_page),
            escape(&m.subject),
            m.named
                .as_ref()
                .map_or_else(|| "not scanned".to_string(), |h| host_ref(h, on_page)),
        );
    }
    out.push_str("</tbody>\n</table></div>\n");
    if p.mismatches > p.mismatch_sample.len() {
        let _ = writeln!(
            out,
            "<p class=\"note\">The first {MISMATCHES_KEPT} of {}: hosts.csv's \
             <span class=\"code\">cert_name_match</span> column has them all.</p>",
            p.mismatches
        );
    }
}

fn subnets(out: &mut String, p: &Patterns) {
    let _ = writeln!(
        out,
        "<h3 id=\"subnets-h\">By subnet (/{} for IPv4, /{} for IPv6)</h3>",
        p.prefix.v4, p.prefix.v6
    );
    let mut rows: Vec<(&Subnet, &SubnetCounts)> = p.subnets.iter().collect();
    rows.sort_by(|a, b| {
        (b.1.fails, b.1.warns, b.1.targets)
            .cmp(&(a.1.fails, a.1.warns, a.1.targets))
            .then_with(|| a.0.cmp(b.0))
    });
    if p.subnets_total > SUBNETS_SHOWN {
        let _ = writeln!(
            out,
            "<p class=\"note\">The {SUBNETS_SHOWN} of {} subnets with the most failing, then \
             warning, hosts.</p>",
            p.subnets_total
        );
    }
    out.push_str(
        "<div class=\"scroll short\"><table class=\"subnets\" id=\"subnets\">\n<thead><tr>\
         <th scope=\"col\">subnet</th><th scope=\"col\">targets</th><th scope=\"col\">fail</th>\
         <th scope=\"col\">warn</th><th scope=\"col\">connect</th>\
         <th scope=\"col\">no listener</th></tr></thead>\n<tbody>\n",
    );
    let row = |out: &mut String, name: &str, c: &SubnetCounts| {
        let _ = writeln!(
            out,
            "<tr><td class=\"code\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(name),
            c.targets,
            c.fails,
            c.warns,
            c.connects,
            c.no_listener
        );
    };
    for (net, counts) in rows.iter().take(SUBNETS_SHOWN) {
        row(out, &net.to_string(), counts);
    }
    if p.other_subnets.targets > 0 {
        let label = format!("other (beyond {SUBNETS_KEPT} subnets, or no address)");
        row(out, &label, &p.other_subnets);
    }
    out.push_str("</tbody>\n</table></div>\n");
}

fn no_listener(out: &mut String, extras: &PageExtras) {
    let p = &extras.patterns;
    out.push_str("<h3 id=\"no-listener-h\">No listener</h3>\n");
    let total = p.no_listener_total();
    let by: Vec<String> = p
        .no_listener
        .iter()
        .map(|(tcp, n)| format!("{n} {tcp}"))
        .collect();
    let listed = if total == 0 {
        String::new()
    } else if extras.options.list_dead {
        " They are listed in the host table (<span class=\"code\">--list-dead</span>).".into()
    } else {
        " They are counted here and by subnet, not listed: hosts.csv lists them, and \
         <span class=\"code\">--list-dead</span> lists them on this page too."
            .into()
    };
    let _ = writeln!(
        out,
        "<p class=\"note\" id=\"no-listener\">{total} {} nothing listened on{}.{listed}</p>",
        if total == 1 { "target" } else { "targets" },
        if by.is_empty() {
            String::new()
        } else {
            format!(" ({})", escape(&by.join(", ")))
        },
    );
}
