//! The certificates a server sends after its leaf (intermediates, a root), read once per scan.
//! The servers of one enterprise CA all send the same intermediates, byte for byte, so across
//! a fleet they repeat; each leaf is its own and is read every time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use rdpsweep_reports::CertInfo;
use time::OffsetDateTime;

use super::{days_left, summarize_parsed, Parsed};

/// What a scan keeps of a certificate sent after the leaf: its summary, and its issuer's name
/// for the trust judgement.
#[derive(Debug)]
pub struct Sent {
    /// The summary at the time it was read (`None` when it is not exactly one certificate).
    summary: Option<CertInfo>,
    /// Its end of validity as the certificate says it, for the days left at a later time.
    not_after: Option<OffsetDateTime>,
    /// The DER of its issuer's name; `None` when it is not a readable certificate.
    pub issuer: Option<Vec<u8>>,
}

impl Sent {
    /// Reads `der` as seen at `now`.
    pub fn of(der: &[u8], now: OffsetDateTime) -> Sent {
        let parsed = Parsed::of(der);
        let cert = parsed.cert.as_ref().ok().map(|(cert, _)| cert);
        Sent {
            summary: summarize_parsed(&parsed, now).ok(),
            not_after: cert.map(|cert| cert.validity().not_after.to_datetime()),
            issuer: parsed.issuer().map(<[u8]>::to_vec),
        }
    }

    /// Its summary as seen at `now` (the days left counted again); `None` when it is not
    /// exactly one certificate.
    pub fn summary(&self, now: OffsetDateTime) -> Option<CertInfo> {
        let mut info = self.summary.clone()?;
        if let Some(not_after) = self.not_after {
            info.days_left = days_left(now, not_after);
        }
        Some(info)
    }
}

/// The most certificates a [`SentCache`] keeps: far more than the intermediates of a fleet's
/// CAs, so a hostile fleet that sends a new one each time cannot make it grow.
pub const SENT_MAX: usize = 256;

/// The largest certificate a [`SentCache`] keeps (a CA's is 1 to 2 KB); a larger one is read
/// each time.
pub const SENT_MAX_DER: usize = 4096;

/// The sent certificates of one scan, by their DER, shared by its probes: only those that are
/// certificates (bytes that are not are read each time, so junk cannot fill it); bounded by
/// [`SENT_MAX`] and [`SENT_MAX_DER`] (a few MiB at most with their summaries).
#[derive(Debug, Default)]
pub struct SentCache(Mutex<HashMap<Vec<u8>, Arc<Sent>>>);

impl SentCache {
    /// `der` read at `now`, or as read before by this scan.
    pub fn get(&self, der: &[u8], now: OffsetDateTime) -> Arc<Sent> {
        if let Some(sent) = self.lock().get(der) {
            return sent.clone();
        }
        // Read outside the lock: two probes may read one certificate at once, and both keep
        // the same thing.
        let sent = Arc::new(Sent::of(der, now));
        if der.len() <= SENT_MAX_DER && sent.issuer.is_some() {
            let mut kept = self.lock();
            if kept.len() < SENT_MAX {
                kept.insert(der.to_vec(), sent.clone());
            }
        }
        sent
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Vec<u8>, Arc<Sent>>> {
        // A panicking holder leaves whole entries only: the map is still right.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
