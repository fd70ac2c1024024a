//! The rdpsweep observation record and the writers that turn it into report files.
//!
//! This crate does no network I/O: it knows what a probe saw, never how. The scanner produces
//! one [`Observation`] per target; [`HostsCsv`] and [`JsonLines`] write them as they arrive.

pub mod observation;
pub mod vocab;
pub mod writers;

pub use observation::{CertInfo, Observation};
pub use vocab::{NegFailure, NegFlags, RdpStatus, SelectedProtocol, TcpStatus, TlsStatus};
pub use writers::{HostsCsv, JsonLines, ObservationSink, HOSTS_CSV_COLUMNS};
