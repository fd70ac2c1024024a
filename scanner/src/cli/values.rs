//! The checked value types of the scan settings. Each reads the same text from a flag
//! (`FromStr`, for clap) and from the config file (serde, through `TryFrom`), and refuses a bad
//! value with a message that names it, so both places accept exactly the same values.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use rdpsweep_reports::RiskLevel;
use serde::Deserialize;

/// The most retries a scan may ask for.
pub const MAX_RETRIES: u32 = 100;
/// The shortest stage deadline: below it a healthy host on a LAN may not finish its X.224 or
/// TLS exchange, and every host would look like one that fails.
pub const MIN_TIMEOUT: Duration = Duration::from_millis(100);
/// The longest stage deadline or pause: far beyond any client's own timeout, and small enough
/// that no deadline computed from it can overflow the clock.
pub const MAX_DURATION: Duration = Duration::from_secs(3600);
/// The most ports one scan may probe.
pub const MAX_PORTS: usize = 1024;
/// The longest cookie a Connection Request can carry: its X.224 length indicator is one byte.
pub const MAX_COOKIE_LEN: usize = 200;

/// Implements serde's `Deserialize` through `TryFrom<$from>`, whose error (a message naming the
/// value) becomes the deserializer's.
macro_rules! deserialize_via {
    ($name:ident, $from:ty) => {
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <$from>::deserialize(d)?;
                $name::try_from(raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// Ports to probe, each once, in the order given: `3389`, `3389,3390`, `3389-3391`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortList(pub Vec<u16>);

impl FromStr for PortList {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let mut ports = Vec::new();
        for part in text.split(',').map(str::trim) {
            match part.split_once('-') {
                Some((low, high)) => {
                    let (low, high) = (port(low.trim())?, port(high.trim())?);
                    if low > high {
                        return Err(format!("port range {part} runs backwards"));
                    }
                    ports.extend(low..=high);
                }
                None => ports.push(port(part)?),
            }
            if ports.len() > MAX_PORTS {
                return Err(format!("more than {MAX_PORTS} ports in {text:?}"));
            }
        }
        PortList::new(ports)
    }
}

impl TryFrom<Vec<i64>> for PortList {
    type Error = String;
    fn try_from(values: Vec<i64>) -> Result<Self, String> {
        let ports = values
            .iter()
            .map(|&v| {
                u16::try_from(v)
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| not_a_port(v))
            })
            .collect::<Result<Vec<u16>, String>>()?;
        PortList::new(ports)
    }
}
deserialize_via!(PortList, Vec<i64>);

impl PortList {
    /// Each port once, in the order given: a port listed twice must not give two rows.
    fn new(ports: Vec<u16>) -> Result<Self, String> {
        if ports.is_empty() {
            return Err("no port given".into());
        }
        if ports.len() > MAX_PORTS {
            return Err(format!("more than {MAX_PORTS} ports"));
        }
        let mut seen = std::collections::HashSet::new();
        Ok(PortList(
            ports.into_iter().filter(|p| seen.insert(*p)).collect(),
        ))
    }
}

fn port(text: &str) -> Result<u16, String> {
    match text.parse::<i64>() {
        Ok(v) => u16::try_from(v)
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| not_a_port(v)),
        Err(_) => Err(format!("port {text} is not in 1-65535")),
    }
}

fn not_a_port(value: impl fmt::Display) -> String {
    format!("port {value} is not in 1-65535")
}

/// A whole number of at least 1 (a rate, a concurrency).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtLeastOne(pub u32);

impl FromStr for AtLeastOne {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        text.trim()
            .parse::<i64>()
            .map_err(|_| format!("{text:?} is not a whole number"))
            .and_then(AtLeastOne::try_from)
    }
}

impl TryFrom<i64> for AtLeastOne {
    type Error = String;
    fn try_from(value: i64) -> Result<Self, String> {
        u32::try_from(value)
            .ok()
            .filter(|v| *v >= 1)
            .map(AtLeastOne)
            .ok_or_else(|| format!("{value} is not in 1-{}", u32::MAX))
    }
}
deserialize_via!(AtLeastOne, i64);

