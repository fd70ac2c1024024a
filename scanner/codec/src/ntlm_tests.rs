//! NTLM fixtures: the MS-NLMP 4.2.4.3 CHALLENGE_MESSAGE one field a line, the scanner's
//! NEGOTIATE, hostile offsets and lengths, round trips and the no-panic property.

use proptest::prelude::*;

use super::ntlm::*;
use super::CodecError;

/// MS-NLMP 4.2.4.3: the NTLMv2 example CHALLENGE_MESSAGE (104 bytes).
const SPEC_CHALLENGE: [u8; 104] = [
    0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, // Signature "NTLMSSP\0"
    0x02, 0x00, 0x00, 0x00, // MessageType CHALLENGE
    0x0c, 0x00, 0x0c, 0x00, 0x38, 0x00, 0x00, 0x00, // TargetNameFields: 12 bytes at 56
    0x33, 0x82, 0x8a, 0xe2, // NegotiateFlags 0xe28a8233
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, // ServerChallenge
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // Reserved
    0x24, 0x00, 0x24, 0x00, 0x44, 0x00, 0x00, 0x00, // TargetInfoFields: 36 bytes at 68
    0x06, 0x00, 0x70, 0x17, 0x00, 0x00, 0x00, 0x0f, // Version 6.0 build 6000, revision 15
    0x53, 0x00, 0x65, 0x00, 0x72, 0x00, 0x76, 0x00, 0x65, 0x00, 0x72,
    0x00, // TargetName "Server"
    0x02, 0x00, 0x0c, 0x00, // AV_PAIR MsvAvNbDomainName, 12 bytes
    0x44, 0x00, 0x6f, 0x00, 0x6d, 0x00, 0x61, 0x00, 0x69, 0x00, 0x6e, 0x00, // "Domain"
    0x01, 0x00, 0x0c, 0x00, // AV_PAIR MsvAvNbComputerName, 12 bytes
    0x53, 0x00, 0x65, 0x00, 0x72, 0x00, 0x76, 0x00, 0x65, 0x00, 0x72, 0x00, // "Server"
    0x00, 0x00, 0x00, 0x00, // AV_PAIR MsvAvEOL
];

fn spec_challenge() -> Challenge {
    Challenge {
        flags: NegotiateFlags::from_bits_retain(0xe28a_8233),
        server_challenge: [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef],
        target_name: Some("Server".into()),
        nb_computer_name: Some("Server".into()),
        nb_domain_name: Some("Domain".into()),
        version: Some(NtlmVersion {
            major: 6,
            minor: 0,
            build: 6000,
            revision: 15,
        }),
        ..Challenge::default()
    }
}

/// A Windows Server 2022-like challenge with every field this codec reads.
fn full_challenge() -> Challenge {
    Challenge {
        flags: NegotiateFlags::from_bits_retain(0xe28a_8235),
        server_challenge: [9, 8, 7, 6, 5, 4, 3, 2],
        target_name: Some("CORP".into()),
        nb_computer_name: Some("RDS01".into()),
        nb_domain_name: Some("CORP".into()),
        dns_computer_name: Some("rds01.corp.example".into()),
        dns_domain_name: Some("corp.example".into()),
        dns_tree_name: Some("example".into()),
        timestamp: Some(unix_to_filetime(1_714_564_800)),
        version: Some(NtlmVersion {
            major: 10,
            minor: 0,
            build: 20348,
            revision: 15,
        }),
    }
}

#[test]
fn spec_challenge_decodes() {
    let c = Challenge::decode(&SPEC_CHALLENGE).unwrap();
    assert_eq!(c, spec_challenge());
    assert_eq!(c.version.unwrap().to_string(), "6.0.6000");
    assert_eq!(c.unix_time(), None);
}

#[test]
fn challenge_encodes_as_spec_example() {
    assert_eq!(spec_challenge().encode(), SPEC_CHALLENGE);
}

