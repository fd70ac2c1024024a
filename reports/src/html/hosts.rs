//! The hosts on the page: the riskiest with their evidence, and the host table.

use std::fmt::Write;
use std::net::IpAddr;

use super::deep::deep_facts;
use super::filters::{filters, subnet_attribute};
use super::{badge, escape};
use crate::columns::{page_columns, put, Column, Html, Look};
use crate::findings::Severity;
use crate::ip_text::IpText;
use crate::observation::Observation;
use crate::page::PageExtras;
use crate::ranking::RankedHost;
use crate::risk::RiskLevel;
use crate::summary::Summary;

/// How many hosts the "riskiest hosts" section lists.
const RISKIEST: usize = 20;

/// The top hosts with a level other than none, each with its findings.
pub(super) fn riskiest(out: &mut String, hosts: &[RankedHost]) {
    out.push_str(
        "<section aria-labelledby=\"riskiest-h\">\n<h2 id=\"riskiest-h\">Riskiest hosts</h2>\n",
    );
    let at_risk: Vec<&RankedHost> = hosts
        .iter()
        .filter(|h| h.assessment.level != RiskLevel::None)
        .collect();
    if at_risk.is_empty() {
        out.push_str("<p class=\"note\">No host is at risk.</p>\n</section>\n");
        return;
    }
    if at_risk.len() > RISKIEST {
        let _ = writeln!(
            out,
            "<p class=\"note\">The {RISKIEST} riskiest of {} hosts at risk; the full table below \
             lists every host.</p>",
            at_risk.len()
        );
    }
    for host in at_risk.iter().take(RISKIEST) {
        let o = &host.observation;
        let a = &host.assessment;
        let level = a.level.as_str();
        let _ = writeln!(
            out,
            "<section class=\"host\">\n<h3>#{rank} {endpoint} <span class=\"level {level}\">\
             {level}</span> <span class=\"muted\">score {score}</span></h3>",
            rank = host.rank,
            endpoint = escape(&endpoint(o)),
            score = a.score,
        );
        let mut facts = Vec::new();
        if let (Some(_), Some(name)) = (o.ip, &o.hostname) {
            facts.push(format!("host name {name}"));
        }
        facts.push(format!("outcome {}", o.outcome()));
        if let Some(p) = &a.outcome {
            facts.push(format!("a client {}: {}", p.outcome, p.reason));
        }
        if let Some(cert) = &o.cert {
            facts.push(format!(
                "certificate {} issued by {}, {} days left",
                cert.subject, cert.issuer, cert.days_left
            ));
        }
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", escape(&facts.join("; ")));
        if let Some(deep) = &o.deep {
            deep_facts(out, deep);
        }
        if a.findings.is_empty() {
            out.push_str("<p class=\"note\">No findings recorded.</p>\n</section>\n");
            continue;
        }
        out.push_str(
            "<table class=\"findings\">\n<thead><tr><th scope=\"col\">code</th>\
             <th scope=\"col\">severity</th><th scope=\"col\">evidence</th>\
             <th scope=\"col\">remediation</th></tr></thead>\n<tbody>\n",
        );
        for f in &a.findings {
            let _ = writeln!(
                out,
                "<tr><td class=\"code\">{}</td><td><span class=\"sev {sev}\">{sev}</span></td>\
                 <td>{}</td><td>{}</td></tr>",
                f.code,
                escape(&f.evidence),
                escape(&f.remediation),
                sev = severity_class(f.severity),
            );
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
    }
    out.push_str("</section>\n");
}

pub(super) fn severity_class(s: Severity) -> &'static str {
    s.as_str()
}

/// `address:port`, `[v6]:port`, or `name:port` for a name that did not resolve.
pub(super) fn endpoint(o: &Observation) -> String {
    endpoint_of(o.ip, o.port, o.hostname.as_deref())
}

/// [`endpoint`] of an address, a port and a host name.
pub(super) fn endpoint_of(ip: Option<IpAddr>, port: u16, hostname: Option<&str>) -> String {
    match ip {
        Some(IpAddr::V6(ip)) => format!("[{ip}]:{port}"),
        Some(ip) => {
            let mut text = String::with_capacity(22);
            put(&mut text, IpText(ip));
            text.push(':');
            put(&mut text, port);
            text
        }
        None => format!("{}:{port}", hostname.unwrap_or("?")),
    }
}

