//! The visiting order: a seeded pseudo-random permutation of the whole target space, split
//! into shards.
//!
//! # Positions
//! The targets are numbered `0..len` in the order [`TargetSet::iter`] yields them: IPv4
//! intervals, IPv6 intervals, then the names. A position is turned into its target by a binary
//! search over the positions where each interval starts (one prefix sum per interval, plus one
//! for the names), so memory is O(intervals) and a lookup O(log intervals), whatever the size
//! of the space.
//!
//! # The permutation
//! Let `k` be the fewest bits with `2^k >= len`, `h = ceil(k/2)` and `l = k - h`. A sequence
//! number `j < 2^k` is split into its low `h` bits `jl` and its high `l` bits `jh`, and mapped
//! to the position whose high `h` bits are `hi` and low `l` bits are `lo`:
//!
//! ```text
//! hi = σ[jh](jl)        lo = τ[hi](jh)        P(j) = hi · 2^l + lo
//! ```
//!
//! `σ[c]` is a bijection on `h` bits and `τ[c]` one on `l` bits: four-round Feistel networks
//! whose round functions are a fixed 64-bit mixing function of the input, a key derived from
//! the seed and a tweak derived from `c` (see [`feistel`]).
//!
//! **`P` is a bijection on `0..2^k`.** From `(hi, lo)` the input is recovered as
//! `jh = τ[hi]⁻¹(lo)` and then `jl = σ[jh]⁻¹(hi)`, so `P` is injective, and an injective map
//! from a finite set to itself is a bijection. (It is a two-round unbalanced Feistel network
//! whose rounds are bijections keyed by the other half.)
//!
//! **Cycle-walking makes it a bijection on `0..len`.** A value `>= len` is no target, so `P` is
//! applied again until the value is below `len`: `π(j)` is the first of `P(j)`, `P(P(j))`, …
//! below `len`. The walk ends because `P` permutes a finite set: the orbit of `j` is a cycle
//! and comes back to `j < len`. `π` is injective: walking the cycle backwards from `π(j)`
//! with `P⁻¹`, every value skipped on the way is `>= len`, so `j` is the first value below
//! `len` met, and two inputs with the same image would both be that value. As `2^k < 2·len`,
//! fewer than half the domain lies outside, and a walk takes under two steps on average. A
//! step is ten calls of a 64-bit mixing function and needs no memory, and `π(j)` is computed
//! directly from `j`, so nothing is stored per target and a shard can start anywhere.
//!
//! **Consecutive probes land far apart.** For a fixed `jh`, `jl` takes all `2^h` values, so
//! `hi = σ[jh](jl)` takes each of its `2^h` values once: every aligned run of `2^h`
//! consecutive sequence numbers lands in `2^h` different chunks of `2^l` consecutive
//! positions. In a /16 (`k = 16`) the chunks are its /24s: probes 0–255 hit each /24 once,
//! probes 256–511 hit each again in another order, and so on; in a /8 each run of 4,096
//! probes hits 4,096 different /20s. `σ[jh]` shuffles the chunks differently in each run, so
//! neighbours in the sequence are unrelated subnets, and `τ[hi]` gives each chunk its own
//! order of hosts. The sequence numbers that are walked (only when `len` is not a power of
//! two) land pseudo-randomly, which loses little: the first 256 probes of a /16 less a /20
//! still hit 240 of its 240 /24s. This spreads load; it is not cryptography.
//!
//! # Determinism
//! The keys come from the seed alone through a fixed mixing function with fixed constants, in
//! wrapping 64-bit arithmetic: the same seed and targets give the same order on every machine.
//! Seed 0 is as good as any other.
//!
//! # Shards
//! Shard `I/N` takes the sequence numbers `j` with `j % N == I - 1`: the `j`-th target of the
//! permuted order goes to shard `j % N + 1`. The shards therefore partition the targets and
//! their sizes differ by at most one. Each is spread over the whole space, though less evenly
//! than the whole order: its first 256 targets in a /16 fall in some 160–190 different /24s,
//! as many as random picks would. The shards of one sweep must use the same seed and the same
//! targets.
//!
//! # The whole IPv6 space
//! [`TargetSet::len`] saturates at `u128::MAX` (`2^128 - 1`) when `::/0` is a target, and the
//! order covers exactly that many positions, `0..2^128 - 1`. The targets past them (the top
//! IPv6 address, or the top few and any names given beside `::/0`) are never visited, as
//! [`TargetSet::iter`] never reaches them either; [`TargetSet::len_in`] counts what
//! [`TargetSet::iter_ordered`] yields.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;