/// The most probes (targets × ports) a scan may hold: a whole number of at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxTargets(pub u128);

impl FromStr for MaxTargets {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim().replace('_', "").parse::<u128>() {
            Ok(n) if n >= 1 => Ok(MaxTargets(n)),
            _ => Err(format!("{text:?} is not a whole number of at least 1")),
        }
    }
}

impl TryFrom<i64> for MaxTargets {
    type Error = String;
    fn try_from(value: i64) -> Result<Self, String> {
        u128::try_from(value)
            .ok()
            .filter(|v| *v >= 1)
            .map(MaxTargets)
            .ok_or_else(|| format!("{value} is not a whole number of at least 1"))
    }
}
deserialize_via!(MaxTargets, i64);

/// How many times a target whose outcome was a timeout or a reset is probed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retries(pub u32);

impl FromStr for Retries {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        text.trim()
            .parse::<i64>()
            .map_err(|_| format!("{text:?} is not a whole number"))
            .and_then(Retries::try_from)
    }
}

impl TryFrom<i64> for Retries {
    type Error = String;
    fn try_from(value: i64) -> Result<Self, String> {
        u32::try_from(value)
            .ok()
            .filter(|v| *v <= MAX_RETRIES)
            .map(Retries)
            .ok_or_else(|| format!("{value} is not in 0-{MAX_RETRIES}"))
    }
}
deserialize_via!(Retries, i64);

/// The deadline of one stage: `500ms`, `3s`, between [`MIN_TIMEOUT`] and [`MAX_DURATION`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout(pub Duration);

impl FromStr for Timeout {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let d = duration(text)?;
        if d < MIN_TIMEOUT || d > MAX_DURATION {
            return Err(format!(
                "duration {text:?} is not between {} and {}",
                human(MIN_TIMEOUT),
                human(MAX_DURATION)
            ));
        }
        Ok(Timeout(d))
    }
}

impl TryFrom<String> for Timeout {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}
deserialize_via!(Timeout, String);

/// A pause: `0s` (none), `200ms`, up to [`MAX_DURATION`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause(pub Duration);

impl FromStr for Pause {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let d = duration(text)?;
        if d > MAX_DURATION {
            return Err(format!(
                "duration {text:?} is longer than {}",
                human(MAX_DURATION)
            ));
        }
        Ok(Pause(d))
    }
}

impl TryFrom<String> for Pause {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}
deserialize_via!(Pause, String);

/// The longest a reader waits for a scan still writing its input (`diff --wait`): a day, so a
/// nightly job never waits into the next night's scan.
pub const MAX_WAIT: Duration = Duration::from_secs(24 * 3600);

/// How long to wait for a scan still writing: `0s` (not at all), `30m`, `4h`, up to [`MAX_WAIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait(pub Duration);

impl FromStr for Wait {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let d = duration(text)?;
        if d > MAX_WAIT {
            return Err(format!(
                "duration {text:?} is longer than {}",
                human(MAX_WAIT)
            ));
        }
        Ok(Wait(d))
    }
}

fn duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim()).map_err(|e| format!("invalid duration {text:?}: {e}"))
}

/// `3s`, `500ms`: how durations appear in messages.
pub fn human(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// The `mstshash` cookie of the Connection Request: printable ASCII without spaces, since the
/// cookie ends at CR LF on the wire and servers log it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cookie(pub String);

impl FromStr for Cookie {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        if text.is_empty() || text.len() > MAX_COOKIE_LEN {
            return Err(format!(
                "cookie {text:?} must have 1 to {MAX_COOKIE_LEN} characters"
            ));
        }
        if let Some(bad) = text.chars().find(|c| !c.is_ascii_graphic()) {
            return Err(format!(
                "cookie {text:?} holds {bad:?}: only printable ASCII without spaces goes on the wire"
            ));
        }
        Ok(Cookie(text.to_string()))
    }
}

