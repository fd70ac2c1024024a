//! What `--deep` allows with the other scan settings, checked once the settings are resolved
//! (flags, config file, and a resumed scan's `scan.json`).

use rdpsweep::probe::MAX_CONNECTIONS_PER_HOST;

use super::settings::Settings;
use super::Failure;

/// Refuses `--deep` with more than one port: the connection budget is kept per address and
/// port, and the sweep would run one host's ports side by side, so a host would get more than
/// [`MAX_CONNECTIONS_PER_HOST`] connections and two deep probes at once. Warns when
/// `--host-pause` is given without `--deep` (it only paces deep connections).
pub fn check(settings: &Settings) -> Result<(), Failure> {
    if settings.deep && settings.ports.len() > 1 {
        let ports: Vec<String> = settings.ports.iter().map(u16::to_string).collect();
        return Err(Failure::Usage(format!(
            "--deep (or deep = true) probes one port per run, and ports {} were given: a host \
             gets at most {MAX_CONNECTIONS_PER_HOST} connections and its deep probes one after \
             another, never in parallel; scan each port in its own run (-p {})",
            ports.join(","),
            ports.join(", then -p ")
        )));
    }
    if !settings.deep && !settings.host_pause.is_zero() {
        tracing::warn!(
            host_pause = %humantime::format_duration(settings.host_pause),
            "--host-pause (or host_pause) has no effect without --deep: it only paces deep connections"
        );
    }
    Ok(())
}
