use std::collections::BTreeSet;
use std::io::Write;

use proptest::prelude::*;

use super::*;

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| s.to_string()).collect()
}

fn set(targets: &[&str], excludes: &[&str]) -> TargetSet {
    TargetSet::build(&strings(targets), &[], &strings(excludes), &[]).expect("valid targets")
}

fn error(targets: &[&str], excludes: &[&str]) -> String {
    match TargetSet::build(&strings(targets), &[], &strings(excludes), &[]) {
        Ok(s) => panic!("expected an error, got {s:?}"),
        Err(TargetError(message)) => message,
    }
}

fn ip(text: &str) -> Target {
    Target::Ip(text.parse().expect("test address"))
}

fn all(set: &TargetSet) -> Vec<Target> {
    let items: Vec<Target> = set.iter().collect();
    assert_eq!(set.len(), items.len() as u128, "len() must match iter()");
    items
}

fn temp_file(contents: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(contents.as_bytes())
        .expect("write temp file");
    file
}

#[test]
fn a_slash_30_yields_four_in_order() {
    let s = set(&["10.0.0.0/30"], &[]);
    let expected: Vec<Target> = ["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"]
        .into_iter()
        .map(ip)
        .collect();
    assert_eq!(all(&s), expected);
}

#[test]
fn overlapping_targets_are_yielded_once() {
    let s = set(&["10.0.0.0/24", "10.0.0.5", "10.0.0.128/25"], &[]);
    let items = all(&s);
    assert_eq!(items.len(), 256);
    let unique: BTreeSet<String> = items.iter().map(Target::to_string).collect();
    assert_eq!(unique.len(), 256);
    assert_eq!(items[0], ip("10.0.0.0"));
    assert_eq!(items[255], ip("10.0.0.255"));
}

#[test]
fn adjacent_networks_merge_into_one_run() {
    let s = set(&["10.0.1.0/24", "10.0.0.0/24"], &[]);
    let items = all(&s);
    assert_eq!(items.len(), 512);
    assert_eq!(items[255], ip("10.0.0.255"));
    assert_eq!(items[256], ip("10.0.1.0"));
}

#[test]
fn excluding_the_lower_half_leaves_the_upper_half() {
    let s = set(&["10.0.0.0/24"], &["10.0.0.0/25"]);
    let items = all(&s);
    assert_eq!(items.len(), 128);
    assert_eq!(items[0], ip("10.0.0.128"));
    assert_eq!(items[127], ip("10.0.0.255"));
}

#[test]
fn excluding_one_address_from_the_middle() {
    let s = set(&["10.0.0.0/29"], &["10.0.0.3"]);
    let expected: Vec<Target> = [0, 1, 2, 4, 5, 6, 7]
        .into_iter()
        .map(|n| ip(&format!("10.0.0.{n}")))
        .collect();
    assert_eq!(all(&s), expected);
}

#[test]
fn excluding_everything_leaves_an_empty_set() {
    let s = set(&["10.0.0.0/24", "fd00::1"], &["0.0.0.0/0", "::/0"]);
    assert!(s.is_empty());
    assert_eq!(s.iter().count(), 0);
    assert!(TargetSet::default().is_empty());
}

#[test]
fn an_ipv6_slash_126_yields_four() {
    let s = set(&["fd00::/126"], &[]);
    let expected: Vec<Target> = ["fd00::", "fd00::1", "fd00::2", "fd00::3"]
        .into_iter()
        .map(ip)
        .collect();
    assert_eq!(all(&s), expected);
}

#[test]
fn mixed_families_and_names_come_v4_v6_names() {
    let s = set(
        &[
            "rdp01.corp.example",
            "fd00::1",
            "10.0.0.2",
            "localhost",
            "10.0.0.1",
        ],
        &[],
    );
    let expected = vec![
        ip("10.0.0.1"),
        ip("10.0.0.2"),
        ip("fd00::1"),
        Target::Name("rdp01.corp.example".into()),
        Target::Name("localhost".into()),
    ];
    assert_eq!(all(&s), expected);
}

#[test]
fn duplicate_names_are_yielded_once() {
    let s = set(
        &["localhost", "rdp01.example", "LOCALHOST", "localhost"],
        &[],
    );
    let expected = vec![
        Target::Name("localhost".into()),
        Target::Name("rdp01.example".into()),
    ];
    assert_eq!(all(&s), expected);
}

#[test]
fn a_slash_8_is_counted_and_walked_without_collecting() {
    let s = set(&["10.0.0.0/8"], &[]);
    assert_eq!(s.len(), 16_777_216);
    let first: Vec<Target> = s.iter().take(3).collect();
    assert_eq!(first, vec![ip("10.0.0.0"), ip("10.0.0.1"), ip("10.0.0.2")]);
    assert_eq!(s.iter().nth(1000), Some(ip("10.0.3.232")));
}

