//! Usage and configuration errors: exit 2 with a message that names the bad value; exit 1 when
//! the report cannot be written. None of these scans sends a packet: they fail before probing.

use crate::util::*;

/// Runs a scan expected to fail with `code`, and checks stderr names `needle`.
fn fails(args: &[&str], code: i32, needle: &str) {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: stderr {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(needle),
        "{args:?}: stderr {:?} lacks {needle:?}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn a_malformed_cidr_is_named() {
    let dir = TestDir::new();
    fails(&["scan", "10.0.0.0/33", "-o", &dir.out()], 2, "10.0.0.0/33");
    fails(&["scan", "300.1.1.1", "-o", &dir.out()], 2, "300.1.1.1");
    assert!(
        !dir.join("out").exists(),
        "no output for a scan that never ran"
    );
}

#[test]
fn a_bad_port_rate_or_duration_is_named() {
    let dir = TestDir::new();
    fails(
        &["scan", "127.0.0.1", "-p", "70000", "-o", &dir.out()],
        2,
        "70000",
    );
    fails(
        &["scan", "127.0.0.1", "-p", "3389,0", "-o", &dir.out()],
        2,
        "port 0",
    );
    fails(
        &["scan", "127.0.0.1", "--timeout", "soon", "-o", &dir.out()],
        2,
        "soon",
    );
    fails(
        &["scan", "127.0.0.1", "--rate", "0", "-o", &dir.out()],
        2,
        "--rate",
    );
}

#[test]
fn a_missing_input_file_is_named() {
    let dir = TestDir::new();
    let missing = dir.join("nope.txt").display().to_string();
    fails(&["scan", "-i", &missing, "-o", &dir.out()], 2, &missing);
    fails(
        &[
            "scan",
            "127.0.0.1",
            "--exclude-file",
            &missing,
            "-o",
            &dir.out(),
        ],
        2,
        &missing,
    );
}

#[test]
fn a_bad_line_in_a_target_file_names_file_and_line() {
    let dir = TestDir::new();
    let file = dir.write("targets.txt", "# fleet\n127.0.0.1\n\n127.0.0.0/40\n");
    fails(
        &["scan", "-i", &file.display().to_string(), "-o", &dir.out()],
        2,
        "targets.txt:4",
    );
}

#[test]
fn no_targets_is_a_usage_error() {
    let dir = TestDir::new();
    fails(&["scan", "-o", &dir.out()], 2, "no targets");
}

#[test]
fn config_file_errors_name_the_key_or_value() {
    let dir = TestDir::new();
    let unknown = dir.write("unknown.toml", "targets = [\"127.0.0.1\"]\nspeed = 3\n");
    fails(
        &[
            "scan",
            "--config",
            &unknown.display().to_string(),
            "-o",
            &dir.out(),
        ],
        2,
        "speed",
    );
    let bad_port = dir.write("port.toml", "targets = [\"127.0.0.1\"]\nports = [70000]\n");
    fails(
        &[
            "scan",
            "--config",
            &bad_port.display().to_string(),
            "-o",
            &dir.out(),
        ],
        2,
        "70000",
    );
    let bad_duration = dir.write(
        "dur.toml",
        "targets = [\"127.0.0.1\"]\ntimeout = \"fast\"\n",
    );
    fails(
        &[
            "scan",
            "--config",
            &bad_duration.display().to_string(),
            "-o",
            &dir.out(),
        ],
        2,
        "fast",
    );
    let missing = dir.join("missing.toml").display().to_string();
    fails(
        &["scan", "--config", &missing, "-o", &dir.out()],
        2,
        &missing,
    );
}

#[test]
fn an_unwritable_output_directory_exits_1() {
    let dir = TestDir::new();
    let file = dir.write("a-file", "");
    let out_dir = file.join("sub").display().to_string();
    // Port 23429 on 127.0.0.1 has no listener; the scan must fail before probing anyway.
    fails(
        &["scan", "127.0.0.1", "-p", "23429", "-o", &out_dir],
        1,
        "cannot create output directory",
    );
}

#[test]
fn an_output_directory_that_is_a_file_is_a_usage_error_saying_so() {
    let dir = TestDir::new();
    let file = dir.write("a-file", "").display().to_string();
    let results = dir.write("results.jsonl", "").display().to_string();
    for args in [
        &["scan", "127.0.0.1", "-p", "23429", "-o", &file][..],
        &["report", &results, "-o", &file][..],
    ] {
        fails(
            args,
            2,
            &format!("output directory {file} is not a directory"),
        );
    }
}
