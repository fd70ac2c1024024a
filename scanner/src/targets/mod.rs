//! Targets: addresses, CIDRs (IPv4 and IPv6), host names, files of them, and excludes,
//! expanded lazily so that a /8 is never collected in memory.
//!
//! # Accepted values
//! A target is an IPv4 or IPv6 address (`10.0.0.1`, `fd00::1`), a CIDR (`10.20.0.0/16`,
//! `fd00::/120`) or an RFC 1123 host name (`localhost`, `rdp01.corp.example`). A CIDR with host
//! bits set (`10.0.0.5/24`) means its whole network (`10.0.0.0/24`), as in nmap. An exclude is
//! an address or a CIDR; a host name is refused there, because excludes apply to addresses.
//! Files hold one value a line; `#` starts a comment (whole line or trailing); blank lines,
//! surrounding whitespace, CRLF line ends and a UTF-8 byte-order mark are ignored. Errors name
//! the value, and for files `FILE:LINE`.
//!
//! # Memory stays flat in the size of the target space
//! A /8 holds 16.7 M addresses and an IPv6 /64 holds 2^64, so addresses are never collected.
//! Each address or CIDR becomes one inclusive interval on its family's number line (`u32` for
//! IPv4, `u128` for IPv6; both stored as `u128`). The intervals of each family are sorted and
//! merged where they overlap or touch, so a target given twice, or inside another CIDR, is
//! probed once. The merged exclude intervals are then subtracted, and [`TargetSet::iter`] walks
//! the remaining intervals lazily: IPv4 first, then IPv6, each ascending. Host names are kept
//! in input order without duplicates (compared case-insensitively, first spelling kept) and
//! come after the addresses; excludes do not filter them (they are resolved later, and the
//! probe engine checks the resolved address with [`TargetSet::is_excluded`]). Memory is
//! O(number of values given), never O(addresses).
//!
//! # Counting
//! [`TargetSet::len`] adds up the interval sizes, so it costs nothing for a huge range. The one
//! count that does not fit in a `u128` is the full IPv6 space (`::/0` holds 2^128 addresses,
//! one more than `u128::MAX`), so counts saturate at `u128::MAX`: `len` is exact whenever the
//! true count is below 2^128, that is unless `::/0` (with nothing excluded) is a target. Nobody
//! can iterate that far to notice the difference.

mod order;
mod parse;
mod ranges;

use std::collections::HashSet;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

pub use order::{Order, Sequence, Shard};
use parse::Spec;
use ranges::{Interval, Ranges};

/// One target to probe (ports are applied by the sweep).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Ip(IpAddr),
    /// A host name, resolved at probe time; the name goes in the `hostname` column.
    Name(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Ip(ip) => ip.fmt(f),
            Target::Name(name) => f.write_str(name),
        }
    }
}

/// A bad target, file or exclude; the message names the bad value (and file line).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TargetError(pub String);

/// The validated set of targets: includes minus excludes, iterated lazily.
#[derive(Debug, Clone, Default)]
pub struct TargetSet {
    v4: Ranges,
    v6: Ranges,
    names: Vec<String>,
    excluded_v4: Ranges,
    excluded_v6: Ranges,
}

impl TargetSet {
    /// Parses every target and exclude (command-line values and files); errors name the value.
    ///
    /// Nothing is resolved here: names are kept as text for the probe engine.
    pub fn build(
        targets: &[String],
        input_files: &[PathBuf],
        excludes: &[String],
        exclude_files: &[PathBuf],
    ) -> Result<TargetSet, TargetError> {
        let mut include = Collector::default();
        for value in targets {
            include.add(parse::target(value).map_err(|r| invalid(Kind::Target, value, &r))?);
        }
        for path in input_files {
            read_file(path, Kind::Target, &mut include)?;
        }
        let mut exclude = Collector::default();
        for value in excludes {
            exclude.add(parse::exclude(value).map_err(|r| invalid(Kind::Exclude, value, &r))?);
        }
        for path in exclude_files {
            read_file(path, Kind::Exclude, &mut exclude)?;
        }
        Ok(TargetSet::from_parts(include, exclude))
    }

    /// Merges the collected intervals and subtracts the excludes.
    fn from_parts(include: Collector, exclude: Collector) -> TargetSet {
        let excluded_v4 = Ranges::from_unsorted(exclude.v4);
        let excluded_v6 = Ranges::from_unsorted(exclude.v6);
        TargetSet {
            v4: Ranges::from_unsorted(include.v4).subtract(&excluded_v4),
            v6: Ranges::from_unsorted(include.v6).subtract(&excluded_v6),
            names: include.names,
            excluded_v4,
            excluded_v6,
        }
    }

    /// How many targets `iter` yields (before ports are applied), saturating at `u128::MAX`
    /// (see the module documentation).
    pub fn len(&self) -> u128 {
        let names = u128::try_from(self.names.len()).unwrap_or(u128::MAX);
        self.v4
            .count()
            .saturating_add(self.v6.count())
            .saturating_add(names)
    }

    /// [`TargetSet::len`] without saturating.
    pub fn exact_len(&self) -> num_bigint::BigUint {
        let intervals = self.v4.intervals().iter().chain(self.v6.intervals());
        intervals
            .map(|i| num_bigint::BigUint::from(i.end - i.start) + 1u32)
            .sum::<num_bigint::BigUint>()
            + self.names.len()
    }

