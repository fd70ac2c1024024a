//! A scan's targets, checked before anything is sent: read (a `-i -` list is first saved into
//! the output directory, so `--resume` can read it again), not empty once the excludes are
//! taken out, and no larger than `--max-targets`, so a space that could never finish (an IPv6
//! /64) is refused up front rather than run forever.

use std::io;
use std::path::{Path, PathBuf};

use rdpsweep::targets::{Shard, TargetSet, STDIN};

use super::settings::Settings;
use super::Failure;

/// Where a scan keeps the targets it read from standard input.
pub const STDIN_COPY: &str = "targets-stdin.txt";

/// True when the targets include standard input (`-i -`).
pub fn reads_stdin(settings: &Settings) -> bool {
    settings.input_files.iter().any(|p| p == Path::new(STDIN))
}

/// Copies standard input to `DIR/targets-stdin.txt` and reads the targets from there: the
/// first run's `scan.json` then names a file a resume can read again. Call it holding the
/// directory's lock.
pub fn save_stdin(settings: &mut Settings) -> Result<(), Failure> {
    let copy = settings.out_dir.join(STDIN_COPY);
    let failed = |e: io::Error| {
        Failure::Runtime(format!(
            "cannot save the targets read from standard input to {}: {e}",
            copy.display()
        ))
    };
    let mut file = std::fs::File::create(&copy).map_err(failed)?;
    io::copy(&mut io::stdin().lock(), &mut file).map_err(failed)?;
    file.sync_all().map_err(failed)?;
    for path in &mut settings.input_files {
        if path == Path::new(STDIN) {
            *path = copy.clone();
        }
    }
    Ok(())
}

/// Parses the targets and excludes; exit 2 when none were given, something is bad, or nothing
/// is left to scan once the excludes are taken out (a truncated fleet file must not pass as a
/// scan that found nothing).
pub fn build(settings: &Settings) -> Result<TargetSet, Failure> {
    if settings.targets.is_empty() && settings.input_files.is_empty() {
        return Err(Failure::Usage(
            "no targets: give TARGET arguments, --input-file, or targets in --config".into(),
        ));
    }
    let targets = TargetSet::build(
        &settings.targets,
        &settings.input_files,
        &settings.excludes,
        &settings.exclude_files,
    )
    .map_err(|e| Failure::Usage(e.to_string()))?;
    if targets.is_empty() {
        return Err(Failure::Usage(format!(
            "no targets to scan: {}",
            why_empty(settings)
        )));
    }
    Ok(targets)
}

/// Why a target set came out empty, naming the inputs.
fn why_empty(settings: &Settings) -> String {
    let files = |paths: &[PathBuf]| {
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut given = settings.targets.clone();
    if !settings.input_files.is_empty() {
        given.push(format!("the files {}", files(&settings.input_files)));
    }
    let excluded = [
        settings.excludes.clone(),
        vec![files(&settings.exclude_files)],
    ]
    .concat()
    .into_iter()
    .filter(|e| !e.is_empty())
    .collect::<Vec<_>>();
    if excluded.is_empty() {
        format!("{} hold no target", given.join(", "))
    } else {
        format!(
            "every target of {} is excluded by {}",
            given.join(", "),
            excluded.join(", ")
        )
    }
}

/// Refuses a scan of more probes than `--max-targets`: at the scan's rate it could take
/// longer than anyone waits (a /64 never ends). `--dry-run` is never refused.
pub fn check_size(targets: &TargetSet, settings: &Settings) -> Result<(), Failure> {
    let probes = targets
        .len_in(&settings.shard)
        .saturating_mul(settings.ports.len() as u128);
    if probes <= settings.max_targets {
        return Ok(());
    }
    let days = probes as f64 / f64::from(settings.rate.max(1)) / 86_400.0;
    Err(Failure::Usage(format!(
        "{} probes, more than --max-targets {} allows (at --rate {} that is {}): narrow the \
         targets, split them with --shard, or raise --max-targets",
        targets.exact_len_in(&settings.shard) * settings.ports.len(),
        settings.max_targets,
        settings.rate,
        if days >= 1.0 {
            format!("{days:.0} days")
        } else {
            format!("{:.1} hours", days * 24.0)
        }
    )))
}

/// What `--dry-run` prints: exact counts, whatever their size.
pub fn dry_run_line(targets: &TargetSet, settings: &Settings) -> String {
    let count = targets.exact_len_in(&settings.shard);
    let ports = settings.ports.len();
    let probes = &count * ports;
    let shard = if settings.shard == Shard::all() {
        String::new()
    } else {
        format!(
            " in shard {} of {} targets",
            settings.shard,
            targets.exact_len_in(&Shard::all())
        )
    };
    format!("dry run: {count} targets{shard} x {ports} ports = {probes} probes; nothing was sent")
}
