//! One validated scan configuration from three sources: command line beats config file beats
//! defaults (the first two are [`ScanOptions`]). Every error names the bad value and where it
//! came from.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rdpsweep::targets::Shard;
use rdpsweep_reports::{ClientPolicy, PageOptions, RiskLevel};

use super::args::ScanArgs;
use super::options::ScanOptions;
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
    /// A /8: about 16 hours at the default rate.
    pub const MAX_TARGETS: u128 = 1 << 24;
    /// Under `docker stop`'s 10 s before its SIGKILL.
    pub const STOP_GRACE: Duration = Duration::from_secs(8);
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
    pub risk_config: Option<PathBuf>,
    pub fail_on: Option<RiskLevel>,
    /// `--client-policy`: replaces the risk config's `client_policy`.
    pub client_policy: Option<ClientPolicy>,
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
    /// After the first signal, the process exits within this long.
    pub stop_grace: Duration,
    /// The most probes (targets × ports) the scan may hold.
    pub max_targets: u128,
    /// `--expect-open N`: fewer targets accepting TCP fail the night.
    pub expect_open: Option<u64>,
    /// `--ca-file`: the CAs clients trust besides the public roots.
    pub ca_files: Vec<PathBuf>,
    /// How report.html is built (`--list-dead`, `--subnet-prefix`).
    pub page: PageOptions,
}

