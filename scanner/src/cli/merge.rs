//! `rdpsweep merge`: the outputs of the shards of one sweep joined into one ranked report.
//!
//! Each input's `scan.json` says which sweep (targets, seed, ports, `--deep`), which shard of
//! how many, and whether it finished. A missing, repeated or foreign shard, or one that did
//! not finish, is refused (exit 2 naming it) unless `--partial` is given; then the report is
//! marked partial and says what is missing. A target held by two inputs (overlapping runs) is
//! written once, its last row kept.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use rdpsweep::targets::Shard;
use rdpsweep_reports::dedup::{find_superseded, KEY_RUN_LEN};
use rdpsweep_reports::files::write_atomically;

use super::args::MergeArgs;
use super::plan::{ScanPlan, ScanState, PLAN_FILE};
use super::report::{rebuild, rebuilt_info};
use super::Failure;

/// One input directory and what its `scan.json` says.
struct Input {
    dir: PathBuf,
    plan: Option<ScanPlan>,
}

/// Runs `rdpsweep merge`.
pub fn merge(args: MergeArgs) -> Result<i32, Failure> {
    let mut inputs = Vec::new();
    for dir in &args.dirs {
        let results = dir.join("results.jsonl");
        File::open(&results)
            .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", results.display())))?;
        let plan = ScanPlan::find(dir).map_err(Failure::Usage)?;
        inputs.push(Input {
            dir: dir.clone(),
            plan,
        });
    }
    let problems = problems(&inputs);
    if !problems.is_empty() && !args.partial {
        return Err(Failure::Usage(format!(
            "{}; `merge --partial` merges them anyway, marking the report partial",
            problems.join("; ")
        )));
    }
    super::create_out_dir(&args.out_dir)?;
    let (merged, repeated) = join_results(&inputs, &args.out_dir)?;
    if repeated > 0 {
        tracing::warn!(
            "left out {repeated} rows of targets that another input repeats (the last row of each is kept)"
        );
    }
    let names: Vec<String> = inputs
        .iter()
        .map(|i| i.dir.join("results.jsonl").display().to_string())
        .collect();
    let mut info = rebuilt_info(&names.join(", "));
    if let Some(plan) = inputs.iter().find_map(|i| i.plan.as_ref()) {
        plan.describe(&mut info);
        info.shard = None;
    }
    if !problems.is_empty() {
        let reason = problems.join("; ");
        tracing::warn!("the report is partial: {reason}");
        info.interrupted = true;
        info.partial = Some(reason);
    }
    rebuild(&merged, &args.out_dir, &args.risk, &args.page, info)
}

/// What keeps the inputs from being the whole of one finished sweep, each naming its input:
/// no `scan.json`, another sweep's shard, a shard given twice, shards missing, a scan that did
/// not finish.
fn problems(inputs: &[Input]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut shards: BTreeMap<u32, Vec<&Path>> = BTreeMap::new();
    let mut reference: Option<(&Input, &ScanPlan, u32)> = None;
    for input in inputs {
        let dir = input.dir.display();
        let Some(plan) = &input.plan else {
            problems.push(format!(
                "{dir} has no {PLAN_FILE}, so which shard it is cannot be known"
            ));
            continue;
        };
        let shard: Shard = match plan.shard.parse() {
            Ok(shard) => shard,
            Err(e) => {
                problems.push(format!("{dir}/{PLAN_FILE}: {e}"));
                continue;
            }
        };
        match &reference {
            None => reference = Some((input, plan, shard.count)),
            Some((first, first_plan, count)) => {
                if let Some(what) = differs(first_plan, *count, plan, shard.count) {
                    problems.push(format!(
                        "{dir} is not a shard of the sweep {} belongs to: its {what} differ",
                        first.dir.display()
                    ));
                    continue;
                }
            }
        }
        shards.entry(shard.index).or_default().push(&input.dir);
        match plan.state {
            Some(ScanState::Complete) | None => {}
            Some(ScanState::Interrupted) => problems.push(format!(
                "the scan in {dir} was interrupted before it finished"
            )),
            Some(ScanState::Running) => problems.push(format!(
                "the scan in {dir} did not finish (it is still running, or it was killed or failed)"
            )),
        }
    }
    for (index, dirs) in &shards {
        if dirs.len() > 1 {
            let names: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
            problems.push(format!(
                "shard {index} is given twice: {}",
                names.join(" and ")
            ));
        }
    }
    if let Some((_, _, count)) = reference {
        let missing: Vec<String> = (1..=count)
            .filter(|i| !shards.contains_key(i))
            .map(|i| format!("{i}/{count}"))
            .collect();
        if !missing.is_empty() {
            problems.push(format!("shards {} are missing", missing.join(", ")));
        }
    }
    problems
}

/// What differs between two shards' plans, in words, when they are not of one sweep.
fn differs(a: &ScanPlan, a_count: u32, b: &ScanPlan, b_count: u32) -> Option<String> {
    let mut what = Vec::new();
    if a.targets_fingerprint != b.targets_fingerprint || a.target_count != b.target_count {
        what.push("targets");
    }
    if a.ports != b.ports {
        what.push("ports");
    }
    if a.seed != b.seed {
        what.push("seed");
    }
    if a_count != b_count {
        what.push("shard count");
    }
    if a.deep != b.deep {
        what.push("--deep");
    }
    (!what.is_empty()).then(|| what.join(", "))
}

/// Writes `out/results.jsonl`: every input's rows, in order (a torn last line of one still
/// ends its own line), each target once (its last row). Returns the file and how many rows
/// were left out.
fn join_results(inputs: &[Input], out: &Path) -> Result<(PathBuf, usize), Failure> {
    let runtime = |e: String| Failure::Runtime(e);
    // All the rows first, in a hidden scratch file (named as the ranking's, so a killed
    // merge's leftover is cleaned up with them), to find the repeated targets.
    let joined = out.join(format!(".rank-run-{}-merge.jsonl", std::process::id()));
    let scratch = Scratch(joined.clone());
    let mut file = std::io::BufWriter::new(
        File::create(&joined)
            .map_err(|e| runtime(format!("cannot write {}: {e}", joined.display())))?,
    );
    for input in inputs {
        let source = input.dir.join("results.jsonl");
        let text = std::fs::read(&source)
            .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", source.display())))?;
        file.write_all(&text)
            .and_then(|_| match text.is_empty() || text.ends_with(b"\n") {
                true => Ok(()),
                false => file.write_all(b"\n"),
            })
            .map_err(|e| runtime(format!("cannot write {}: {e}", joined.display())))?;
    }
    file.flush()
        .map_err(|e| runtime(format!("cannot write {}: {e}", joined.display())))?;
    drop(file);
    let superseded = find_superseded(&joined, out, KEY_RUN_LEN, &AtomicBool::new(false))
        .map_err(|e| runtime(e.to_string()))?;
    let merged = write_atomically(out, "results.jsonl", |w| {
        let mut reader = BufReader::new(File::open(&joined)?);
        let mut line = Vec::new();
        let mut number = 0;
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return Ok(());
            }
            number += 1;
            if !superseded.contains(number) {
                w.write_all(&line)?;
            }
        }
    })
    .map_err(|e| runtime(e.to_string()))?;
    drop(scratch);
    Ok((merged, superseded.len()))
}

/// Removes the scratch file on drop, however the merge ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
