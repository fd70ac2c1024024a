//! The scan's connection rate: governor's GCRA limiter, waited on with tokio's timer.
//!
//! governor's own `until_ready` sleeps on futures-timer, a timer thread of its own, and its
//! default clock (quanta) calibrates the CPU's counter by spinning for milliseconds when the
//! limiter is made. Here the limiter keeps the monotonic clock, and a connection that must
//! wait sleeps on the runtime's timer like every other deadline of the scan.

use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// At most so many connections a second, shared by every probe of a scan.
#[derive(Debug)]
pub struct RateLimit {
    limiter: DefaultDirectRateLimiter,
    clock: DefaultClock,
}

impl RateLimit {
    /// `rate` connections a second, in bursts of at most 10 ms worth: governor's default burst
    /// (a whole second's worth at once) would hit a network with `rate` connections in an
    /// instant. A burst of one would cap the rate near 1000/s, since a tokio sleep lasts at
    /// least 1 ms.
    pub fn per_second(rate: NonZeroU32) -> RateLimit {
        let burst = NonZeroU32::new(rate.get() / 100).unwrap_or(NonZeroU32::MIN);
        let clock = DefaultClock::default();
        RateLimit {
            limiter: RateLimiter::direct_with_clock(
                Quota::per_second(rate).allow_burst(burst),
                clock.clone(),
            ),
            clock,
        }
    }

    /// Waits until a connection may start, and takes its token.
    pub async fn until_ready(&self) {
        while let Err(not_until) = self.limiter.check() {
            tokio::time::sleep(not_until.wait_time_from(self.clock.now())).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The burst is taken at once; the token after it only when the limiter allows one more
    /// (at 100 a second, one every 10 ms).
    #[tokio::test]
    async fn a_token_past_the_burst_waits_for_the_rate() {
        let limit = RateLimit::per_second(NonZeroU32::new(100).unwrap());
        limit.until_ready().await;
        assert!(limit.limiter.check().is_err(), "a burst of one at 100/s");
        let started = std::time::Instant::now();
        limit.until_ready().await;
        assert!(started.elapsed() >= std::time::Duration::from_millis(5));
        assert!(limit.limiter.check().is_err(), "the wait took the token");
    }

    #[test]
    fn bursts_are_ten_milliseconds_worth() {
        let limit = RateLimit::per_second(NonZeroU32::new(1000).unwrap());
        let taken = (0..20)
            .take_while(|_| limit.limiter.check().is_ok())
            .count();
        assert_eq!(taken, 10);
    }
}
