//! One validated scan configuration from three sources: command line beats config file beats
//! defaults. Every error names the bad value and where it came from.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use rdpsweep::targets::Shard;
use rdpsweep_reports::RiskLevel;

use super::args::{parse_fail_on, ScanArgs};
use super::plan::ScanPlan;
use super::Failure;

/// Defaults for a corporate network: polite enough for a nightly run, fast enough for a /16.
pub mod defaults {
    use std::time::Duration;

    pub const PORT: u16 = 3389;
    pub const RATE: u32 = 300;
    pub const CONCURRENCY: u32 = 256;
    pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
    pub const TIMEOUT: Duration = Duration::from_secs(5);
    pub const RETRIES: u32 = 1;
    pub const OUT_DIR: &str = "rdpsweep-out";
    pub const COOKIE: &str = "rdpsweep";
    pub const SEED: u64 = 0;
    pub const HOST_PAUSE: Duration = Duration::ZERO;
}

/// The most retries a scan may ask for.
pub const MAX_RETRIES: u32 = 100;

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
    pub risk_config: Option<PathBuf>,
    pub fail_on: Option<RiskLevel>,
    pub metrics: Option<PathBuf>,
    pub dry_run: bool,
    pub shard: Shard,
    pub seed: u64,
    /// `--resume`: continue the scan in `out_dir`, whose `scan.json` this is (targets,
    /// ports, seed, shard and `--deep` came from it).
    pub resume: Option<ScanPlan>,
    /// `--deep`: ask each listener what exactly it supports (see `probe::DeepConfig`).
    pub deep: bool,
    /// The pause before each deep connection to a host; zero for none.
    pub host_pause: Duration,
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
    risk_config: Option<PathBuf>,
    fail_on: Option<String>,
    metrics: Option<PathBuf>,
    seed: Option<u64>,
    deep: Option<bool>,
    host_pause: Option<String>,
}

/// The config file's values, each checked as strictly as the matching flag.
#[derive(Debug, Default)]
struct FileSettings {
    targets: Vec<String>,
    input_files: Vec<PathBuf>,
    excludes: Vec<String>,
    exclude_files: Vec<PathBuf>,
    ports: Option<Vec<u16>>,
    rate: Option<u32>,
    concurrency: Option<u32>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    retries: Option<u32>,
    out_dir: Option<PathBuf>,
    cookie: Option<String>,
    risk_config: Option<PathBuf>,
    fail_on: Option<RiskLevel>,
    metrics: Option<PathBuf>,
    seed: Option<u64>,
    deep: Option<bool>,
    host_pause: Option<Duration>,
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

/// Parses a duration such as `500ms` or `3s`; zero is refused (every probe would time out).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if d.is_zero() => Err(format!("duration {text:?} must be more than zero")),
        Ok(d) => Ok(d),
        Err(e) => Err(format!("invalid duration {text:?}: {e}")),
    }
}

/// Parses a pause such as `200ms` or `1s`; zero means no pause.
pub fn parse_pause(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("invalid duration {text:?}: {e}"))
}

/// Each port once, in the order given: a port listed twice must not give two rows.
fn dedup_ports(ports: Vec<u16>) -> Vec<u16> {
    let mut seen = std::collections::HashSet::new();
    ports.into_iter().filter(|p| seen.insert(*p)).collect()
}

