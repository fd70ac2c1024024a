//! The length hints byte for byte: every `More` count, a `Whole` above 255, every error, and
//! the property a framed reader relies on (following the hints delimits exactly one message).

use proptest::prelude::*;

use super::*;
use crate::{credssp, x224, CodecError, TsRequest};

fn tpkt(received: &[u8]) -> Result<FrameSize, CodecError> {
    TpktHint::ANY.frame_size(received)
}

fn tsrequest(received: &[u8]) -> Result<FrameSize, CodecError> {
    TsRequestHint::default().frame_size(received)
}

// ---- TPKT ----

#[test]
fn tpkt_asks_for_the_rest_of_the_header() {
    let header = [
        0x03, // TPKT: version 3
        0x00, // TPKT: reserved
        0x01, 0x13, // TPKT: length 275, big-endian
    ];
    for n in 0..4 {
        assert_eq!(tpkt(&header[..n]), Ok(FrameSize::More(4 - n)), "{n} bytes");
    }
}

#[test]
fn tpkt_length_keeps_the_high_byte() {
    assert_eq!(tpkt(&[0x03, 0x00, 0x01, 0x13]), Ok(FrameSize::Whole(275)));
    assert_eq!(
        tpkt(&[0x03, 0x00, 0xff, 0xff, 0xaa]),
        Ok(FrameSize::Whole(65535)),
        "bytes after the header do not matter"
    );
    assert_eq!(
        tpkt(&[0x03, 0x00, 0x00, 0x07]),
        Ok(FrameSize::Whole(7)),
        "the smallest frame"
    );
}

#[test]
fn tpkt_errors_are_distinct() {
    assert_eq!(tpkt(b"HTTP"), Err(CodecError::NotTpkt));
    assert_eq!(
        tpkt(&[0x16]),
        Err(CodecError::NotTpkt),
        "a TLS record is known from one byte"
    );
    for len in [0u8, 2, 6] {
        assert_eq!(
            tpkt(&[0x03, 0x00, 0x00, len]),
            Err(CodecError::BadTpktLength(u16::from(len)))
        );
    }
    let confirm = TpktHint::new(260);
    assert_eq!(confirm.max_len(), 260);
    assert_eq!(
        confirm.frame_size(&[0x03, 0x00, 0x01, 0x04]),
        Ok(FrameSize::Whole(260))
    );
    assert_eq!(
        confirm.frame_size(&[0x03, 0x00, 0xff, 0xff]),
        Err(CodecError::TpktTooLong {
            len: 65535,
            max: 260
        })
    );
    assert_eq!(
        confirm.frame_size(&[0x03, 0x00, 0x00, 0x02]),
        Err(CodecError::BadTpktLength(2)),
        "an impossible length is named as such, not as too long"
    );
}

#[test]
fn tpkt_error_messages() {
    assert_eq!(CodecError::NotTpkt.to_string(), "not a tpkt frame");
    assert_eq!(
        CodecError::BadTpktLength(2).to_string(),
        "impossible tpkt length 2"
    );
    assert_eq!(
        CodecError::TpktTooLong {
            len: 65535,
            max: 260
        }
        .to_string(),
        "tpkt length 65535 is over the 260 bytes allowed"
    );
}

// ---- TSRequest ----

#[test]
fn tsrequest_asks_for_the_rest_of_the_header() {
    assert_eq!(
        tsrequest(&[]),
        Ok(FrameSize::More(1)),
        "the tag alone: something else is told from its first byte"
    );
    assert_eq!(tsrequest(&[0x30]), Ok(FrameSize::More(1)));
    assert_eq!(
        tsrequest(&[0x30, 0x82]),
        Ok(FrameSize::More(2)),
        "two length octets follow 0x82"
    );
    assert_eq!(tsrequest(&[0x30, 0x82, 0x01]), Ok(FrameSize::More(1)));
    assert_eq!(tsrequest(&[0x30, 0x83]), Ok(FrameSize::More(3)));
}

#[test]
fn tsrequest_length_in_every_form() {
    assert_eq!(tsrequest(&[0x30, 0x05]), Ok(FrameSize::Whole(7)));
    assert_eq!(
        tsrequest(&[0x30, 0x81, 0x90]),
        Ok(FrameSize::Whole(3 + 0x90))
    );
    assert_eq!(
        tsrequest(&[0x30, 0x82, 0x01, 0x13]),
        Ok(FrameSize::Whole(4 + 0x113))
    );
    assert_eq!(
        tsrequest(&[0x30, 0x82, 0xff, 0xfb]),
        Ok(FrameSize::Whole(0xffff))
    );
    assert_eq!(
        tsrequest(&[0x30, 0x83, 0x00, 0xff, 0xfb]),
        Ok(FrameSize::Whole(0x1_0000)),
        "the longest accepted, in the 3-octet form"
    );
}

