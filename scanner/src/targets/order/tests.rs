use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| s.to_string()).collect()
}

fn set(targets: &[&str], excludes: &[&str]) -> TargetSet {
    TargetSet::build(&strings(targets), &[], &strings(excludes), &[]).expect("valid targets")
}

fn ip(text: &str) -> Target {
    Target::Ip(text.parse().expect("test address"))
}

fn order(seed: u64, index: u32, count: u32) -> Order {
    Order {
        seed,
        shard: Shard::new(index, count).expect("valid shard"),
    }
}

/// A sort key: IPv4 by number, then IPv6 by number, then names.
fn key(target: &Target) -> (u8, u128, String) {
    match target {
        Target::Ip(IpAddr::V4(a)) => (0, u128::from(u32::from(*a)), String::new()),
        Target::Ip(IpAddr::V6(a)) => (1, u128::from(*a), String::new()),
        Target::Name(name) => (2, 0, name.clone()),
    }
}

fn sorted(mut targets: Vec<Target>) -> Vec<Target> {
    targets.sort_by_key(key);
    targets
}

fn assert_distinct(targets: &[Target]) {
    let unique: BTreeSet<(u8, u128, String)> = targets.iter().map(key).collect();
    assert_eq!(unique.len(), targets.len(), "a target was repeated");
}

/// Sets of 0, 1, 2, 3, 7, 256, 1000 and 4099 targets, mixing IPv4 ranges, IPv6 ranges,
/// names and excludes.
fn sized_sets() -> Vec<(u128, TargetSet)> {
    vec![
        (0, set(&[], &[])),
        (0, set(&["10.0.0.0/30"], &["10.0.0.0/30"])),
        (1, set(&["fd00::1"], &[])),
        (1, set(&["host-a"], &[])),
        (2, set(&["10.0.0.1", "host-a"], &[])),
        (3, set(&["10.0.0.1", "fd00::1", "host-a"], &[])),
        (7, set(&["10.0.0.0/30", "fd00::/127", "host-a"], &[])),
        (
            256,
            set(
                &[
                    "10.0.0.0/25",
                    "fd00::/122",
                    "10.9.0.0/26",
                    "a.example",
                    "b.example",
                    "c.example",
                    "d.example",
                ],
                &["10.9.0.0/30"],
            ),
        ),
        (
            1000,
            set(
                &["10.0.0.0/22", "fd00::/125", "w", "x", "y", "z"],
                &["10.0.0.0/27", "10.0.1.0/30"],
            ),
        ),
        (
            4099,
            set(&["10.0.0.0/20", "fd00::1", "a.example", "b.example"], &[]),
        ),
    ]
}

const SEEDS: [u64; 4] = [0, 1, 0x5EED, u64::MAX];

#[test]
fn the_order_holds_every_target_once() {
    for (size, s) in sized_sets() {
        assert_eq!(s.len(), size);
        let expected: Vec<Target> = s.iter().collect();
        for seed in SEEDS {
            let got: Vec<Target> = s.iter_ordered(&order(seed, 1, 1)).collect();
            assert_eq!(got.len() as u128, size, "size {size}, seed {seed}");
            assert_distinct(&got);
            assert_eq!(sorted(got), sorted(expected.clone()), "size {size}");
        }
    }
}

