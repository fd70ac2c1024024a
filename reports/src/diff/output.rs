//! The diff as text (for a terminal or a cron mail) and as `diff.csv`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Change, ChangeKind, DiffTotals};
use crate::outcome::ClientOutcome;
use crate::risk::RiskLevel;
use crate::writers::{csv_writer_with_bom, write_safe_record};

/// The `diff.csv` columns.
pub const DIFF_CSV_COLUMNS: [&str; 10] = [
    "host",
    "port",
    "change",
    "code",
    "old_level",
    "new_level",
    "evidence",
    "finding_level",
    "old_client_outcome",
    "new_client_outcome",
];

/// A client outcome as the diff writes it: `fails`, `warns`, `connects`, or `none` where no
/// client got as far as TCP (as `summary.json`'s `by_client_outcome` counts it).
pub fn outcome_word(outcome: Option<ClientOutcome>) -> &'static str {
    outcome.map_or("none", ClientOutcome::as_str)
}

/// The changes as text, one block per host, and a last line of totals.
pub fn diff_text(changes: &[Change], totals: &DiffTotals) -> String {
    if changes.is_empty() {
        return "no changes\n".to_string();
    }
    let mut text = String::new();
    let mut current: Option<(&str, u16)> = None;
    for c in changes {
        if current != Some((c.host.as_str(), c.port)) {
            current = Some((c.host.as_str(), c.port));
            let new_level = match c.kind {
                ChangeKind::NotScanned => "not scanned".to_string(),
                _ => c.new_level.to_string(),
            };
            let _ = writeln!(
                text,
                "{}:{} ({} -> {new_level})",
                c.host, c.port, c.old_level
            );
        }
        let code = c.code.map(|c| c.to_string()).unwrap_or_default();
        let _ = match c.kind {
            ChangeKind::Level => writeln!(text, "  level {} -> {}", c.old_level, c.new_level),
            ChangeKind::Outcome => writeln!(
                text,
                "  client {} -> {}",
                outcome_word(c.old_outcome),
                outcome_word(c.new_outcome)
            ),
            ChangeKind::Appeared => writeln!(text, "  + {code}: {}", c.evidence),
            ChangeKind::Disappeared => writeln!(text, "  - {code}"),
            ChangeKind::NotScanned => writeln!(
                text,
                "  ? not in the new run: its findings are not known to be fixed"
            ),
        };
    }
    text.push_str(&totals_line(totals));
    text
}

/// `totals: hosts 2 worse, 1 better, 0 not scanned; findings +3 (1 high, 2 medium), -1
/// (1 low); clients 1 now fail, 0 no longer fail; at risk before -> now: high 3 -> 4, ...`.
fn totals_line(t: &DiffTotals) -> String {
    let by_level = |counts: &BTreeMap<RiskLevel, usize>| {
        let sum: usize = counts.values().sum();
        let parts: Vec<String> = counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(level, n)| format!("{n} {level}"))
            .collect();
        match parts.is_empty() {
            true => sum.to_string(),
            false => format!("{sum} ({})", parts.join(", ")),
        }
    };
    let levels: Vec<String> = t
        .new_levels
        .iter()
        .map(|(level, now)| {
            let before = t.old_levels.get(level).copied().unwrap_or(0);
            format!("{level} {before} -> {now}")
        })
        .collect();
    format!(
        "totals: hosts {} worse, {} better, {} not scanned; findings +{}, -{}; clients {} now \
         fail, {} no longer fail; hosts at risk before -> now: {}\n",
        t.worse,
        t.better,
        t.not_scanned,
        by_level(&t.appeared),
        by_level(&t.disappeared),
        t.now_fail,
        t.no_longer_fail,
        levels.join(", ")
    )
}

/// Writes `diff.csv`: a UTF-8 byte order mark, then [`DIFF_CSV_COLUMNS`], one row per change.
pub fn write_diff_csv<W: Write>(out: W, changes: &[Change]) -> io::Result<()> {
    let mut csv = csv_writer_with_bom(out)?;
    csv.write_record(DIFF_CSV_COLUMNS)?;
    let not_scanned = |c: &Change| c.kind == ChangeKind::NotScanned;
    for c in changes {
        write_safe_record(
            &mut csv,
            &[
                c.host.clone(),
                c.port.to_string(),
                c.kind.to_string(),
                c.code.map(|x| x.to_string()).unwrap_or_default(),
                c.old_level.to_string(),
                // Not scanned: the new level is not known.
                match not_scanned(c) {
                    true => String::new(),
                    false => c.new_level.to_string(),
                },
                c.evidence.clone(),
                c.finding_level.map(|l| l.to_string()).unwrap_or_default(),
                outcome_word(c.old_outcome).to_string(),
                match not_scanned(c) {
                    true => String::new(),
                    false => outcome_word(c.new_outcome).to_string(),
                },
            ],
        )?;
    }
    csv.flush()
}