#[test]
fn negotiate_asks_for_target_info_and_version_and_carries_no_credentials() {
    let expected: [u8; 40] = [
        0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, // Signature "NTLMSSP\0"
        0x01, 0x00, 0x00, 0x00, // MessageType NEGOTIATE
        0x05, 0x82, 0x88, 0xe2, // NegotiateFlags 0xe2888205
        0x00, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, // DomainNameFields: empty
        0x00, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, // WorkstationFields: empty
        0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, // Version 10.0.0, revision 15
    ];
    assert_eq!(encode_negotiate(), expected);
    let flags = decode_negotiate(&expected).unwrap();
    for bit in [
        NegotiateFlags::UNICODE,
        NegotiateFlags::REQUEST_TARGET,
        NegotiateFlags::NTLM,
        NegotiateFlags::ALWAYS_SIGN,
        NegotiateFlags::EXTENDED_SESSIONSECURITY,
        NegotiateFlags::TARGET_INFO,
        NegotiateFlags::VERSION,
        NegotiateFlags::NEGOTIATE_128,
        NegotiateFlags::NEGOTIATE_56,
        NegotiateFlags::KEY_EXCH,
    ] {
        assert!(flags.contains(bit), "{bit:?}");
    }
    assert_eq!(
        decode_negotiate(&SPEC_CHALLENGE),
        Err(CodecError::WrongNtlmMessageType(2))
    );
}

#[test]
fn full_challenge_round_trips() {
    let c = full_challenge();
    let decoded = Challenge::decode(&c.encode()).unwrap();
    let set_by_encode = NegotiateFlags::TARGET_INFO | NegotiateFlags::VERSION;
    assert_eq!(
        decoded.flags.difference(set_by_encode),
        c.flags.difference(set_by_encode)
    );
    assert!(decoded.flags.contains(set_by_encode));
    assert_eq!(
        Challenge {
            flags: c.flags,
            ..decoded.clone()
        },
        c
    );
    assert_eq!(decoded.unix_time(), Some(1_714_564_800));
    assert_eq!(
        filetime_rfc3339(decoded.timestamp.unwrap()).as_deref(),
        Some("2024-05-01T12:00:00Z")
    );
    assert_eq!(decoded.version.unwrap().to_string(), "10.0.20348");
}

#[test]
fn filetime_conversions() {
    assert_eq!(filetime_to_unix(116_444_736_000_000_000), 0);
    assert_eq!(unix_to_filetime(0), 116_444_736_000_000_000);
    assert_eq!(filetime_to_unix(0), -11_644_473_600);
    assert_eq!(filetime_rfc3339(0).as_deref(), Some("1601-01-01T00:00:00Z"));
    assert_eq!(filetime_rfc3339(u64::MAX), None, "past year 9999");
    assert_eq!(unix_to_filetime(-20_000_000_000), 0);

    use std::time::{Duration, UNIX_EPOCH};
    assert_eq!(system_to_filetime(UNIX_EPOCH), 116_444_736_000_000_000);
    // Sub-second precision is kept (100 ns units), unlike the whole seconds above.
    let t = UNIX_EPOCH + Duration::new(1_714_564_800, 250_000_000);
    assert_eq!(
        system_to_filetime(t),
        unix_to_filetime(1_714_564_800) + 2_500_000
    );
    assert_eq!(
        system_to_filetime(UNIX_EPOCH - Duration::from_nanos(300)),
        116_444_735_999_999_997
    );
    assert_eq!(
        system_to_filetime(UNIX_EPOCH - Duration::from_secs(20_000_000_000)),
        0
    );
}

#[test]
fn version_absent_without_the_flag_or_when_payload_starts_at_48() {
    let mut c = spec_challenge();
    c.version = None;
    let mut msg = c.encode();
    assert!(!NegotiateFlags::from_bits_retain(u32::from_le_bytes([
        msg[20], msg[21], msg[22], msg[23]
    ]))
    .contains(NegotiateFlags::VERSION));
    assert_eq!(Challenge::decode(&msg).unwrap().version, None);
    // An old server: VERSION flag echoed, but the payload starts at 48 (no Version field).
    msg.drain(48..56);
    msg[16..20].copy_from_slice(&48u32.to_le_bytes()); // TargetName offset
    msg[44..48].copy_from_slice(&60u32.to_le_bytes()); // TargetInfo offset
    msg[20..24].copy_from_slice(&0xe28a_8233u32.to_le_bytes());
    let old = Challenge::decode(&msg).unwrap();
    assert_eq!(old.version, None);
    assert_eq!(old.nb_domain_name.as_deref(), Some("Domain"));
}

#[test]
fn oem_target_name() {
    let mut msg = SPEC_CHALLENGE;
    msg[20] &= !0x01; // clear NEGOTIATE_UNICODE
    let c = Challenge::decode(&msg).unwrap();
    assert_eq!(c.target_name.as_deref(), Some("S\0e\0r\0v\0e\0r\0"));
    assert_eq!(
        c.nb_computer_name.as_deref(),
        Some("Server"),
        "AV pairs are always UTF-16"
    );
}

