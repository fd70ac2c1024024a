//! Rows of the report files: `results.jsonl` lines (flushed after every record, so an
//! interrupted run keeps every row it finished) and the CSV rows of the ranked reports, every
//! cell made spreadsheet-safe.

use std::io::{self, Write};

use crate::deep::{join, DeepObservation, NtlmIdentity};
use crate::observation::Observation;
use crate::ranking::RankedHost;

/// Something that takes observations one at a time, as the sweep finishes targets.
pub trait ObservationSink {
    /// Writes one observation and makes it durable (flushed) before returning.
    fn record(&mut self, obs: &Observation) -> io::Result<()>;
}

/// The `hosts.csv` columns, in order. This order is a contract: add columns only at the end.
/// The columns from `protocols_accepted` on are filled only by `--deep` (see [`deep_cells`]).
pub const HOSTS_CSV_COLUMNS: [&str; 39] = [
    "ip",
    "port",
    "hostname",
    "tcp",
    "tcp_ms",
    "rdp",
    "rdp_ms",
    "selected_protocol",
    "neg_flags",
    "neg_failure",
    "tls",
    "tls_ms",
    "tls_version",
    "tls_cipher",
    "cert_subject",
    "cert_issuer",
    "cert_self_signed",
    "cert_not_before",
    "cert_not_after",
    "cert_days_left",
    "cert_key",
    "cert_signature",
    "cert_sha256",
    "attempts",
    "error",
    "protocols_accepted",
    "nla_required",
    "tls_versions",
    "tls_min",
    "tls_max",
    "rdp_encryption_level",
    "rdp_encryption_methods",
    "rdp_version",
    "ntlm_computer",
    "ntlm_domain",
    "ntlm_dns_computer",
    "ntlm_dns_domain",
    "os_version",
    "clock_skew_s",
];

/// How many of the last [`HOSTS_CSV_COLUMNS`] the deep probe fills.
pub const DEEP_COLUMNS: usize = 14;

/// The text of an optional cell: empty when absent.
pub fn cell<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}

/// A time cell: RFC 3339 UTC, empty when the record has no time there.
fn time_cell(at: Option<time::OffsetDateTime>) -> String {
    at.map(crate::timestamp::rfc3339).unwrap_or_default()
}

/// The cells of one `hosts.csv` row, in [`HOSTS_CSV_COLUMNS`] order.
pub fn hosts_csv_row(o: &Observation) -> [String; 39] {
    let cert = o.cert.as_ref();
    let c = |f: fn(&crate::CertInfo) -> String| cert.map(f).unwrap_or_default();
    let [d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13] = deep_cells(o.deep.as_ref());
    [
        cell(&o.ip),
        o.port.to_string(),
        cell(&o.hostname),
        o.tcp.to_string(),
        cell(&o.tcp_ms),
        cell(&o.rdp),
        cell(&o.rdp_ms),
        cell(&o.selected_protocol),
        cell(&o.neg_flags),
        cell(&o.neg_failure),
        cell(&o.tls),
        cell(&o.tls_ms),
        cell(&o.tls_version),
        cell(&o.tls_cipher),
        c(|c| c.subject.clone()),
        c(|c| c.issuer.clone()),
        c(|c| c.self_signed.to_string()),
        c(|c| time_cell(c.not_before)),
        c(|c| time_cell(c.not_after)),
        c(|c| c.days_left.to_string()),
        c(|c| c.key.to_string()),
        c(|c| c.signature.to_string()),
        c(|c| c.sha256.clone()),
        o.attempts.to_string(),
        cell(&o.error),
        d0,
        d1,
        d2,
        d3,
        d4,
        d5,
        d6,
        d7,
        d8,
        d9,
        d10,
        d11,
        d12,
        d13,
    ]
}

/// The deep columns of a row (`protocols_accepted` … `clock_skew_s`): all empty without
/// `--deep`; multi-valued cells are `|`-separated.
pub fn deep_cells(deep: Option<&DeepObservation>) -> [String; DEEP_COLUMNS] {
    let Some(d) = deep else {
        return Default::default();
    };
    let tls = d.tls_accepted();
    let security = d.rdp_security.as_ref();
    let ntlm = d.ntlm.as_ref();
    let n = |f: fn(&NtlmIdentity) -> Option<String>| ntlm.and_then(f).unwrap_or_default();
    [
        join(&d.protocols_accepted()),
        cell(&d.nla_required()),
        join(&tls),
        cell(&tls.first()),
        cell(&tls.last()),
        cell(&security.and_then(|s| s.level)),
        security.map(|s| join(&s.methods)).unwrap_or_default(),
        cell(&security.and_then(|s| s.version)),
        n(|i| i.computer.clone()),
        n(|i| i.domain.clone()),
        n(|i| i.dns_computer.clone()),
        n(|i| i.dns_domain.clone()),
        n(|i| i.os_version.clone()),
        n(|i| i.clock_skew_s.map(|s| s.to_string())),
    ]
}