impl Settings {
    /// Lays the command line over the `--config` file (if any), then fills in the defaults
    /// (see [`ScanOptions::over`] for how targets and excludes combine).
    pub fn resolve(args: ScanArgs) -> Result<Settings, Failure> {
        let file = match &args.config {
            Some(path) => ScanOptions::read(path)?,
            None => ScanOptions::default(),
        };
        if let (Some(resume), Some(out_dir)) = (&args.resume, &args.options.out_dir) {
            let same = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            if same(resume) != same(out_dir) {
                return Err(Failure::Usage(format!(
                    "--resume {} writes into that directory; leave out --out-dir {}",
                    resume.display(),
                    out_dir.display()
                )));
            }
        }
        let page = args.page;
        let mut flags = args.options;
        flags.deep = match (args.deep, args.no_deep) {
            (true, _) => Some(true),
            (false, true) => Some(false),
            (false, false) => None,
        };
        let o = flags.over(file);
        let mut settings = Settings {
            targets: o.targets,
            input_files: o.input_files,
            excludes: o.exclude,
            exclude_files: o.exclude_files,
            ports: o.ports.map_or_else(|| vec![defaults::PORT], |p| p.0),
            rate: o.rate.map_or(defaults::RATE, |r| r.0),
            concurrency: o.concurrency.map_or(defaults::CONCURRENCY, |c| c.0),
            connect_timeout: o.connect_timeout.map_or(defaults::CONNECT_TIMEOUT, |t| t.0),
            timeout: o.timeout.map_or(defaults::TIMEOUT, |t| t.0),
            retries: o.retries.map_or(defaults::RETRIES, |r| r.0),
            out_dir: o
                .out_dir
                .unwrap_or_else(|| PathBuf::from(defaults::OUT_DIR)),
            cookie: o
                .cookie
                .map_or_else(|| defaults::COOKIE.to_string(), |c| c.0),
            risk_config: o.risk_config,
            fail_on: o.fail_on.map(|f| f.0),
            client_policy: o.client_policy,
            metrics: o.metrics,
            dry_run: args.dry_run,
            shard: args.shard.unwrap_or_else(Shard::all),
            seed: o.seed.unwrap_or(defaults::SEED),
            deep: o.deep.unwrap_or(false),
            host_pause: o.host_pause.map_or(defaults::HOST_PAUSE, |p| p.0),
            stop_grace: o.stop_grace.map_or(defaults::STOP_GRACE, |p| p.0),
            max_targets: o.max_targets.map_or(defaults::MAX_TARGETS, |m| m.0),
            expect_open: o.expect_open.map(|n| u64::from(n.0)),
            ca_files: o.ca_files,
            page: Default::default(),
            resume: None,
        };
        if let Some(dir) = args.resume {
            // The first run's targets, excludes, ports, seed and shard replace the config
            // file's (clap refuses them on the command line with --resume).
            let plan = ScanPlan::load(&dir)?;
            plan.apply(&mut settings)?;
            settings.out_dir = dir;
            settings.resume = Some(plan);
        }
        settings.page = page.options(&settings.out_dir)?;
        super::deep_use::check(&settings)?;
        Ok(settings)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use clap::Parser;

    /// The settings of `rdpsweep scan 127.0.0.1`: every default.
    pub(crate) fn defaults() -> Settings {
        resolve(&["127.0.0.1"]).expect("defaults resolve")
    }

    fn resolve(argv: &[&str]) -> Result<Settings, Failure> {
        let mut full = vec!["rdpsweep", "scan"];
        full.extend_from_slice(argv);
        let cli = super::super::args::Cli::try_parse_from(full).expect("flags parse");
        let super::super::args::Command::Scan(args) = cli.command else {
            panic!("not a scan");
        };
        Settings::resolve(*args)
    }

    #[test]
    fn the_shipped_config_files_are_valid() {
        let configs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs");
        let read = |name: &str| {
            ScanOptions::read(&configs.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
        };
        let example = read("rdpsweep.example.toml");
        assert_eq!(example.ports.map(|p| p.0), Some(vec![13389]));
        let nightly = read("nightly.toml");
        assert_eq!(nightly.fail_on.map(|f| f.0), Some(RiskLevel::High));
        assert_eq!(nightly.retries.map(|r| r.0), Some(1));
        assert!(nightly.metrics.is_some());
        let k8s = read("k8s/rdpsweep.toml");
        assert_eq!(k8s.seed, Some(0), "every shard must use the same seed");
        assert_eq!(
            k8s.metrics, None,
            "shards must not write one metrics file together"
        );
    }

    #[test]
    fn page_flags_reach_the_settings_and_a_history_directory_must_be_a_run() {
        let plain = defaults();
        assert!(!plain.page.list_dead && plain.page.history.is_empty());
        assert_eq!((plain.page.prefix.v4, plain.page.prefix.v6), (24, 64));
        let dir = tempfile::tempdir().expect("temp dir");
        let run = dir.path().join("2026-11-20");
        std::fs::create_dir_all(&run).expect("run dir");
        for file in ["summary.json", "hosts.csv"] {
            std::fs::write(run.join(file), "").expect("file");
        }
        let run = run.to_str().expect("utf-8 path");
        let flags = [
            "127.0.0.1",
            "--list-dead",
            "--subnet-prefix",
            "16",
            "--subnet-prefix-v6",
            "48",
            "--history",
            run,
        ];
        let settings = resolve(&flags).expect("resolves");
        assert!(settings.page.list_dead);
        assert_eq!((settings.page.prefix.v4, settings.page.prefix.v6), (16, 48));
        assert_eq!(settings.page.history, [PathBuf::from(run)]);
        let missing = dir.path().display().to_string();
        let error = resolve(&["127.0.0.1", "--history", &missing]).expect_err("not a run");
        assert!(
            matches!(&error, Failure::Usage(m) if m.contains("no summary.json")),
            "{error:?}"
        );
    }

    #[test]
    fn flags_beat_the_file_which_beats_the_defaults() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("scan.toml");
        std::fs::write(
            &file,
            "targets = [\"127.0.0.1\"]\nexclude = [\"127.0.0.2\"]\nports = [13389]\nrate = 7\ndeep = true\nhost_pause = \"2s\"\n",
        )
        .expect("write config");
        let config = file.to_str().expect("utf-8 path");
        let plain = resolve(&["127.0.0.9"]).expect("resolves");
        assert_eq!(plain.ports, [defaults::PORT]);
        assert_eq!(plain.rate, defaults::RATE);
        assert!(!plain.deep);
        assert_eq!(plain.host_pause, Duration::ZERO);

        let from_file = resolve(&["--config", config]).expect("resolves");
        assert_eq!(from_file.targets, ["127.0.0.1"]);
        assert_eq!(from_file.ports, [13389]);
        assert_eq!(from_file.rate, 7);
        assert!(from_file.deep);
        assert_eq!(from_file.host_pause, Duration::from_secs(2));

        let flags = resolve(&[
            "--config",
            config,
            "127.0.0.9",
            "--exclude",
            "127.0.0.3",
            "-p",
            "3390",
            "--rate",
            "9",
            "--no-deep",
            "--host-pause",
            "50ms",
        ])
        .expect("resolves");
        assert_eq!(
            flags.targets,
            ["127.0.0.9"],
            "command-line targets replace the file's"
        );
        assert_eq!(
            flags.excludes,
            ["127.0.0.2", "127.0.0.3"],
            "excludes add up"
        );
        assert_eq!(flags.ports, [3390]);
        assert_eq!(flags.rate, 9);
        assert!(!flags.deep);
        assert_eq!(flags.host_pause, Duration::from_millis(50));
        assert!(resolve(&["127.0.0.9", "--deep"]).expect("resolves").deep);
    }

    #[test]
    fn config_errors_name_the_file_the_line_and_the_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("bad.toml");
        let config = file.to_str().expect("utf-8 path");
        let error = |text: &str| {
            std::fs::write(&file, text).expect("write config");
            match resolve(&["--config", config]) {
                Err(Failure::Usage(message)) => message,
                other => panic!("{text:?}: {other:?}"),
            }
        };
        let bad_pause = error("targets = [\"127.0.0.1\"]\nhost_pause = \"soon\"\n");
        assert!(bad_pause.contains("line 2 (host_pause)"), "{bad_pause}");
        assert!(
            bad_pause.contains("soon") && bad_pause.contains(config),
            "{bad_pause}"
        );
        let wrong_type = error("rate = \"fast\"\n");
        assert!(wrong_type.contains("line 1 (rate)"), "{wrong_type}");
        let unknown = error("targets = []\nspeed = 3\n");
        assert!(unknown.contains("speed"), "{unknown}");
        let broken = error("targets = [\n");
        assert!(broken.contains("line"), "{broken}");
        let zero = error("concurrency = 0\n");
        assert!(zero.contains("0 is not in 1-"), "{zero}");
    }
}
