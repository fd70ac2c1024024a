//! The host table, once: [`HOST_COLUMNS`] drives the ranked `hosts.csv` (its header and every
//! row) and the host table of `report.html`. Each [`Column`] has its name, how its cell is
//! written, whether `hosts.csv` has it, and whether and how the page shows it ([`Html`]).
//!
//! The `hosts.csv` columns and their order are a contract: new columns go at the end of the
//! CSV ones, and `tests/golden/hosts.csv.header` and the README's column list change with
//! them. The page shows its columns in the table's order; the ones only the page has (the
//! `--deep` summary columns) sit before the certificate, so they show without scrolling.

use rdpsweep_codec::EncryptionLevel;

use crate::certificate::CertInfo;
use crate::deep::{join, DeepObservation};
use crate::findings::Finding;
use crate::observation::Observation;
use crate::outcome::{ClientOutcome, Prediction};
use crate::ranking::RankedHost;
use crate::risk::RiskLevel;
use crate::timestamp;
use crate::trust::CertTrust;
use crate::writers::cell;

/// A cell's text for one host.
pub type Cell = fn(&RankedHost) -> String;

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
    Column::csv("rank", |h| h.rank.to_string()).shown(Html::new("rank", "rank").number()),
    Column::csv("risk_score", |h| h.assessment.score.to_string())
        .shown(Html::new("risk_score", "risk_score").number()),
    Column::csv("risk_level", |h| h.assessment.level.to_string())
        .shown(Html::new("risk_level", "risk_level").level(|h| Some(level_key(h)))),
    Column::csv("findings", |h| codes(h, ";")).shown(
        Html::new("findings", "findings")
            .code()
            .text(|h| codes(h, " ")),
    ),
    Column::csv("remediation", |h| {
        let top = h.assessment.findings.first();
        top.map(|f| f.remediation.clone()).unwrap_or_default()
    }),
    Column::csv("client_outcome", |h| outcome(h, |p| p.outcome.to_string())).shown(
        Html::new("client_outcome", "client")
            .key(|h| Some(outcome_key(h)))
            .numeric(),
    ),
    Column::csv("outcome_reason", |h| outcome(h, |p| p.reason.clone())),
    Column::csv("ip", |h| cell(&h.observation.ip))
        .shown(Html::new("address", "address").key(|h| Some(address_key(&h.observation)))),
    Column::csv("port", |h| h.observation.port.to_string())
        .shown(Html::new("port", "port").number()),
    Column::csv("hostname", |h| cell(&h.observation.hostname))
        .shown(Html::new("hostname", "hostname")),
    Column::csv("tcp", |h| h.observation.tcp.to_string()).shown(Html::new("tcp", "tcp")),
    Column::csv("tcp_ms", |h| cell(&h.observation.tcp_ms)),
    Column::csv("rdp", |h| cell(&h.observation.rdp)).shown(Html::new("rdp", "rdp")),
    Column::csv("rdp_ms", |h| cell(&h.observation.rdp_ms)),
    Column::csv("selected_protocol", |h| {
        cell(&h.observation.selected_protocol)
    })
    .shown(Html::new("selected_protocol", "selected protocol")),
    Column::csv("neg_flags", |h| cell(&h.observation.neg_flags)),
    Column::csv("neg_failure", |h| cell(&h.observation.neg_failure)),
    Column::csv("tls", |h| cell(&h.observation.tls)).shown(Html::new("tls", "tls")),
    Column::csv("tls_ms", |h| cell(&h.observation.tls_ms)),
    Column::csv("tls_version", |h| cell(&h.observation.tls_version))
        .shown(Html::new("tls_version", "tls version")),
    Column::csv("tls_cipher", |h| cell(&h.observation.tls_cipher)),
    Column::page(Html::new("protocols", "protocols").code().deep(), |h| {
        deep(h, |d| join(&d.protocols_accepted()).replace('|', " "))
    }),
    Column::page(Html::new("tls_range", "TLS range").deep(), |h| {
        deep(h, tls_range)
    }),
    Column::page(Html::new("nla", "NLA").deep(), |h| {
        deep(h, |d| nla_word(d.nla_required()).to_string())
    }),
    Column::page(
        Html::new("rdp_enc", "RDP enc.")
            .key(|h| h.observation.deep.as_ref().map(encryption_key))
            .numeric()
            .deep(),
        |h| deep(h, encryption),
    ),
    Column::page(Html::new("ntlm_host", "NTLM host").deep(), |h| {
        deep(h, ntlm_host)
    }),
    Column::csv("cert_subject", |h| cert(h, |c| c.subject.clone()))
        .shown(Html::new("cert_subject", "cert subject").wrap()),
    Column::csv("cert_issuer", |h| cert(h, |c| c.issuer.clone())),
    Column::csv("cert_self_signed", |h| {
        cert(h, |c| c.self_signed.to_string())
    }),
    Column::csv("cert_not_before", |h| cert(h, |c| time_cell(c.not_before))),
    Column::csv("cert_not_after", |h| cert(h, |c| time_cell(c.not_after))),
    Column::csv("cert_days_left", |h| cert(h, |c| c.days_left.to_string()))
        .shown(Html::new("days_left", "days left").number()),
    Column::csv("cert_key", |h| cert(h, |c| c.key.to_string())),
    Column::csv("cert_signature", |h| cert(h, |c| c.signature.to_string())),
    Column::csv("cert_sha256", |h| cert(h, |c| c.sha256.clone())),
    Column::csv("cert_trusted", |h| trust(h, |t| trusted(t).to_string())),
    Column::csv("cert_untrusted_reason", |h| trust(h, untrusted_reason)),
    Column::csv("cert_name", |h| trust(h, |t| cell(&t.name))),
    Column::csv("cert_name_match", |h| trust(h, |t| cell(&t.name_match))),
    Column::csv("attempts", |h| h.observation.attempts.to_string()),
    Column::csv("error", |h| cell(&h.observation.error)).shown(Html::new("error", "error").wrap()),
    // Filled only by --deep (multi-valued cells `|`-separated), empty otherwise.
    Column::csv("protocols_accepted", |h| {
        deep(h, |d| join(&d.protocols_accepted()))
    }),
    Column::csv("nla_required", |h| deep(h, |d| cell(&d.nla_required()))),
    Column::csv("tls_versions", |h| deep(h, |d| join(&d.tls_accepted()))),
    Column::csv("tls_min", |h| deep(h, |d| cell(&d.tls_accepted().first()))),
    Column::csv("tls_max", |h| deep(h, |d| cell(&d.tls_accepted().last()))),
    Column::csv("rdp_encryption_level", |h| {
        deep(h, |d| cell(&d.rdp_security.as_ref().and_then(|s| s.level)))
    }),
    Column::csv("rdp_encryption_methods", |h| {
        deep(h, |d| {
            d.rdp_security
                .as_ref()
                .map(|s| join(&s.methods))
                .unwrap_or_default()
        })
    }),
    Column::csv("rdp_version", |h| {
        deep(h, |d| {
            cell(&d.rdp_security.as_ref().and_then(|s| s.version))
        })
    }),
    Column::csv("ntlm_computer", |h| ntlm(h, |n| cell(&n.computer))),
    Column::csv("ntlm_domain", |h| ntlm(h, |n| cell(&n.domain))),
    Column::csv("ntlm_dns_computer", |h| ntlm(h, |n| cell(&n.dns_computer))),
    Column::csv("ntlm_dns_domain", |h| ntlm(h, |n| cell(&n.dns_domain))),
    Column::csv("os_version", |h| ntlm(h, |n| cell(&n.os_version))),
    Column::csv("clock_skew_s", |h| ntlm(h, |n| cell(&n.clock_skew_s))),
];