use num_bigint::BigUint;

use super::ranges::Interval;
use super::{v4_target, Target, TargetError, TargetSet};

/// How to visit the targets: the permutation's seed and this run's shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Order {
    /// Picks the permutation; every shard of a sweep must use the same one.
    pub seed: u64,
    pub shard: Shard,
}

/// Shard `index` of `count` (1-based, written `I/N`, e.g. `2/4`).
///
/// [`FromStr`] and [`Shard::new`] accept only `1 <= index <= count`; a shard built by hand
/// outside that range holds no targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Every target: `1/1`.
    pub const fn all() -> Shard {
        Shard { index: 1, count: 1 }
    }

    /// Shard `index` of `count`; errors name the value (`shard "5/4": …`).
    pub fn new(index: u32, count: u32) -> Result<Shard, TargetError> {
        check(index, count)
            .map(|()| Shard { index, count })
            .map_err(|reason| invalid_shard(&format!("{index}/{count}"), &reason))
    }

    /// [`Shard::size_of`] without a bound on `total` (for counting spaces a `u128` cannot).
    fn exact_size_of(&self, total: &BigUint) -> BigUint {
        if check(self.index, self.count).is_err() {
            return BigUint::ZERO;
        }
        let first = BigUint::from(self.index - 1);
        if *total <= first {
            BigUint::ZERO
        } else {
            (total - 1u32 - first) / self.count + 1u32
        }
    }

    /// How many of the sequence numbers `0..total` are this shard's (`j % count == index - 1`).
    fn size_of(&self, total: u128) -> u128 {
        if check(self.index, self.count).is_err() {
            return 0;
        }
        let first = u128::from(self.index - 1);
        if total <= first {
            0
        } else {
            (total - 1 - first) / u128::from(self.count) + 1
        }
    }
}

impl Default for Shard {
    fn default() -> Shard {
        Shard::all()
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = TargetError;

    /// `I/N` with whole numbers, `1 <= I <= N` (surrounding whitespace is ignored).
    fn from_str(text: &str) -> Result<Shard, TargetError> {
        let number = |part: &str| {
            let part = part.trim();
            let digits = !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
            digits.then(|| part.parse::<u32>().ok()).flatten()
        };
        let parts = text.split_once('/');
        let Some((Some(index), Some(count))) = parts.map(|(i, n)| (number(i), number(n))) else {
            return Err(invalid_shard(
                text,
                "expected I/N with whole numbers up to 4294967295, e.g. 2/4",
            ));
        };
        check(index, count)
            .map(|()| Shard { index, count })
            .map_err(|reason| invalid_shard(text, &reason))
    }
}

/// Why `index/count` is no shard, if it is not.
fn check(index: u32, count: u32) -> Result<(), String> {
    if count == 0 {
        Err("the shard count must be at least 1".to_string())
    } else if index == 0 || index > count {
        Err(format!("index must be between 1 and {count}"))
    } else {
        Ok(())
    }
}

/// `shard "VALUE": REASON`.
fn invalid_shard(value: &str, reason: &str) -> TargetError {
    TargetError(format!("shard {:?}: {reason}", value.trim()))
}

impl TargetSet {
    /// The targets of `order.shard`, each once, in the seeded pseudo-random order of
    /// `order.seed` (see the module documentation), lazily: memory is O(intervals), and each
    /// item costs one or two permutation steps (20 multiplications each) and a binary search
    /// over the intervals, without allocating (beyond cloning a name): about 60 ns in a
    /// release build for a /8, 250 ns with 4,096 intervals.
    pub fn iter_ordered(&self, order: &Order) -> impl Iterator<Item = Target> + Send + '_ {
        self.ordered(order)
    }

