//! Targets: addresses, CIDRs (IPv4 and IPv6), host names, files of them, and excludes,
//! expanded lazily so that a /8 is never collected in memory.
//! STUB: owned by the cert/targets helper.

use std::net::IpAddr;

/// One target to probe (ports are applied by the sweep).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Ip(IpAddr),
    /// A host name, resolved at probe time; the name goes in the `hostname` column.
    Name(String),
}

/// A bad target, file or exclude; the message names the bad value (and file line).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TargetError(pub String);

/// The validated set of targets: includes minus excludes, iterated lazily.
#[derive(Debug, Clone, Default)]
pub struct TargetSet {}

impl TargetSet {
    /// Parses every target and exclude (command-line values and files); errors name the value.
    pub fn build(
        targets: &[String],
        input_files: &[std::path::PathBuf],
        excludes: &[String],
        exclude_files: &[std::path::PathBuf],
    ) -> Result<TargetSet, TargetError> {
        let _ = (targets, input_files, excludes, exclude_files);
        Err(TargetError("not implemented yet".into()))
    }

    /// How many targets `iter` yields (before ports are applied).
    pub fn len(&self) -> u128 {
        0
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when `ip` falls in an exclude (used for addresses that names resolve to).
    pub fn is_excluded(&self, ip: IpAddr) -> bool {
        let _ = ip;
        false
    }

    /// Every target, each once, lazily.
    pub fn iter(&self) -> impl Iterator<Item = Target> + Send + '_ {
        std::iter::empty()
    }
}