impl Settings {
    /// Merges flags, the `--config` file (if any) and defaults. Targets: the command line's
    /// TARGETs and input files, if it gives any, replace the file's `targets` and `input_files`
    /// together. Excludes from both add up: a flag never re-enables a range the file excludes.
    pub fn resolve(args: ScanArgs) -> Result<Settings, Failure> {
        let file = match &args.config {
            Some(path) => read_config(path)?,
            None => FileSettings::default(),
        };
        if let (Some(resume), Some(out_dir)) = (&args.resume, &args.out_dir) {
            let same = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            if same(resume) != same(out_dir) {
                return Err(Failure::Usage(format!(
                    "--resume {} writes into that directory; leave out --out-dir {}",
                    resume.display(),
                    out_dir.display()
                )));
            }
        }
        let resume = args.resume.clone();
        let targets_on_command_line = !args.targets.is_empty() || !args.input_files.is_empty();
        let (targets, input_files) = if targets_on_command_line {
            (args.targets, args.input_files)
        } else {
            (file.targets, file.input_files)
        };
        let ports = args
            .port
            .map(|PortList(p)| p)
            .or(file.ports)
            .unwrap_or_else(|| vec![defaults::PORT]);
        let mut settings = Settings {
            targets,
            input_files,
            excludes: [file.excludes, args.exclude].concat(),
            exclude_files: [file.exclude_files, args.exclude_files].concat(),
            ports: dedup_ports(ports),
            rate: args.rate.or(file.rate).unwrap_or(defaults::RATE),
            concurrency: args
                .concurrency
                .or(file.concurrency)
                .unwrap_or(defaults::CONCURRENCY),
            connect_timeout: args
                .connect_timeout
                .or(file.connect_timeout)
                .unwrap_or(defaults::CONNECT_TIMEOUT),
            timeout: args.timeout.or(file.timeout).unwrap_or(defaults::TIMEOUT),
            retries: args.retries.or(file.retries).unwrap_or(defaults::RETRIES),
            out_dir: args
                .out_dir
                .or(file.out_dir)
                .unwrap_or_else(|| PathBuf::from(defaults::OUT_DIR)),
            cookie: args
                .cookie
                .or(file.cookie)
                .unwrap_or_else(|| defaults::COOKIE.to_string()),
            risk_config: args.risk.risk_config.or(file.risk_config),
            fail_on: args.risk.fail_on.or(file.fail_on),
            metrics: args.metrics.or(file.metrics),
            dry_run: args.dry_run,
            shard: args.shard.unwrap_or_else(Shard::all),
            seed: args.seed.or(file.seed).unwrap_or(defaults::SEED),
            deep: match (args.deep, args.no_deep) {
                (true, _) => true,
                (false, true) => false,
                (false, false) => file.deep.unwrap_or(false),
            },
            host_pause: args
                .host_pause
                .or(file.host_pause)
                .unwrap_or(defaults::HOST_PAUSE),
            resume: None,
        };
        if let Some(dir) = resume {
            // The first run's targets, excludes, ports, seed and shard replace the config
            // file's (clap refuses them on the command line with --resume).
            let plan = ScanPlan::load(&dir)?;
            plan.apply(&mut settings)?;
            settings.out_dir = dir;
            settings.resume = Some(plan);
        }
        super::deep_use::check(&settings)?;
        Ok(settings)
    }
}

