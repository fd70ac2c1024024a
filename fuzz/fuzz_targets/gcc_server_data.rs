//! GCC Conference Create Response and the server data blocks in it (MS-RDPBCGR 2.2.1.4.2 to
//! 2.2.1.4.4): the userData of an MCS Connect Response, read by
//! `gcc::decode_conference_create_response`.
//!
//! Checks: nothing panics; decoded server data (version, encryption method and level, unknown
//! values kept) re-encode, as Windows lays the blocks out, to bytes that decode to the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdpsweep_codec::gcc::{decode_conference_create_response, encode_conference_create_response};
use rdpsweep_codec::ServerSettings;

fuzz_target!(|input: &[u8]| {
    let Ok(data) = decode_conference_create_response(input) else {
        return;
    };
    let settings = ServerSettings::new(data.version, data.encryption_method, data.encryption_level);
    let encoded = encode_conference_create_response(&settings.encode_blocks());
    assert_eq!(
        decode_conference_create_response(&encoded),
        Ok(data),
        "round trip"
    );
});
