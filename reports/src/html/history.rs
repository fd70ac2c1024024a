//! "Night to night" (`--history`): failing and warning hosts per night as a chart and a
//! table, and the hosts newly failing and no longer failing since the last night; each host's
//! own story is in its details ([`history_fact`]).

use std::collections::BTreeSet;
use std::fmt::Write;

use super::escape;
use super::hosts::endpoint;
use crate::history::{History, HistorySummary};
use crate::ranking::RankedHost;

/// Hosts each list names (the page's count covers all).
const LISTED: usize = 50;

/// The section, when the page has a history.
pub(super) fn history_section(
    out: &mut String,
    history: &History,
    summary: &HistorySummary,
    hosts: &[RankedHost],
    on_page: &BTreeSet<usize>,
) {
    out.push_str(
        "<section aria-labelledby=\"history-h\" id=\"history\">\n\
         <h2 id=\"history-h\">Night to night</h2>\n",
    );
    let _ = writeln!(
        out,
        "<p class=\"note\">{} earlier {} and tonight. Of the hosts listed below: \
         <strong id=\"new-failing\">{} newly failing</strong>, {} still failing, \
         <strong id=\"no-longer-failing\">{} no longer failing</strong> since the last night.</p>",
        history.nights.len(),
        if history.nights.len() == 1 {
            "night"
        } else {
            "nights"
        },
        summary.new_failing,
        summary.still_failing,
        summary.no_longer_failing,
    );
    chart(out, summary);
    out.push_str(
        "<details class=\"nights\"><summary>The counts of each night</summary>\n\
         <div class=\"scroll short\"><table class=\"status\" id=\"nights\">\n<thead><tr><th scope=\"col\">night</th>\
         <th scope=\"col\">hosts</th><th scope=\"col\">fail</th><th scope=\"col\">warn</th>\
         <th scope=\"col\">connect</th><th scope=\"col\">run</th></tr></thead>\n<tbody>\n",
    );
    for night in &summary.nights {
        let _ = writeln!(
            out,
            "<tr><td class=\"code\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"code\">{}</td></tr>",
            escape(&night.label()),
            night.hosts,
            night.fails,
            night.warns,
            night.connects,
            if night.dir.is_empty() {
                "tonight".to_string()
            } else {
                escape(&night.dir).into_owned()
            },
        );
    }
    out.push_str("</tbody>\n</table></div>\n</details>\n");
    let stories: Vec<(&RankedHost, crate::history::HostHistory)> =
        hosts.iter().map(|h| (h, history.of(h))).collect();
    let new: Vec<String> = stories
        .iter()
        .filter(|(_, s)| s.nights_failing == 1 && s.new_since.is_some())
        .map(|(h, _)| link(h, on_page))
        .collect();
    let fixed: Vec<String> = stories
        .iter()
        .filter(|(_, s)| s.fixed_since.as_deref() == Some("tonight"))
        .map(|(h, _)| link(h, on_page))
        .collect();
    for (id, title, list) in [
        ("new-hosts", "Failing tonight, not on the last night", new),
        (
            "fixed-hosts",
            "Failing on the last night, not tonight",
            fixed,
        ),
    ] {
        let _ = write!(out, "<h3>{title}</h3>\n<p id=\"{id}\">");
        if list.is_empty() {
            out.push_str("none");
        } else {
            out.push_str(
                &list
                    .iter()
                    .take(LISTED)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            if list.len() > LISTED {
                let _ = write!(out, " and {} more", list.len() - LISTED);
            }
        }
        out.push_str("</p>\n");
    }
    out.push_str("</section>\n");
}

fn link(host: &RankedHost, on_page: &BTreeSet<usize>) -> String {
    let text = escape(&endpoint(&host.observation)).into_owned();
    if on_page.contains(&host.rank) {
        format!("<a href=\"#host-{}\">{text}</a>", host.rank)
    } else {
        text
    }
}

/// Failing (red) and warning (orange) hosts per night, as two lines over the nights.
fn chart(out: &mut String, summary: &HistorySummary) {
    const W: usize = 400;
    const H: usize = 200;
    const LEFT: usize = 44;
    const TOP: usize = 12;
    const PLOT_H: usize = 150;
    let nights = &summary.nights;
    let max = nights
        .iter()
        .map(|n| n.fails.max(n.warns))
        .max()
        .unwrap_or(0)
        .max(1);
    let plot_w = W - LEFT - 16;
    let x = |i: usize| {
        if nights.len() < 2 {
            LEFT + plot_w / 2
        } else {
            LEFT + i * plot_w / (nights.len() - 1)
        }
    };
    let y = |n: usize| TOP + PLOT_H - n * PLOT_H / max;
    let _ = writeln!(
        out,
        "<svg class=\"chart\" id=\"history-chart\" role=\"img\" \
         aria-labelledby=\"history-chart-title history-chart-desc\" width=\"{W}\" height=\"{H}\" \
         viewBox=\"0 0 {W} {H}\">\n<title id=\"history-chart-title\">Failing and warning hosts \
         per night</title>\n<desc id=\"history-chart-desc\">One point per night, oldest left, \
         tonight right: the red line the hosts a client fails on, the orange line those it \
         warns on. The table below gives the numbers.</desc>"
    );
    let base = TOP + PLOT_H;
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\"></line>\
         <line class=\"axis\" x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{base}\"></line>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\">{max}</text>\
         <text x=\"{}\" y=\"{base}\" text-anchor=\"end\">0</text>",
        W - 16,
        LEFT - 6,
        TOP + 5,
        LEFT - 6,
    );
    for (class, value) in [
        (
            "fails",
            (|n: &crate::history::Night| n.fails) as fn(&crate::history::Night) -> usize,
        ),
        ("warns", |n| n.warns),
    ] {
        let points: Vec<String> = nights
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{},{}", x(i), y(value(n))))
            .collect();
        let _ = writeln!(
            out,
            "<polyline class=\"line {class}\" points=\"{}\"></polyline>",
            points.join(" ")
        );
        for (i, n) in nights.iter().enumerate() {
            let _ = write!(
                out,
                "<circle class=\"dot {class}\" cx=\"{}\" cy=\"{}\" r=\"3\"><title>{}: {} {class}</title></circle>",
                x(i),
                y(value(n)),
                escape(&n.label()),
                value(n),
            );
        }
        out.push('\n');
    }
    if let (Some(first), Some(last)) = (nights.first(), nights.last()) {
        let _ = writeln!(
            out,
            "<text x=\"{LEFT}\" y=\"{ly}\">{}</text>\
             <text x=\"{}\" y=\"{ly}\" text-anchor=\"end\">tonight</text>\
             <text x=\"{}\" y=\"{ky}\" class=\"key fails\">— fail</text>\
             <text x=\"{}\" y=\"{ky}\" class=\"key warns\">— warn</text>",
            escape(&first.label()),
            W - 16,
            LEFT,
            LEFT + 70,
            ly = base + 18,
            ky = base + 36,
        );
        let _ = last;
    }
    out.push_str("</svg>\n");
}

/// A host's story, as a fact of its details: nights failing, new since, fixed since.
pub(super) fn history_fact(history: &History, host: &RankedHost) -> Option<String> {
    let story = history.of(host);
    let mut parts = Vec::new();
    if story.nights_failing > 0 {
        parts.push(format!(
            "failing {} {} in a row",
            story.nights_failing,
            if story.nights_failing == 1 {
                "night"
            } else {
                "nights"
            }
        ));
    }
    if let Some(since) = story.new_since {
        parts.push(format!("new since {since}"));
    }
    if let Some(since) = story.fixed_since {
        parts.push(format!("fixed since {since}"));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}
