//! The host table, once: [`HOST_COLUMNS`] drives the ranked `hosts.csv` (its header and every
//! row) and the host table of `report.html`. Each [`Column`] has its name, how its cell is
//! written, whether `hosts.csv` has it, and whether and how the page shows it ([`Html`]).
//!
//! The `hosts.csv` columns and their order are a contract: new columns go at the end of the
//! CSV ones, and `tests/golden/hosts.csv.header` and the README's column list change with
//! them. The page shows its columns in the table's order; the ones only the page has (the
//! `--deep` summary columns) sit before the certificate, so they show without scrolling.

use std::fmt::{self, Write};

use rdpsweep_codec::EncryptionLevel;

use crate::certificate::CertInfo;
use crate::deep::{join, DeepObservation};
use crate::findings::Finding;
use crate::ip_text::IpText;
use crate::observation::Observation;
use crate::outcome::{ClientOutcome, Prediction};
use crate::ranking::RankedHost;
use crate::risk::RiskLevel;
use crate::timestamp;
use crate::trust::CertTrust;

/// Writes a cell's text for one host at the end of `out`, and only appends: `out` may hold the
/// row so far (a CSV row's cells are written straight into its line), so a cell costs no
/// allocation of its own (a ranked fleet writes some fifty per host).
pub type Cell = fn(&RankedHost, &mut String);

/// A page cell's sort key (`data-key`) for one host; `None` for no key.
pub type SortKey = fn(&RankedHost) -> Option<String>;

/// One column of the host table.
#[derive(Clone, Copy)]
pub struct Column {
    /// The `hosts.csv` heading (for a column only the page shows, the same as its `data-col`).
    pub name: &'static str,
    /// The cell's text: as `hosts.csv` writes it, and as the page shows it unless
    /// [`Html::text`] says otherwise.
    pub cell: Cell,
    /// False for a column only the page shows.
    pub in_csv: bool,
    /// How the page shows the column; `None` when it does not.
    pub html: Option<Html>,
}

/// How the page draws a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    Text,
    /// Right-aligned (`class="num"`) and sorted as a number.
    Number,
    /// Code words (`class="code"`).
    Code,
    /// Long text that may wrap (`class="wrap"`).
    Wrap,
    /// A risk-level badge (`<span class="level …">`), sorted by its key as a number.
    Level,
}

/// How the page shows a column of the host table.
#[derive(Clone, Copy)]
pub struct Html {
    /// The heading's `data-col`, the name `#sort=` links use.
    pub col: &'static str,
    /// The heading's text.
    pub heading: &'static str,
    /// Shown only when the run has deep records (`--deep`).
    pub deep_only: bool,
    pub look: Look,
    /// Sorted as numbers (`data-type="num"`): the cell's text, or its key.
    pub numeric: bool,
    /// The cell's `data-key`, which the page sorts by instead of the text.
    pub key: Option<SortKey>,
    /// The page's own text for the cell, when it is not the CSV cell's.
    pub text: Option<Cell>,
}

impl Column {
    /// A `hosts.csv` column the page does not show.
    const fn csv(name: &'static str, cell: Cell) -> Column {
        Column {
            name,
            cell,
            in_csv: true,
            html: None,
        }
    }

    /// A column only the page shows.
    const fn page(html: Html, cell: Cell) -> Column {
        Column {
            name: html.col,
            cell,
            in_csv: false,
            html: Some(html),
        }
    }

    /// The column, shown on the page too.
    const fn shown(self, html: Html) -> Column {
        Column {
            html: Some(html),
            ..self
        }
    }
}

impl Html {
    /// Plain text under `heading`, sorted as text, in every report.
    const fn new(col: &'static str, heading: &'static str) -> Html {
        Html {
            col,
            heading,
            deep_only: false,
            look: Look::Text,
            numeric: false,
            key: None,
            text: None,
        }
    }

    const fn number(self) -> Html {
        Html {
            look: Look::Number,
            numeric: true,
            ..self
        }
    }

