//! The 0x904 risk score: findings → a 0–100 score and a level, under a policy (weights,
//! thresholds, expiry window, slow threshold) read from `configs/risk.toml` or its defaults.
//! STUB: being written by the findings helper; the types are the interface.

use std::collections::BTreeMap;

use crate::findings::{findings, Finding, FindingCode, Severity};
use crate::observation::Observation;
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
}

impl Default for RiskPolicy {
    fn default() -> Self {
        RiskPolicy {
            expiring_days: 30,
            slow_ms: 1000.0,
            severity_weights: BTreeMap::new(),
            code_weights: BTreeMap::new(),
            high_from: 60,
            medium_from: 30,
            low_from: 1,
        }
    }
}

impl RiskPolicy {
    /// Reads a policy from TOML text; keys left out keep their defaults; unknown keys and bad
    /// values are errors that name them.
    pub fn from_toml(text: &str) -> Result<RiskPolicy, String> {
        let _ = text;
        Ok(RiskPolicy::default())
    }
}

/// Findings, score and level of one host.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub findings: Vec<Finding>,
    /// 0–100.
    pub score: u32,
    pub level: RiskLevel,
}

/// Assesses one observation under `policy`.
pub fn assess(obs: &Observation, policy: &RiskPolicy) -> Assessment {
    let findings = findings(obs, policy);
    Assessment {
        findings,
        score: 0,
        level: RiskLevel::None,
    }
}
