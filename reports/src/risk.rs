//! The 0x904 risk score: findings → a 0–100 score and a level, under a policy (weights,
//! thresholds, expiry window, slow threshold) read from `configs/risk.toml` or its defaults.
//!
//! The formula:
//!
//! - every distinct finding adds points: its code's weight if `[code_weights]` names the code,
//!   else its severity's weight from `[severity_weights]` (defaults: high 60, medium 30,
//!   low 10, info 0);
//! - `score = min(100, sum of the points)`: it orders hosts within a level;
//! - `level` is the level of the host's heaviest finding: `high` when its points reach
//!   `levels.high` (60), else `medium` from `levels.medium` (30), else `low` from `levels.low`
//!   (1), else `none`.
//!
//! So with the defaults one high finding makes a host high, and findings never add up into a
//! higher level: `high` means a client fails now, and a host that warns in two ways (an expired
//! certificate for another name) still connects after a warning, so it stays medium, above the
//! hosts that warn in one way. A host without findings, or whose findings all weigh 0, scores 0
//! and is `none`. Each code counts once, since [`findings`] raises each code at most once.
//!
//! The policy file: keys left out keep their defaults; unknown keys (an unknown finding code or
//! severity included), negative or non-numeric values are errors naming the key; the levels must
//! satisfy `1 <= low <= medium <= high <= 100` (a score of 0 is always `none`, and a threshold
//! over the cap could never be reached).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::findings::{findings, Finding, FindingCode, Severity};
use crate::observation::Observation;
use crate::outcome::{predict, ClientPolicy, Prediction};
use crate::vocab::word_enum;

word_enum! {
    /// A host's overall risk, most serious first.
    RiskLevel, "risk level" {
        High => "high",
        Medium => "medium",
        Low => "low",
        None => "none",
    }
}

/// Weights, thresholds and windows that turn findings into a score.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskPolicy {
    /// `CERT_EXPIRING_SOON` when the certificate expires within this many days.
    pub expiring_days: i64,
    /// `SLOW_HANDSHAKE` when any stage took longer than this many milliseconds.
    pub slow_ms: f64,
    /// Points per finding of each severity.
    pub severity_weights: BTreeMap<Severity, u32>,
    /// Points for specific codes, replacing their severity's weight.
    pub code_weights: BTreeMap<FindingCode, u32>,
    /// Lowest score of each level (`none` is a score of 0).
    pub high_from: u32,
    pub medium_from: u32,
    pub low_from: u32,
    /// Which clients the findings' severities and the outcome are for.
    pub client_policy: ClientPolicy,
    /// Where the policy came from: `built in`, or the file's path (for the record).
    pub source: String,
}

impl Default for RiskPolicy {
    fn default() -> Self {
        RiskPolicy {
            expiring_days: 30,
            slow_ms: 1000.0,
            severity_weights: BTreeMap::from([
                (Severity::High, 60),
                (Severity::Medium, 30),
                (Severity::Low, 10),
                (Severity::Info, 0),
            ]),
            code_weights: BTreeMap::new(),
            high_from: 60,
            medium_from: 30,
            low_from: 1,
            client_policy: ClientPolicy::Default,
            source: "built in".to_string(),
        }
    }
}

impl RiskPolicy {
    /// Reads a policy from TOML text (serde, into [`PolicyFile`]); keys left out keep their
    /// defaults; unknown keys and bad values are errors that name the key (its dotted path)
    /// and the line.
    pub fn from_toml(text: &str) -> Result<RiskPolicy, String> {
        let file = read_file(text)?;
        let mut policy = RiskPolicy::default();
        if let Some(days) = file.expiring_days {
            policy.expiring_days = i64::from(days.0);
        }
        if let Some(ms) = file.slow_ms {
            policy.slow_ms = ms.0;
        }
        if let Some(client) = file.client_policy {
            policy.client_policy = client;
        }
        for (name, weight) in file.severity_weights {
            let severity: Severity = name.parse().map_err(|_| {
                format!(
                    "unknown key `severity_weights.{name}`: not a severity (high, medium, low, info)"
                )
            })?;
            policy.severity_weights.insert(severity, weight.0);
        }
        for (name, weight) in file.code_weights {
            let code: FindingCode = name
                .parse()
                .map_err(|_| format!("unknown key `code_weights.{name}`: not a finding code"))?;
            policy.code_weights.insert(code, weight.0);
        }
        let levels = file.levels;
        for (slot, value) in [
            (&mut policy.high_from, levels.high),
            (&mut policy.medium_from, levels.medium),
            (&mut policy.low_from, levels.low),
        ] {
            if let Some(value) = value {
                *slot = value.0;
            }
        }
        policy.check_levels()?;
        Ok(policy)
    }