    fn ordered(&self, order: &Order) -> Ordered<'_> {
        let layout = Layout::new(self);
        let permutation = Permutation::new(layout.total, order.seed);
        let remaining = order.shard.size_of(layout.total);
        Ordered {
            layout,
            permutation,
            // Unused when the shard is empty (then `index` may be 0).
            next: u128::from(order.shard.index.saturating_sub(1)),
            step: u128::from(order.shard.count),
            remaining,
        }
    }

    /// Like [`TargetSet::iter_ordered`], without the first `skip` targets of the shard's
    /// order (for resuming a scan); costs nothing per skipped target.
    pub fn iter_ordered_from(
        &self,
        order: &Order,
        skip: u128,
    ) -> impl Iterator<Item = Target> + Send + '_ {
        let mut iter = self.ordered(order);
        let skip = skip.min(iter.remaining);
        iter.remaining -= skip;
        iter.next = iter.next.wrapping_add(skip.wrapping_mul(iter.step));
        iter
    }

    /// Exactly how many targets `iter_ordered` yields for `shard` (the shards' sizes differ by
    /// at most one and add up to [`TargetSet::len`]).
    pub fn len_in(&self, shard: &Shard) -> u128 {
        shard.size_of(self.len())
    }

    /// [`TargetSet::len_in`] without saturating: the whole IPv6 space (`::/0`) holds 2^128
    /// targets, one more than a `u128` counts. For `--dry-run`, which prints the count.
    pub fn exact_len_in(&self, shard: &Shard) -> BigUint {
        shard.exact_size_of(&self.exact_len())
    }

    /// A lookup from a target back to its place in the order of `order`: the inverse of
    /// [`TargetSet::iter_ordered`], for resuming a scan. Builds a map of the names (memory
    /// O(names)); addresses are found by binary search.
    pub fn sequence(&self, order: &Order) -> Sequence<'_> {
        let layout = Layout::new(self);
        let permutation = Permutation::new(layout.total, order.seed);
        let names = self
            .names
            .iter()
            .enumerate()
            .map(|(i, name)| (name.to_ascii_lowercase(), i))
            .collect();
        Sequence {
            layout,
            permutation,
            shard: order.shard,
            names,
        }
    }
}

/// Where each target comes in one shard's order (see [`TargetSet::sequence`]).
pub struct Sequence<'a> {
    layout: Layout<'a>,
    permutation: Permutation,
    shard: Shard,
    /// Lower-cased name → its index among the names.
    names: std::collections::HashMap<String, usize>,
}

impl Sequence<'_> {
    /// How many targets of the shard's order come before `target`; `None` when `target` is not
    /// in the set, or belongs to another shard.
    pub fn index_of(&self, target: &Target) -> Option<u128> {
        let position = match target {
            Target::Ip(ip) => self.layout.position_of_ip(*ip)?,
            Target::Name(name) => {
                let index = *self.names.get(&name.to_ascii_lowercase())?;
                let start = *self.layout.starts.last()?;
                start.checked_add(u128::try_from(index).ok()?)?
            }
        };
        if position >= self.layout.total {
            return None;
        }
        let j = self.permutation.index_of(position);
        let count = u128::from(self.shard.count);
        (j % count == u128::from(self.shard.index) - 1).then_some(j / count)
    }
}

/// The iterator behind [`TargetSet::iter_ordered`].
struct Ordered<'a> {
    layout: Layout<'a>,
    permutation: Permutation,
    /// The next sequence number of this shard.
    next: u128,
    /// The shard count: the distance between this shard's sequence numbers.
    step: u128,
    /// How many targets are left to yield.
    remaining: u128,
}

impl Iterator for Ordered<'_> {
    type Item = Target;

    fn next(&mut self) -> Option<Target> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let j = self.next;
        // Past the last item this may wrap; it is not used again.
        self.next = self.next.wrapping_add(self.step);
        Some(self.layout.target_at(self.permutation.at(j)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match usize::try_from(self.remaining) {
            Ok(n) => (n, Some(n)),
            Err(_) => (usize::MAX, None),
        }
    }
}

/// The target space numbered `0..total`: IPv4 intervals, IPv6 intervals, names.
struct Layout<'a> {
    v4: &'a [Interval],
    v6: &'a [Interval],
    names: &'a [String],
    /// The first position of each IPv4 interval, each IPv6 interval and (if there are any)
    /// the names, ascending; saturated at `u128::MAX` past the end of a saturated space.
    starts: Vec<u128>,
    /// How many positions there are: [`TargetSet::len`].
    total: u128,
}