/// The `hosts.csv` header.
pub fn hosts_csv_header() -> impl Iterator<Item = &'static str> {
    HOST_COLUMNS.iter().filter(|c| c.in_csv).map(|c| c.name)
}

/// One host's `hosts.csv` cells, in header order.
pub fn hosts_csv_row(host: &RankedHost) -> impl Iterator<Item = String> + '_ {
    HOST_COLUMNS
        .iter()
        .filter(|c| c.in_csv)
        .map(move |c| (c.cell)(host))
}

/// The columns the page shows, in order: with the deep-only ones when the run has deep records.
pub fn page_columns(deep: bool) -> impl Iterator<Item = (&'static Column, &'static Html)> {
    HOST_COLUMNS
        .iter()
        .filter_map(|c| c.html.as_ref().map(|html| (c, html)))
        .filter(move |(_, html)| deep || !html.deep_only)
}

/// A `findings.csv` cell: one host and one of its findings.
pub type FindingCell = fn(&RankedHost, &Finding) -> String;

/// The `findings.csv` columns, one row per host and finding: heading and cell.
pub const FINDING_COLUMNS: [(&str, FindingCell); 7] = [
    ("ip", |h, _| cell(&h.observation.ip)),
    ("port", |h, _| h.observation.port.to_string()),
    ("code", |_, f| f.code.to_string()),
    ("severity", |_, f| f.severity.to_string()),
    ("evidence", |_, f| f.evidence.clone()),
    ("remediation", |_, f| f.remediation.clone()),
    ("client_outcome", |h, _| {
        outcome(h, |p| p.outcome.to_string())
    }),
];

