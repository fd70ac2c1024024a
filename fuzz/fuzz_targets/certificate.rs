//! Certificate summarising: `rdpsweep::cert::summarize` on the DER bytes a server sent in its
//! Certificate message (rustls or the legacy reader hand them over unchecked).
//!
//! Checks: nothing panics, for a certificate or garbage; a summary holds both validity times
//! in UTC to the second and a SHA-256 of 64 lowercase hex digits; the record it becomes
//! (`CertInfo`, a part of every results.jsonl line) writes as JSON and reads back the same,
//! names, key and signature words included; an error says `unreadable certificate: ...`; a
//! name is the name as sent (bytes that are not text escaped), never the parser's error text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdpsweep::cert::summarize;
use rdpsweep_reports::CertInfo;
use time::{OffsetDateTime, UtcOffset};

fuzz_target!(|input: &[u8]| {
    // A fixed "now" (2026-01-01T00:00:00Z): days_left depends on it, and runs must repeat.
    let now = OffsetDateTime::from_unix_timestamp(1_767_225_600).expect("a valid time");
    let info = match summarize(input, now) {
        Ok(info) => info,
        Err(error) => {
            let message = error.to_string();
            assert!(message.starts_with("unreadable certificate: "), "{message}");
            return;
        }
    };
    for at in [info.not_before, info.not_after] {
        let at = at.expect("a summary has both validity times");
        assert_eq!((at.offset(), at.nanosecond()), (UtcOffset::UTC, 0), "{at}");
    }
    assert!(
        info.sha256.len() == 64
            && info
                .sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
        "sha256 {:?}",
        info.sha256
    );
    for name in [&info.subject, &info.issuer] {
        assert!(!name.contains("X509Error"), "a name shows the parser's error: {name:?}");
    }
    let json = serde_json::to_string(&info).expect("a summary serialises");
    let back: CertInfo = serde_json::from_str(&json).expect("a written summary loads");
    assert_eq!(back, info, "json round trip of {json}");
});