impl<'a> Layout<'a> {
    fn new(set: &'a TargetSet) -> Layout<'a> {
        let (v4, v6, names) = (set.v4.intervals(), set.v6.intervals(), &set.names[..]);
        let names_count = u128::try_from(names.len()).unwrap_or(u128::MAX);
        let counts = v4.iter().chain(v6).map(|i| i.count());
        let counts = counts.chain((names_count > 0).then_some(names_count));
        let mut starts = Vec::with_capacity(v4.len() + v6.len() + 1);
        let mut total = 0u128;
        for count in counts {
            starts.push(total);
            total = total.saturating_add(count);
        }
        Layout {
            v4,
            v6,
            names,
            starts,
            total,
        }
    }

    /// The position of `ip`, if it is a target.
    fn position_of_ip(&self, ip: IpAddr) -> Option<u128> {
        let (intervals, value, first_segment) = match ip {
            IpAddr::V4(a) => (self.v4, u128::from(u32::from(a)), 0),
            IpAddr::V6(a) => (self.v6, u128::from(a), self.v4.len()),
        };
        let at = intervals
            .partition_point(|i| i.start <= value)
            .checked_sub(1)?;
        let interval = intervals[at];
        if value > interval.end {
            return None;
        }
        self.starts
            .get(first_segment + at)?
            .checked_add(value - interval.start)
    }

    /// The target at `position` (`position < total`).
    fn target_at(&self, position: u128) -> Target {
        // Starts are ascending and the first is 0, so `segment` is the last one starting at or
        // before `position`; saturated starts (`u128::MAX`) lie past every position.
        let segment = self.starts.partition_point(|&s| s <= position) - 1;
        let offset = position - self.starts[segment];
        if let Some(interval) = self.v4.get(segment) {
            return v4_target(interval.start + offset);
        }
        if let Some(interval) = self.v6.get(segment - self.v4.len()) {
            return Target::Ip(IpAddr::V6(Ipv6Addr::from(interval.start + offset)));
        }
        let index = usize::try_from(offset).unwrap_or(usize::MAX);
        Target::Name(self.names[index].clone())
    }
}

/// A keyed bijection on `0..len` (see the module documentation).
#[derive(Debug, Clone, Copy)]
struct Permutation {
    len: u128,
    /// `h`: the bits of `hi` (the high part of a position, the low part of a sequence number).
    high_bits: u32,
    /// `l`: the bits of `lo`.
    low_bits: u32,
    keys: Keys,
}

/// The keys of one permutation, all derived from the seed.
#[derive(Debug, Clone, Copy)]
struct Keys {
    sigma: FeistelKeys,
    tau: FeistelKeys,
}

/// The keys of a family of Feistel networks `F[c]`.
#[derive(Debug, Clone, Copy)]
struct FeistelKeys {
    /// Mixed with `c` into the tweak of `F[c]`.
    tweak: u64,
    /// One per round.
    rounds: [u64; ROUNDS],
}

/// Rounds of each Feistel network (four make a good pseudo-random permutation). Even, so
/// that the two parts end with the widths they started with.
const ROUNDS: usize = 4;
const _: () = assert!(ROUNDS.is_multiple_of(2));
/// The golden ratio in 64 bits: the step of the key sequence.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
/// The odd multipliers of [`mix64`].
const MUL: [u64; 2] = [0xD6E8_FEB8_6659_FD93, 0xA3B1_95A5_4C6E_28C5];

impl Permutation {
    fn new(len: u128, seed: u64) -> Permutation {
        let bits = if len <= 1 {
            0
        } else {
            128 - (len - 1).leading_zeros()
        };
        let high_bits = bits.div_ceil(2);
        let mut state = seed;
        let mut key = || {
            state = state.wrapping_add(GAMMA);
            mix64(state)
        };
        let mut family = || FeistelKeys {
            tweak: key(),
            rounds: std::array::from_fn(|_| key()),
        };
        let keys = Keys {
            sigma: family(),
            tau: family(),
        };
        Permutation {
            len,
            high_bits,
            low_bits: bits - high_bits,
            keys,
        }
    }

    /// `π(j)`: the `j`-th position of the order (`j < len`), cycle-walking `P` into `0..len`.
    fn at(&self, j: u128) -> u128 {
        let mut x = self.step(j);
        while x >= self.len {
            x = self.step(x);
        }
        x
    }

