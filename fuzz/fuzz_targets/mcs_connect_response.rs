//! MCS Connect Response (MS-RDPBCGR 2.2.1.4): the server's answer to the Connect Initial of
//! the standard-security probe, framed by `TpktHint`, then `decode_connect_response`.
//!
//! Checks: nothing panics; the answer on the delimited frame is the answer on the whole input;
//! each kind of answer re-encodes (Connect Response with the decoded server data, refusal,
//! Disconnect Provider Ultimatum) to a frame that decodes to the same answer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdpsweep_codec::{
    decode_connect_response, encode_connect_refusal, encode_connect_response,
    encode_disconnect_provider_ultimatum, ConnectReply, ServerSettings, TpktHint,
};
use rdpsweep_fuzz::{read_frame, Framing};

fuzz_target!(|input: &[u8]| {
    let whole = decode_connect_response(input);
    let Framing::Frame(frame) = read_frame(&TpktHint::ANY, input) else {
        assert!(
            whole.is_err(),
            "decoder accepts what no framed reader delivers: {whole:?}"
        );
        return;
    };
    let reply = decode_connect_response(frame);
    assert_eq!(reply, whole, "answer changes with bytes after the frame");
    let encoded = match reply {
        Ok(ConnectReply::Accepted(data)) => encode_connect_response(&ServerSettings::new(
            data.version,
            data.encryption_method,
            data.encryption_level,
        )),
        Ok(ConnectReply::Refused(result)) => encode_connect_refusal(result),
        Ok(ConnectReply::DisconnectProviderUltimatum(reason)) => {
            encode_disconnect_provider_ultimatum(reason)
        }
        Ok(ConnectReply::X224Disconnect) | Err(_) => return,
    };
    assert_eq!(decode_connect_response(&encoded), reply, "round trip");
});