#[test]
fn huge_ipv6_ranges_are_counted_and_walked_without_collecting() {
    let s = set(&["::/64", "10.0.0.0/8"], &[]);
    assert_eq!(s.len(), (1u128 << 64) + 16_777_216);
    let s = set(&["fd00::/64"], &["fd00::/120"]);
    assert_eq!(s.len(), (1u128 << 64) - 256);
    assert_eq!(s.iter().nth(1000), Some(ip("fd00::4e8")));
}

#[test]
fn the_whole_ipv6_space_saturates_len() {
    let s = set(&["::/0"], &[]);
    assert_eq!(s.len(), u128::MAX);
    assert_eq!(s.iter().nth(2), Some(ip("::2")));
    let s = set(&["::/0"], &["::/1"]);
    assert_eq!(s.len(), 1u128 << 127);
    assert_eq!(s.iter().next(), Some(ip("8000::")));
}

#[test]
fn is_excluded_matches_exclude_addresses_only() {
    let s = set(
        &["10.0.0.0/24"],
        &["10.0.0.0/25", "192.0.2.7", "2001:db8::/32"],
    );
    assert!(s.is_excluded("10.0.0.127".parse().expect("ip")));
    assert!(!s.is_excluded("10.0.0.128".parse().expect("ip")));
    assert!(s.is_excluded("192.0.2.7".parse().expect("ip")));
    assert!(!s.is_excluded("192.0.2.8".parse().expect("ip")));
    assert!(s.is_excluded("2001:db8::1".parse().expect("ip")));
    assert!(!s.is_excluded("2001:db9::".parse().expect("ip")));
}

#[test]
fn files_skip_comments_blank_lines_and_whitespace() {
    let targets = temp_file(
        "\u{feff}10.0.0.0/31   # two\r\n# lab hosts\n\n\t192.0.2.1\r\nrdp01.corp.example # a name\n   \n",
    );
    let excludes = temp_file("# keep out\n10.0.0.1 # the router\n");
    let s = TargetSet::build(
        &[],
        &[targets.path().to_path_buf()],
        &[],
        &[excludes.path().to_path_buf()],
    )
    .expect("valid files");
    let expected = vec![
        ip("10.0.0.0"),
        ip("192.0.2.1"),
        Target::Name("rdp01.corp.example".into()),
    ];
    assert_eq!(all(&s), expected);
}

#[test]
fn file_targets_and_command_line_targets_merge() {
    let file = temp_file("10.0.0.1\nlocalhost\n");
    let s = TargetSet::build(
        &strings(&["10.0.0.0/30", "localhost"]),
        &[file.path().to_path_buf()],
        &[],
        &[],
    )
    .expect("valid");
    assert_eq!(s.len(), 5);
}

#[test]
fn an_unreadable_file_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.txt");
    let err =
        TargetSet::build(&[], std::slice::from_ref(&missing), &[], &[]).expect_err("missing file");
    let prefix = format!("cannot read target file \"{}\": ", missing.display());
    assert!(err.0.starts_with(&prefix), "{}", err.0);
    assert!(
        err.0.len() > prefix.len(),
        "the io error follows: {}",
        err.0
    );

    let err =
        TargetSet::build(&[], &[], &[], std::slice::from_ref(&missing)).expect_err("missing file");
    let prefix = format!("cannot read exclude file \"{}\": ", missing.display());
    assert!(err.0.starts_with(&prefix), "{}", err.0);
}

#[test]
fn a_line_that_is_not_utf8_is_named_by_file_and_line() {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    std::io::Write::write_all(&mut file, b"10.0.0.1\r\n10.0.0.\xff2\n").expect("write");
    let err = TargetSet::build(&[], &[file.path().to_path_buf()], &[], &[]).expect_err("bad line");
    let expected = format!("{}:2: not UTF-8 text", file.path().display());
    assert!(err.0.starts_with(&expected), "{}", err.0);
}

#[test]
fn ranges_in_files_merge_with_cidrs() {
    let file = temp_file("10.0.0.250-10.0.1.5\n10.0.1.0/30\n");
    let set = TargetSet::build(&[], &[file.path().to_path_buf()], &[], &[]).expect("targets");
    assert_eq!(set.len(), 12);
}

#[test]
fn a_bad_line_reports_file_and_line() {
    let file = temp_file("# header\n10.0.0.1\n\n10.0.0.0/33 # typo\n");
    let err = TargetSet::build(&[], &[file.path().to_path_buf()], &[], &[]).expect_err("bad line");
    let expected = format!(
        "{}:4: invalid target \"10.0.0.0/33\": prefix length 33 is over 32",
        file.path().display()
    );
    assert_eq!(err.0, expected);
}