    /// `π⁻¹(p)`: the sequence number of position `p` (`p < len`), walking `P⁻¹` back into
    /// `0..len` (see the module documentation for why this inverts [`Permutation::at`]).
    fn index_of(&self, p: u128) -> u128 {
        let mut x = self.step_back(p);
        while x >= self.len {
            x = self.step_back(x);
        }
        x
    }

    /// `P⁻¹(y)`: `jh = τ[hi]⁻¹(lo)`, then `jl = σ[jh]⁻¹(hi)`.
    fn step_back(&self, y: u128) -> u128 {
        let (h, l) = (self.high_bits, self.low_bits);
        let lo = (y & u128::from(mask(l))) as u64;
        let hi = (y >> l) as u64;
        let jh = feistel_inverse(lo, l, hi, &self.keys.tau);
        let jl = feistel_inverse(hi, h, jh, &self.keys.sigma);
        (u128::from(jh) << h) | u128::from(jl)
    }

    /// `P(x)` for `x < 2^k`: a bijection on `0..2^k`.
    fn step(&self, x: u128) -> u128 {
        let (h, l) = (self.high_bits, self.low_bits);
        // Both fit in 64 bits: h and l are at most 64, and x < 2^(h + l).
        let jl = (x & u128::from(mask(h))) as u64;
        let jh = (x >> h) as u64;
        let hi = feistel(jl, h, jh, &self.keys.sigma);
        let lo = feistel(jh, l, hi, &self.keys.tau);
        (u128::from(hi) << l) | u128::from(lo)
    }
}

/// The values below `2^bits` (`bits <= 64`).
fn mask(bits: u32) -> u64 {
    match bits {
        0 => 0,
        64 => u64::MAX,
        _ => (1u64 << bits) - 1,
    }
}

/// `F[c](x)`: a Feistel network on `0..2^bits` (`bits <= 64`, `x < 2^bits`) keyed by `keys`
/// and `c`, a bijection for every `c`.
///
/// `x` is split into a high part `a` of `ceil(bits/2)` bits and a low part `b` of the rest.
/// A round maps `(a, b)` to `(b, a ^ R(b))`, where `R(b)` is `mix64(b ^ tweak ^ round key)`
/// cut to the width of `a`; it is undone by `(a', b') -> (b' ^ R(a'), a')`, so every round,
/// and the network, is a bijection, whatever `R` is. The parts swap widths each round and
/// are back after an even number of rounds. The tweak mixes `c` into all 64 bits fed to `R`,
/// so networks for different `c` are unrelated even on a few bits.
fn feistel(x: u64, bits: u32, c: u64, keys: &FeistelKeys) -> u64 {
    if bits == 0 {
        return 0;
    }
    let tweak = mix64(c ^ keys.tweak);
    let (mut high, mut low) = (bits.div_ceil(2), bits / 2);
    let mut a = x >> low;
    let mut b = x & mask(low);
    for key in keys.rounds {
        let round = mix64(b ^ tweak ^ key) & mask(high);
        (a, b) = (b, a ^ round);
        (high, low) = (low, high);
    }
    (a << low) | b
}

/// `F[c]⁻¹(y)`: undoes [`feistel`], running the rounds backwards.
fn feistel_inverse(y: u64, bits: u32, c: u64, keys: &FeistelKeys) -> u64 {
    if bits == 0 {
        return 0;
    }
    let tweak = mix64(c ^ keys.tweak);
    // After an even number of rounds the parts have their starting widths.
    let (mut high, mut low) = (bits.div_ceil(2), bits / 2);
    let mut a = y >> low;
    let mut b = y & mask(low);
    for key in keys.rounds.iter().rev() {
        // The round made (a, b) from (a0, b0) as (b0, a0 ^ R(b0)), R cut to a0's width,
        // which is b's width now.
        let round = mix64(a ^ tweak ^ key) & mask(low);
        (a, b) = (b ^ round, a);
        (high, low) = (low, high);
    }
    (a << low) | b
}

/// A fixed 64-bit mixing function (a bijection with good avalanche), for keyed hashing.
fn mix64(mut z: u64) -> u64 {
    z ^= z >> 31;
    z = z.wrapping_mul(MUL[0]);
    z ^= z >> 29;
    z = z.wrapping_mul(MUL[1]);
    z ^= z >> 32;
    z
}

#[cfg(test)]
mod tests;
