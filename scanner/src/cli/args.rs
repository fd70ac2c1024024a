//! The command-line flags, as parsed by clap. Values here are raw; `settings` merges them with
//! the config file and defaults into one validated configuration.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use rdpsweep::targets::Shard;
use rdpsweep_reports::{ClientPolicy, PageOptions, SubnetPrefix};

use super::options::ScanOptions;
use super::values::{FailOn, Wait};
use super::Failure;

/// Find the Remote Desktop listeners that make clients fail with 0x904 (extended 0x7).
#[derive(Debug, Parser)]
#[command(name = "rdpsweep", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// More logs on stderr (-v debug, -vv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, display_order = 900)]
    pub verbose: u8,
    /// Only warnings and errors on stderr, no progress and no summary line: a run that went well prints nothing (for cron).
    #[arg(short, long, global = true, display_order = 901)]
    pub quiet: bool,
    /// Log lines as `text`, or as `json` objects (one per line) for log shippers.
    #[arg(long, global = true, display_order = 902, value_name = "FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sweep targets through TCP, RDP negotiation and TLS, and write the report files.
    Scan(Box<ScanArgs>),
    /// Serve the simulated fleet of RDP behaviours on loopback until interrupted.
    #[cfg(feature = "demo")]
    Simulate(SimulateArgs),
    /// Start the simulated fleet, scan it, and write a demo report.
    #[cfg(feature = "demo")]
    Demo(DemoArgs),
    /// Rebuild every report file from a saved results.jsonl, without scanning.
    Report(ReportArgs),
    /// Show what changed between two runs: findings that appeared or disappeared, levels and client outcomes, and their totals.
    Diff(DiffArgs),
    /// Join the outputs of several scans (the shards of one sweep) into one ranked report.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The settings the config file may give too.
    #[command(flatten)]
    pub options: ScanOptions,
    /// A TOML file with the same settings (see configs/rdpsweep.example.toml); flags win.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Count the targets and print the count; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Scan only shard I of N (e.g. 2/4): the N shards of one target list (with one --seed)
    /// cover every target exactly once.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Continue the scan in DIR (stopped by a signal, a timeout or a crash): its targets, ports,
    /// seed, shard and --deep come from DIR/scan.json, the pairs already in DIR/results.jsonl are
    /// skipped, new rows are appended, and the report files cover all of them.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["targets", "input_files", "exclude", "exclude_files", "ports", "seed", "shard", "deep", "no_deep"])]
    pub resume: Option<PathBuf>,
    /// Also ask each listener what exactly it supports: the protocols it accepts, one request
    /// each; the TLS versions it completes, one each; at most 14 connections per host, one
    /// after another. Sends no credentials.
    #[arg(long)]
    pub deep: bool,
    /// Turn off a config file's `deep = true`.
    #[arg(long, overrides_with = "deep")]
    pub no_deep: bool,
    #[command(flatten)]
    pub page: PageArgs,
}

/// How report.html is built.
#[derive(Debug, Clone, Default, Args)]
pub struct PageArgs {
    /// List the targets nothing listened on (TCP refused, timed out, unreachable) in report.html's tables too; by default the page only counts them.
    #[arg(long)]
    pub list_dead: bool,
    /// Leave the targets nothing listened on out of hosts.csv too (as nmap's --open); summary.json still counts them and results.jsonl keeps every target. Default: hosts.csv holds every target, so a host missing from it is one that was not scanned. Not with --list-dead.
    #[arg(long, conflicts_with = "list_dead")]
    pub open: bool,
    /// The prefix length report.html rolls IPv4 hosts up by, 8-32 [default: 24].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(8..=32))]
    pub subnet_prefix: Option<u8>,
    /// The prefix length report.html rolls IPv6 hosts up by, 16-128 [default: 64].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(16..=128))]
    pub subnet_prefix_v6: Option<u8>,
    /// Earlier runs' output directories (each with its summary.json and hosts.csv), in any order: report.html and summary.json then show failing and warning hosts per night, and per host how many nights it has been failing, new since, fixed since. The directories run to the next flag; this run's own is left out, so a glob of the nightly directories may include it.
    #[arg(long, value_name = "DIR", num_args = 1..)]
    pub history: Vec<PathBuf>,
}

impl PageArgs {
    /// The page's options: these flags over the defaults. A `--history` directory that is not
    /// an earlier run's is a usage error, but for `out_dir`, this run's own (left out).
    pub fn options(&self, out_dir: &Path) -> Result<PageOptions, Failure> {
        let same = |dir: &Path| {
            let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            canonical(dir) == canonical(out_dir)
        };
        for dir in self.history.iter().filter(|dir| !same(dir)) {
            rdpsweep_reports::history::check_dir(dir).map_err(|e| Failure::Usage(e.to_string()))?;
        }
        let default = SubnetPrefix::default();
        Ok(PageOptions {
            list_dead: self.list_dead,
            open_only: self.open,
            prefix: SubnetPrefix {
                v4: self.subnet_prefix.unwrap_or(default.v4),
                v6: self.subnet_prefix_v6.unwrap_or(default.v6),
            },
            history: self.history.clone(),
        })
    }
}

