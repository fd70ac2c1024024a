//! The page's charts: hosts per finding code, hosts by days to certificate expiry.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::escape;
use crate::summary::{Summary, EXPIRY_BUCKETS};

/// A horizontal bar per finding code: how many hosts raise it, most common first.
pub(super) fn findings_chart(out: &mut String, by_finding: &BTreeMap<String, usize>) {
    out.push_str("<section aria-labelledby=\"findings-h\">\n<h2 id=\"findings-h\">Findings</h2>\n");
    let mut bars: Vec<(&String, usize)> = by_finding.iter().map(|(c, n)| (c, *n)).collect();
    bars.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);

    const LABEL_W: usize = 290;
    const BAR_W: usize = 400;
    const ROW_H: usize = 24;
    let width = LABEL_W + BAR_W + 60;
    let height = ROW_H * bars.len().max(1) + 8;
    let _ = writeln!(
        out,
        "<svg class=\"chart\" id=\"findings-chart\" \
         role=\"img\" aria-labelledby=\"findings-chart-title findings-chart-desc\" \
         width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n\
         <title id=\"findings-chart-title\">Hosts per finding code</title>\n\
         <desc id=\"findings-chart-desc\">One bar per finding code; its length and label give \
         the number of hosts that raise it.</desc>"
    );
    if bars.is_empty() {
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"18\">No host raised any finding.</text>"
        );
    }
    for (i, (code, count)) in bars.iter().enumerate() {
        let y = i * ROW_H + 4;
        let w = (count * BAR_W).div_ceil(max).max(1);
        let code = escape(code);
        let _ = writeln!(
            out,
            "<g><title>{code}: {count} hosts</title>\
             <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" class=\"code\">{code}</text>\
             <rect class=\"bar\" x=\"{LABEL_W}\" y=\"{y}\" width=\"{w}\" height=\"{bh}\"></rect>\
             <text x=\"{cx}\" y=\"{ty}\">{count}</text></g>",
            lx = LABEL_W - 8,
            ty = y + 14,
            bh = ROW_H - 6,
            cx = LABEL_W + w + 6,
        );
    }
    out.push_str("</svg>\n</section>\n");
}

/// The expiry buckets: label, CSS class of the bar, and whether `days` falls in it.
/// How each of [`crate::summary::EXPIRY_BUCKETS`] is shown: its label and its bar's class.
const EXPIRY_STYLE: [(&str, &str); 6] = [
    ("expired (<0)", "expired"),
    ("0–7", "soon"),
    ("8–30", "soon"),
    ("31–90", ""),
    ("91–365", ""),
    (">365", ""),
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

    const COL_W: usize = 96;
    const PLOT_H: usize = 180;
    const TOP: usize = 22;
    let width = COL_W * EXPIRY_STYLE.len() + 20;
    let height = TOP + PLOT_H + 30;
    let base = TOP + PLOT_H;
    let _ = writeln!(
        out,
        "<svg class=\"chart\" id=\"expiry-chart\" \
         role=\"img\" aria-labelledby=\"expiry-chart-title expiry-chart-desc\" \
         width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n\
         <title id=\"expiry-chart-title\">Hosts by days to certificate expiry</title>\n\
         <desc id=\"expiry-chart-desc\">One column per range of days left on the server \
         certificate; the label above each column is its number of hosts. Hosts without a \
         certificate are not counted.</desc>"
    );
    for (i, ((label, class), count)) in EXPIRY_STYLE.iter().zip(counts).enumerate() {
        let x = 10 + i * COL_W;
        let h = count * PLOT_H / max;
        let _ = writeln!(
            out,
            "<g><title>{label} days: {count} hosts</title>\
             <rect class=\"bar {class}\" x=\"{bx}\" y=\"{by}\" width=\"{bw}\" height=\"{h}\"></rect>\
             <text x=\"{cx}\" y=\"{ty}\" text-anchor=\"middle\">{count}</text>\
             <text x=\"{cx}\" y=\"{ly}\" text-anchor=\"middle\">{label}</text></g>",
            label = escape(label),
            bx = x + 8,
            by = base - h,
            bw = COL_W - 16,
            cx = x + COL_W / 2,
            ty = base - h - 6,
            ly = base + 18,
        );
    }
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"10\" y1=\"{base}\" x2=\"{x2}\" y2=\"{base}\"></line>\n</svg>",
        x2 = width - 10
    );
    let _ = writeln!(
        out,
        "<p class=\"note\" id=\"no-cert\">{without} {} without a certificate {} not counted.</p>",
        if without == 1 { "host" } else { "hosts" },
        if without == 1 { "is" } else { "are" },
    );
    out.push_str("</section>\n");
}