    /// True when there is nothing to probe.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when `ip` falls in an exclude (used for addresses that names resolve to).
    ///
    /// The families are separate: an IPv4-mapped IPv6 address is not matched by IPv4 excludes.
    pub fn is_excluded(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => self.excluded_v4.contains(u128::from(u32::from(a))),
            IpAddr::V6(a) => self.excluded_v6.contains(u128::from(a)),
        }
    }

    /// A digest of everything that decides which targets the set holds and in what order they
    /// are numbered (intervals, names, excludes), lowercase hex: `--resume` compares it with the
    /// first run's, since a changed input or exclude file changes the visiting order.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        for (tag, ranges) in [
            (b'4', &self.v4),
            (b'6', &self.v6),
            (b'x', &self.excluded_v4),
            (b'y', &self.excluded_v6),
        ] {
            hash.update([tag]);
            for interval in ranges.intervals() {
                hash.update(interval.start.to_be_bytes());
                hash.update(interval.end.to_be_bytes());
            }
        }
        hash.update(b"n");
        for name in &self.names {
            hash.update(name.to_ascii_lowercase().as_bytes());
            hash.update([0]);
        }
        hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Every target, each once, lazily: IPv4 ascending, IPv6 ascending, then the names in
    /// input order.
    pub fn iter(&self) -> impl Iterator<Item = Target> + Send + '_ {
        let v4 = self.v4.values().map(v4_target);
        let v6 = self
            .v6
            .values()
            .map(|v| Target::Ip(IpAddr::V6(Ipv6Addr::from(v))));
        let names = self.names.iter().cloned().map(Target::Name);
        v4.chain(v6).chain(names)
    }
}

/// An IPv4 target from its number (always below 2^32: it comes from an IPv4 interval).
fn v4_target(value: u128) -> Target {
    let bits = u32::try_from(value).unwrap_or(u32::MAX);
    Target::Ip(IpAddr::V4(Ipv4Addr::from(bits)))
}

/// Which list a value belongs to, for messages.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Target,
    Exclude,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Target => "target",
            Kind::Exclude => "exclude",
        }
    }

    fn parse(self, text: &str) -> Result<Spec, String> {
        match self {
            Kind::Target => parse::target(text),
            Kind::Exclude => parse::exclude(text),
        }
    }
}

/// `invalid target "VALUE": REASON`.
fn invalid(kind: Kind, value: &str, reason: &str) -> TargetError {
    TargetError(format!(
        "invalid {} {:?}: {reason}",
        kind.word(),
        value.trim()
    ))
}

/// Intervals and names gathered before merging.
#[derive(Debug, Default)]
struct Collector {
    v4: Vec<Interval>,
    v6: Vec<Interval>,
    names: Vec<String>,
    seen_names: HashSet<String>,
}

impl Collector {
    fn add(&mut self, spec: Spec) {
        match spec {
            Spec::V4(i) => self.v4.push(i),
            Spec::V6(i) => self.v6.push(i),
            Spec::Name(name) => {
                if self.seen_names.insert(name.to_ascii_lowercase()) {
                    self.names.push(name);
                }
            }
        }
    }
}

/// Adds every value of a target or exclude file to `into`; the path `-` is standard input.
fn read_file(path: &Path, kind: Kind, into: &mut Collector) -> Result<(), TargetError> {
    let unreadable = |e: std::io::Error| {
        TargetError(format!(
            "cannot read {} file \"{}\": {e}",
            kind.word(),
            path.display()
        ))
    };
    if path == Path::new(STDIN) {
        return read_lines(std::io::stdin().lock(), path, kind, into);
    }
    let file = File::open(path).map_err(unreadable)?;
    read_lines(BufReader::new(file), path, kind, into)
}

/// The path that names standard input in a list of target files.
pub const STDIN: &str = "-";

/// Adds every value of `reader`, one a line, to `into`; errors name `path` and the line.
fn read_lines(
    mut reader: impl BufRead,
    path: &Path,
    kind: Kind,
    into: &mut Collector,
) -> Result<(), TargetError> {
    let unreadable = |e: std::io::Error| {
        TargetError(format!(
            "cannot read {} file \"{}\": {e}",
            kind.word(),
            path.display()
        ))
    };
    let mut bytes = Vec::new();
    for index in 0.. {
        bytes.clear();
        if reader.read_until(b'\n', &mut bytes).map_err(unreadable)? == 0 {
            break;
        }
        let line = std::str::from_utf8(&bytes).map_err(|_| {
            TargetError(format!(
                "{}:{}: not UTF-8 text (a target file holds one address, CIDR, range or name a line)",
                path.display(),
                index + 1
            ))
        })?;
        let line = line.trim_end_matches(['\n', '\r']);
        let line = if index == 0 {
            line.strip_prefix('\u{feff}').unwrap_or(line)
        } else {
            line
        };
        let value = strip_comment(line);
        if value.is_empty() {
            continue;
        }
        let spec = kind.parse(value).map_err(|reason| {
            let TargetError(message) = invalid(kind, value, &reason);
            TargetError(format!("{}:{}: {message}", path.display(), index + 1))
        })?;
        into.add(spec);
    }
    Ok(())
}

/// The value on a file line: before any `#`, without surrounding whitespace.
fn strip_comment(line: &str) -> &str {
    line.split('#').next().unwrap_or("").trim()
}

#[cfg(test)]
mod tests;