#[test]
fn a_name_in_an_exclude_file_reports_file_and_line() {
    let file = temp_file("10.0.0.1\nrdp01.corp.example\n");
    let err = TargetSet::build(
        &strings(&["10.0.0.0/24"]),
        &[],
        &[],
        &[file.path().to_path_buf()],
    )
    .expect_err("name in excludes");
    let expected = format!(
        "{}:2: invalid exclude \"rdp01.corp.example\": \
         excludes must be addresses or CIDRs, not host names",
        file.path().display()
    );
    assert_eq!(err.0, expected);
}

#[test]
fn bad_values_are_named_in_errors() {
    let cases = [
        (
            "10.0.0.0/33",
            "invalid target \"10.0.0.0/33\": prefix length 33 is over 32",
        ),
        (
            "1.2.3.4/",
            "invalid target \"1.2.3.4/\": missing prefix length after \"/\"",
        ),
        (
            "fd00::/129",
            "invalid target \"fd00::/129\": prefix length 129 is over 128",
        ),
        (
            "300.1.1.1",
            "invalid target \"300.1.1.1\": not a valid IPv4 address",
        ),
        ("", "invalid target \"\": empty"),
        (
            "-x",
            "invalid target \"-x\": not an address, CIDR or host name",
        ),
    ];
    for (value, expected) in cases {
        assert_eq!(error(&[value], &[]), expected, "{value:?}");
    }
}

#[test]
fn a_name_in_an_exclude_is_an_error() {
    assert_eq!(
        error(&["10.0.0.0/24"], &["localhost"]),
        "invalid exclude \"localhost\": excludes must be addresses or CIDRs, not host names"
    );
    assert_eq!(
        error(&["10.0.0.0/24"], &["10.0.0.0/40"]),
        "invalid exclude \"10.0.0.0/40\": prefix length 40 is over 32"
    );
}

#[test]
fn targets_display_as_given() {
    assert_eq!(ip("fd00::1").to_string(), "fd00::1");
    assert_eq!(Target::Name("localhost".into()).to_string(), "localhost");
}

/// A CIDR inside 10.0.0.0/16 with a prefix of 24 or more, as text; the third octet is
/// usually small so that values overlap and touch often.
fn small_cidr() -> impl Strategy<Value = String> {
    let third = prop_oneof![3 => 0u8..4, 1 => any::<u8>()];
    (third, any::<u8>(), 24u32..=32).prop_map(|(c, d, p)| format!("10.0.{c}.{d}/{p}"))
}

/// The addresses of a CIDR, collected (fine for a /24 or smaller).
fn naive_expand(cidr: &str) -> Vec<u32> {
    let (addr, prefix) = cidr.split_once('/').expect("cidr");
    let addr = u32::from(addr.parse::<Ipv4Addr>().expect("address"));
    let prefix: u32 = prefix.parse().expect("prefix");
    let size = 1u32 << (32 - prefix);
    let start = addr & !(size - 1);
    (start..start + size).collect()
}

proptest! {
    #[test]
    fn matches_naive_set_semantics(
        includes in prop::collection::vec(small_cidr(), 0..6),
        excludes in prop::collection::vec(small_cidr(), 0..4),
    ) {
        let mut expected: BTreeSet<u32> = includes.iter().flat_map(|c| naive_expand(c)).collect();
        for cidr in &excludes {
            for a in naive_expand(cidr) {
                expected.remove(&a);
            }
        }
        let s = TargetSet::build(&includes, &[], &excludes, &[]).expect("valid cidrs");
        let got: Vec<Target> = s.iter().collect();
        let want: Vec<Target> = expected
            .iter()
            .map(|&a| Target::Ip(IpAddr::V4(Ipv4Addr::from(a))))
            .collect();
        prop_assert_eq!(s.len(), want.len() as u128);
        prop_assert_eq!(got, want);
    }
}

#[test]
fn the_fingerprint_changes_with_the_targets_and_excludes_only() {
    let base = set(&["10.0.0.0/24", "Host-A"], &["10.0.0.5"]);
    // The same set written differently.
    let same = set(
        &["10.0.0.0/25", "10.0.0.128/25", "host-a"],
        &["10.0.0.5/32"],
    );
    assert_eq!(base.fingerprint(), same.fingerprint());
    for other in [
        set(&["10.0.0.0/24", "Host-A"], &[]),
        set(&["10.0.0.0/24", "Host-A"], &["10.0.0.6"]),
        set(&["10.0.0.0/23", "Host-A"], &["10.0.0.5"]),
        set(&["10.0.0.0/24"], &["10.0.0.5"]),
        set(&["10.0.0.0/24", "Host-A", "fd00::1"], &["10.0.0.5"]),
    ] {
        assert_ne!(base.fingerprint(), other.fingerprint());
    }
    assert_eq!(base.fingerprint().len(), 64);
}
