//! The Kubernetes files in configs/k8s work as shipped: the Indexed Job's pod script, run once
//! per completion index against loopback, scans disjoint shards that the merge Job's command
//! joins into one report holding every target exactly once; a pod run again for the same
//! index resumes its shard instead of scanning it twice.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::*;

fn configs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs")
}

/// The literal block (`- |`) or one-line (`- exec ...`) value of the container's `args`.
fn pod_script(yaml: &str) -> String {
    let lines: Vec<&str> = yaml.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == "args:")
        .expect("an args: key");
    let item = lines[start + 1];
    let indent = item.len() - item.trim_start().len();
    let first = item.trim_start().trim_start_matches("- ");
    if first != "|" {
        return first.to_string();
    }
    lines[start + 2..]
        .iter()
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .map(|l| l.get(indent + 2..).unwrap_or("").to_string() + "\n")
        .collect()
}

/// The value of env var `name` in the container spec.
fn env_value(yaml: &str, name: &str) -> String {
    let at = yaml
        .find(&format!("- name: {name}"))
        .unwrap_or_else(|| panic!("env {name}"));
    let rest = &yaml[at..];
    let value = rest.find("value: ").expect("value") + "value: ".len();
    rest[value..]
        .lines()
        .next()
        .expect("line")
        .trim_matches('"')
        .to_string()
}

/// The script with the container's paths moved under `root` and `rdpsweep` the built binary.
fn localise(script: &str, root: &Path) -> String {
    script
        .replace("/data", &root.join("data").display().to_string())
        .replace("/config", &root.join("config").display().to_string())
        .replace("rdpsweep ", &format!("{} ", env!("CARGO_BIN_EXE_rdpsweep")))
}

fn run_pod(script: &str, index: usize, shards: &str) -> std::process::Output {
    Command::new("sh")
        .args(["-c", script])
        .env("JOB_COMPLETION_INDEX", index.to_string())
        .env("SHARDS", shards)
        .env("RUN_NAME", "rdpsweep-scan-test")
        .output()
        .expect("sh")
}

#[test]
fn the_indexed_job_and_the_merge_cover_the_fleet_exactly_once() {
    let dir = TestDir::new();
    let root = dir.join("k8s");
    std::fs::create_dir_all(root.join("data")).expect("mkdir");
    std::fs::create_dir_all(root.join("config")).expect("mkdir");
    std::fs::write(root.join("data/fleet.txt"), "127.91.48.0/26\n").expect("fleet");
    std::fs::write(root.join("data/never-scan.txt"), "127.91.48.5\n").expect("excludes");
    // The shipped settings, with loopback paths, a port nothing listens on, and the
    // image's risk.toml from the repository.
    let toml = std::fs::read_to_string(configs().join("k8s/rdpsweep.toml"))
        .expect("toml")
        .replace("/data", &root.join("data").display().to_string())
        .replace(
            "/etc/rdpsweep/risk.toml",
            &configs().join("risk.toml").display().to_string(),
        )
        .replace("ports = [3389]", "ports = [23449]");
    assert!(
        toml.contains("ports = [23449]"),
        "the test must not scan port 3389"
    );
    std::fs::write(root.join("config/rdpsweep.toml"), toml).expect("config");

    let job = std::fs::read_to_string(configs().join("k8s/scan-job.yaml")).expect("job");
    let shards = env_value(&job, "SHARDS");
    let completions: usize = job
        .lines()
        .find_map(|l| l.trim().strip_prefix("completions: "))
        .expect("completions")
        .parse()
        .expect("number");
    assert_eq!(
        shards,
        completions.to_string(),
        "SHARDS must equal completions"
    );
    let script = localise(&pod_script(&job), &root);
    for index in 0..completions {
        let out = run_pod(&script, index, &shards);
        assert_eq!(out.status.code(), Some(0), "pod {index}: {}", stderr(&out));
    }
    let run_dir = root.join("data/runs/rdpsweep-scan-test");
    let mut seen = HashSet::new();
    for shard in 1..=completions {
        for row in read_jsonl(&run_dir.join(format!("shard-{shard}"))) {
            assert!(
                seen.insert(row["ip"].to_string()),
                "{} in two shards",
                row["ip"]
            );
        }
    }
    assert_eq!(seen.len(), 63, "a /26 less one excluded address");

    // A pod retried for index 0 resumes its finished shard: no new row.
    let before = read_jsonl(&run_dir.join("shard-1")).len();
    let out = run_pod(&script, 0, &shards);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read_jsonl(&run_dir.join("shard-1")).len(), before);

    let merge = std::fs::read_to_string(configs().join("k8s/merge-job.yaml")).expect("merge");
    let merge = localise(&pod_script(&merge), &root).replace("RUN_NAME", "rdpsweep-scan-test");
    let out = run_pod(&merge, 0, &shards);
    assert_eq!(out.status.code(), Some(0), "merge: {}", stderr(&out));
    let (_, rows) = read_hosts_csv(&run_dir.join("merged"));
    assert_eq!(rows.len(), 63);
    by_ip(&rows); // each address once
}

#[test]
fn the_manifests_and_the_readme_state_the_kubernetes_version_and_the_registry_they_need() {
    let readme = std::fs::read_to_string(configs().join("../README.md")).expect("README.md");
    let section = &readme[readme.find("### Kubernetes").expect("a Kubernetes section")..];
    let section = &section[..section[4..].find("\n#").map_or(section.len(), |i| i + 4)];
    for name in ["scan-job.yaml", "merge-job.yaml"] {
        let yaml = std::fs::read_to_string(configs().join("k8s").join(name)).expect(name);
        let needs_1_29 = yaml.lines().any(|l| {
            let key = l.trim_start();
            key.starts_with("backoffLimitPerIndex:") || key.starts_with("podReplacementPolicy:")
        });
        assert_eq!(needs_1_29, name == "scan-job.yaml", "{name}");
        for (what, text) in [(name, yaml.as_str()), ("README.md", section)] {
            assert!(
                text.contains("Kubernetes 1.29 or newer"),
                "{what} must state the minimum version (backoffLimitPerIndex, podReplacementPolicy)"
            );
            assert!(
                text.contains("registry"),
                "{what} must say a cluster of several nodes pulls the image from a registry"
            );
        }
    }
}