    const fn code(self) -> Html {
        Html {
            look: Look::Code,
            ..self
        }
    }

    const fn wrap(self) -> Html {
        Html {
            look: Look::Wrap,
            ..self
        }
    }

    /// A level badge sorted by the number `key` gives.
    const fn level(self, key: SortKey) -> Html {
        Html {
            look: Look::Level,
            numeric: true,
            key: Some(key),
            ..self
        }
    }

    /// Sorted by `key` (as text, or as a number after [`Html::numeric`]).
    const fn key(self, key: SortKey) -> Html {
        Html {
            key: Some(key),
            ..self
        }
    }

    const fn numeric(self) -> Html {
        Html {
            numeric: true,
            ..self
        }
    }

    /// Shows `text` rather than the CSV cell.
    const fn text(self, text: Cell) -> Html {
        Html {
            text: Some(text),
            ..self
        }
    }

    /// Only for runs with deep records.
    const fn deep(self) -> Html {
        Html {
            deep_only: true,
            ..self
        }
    }
}

/// The host table, in order. See the module doc for what may change here.
pub const HOST_COLUMNS: &[Column] = &[
    Column::csv("rank", |h, o| put(o, h.rank)).shown(Html::new("rank", "rank").number()),
    Column::csv("risk_score", |h, o| put(o, h.assessment.score))
        .shown(Html::new("risk_score", "risk_score").number()),
    Column::csv("risk_level", |h, o| put(o, h.assessment.level))
        .shown(Html::new("risk_level", "risk_level").level(|h| Some(level_key(h)))),
    Column::csv("findings", |h, o| codes(h, ";", o)).shown(
        Html::new("findings", "findings")
            .code()
            .text(|h, o| codes(h, " ", o)),
    ),
    Column::csv("remediation", |h, o| {
        if let Some(top) = h.assessment.findings.first() {
            o.push_str(&top.remediation);
        }
    }),
    Column::csv("client_outcome", |h, o| {
        outcome(h, o, |p, o| put(o, p.outcome))
    })
    .shown(
        Html::new("client_outcome", "client")
            .key(|h| Some(outcome_key(h)))
            .numeric(),
    ),
    Column::csv("outcome_reason", |h, o| {
        outcome(h, o, |p, o| o.push_str(&p.reason))
    }),
    Column::csv("ip", |h, o| opt(o, &h.observation.ip.map(IpText)))
        .shown(Html::new("address", "address").key(|h| Some(address_key(&h.observation)))),
    Column::csv("port", |h, o| put(o, h.observation.port))
        .shown(Html::new("port", "port").number()),
    Column::csv("hostname", |h, o| opt(o, &h.observation.hostname))
        .shown(Html::new("hostname", "hostname")),
    Column::csv("tcp", |h, o| put(o, h.observation.tcp)).shown(Html::new("tcp", "tcp")),
    Column::csv("tcp_ms", |h, o| opt(o, &h.observation.tcp_ms)),
    Column::csv("rdp", |h, o| opt(o, &h.observation.rdp)).shown(Html::new("rdp", "rdp")),
    Column::csv("rdp_ms", |h, o| opt(o, &h.observation.rdp_ms)),
    Column::csv("selected_protocol", |h, o| {
        opt(o, &h.observation.selected_protocol)
    })
    .shown(Html::new("selected_protocol", "selected protocol")),
    Column::csv("neg_flags", |h, o| opt(o, &h.observation.neg_flags)),
    Column::csv("neg_failure", |h, o| opt(o, &h.observation.neg_failure)),
    Column::csv("tls", |h, o| opt(o, &h.observation.tls)).shown(Html::new("tls", "tls")),
    Column::csv("tls_ms", |h, o| opt(o, &h.observation.tls_ms)),
    Column::csv("tls_version", |h, o| opt(o, &h.observation.tls_version))
        .shown(Html::new("tls_version", "tls version")),
    Column::csv("tls_cipher", |h, o| opt(o, &h.observation.tls_cipher)),
    Column::page(Html::new("protocols", "protocols").code().deep(), |h, o| {
        deep(h, o, |d, o| {
            o.push_str(&join(&d.protocols_accepted()).replace('|', " "))
        })
    }),
    Column::page(Html::new("tls_range", "TLS range").deep(), |h, o| {
        deep(h, o, tls_range)
    }),
    Column::page(Html::new("nla", "NLA").deep(), |h, o| {
        deep(h, o, |d, o| o.push_str(nla_word(d.nla_required())))
    }),
    Column::page(
        Html::new("rdp_enc", "RDP enc.")
            .key(|h| h.observation.deep.as_ref().map(encryption_key))
            .numeric()
            .deep(),
        |h, o| deep(h, o, encryption),
    ),
    Column::page(Html::new("ntlm_host", "NTLM host").deep(), |h, o| {
        deep(h, o, ntlm_host)
    }),
    Column::csv("cert_subject", |h, o| {
        cert(h, o, |c, o| o.push_str(&c.subject))
    })
    .shown(Html::new("cert_subject", "cert subject").wrap()),
    Column::csv("cert_issuer", |h, o| {
        cert(h, o, |c, o| o.push_str(&c.issuer))
    }),
    Column::csv("cert_self_signed", |h, o| {
        cert(h, o, |c, o| put(o, c.self_signed))
    }),
    Column::csv("cert_not_before", |h, o| {
        cert(h, o, |c, o| time_cell(o, c.not_before))
    }),
    Column::csv("cert_not_after", |h, o| {
        cert(h, o, |c, o| time_cell(o, c.not_after))
    }),
    Column::csv("cert_days_left", |h, o| {
        cert(h, o, |c, o| put(o, c.days_left))
    })
    .shown(Html::new("days_left", "days left").number()),
    Column::csv("cert_key", |h, o| cert(h, o, |c, o| put(o, &c.key))),
    Column::csv("cert_signature", |h, o| {
        cert(h, o, |c, o| put(o, &c.signature))
    }),
    Column::csv("cert_sha256", |h, o| {
        cert(h, o, |c, o| o.push_str(&c.sha256))
    }),
    Column::csv("cert_trusted", |h, o| {
        trust(h, o, |t, o| put(o, trusted(t)))
    }),
    Column::csv("cert_untrusted_reason", |h, o| {
        trust(h, o, untrusted_reason)
    }),
    Column::csv("cert_name", |h, o| trust(h, o, |t, o| opt(o, &t.name))),
    Column::csv("cert_name_match", |h, o| {
        trust(h, o, |t, o| opt(o, &t.name_match))
    }),
    Column::csv("attempts", |h, o| put(o, h.observation.attempts)),
    Column::csv("error", |h, o| opt(o, &h.observation.error))
        .shown(Html::new("error", "error").wrap()),
    // Filled only by --deep (multi-valued cells `|`-separated), empty otherwise.
    Column::csv("protocols_accepted", |h, o| {
        deep(h, o, |d, o| o.push_str(&join(&d.protocols_accepted())))
    }),
    Column::csv("nla_required", |h, o| {
        deep(h, o, |d, o| opt(o, &d.nla_required()))
    }),
    Column::csv("tls_versions", |h, o| {
        deep(h, o, |d, o| o.push_str(&join(&d.tls_accepted())))
    }),
    Column::csv("tls_min", |h, o| {
        deep(h, o, |d, o| opt(o, &d.tls_accepted().first()))
    }),
    Column::csv("tls_max", |h, o| {
        deep(h, o, |d, o| opt(o, &d.tls_accepted().last()))
    }),
    Column::csv("rdp_encryption_level", |h, o| {
        deep(h, o, |d, o| {
            opt(o, &d.rdp_security.as_ref().and_then(|s| s.level))
        })
    }),
    Column::csv("rdp_encryption_methods", |h, o| {
        deep(h, o, |d, o| {
            if let Some(s) = &d.rdp_security {
                o.push_str(&join(&s.methods));
            }
        })
    }),
    Column::csv("rdp_version", |h, o| {
        deep(h, o, |d, o| {
            opt(o, &d.rdp_security.as_ref().and_then(|s| s.version))
        })
    }),
    Column::csv("ntlm_computer", |h, o| {
        ntlm(h, o, |n, o| opt(o, &n.computer))
    }),
    Column::csv("ntlm_domain", |h, o| ntlm(h, o, |n, o| opt(o, &n.domain))),
    Column::csv("ntlm_dns_computer", |h, o| {
        ntlm(h, o, |n, o| opt(o, &n.dns_computer))
    }),
    Column::csv("ntlm_dns_domain", |h, o| {
        ntlm(h, o, |n, o| opt(o, &n.dns_domain))
    }),
    Column::csv("os_version", |h, o| {
        ntlm(h, o, |n, o| opt(o, &n.os_version))
    }),
    Column::csv("clock_skew_s", |h, o| {
        ntlm(h, o, |n, o| opt(o, &n.clock_skew_s))
    }),
];