/// Makes a cell safe to open in a spreadsheet: text that Excel or LibreOffice would run as a
/// formula (it begins with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'`.
/// Certificate subjects and server errors are attacker-controlled text.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    // Plain decimal numbers, such as a negative `cert_days_left`, must stay numbers (and
    // nothing else: `-inf` parses as a float but is text).
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let is_number = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|b| *b == b'.').count() <= 1
        && digits.as_bytes()[0].is_ascii_digit();
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') if !is_number => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// The leading columns of the ranked `hosts.csv`, before the observation columns.
pub const RANK_COLUMNS: [&str; 5] = [
    "rank",
    "risk_score",
    "risk_level",
    "findings",
    "remediation",
];

/// The `findings.csv` columns: one row per host and finding.
pub const FINDINGS_CSV_COLUMNS: [&str; 6] =
    ["ip", "port", "code", "severity", "evidence", "remediation"];

/// Writes one CSV record with every cell made [`spreadsheet_safe`].
pub fn write_safe_record<W: Write>(csv: &mut csv::Writer<W>, cells: &[String]) -> io::Result<()> {
    csv.write_record(cells.iter().map(|cell| spreadsheet_safe(cell).into_owned()))?;
    Ok(())
}

/// The ranked `hosts.csv`: [`RANK_COLUMNS`] then [`HOSTS_CSV_COLUMNS`], one row per host in
/// rank order. `findings` are `;`-separated codes; `remediation` is the top finding's.
pub struct RankedHostsCsv<W: Write> {
    csv: csv::Writer<W>,
}

impl<W: Write> RankedHostsCsv<W> {
    /// Starts the file with its header row.
    pub fn new(out: W) -> io::Result<Self> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(RANK_COLUMNS.iter().chain(HOSTS_CSV_COLUMNS.iter()))?;
        Ok(RankedHostsCsv { csv })
    }

    /// Writes one host's row.
    pub fn write(&mut self, host: &RankedHost) -> io::Result<()> {
        let a = &host.assessment;
        let codes: Vec<String> = a.findings.iter().map(|f| f.code.to_string()).collect();
        let lead = [
            host.rank.to_string(),
            a.score.to_string(),
            a.level.to_string(),
            codes.join(";"),
            a.findings
                .first()
                .map(|f| f.remediation.clone())
                .unwrap_or_default(),
        ];
        let row = hosts_csv_row(&host.observation);
        self.csv.write_record(
            lead.iter()
                .chain(row.iter())
                .map(|cell| spreadsheet_safe(cell).into_owned()),
        )?;
        Ok(())
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(self) -> io::Result<W> {
        self.csv.into_inner().map_err(|e| e.into_error())
    }
}

/// `findings.csv`: [`FINDINGS_CSV_COLUMNS`], one row per host and finding, for pivot tables.
pub struct FindingsCsv<W: Write> {
    csv: csv::Writer<W>,
}

impl<W: Write> FindingsCsv<W> {
    /// Starts the file with its header row.
    pub fn new(out: W) -> io::Result<Self> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(FINDINGS_CSV_COLUMNS)?;
        Ok(FindingsCsv { csv })
    }

    /// Writes one row per finding of the host.
    pub fn write(&mut self, host: &RankedHost) -> io::Result<()> {
        let o = &host.observation;
        for f in &host.assessment.findings {
            let row = [
                cell(&o.ip),
                o.port.to_string(),
                f.code.to_string(),
                f.severity.to_string(),
                f.evidence.clone(),
                f.remediation.clone(),
            ];
            self.csv
                .write_record(row.iter().map(|cell| spreadsheet_safe(cell).into_owned()))?;
        }
        Ok(())
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(self) -> io::Result<W> {
        self.csv.into_inner().map_err(|e| e.into_error())
    }
}

/// `results.jsonl`: one JSON object per target, the whole [`Observation`].
pub struct JsonLines<W: Write> {
    out: W,
}

impl<W: Write> JsonLines<W> {
    pub fn new(out: W) -> Self {
        JsonLines { out }
    }
}

