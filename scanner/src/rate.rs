//! The scan's connection rate: governor's GCRA limiter, waited on with tokio's timer.
//!
//! governor's own `until_ready` sleeps on futures-timer, a timer thread of its own, and its
//! default clock (quanta) calibrates the CPU's counter by spinning for milliseconds when the
//! limiter is made. Here the limiter keeps the monotonic clock, and a connection that must
//! wait sleeps on the runtime's timer like every other deadline of the scan.

use std::num::NonZeroU32;
#[cfg(test)]
use std::time::Duration;
use std::time::Instant;

use governor::clock::{Clock, MonotonicClock};
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

/// At most so many connections a second, shared by every probe of a scan.
///
/// Its clock is the real one, not tokio's: under tokio's paused clock (tests), a wait would
/// spin until the real time has passed.
#[derive(Debug)]
pub struct RateLimit {
    limiter: RateLimiter<NotKeyed, InMemoryState, MonotonicClock, NoOpMiddleware<Instant>>,
}

impl RateLimit {
    /// `rate` connections a second (see [`quota`]).
    pub fn per_second(rate: NonZeroU32) -> RateLimit {
        RateLimit {
            limiter: RateLimiter::direct_with_clock(quota(rate), MonotonicClock),
        }
    }

    /// Waits until a connection may start, and takes its token.
    pub async fn until_ready(&self) {
        while let Err(not_until) = self.limiter.check() {
            tokio::time::sleep(not_until.wait_time_from(self.limiter.clock().now())).await;
        }
    }
}

/// `rate` connections a second, in bursts of at most 10 ms worth: governor's default burst (a
/// whole second's worth at once) would hit a network with `rate` connections in an instant. A
/// burst of one would cap the rate near 1000/s, since a tokio sleep lasts at least 1 ms.
fn quota(rate: NonZeroU32) -> Quota {
    let burst = NonZeroU32::new(rate.get() / 100).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(rate).allow_burst(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At 100 a second in bursts of one, the second token comes 10 ms after the first.
    #[tokio::test]
    async fn a_token_past_the_burst_waits_for_the_rate() {
        let started = Instant::now();
        let limit = RateLimit::per_second(NonZeroU32::new(100).unwrap());
        limit.until_ready().await;
        limit.until_ready().await;
        assert!(started.elapsed() >= Duration::from_millis(9));
    }

    #[test]
    fn bursts_are_ten_milliseconds_worth() {
        let at = |rate| quota(NonZeroU32::new(rate).unwrap());
        assert_eq!(at(1000).burst_size().get(), 10);
        assert_eq!(at(1000).replenish_interval(), Duration::from_millis(1));
        assert_eq!(at(300).burst_size().get(), 3);
        assert_eq!(at(99).burst_size().get(), 1, "at least one");
    }
}
