//! CredSSP TSRequest (MS-CSSP 2.2.1): the server's answer to the NTLM NEGOTIATE, framed by
//! `TsRequestHint` as the probe frames it, then `TsRequest::decode`.
//!
//! Checks: nothing panics; the hint and the decoder agree (the answer on the delimited message
//! is the answer on the whole input; what the hint refuses or the stream cuts short, the
//! decoder does not accept); a decoded TSRequest encodes to DER that decodes to the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdpsweep_codec::{CodecError, TsRequest, TsRequestHint};
use rdpsweep_fuzz::{read_frame, Framing};

fuzz_target!(|input: &[u8]| {
    let whole = TsRequest::decode(input);
    let message = match read_frame(&TsRequestHint::default(), input) {
        Framing::Frame(message) => message,
        // Over the reader's limit (64 KiB): refused by design, whatever the bytes hold.
        Framing::Refused(CodecError::TsRequestTooLong { .. }) => return,
        Framing::Cut | Framing::Refused(_) => {
            assert!(
                whole.is_err(),
                "decoder accepts what no framed reader delivers: {whole:?}"
            );
            return;
        }
    };
    let request = TsRequest::decode(message);
    assert_eq!(
        request, whole,
        "answer changes with bytes after the message"
    );
    if let Ok(request) = request {
        assert_eq!(
            TsRequest::decode(&request.encode()),
            Ok(request),
            "round trip"
        );
    }
});