/// The host table, its columns from [`page_columns`] (`deep` adds the deep-only ones), in a
/// box that scrolls both ways with its heading row in view, under the find-and-filter form.
pub(super) fn host_table(
    out: &mut String,
    hosts: &[RankedHost],
    summary: &Summary,
    extras: &PageExtras,
    hand_over: &mut dyn FnMut(&mut String),
) {
    let deep = summary.deep.is_some();
    out.push_str(
        "<section aria-labelledby=\"all-h\" id=\"all\">\n<h2 id=\"all-h\">All hosts</h2>\n",
    );
    if extras.unlisted > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\" id=\"unlisted\">{} {} nothing listened on {} not listed \
             (see <a href=\"#no-listener-h\">No listener</a>; hosts.csv lists them, \
             <span class=\"code\">--list-dead</span> lists them here).</p>",
            extras.unlisted,
            if extras.unlisted == 1 {
                "target"
            } else {
                "targets"
            },
            if extras.unlisted == 1 { "is" } else { "are" },
        );
    }
    if hosts.is_empty() {
        out.push_str("<p class=\"note\">No hosts.</p>\n</section>\n");
        return;
    }
    let listed = summary.hosts - extras.unlisted;
    if hosts.len() < listed {
        let _ = writeln!(
            out,
            "<p class=\"note\" id=\"truncated\">The table shows the {} riskiest of {listed} \
             hosts; hosts.csv has them all.</p>",
            hosts.len()
        );
    }
    filters(out, hosts, summary, extras);
    out.push_str(
        "<p class=\"note no-print\">Click a column heading to sort by it; click again to \
         reverse. Empty cells sort last. A rank opens the host's details.</p>\n",
    );
    let _ = write!(
        out,
        "<div class=\"scroll{}\" role=\"region\" aria-labelledby=\"all-h\" tabindex=\"0\">\n\
         <table class=\"hosts{}\" id=\"hosts\">\n<thead><tr>",
        if deep { " wide" } else { "" },
        if deep { " deep" } else { "" }
    );
    for (i, (_, html)) in page_columns(deep).enumerate() {
        let _ = write!(
            out,
            "<th scope=\"col\" data-col=\"{}\"{}{}><button type=\"button\">{}</button></th>",
            escape(html.col),
            if html.numeric {
                " data-type=\"num\""
            } else {
                ""
            },
            if i == 0 {
                " aria-sort=\"ascending\""
            } else {
                ""
            },
            escape(html.heading),
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let mut cell = String::new();
    for host in hosts {
        out.push_str("<tr data-rank=\"");
        put(out, host.rank);
        out.push('"');
        subnet_attribute(out, host, extras);
        out.push('>');
        for (column, html) in page_columns(deep) {
            table_cell(out, &mut cell, column, html, host);
        }
        out.push_str("</tr>\n");
        hand_over(out);
    }
    out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

/// One `<td>` of the host table: its text escaped, its class and sort key as the column says.
/// `cell` is scratch space for the cell's text, reused from cell to cell.
pub(super) fn table_cell(
    out: &mut String,
    cell: &mut String,
    column: &Column,
    html: &Html,
    host: &RankedHost,
) {
    cell.clear();
    html.text.unwrap_or(column.cell)(host, cell);
    let text = escape(cell);
    let class = match html.look {
        Look::Number => " class=\"num\"",
        Look::Code => " class=\"code\"",
        Look::Wrap => " class=\"wrap\"",
        Look::Text | Look::Level => "",
    };
    out.push_str("<td");
    out.push_str(class);
    if let Some(key) = html.key.and_then(|key| key(host)) {
        out.push_str(" data-key=\"");
        out.push_str(&escape(&key));
        out.push('"');
    }
    // Pieces pushed one by one: the formatting machinery costs more than the cell.
    match html.look {
        Look::Level => {
            out.push('>');
            badge(out, "level", &text);
            out.push_str("</td>");
        }
        // The rank links to the host's details.
        _ if html.col == "rank" => {
            out.push_str("><a href=\"#host-");
            put(out, host.rank);
            out.push_str("\">");
            out.push_str(&text);
            out.push_str("</a></td>");
        }
        _ => {
            out.push('>');
            out.push_str(&text);
            out.push_str("</td>");
        }
    }
}
