//! Rows of the report files: `results.jsonl` lines (each handed to its writer whole, which the
//! scan flushes often, so an interrupted run keeps the rows it finished) and the CSV rows of the
//! ranked reports, every cell made spreadsheet-safe.

use std::io::{self, Write};

use crate::columns::{hosts_csv_columns, hosts_csv_header, FINDING_COLUMNS};
use crate::observation::Observation;
use crate::ranking::RankedHost;

/// Something that takes observations one at a time, as the sweep finishes targets.
pub trait ObservationSink {
    /// Writes one observation (maybe only into a buffer: see [`ObservationSink::flush`]).
    fn record(&mut self, obs: &Observation) -> io::Result<()>;
    /// Makes every observation recorded so far durable (handed to the operating system).
    fn flush(&mut self) -> io::Result<()>;
}

/// The text of an optional cell: empty when absent.
pub fn cell<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}

/// Makes a cell safe to open in a spreadsheet: text that Excel or LibreOffice would run as a
/// formula (it begins with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'`, and
/// a control character (NUL, CR, LF, ESC...) is written `\xNN`, so a line-based tool counts
/// one line per row and no reader stops at a NUL. Certificate subjects and server errors are
/// attacker-controlled text.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    // Most cells are short printable ASCII: one pass without early exit, which compiles to a
    // vector loop.
    let printable_ascii = cell
        .bytes()
        .fold(true, |all, b| all & (b.wrapping_sub(0x20) < 0x5f));
    if !printable_ascii && cell.chars().any(char::is_control) {
        let mut visible = String::with_capacity(cell.len() + 8);
        for c in cell.chars() {
            match c.is_control() {
                true => visible.push_str(&format!("\\x{:02x}", u32::from(c))),
                false => visible.push(c),
            }
        }
        return std::borrow::Cow::Owned(formula_safe(&visible).into_owned());
    }
    formula_safe(cell)
}

/// A leading `'` on text a spreadsheet would run as a formula.
fn formula_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    // Plain decimal numbers, such as a negative `cert_days_left`, must stay numbers (and
    // nothing else: `-inf` parses as a float but is text).
    let is_number = || {
        let digits = cell.strip_prefix('-').unwrap_or(cell);
        !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && digits.bytes().filter(|b| *b == b'.').count() <= 1
            && digits.as_bytes()[0].is_ascii_digit()
    };
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') if !is_number() => {
            format!("'{cell}").into()
        }
        _ => cell.into(),
    }
}

/// The UTF-8 byte order mark that begins `hosts.csv`, `findings.csv` and `diff.csv`: without it
/// Excel (and LibreOffice's default import) reads the file in the machine's legacy code page,
/// and a host name or certificate subject such as `Zürich` shows as `ZÃ¼rich`. The csv crate's
/// reader skips it.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV writer on `out` that has written [`UTF8_BOM`].
pub fn csv_writer_with_bom<W: Write>(mut out: W) -> io::Result<csv::Writer<W>> {
    out.write_all(UTF8_BOM)?;
    Ok(csv::Writer::from_writer(out))
}

/// Writes one CSV record with every cell made [`spreadsheet_safe`] (without copying the cells
/// that are safe already), by the csv crate: for `diff.csv`, and the yardstick [`CsvLine`] is
/// tested against.
pub fn write_safe_record<W: Write, S: AsRef<str>>(
    csv: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = S>,
) -> io::Result<()> {
    for cell in cells {
        csv.write_field(spreadsheet_safe(cell.as_ref()).as_bytes())?;
    }
    csv.write_record(None::<&[u8]>)?;
    Ok(())
}

/// One CSV row built cell by cell, each cell made [`spreadsheet_safe`]: the rows of the report
/// files, which are written by the thousand.
///
/// Each cell is written straight into the row's line, then checked in one vector pass: most
/// cells (numbers, words, addresses, names) are printable ASCII without a quote or comma and
/// do not begin as a formula would, so they are their own CSV text. Only the others are made
/// safe, and quoted if they then hold a quote or a comma. The csv crate writes the same bytes
/// ([`write_safe_record`]; a test compares the two on hostile cells), but its check and copy
/// per field cost several times what writing the cell does.
#[derive(Default)]
pub(crate) struct CsvLine {
    /// The row so far; reused for every row.
    line: String,
    /// Cells in `line`.
    cells: usize,
    /// A cell being made safe; reused for every cell.
    cell: String,
}

