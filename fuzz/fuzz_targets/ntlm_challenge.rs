//! NTLM CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2): the negoToken of the server's TSRequest, read by
//! `Challenge::decode` (strict answer) and `Challenge::decode_reporting` (what was tolerated).
//!
//! Checks: nothing panics; both accept and refuse the same messages, with the same fields or
//! the same error; a decoded CHALLENGE encodes to a message that decodes to the same fields,
//! with no defect (the encoder sets NEGOTIATE_TARGET_INFO, and NEGOTIATE_VERSION exactly when
//! there is a version, and writes names as UTF-16 of at most 1,024 units).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdpsweep_codec::{Challenge, NegotiateFlags};

fuzz_target!(|input: &[u8]| {
    let strict = Challenge::decode(input);
    let reporting = Challenge::decode_reporting(input);
    match (&strict, &reporting) {
        (Ok(challenge), Ok((reported, _))) => assert_eq!(challenge, reported, "fields differ"),
        (Err(error), Err(reported)) => assert_eq!(error, reported, "errors differ"),
        _ => panic!("decode {strict:?} but decode_reporting {reporting:?}"),
    }
    let Ok(challenge) = strict else { return };
    let names = [
        &challenge.target_name,
        &challenge.nb_computer_name,
        &challenge.nb_domain_name,
        &challenge.dns_computer_name,
        &challenge.dns_domain_name,
        &challenge.dns_tree_name,
    ];
    // Names the encoder would cut, or an OEM TargetName (read as 8-bit, written as UTF-16),
    // cannot come back the same.
    let fits = names.iter().all(|name| {
        name.as_ref()
            .is_none_or(|n| n.encode_utf16().count() <= 1024)
    });
    let oem_name =
        challenge.target_name.is_some() && !challenge.flags.contains(NegotiateFlags::UNICODE);
    if !fits || oem_name {
        return;
    }
    let mut expected = challenge.clone();
    expected.flags |= NegotiateFlags::TARGET_INFO;
    expected
        .flags
        .set(NegotiateFlags::VERSION, challenge.version.is_some());
    let again = Challenge::decode_reporting(&challenge.encode());
    assert_eq!(again, Ok((expected, Vec::new())), "round trip");
});
