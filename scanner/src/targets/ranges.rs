//! Sets of integers kept as sorted, disjoint, inclusive intervals.
//!
//! An address family is a number line (`u32` for IPv4, `u128` for IPv6; both are stored as
//! `u128` here), so a set of addresses is a handful of intervals however many addresses it holds.

/// The inclusive interval `start..=end` (`start <= end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Interval {
    pub start: u128,
    pub end: u128,
}

impl Interval {
    /// How many values the interval holds, saturating at `u128::MAX` (only `0..=u128::MAX`,
    /// which holds 2^128, saturates).
    pub fn count(self) -> u128 {
        (self.end - self.start).saturating_add(1)
    }
}

/// A set of values as sorted intervals that neither overlap nor touch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Ranges(Vec<Interval>);

impl Ranges {
    /// Sorts `intervals` and merges the overlapping and adjacent ones.
    pub fn from_unsorted(mut intervals: Vec<Interval>) -> Ranges {
        intervals.sort_unstable();
        let mut merged: Vec<Interval> = Vec::with_capacity(intervals.len());
        for next in intervals {
            match merged.last_mut() {
                Some(last) if next.start <= last.end.saturating_add(1) => {
                    last.end = last.end.max(next.end);
                }
                _ => merged.push(next),
            }
        }
        merged.shrink_to_fit();
        Ranges(merged)
    }

    /// The values of `self` that are not in `other`.
    pub fn subtract(&self, other: &Ranges) -> Ranges {
        let excludes = &other.0;
        let mut out = Vec::with_capacity(self.0.len());
        let mut first = 0;
        for &include in &self.0 {
            while first < excludes.len() && excludes[first].end < include.start {
                first += 1;
            }
            cut(include, &excludes[first..], &mut out);
        }
        Ranges(out)
    }

    /// True when `value` is in the set (binary search).
    pub fn contains(&self, value: u128) -> bool {
        let after = self.0.partition_point(|i| i.start <= value);
        after > 0 && value <= self.0[after - 1].end
    }

    /// How many values the set holds, saturating at `u128::MAX`.
    pub fn count(&self) -> u128 {
        self.0
            .iter()
            .fold(0u128, |total, i| total.saturating_add(i.count()))
    }

    /// The intervals, ascending.
    pub fn intervals(&self) -> &[Interval] {
        &self.0
    }

    /// Every value, ascending, lazily.
    pub fn values(&self) -> impl Iterator<Item = u128> + Send + '_ {
        self.0.iter().flat_map(|i| i.start..=i.end)
    }
}

/// Pushes the parts of `include` outside `excludes` (sorted, disjoint; none ends before
/// `include` starts) onto `out`.
fn cut(include: Interval, excludes: &[Interval], out: &mut Vec<Interval>) {
    let mut start = include.start;
    for exclude in excludes.iter().take_while(|e| e.start <= include.end) {
        if exclude.start > start {
            out.push(Interval {
                start,
                end: exclude.start - 1,
            });
        }
        match exclude.end.checked_add(1) {
            Some(next) if next <= include.end => start = start.max(next),
            _ => return,
        }
    }
    out.push(Interval {
        start,
        end: include.end,
    });
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    fn iv(start: u128, end: u128) -> Interval {
        Interval { start, end }
    }

    fn ranges(list: &[(u128, u128)]) -> Ranges {
        Ranges::from_unsorted(list.iter().map(|&(s, e)| iv(s, e)).collect())
    }

    #[test]
    fn merges_overlapping_and_adjacent_intervals() {
        let r = ranges(&[(10, 20), (0, 4), (5, 7), (15, 30), (40, 40)]);
        assert_eq!(r.0, vec![iv(0, 7), iv(10, 30), iv(40, 40)]);
        assert_eq!(r.count(), 8 + 21 + 1);
    }

    #[test]
    fn subtract_cuts_the_ends_and_the_middle() {
        let r = ranges(&[(0, 100)]).subtract(&ranges(&[(0, 9), (50, 50), (90, 200)]));
        assert_eq!(r.0, vec![iv(10, 49), iv(51, 89)]);
    }

    #[test]
    fn subtract_keeps_single_values_next_to_an_exclude() {
        let r = ranges(&[(0, 10)]).subtract(&ranges(&[(1, 1), (9, 9)]));
        assert_eq!(r.0, vec![iv(0, 0), iv(2, 8), iv(10, 10)]);
    }

    #[test]
    fn subtract_keeps_an_exclude_that_spans_two_includes() {
        let r = ranges(&[(0, 10), (20, 30)]).subtract(&ranges(&[(8, 22)]));
        assert_eq!(r.0, vec![iv(0, 7), iv(23, 30)]);
    }

    #[test]
    fn subtract_handles_the_top_of_the_number_line() {
        let all = ranges(&[(0, u128::MAX)]);
        let r = all.subtract(&ranges(&[(u128::MAX, u128::MAX)]));
        assert_eq!(r.0, vec![iv(0, u128::MAX - 1)]);
        assert_eq!(r.count(), u128::MAX);
        assert!(all.subtract(&all).0.is_empty());
    }

    #[test]
    fn the_whole_line_saturates_its_count() {
        assert_eq!(ranges(&[(0, u128::MAX)]).count(), u128::MAX);
        assert_eq!(ranges(&[(u128::MAX, u128::MAX)]).count(), 1);
    }

    #[test]
    fn contains_finds_members_only() {
        let r = ranges(&[(10, 20), (30, 30)]);
        let members: Vec<u128> = (0..40).filter(|&v| r.contains(v)).collect();
        let expected: Vec<u128> = (10..=20).chain([30]).collect();
        assert_eq!(members, expected);
        assert!(ranges(&[(0, u128::MAX)]).contains(u128::MAX));
        assert!(!Ranges::default().contains(0));
    }

    /// Random intervals on a short line, so that they overlap and touch often.
    fn small_intervals(max: usize) -> impl Strategy<Value = Vec<(u128, u128)>> {
        prop::collection::vec((0u128..64, 0u128..8), 0..max)
            .prop_map(|v| v.into_iter().map(|(s, len)| (s, s + len)).collect())
    }

    fn naive(list: &[(u128, u128)]) -> BTreeSet<u128> {
        list.iter().flat_map(|&(s, e)| s..=e).collect()
    }

    proptest! {
        #[test]
        fn set_operations_match_a_naive_model(
            include in small_intervals(8),
            exclude in small_intervals(5),
        ) {
            let expected: Vec<u128> = naive(&include).difference(&naive(&exclude)).copied().collect();
            let (inc, exc) = (ranges(&include), ranges(&exclude));
            let result = inc.subtract(&exc);
            prop_assert_eq!(result.values().collect::<Vec<_>>(), expected.clone());
            prop_assert_eq!(result.count(), expected.len() as u128);
            for pair in result.0.windows(2) {
                prop_assert!(pair[0].end + 1 < pair[1].start, "disjoint, not touching");
            }
            for v in 0..80 {
                prop_assert_eq!(exc.contains(v), naive(&exclude).contains(&v));
            }
        }
    }

    #[test]
    fn values_reach_the_top_without_overflow() {
        let r = ranges(&[(u128::MAX - 1, u128::MAX)]);
        assert_eq!(
            r.values().collect::<Vec<_>>(),
            vec![u128::MAX - 1, u128::MAX]
        );
    }
}
