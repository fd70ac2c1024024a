//! `rdpsweep simulate` and `rdpsweep demo`: the simulated fleet as a product feature.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ipnetwork::IpNetwork;
use rdpsweep::targets::{Shard, TargetSet};
use rdpsweep_fleet::{Behaviour, Fleet, FleetConfig, Profile};
use rdpsweep_reports::writers::cell;
use rdpsweep_reports::{rank, read_results, Observation, RiskPolicy, ScanInfo};

use super::args::{DemoArgs, SimulateArgs};
use super::scan::{lock_out_dir, scan_into, sweep_config};
use super::settings::Settings;
use super::signals;
use super::{Failure, EXIT_OK};

/// The demo's fleet: one /27 covers every behaviour of the mixed profile once.
const DEMO_RANGE: &str = "127.77.0.0/27";
/// The fleet's CA, written into the demo's output directory and trusted by its scan, as an
/// operator passes their own CA with `--ca-file`.
const DEMO_CA_FILE: &str = "fleet-ca.pem";
/// Ports the demo tries in turn (outside the ephemeral range) until one is free.
const DEMO_PORTS: std::ops::RangeInclusive<u16> = 13389..=13399;

/// Serves the fleet until SIGINT/SIGTERM. Prints `fleet ready: …` on stdout once every
/// listener is bound (preceded, with `--list`, by one `ADDRESS BEHAVIOUR` line per host).
pub async fn simulate(args: SimulateArgs) -> Result<i32, Failure> {
    let range: IpNetwork = args
        .range
        .parse()
        .map_err(|e| Failure::Usage(format!("invalid range {:?}: {e}", args.range)))?;
    let profile: Profile = args
        .profile
        .parse()
        .map_err(|e| Failure::Usage(format!("{e}")))?;
    if !is_loopback_range(&range) {
        return Err(Failure::Usage(format!(
            "range {range} is not on loopback: the simulated fleet serves only 127.0.0.0/8 and ::1"
        )));
    }
    let fleet = Fleet::start(FleetConfig {
        range,
        port: args.port,
        profile,
    })
    .await
    .map_err(|e| Failure::Runtime(format!("cannot start the simulated fleet: {e}")))?;
    if let Some(path) = &args.ca_out {
        write_ca(path, &fleet)?;
    }
    let hosts = fleet.hosts();
    if args.list {
        for (addr, behaviour) in &hosts {
            println!("{addr} {}", behaviour.name());
        }
    }
    println!(
        "fleet ready: {} addresses on {range} port {} ({profile} profile); interrupt to stop",
        hosts.len(),
        args.port
    );
    signals::interrupted().await;
    let counts = fleet.connection_counts();
    fleet.shutdown();
    if let Some(path) = &args.stats {
        write_stats(path, &counts)?;
    }
    Ok(EXIT_OK)
}

/// Writes the fleet's CA certificate (PEM) to `path`.
fn write_ca(path: &Path, fleet: &Fleet) -> Result<(), Failure> {
    std::fs::write(path, fleet.ca_pem())
        .map_err(|e| Failure::Runtime(format!("cannot write {}: {e}", path.display())))
}

/// Writes the connections each address accepted as `{"connections": {"ADDRESS": N}}`.
fn write_stats(path: &Path, counts: &BTreeMap<IpAddr, u64>) -> Result<(), Failure> {
    let connections: serde_json::Map<String, serde_json::Value> = counts
        .iter()
        .map(|(addr, n)| (addr.to_string(), serde_json::Value::from(*n)))
        .collect();
    let text = serde_json::json!({ "connections": connections }).to_string();
    std::fs::write(path, text + "\n")
        .map_err(|e| Failure::Runtime(format!("cannot write {}: {e}", path.display())))
}

fn is_loopback_range(range: &IpNetwork) -> bool {
    match range {
        IpNetwork::V4(net) => net.network().octets()[0] == 127 && net.prefix() >= 8,
        IpNetwork::V6(net) => net.prefix() == 128 && net.network().is_loopback(),
    }
}