/// The `hosts.csv` header.
pub fn hosts_csv_header() -> impl Iterator<Item = &'static str> {
    HOST_COLUMNS.iter().filter(|c| c.in_csv).map(|c| c.name)
}

/// The `hosts.csv` columns, in header order.
pub fn hosts_csv_columns() -> impl Iterator<Item = &'static Column> {
    HOST_COLUMNS.iter().filter(|c| c.in_csv)
}

/// A cell's text as a `String` of its own (for tests and one-off uses; rows share a buffer).
pub fn cell_text(cell: Cell, host: &RankedHost) -> String {
    let mut text = String::new();
    cell(host, &mut text);
    text
}

/// The columns the page shows, in order: with the deep-only ones when the run has deep records.
pub fn page_columns(deep: bool) -> impl Iterator<Item = (&'static Column, &'static Html)> {
    HOST_COLUMNS
        .iter()
        .filter_map(|c| c.html.as_ref().map(|html| (c, html)))
        .filter(move |(_, html)| deep || !html.deep_only)
}

/// A `findings.csv` cell: one host and one of its findings, appended to `out` (which may hold
/// the row so far, as for [`Cell`]).
pub type FindingCell = fn(&RankedHost, &Finding, &mut String);

/// The `findings.csv` columns, one row per host and finding: heading and cell.
pub const FINDING_COLUMNS: [(&str, FindingCell); 7] = [
    ("ip", |h, _, o| opt(o, &h.observation.ip.map(IpText))),
    ("port", |h, _, o| put(o, h.observation.port)),
    ("code", |_, f, o| o.push_str(f.code.as_str())),
    ("severity", |_, f, o| put(o, f.severity)),
    ("evidence", |_, f, o| o.push_str(&f.evidence)),
    ("remediation", |_, f, o| o.push_str(&f.remediation)),
    ("client_outcome", |h, _, o| {
        outcome(h, o, |p, o| put(o, p.outcome))
    }),
];

