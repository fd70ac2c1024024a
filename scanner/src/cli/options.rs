//! The scan settings that a flag and the config file can both give, declared once: clap reads
//! them from the command line, serde from the TOML file (keys are the long flag names with `_`
//! for `-`; `ports` for `--port`, `exclude` for `--exclude`), and [`ScanOptions::over`] lays the
//! command line over the file. `settings` then fills in the defaults.

use std::path::{Path, PathBuf};

use clap::Args;
use rdpsweep_reports::ClientPolicy;
use serde::Deserialize;

use super::settings::defaults;
use super::values::{
    human, AtLeastOne, Cookie, FailOn, MaxTargets, Pause, PortList, Retries, Timeout,
};
use super::Failure;

/// Every setting a flag or the config file may give; `None` (or empty) where neither did.
#[derive(Debug, Default, Clone, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanOptions {
    /// Addresses, CIDRs (10.20.0.0/16, fd00::/120) or host names.
    #[arg(value_name = "TARGET")]
    #[serde(default)]
    pub targets: Vec<String>,
    /// A file of targets, one per line; `#` comments and blank lines allowed. Repeatable.
    #[arg(short = 'i', long = "input-file", value_name = "FILE")]
    #[serde(default)]
    pub input_files: Vec<PathBuf>,
    /// An address or CIDR to leave out. Repeatable. Adds to the config file's excludes.
    #[arg(long, value_name = "TARGET")]
    #[serde(default)]
    pub exclude: Vec<String>,
    /// A file of addresses or CIDRs to leave out. Repeatable. Adds to the config file's.
    #[arg(long = "exclude-file", value_name = "FILE")]
    #[serde(default)]
    pub exclude_files: Vec<PathBuf>,
    #[arg(short = 'p', long = "port", value_name = "PORTS",
          help = format!("Ports to probe: 3389, 3389,3390 or 3389-3391 [default: {}]", defaults::PORT))]
    #[serde(default, rename = "ports")]
    pub ports: Option<PortList>,
    #[arg(long, value_name = "N",
          help = format!("New connections per second, retries included [default: {}]", defaults::RATE))]
    #[serde(default)]
    pub rate: Option<AtLeastOne>,
    #[arg(long, value_name = "N",
          help = format!("Hosts probed at once [default: {}]", defaults::CONCURRENCY))]
    #[serde(default)]
    pub concurrency: Option<AtLeastOne>,
    #[arg(long, value_name = "DUR",
          help = format!("Deadline of the TCP connect, e.g. 500ms, from 100ms to 1h [default: {}]", human(defaults::CONNECT_TIMEOUT)))]
    #[serde(default)]
    pub connect_timeout: Option<Timeout>,
    #[arg(long, value_name = "DUR",
          help = format!("Deadline of each later stage (X.224, TLS), from 100ms to 1h [default: {}]", human(defaults::TIMEOUT)))]
    #[serde(default)]
    pub timeout: Option<Timeout>,
    #[arg(long, value_name = "N",
          help = format!("Re-probe a target whose outcome was a timeout or a reset, 0-100 [default: {}]", defaults::RETRIES))]
    #[serde(default)]
    pub retries: Option<Retries>,
    #[arg(short, long, value_name = "DIR",
          help = format!("Where results.jsonl and hosts.csv are written [default: {}]", defaults::OUT_DIR))]
    #[serde(default)]
    pub out_dir: Option<PathBuf>,
    #[arg(long, value_name = "NAME",
          help = format!("The mstshash cookie sent in the Connection Request [default: {}]", defaults::COOKIE))]
    #[serde(default)]
    pub cookie: Option<Cookie>,
    /// Weights, thresholds and windows of the risk score (see configs/risk.toml) [default: built in, the same as configs/risk.toml].
    #[arg(long, value_name = "FILE")]
    #[serde(default)]
    pub risk_config: Option<PathBuf>,
    /// Exit 3 when any host's risk level is LEVEL or worse (high, medium or low).
    #[arg(long, value_name = "LEVEL")]
    #[serde(default)]
    pub fail_on: Option<FailOn>,
    /// Which clients the outcome is for: `default`, or `strict` (clients that enforce server authentication: every warning fails) [default: the risk config's, else default].
    #[arg(long, value_name = "POLICY")]
    #[serde(default)]
    pub client_policy: Option<ClientPolicy>,
    /// Also write the scan's counts in the Prometheus text format to FILE (for node_exporter's textfile collector).
    #[arg(long, value_name = "FILE")]
    #[serde(default)]
    pub metrics: Option<PathBuf>,
    #[arg(long, value_name = "N",
          help = format!("Seed of the pseudo-random order targets are visited in [default: {}]", defaults::SEED))]
    #[serde(default)]
    pub seed: Option<u64>,
    /// `deep = true` in the file; on the command line, `--deep` and `--no-deep` (see `ScanArgs`).
    #[arg(skip)]
    #[serde(default)]
    pub deep: Option<bool>,
    #[arg(
        long,
        value_name = "DUR",
        help = "Pause before each --deep connection to a host, e.g. 200ms, up to 1h [default: none]"
    )]
    #[serde(default)]
    pub host_pause: Option<Pause>,
    #[arg(long, value_name = "DUR",
          help = format!("After the first SIGINT or SIGTERM, exit within this long: probes in flight get half of it, the report files the rest; up to 1h [default: {}]", human(defaults::STOP_GRACE)))]
    #[serde(default)]
    pub stop_grace: Option<Pause>,
    #[arg(long, value_name = "N",
          help = format!("Refuse a scan of more probes (targets x ports) than this, which could not finish [default: {}]", defaults::MAX_TARGETS))]
    #[serde(default)]
    pub max_targets: Option<MaxTargets>,
    /// A PEM file of the CAs that issue the fleet's Remote Desktop certificates (an enterprise
    /// CA): clients trust them besides the public roots. Repeatable. Adds to the config file's.
    #[arg(long = "ca-file", value_name = "PEM")]
    #[serde(default)]
    pub ca_files: Vec<PathBuf>,
    /// Exit 4 when fewer than N targets accept TCP (a fleet that suddenly answers far less).
    #[arg(long, value_name = "N")]
    #[serde(default)]
    pub expect_open: Option<AtLeastOne>,
}