#[test]
fn hostile_challenges_are_classified() {
    let mut out_of_bounds = SPEC_CHALLENGE;
    out_of_bounds[44] = 0x50; // TargetInfo offset 80: 80 + 36 > 104
    assert_eq!(
        Challenge::decode(&out_of_bounds),
        Err(CodecError::NtlmOutOfBounds {
            field: "target info",
            offset: 0x50,
            len: 36
        })
    );
    let mut huge_offset = SPEC_CHALLENGE;
    huge_offset[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        Challenge::decode(&huge_offset),
        Err(CodecError::NtlmOutOfBounds {
            field: "target name",
            ..
        })
    ));
    let mut into_header = SPEC_CHALLENGE;
    into_header[16] = 0x08; // TargetName offset 8: inside the header
    assert!(matches!(
        Challenge::decode(&into_header),
        Err(CodecError::NtlmOutOfBounds { .. })
    ));
    // An odd AvLen that is wrong: the walk goes on at the wrong place and soon runs past
    // TargetInfo, so nothing of TargetInfo is trusted.
    let mut odd_av = SPEC_CHALLENGE;
    odd_av[70] = 0x0b; // MsvAvNbDomainName length 11
    assert_eq!(
        Challenge::decode(&odd_av),
        Err(CodecError::AvPairOutOfBounds {
            av_id: 0x0100,
            len: 0x0c00
        })
    );
    let mut long_av = SPEC_CHALLENGE;
    long_av[70] = 0x40; // MsvAvNbDomainName length 64: past TargetInfo
    assert_eq!(
        Challenge::decode(&long_av),
        Err(CodecError::AvPairOutOfBounds { av_id: 2, len: 64 })
    );
    let mut cut_header = SPEC_CHALLENGE;
    cut_header[40] = 0x22; // TargetInfo length 34: 2 bytes of the EOL's header
    assert_eq!(
        Challenge::decode(&cut_header),
        Err(CodecError::AvHeaderCut { left: 2 })
    );
    let mut bad_signature = SPEC_CHALLENGE;
    bad_signature[0] = b'X';
    assert_eq!(Challenge::decode(&bad_signature), Err(CodecError::NotNtlm));
    assert_eq!(
        Challenge::decode(&SPEC_CHALLENGE[..47]),
        Err(CodecError::NtlmTruncated { need: 48, got: 47 })
    );
    assert_eq!(
        Challenge::decode(&encode_negotiate()),
        Err(CodecError::WrongNtlmMessageType(1))
    );
}

#[test]
fn a_timestamp_not_eight_bytes_is_left_out_and_reported() {
    let mut msg = Challenge {
        timestamp: Some(1),
        ..spec_challenge()
    }
    .encode();
    let at = msg.len() - 4 - 12; // AV_PAIR MsvAvTimestamp header
    assert_eq!(msg[at], 7);
    // AvLen 4: the value is 01 00 00 00, and the walk goes on at 00 00 00 00, an MsvAvEOL.
    msg[at + 2] = 4;
    assert_eq!(
        Challenge::decode_reporting(&msg),
        Ok((spec_challenge(), vec![CodecError::BadTimestampLength(4)]))
    );
}

#[test]
fn a_challenge_without_msvaveol_keeps_every_pair_it_holds() {
    let mut no_eol = SPEC_CHALLENGE;
    no_eol[40] = 0x20; // TargetInfo length 32: ends after MsvAvNbComputerName, EOL cut off
    assert_eq!(
        Challenge::decode_reporting(&no_eol),
        Ok((spec_challenge(), vec![CodecError::MissingEol]))
    );
    // A whole identity, as a server might send it without the EOL.
    let full = full_challenge().encode();
    let mut cut = full[..full.len() - 4].to_vec();
    cut[40] -= 4; // TargetInfoLen
    cut[42] -= 4; // TargetInfoMaxLen
    assert_eq!(Challenge::decode(&cut), Ok(full_challenge()));
}

