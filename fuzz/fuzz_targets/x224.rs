//! X.224 / TPKT / negotiation: a server's answer to the Connection Request, framed as the
//! probe frames it (`TpktHint`), then `decode_server_answer`.
//!
//! Checks: nothing panics; the hint and the decoder agree on the frame (the decoder gives the
//! same answer on the delimited frame as on the whole input, refuses what the hint refuses,
//! and calls a frame the stream cut short truncated); a decoded Confirm encodes to a frame
//! that decodes to the same Confirm.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdpsweep_codec::{decode_server_answer, CodecError, ServerAnswer, TpktHint};
use rdpsweep_fuzz::{read_frame, Framing};

fuzz_target!(|input: &[u8]| {
    let whole = decode_server_answer(input);
    match read_frame(&TpktHint::ANY, input) {
        Framing::Frame(frame) => {
            let answer = decode_server_answer(frame);
            // The decoder reads its frame and nothing after it.
            assert_eq!(answer, whole, "answer changes with bytes after the frame");
            // A frame the hint accepted is never "cut" or "not TPKT" for the decoder.
            assert!(
                !matches!(
                    answer,
                    Err(CodecError::FrameTruncated { .. }
                        | CodecError::NotTpkt
                        | CodecError::BadTpktLength(_)
                        | CodecError::TpktTooLong { .. })
                ),
                "decoder disputes the hint's frame: {answer:?}"
            );
            if let Ok(ServerAnswer::Confirm(confirm)) = answer {
                let again = decode_server_answer(&confirm.encode());
                assert_eq!(
                    again,
                    Ok(ServerAnswer::Confirm(confirm)),
                    "confirm round trip"
                );
            }
        }
        // The stream closed inside the frame: the decoder must not accept the bytes either.
        Framing::Cut => assert!(
            matches!(whole, Err(CodecError::FrameTruncated { .. })),
            "decoder accepts a frame cut short: {whole:?}"
        ),
        Framing::Refused(error) => assert_eq!(whole, Err(error), "hint and decoder differ"),
    }
});
