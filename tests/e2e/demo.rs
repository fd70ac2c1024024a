//! The README's first command: `rdpsweep demo` works with nothing else running.

use crate::util::*;

#[test]
fn demo_scans_the_fleet_and_writes_the_report() {
    let dir = TestDir::new();
    let out = run(&["demo", "--out-dir", &dir.out(), "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("scanned 32 of 32 targets"), "{text}");
    assert!(
        text.contains("tls10-only") && text.contains("tls=legacy"),
        "{text}"
    );
    assert!(
        text.contains(&dir.join("out").join("hosts.csv").display().to_string()),
        "{text}"
    );
    let (_, rows) = read_hosts_csv(&dir.join("out"));
    assert_eq!(rows.len(), 32);
    assert_eq!(read_jsonl(&dir.join("out")).len(), 32);
}

#[test]
fn simulate_refuses_a_range_off_loopback() {
    for range in ["10.0.0.0/24", "0.0.0.0/0", "fd00::/120"] {
        let out = run(&["simulate", "--range", range, "--port", "23430"]);
        assert_eq!(out.status.code(), Some(2), "{range}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(range) && stderr(&out).contains("loopback"),
            "{}",
            stderr(&out)
        );
    }
}