/// Writes `value` as a bare `{}` of its `Display` writes it (see [`CellText`]).
pub(crate) fn put(out: &mut String, value: impl CellText) {
    value.put_to(out);
}

/// An optional value: nothing when absent.
pub(crate) fn opt<T: CellText>(out: &mut String, value: &Option<T>) {
    if let Some(value) = value {
        value.put_to(out);
    }
}

/// A value's cell text, appended to the row: exactly what its `Display` writes with no width or
/// precision, but numbers, words and text without the formatting machinery, as every row
/// writes some 40 cells.
pub(crate) trait CellText {
    fn put_to(&self, out: &mut String);
}

impl<T: CellText + ?Sized> CellText for &T {
    fn put_to(&self, out: &mut String) {
        (**self).put_to(out);
    }
}

impl CellText for str {
    fn put_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl CellText for String {
    fn put_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl CellText for bool {
    fn put_to(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

/// Integers in decimal, by itoa (what serde_json writes them with).
macro_rules! integer_cells {
    ($($t:ty),+) => {$(
        impl CellText for $t {
            fn put_to(&self, out: &mut String) {
                out.push_str(itoa::Buffer::new().format(*self));
            }
        }
    )+};
}

integer_cells!(u8, u16, u32, u64, usize, i32, i64);

/// Values whose text is their `Display`'s.
macro_rules! display_cells {
    ($($t:ty),+) => {$(
        impl CellText for $t {
            fn put_to(&self, out: &mut String) {
                // Writing to a String cannot fail.
                let _ = write!(out, "{self}");
            }
        }
    )+};
}

display_cells!(
    f64,
    IpText,
    fmt::Arguments<'_>,
    EncryptionLevel,
    rdpsweep_codec::SecurityProtocol,
    rdpsweep_codec::ResponseFlags,
    rdpsweep_codec::FailureCode,
    rdpsweep_codec::TlsWireVersion,
    rdpsweep_codec::RdpVersion,
    crate::certificate::CertKey,
    crate::certificate::SignatureAlgorithm
);

/// A client-outcome cell: empty where nothing is predicted.
fn outcome(host: &RankedHost, out: &mut String, f: fn(&Prediction, &mut String)) {
    if let Some(p) = &host.assessment.outcome {
        f(p, out);
    }
}

/// Sorts fails before warns before connects, then hosts without a prediction.
fn outcome_key(host: &RankedHost) -> String {
    match host.assessment.outcome.as_ref().map(|p| p.outcome) {
        Some(ClientOutcome::Fails) => "0",
        Some(ClientOutcome::Warns) => "1",
        Some(ClientOutcome::Connects) => "2",
        None => "3",
    }
    .to_string()
}

/// A trust cell: empty without a trust judgement.
fn trust(host: &RankedHost, out: &mut String, f: fn(&CertTrust, &mut String)) {
    if let Some(t) = &host.observation.cert_trust {
        f(t, out);
    }
}

/// Whether a client that enforces server authentication accepts the certificate: a trusted
/// chain, for the name when one is known.
fn trusted(t: &CertTrust) -> bool {
    t.trusted() && t.name_match != Some(false)
}

/// Why not: the chain's reason, else `name_mismatch`.
fn untrusted_reason(t: &CertTrust, out: &mut String) {
    match (t.untrusted, t.name_match) {
        (Some(why), _) => put(out, why),
        (None, Some(false)) => out.push_str("name_mismatch"),
        (None, _) => {}
    }
}

/// The finding codes, most severe first, joined by `sep`.
pub(crate) fn codes(host: &RankedHost, sep: &str, out: &mut String) {
    for (i, f) in host.assessment.findings.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(f.code.as_str());
    }
}

/// A certificate cell: empty without a certificate.
fn cert(host: &RankedHost, out: &mut String, f: fn(&CertInfo, &mut String)) {
    if let Some(c) = &host.observation.cert {
        f(c, out);
    }
}

/// A time cell: RFC 3339 UTC, empty when the record has no time there.
fn time_cell(out: &mut String, at: Option<time::OffsetDateTime>) {
    if let Some(at) = at {
        timestamp::write_rfc3339(out, at);
    }
}

/// A deep cell: empty without a deep record.
fn deep(host: &RankedHost, out: &mut String, f: fn(&DeepObservation, &mut String)) {
    if let Some(d) = &host.observation.deep {
        f(d, out);
    }
}

/// An NTLM identity cell: empty without one.
fn ntlm(host: &RankedHost, out: &mut String, f: fn(&crate::deep::NtlmIdentity, &mut String)) {
    if let Some(n) = host.observation.deep.as_ref().and_then(|d| d.ntlm.as_ref()) {
        f(n, out);
    }
}

/// The words the page uses for `nla_required`.
pub(crate) fn nla_word(required: Option<bool>) -> &'static str {
    match required {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

/// `TLSv1.2`, `TLSv1.0–TLSv1.3`, or empty when no version was accepted.
fn tls_range(deep: &DeepObservation, out: &mut String) {
    let tls = deep.tls_accepted();
    match (tls.first(), tls.last()) {
        (Some(low), Some(high)) if low == high => put(out, low),
        (Some(low), Some(high)) => put(out, format_args!("{low}–{high}")),
        _ => {}
    }
}

/// Standard security's level and the methods accepted: `client-compatible (40bit, 128bit)`.
fn encryption(deep: &DeepObservation, out: &mut String) {
    let security = deep.rdp_security.as_ref();
    let mut text = String::new();
    opt(&mut text, &security.and_then(|s| s.level));
    if let Some(s) = security.filter(|s| !s.methods.is_empty()) {
        put(
            &mut text,
            format_args!(" ({})", join(&s.methods).replace('|', ", ")),
        );
    }
    out.push_str(text.trim());
}

/// Sorts standard security by strength: none, low, client-compatible, high, fips (a level
/// outside these has no key).
fn encryption_key(deep: &DeepObservation) -> String {
    let level = deep.rdp_security.as_ref().and_then(|s| s.level);
    level
        .and_then(|l| EncryptionLevel::KNOWN.iter().position(|x| *x == l))
        .map(|i| i.to_string())
        .unwrap_or_default()
}

/// The NTLM DNS computer name, else the NetBIOS one.
fn ntlm_host(deep: &DeepObservation, out: &mut String) {
    let ntlm = deep.ntlm.as_ref();
    if let Some(name) = ntlm.and_then(|n| n.dns_computer.as_ref().or(n.computer.as_ref())) {
        out.push_str(name);
    }
}

/// A key that sorts addresses numerically as text: IPv4 before IPv6, each octet or group
/// zero-padded.
fn address_key(o: &Observation) -> String {
    use std::net::IpAddr;
    match o.ip {
        Some(IpAddr::V4(ip)) => {
            // `4-` and each octet as three digits (`4-127.077.000.003`), put in place by hand:
            // one key a host, on every page.
            let mut key = *b"4-000.000.000.000";
            for (i, octet) in ip.octets().into_iter().enumerate() {
                let at = 2 + 4 * i;
                key[at] = b'0' + octet / 100;
                key[at + 1] = b'0' + octet / 10 % 10;
                key[at + 2] = b'0' + octet % 10;
            }
            String::from_utf8(key.to_vec()).expect("ASCII digits and separators")
        }
        Some(IpAddr::V6(ip)) => {
            let groups: Vec<String> = ip.segments().iter().map(|g| format!("{g:04x}")).collect();
            format!("6-{}", groups.join(":"))
        }
        None => String::new(),
    }
}

/// Sorts high above medium above low above none.
fn level_key(host: &RankedHost) -> String {
    level_rank(host.assessment.level).to_string()
}

/// 3 for high … 0 for none.
pub(crate) fn level_rank(level: RiskLevel) -> usize {
    RiskLevel::ALL.len() - 1 - RiskLevel::ALL.iter().position(|l| *l == level).unwrap_or(0)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn the_hosts_csv_header_is_the_golden_one() {
        let golden = include_str!("../tests/golden/hosts.csv.header");
        let header: Vec<&str> = hosts_csv_header().collect();
        assert_eq!(header.join(","), golden.trim_end());
    }

    #[test]
    fn names_are_unique_and_page_columns_name_their_heading() {
        let mut names: Vec<&str> = HOST_COLUMNS.iter().map(|c| c.name).collect();
        let mut cols: Vec<&str> = page_columns(true).map(|(_, h)| h.col).collect();
        for list in [&mut names, &mut cols] {
            let before = list.len();
            list.sort_unstable();
            list.dedup();
            assert_eq!(list.len(), before, "a name is used twice: {list:?}");
        }
        for column in HOST_COLUMNS {
            assert!(
                column.in_csv || column.html.is_some(),
                "{} is shown nowhere",
                column.name
            );
        }
    }

    #[test]
    fn cells_are_what_display_writes() {
        fn same(value: impl CellText + fmt::Display) {
            let mut out = String::from("<");
            value.put_to(&mut out);
            assert_eq!(out, format!("<{value}"));
        }
        for n in [0u64, 7, 10, 255, 65_535, u64::MAX] {
            same(n);
            same(n as usize);
        }
        for n in [0i64, -1, 334, -36_500, i64::MIN, i64::MAX] {
            same(n);
            same(n as i32);
        }
        for n in [0u32, 9, 4_294_967_295] {
            same(n);
        }
        same(u16::MAX);
        same(u8::MAX);
        same(true);
        same(false);
        for level in RiskLevel::ALL {
            same(*level);
        }
        for code in crate::findings::FindingCode::ALL {
            same(*code);
        }
        for severity in crate::findings::Severity::ALL {
            same(*severity);
        }
        same("ünïcode, \"q\"\n".to_string());
        same(2224.25f64);
        same(IpText("127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn address_keys_are_the_padded_addresses_and_sort_as_they_do() {
        let key = |ip: std::net::IpAddr| {
            address_key(&Observation::new(
                Some(ip),
                3389,
                None,
                crate::TcpStatus::Open,
            ))
        };
        // Every octet value in every position, against the layout's format string.
        for at in 0..4 {
            for value in 0..=255u8 {
                let mut octets = [10u8, 200, 9, 99];
                octets[at] = value;
                let [a, b, c, d] = octets;
                let expected = format!("4-{a:03}.{b:03}.{c:03}.{d:03}");
                assert_eq!(key(std::net::Ipv4Addr::from(octets).into()), expected);
            }
        }
        assert_eq!(
            key("::1".parse().unwrap()),
            "6-0000:0000:0000:0000:0000:0000:0000:0001"
        );
        let mut ips: Vec<std::net::Ipv4Addr> = (0..=255u8)
            .flat_map(|a| [0u8, 9, 10, 99, 100, 255].map(|b| std::net::Ipv4Addr::new(a, b, 1, a)))
            .collect();
        let mut keys: Vec<String> = ips.iter().map(|ip| key((*ip).into())).collect();
        ips.sort();
        keys.sort();
        let sorted: Vec<String> = ips.iter().map(|ip| key((*ip).into())).collect();
        assert_eq!(keys, sorted);
    }

    /// The `data-col` of the page's host table without deep records, in order.
    pub(crate) const PLAIN_PAGE_COLUMNS: [&str; 16] = [
        "rank",
        "risk_score",
        "risk_level",
        "findings",
        "client_outcome",
        "address",
        "port",
        "hostname",
        "tcp",
        "rdp",
        "selected_protocol",
        "tls",
        "tls_version",
        "cert_subject",
        "days_left",
        "error",
    ];

    /// The page's columns 12 to 18 with deep records: the deep ones between the ordinary TLS
    /// columns and the certificate's.
    pub(crate) const DEEP_PAGE_COLUMNS: [&str; 7] = [
        "tls_version",
        "protocols",
        "tls_range",
        "nla",
        "rdp_enc",
        "ntlm_host",
        "cert_subject",
    ];

    #[test]
    fn the_page_shows_sixteen_columns_and_five_more_for_deep_runs() {
        let plain: Vec<&str> = page_columns(false).map(|(_, h)| h.col).collect();
        assert_eq!(plain, PLAIN_PAGE_COLUMNS);
        let deep: Vec<&str> = page_columns(true).map(|(_, h)| h.col).collect();
        assert_eq!(deep.len(), 21);
        assert_eq!(deep[12..19], DEEP_PAGE_COLUMNS);
    }

    #[test]
    fn levels_sort_by_seriousness() {
        assert!(level_rank(RiskLevel::High) > level_rank(RiskLevel::Medium));
        assert!(level_rank(RiskLevel::Low) > level_rank(RiskLevel::None));
        assert_eq!(level_rank(RiskLevel::None), 0);
    }
}