#[test]
fn shards_partition_the_order() {
    for (size, s) in sized_sets() {
        for seed in SEEDS {
            let whole: Vec<Target> = s.iter_ordered(&order(seed, 1, 1)).collect();
            for count in [1u32, 2, 3, 7] {
                let shards: Vec<Vec<Target>> = (1..=count)
                    .map(|index| s.iter_ordered(&order(seed, index, count)).collect())
                    .collect();
                for (i, shard) in shards.iter().enumerate() {
                    let index = i as u32 + 1;
                    let len = s.len_in(&Shard::new(index, count).expect("shard"));
                    assert_eq!(len, shard.len() as u128, "len_in {index}/{count}");
                    assert!(size / u128::from(count) <= len);
                    assert!(len <= size.div_ceil(u128::from(count)));
                    // Shard I/N holds the targets at I-1, I-1+N, … of the whole order.
                    let expected: Vec<Target> = whole
                        .iter()
                        .skip(i)
                        .step_by(count as usize)
                        .cloned()
                        .collect();
                    assert_eq!(shard, &expected, "shard {index}/{count} of size {size}");
                }
                let union: Vec<Target> = shards.into_iter().flatten().collect();
                assert_distinct(&union);
                assert_eq!(sorted(union), sorted(s.iter().collect()), "{count} shards");
            }
        }
    }
}

#[test]
fn the_permutation_is_a_bijection_for_every_small_length() {
    for len in (0u128..=300).chain([511, 512, 513, 1023, 1025, 4099]) {
        for seed in SEEDS {
            let p = Permutation::new(len, seed);
            let mut seen = vec![false; len as usize];
            for j in 0..len {
                let x = p.at(j);
                assert!(x < len, "len {len}: {x} out of range");
                assert!(!seen[x as usize], "len {len}, seed {seed}: {x} twice");
                seen[x as usize] = true;
            }
        }
    }
}

#[test]
fn the_bijection_before_walking_covers_its_power_of_two() {
    for bits in 0..=12u32 {
        let p = Permutation::new(1u128 << bits, 3);
        let image: BTreeSet<u128> = (0..1u128 << bits).map(|x| p.step(x)).collect();
        assert_eq!(image, (0..1u128 << bits).collect(), "{bits} bits");
    }
}

#[test]
fn the_same_seed_gives_the_same_order_and_others_differ() {
    let s = set(
        &["10.0.0.0/22", "fd00::/125", "w", "x", "y", "z"],
        &["10.0.0.0/27", "10.0.1.0/30"],
    );
    assert_eq!(s.len(), 1000);
    let run = |seed| s.iter_ordered(&order(seed, 1, 1)).collect::<Vec<Target>>();
    assert_eq!(run(7), run(7));
    assert_ne!(run(1), run(2));
    assert_ne!(run(0), run(1));
    assert_ne!(run(0), s.iter().collect::<Vec<_>>());
    let firsts: BTreeSet<String> = (0..20).map(|seed| run(seed)[0].to_string()).collect();
    assert!(
        firsts.len() >= 15,
        "seeds should start in different places: {firsts:?}"
    );
}

/// The order is part of the contract between the shards of one sweep (which may run
/// different builds on different machines): it must not change by accident.
#[test]
fn the_order_is_pinned() {
    let first = |targets: &[&str], seed: u64| -> Vec<String> {
        set(targets, &[])
            .iter_ordered(&order(seed, 1, 1))
            .take(3)
            .map(|t| t.to_string())
            .collect()
    };
    assert_eq!(
        first(&["10.0.0.0/16"], 1),
        ["10.0.109.192", "10.0.118.152", "10.0.141.33"]
    );
    assert_eq!(
        first(&["10.0.0.0/16"], 0),
        ["10.0.128.84", "10.0.219.110", "10.0.53.244"]
    );
    assert_eq!(
        first(&["fd00::/63", "a.example"], 3),
        [
            "fd00::1:29f9:4a73:4456:6830",
            "fd00::7ea5:9102:7db0:82c",
            "fd00::587b:ea43:4ed6:d047"
        ]
    );
}

/// The /24 of an IPv4 target.
fn slash_24(target: &Target) -> u32 {
    match target {
        Target::Ip(IpAddr::V4(a)) => u32::from(*a) >> 8,
        other => panic!("not IPv4: {other}"),
    }
}

