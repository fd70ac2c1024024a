//! One direction of the link: every packet is either dropped, with probability `loss`, or
//! delivered `delay` after it arrived. The draws come from a seeded generator, so the same seed
//! drops the same packets of the same sequence.

use std::time::{Duration, Instant};

/// The fate of the packets of one direction.
pub struct DelayLine {
    delay: Duration,
    loss: f64,
    rng: fastrand::Rng,
    /// Packets passed on so far.
    pub delivered: u64,
    /// Packets dropped so far.
    pub dropped: u64,
}

impl DelayLine {
    /// A line that holds each packet `delay` and drops it with probability `loss` (0 to 1).
    pub fn new(delay: Duration, loss: f64, seed: u64) -> Self {
        Self {
            delay,
            loss,
            rng: fastrand::Rng::with_seed(seed),
            delivered: 0,
            dropped: 0,
        }
    }

    /// When a packet that arrived at `arrived` is to be written, or `None` when it is dropped.
    pub fn admit(&mut self, arrived: Instant) -> Option<Instant> {
        // One draw per packet, whatever the loss, so the sequence of draws never depends on it.
        if self.rng.f64() < self.loss {
            self.dropped += 1;
            None
        } else {
            self.delivered += 1;
            Some(arrived + self.delay)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fates(seed: u64, loss: f64, packets: usize) -> Vec<bool> {
        let mut line = DelayLine::new(Duration::from_millis(25), loss, seed);
        let now = Instant::now();
        (0..packets).map(|_| line.admit(now).is_some()).collect()
    }

    #[test]
    fn a_delivered_packet_is_due_one_delay_after_it_arrived() {
        let mut line = DelayLine::new(Duration::from_millis(25), 0.0, 7);
        let arrived = Instant::now();
        assert_eq!(
            line.admit(arrived),
            Some(arrived + Duration::from_millis(25))
        );
        assert_eq!((line.delivered, line.dropped), (1, 0));
    }

    #[test]
    fn about_one_packet_in_a_hundred_is_dropped_at_one_percent() {
        let dropped = fates(1, 0.01, 100_000)
            .iter()
            .filter(|kept| !**kept)
            .count();
        assert!(
            (800..=1_200).contains(&dropped),
            "{dropped} of 100000 dropped"
        );
    }

    #[test]
    fn the_same_seed_drops_the_same_packets_and_another_seed_others() {
        assert_eq!(fates(1, 0.01, 10_000), fates(1, 0.01, 10_000));
        assert_ne!(fates(1, 0.01, 10_000), fates(2, 0.01, 10_000));
    }

    #[test]
    fn no_packet_is_dropped_at_zero_loss_and_every_one_at_full_loss() {
        assert!(fates(3, 0.0, 10_000).iter().all(|kept| *kept));
        assert!(fates(3, 1.0, 10_000).iter().all(|kept| !*kept));
    }
}
