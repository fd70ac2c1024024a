//! One validated scan configuration from three sources: command line beats config file beats
//! defaults. Every error names the bad value and where it came from.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::args::ScanArgs;
use super::Failure;

/// Defaults for a corporate network: polite enough for a nightly run, fast enough for a /16.
pub mod defaults {
    pub const PORT: u16 = 3389;
    pub const RATE: u32 = 300;
    pub const CONCURRENCY: u32 = 256;
    pub const CONNECT_TIMEOUT: &str = "2s";
    pub const TIMEOUT: &str = "5s";
    pub const RETRIES: u32 = 1;
    pub const OUT_DIR: &str = "rdpsweep-out";
    pub const COOKIE: &str = "rdpsweep";
}

/// The scan settings, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    pub targets: Vec<String>,
    pub input_files: Vec<PathBuf>,
    pub excludes: Vec<String>,
    pub exclude_files: Vec<PathBuf>,
    pub ports: Vec<u16>,
    pub rate: u32,
    pub concurrency: u32,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub retries: u32,
    pub out_dir: PathBuf,
    pub cookie: String,
}

/// The TOML config file: the scan flags by their long names, `_` for `-`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    targets: Option<Vec<String>>,
    input_files: Option<Vec<PathBuf>>,
    exclude: Option<Vec<String>>,
    exclude_files: Option<Vec<PathBuf>>,
    ports: Option<Vec<i64>>,
    rate: Option<i64>,
    concurrency: Option<i64>,
    connect_timeout: Option<String>,
    timeout: Option<String>,
    retries: Option<i64>,
    out_dir: Option<PathBuf>,
    cookie: Option<String>,
}

/// A comma-separated list of ports, as one flag value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortList(pub Vec<u16>);

/// Parses `3389` or `3389,3390`; names the bad port.
pub fn parse_ports(text: &str) -> Result<PortList, String> {
    text.split(',')
        .map(|p| p.trim())
        .map(|p| parse_port(p, p.parse::<i64>().ok()))
        .collect::<Result<Vec<_>, _>>()
        .map(PortList)
}

fn parse_port(text: &str, value: Option<i64>) -> Result<u16, String> {
    match value {
        Some(v @ 1..=65535) => Ok(v as u16),
        _ => Err(format!("port {text} is not in 1-65535")),
    }
}

impl Settings {
    /// Merges flags, the `--config` file (if any) and defaults.
    pub fn resolve(args: ScanArgs) -> Result<Settings, Failure> {
        let file = match &args.config {
            Some(path) => read_config(path)?,
            None => FileConfig::default(),
        };
        let origin = args
            .config
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let bad = |key: &str, why: String| Failure::Usage(format!("{origin}: {key}: {why}"));

        let ports = match (args.port, file.ports) {
            (Some(PortList(ports)), _) => ports,
            (None, Some(list)) => list
                .iter()
                .map(|&p| parse_port(&p.to_string(), Some(p)))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad("ports", e))?,
            (None, None) => vec![defaults::PORT],
        };
        if ports.is_empty() {
            return Err(bad("ports", "no port given".into()));
        }
        let positive = |key: &str, v: Option<i64>| -> Result<Option<u32>, Failure> {
            match v {
                None => Ok(None),
                Some(n) if n >= 1 && n <= i64::from(u32::MAX) => Ok(Some(n as u32)),
                Some(n) => Err(bad(key, format!("{n} is not a positive number"))),
            }
        };
        let duration = |key: &str, v: Option<String>| -> Result<Option<Duration>, Failure> {
            v.map(|text| {
                humantime::parse_duration(&text)
                    .map_err(|e| bad(key, format!("invalid duration {text:?}: {e}")))
            })
            .transpose()
        };
        let retries = match (args.retries, file.retries) {
            (Some(n), _) => n,
            (None, Some(n)) if (0..=100).contains(&n) => n as u32,
            (None, Some(n)) => return Err(bad("retries", format!("{n} is not in 0-100"))),
            (None, None) => defaults::RETRIES,
        };
        let default_duration =
            |text: &str| humantime::parse_duration(text).unwrap_or(Duration::from_secs(5));

        Ok(Settings {
            targets: if args.targets.is_empty() {
                file.targets.unwrap_or_default()
            } else {
                args.targets
            },
            input_files: if args.input_files.is_empty() {
                file.input_files.unwrap_or_default()
            } else {
                args.input_files
            },
            excludes: if args.exclude.is_empty() {
                file.exclude.unwrap_or_default()
            } else {
                args.exclude
            },
            exclude_files: if args.exclude_files.is_empty() {
                file.exclude_files.unwrap_or_default()
            } else {
                args.exclude_files
            },
            ports,
            rate: args
                .rate
                .or(positive("rate", file.rate)?)
                .unwrap_or(defaults::RATE),
            concurrency: args
                .concurrency
                .or(positive("concurrency", file.concurrency)?)
                .unwrap_or(defaults::CONCURRENCY),
            connect_timeout: args
                .connect_timeout
                .or(duration("connect_timeout", file.connect_timeout)?)
                .unwrap_or_else(|| default_duration(defaults::CONNECT_TIMEOUT)),
            timeout: args
                .timeout
                .or(duration("timeout", file.timeout)?)
                .unwrap_or_else(|| default_duration(defaults::TIMEOUT)),
            retries,
            out_dir: args
                .out_dir
                .or(file.out_dir)
                .unwrap_or_else(|| PathBuf::from(defaults::OUT_DIR)),
            cookie: args
                .cookie
                .or(file.cookie)
                .unwrap_or_else(|| defaults::COOKIE.to_string()),
        })
    }
}

fn read_config(path: &Path) -> Result<FileConfig, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("cannot read config file {}: {e}", path.display())))?;
    toml::from_str(&text)
        .map_err(|e| Failure::Usage(format!("config file {}: {}", path.display(), e.message())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_parse_and_name_the_bad_one() {
        assert_eq!(parse_ports("3389").unwrap(), PortList(vec![3389]));
        assert_eq!(
            parse_ports("3389, 3390").unwrap(),
            PortList(vec![3389, 3390])
        );
        assert_eq!(
            parse_ports("3389,70000").unwrap_err(),
            "port 70000 is not in 1-65535"
        );
        assert_eq!(parse_ports("0").unwrap_err(), "port 0 is not in 1-65535");
        assert!(parse_ports("rdp").unwrap_err().contains("rdp"));
    }
}
