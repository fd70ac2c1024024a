//! Hand-built TLS 1.0–1.2 ClientHello and a reader of the server's clear-text answer.
//! STUB: owned by the legacy-TLS helper.
