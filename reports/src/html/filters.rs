//! "Find and filter": a search box and filters by client outcome, level, finding and subnet
//! over the host table and the host details. The controls are rendered here, hidden; the
//! page's own script (`page.js`) shows them and does the filtering, so a page opened without
//! scripts shows no control that does nothing.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::escape;
use crate::outcome::ClientOutcome;
use crate::page::PageExtras;
use crate::patterns::Subnet;
use crate::ranking::RankedHost;
use crate::risk::RiskLevel;
use crate::summary::Summary;

/// Subnets offered in the subnet filter (those with the most hosts on the page).
const SUBNETS_OFFERED: usize = 300;

/// The form, above the host table.
pub(super) fn filters(
    out: &mut String,
    hosts: &[RankedHost],
    summary: &Summary,
    extras: &PageExtras,
) {
    out.push_str(
        "<form class=\"filters no-print\" id=\"filters\" role=\"search\" \
         aria-label=\"Find and filter hosts\" hidden>\n",
    );
    out.push_str(
        "<label>Find <input type=\"search\" id=\"f-q\" name=\"q\" autocomplete=\"off\" \
         placeholder=\"address, name, code, any text\"></label>\n",
    );
    let outcomes: Vec<(String, String)> = ClientOutcome::ALL
        .iter()
        .map(|o| (o.to_string(), o.to_string()))
        .chain([("none".into(), "no prediction".into())])
        .collect();
    select(out, "f-outcome", "outcome", "Client", &outcomes);
    let levels: Vec<(String, String)> = RiskLevel::ALL
        .iter()
        .map(|l| (l.to_string(), l.to_string()))
        .collect();
    select(out, "f-level", "level", "Level", &levels);
    let codes: Vec<(String, String)> = summary
        .by_finding
        .iter()
        .map(|(code, n)| (code.clone(), format!("{code} ({n})")))
        .collect();
    select(out, "f-finding", "finding", "Finding", &codes);
    let mut subnets: BTreeMap<Subnet, usize> = BTreeMap::new();
    for ip in hosts.iter().filter_map(|h| h.observation.ip) {
        *subnets
            .entry(extras.options.prefix.subnet_of(ip))
            .or_insert(0) += 1;
    }
    let mut busiest: Vec<(Subnet, usize)> = subnets.into_iter().collect();
    busiest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    busiest.truncate(SUBNETS_OFFERED);
    // Offered in address order.
    busiest.sort();
    let subnets: Vec<(String, String)> = busiest
        .into_iter()
        .map(|(net, n)| (net.to_string(), format!("{net} ({n})")))
        .collect();
    select(out, "f-subnet", "subnet", "Subnet", &subnets);
    out.push_str(
        "<button type=\"reset\" id=\"f-clear\">Clear</button>\n\
         <output id=\"f-count\" for=\"f-q f-outcome f-level f-finding f-subnet\" \
         aria-live=\"polite\"></output>\n</form>\n",
    );
}

/// One `<select>` whose first option, "any", filters nothing.
fn select(out: &mut String, id: &str, name: &str, label: &str, options: &[(String, String)]) {
    let _ = write!(
        out,
        "<label>{label} <select id=\"{id}\" name=\"{name}\"><option value=\"\">any</option>"
    );
    for (value, text) in options {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            escape(value),
            escape(text)
        );
    }
    out.push_str("</select></label>\n");
}

/// Writes the `data-subnet` attribute of a host's table row: what the subnet filter matches.
pub(super) fn subnet_attribute(out: &mut String, host: &RankedHost, extras: &PageExtras) {
    if let Some(ip) = host.observation.ip {
        let subnet = extras.options.prefix.subnet_of(ip);
        let _ = write!(out, " data-subnet=\"{subnet}\"");
    }
}