/// Starts the mixed fleet in-process, scans it with the real scanner, writes the report files
/// into `--out-dir`, and prints one line per host: what it plays and what the scan saw.
pub async fn demo(args: DemoArgs, quiet: bool) -> Result<i32, Failure> {
    let range: IpNetwork = DEMO_RANGE
        .parse()
        .map_err(|e| Failure::Runtime(format!("{e}")))?;
    let (fleet, port) = start_demo_fleet(range).await?;
    let behaviours: HashMap<IpAddr, Behaviour> = fleet.hosts().into_iter().collect();

    let settings = Settings {
        targets: vec![DEMO_RANGE.to_string()],
        input_files: Vec::new(),
        excludes: Vec::new(),
        exclude_files: Vec::new(),
        ports: vec![port],
        rate: 1000,
        concurrency: 64,
        connect_timeout: Duration::from_secs(1),
        timeout: Duration::from_secs(3),
        retries: 0,
        out_dir: args.out_dir.clone(),
        cookie: "rdpsweep-demo".to_string(),
        risk_config: None,
        fail_on: None,
        client_policy: None,
        metrics: None,
        dry_run: false,
        shard: Shard::all(),
        seed: 0,
        resume: None,
        deep: false,
        host_pause: Duration::ZERO,
        stop_grace: super::settings::defaults::STOP_GRACE,
        max_targets: super::settings::defaults::MAX_TARGETS,
        expect_open: None,
        ca_files: vec![args.out_dir.join(DEMO_CA_FILE)],
        page: Default::default(),
    };
    let targets = TargetSet::build(&settings.targets, &[], &[], &[])
        .map_err(|e| Failure::Runtime(e.to_string()))?;
    let _lock = lock_out_dir(&args.out_dir)?;
    write_ca(&settings.ca_files[0], &fleet)?;
    let config = sweep_config(&settings)?;
    println!("rdpsweep demo: {} simulated hosts on {DEMO_RANGE} port {port}, scanning (about 3 seconds)...", behaviours.len());
    let summary = scan_into(
        Arc::new(targets),
        &config,
        &args.out_dir,
        quiet,
        &RiskPolicy::default(),
        &settings.page,
        ScanInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            targets: Some(settings.targets.clone()),
            ports: Some(settings.ports.clone()),
            ..ScanInfo::default()
        },
    )
    .await?;
    fleet.shutdown();

    // 32 hosts: ranking them again in memory, for the table, is nothing.
    let observations =
        read_results(&summary.results).map_err(|e| Failure::Runtime(e.to_string()))?;
    let mut hosts = rank(observations, &RiskPolicy::default());
    hosts.sort_by_key(|h| h.observation.ip);
    println!();
    println!(
        "{:<13} {:<20} {:<9} {:<7} {:<19} findings / what the scanner saw",
        "address", "simulated", "client", "risk", "status"
    );
    for host in &hosts {
        let obs = &host.observation;
        let behaviour = obs
            .ip
            .and_then(|ip| behaviours.get(&ip))
            .map(|b| b.name())
            .unwrap_or("?");
        let codes: Vec<String> = host
            .assessment
            .findings
            .iter()
            .map(|f| f.code.to_string())
            .collect();
        let seen = if codes.is_empty() {
            detail(obs)
        } else {
            codes.join(" ")
        };
        let client = host
            .assessment
            .outcome
            .as_ref()
            .map_or("-", |p| p.outcome.as_str());
        println!(
            "{:<13} {:<20} {:<9} {:<7} {:<19} {seen}",
            cell(&obs.ip),
            behaviour,
            client,
            host.assessment.level,
            obs.outcome()
        );
    }
    println!();
    println!("{}", summary.line);
    println!(
        "open {} in a browser, {} in a spreadsheet",
        show(&args.out_dir.join("report.html")),
        show(&args.out_dir.join("hosts.csv"))
    );
    Ok(if summary.interrupted {
        signals::exit_code()
    } else {
        EXIT_OK
    })
}

/// Binds the demo fleet on the first free port of [`DEMO_PORTS`].
async fn start_demo_fleet(range: IpNetwork) -> Result<(Fleet, u16), Failure> {
    let mut last_error = String::new();
    for port in DEMO_PORTS {
        match Fleet::start(FleetConfig {
            range,
            port,
            profile: Profile::Mixed,
        })
        .await
        {
            Ok(fleet) => return Ok((fleet, port)),
            Err(e) => last_error = e.to_string(),
        }
    }
    Err(Failure::Runtime(format!(
        "cannot start the demo fleet on any port {}-{}: {last_error}",
        DEMO_PORTS.start(),
        DEMO_PORTS.end()
    )))
}

/// The few fields that tell the story of one row.
fn detail(obs: &Observation) -> String {
    let mut parts = Vec::new();
    if let Some(p) = obs.selected_protocol {
        parts.push(format!("selected {p}"));
    }
    if let Some(f) = obs.neg_failure {
        parts.push(format!("failure {f}"));
    }
    if let Some(v) = obs.tls_version {
        parts.push(v.to_string());
    }
    if let Some(cert) = &obs.cert {
        parts.push(format!(
            "{} {}, {} days left",
            cert.key, cert.signature, cert.days_left
        ));
    }
    if obs.cert.is_none() {
        if let Some(e) = &obs.error {
            parts.push(e.clone());
        }
    }
    parts.join("; ")
}

fn show(path: &Path) -> String {
    path.display().to_string()
}