impl CsvLine {
    /// Adds the cell `write` writes.
    pub(crate) fn cell(&mut self, write: impl FnOnce(&mut String)) {
        if self.cells > 0 {
            self.line.push(',');
        }
        self.cells += 1;
        let start = self.line.len();
        write(&mut self.line);
        debug_assert!(self.line.len() >= start, "a cell only appends to its row");
        if !plain_cell(&self.line.as_bytes()[start..]) {
            self.cell.clear();
            self.cell.push_str(&self.line[start..]);
            self.line.truncate(start);
            push_csv_cell(&mut self.line, &spreadsheet_safe(&self.cell));
        }
    }

    /// Adds `text` as a cell.
    pub(crate) fn text(&mut self, text: &str) {
        self.cell(|cell| cell.push_str(text));
    }

    /// Writes the row and its line's end to `out`, and starts the next row.
    pub(crate) fn write_to(&mut self, out: &mut impl Write) -> io::Result<()> {
        if self.line.is_empty() {
            // A row of one empty cell (or none) would be an empty line, which readers skip.
            self.line.push_str("\"\"");
        }
        self.line.push('\n');
        let written = out.write_all(self.line.as_bytes());
        self.line.clear();
        self.cells = 0;
        written
    }
}

/// Whether `cell` is its own CSV text, made [`spreadsheet_safe`]: printable ASCII without a
/// quote or comma, not beginning with `=`, `+`, `-` or `@` (one beginning with `-` may be a
/// plain number, which [`spreadsheet_safe`] tells apart).
fn plain_cell(cell: &[u8]) -> bool {
    // One pass without early exit, which compiles to a vector loop.
    let printable = cell.iter().fold(true, |all, &b| {
        all & (b.wrapping_sub(0x20) < 0x5f) & (b != b'"') & (b != b',')
    });
    printable && !matches!(cell.first(), Some(b'=' | b'+' | b'-' | b'@'))
}

/// `cell` (already [`spreadsheet_safe`], so without a line break) as a CSV field at the end of
/// `out`: quoted, its quotes doubled, when it holds a quote or a comma (RFC 4180, as the csv
/// crate writes a field).
fn push_csv_cell(out: &mut String, cell: &str) {
    if memchr::memchr2(b'"', b',', cell.as_bytes()).is_none() {
        out.push_str(cell);
        return;
    }
    out.push('"');
    let mut from = 0;
    for at in memchr::memchr_iter(b'"', cell.as_bytes()) {
        // Through the quote, then the quote again.
        out.push_str(&cell[from..=at]);
        out.push('"');
        from = at + 1;
    }
    out.push_str(&cell[from..]);
    out.push('"');
}

/// The ranked `hosts.csv`: the CSV columns of [`crate::columns::HOST_COLUMNS`], one row per
/// host in rank order.
pub struct RankedHostsCsv<W: Write> {
    out: W,
    row: CsvLine,
}

impl<W: Write> RankedHostsCsv<W> {
    /// Starts the file with [`UTF8_BOM`] and its header row. A row goes to `out` in one
    /// `write_all`: `out` should be buffered.
    pub fn new(out: W) -> io::Result<Self> {
        Ok(RankedHostsCsv {
            out: started(out, hosts_csv_header())?,
            row: CsvLine::default(),
        })
    }

