//! The page's charts: hosts per finding code, hosts by days to certificate expiry.

use std::fmt::Write;

use super::escape;
use crate::findings::{FindingCode, Severity};
use crate::outcome::ClientPolicy;
use crate::summary::{Summary, EXPIRY_BUCKETS};

/// The width of a chart's drawing, in its own units: narrow enough that on a phone (where it
/// shrinks to the screen) its 14-unit text stays about 12 px tall.
const CHART_W: usize = 400;

/// One bar per finding code: how many hosts raise it, coloured by the code's severity (for the
/// clients of the policy), the most severe first, then the most common. Each bar's code and
/// severity are written above it, so the chart reads without colour too.
pub(super) fn findings_chart(out: &mut String, summary: &Summary) {
    out.push_str("<section aria-labelledby=\"findings-h\">\n<h2 id=\"findings-h\">Findings</h2>\n");
    let client = client_policy(summary);
    let mut bars: Vec<(&String, Option<Severity>, usize)> = summary
        .by_finding
        .iter()
        .map(|(code, n)| (code, severity_of(code, client), *n))
        .collect();
    // Codes this build does not know (a newer file) sort last, as info.
    bars.sort_by(|a, b| {
        let rank = |s: Option<Severity>| s.unwrap_or(Severity::Info);
        rank(a.1)
            .cmp(&rank(b.1))
            .then(b.2.cmp(&a.2))
            .then_with(|| a.0.cmp(b.0))
    });
    let max = bars.iter().map(|b| b.2).max().unwrap_or(0).max(1);

    const ROW_H: usize = 38;
    const COUNT_W: usize = 56;
    let bar_w = CHART_W - COUNT_W;
    let height = ROW_H * bars.len().max(1) + 4;
    let _ = writeln!(
        out,
        "<svg class=\"chart\" id=\"findings-chart\" \
         role=\"img\" aria-labelledby=\"findings-chart-title findings-chart-desc\" \
         width=\"{CHART_W}\" height=\"{height}\" viewBox=\"0 0 {CHART_W} {height}\">\n\
         <title id=\"findings-chart-title\">Hosts per finding code</title>\n\
         <desc id=\"findings-chart-desc\">One bar per finding code, most severe first; above \
         each bar its code and severity, after it the number of hosts that raise it.</desc>"
    );
    if bars.is_empty() {
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"18\">No host raised any finding.</text>"
        );
    }
    for (i, (code, severity, count)) in bars.iter().enumerate() {
        let y = i * ROW_H;
        let w = (count * bar_w).div_ceil(max).max(1);
        let code = escape(code);
        let sev = severity.map_or("unknown", |s| s.as_str());
        let _ = writeln!(
            out,
            "<g><title>{code} ({sev}): {count} {hosts}</title>\
             <text x=\"0\" y=\"{ty}\"><tspan class=\"code\">{code}</tspan>\
             <tspan class=\"sev-word {sev}\" dx=\"8\">{sev}</tspan></text>\
             <rect class=\"bar {sev}\" x=\"0\" y=\"{by}\" width=\"{w}\" height=\"12\"></rect>\
             <text x=\"{cx}\" y=\"{cy}\">{count}</text></g>",
            hosts = if *count == 1 { "host" } else { "hosts" },
            ty = y + 15,
            by = y + 21,
            cx = w + 6,
            cy = y + 32,
        );
    }
    out.push_str("</svg>\n</section>\n");
}

/// The client policy the summary's severities are for (default when not recorded).
fn client_policy(summary: &Summary) -> ClientPolicy {
    let policy = summary.scan.risk_policy.as_ref();
    policy
        .and_then(|p| p.client_policy.parse().ok())
        .unwrap_or(ClientPolicy::Default)
}

/// The severity of a finding code for `client`; `None` for a code this build does not know.
fn severity_of(code: &str, client: ClientPolicy) -> Option<Severity> {
    code.parse::<FindingCode>().ok().map(|c| c.severity(client))
}

/// How each of [`crate::summary::EXPIRY_BUCKETS`] is shown: its label and its bar's class.
const EXPIRY_STYLE: [(&str, &str); 6] = [
    ("expired (<0)", "expired"),
    ("0–7", "soon"),
    ("8–30", "soon"),
    ("31–90", "later"),
    ("91–365", "later"),
    (">365", "later"),
];

/// Hosts per expiry bucket (from the summary, which counts every host), and how many hosts had
/// no certificate.
pub(super) fn expiry_counts(summary: &Summary) -> ([usize; 6], usize) {
    let mut counts = [0; 6];
    for (count, (name, _, _)) in counts.iter_mut().zip(EXPIRY_BUCKETS.iter()) {
        *count = summary.cert_expiry.get(*name).copied().unwrap_or(0);
    }
    let with_cert: usize = counts.iter().sum();
    (counts, summary.hosts.saturating_sub(with_cert))
}

pub(super) fn expiry_histogram(out: &mut String, summary: &Summary) {
    out.push_str(
        "<section aria-labelledby=\"expiry-h\">\n<h2 id=\"expiry-h\">Days to certificate \
         expiry</h2>\n",
    );
    let (counts, without) = expiry_counts(summary);
    let max = counts.iter().copied().max().unwrap_or(0).max(1);

    const ROW_H: usize = 26;
    const LABEL_W: usize = 100;
    const COUNT_W: usize = 56;
    let bar_w = CHART_W - LABEL_W - COUNT_W;
    let height = ROW_H * EXPIRY_STYLE.len() + 4;
    let _ = writeln!(
        out,
        "<svg class=\"chart\" id=\"expiry-chart\" \
         role=\"img\" aria-labelledby=\"expiry-chart-title expiry-chart-desc\" \
         width=\"{CHART_W}\" height=\"{height}\" viewBox=\"0 0 {CHART_W} {height}\">\n\
         <title id=\"expiry-chart-title\">Hosts by days to certificate expiry</title>\n\
         <desc id=\"expiry-chart-desc\">One bar per range of days left on the server \
         certificate, expired first; after each bar its number of hosts. Hosts without a \
         certificate are not counted.</desc>"
    );
    for (i, ((label, class), count)) in EXPIRY_STYLE.iter().zip(counts).enumerate() {
        let y = i * ROW_H;
        let w = (count * bar_w).div_ceil(max);
        let _ = writeln!(
            out,
            "<g><title>{label} days: {count} {hosts}</title>\
             <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect class=\"bar {class}\" x=\"{LABEL_W}\" y=\"{by}\" width=\"{w}\" height=\"16\"></rect>\
             <text x=\"{cx}\" y=\"{ty}\">{count}</text></g>",
            label = escape(label),
            hosts = if count == 1 { "host" } else { "hosts" },
            lx = LABEL_W - 8,
            ty = y + 18,
            by = y + 5,
            cx = LABEL_W + w + 6,
        );
    }
    out.push_str("</svg>\n");
    let _ = writeln!(
        out,
        "<p class=\"note\" id=\"no-cert\">{without} {} without a certificate {} not counted.</p>",
        if without == 1 { "host" } else { "hosts" },
        if without == 1 { "is" } else { "are" },
    );
    out.push_str("</section>\n");
}
