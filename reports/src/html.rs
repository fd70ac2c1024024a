//! `report.html`: one self-contained page for an audit.
//!
//! Everything is rendered here, server-side: the page's only script (`html/page.js`) sorts,
//! finds and filters the rows of the host table and opens host details, and never builds
//! markup from data. Certificate subjects, issuers, host names and error texts are
//! attacker-controlled, so every text goes through [`escape`], and the page carries a
//! Content-Security-Policy that allows only its own style and script (by hash) and no fetches
//! at all. NTLM computer and domain names (`--deep`) are the server's words too, escaped like
//! the rest.
//!
//! The sections, in order: the scan's parameters and risk policy (`head`), what clients get,
//! the night-to-night history (`history`, with `--history`), the totals, the remediation plan (`plan`), the charts (`charts`), the fleet-wide
//! patterns (`patterns`), the deep probe's totals (`deep`, for a run with deep records), the
//! riskiest hosts and the host table with its filters (`hosts`, `filters`), and every host's
//! details (`details`). Printed, the page has a stylesheet of its own (`html/print.css`).

mod charts;
mod deep;
mod details;
mod filters;
mod head;
mod history;
mod hosts;
mod patterns;
mod plan;

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::page::PageExtras;
use crate::ranking::RankedHost;
use crate::summary::Summary;

/// The page's style: the screen's, then the print stylesheet.
const PAGE_CSS: &str = concat!(
    include_str!("html/page.css"),
    include_str!("html/print.css")
);
const PAGE_JS: &str = include_str!("html/page.js");

/// The page of hosts held in memory, every one listed (see [`PageExtras::of`]).
pub fn report_html(hosts: &[RankedHost], summary: &Summary) -> String {
    report_page(hosts, summary, &PageExtras::of(hosts))
}

/// The page in memory (see [`write_report_page`]), for tests and small runs.
pub fn report_page(hosts: &[RankedHost], summary: &Summary, extras: &PageExtras) -> String {
    let mut out = String::new();
    // Never handed over: the whole page stays in `out`.
    render(&mut out, hosts, summary, extras, &mut |_| {});
    out
}

/// Page text is handed to the file once this much has gathered (at the end of a host's row or
/// details, so a piece is this and up to one host more): the page of thousands of hosts (about
/// 2 KB each) never sits whole in memory.
const CHUNK: usize = 64 * 1024;

/// Writes the whole page to `file` (which the caller flushes): no external scripts, styles or
/// fonts. `hosts` are the hosts its tables list, in rank order (the first
/// [`crate::files::HTML_MAX_HOSTS`] of a large run); `summary` and `extras` count every host,
/// for the totals, charts, plan and patterns.
pub fn write_report_page(
    file: &mut impl std::io::Write,
    hosts: &[RankedHost],
    summary: &Summary,
    extras: &PageExtras,
) -> std::io::Result<()> {
    let mut failed = None;
    let mut out = String::with_capacity(2 * CHUNK);
    render(&mut out, hosts, summary, extras, &mut |text| {
        if text.len() >= CHUNK {
            if failed.is_none() {
                failed = file.write_all(text.as_bytes()).err();
            }
            text.clear();
        }
    });
    match failed {
        Some(e) => Err(e),
        None => file.write_all(out.as_bytes()),
    }
}