impl ScanOptions {
    /// These options (the command line) laid over `file`'s: a value given here wins. Targets:
    /// TARGETs or input files given here replace the file's `targets` and `input_files`
    /// together. Excludes add up: a flag never re-enables a range the file excludes.
    pub fn over(self, file: ScanOptions) -> ScanOptions {
        let targets_here = !self.targets.is_empty() || !self.input_files.is_empty();
        let (targets, input_files) = if targets_here {
            (self.targets, self.input_files)
        } else {
            (file.targets, file.input_files)
        };
        ScanOptions {
            targets,
            input_files,
            exclude: [file.exclude, self.exclude].concat(),
            exclude_files: [file.exclude_files, self.exclude_files].concat(),
            ca_files: [file.ca_files, self.ca_files].concat(),
            ports: self.ports.or(file.ports),
            rate: self.rate.or(file.rate),
            concurrency: self.concurrency.or(file.concurrency),
            connect_timeout: self.connect_timeout.or(file.connect_timeout),
            timeout: self.timeout.or(file.timeout),
            retries: self.retries.or(file.retries),
            out_dir: self.out_dir.or(file.out_dir),
            cookie: self.cookie.or(file.cookie),
            risk_config: self.risk_config.or(file.risk_config),
            fail_on: self.fail_on.or(file.fail_on),
            client_policy: self.client_policy.or(file.client_policy),
            metrics: self.metrics.or(file.metrics),
            seed: self.seed.or(file.seed),
            deep: self.deep.or(file.deep),
            host_pause: self.host_pause.or(file.host_pause),
            stop_grace: self.stop_grace.or(file.stop_grace),
            max_targets: self.max_targets.or(file.max_targets),
            expect_open: self.expect_open.or(file.expect_open),
        }
    }

    /// Reads a config file; every error names the file and, where TOML says, the line and key.
    pub fn read(path: &Path) -> Result<ScanOptions, Failure> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::Usage(format!("cannot read config file {}: {e}", path.display()))
        })?;
        toml::from_str(&text).map_err(|e| {
            Failure::Usage(format!(
                "config file {}{}",
                path.display(),
                where_in(&text, &e)
            ))
        })
    }
}

/// `, line 3 (timeout): MESSAGE` for a TOML error: the line of its span and the key written on
/// that line, when there is one.
pub fn where_in(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim();
    let Some(span) = e.span() else {
        return format!(": {message}");
    };
    let before = text.get(..span.start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let key = line_text
        .split_once('=')
        .map(|(key, _)| key.trim())
        .filter(|key| !key.is_empty() && !key.starts_with('['));
    match key {
        Some(key) => format!(", line {line} ({key}): {message}"),
        None => format!(", line {line}: {message}"),
    }
}