    /// `1 <= low <= medium <= high <= 100`.
    fn check_levels(&self) -> Result<(), String> {
        let (low, medium, high) = (self.low_from, self.medium_from, self.high_from);
        if low < 1 {
            return Err(format!(
                "`levels.low` must be at least 1 (a score of 0 is level none), not {low}"
            ));
        }
        if high > 100 {
            return Err(format!(
                "`levels.high` must be at most 100 (the score's cap), not {high}"
            ));
        }
        if !(low <= medium && medium <= high) {
            return Err(format!(
                "`levels` must satisfy low <= medium <= high, not low = {low}, medium = {medium}, high = {high}"
            ));
        }
        Ok(())
    }

    /// The points a finding adds: its code's weight, else its severity's (0 if neither is set).
    pub fn weight(&self, finding: &Finding) -> u32 {
        self.code_weights
            .get(&finding.code)
            .or_else(|| self.severity_weights.get(&finding.severity))
            .copied()
            .unwrap_or(0)
    }

    /// The level of a number of points (a finding's weight).
    pub fn level(&self, score: u32) -> RiskLevel {
        if score >= self.high_from {
            RiskLevel::High
        } else if score >= self.medium_from {
            RiskLevel::Medium
        } else if score >= self.low_from {
            RiskLevel::Low
        } else {
            RiskLevel::None
        }
    }
}

/// The policy file as written (see `configs/risk.toml`): every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    expiring_days: Option<Whole>,
    slow_ms: Option<Millis>,
    client_policy: Option<ClientPolicy>,
    /// By severity word; checked against [`Severity`] with a message naming the key.
    #[serde(default)]
    severity_weights: BTreeMap<String, Whole>,
    /// By finding code; checked against [`FindingCode`] with a message naming the key.
    #[serde(default)]
    code_weights: BTreeMap<String, Whole>,
    #[serde(default)]
    levels: Levels,
}

/// `[levels]`: the lowest score of each level.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Levels {
    high: Option<Whole>,
    medium: Option<Whole>,
    low: Option<Whole>,
}

/// Parses the file; an error names the key's dotted path and the line it is on.
fn read_file(text: &str) -> Result<PolicyFile, String> {
    let line_of = |e: &toml::de::Error| {
        e.span()
            .map(|span| {
                let before = text.get(..span.start).unwrap_or(text);
                format!(" (line {})", before.matches('\n').count() + 1)
            })
            .unwrap_or_default()
    };
    let deserializer = toml::Deserializer::parse(text).map_err(|e| {
        format!(
            "risk policy is not valid TOML{}: {}",
            line_of(&e),
            e.message().trim()
        )
    })?;
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner();
        let key = match path.as_str() {
            "." | "" => String::new(),
            path => format!(" `{path}`"),
        };
        format!(
            "risk policy{}{key}: {}",
            line_of(inner),
            inner.message().trim()
        )
    })
}

/// A non-negative whole number that fits a `u32` (a weight, a threshold, a number of days).
#[derive(Debug, Clone, Copy)]
struct Whole(u32);

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match toml::Value::deserialize(d)? {
            toml::Value::Integer(n) if n < 0 => {
                Err(D::Error::custom(format!("must not be negative, not {n}")))
            }
            toml::Value::Integer(n) => u32::try_from(n)
                .map(Whole)
                .map_err(|_| D::Error::custom(format!("is too large: {n}"))),
            other => Err(D::Error::custom(format!(
                "must be a non-negative whole number, not {} {other}",
                article(other.type_str())
            ))),
        }
    }
}

/// A non-negative, finite number of milliseconds (whole or not).
#[derive(Debug, Clone, Copy)]
struct Millis(f64);

impl<'de> Deserialize<'de> for Millis {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let ms = match toml::Value::deserialize(d)? {
            toml::Value::Integer(n) => n as f64,
            toml::Value::Float(x) => x,
            other => {
                return Err(D::Error::custom(format!(
                    "must be a number of milliseconds, not {} {other}",
                    article(other.type_str())
                )))
            }
        };
        if !ms.is_finite() || ms < 0.0 {
            return Err(D::Error::custom(format!(
                "must be a non-negative, finite number of milliseconds, not {ms}"
            )));
        }
        Ok(Millis(ms))
    }
}

fn article(word: &str) -> String {
    let vowel = word.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {word}", if vowel { "an" } else { "a" })
}

/// Findings, score, level and client outcome of one host.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub findings: Vec<Finding>,
    /// 0–100.
    pub score: u32,
    pub level: RiskLevel,
    /// What a client under the policy's client policy gets; `None` where TCP was not accepted.
    pub outcome: Option<Prediction>,
}

/// Assesses one observation under `policy`: its findings, `score = min(100, Σ weight)` and the
/// level of its heaviest finding.
pub fn assess(obs: &Observation, policy: &RiskPolicy) -> Assessment {
    let findings = findings(obs, policy);
    let sum = findings
        .iter()
        .fold(0u32, |sum, f| sum.saturating_add(policy.weight(f)));
    let heaviest = findings.iter().map(|f| policy.weight(f)).max().unwrap_or(0);
    Assessment {
        findings,
        score: sum.min(100),
        level: policy.level(heaviest.min(100)),
        outcome: predict(obs, policy.client_policy),
    }
}

#[cfg(test)]
mod tests;
