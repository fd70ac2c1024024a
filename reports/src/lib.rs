//! The rdpsweep observation record and the writers that turn it into report files.
//!
//! This crate does no network I/O: it knows what a probe saw, never how. The scanner produces
//! one [`Observation`] per target; [`JsonLines`] writes them as they arrive, and
//! [`write_reports`] turns them into the ranked report files.
//!
//! The wire values in the record (the selected protocol, a failure code, the RDP_NEG_RSP
//! flags, TLS and RDP versions, standard security's level and methods) are `rdpsweep-codec`'s
//! types, serialised as their report words; the words of this crate's own statuses are in
//! [`vocab`].

pub mod certificate;
pub mod columns;
pub mod dedup;
pub mod deep;
pub mod diff;
pub mod files;
pub mod findings;
pub mod history;
pub mod html;
pub mod ip_text;
pub mod metrics;
pub mod observation;
pub mod outcome;
pub mod page;
pub mod patterns;
pub mod plan;
pub mod ranking;
pub mod risk;
pub mod summary;
pub mod timestamp;
pub mod trust;
pub mod vocab;
pub mod writers;

pub use certificate::{CertInfo, CertKey, EcCurve, HashAlgorithm, Oid, SignatureAlgorithm};
pub use columns::{Column, Html, HOST_COLUMNS};
pub use deep::{DeepObservation, NtlmIdentity, ProtocolAnswer, RdpSecurity, TlsVersionAnswer};
pub use files::{
    read_results, write_reports, ReadError, ReportError, ReportOutcome, ResultsReader,
};
pub use findings::{findings, Finding, FindingCode, Severity};
pub use observation::Observation;
pub use outcome::{predict, ClientOutcome, ClientPolicy, Prediction};
pub use page::PageOptions;
pub use patterns::SubnetPrefix;
pub use ranking::{rank, rank_streaming, RankedHost, Ranker};
pub use risk::{assess, Assessment, RiskLevel, RiskPolicy};
pub use summary::{summarize, DeepSummary, ScanInfo, Summary, SummaryCounter};
pub use trust::{CertTrust, Untrusted};
pub use vocab::{RdpStatus, TcpStatus, TlsStatus, TlsVersion};
pub use writers::{JsonLines, ObservationSink};
