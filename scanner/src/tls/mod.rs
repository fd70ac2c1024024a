//! TLS as a scanner sees it: a rustls client that accepts every certificate and signature
//! and records what the server showed, and a hand-built legacy ClientHello for hosts that only
//! speak TLS 1.0/1.1, which rustls cannot.

pub mod scanning_client;

pub use scanning_client::{pinned_client_config, scanning_client_config};