/// Renders the page into `out`, calling `hand_over` between hosts with what is written so far,
/// to take (and clear) when it likes.
fn render(
    out: &mut String,
    hosts: &[RankedHost],
    summary: &Summary,
    extras: &PageExtras,
    hand_over: &mut dyn FnMut(&mut String),
) {
    let info = &summary.scan;
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        content_security_policy()
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    out.push_str("<title>rdpsweep 0x904 risk report</title>\n");
    let _ = writeln!(out, "<style>{PAGE_CSS}</style>");
    out.push_str("</head>\n<body>\n");

    let on_page: BTreeSet<usize> = hosts.iter().map(|h| h.rank).collect();
    head::header(out, info, summary, extras);
    head::contents(out, summary, !hosts.is_empty());
    head::client_headline(out, summary);
    if let (Some(history), Some(counts)) = (&extras.history, &summary.history) {
        history::history_section(out, history, counts, hosts, &on_page);
    }
    head::level_totals(out, summary);
    if hosts.is_empty() {
        out.push_str(
            "<p class=\"note\" id=\"no-hosts\">No hosts in this report: the scan recorded no \
             targets.</p>\n",
        );
    }
    plan::plan_section(out, &extras.plan, &on_page);
    out.push_str("<div class=\"charts\">\n");
    charts::findings_chart(out, summary);
    charts::expiry_histogram(out, summary);
    out.push_str("</div>\n");
    patterns::patterns_section(out, extras, &on_page);
    if let Some(deep) = &summary.deep {
        deep::deep_totals(out, deep);
    }
    hosts::riskiest(out, hosts);
    hosts::host_table(out, hosts, summary, extras, hand_over);
    let steps = extras.plan.step_numbers();
    details::host_details(out, hosts, &steps, extras, hand_over);

    let _ = writeln!(
        out,
        "<footer>Generated by rdpsweep {}. Risk levels: high, medium, low, none; see the \
         README for every finding code.</footer>",
        escape(&info.version)
    );
    let _ = writeln!(out, "<script>{PAGE_JS}</script>");
    out.push_str("</body>\n</html>\n");
}

/// Escapes text for HTML element content and double- or single-quoted attribute values. A
/// control character (NUL, CR, LF, ESC... from a certificate name) is shown as `\xNN`, as the
/// CSV shows it: HTML cannot carry a NUL, and a line break must not hide inside a name.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    // Most text (addresses, codes, words) is printable ASCII with nothing to escape: no copy.
    if all_plain(text) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    escape_each(&mut out, text);
    out.into()
}

/// A byte [`escape`] keeps as it is: printable ASCII other than `&<>"'`.
fn plain(b: u8) -> bool {
    matches!(b, 0x20..=0x7e) && !matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')
}

/// Whether [`escape`] keeps all of `text`: one pass without early exit, which compiles to a
/// vector loop.
fn all_plain(text: &str) -> bool {
    text.bytes().fold(true, |all, b| all & plain(b))
}

/// [`escape`]d `text` at the end of `out`.
fn escape_into(out: &mut String, text: &str) {
    match all_plain(text) {
        true => out.push_str(text),
        false => escape_each(out, text),
    }
}

/// [`escape_into`] of text that has something to escape: run by run of plain bytes.
fn escape_each(out: &mut String, text: &str) {
    use std::fmt::Write as _;
    let mut rest = text;
    while let Some(at) = rest.bytes().position(|b| !plain(b)) {
        out.push_str(&rest[..at]);
        let c = rest[at..]
            .chars()
            .next()
            .expect("a char starts where a byte is not plain");
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            _ => out.push(c),
        }
        rest = &rest[at + c.len_utf8()..];
    }
    out.push_str(rest);
}

/// A writer that [`escape`]s what is written through it into the `String`: formatted text
/// goes onto the page escaped without a `String` of its own.
pub(crate) struct Escaping<'a>(pub &'a mut String);

impl std::fmt::Write for Escaping<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        escape_into(self.0, text);
        Ok(())
    }
}

/// `<span class="KIND WORD">WORD</span>`: a level or severity badge of a host's details or
/// table row. The word is one of the report's own words (a level, a severity), which need no
/// escaping (checked in debug builds).
fn badge(out: &mut String, kind: &str, word: &str) {
    debug_assert!(all_plain(word), "{word:?} would need escaping");
    out.push_str("<span class=\"");
    out.push_str(kind);
    out.push(' ');
    out.push_str(word);
    out.push_str("\">");
    out.push_str(word);
    out.push_str("</span>");
}

/// The base64 SHA-256 of `text`, as a Content-Security-Policy source hash wants it.
fn base64_sha256(text: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text.as_bytes()))
}

/// The page's policy: nothing may load, only the page's own style and script may run.
fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; \
         base-uri 'none'; form-action 'none'",
        base64_sha256(PAGE_CSS),
        base64_sha256(PAGE_JS),
    )
}

#[cfg(test)]
mod tests;