/// A client-outcome cell: empty where nothing is predicted.
fn outcome(host: &RankedHost, f: fn(&Prediction) -> String) -> String {
    host.assessment.outcome.as_ref().map(f).unwrap_or_default()
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
fn trust(host: &RankedHost, f: fn(&CertTrust) -> String) -> String {
    host.observation
        .cert_trust
        .as_ref()
        .map(f)
        .unwrap_or_default()
}

/// Whether a client that enforces server authentication accepts the certificate: a trusted
/// chain, for the name when one is known.
fn trusted(t: &CertTrust) -> bool {
    t.trusted() && t.name_match != Some(false)
}

/// Why not: the chain's reason, else `name_mismatch`.
fn untrusted_reason(t: &CertTrust) -> String {
    match (t.untrusted, t.name_match) {
        (Some(why), _) => why.to_string(),
        (None, Some(false)) => "name_mismatch".to_string(),
        (None, _) => String::new(),
    }
}

/// The finding codes, most severe first, joined by `sep`.
pub(crate) fn codes(host: &RankedHost, sep: &str) -> String {
    let codes: Vec<&str> = host
        .assessment
        .findings
        .iter()
        .map(|f| f.code.as_str())
        .collect();
    codes.join(sep)
}

/// A certificate cell: empty without a certificate.
fn cert(host: &RankedHost, f: fn(&CertInfo) -> String) -> String {
    host.observation.cert.as_ref().map(f).unwrap_or_default()
}

/// A time cell: RFC 3339 UTC, empty when the record has no time there.
fn time_cell(at: Option<time::OffsetDateTime>) -> String {
    at.map(timestamp::rfc3339).unwrap_or_default()
}

/// A deep cell: empty without a deep record.
fn deep(host: &RankedHost, f: fn(&DeepObservation) -> String) -> String {
    host.observation.deep.as_ref().map(f).unwrap_or_default()
}

/// An NTLM identity cell: empty without one.
fn ntlm(host: &RankedHost, f: fn(&crate::deep::NtlmIdentity) -> String) -> String {
    let identity = host.observation.deep.as_ref().and_then(|d| d.ntlm.as_ref());
    identity.map(f).unwrap_or_default()
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
fn tls_range(deep: &DeepObservation) -> String {
    let tls = deep.tls_accepted();
    match (tls.first(), tls.last()) {
        (Some(low), Some(high)) if low == high => low.to_string(),
        (Some(low), Some(high)) => format!("{low}–{high}"),
        _ => String::new(),
    }
}

/// Standard security's level and the methods accepted: `client-compatible (40bit, 128bit)`.
fn encryption(deep: &DeepObservation) -> String {
    let security = deep.rdp_security.as_ref();
    let mut text = cell(&security.and_then(|s| s.level));
    if let Some(s) = security.filter(|s| !s.methods.is_empty()) {
        text.push_str(&format!(" ({})", join(&s.methods).replace('|', ", ")));
    }
    text.trim().to_string()
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
fn ntlm_host(deep: &DeepObservation) -> String {
    let ntlm = deep.ntlm.as_ref();
    ntlm.and_then(|n| n.dns_computer.clone().or_else(|| n.computer.clone()))
        .unwrap_or_default()
}

/// A key that sorts addresses numerically as text: IPv4 before IPv6, each octet or group
/// zero-padded.
fn address_key(o: &Observation) -> String {
    use std::net::IpAddr;
    match o.ip {
        Some(IpAddr::V4(ip)) => {
            let o = ip.octets();
            format!("4-{:03}.{:03}.{:03}.{:03}", o[0], o[1], o[2], o[3])
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