impl<W: Write> ObservationSink for JsonLines<W> {
    fn record(&mut self, obs: &Observation) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, obs)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::{CertKey, SignatureAlgorithm};
    use crate::{CertInfo, RdpStatus, SelectedProtocol, TcpStatus, TlsStatus};
    use time::macros::datetime;

    fn sample() -> Observation {
        let mut o = Observation::new(
            Some("127.0.0.9".parse().unwrap()),
            3389,
            None,
            TcpStatus::Open,
        );
        o.tcp_ms = Some(0.4);
        o.rdp = Some(RdpStatus::Negotiated);
        o.selected_protocol = Some(SelectedProtocol(2));
        o.tls = Some(TlsStatus::Ok);
        o.cert = Some(CertInfo {
            subject: "=HYPERLINK(\"http://x\")".into(),
            issuer: "host".into(),
            self_signed: false,
            not_before: Some(datetime!(2026-01-01 00:00:00 UTC)),
            not_after: Some(datetime!(2026-01-02 00:00:00 UTC)),
            days_left: -5,
            key: CertKey::Rsa { bits: 2048 },
            signature: SignatureAlgorithm::Sha256WithRsa,
            sha256: "00".into(),
        });
        o
    }

    #[test]
    fn ranked_csv_has_header_and_neutralised_formula_but_numbers_intact() {
        let host = RankedHost {
            rank: 1,
            observation: sample(),
            assessment: crate::Assessment {
                findings: Vec::new(),
                score: 0,
                level: crate::RiskLevel::None,
            },
        };
        let mut csv = RankedHostsCsv::new(Vec::new()).unwrap();
        csv.write(&host).unwrap();
        let text = String::from_utf8(csv.finish().unwrap()).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = RANK_COLUMNS
            .iter()
            .chain(HOSTS_CSV_COLUMNS.iter())
            .copied()
            .collect();
        assert_eq!(lines.next().unwrap(), header.join(","));
        let row = lines.next().unwrap();
        assert!(row.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{row}");
        assert!(row.contains(",-5,"), "{row}");
        assert!(
            row.contains(
                ",2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,-5,RSA 2048,sha256WithRSAEncryption,"
            ),
            "{row}"
        );
        assert!(
            row.starts_with("1,0,none,,,127.0.0.9,3389,,open,0.4,negotiated,,hybrid,"),
            "{row}"
        );
    }

    #[test]
    fn only_plain_numbers_escape_neutralising() {
        assert_eq!(spreadsheet_safe("-31"), "-31");
        assert_eq!(spreadsheet_safe("-0.5"), "-0.5");
        for text in [
            "-inf", "+NaN", "-", "=1+1", "@SUM(A1)", "+1", "-1e5", "\tx", "-1.2.3",
        ] {
            assert_eq!(spreadsheet_safe(text), format!("'{text}"), "{text:?}");
        }
        assert_eq!(spreadsheet_safe("rdp01"), "rdp01");
    }

    #[test]
    fn deep_columns_are_empty_without_deep_and_filled_with_it() {
        use crate::deep::*;
        use crate::vocab::NegFailure;
        let row = hosts_csv_row(&sample());
        assert_eq!(HOSTS_CSV_COLUMNS[25], "protocols_accepted");
        assert!(row[25..].iter().all(String::is_empty), "{row:?}");

        let mut obs = sample();
        let answer = |protocol: u32, selected: Option<u32>| ProtocolAnswer {
            protocol: SelectedProtocol(protocol),
            requested: protocol,
            from_first_probe: false,
            tcp: TcpStatus::Open,
            rdp: Some(RdpStatus::Negotiated),
            selected: selected.map(SelectedProtocol),
            neg_failure: selected.is_none().then_some(NegFailure(5)),
            accepted: selected == Some(protocol),
            error: None,
        };
        let tls = |version, accepted| TlsVersionAnswer {
            version,
            accepted,
            tls: Some(TlsStatus::Ok),
            server_version: None,
            cipher: None,
            error: None,
        };
        obs.deep = Some(DeepObservation {
            protocols: vec![answer(0, None), answer(1, Some(2)), answer(2, Some(2))],
            tls_versions: vec![
                tls(TlsVersion::Tls10, false),
                tls(TlsVersion::Tls12, true),
                tls(TlsVersion::Tls13, true),
            ],
            rdp_security: Some(RdpSecurity {
                level: Some(EncryptionLevel::ClientCompatible),
                methods: vec![EncryptionMethod::Bits56, EncryptionMethod::Bits128],
                version: Some(RdpVersion(0x0008_000c)),
                attempts: Vec::new(),
            }),
            ntlm: Some(NtlmIdentity {
                computer: Some("RDP01".into()),
                domain: Some("CORP".into()),
                dns_computer: Some("rdp01.corp.test".into()),
                dns_domain: Some("corp.test".into()),
                dns_tree: Some("corp.test".into()),
                os_version: Some("10.0.20348".into()),
                server_time: None,
                clock_skew_s: Some(-42),
            }),
            connections: 9,
            notes: Vec::new(),
        });
        let row = hosts_csv_row(&obs);
        let deep: Vec<&str> = row[25..].iter().map(String::as_str).collect();
        assert_eq!(
            deep,
            [
                "hybrid",
                "true",
                "TLSv1.2|TLSv1.3",
                "TLSv1.2",
                "TLSv1.3",
                "client-compatible",
                "56bit|128bit",
                "10.7",
                "RDP01",
                "CORP",
                "rdp01.corp.test",
                "corp.test",
                "10.0.20348",
                "-42",
            ]
        );
        let mut buf = Vec::new();
        JsonLines::new(&mut buf).record(&obs).unwrap();
        let back: Observation = serde_json::from_slice(&buf).unwrap();
        assert_eq!(back, obs);
    }

    #[test]
    fn results_written_before_deep_existed_still_load() {
        let mut line = serde_json::to_value(sample()).unwrap();
        line.as_object_mut().unwrap().remove("deep").unwrap();
        let back: Observation = serde_json::from_value(line).unwrap();
        assert_eq!(back, sample());
    }

    #[test]
    fn jsonl_round_trips() {
        let mut buf = Vec::new();
        JsonLines::new(&mut buf).record(&sample()).unwrap();
        let back: Observation = serde_json::from_slice(&buf).unwrap();
        assert_eq!(back, sample());
        assert!(buf.ends_with(b"\n"));
    }
}
