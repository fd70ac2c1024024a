//! What protects a scan directory: one writer at a time (a lock), and a resume only of the same
//! targets (a changed input file would change the visiting order).

use crate::util::*;

#[test]
fn a_second_scan_into_a_directory_being_written_is_refused() {
    let dir = TestDir::new();
    // 256 refused addresses at 20 a second: busy for about 13 s.
    let mut first = spawn_scan(&dir, &["127.91.50.0/24", "-p", "23446", "--rate", "20"]);
    // By the first row, the scan holds its directory's lock.
    wait_for_rows(&dir, &mut first, 1);
    for second in [
        run(&[
            "scan",
            "127.91.51.0/30",
            "-p",
            "23446",
            "-o",
            &dir.out(),
            "-q",
        ]),
        run(&["scan", "--resume", &dir.out(), "-q"]),
    ] {
        assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
        assert!(
            stderr(&second).contains("another rdpsweep is writing to"),
            "{}",
            stderr(&second)
        );
    }
    terminate(&first);
    assert_eq!(first.wait().expect("wait").code(), Some(143));
    // The refused scans changed nothing: every row is the first scan's.
    let json = read_jsonl(&dir.join("out"));
    assert!(json
        .iter()
        .all(|r| r["ip"].as_str().unwrap().starts_with("127.91.50.")));
    // Once the first has ended, the directory can be resumed.
    let out = run(&["scan", "--resume", &dir.out(), "--rate", "20000", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read_jsonl(&dir.join("out")).len(), 256);
}

#[test]
fn a_resume_after_the_input_file_changed_is_refused() {
    let dir = TestDir::new();
    let fleet = dir.join("fleet.txt");
    std::fs::write(&fleet, "127.91.52.0/28\n").expect("fleet");
    let fleet_arg = fleet.display().to_string();
    scan_ok(&dir, &["-i", &fleet_arg, "-p", "23446", "--rate", "20000"]);
    std::fs::write(&fleet, "127.91.52.0/27\n").expect("fleet");
    let out = run(&["scan", "--resume", &dir.out(), "-q"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("16 then, 32 now")
            && stderr(&out).contains("input or exclude file changed"),
        "{}",
        stderr(&out)
    );
    // Put back, the resume is accepted and adds nothing: every target was done.
    std::fs::write(&fleet, "# the fleet\n127.91.52.0/28\n").expect("fleet");
    let out = run(&["scan", "--resume", &dir.out(), "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read_jsonl(&dir.join("out")).len(), 16);
}