#[test]
fn an_odd_length_string_loses_only_its_own_field() {
    let mut odd_name = SPEC_CHALLENGE;
    odd_name[12] = 0x0b; // TargetName length 11
    assert_eq!(
        Challenge::decode_reporting(&odd_name),
        Ok((
            Challenge {
                target_name: None,
                ..spec_challenge()
            },
            vec![CodecError::OddUtf16 {
                field: "target name",
                len: 11
            }]
        ))
    );
    // An AV_PAIR of odd length whose AvLen is right: the next pair is where it says.
    let mut msg = Challenge {
        nb_domain_name: None,
        ..full_challenge()
    }
    .encode();
    let info_at = usize::from(msg[44]);
    let odd = [0x02, 0x00, 0x03, 0x00, b'F', 0x00, b'L']; // MsvAvNbDomainName, 3 bytes
    msg.splice(info_at..info_at, odd);
    msg[40] += 7;
    msg[42] += 7;
    assert_eq!(
        Challenge::decode_reporting(&msg),
        Ok((
            Challenge {
                nb_domain_name: None,
                ..full_challenge()
            },
            vec![CodecError::OddUtf16 {
                field: "msvavnbdomainname",
                len: 3
            }]
        ))
    );
}

#[test]
fn unknown_av_pairs_are_skipped() {
    let mut msg = spec_challenge().encode();
    // Insert MsvAvFlags (6) before MsvAvEOL and grow TargetInfo.
    let eol = msg.len() - 4;
    msg.splice(eol..eol, [0x06, 0x00, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00]);
    msg[40] += 8;
    msg[42] += 8;
    assert_eq!(Challenge::decode(&msg).unwrap(), spec_challenge());
}

#[test]
fn error_messages_are_lowercase() {
    let errors = [
        CodecError::NtlmTruncated { need: 48, got: 1 },
        CodecError::NotNtlm,
        CodecError::WrongNtlmMessageType(3),
        CodecError::NtlmOutOfBounds {
            field: "target info",
            offset: 1,
            len: 2,
        },
        CodecError::OddUtf16 {
            field: "msvavnbdomainname",
            len: 3,
        },
        CodecError::AvPairOutOfBounds { av_id: 2, len: 9 },
        CodecError::MissingEol,
        CodecError::AvHeaderCut { left: 3 },
        CodecError::BadTimestampLength(4),
    ];
    let texts = [
        "ntlm message of 1 bytes, need 48",
        "not an ntlm message",
        "unexpected ntlm message type 3",
        "ntlm target info of 2 bytes at offset 1 is outside the message",
        "ntlm msvavnbdomainname is utf-16 of odd length 3",
        "ntlm av pair 2 of 9 bytes runs past target info",
        "ntlm target info without msvaveol",
        "ntlm target info ends 3 bytes into an av pair header",
        "ntlm timestamp of 4 bytes, expected 8",
    ];
    for (e, text) in errors.iter().zip(texts) {
        assert_eq!(e.to_string(), text, "{e:?}");
        assert_eq!(text, text.to_lowercase(), "{text}");
    }
}

fn name() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[A-Za-z0-9.é-]{0,40}")
}

proptest! {
    #[test]
    fn no_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = Challenge::decode(&bytes);
        let _ = decode_negotiate(&bytes);
    }

    #[test]
    fn no_panic_behind_a_valid_header(tail in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut msg = SPEC_CHALLENGE[..12].to_vec();
        msg.extend_from_slice(&tail);
        let _ = Challenge::decode(&msg);
    }

    #[test]
    fn mutated_spec_challenge_never_panics(at in 0usize..104, byte in any::<u8>()) {
        let mut msg = SPEC_CHALLENGE;
        msg[at] = byte;
        let _ = Challenge::decode(&msg);
    }

    #[test]
    fn challenge_round_trips(
        target in name(), nb_computer in name(), nb_domain in name(), dns_computer in name(),
        dns_domain in name(), dns_tree in name(), timestamp in proptest::option::of(any::<u64>()),
        version in proptest::option::of((any::<u8>(), any::<u8>(), any::<u16>(), any::<u8>())),
        server_challenge in any::<[u8; 8]>(),
    ) {
        let c = Challenge {
            flags: NegotiateFlags::UNICODE | NegotiateFlags::TARGET_INFO
                | if version.is_some() { NegotiateFlags::VERSION } else { NegotiateFlags::empty() },
            server_challenge,
            target_name: target.filter(|t| !t.is_empty()),
            nb_computer_name: nb_computer,
            nb_domain_name: nb_domain,
            dns_computer_name: dns_computer,
            dns_domain_name: dns_domain,
            dns_tree_name: dns_tree,
            timestamp,
            version: version.map(|(major, minor, build, revision)| NtlmVersion { major, minor, build, revision }),
        };
        prop_assert_eq!(Challenge::decode(&c.encode()), Ok(c));
    }
}