impl TryFrom<String> for Cookie {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}
deserialize_via!(Cookie, String);

/// The level `--fail-on` exits 3 at: `high`, `medium` or `low`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailOn(pub RiskLevel);

impl FromStr for FailOn {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text.parse::<RiskLevel>() {
            Ok(RiskLevel::None) | Err(_) => {
                Err(format!("level {text:?} is not high, medium or low"))
            }
            Ok(level) => Ok(FailOn(level)),
        }
    }
}

impl TryFrom<String> for FailOn {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}
deserialize_via!(FailOn, String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_parse_lists_and_ranges_and_name_the_bad_one() {
        assert_eq!("3389".parse(), Ok(PortList(vec![3389])));
        assert_eq!("3389, 3390".parse(), Ok(PortList(vec![3389, 3390])));
        assert_eq!("3389-3391".parse(), Ok(PortList(vec![3389, 3390, 3391])));
        assert_eq!("3390,3389,3390".parse(), Ok(PortList(vec![3390, 3389])));
        let err = |text: &str| text.parse::<PortList>().unwrap_err();
        assert_eq!(err("3389,70000"), "port 70000 is not in 1-65535");
        assert_eq!(err("0"), "port 0 is not in 1-65535");
        assert!(err("rdp").contains("rdp"));
        assert!(err("3391-3389").contains("3391-3389"));
        assert!(err("1-65535").contains("more than 1024 ports"));
        assert_eq!(
            PortList::try_from(vec![13389, -1]).unwrap_err(),
            "port -1 is not in 1-65535"
        );
        assert_eq!(PortList::try_from(vec![]).unwrap_err(), "no port given");
    }

    #[test]
    fn counts_name_the_value_and_the_range() {
        assert_eq!("300".parse(), Ok(AtLeastOne(300)));
        assert!("0"
            .parse::<AtLeastOne>()
            .unwrap_err()
            .contains("0 is not in 1-"));
        assert!("lots".parse::<AtLeastOne>().unwrap_err().contains("lots"));
        assert_eq!("100".parse(), Ok(Retries(100)));
        assert_eq!("101".parse::<Retries>().unwrap_err(), "101 is not in 0-100");
    }

    #[test]
    fn timeouts_are_bounded_both_ways() {
        assert_eq!("500ms".parse(), Ok(Timeout(Duration::from_millis(500))));
        assert_eq!("1h".parse(), Ok(Timeout(MAX_DURATION)));
        for bad in [
            "0s",
            "1ns",
            "99ms",
            "61min",
            "18446744073709551615s",
            "soon",
            "-1s",
        ] {
            let err = bad.parse::<Timeout>().unwrap_err();
            assert!(err.contains(bad), "{bad}: {err}");
        }
        assert_eq!("0s".parse(), Ok(Pause(Duration::ZERO)));
        assert_eq!("250ms".parse(), Ok(Pause(Duration::from_millis(250))));
        assert!("2h".parse::<Pause>().unwrap_err().contains("2h"));
        assert!("-1s".parse::<Pause>().unwrap_err().contains("-1s"));
    }

    #[test]
    fn cookies_are_printable_ascii_without_line_ends() {
        assert_eq!("rdpsweep".parse(), Ok(Cookie("rdpsweep".into())));
        for bad in ["a\r\nb", "two words", "", "caf\u{e9}"] {
            assert!(bad.parse::<Cookie>().is_err(), "{bad:?}");
        }
        assert!("x".repeat(201).parse::<Cookie>().is_err());
    }

    #[test]
    fn fail_on_is_a_level_other_than_none() {
        assert_eq!("medium".parse(), Ok(FailOn(RiskLevel::Medium)));
        assert!("none".parse::<FailOn>().is_err());
        assert!("severe".parse::<FailOn>().unwrap_err().contains("severe"));
    }
}