#[test]
fn tsrequest_errors_are_distinct() {
    assert_eq!(
        tsrequest(&[0x15, 0x03]),
        Err(CodecError::NotTsRequest(0x15)),
        "a TLS alert"
    );
    assert_eq!(tsrequest(b"HTTP"), Err(CodecError::NotTsRequest(b'H')));
    let bad = |octet| CodecError::BadDerLength {
        what: "credssp tsrequest",
        octet,
    };
    assert_eq!(tsrequest(&[0x30, 0x80]), Err(bad(0x80)), "indefinite form");
    assert_eq!(
        tsrequest(&[0x30, 0x85, 0, 0, 0, 0, 1]),
        Err(bad(0x85)),
        "five length octets"
    );
    assert_eq!(
        tsrequest(&[0x30, 0x83, 0x01, 0x00, 0x00]),
        Err(CodecError::TsRequestTooLong {
            len: 5 + 0x1_0000,
            max: credssp::MAX_TSREQUEST_LEN
        })
    );
    let small = TsRequestHint::new(100);
    assert_eq!(small.max_len(), 100);
    assert_eq!(small.frame_size(&[0x30, 0x62]), Ok(FrameSize::Whole(100)));
    assert_eq!(
        small.frame_size(&[0x30, 0x63]),
        Err(CodecError::TsRequestTooLong { len: 101, max: 100 })
    );
}

#[test]
fn tsrequest_error_messages() {
    assert_eq!(
        CodecError::TsRequestTooLong {
            len: 65541,
            max: 65536
        }
        .to_string(),
        "credssp tsrequest of 65541 bytes, over 65536 allowed"
    );
    assert_eq!(
        CodecError::NotTsRequest(0x15).to_string(),
        "not a credssp tsrequest (first byte 0x15)"
    );
    assert_eq!(
        CodecError::BadDerLength {
            what: "credssp tsrequest",
            octet: 0x80
        }
        .to_string(),
        "credssp tsrequest: unsupported length octet 0x80"
    );
}

/// Reads one message from `stream` the way a framed reader does: never past what the hint
/// allows. `None` when the hint refuses the bytes or the stream ends first.
fn read_one(hint: &dyn PduHint, stream: &[u8]) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    loop {
        let need = match hint.frame_size(&buf).ok()? {
            FrameSize::Whole(len) if buf.len() >= len => return Some(buf),
            FrameSize::Whole(len) => len - buf.len(),
            FrameSize::More(n) => {
                assert!(n > 0, "a hint never asks for nothing");
                n
            }
        };
        let next = stream.get(buf.len()..buf.len() + need)?;
        buf.extend_from_slice(next);
    }
}

proptest! {
    #[test]
    fn hints_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..16), max in 0usize..70_000) {
        if let Ok(FrameSize::Whole(n)) = TpktHint::new(max).frame_size(&bytes) {
            prop_assert!((crate::tpkt::MIN_FRAME_LEN..=max).contains(&n));
            prop_assert_eq!(n, usize::from(u16::from_be_bytes([bytes[2], bytes[3]])));
        }
        if let Ok(FrameSize::More(n)) = TpktHint::new(max).frame_size(&bytes) {
            prop_assert_eq!(bytes.len() + n, crate::tpkt::HEADER_LEN);
        }
        if let Ok(FrameSize::Whole(n)) = TsRequestHint::new(max).frame_size(&bytes) {
            prop_assert!(n <= max);
        }
        if let Ok(FrameSize::More(n)) = TsRequestHint::new(max).frame_size(&bytes) {
            prop_assert!(n > 0 && bytes.len() + n <= 5);
        }
    }

    #[test]
    fn following_the_tpkt_hint_takes_exactly_one_frame(
        payload in proptest::collection::vec(any::<u8>(), 0..600),
        after in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let frame = x224::encode_data(&payload);
        let mut stream = frame.clone();
        stream.extend_from_slice(&after);
        prop_assert_eq!(read_one(&TpktHint::ANY, &stream), Some(frame));
    }

    #[test]
    fn following_the_tsrequest_hint_takes_exactly_one_tsrequest(
        token in proptest::collection::vec(any::<u8>(), 0..1200),
        after in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let request = TsRequest::with_token(6, token).encode();
        let mut stream = request.clone();
        stream.extend_from_slice(&after);
        prop_assert_eq!(read_one(&TsRequestHint::default(), &stream), Some(request));
    }
}
