//! `DIR/scan.json`: the settings that decide which `(target, port)` pairs a scan probes and in
//! what order, saved when the scan starts so that `rdpsweep scan --resume DIR` continues the
//! same sweep without the operator having to repeat (or remember) the command line.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use rdpsweep_reports::files::write_atomically;
use rdpsweep_reports::ScanInfo;

use rdpsweep::targets::TargetSet;

use super::settings::Settings;
use super::Failure;

/// The file name, in the output directory.
pub const PLAN_FILE: &str = "scan.json";

/// What a resumed scan takes from the first run: which pairs, in what order, how deeply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanPlan {
    /// The rdpsweep version that started the scan.
    pub version: String,
    pub targets: Vec<String>,
    /// Absolute paths where they could be resolved, so a resume from another directory works.
    pub input_files: Vec<PathBuf>,
    pub excludes: Vec<String>,
    pub exclude_files: Vec<PathBuf>,
    pub ports: Vec<u16>,
    pub seed: u64,
    /// `I/N`.
    pub shard: String,
    /// `--deep`: a resumed scan probes the rest as deeply as the first run did.
    #[serde(default)]
    pub deep: bool,
    /// How many targets the first run had, and [`TargetSet::fingerprint`] of them: a resume
    /// whose input or exclude files changed since would visit another order, so it is refused.
    #[serde(default)]
    pub target_count: Option<String>,
    #[serde(default)]
    pub targets_fingerprint: Option<String>,
    /// Where the scan stands, so a report rebuilt from the directory (and `merge`) knows
    /// whether its rows are all of them. Absent in files written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ScanState>,
}

/// Where a scan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanState {
    /// Started (or resumed) and not ended: still running, or it was killed or failed.
    Running,
    /// Stopped by a signal before every target was probed.
    Interrupted,
    /// Every target probed.
    Complete,
}

impl ScanState {
    /// Why a report of a scan in this state is partial (`None`: it is not). `running` says
    /// whether a process holds the directory's lock now.
    pub fn partial_reason(self, dir: &Path, running: bool) -> Option<String> {
        let resume = format!("`rdpsweep scan --resume {}` finishes it", dir.display());
        match self {
            ScanState::Complete => None,
            ScanState::Interrupted => Some(format!(
                "the scan in {} was interrupted before every target was probed; {resume}",
                dir.display()
            )),
            ScanState::Running if running => Some(format!(
                "the scan in {} is still running: this report holds the rows written so far",
                dir.display()
            )),
            ScanState::Running => Some(format!(
                "the scan in {} stopped before it finished (killed, or it failed); {resume}",
                dir.display()
            )),
        }
    }
}

impl ScanPlan {
    /// The plan of `settings`, whose targets are `targets`.
    pub fn of(settings: &Settings, targets: &TargetSet) -> ScanPlan {
        let absolute = |paths: &[PathBuf]| {
            paths
                .iter()
                .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
                .collect()
        };
        ScanPlan {
            version: env!("CARGO_PKG_VERSION").to_string(),
            targets: settings.targets.clone(),
            input_files: absolute(&settings.input_files),
            excludes: settings.excludes.clone(),
            exclude_files: absolute(&settings.exclude_files),
            ports: settings.ports.clone(),
            seed: settings.seed,
            shard: settings.shard.to_string(),
            deep: settings.deep,
            target_count: Some(targets.len().to_string()),
            targets_fingerprint: Some(targets.fingerprint()),
            state: Some(ScanState::Running),
        }
    }

    /// Fills the scan's settings into the record of a report rebuilt from its rows.
    pub fn describe(&self, info: &mut ScanInfo) {
        let paths = |paths: &[PathBuf]| paths.iter().map(|p| p.display().to_string()).collect();
        info.targets = Some(self.targets.clone());
        info.input_files = Some(paths(&self.input_files));
        info.excludes = Some(self.excludes.clone());
        info.ports = Some(self.ports.clone());
        info.seed = Some(self.seed);
        info.shard = Some(self.shard.clone());
    }

    /// Reads `dir/scan.json` when there is one (`Ok(None)` when there is not).
    pub fn find(dir: &Path) -> Result<Option<ScanPlan>, String> {
        let path = dir.join(PLAN_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Writes `dir/scan.json` (to a temporary file, then renamed).
    pub fn save(&self, dir: &Path) -> Result<(), Failure> {
        let text =
            serde_json::to_string_pretty(self).map_err(|e| Failure::Runtime(e.to_string()))?;
        write_atomically(dir, PLAN_FILE, |w| {
            w.write_all(format!("{text}\n").as_bytes())
        })
        .map(|_| ())
        .map_err(|e| Failure::Runtime(e.to_string()))
    }

    /// Reads `dir/scan.json`; the error says what is missing or wrong.
    pub fn load(dir: &Path) -> Result<ScanPlan, Failure> {
        let path = dir.join(PLAN_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Failure::Usage(format!(
                "--resume {}: cannot read {}: {e} (only a directory that rdpsweep scan wrote can be resumed)",
                dir.display(),
                path.display()
            ))
        })?;
        serde_json::from_str(&text)
            .map_err(|e| Failure::Usage(format!("--resume: {}: {e}", path.display())))
    }

    /// Replaces the target-defining settings with the plan's.
    pub fn apply(&self, settings: &mut Settings) -> Result<(), Failure> {
        settings.shard = self
            .shard
            .parse()
            .map_err(|e| Failure::Usage(format!("--resume: {PLAN_FILE}: {e}")))?;
        if self.ports.is_empty() {
            return Err(Failure::Usage(format!("--resume: {PLAN_FILE}: no ports")));
        }
        settings.targets = self.targets.clone();
        settings.input_files = self.input_files.clone();
        settings.excludes = self.excludes.clone();
        settings.exclude_files = self.exclude_files.clone();
        settings.ports = self.ports.clone();
        settings.seed = self.seed;
        settings.deep = self.deep;
        Ok(())
    }

    /// Refuses `targets` when they are not the first run's (an input or exclude file changed).
    pub fn check_targets(&self, targets: &TargetSet, dir: &Path) -> Result<(), Failure> {
        match &self.targets_fingerprint {
            Some(fingerprint) if *fingerprint != targets.fingerprint() => {
                Err(Failure::Usage(format!(
                    "--resume {}: the targets are not those of the first run ({} then, {} now): \
                     an input or exclude file changed; start a new scan",
                    dir.display(),
                    self.target_count.as_deref().unwrap_or("?"),
                    targets.len()
                )))
            }
            _ => Ok(()),
        }
    }
}