/// How findings are scored, and when the exit code says so.
#[derive(Debug, Args)]
pub struct RiskArgs {
    /// Weights, thresholds and windows of the risk score (see configs/risk.toml) [default: built in, the same as configs/risk.toml].
    #[arg(long, value_name = "FILE")]
    pub risk_config: Option<PathBuf>,
    /// Exit 3 when any host's risk level is LEVEL or worse (high, medium or low).
    #[arg(long, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Which clients the outcome is for: `default`, or `strict` (clients that enforce server authentication: every warning fails) [default: the risk config's, else default].
    #[arg(long, value_name = "POLICY")]
    pub client_policy: Option<ClientPolicy>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A results.jsonl written by `rdpsweep scan`.
    #[arg(value_name = "RESULTS.jsonl")]
    pub results: PathBuf,
    /// Where hosts.csv, findings.csv, summary.json and report.html are written [default: beside RESULTS.jsonl].
    #[arg(short, long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    #[command(flatten)]
    pub risk: RiskArgs,
    #[command(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Output directories of `rdpsweep scan` (each holding a results.jsonl).
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where the merged results.jsonl and report files are written.
    #[arg(short, long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Merge even when shards are missing, repeated, of another sweep or unfinished; the
    /// report is marked partial and says what is missing.
    #[arg(long)]
    pub partial: bool,
    #[command(flatten)]
    pub risk: RiskArgs,
    #[command(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier run's results.jsonl (or its directory).
    #[arg(value_name = "OLD.jsonl")]
    pub old: PathBuf,
    /// The later run's results.jsonl (or its directory).
    #[arg(value_name = "NEW.jsonl")]
    pub new: PathBuf,
    /// Also write diff.csv (and diff.txt) here.
    #[arg(short, long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Exit 3 when some host has news at LEVEL or worse (high, medium or low): a finding that appeared at that level, or a risk level that rose to it.
    #[arg(long, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// While a scan still writes an input's directory (it holds DIR/.rdpsweep.lock), wait up to DURATION for it to end (`30m`, `4h`; at most 24h) [default: 0s: exit 1 at once, naming it].
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "0s",
        hide_default_value = true
    )]
    pub wait: Wait,
    /// When OLD.jsonl does not exist (the first night, or a night that wrote no results), say so in one line on stderr and exit 0 instead of 2.
    #[arg(long)]
    pub missing_old_ok: bool,
    /// Weights and thresholds both runs are assessed with (see configs/risk.toml): give the scan's, or the levels are not its reports' [default: built in].
    #[arg(long, value_name = "FILE")]
    pub risk_config: Option<PathBuf>,
    /// Which clients both runs are judged for: `default` or `strict` (give the scan's).
    #[arg(long, value_name = "POLICY")]
    pub client_policy: Option<ClientPolicy>,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Loopback range to serve (127.0.0.0/8 or ::1 only).
    #[arg(long, value_name = "CIDR", default_value = "127.77.0.0/27")]
    pub range: String,
    /// Port every simulated host listens on.
    #[arg(long, value_name = "P", default_value_t = 13389)]
    pub port: u16,
    /// `mixed`: every address plays one behaviour; `healthy`: all complete TLS 1.3; `deep`:
    /// security-layer policies, TLS version ranges and encryption levels, for `scan --deep`;
    /// `hostile`: malformed, oversized, cut, trickled and endless answers, fatal alerts and
    /// hostile certificates (a /27 covers it once).
    #[arg(long, value_name = "PROFILE", default_value = "mixed")]
    pub profile: String,
    /// Print every address with the behaviour it plays.
    #[arg(long)]
    pub list: bool,
    /// On exit, write how many connections each address accepted to FILE (JSON:
    /// `{"connections": {"ADDRESS": N, ...}}`).
    #[arg(long, value_name = "FILE")]
    pub stats: Option<std::path::PathBuf>,
    /// Write the CA that issues the fleet's certificates (PEM) to FILE, for `scan --ca-file`:
    /// a fresh CA is made each time the fleet starts.
    #[arg(long, value_name = "FILE")]
    pub ca_out: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the demo report is written.
    #[arg(short, long, value_name = "DIR", default_value = "rdpsweep-demo")]
    pub out_dir: PathBuf,
}