#[test]
fn consecutive_probes_land_on_different_subnets() {
    let s = set(&["10.0.0.0/16"], &[]);
    let first: Vec<u32> = s
        .iter_ordered(&order(1, 1, 1))
        .take(256)
        .map(|t| slash_24(&t))
        .collect();
    let distinct: BTreeSet<u32> = first.iter().copied().collect();
    assert!(distinct.len() >= 200, "{} distinct /24s", distinct.len());
}

#[test]
fn probes_spread_when_the_space_is_not_a_power_of_two() {
    // 61,440 addresses: the domain is 2^16 and a sixteenth of it is walked.
    let s = set(&["10.0.0.0/16"], &["10.0.240.0/20"]);
    for seed in SEEDS {
        let all: Vec<u32> = s
            .iter_ordered(&order(seed, 1, 1))
            .map(|t| slash_24(&t))
            .collect();
        let distinct: BTreeSet<u32> = all[..256].iter().copied().collect();
        assert!(distinct.len() >= 200, "{} distinct /24s", distinct.len());
        let same = all.windows(2).filter(|w| w[0] == w[1]).count();
        assert!(
            same < all.len() / 200,
            "{same} consecutive probes in one /24"
        );
    }
}

#[test]
fn a_slash_64_is_ordered_without_materialising_it() {
    let s = set(&["fd00::/64"], &[]);
    assert_eq!(s.len(), 1u128 << 64);
    let started = Instant::now();
    for o in [order(0, 1, 1), order(9, 3, 7)] {
        let first: Vec<Target> = s.iter_ordered(&o).take(1000).collect();
        assert_eq!(first.len(), 1000);
        assert_distinct(&first);
        for t in &first {
            let Target::Ip(IpAddr::V6(a)) = t else {
                panic!("not IPv6: {t}")
            };
            assert_eq!(
                u128::from(*a) >> 64,
                0xfd00_u128 << 48,
                "{a} outside fd00::/64"
            );
        }
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(
        s.len_in(&Shard::new(3, 7).expect("shard")),
        (1u128 << 64) / 7
    );
    assert_eq!(
        s.len_in(&Shard::new(1, 7).expect("shard")),
        (1u128 << 64) / 7 + 1
    );
}

#[test]
fn a_space_just_past_two_to_the_64_is_ordered() {
    let s = set(&["::/64", "10.0.0.0/30", "host-a"], &[]);
    assert_eq!(s.len(), (1u128 << 64) + 5);
    let first: Vec<Target> = s.iter_ordered(&order(5, 1, 1)).take(1000).collect();
    assert_distinct(&first);
    let p = Permutation::new(s.len(), 5);
    assert_eq!(p.high_bits + p.low_bits, 65);
    for j in [0, 1, s.len() - 1, s.len() / 2] {
        assert!(p.at(j) < s.len());
    }
}

#[test]
fn the_whole_ipv6_space_is_ordered_over_its_first_two_to_the_128_minus_one() {
    let s = set(&["::/0"], &[]);
    assert_eq!(s.len_in(&Shard::all()), u128::MAX);
    let thirds: u128 = (1..=3)
        .map(|i| s.len_in(&Shard::new(i, 3).expect("shard")))
        .sum();
    assert_eq!(thirds, u128::MAX);
    let first: Vec<Target> = s.iter_ordered(&order(0, 2, 3)).take(1000).collect();
    assert_eq!(first.len(), 1000);
    assert_distinct(&first);
    let layout = Layout::new(&s);
    assert_eq!(
        layout.target_at(u128::MAX - 1),
        ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")
    );
    let p = Permutation::new(u128::MAX, 0);
    assert_eq!((p.high_bits, p.low_bits), (64, 64));
    for j in [0, u128::MAX - 1, u128::MAX / 2] {
        assert!(p.at(j) < u128::MAX);
    }
    // Beside ::/0, IPv4 targets are still reachable (names sit past the last position).
    let s = set(&["::/0", "10.0.0.0/30", "host-a"], &[]);
    let layout = Layout::new(&s);
    assert_eq!(layout.total, u128::MAX);
    assert_eq!(layout.target_at(3), ip("10.0.0.3"));
    assert_eq!(layout.target_at(4), ip("::"));
    assert_eq!(
        layout.target_at(u128::MAX - 1),
        ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffa")
    );
}

#[test]
fn positions_map_to_targets_across_intervals_and_names() {
    let s = set(&["10.0.0.8/30", "10.0.0.0/31", "fd00::/127", "b", "a"], &[]);
    let layout = Layout::new(&s);
    let all: Vec<Target> = (0..layout.total).map(|p| layout.target_at(p)).collect();
    assert_eq!(all, s.iter().collect::<Vec<_>>());
}

#[test]
fn an_empty_or_invalid_shard_yields_nothing() {
    let s = set(&["10.0.0.0/30"], &[]);
    assert_eq!(s.iter_ordered(&order(0, 7, 7)).count(), 0);
    assert_eq!(s.len_in(&Shard::new(7, 7).expect("shard")), 0);
    for shard in [Shard { index: 0, count: 0 }, Shard { index: 3, count: 2 }] {
        let o = Order { seed: 0, shard };
        assert_eq!(s.iter_ordered(&o).count(), 0);
        assert_eq!(s.len_in(&shard), 0);
    }
}

#[test]
fn size_hint_is_exact() {
    let s = set(&["10.0.0.0/24"], &[]);
    let mut it = s.iter_ordered(&order(0, 2, 3));
    assert_eq!(it.size_hint(), (85, Some(85)));
    it.next();
    assert_eq!(it.size_hint(), (84, Some(84)));
}

fn shard_error(text: &str) -> String {
    match text.parse::<Shard>() {
        Ok(shard) => panic!("expected an error for {text:?}, got {shard}"),
        Err(TargetError(message)) => message,
    }
}

#[test]
fn shards_parse_and_display() {
    assert_eq!(
        "2/4".parse::<Shard>().expect("2/4"),
        Shard { index: 2, count: 4 }
    );
    assert_eq!(" 1/1 ".parse::<Shard>().expect("1/1"), Shard::all());
    assert_eq!(Shard::default(), Shard::all());
    assert_eq!(Shard { index: 3, count: 7 }.to_string(), "3/7");
    let max = format!("{0}/{0}", u32::MAX);
    assert_eq!(max.parse::<Shard>().expect("max").to_string(), max);
    assert_eq!(Order::default().shard, Shard::all());
}

#[test]
fn bad_shards_are_named_in_errors() {
    assert_eq!(
        shard_error("5/4"),
        r#"shard "5/4": index must be between 1 and 4"#
    );
    assert_eq!(
        shard_error("0/3"),
        r#"shard "0/3": index must be between 1 and 3"#
    );
    assert_eq!(
        shard_error("1/0"),
        r#"shard "1/0": the shard count must be at least 1"#
    );
    for text in [
        "x",
        "",
        "1",
        "1/",
        "/4",
        "-1/4",
        "+1/4",
        "1/2/3",
        "1.0/2",
        "4294967296/1",
    ] {
        let message = shard_error(text);
        assert!(
            message.starts_with(&format!("shard {:?}: expected I/N", text)),
            "{message}"
        );
    }
    let Err(TargetError(message)) = Shard::new(3, 2) else {
        panic!("3/2 accepted")
    };
    assert_eq!(message, r#"shard "3/2": index must be between 1 and 2"#);
}

/// A CIDR inside 10.0.0.0/16 with a prefix of 24 or more, or inside fd00::/112 with a prefix
/// of 120 or more, or one of a few names.
fn small_target() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u8..4, any::<u8>(), 24u32..=32).prop_map(|(c, d, p)| format!("10.0.{c}.{d}/{p}")),
        1 => (any::<u8>(), 120u32..=128).prop_map(|(d, p)| format!("fd00::{d:x}/{p}")),
        1 => prop::sample::select(vec!["a", "b.example", "C.example", "c.EXAMPLE"])
            .prop_map(str::to_string),
    ]
}