/// Reads and checks the config file; every error names the file, the key and the value.
fn read_config(path: &Path) -> Result<FileSettings, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("cannot read config file {}: {e}", path.display())))?;
    let file: FileConfig = toml::from_str(&text)
        .map_err(|e| Failure::Usage(format!("config file {}: {}", path.display(), e.message())))?;
    let bad = |key: &str, why: String| {
        Failure::Usage(format!("config file {}: {key}: {why}", path.display()))
    };
    let number = |key: &str,
                  v: Option<i64>,
                  range: std::ops::RangeInclusive<i64>|
     -> Result<Option<u32>, Failure> {
        match v {
            None => Ok(None),
            Some(n) if range.contains(&n) => Ok(Some(n as u32)),
            Some(n) => Err(bad(
                key,
                format!("{n} is not in {}-{}", range.start(), range.end()),
            )),
        }
    };
    let duration = |key: &str, v: Option<String>| -> Result<Option<Duration>, Failure> {
        v.map(|text| parse_duration(&text).map_err(|e| bad(key, e)))
            .transpose()
    };
    let ports = match file.ports {
        None => None,
        Some(list) if list.is_empty() => return Err(bad("ports", "no port given".into())),
        Some(list) => Some(
            list.iter()
                .map(|&p| parse_port(&p.to_string(), Some(p)))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad("ports", e))?,
        ),
    };
    Ok(FileSettings {
        targets: file.targets.unwrap_or_default(),
        input_files: file.input_files.unwrap_or_default(),
        excludes: file.exclude.unwrap_or_default(),
        exclude_files: file.exclude_files.unwrap_or_default(),
        ports,
        rate: number("rate", file.rate, 1..=i64::from(u32::MAX))?,
        concurrency: number("concurrency", file.concurrency, 1..=i64::from(u32::MAX))?,
        connect_timeout: duration("connect_timeout", file.connect_timeout)?,
        timeout: duration("timeout", file.timeout)?,
        retries: number("retries", file.retries, 0..=i64::from(MAX_RETRIES))?,
        out_dir: file.out_dir,
        cookie: file.cookie,
        risk_config: file.risk_config,
        metrics: file.metrics,
        seed: file.seed,
        deep: file.deep,
        host_pause: file
            .host_pause
            .map(|text| parse_pause(&text).map_err(|e| bad("host_pause", e)))
            .transpose()?,
        fail_on: file
            .fail_on
            .map(|text| parse_fail_on(&text).map_err(|e| bad("fail_on", e)))
            .transpose()?,
    })
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

    #[test]
    fn the_shipped_config_files_are_valid() {
        let configs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs");
        let example = read_config(&configs.join("rdpsweep.example.toml")).expect("example config");
        assert_eq!(example.ports, Some(vec![13389]));
        let nightly = read_config(&configs.join("nightly.toml")).expect("nightly config");
        assert_eq!(nightly.fail_on, Some(RiskLevel::High));
        assert_eq!(nightly.retries, Some(1));
        assert!(nightly.metrics.is_some());
        let k8s = read_config(&configs.join("k8s/rdpsweep.toml")).expect("k8s config");
        assert_eq!(k8s.seed, Some(0), "every shard must use the same seed");
        assert_eq!(
            k8s.metrics, None,
            "shards must not write one metrics file together"
        );
    }

    #[test]
    fn ports_listed_twice_are_probed_once_in_order() {
        assert_eq!(dedup_ports(vec![3390, 3389, 3390, 3389]), vec![3390, 3389]);
    }

    #[test]
    fn pauses_may_be_zero_but_not_nonsense() {
        assert_eq!(parse_pause("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_pause("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_pause("-1s").unwrap_err().contains("-1s"));
    }

    #[test]
    fn deep_and_host_pause_come_from_flags_then_file_then_defaults() {
        use clap::Parser;
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("deep.toml");
        std::fs::write(&file, "deep = true\nhost_pause = \"2s\"\n").expect("write config");
        let resolve = |extra: &[&str]| {
            let mut argv = vec!["rdpsweep", "scan", "127.0.0.1"];
            argv.extend_from_slice(extra);
            let cli = super::super::args::Cli::try_parse_from(argv).expect("flags parse");
            let super::super::args::Command::Scan(args) = cli.command else {
                panic!("not a scan");
            };
            Settings::resolve(*args).expect("settings resolve")
        };
        let plain = resolve(&[]);
        assert!(!plain.deep);
        assert_eq!(plain.host_pause, Duration::ZERO);
        let config = file.to_str().expect("utf-8 path");
        let from_file = resolve(&["--config", config]);
        assert!(from_file.deep);
        assert_eq!(from_file.host_pause, Duration::from_secs(2));
        let flags = resolve(&["--config", config, "--no-deep", "--host-pause", "50ms"]);
        assert!(!flags.deep);
        assert_eq!(flags.host_pause, Duration::from_millis(50));
        assert!(resolve(&["--deep"]).deep);

        std::fs::write(&file, "host_pause = \"soon\"\n").expect("write config");
        let err = read_config(&file).expect_err("bad pause");
        assert!(
            matches!(&err, Failure::Usage(m) if m.contains("host_pause")),
            "{err:?}"
        );
    }

    #[test]
    fn zero_or_bad_durations_are_refused() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("0s").unwrap_err().contains("more than zero"));
        assert!(parse_duration("soon").unwrap_err().contains("soon"));
    }
}
