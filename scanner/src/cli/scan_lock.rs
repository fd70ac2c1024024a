//! Reading a scan's directory only once its scan has ended. A scan holds an exclusive lock on
//! `DIR/.rdpsweep.lock` while it writes (`scan::lock_out_dir`); a reader such as `diff` takes a
//! shared lock on the same file, waiting up to a bound while a scan holds it, and keeps it while
//! it reads, so no scan or resume starts appending to the rows meanwhile.

use std::fs::{File, TryLockError};
use std::io::ErrorKind;
use std::path::Path;
use std::time::{Duration, Instant};

use super::scan::LOCK_FILE;
use super::values::human;
use super::Failure;

/// How often a waiting reader tries the lock again.
const POLL: Duration = Duration::from_millis(200);

/// True when a process holds `dir`'s lock now: a scan is writing there.
pub fn in_use(dir: &Path) -> bool {
    let Ok(file) = File::open(dir.join(LOCK_FILE)) else {
        return false;
    };
    matches!(
        file.try_lock_shared(),
        Err(std::fs::TryLockError::WouldBlock)
    )
}

/// Waits until no scan holds `dir`'s lock, for at most `wait` (zero: not at all), and returns a
/// shared lock on it for the caller to hold while it reads; `None` when `dir` has no lock file
/// (no scan wrote there: a merged or hand-made results file). A scan still running after `wait`
/// is a runtime failure (exit 1) naming the directory; `what` names the input in messages.
pub fn wait_for_scan(dir: &Path, wait: Duration, what: &str) -> Result<Option<File>, Failure> {
    let path = dir.join(LOCK_FILE);
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Failure::Runtime(format!(
                "cannot open {} to check that no scan is still writing {what}: {e}",
                path.display()
            )))
        }
    };
    let start = Instant::now();
    let mut said = false;
    loop {
        match file.try_lock_shared() {
            Ok(()) => return Ok(Some(file)),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => {
                return Err(Failure::Runtime(format!(
                    "cannot lock {}: {e}",
                    path.display()
                )))
            }
        }
        let waited = start.elapsed();
        if waited >= wait {
            let advice = match wait.is_zero() {
                true => "wait for it with --wait DURATION (e.g. --wait 2h)".to_string(),
                false => format!("it did not end within --wait {}", human(wait)),
            };
            return Err(Failure::Runtime(format!(
                "a scan is still writing {} ({what}; it holds {}): its results are not complete; {advice}",
                dir.display(),
                path.display()
            )));
        }
        if !said {
            tracing::info!(
                "a scan is still writing {}: waiting up to {} for it to end",
                dir.display(),
                human(wait)
            );
            said = true;
        }
        std::thread::sleep(POLL.min(wait - waited));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_without_a_lock_file_is_read_at_once() {
        let dir = tempfile::tempdir().unwrap();
        assert!(wait_for_scan(dir.path(), Duration::ZERO, "OLD")
            .unwrap()
            .is_none());
    }

    #[test]
    fn a_held_lock_is_refused_naming_the_directory_and_a_released_one_is_shared() {
        let dir = tempfile::tempdir().unwrap();
        let scan = File::create(dir.path().join(LOCK_FILE)).unwrap();
        scan.lock().unwrap();
        let refused = wait_for_scan(dir.path(), Duration::ZERO, "NEW").unwrap_err();
        let message = refused.to_string();
        assert!(matches!(refused, Failure::Runtime(_)));
        assert!(
            message.contains("a scan is still writing")
                && message.contains(&dir.path().display().to_string())
                && message.contains("--wait"),
            "{message}"
        );
        let waited = wait_for_scan(dir.path(), Duration::from_millis(300), "NEW").unwrap_err();
        assert!(
            waited
                .to_string()
                .contains("did not end within --wait 300ms"),
            "{waited}"
        );
        // The scan ends while the reader waits: the reader gets its shared lock.
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(scan);
        });
        let held = wait_for_scan(dir.path(), Duration::from_secs(30), "NEW").unwrap();
        releaser.join().unwrap();
        let reader = held.expect("a shared lock");
        // Held while the reader reads: a scan cannot take the directory meanwhile.
        let writer = File::options()
            .write(true)
            .open(dir.path().join(LOCK_FILE))
            .unwrap();
        assert!(matches!(writer.try_lock(), Err(TryLockError::WouldBlock)));
        drop(reader);
        assert!(writer.try_lock().is_ok());
    }
}