fn small_exclude() -> impl Strategy<Value = String> {
    (0u8..4, any::<u8>(), 24u32..=32).prop_map(|(c, d, p)| format!("10.0.{c}.{d}/{p}"))
}

proptest! {
    #[test]
    fn shards_of_random_sets_cover_every_target_once(
        includes in prop::collection::vec(small_target(), 0..6),
        excludes in prop::collection::vec(small_exclude(), 0..3),
        seed in any::<u64>(),
        count in 1u32..=8,
    ) {
        let s = TargetSet::build(&includes, &[], &excludes, &[]).expect("valid targets");
        let mut union = Vec::new();
        for index in 1..=count {
            let o = order(seed, index, count);
            let shard: Vec<Target> = s.iter_ordered(&o).collect();
            prop_assert_eq!(shard.len() as u128, s.len_in(&o.shard));
            union.extend(shard);
        }
        assert_distinct(&union);
        prop_assert_eq!(sorted(union), sorted(s.iter().collect()));
    }
}

#[test]
fn the_sequence_inverts_the_order_in_every_shard() {
    for (size, s) in sized_sets() {
        for seed in SEEDS {
            for count in [1, 3] {
                for index in 1..=count {
                    let o = order(seed, index, count);
                    let sequence = s.sequence(&o);
                    for (k, target) in s.iter_ordered(&o).enumerate() {
                        assert_eq!(
                            sequence.index_of(&target),
                            Some(k as u128),
                            "size {size}, seed {seed}, shard {index}/{count}, {target}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn the_sequence_places_targets_of_other_shards_and_strangers_nowhere() {
    let s = set(&["10.0.0.0/28", "fd00::/126", "Host-A"], &["10.0.0.3"]);
    let whole = s.sequence(&order(7, 1, 1));
    for stranger in [
        ip("10.0.0.3"),
        ip("10.0.0.16"),
        ip("fd00::4"),
        ip("9.255.255.255"),
    ] {
        assert_eq!(whole.index_of(&stranger), None, "{stranger}");
    }
    assert_eq!(whole.index_of(&Target::Name("nobody".into())), None);
    // Names match as the set keeps them: case-insensitively.
    assert!(whole.index_of(&Target::Name("host-a".into())).is_some());
    let first = s.sequence(&order(7, 1, 2));
    let second = s.sequence(&order(7, 2, 2));
    for target in s.iter() {
        let in_first = first.index_of(&target).is_some();
        let in_second = second.index_of(&target).is_some();
        assert!(
            in_first != in_second,
            "{target} must be in exactly one shard"
        );
    }
}

#[test]
fn the_permutation_inverse_undoes_it_for_every_small_length() {
    for len in 1..=300u128 {
        for seed in [0, 9] {
            let p = Permutation::new(len, seed);
            for j in 0..len {
                assert_eq!(p.index_of(p.at(j)), j, "len {len}, seed {seed}");
            }
        }
    }
    // And far up the IPv6 space.
    let p = Permutation::new(u128::MAX, 3);
    for j in [0, 1, 1 << 64, u128::MAX - 1] {
        assert_eq!(p.index_of(p.at(j)), j);
    }
}

#[test]
fn resuming_from_k_yields_the_rest_of_the_order() {
    for (size, s) in sized_sets() {
        let o = order(5, 2, 3);
        let all: Vec<Target> = s.iter_ordered(&o).collect();
        for skip in [0, 1, all.len() / 2, all.len(), all.len() + 5] {
            let rest: Vec<Target> = s.iter_ordered_from(&o, skip as u128).collect();
            assert_eq!(rest, all[skip.min(all.len())..], "size {size}, skip {skip}");
        }
    }
}