    /// Writes one host's row.
    pub fn write(&mut self, host: &RankedHost) -> io::Result<()> {
        for column in hosts_csv_columns() {
            self.row.cell(|cell| (column.cell)(host, cell));
        }
        self.row.write_to(&mut self.out)
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// `out` with [`UTF8_BOM`] and the `header` row written.
fn started<W: Write>(mut out: W, header: impl IntoIterator<Item = &'static str>) -> io::Result<W> {
    out.write_all(UTF8_BOM)?;
    let mut row = CsvLine::default();
    for name in header {
        row.text(name);
    }
    row.write_to(&mut out)?;
    Ok(out)
}

/// `findings.csv`: [`FINDING_COLUMNS`], one row per host and finding, for pivot tables.
pub struct FindingsCsv<W: Write> {
    out: W,
    row: CsvLine,
}

impl<W: Write> FindingsCsv<W> {
    /// Starts the file with [`UTF8_BOM`] and its header row. A row goes to `out` in one
    /// `write_all`: `out` should be buffered.
    pub fn new(out: W) -> io::Result<Self> {
        Ok(FindingsCsv {
            out: started(out, FINDING_COLUMNS.iter().map(|(name, _)| *name))?,
            row: CsvLine::default(),
        })
    }

    /// Writes one row per finding of the host.
    pub fn write(&mut self, host: &RankedHost) -> io::Result<()> {
        for f in &host.assessment.findings {
            for (_, cell) in FINDING_COLUMNS {
                self.row.cell(|text| cell(host, f, text));
            }
            self.row.write_to(&mut self.out)?;
        }
        Ok(())
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// `results.jsonl`: one JSON object per target, the whole [`Observation`].
pub struct JsonLines<W: Write> {
    out: W,
    /// The line being written: a row goes to `out` in one `write_all`, so a buffered `out`
    /// (whose `write_all` empties itself first when the line does not fit) never hands the
    /// file half a line, which a reader of a running scan would take for a cut one.
    line: Vec<u8>,
}

impl<W: Write> JsonLines<W> {
    pub fn new(out: W) -> Self {
        JsonLines {
            out,
            line: Vec::with_capacity(4096),
        }
    }
}

impl<W: Write> ObservationSink for JsonLines<W> {
    fn record(&mut self, obs: &Observation) -> io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, obs)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::{CertKey, SignatureAlgorithm};
    use crate::columns::{cell_text, HOST_COLUMNS};
    use crate::{CertInfo, RdpStatus, TcpStatus, TlsStatus};
    use rdpsweep_codec::SecurityProtocol;
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
        o.selected_protocol = Some(SecurityProtocol::HYBRID);
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

    /// `obs` as the only host of a ranking, with no findings.
    fn ranked(obs: Observation) -> RankedHost {
        RankedHost::for_test(1, obs, None)
    }

    /// The `hosts.csv` cells of `obs`, by column name.
    fn csv_cells(obs: Observation) -> Vec<(&'static str, String)> {
        let host = ranked(obs);
        hosts_csv_columns()
            .map(|c| (c.name, cell_text(c.cell, &host)))
            .collect()
    }

    #[test]
    fn ranked_csv_has_header_and_neutralised_formula_but_numbers_intact() {
        let mut csv = RankedHostsCsv::new(Vec::new()).unwrap();
        csv.write(&ranked(sample())).unwrap();
        let text = String::from_utf8(csv.finish().unwrap()).unwrap();
        let text = text
            .strip_prefix('\u{feff}')
            .expect("hosts.csv begins with a UTF-8 byte order mark");
        let mut lines = text.lines();
        let golden = include_str!("../tests/golden/hosts.csv.header");
        assert_eq!(lines.next().unwrap(), golden.trim_end());
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
            row.starts_with("1,0,none,,,,,127.0.0.9,3389,,open,0.4,negotiated,,hybrid,"),
            "{row}"
        );
    }

    #[test]
    fn rows_written_one_after_another_are_the_rows_each_host_has_alone() {
        // The writers reuse one buffer for every cell: nothing of one cell or host may reach
        // the next.
        let mut full = ranked(sample());
        full.assessment.findings = vec![
            crate::Finding {
                code: crate::FindingCode::CertExpired,
                severity: crate::Severity::High,
                evidence: "expired\r\n=1+1".into(),
                remediation: "renew it".into(),
            },
            crate::Finding {
                code: crate::FindingCode::CertUntrusted,
                severity: crate::Severity::Low,
                evidence: "self-signed".into(),
                remediation: "issue it from a CA".into(),
            },
        ];
        let mut dead =
            Observation::new(Some("::1".parse().unwrap()), 3390, None, TcpStatus::Refused);
        dead.error = Some("connection refused".into());
        let dead = RankedHost::for_test(2, dead, None);
        let body = |hosts: &[&RankedHost]| {
            let mut csv = RankedHostsCsv::new(Vec::new()).unwrap();
            let mut findings = FindingsCsv::new(Vec::new()).unwrap();
            for host in hosts {
                csv.write(host).unwrap();
                findings.write(host).unwrap();
            }
            let rows = |bytes: Vec<u8>| {
                let text = String::from_utf8(bytes).unwrap();
                text.lines().skip(1).map(str::to_string).collect::<Vec<_>>()
            };
            (
                rows(csv.finish().unwrap()),
                rows(findings.finish().unwrap()),
            )
        };
        let (both, both_findings) = body(&[&full, &dead, &full]);
        let (alone_full, alone_findings) = body(&[&full]);
        let (alone_dead, none) = body(&[&dead]);
        assert_eq!(
            both,
            [&alone_full[..], &alone_dead[..], &alone_full[..]].concat()
        );
        assert_eq!(
            both_findings,
            [&alone_findings[..], &alone_findings[..]].concat()
        );
        assert_eq!(alone_findings.len(), 2);
        assert!(none.is_empty());
        assert!(
            alone_dead[0].contains(",::1,3390,,refused,"),
            "{}",
            alone_dead[0]
        );
    }

    #[test]
    fn both_csv_files_begin_with_a_byte_order_mark_that_csv_readers_skip() {
        let mut obs = sample();
        obs.hostname = Some("rdp-zürich.example".into());
        let mut host = ranked(obs);
        host.assessment.findings.push(crate::Finding {
            code: crate::FindingCode::CertNameMismatch,
            severity: crate::Severity::Medium,
            evidence: "the certificate does not name rdp-zürich.example".into(),
            remediation: "reissue it".into(),
        });
        let mut hosts = RankedHostsCsv::new(Vec::new()).unwrap();
        hosts.write(&host).unwrap();
        let hosts = hosts.finish().unwrap();
        let mut findings = FindingsCsv::new(Vec::new()).unwrap();
        findings.write(&host).unwrap();
        let findings = findings.finish().unwrap();
        for (file, bytes, first) in [
            ("hosts.csv", &hosts, "rank"),
            ("findings.csv", &findings, "ip"),
        ] {
            assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{file}: {bytes:?}");
            // The csv crate (the version in Cargo.lock) strips the mark from the first field.
            let mut reader = csv::Reader::from_reader(bytes.as_slice());
            assert_eq!(&reader.headers().unwrap()[0], first, "{file}");
            let row = reader.records().next().expect("a row").unwrap();
            assert!(
                row.iter().any(|cell| cell.contains("zürich")),
                "{file}: {row:?}"
            );
        }
    }

    #[test]
    fn only_plain_numbers_escape_neutralising() {
        assert_eq!(spreadsheet_safe("-31"), "-31");
        assert_eq!(spreadsheet_safe("-0.5"), "-0.5");
        for text in [
            "-inf", "+NaN", "-", "=1+1", "@SUM(A1)", "+1", "-1e5", "-1.2.3",
        ] {
            assert_eq!(spreadsheet_safe(text), format!("'{text}"), "{text:?}");
        }
        assert_eq!(spreadsheet_safe("rdp01"), "rdp01");
    }

    #[test]
    fn control_characters_are_written_visibly() {
        assert_eq!(spreadsheet_safe("a\0b\r\nc"), "a\\x00b\\x0d\\x0ac");
        // A tab or CR no longer leads the cell once visible; a formula after it still is one.
        assert_eq!(spreadsheet_safe("\tx"), "\\x09x");
        assert_eq!(spreadsheet_safe("=1\n"), "'=1\\x0a");
    }

    #[test]
    fn deep_columns_are_empty_without_deep_and_filled_with_it() {
        use crate::deep::*;
        use rdpsweep_codec::{
            EncryptionLevel, EncryptionMethod, FailureCode, RdpVersion, SecurityProtocol as P,
        };
        let deep_start = |cells: &[(&str, String)]| {
            cells
                .iter()
                .position(|(name, _)| *name == "protocols_accepted")
                .unwrap()
        };
        let row = csv_cells(sample());
        assert_eq!(row.len() - deep_start(&row), 14);
        assert!(
            row[deep_start(&row)..].iter().all(|(_, c)| c.is_empty()),
            "{row:?}"
        );

        let mut obs = sample();
        assert!(HOST_COLUMNS.iter().any(|c| c.name == "clock_skew_s"));
        let answer = |protocol: P, selected: Option<P>| ProtocolAnswer {
            protocol,
            requested: protocol,
            from_first_probe: false,
            tcp: TcpStatus::Open,
            rdp: Some(RdpStatus::Negotiated),
            selected,
            neg_failure: selected
                .is_none()
                .then_some(FailureCode::HYBRID_REQUIRED_BY_SERVER),
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
            protocols: vec![
                answer(P::RDP, None),
                answer(P::SSL, Some(P::HYBRID)),
                answer(P::HYBRID, Some(P::HYBRID)),
            ],
            tls_versions: vec![
                tls(TlsVersion::Tls10, false),
                tls(TlsVersion::Tls12, true),
                tls(TlsVersion::Tls13, true),
            ],
            rdp_security: Some(RdpSecurity {
                level: Some(EncryptionLevel::CLIENT_COMPATIBLE),
                methods: vec![EncryptionMethod::BIT_56, EncryptionMethod::BIT_128],
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
        let row = csv_cells(obs.clone());
        let deep: Vec<&str> = row[deep_start(&row)..]
            .iter()
            .map(|(_, c)| c.as_str())
            .collect();
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
        // sample() has no deep record: its line has no `deep` field, as before it existed.
        let line = serde_json::to_value(sample()).unwrap();
        assert!(line.get("deep").is_none(), "{line}");
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

    #[test]
    fn a_csv_line_is_what_the_csv_crate_writes_of_the_safe_cells() {
        // Cells that are their own CSV text, and every kind that is not: quotes, commas, line
        // breaks and other controls, formulas, numbers and not-quite-numbers, non-ASCII text,
        // and empty cells (first, last, alone).
        let cells = [
            "",
            "rdp01",
            "127.0.0.1",
            "0.4",
            "-5",
            "-0.5",
            "-x",
            "-",
            "=1+1",
            "+1",
            "@SUM(A1)",
            "a,b",
            "say \"hi\"",
            "\"",
            "\"\"",
            "a\"b,c\"",
            "line\nbreak",
            "cr\rlf\r\n",
            "tab\there",
            "\tlead",
            "zürich",
            "Zürich, \"CH\"",
            "\u{85}next",
            "'quoted'",
            "a;b|c",
            // The edges of printable ASCII.
            " ",
            "~",
            "\x7f",
            "\x1f",
            "a\x7fb",
            "#comment",
            " spaced ",
        ];
        // A quote, comma or control past the first vector's worth of bytes.
        let long: Vec<String> = [",", "\"", "\n", "\u{1}", "é"]
            .iter()
            .flat_map(|special| [31, 32, 33, 64, 65].map(|n| format!("{}{special}", "a".repeat(n))))
            .collect();
        let cells: Vec<&str> = cells
            .iter()
            .copied()
            .chain(long.iter().map(String::as_str))
            .collect();
        let mut rows: Vec<Vec<&str>> = vec![vec![], vec![""], vec!["", ""], vec!["x"]];
        for (i, a) in cells.iter().enumerate() {
            rows.push(vec![a]);
            rows.push(vec![a, cells[(i + 7) % cells.len()], ""]);
            rows.push(vec!["", a, cells[(i * 3 + 1) % cells.len()]]);
        }
        let mut line = CsvLine::default();
        let mut ours = Vec::new();
        let mut theirs = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        for (r, row) in rows.iter().enumerate() {
            for cell in row {
                match r % 2 {
                    0 => line.text(cell),
                    // In two pieces, as a column may write it.
                    _ => {
                        let half = (0..=cell.len() / 2)
                            .rev()
                            .find(|&at| cell.is_char_boundary(at))
                            .unwrap_or(0);
                        line.cell(|out| {
                            out.push_str(&cell[..half]);
                            out.push_str(&cell[half..]);
                        });
                    }
                }
            }
            line.write_to(&mut ours).unwrap();
            write_safe_record(&mut theirs, row).unwrap();
        }
        let theirs = theirs.into_inner().unwrap();
        let (ours, theirs) = (
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs).unwrap(),
        );
        for ((row, a), b) in rows.iter().zip(ours.lines()).zip(theirs.lines()) {
            assert_eq!(a, b, "{row:?}");
        }
        assert_eq!(ours, theirs);
    }
}
