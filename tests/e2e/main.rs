//! End-to-end tests: the real `rdpsweep` binary against the simulated fleet, on loopback only.
//! Each test has its own 127.x.y.0 range and port (23401–23460, outside the ephemeral range),
//! so tests run in parallel without meeting.

mod cli_errors;
mod cron;
mod deep;
mod demo;
mod fleet_table;
mod hostile;
mod inputs;
mod interrupt;
mod kubernetes;
mod mixed_fleet;
mod morning_diff;
mod nightly;
mod operations;
mod ranking;
mod report_page;
mod resume;
mod resume_guard;
mod util;
