//! Byte-for-byte fixtures for the codec, each line naming its field so a reviewer can check it
//! against MS-RDPBCGR 2.2.1.1 (Connection Request) and 2.2.1.2 (Connection Confirm), plus
//! properties: no panic on any input, and encode → decode round trips.

use proptest::prelude::*;

use super::*;

/// nmap's TerminalServerCookie probe (42 bytes).
const NMAP_PROBE: [u8; 42] = [
    0x03, 0x00, // TPKT: version 3, reserved
    0x00, 0x2a, // TPKT: length 42, big-endian
    0x25, // X.224: LI 37 (6 fixed + 23 cookie + 8 negotiation)
    0xe0, // X.224: CR TPDU, credit 0
    0x00, 0x00, // X.224: DST-REF
    0x00, 0x00, // X.224: SRC-REF
    0x00, // X.224: class 0
    b'C', b'o', b'o', b'k', b'i', b'e', b':', b' ', // cookie: "Cookie: "
    b'm', b's', b't', b's', b'h', b'a', b's', b'h', b'=', // cookie: "mstshash="
    b'n', b'm', b'a', b'p', // cookie: IDENTIFIER "nmap"
    b'\r', b'\n', // cookie: CR LF
    0x01,  // RDP_NEG_REQ: type TYPE_RDP_NEG_REQ
    0x00,  // RDP_NEG_REQ: flags
    0x08, 0x00, // RDP_NEG_REQ: length 8, little-endian
    0x03, 0x00, 0x00, 0x00, // RDP_NEG_REQ: requestedProtocols SSL | HYBRID
];

/// The Connection Confirm of MS-RDPBCGR 4.1.2 (19 bytes), selecting TLS.
const SPEC_CONFIRM: [u8; 19] = [
    0x03, 0x00, // TPKT: version 3, reserved
    0x00, 0x13, // TPKT: length 19
    0x0e, // X.224: LI 14 (6 fixed + 8 negotiation)
    0xd0, // X.224: CC TPDU
    0x00, 0x00, // X.224: DST-REF
    0x12, 0x34, // X.224: SRC-REF 0x1234 (Windows)
    0x00, // X.224: class 0
    0x02, // RDP_NEG_RSP: type TYPE_RDP_NEG_RSP
    0x00, // RDP_NEG_RSP: flags
    0x08, 0x00, // RDP_NEG_RSP: length 8
    0x01, 0x00, 0x00, 0x00, // RDP_NEG_RSP: selectedProtocol PROTOCOL_SSL
];

/// A pre-Vista Connection Confirm (11 bytes): no negotiation data.
const PRE_VISTA_CONFIRM: [u8; 11] = [
    0x03, 0x00, // TPKT: version 3, reserved
    0x00, 0x0b, // TPKT: length 11
    0x06, // X.224: LI 6 (fixed part only)
    0xd0, // X.224: CC TPDU
    0x00, 0x00, // X.224: DST-REF
    0x12, 0x34, // X.224: SRC-REF
    0x00, // X.224: class 0
];

/// xrdp's answer to a request it dislikes (9 bytes).
const XRDP_DATA: [u8; 9] = [
    0x03, 0x00, // TPKT: version 3, reserved
    0x00, 0x09, // TPKT: length 9
    0x02, // X.224: LI 2
    0xf0, // X.224: DT TPDU
    0x80, // X.224: EOT
    0x21, 0x80, // MCS: Disconnect Provider Ultimatum
];

/// A Connection Confirm carrying `neg` (8 bytes of negotiation data).
fn confirm_with(neg: [u8; 8]) -> Vec<u8> {
    let mut frame = vec![
        0x03, 0x00, // TPKT: version 3, reserved
        0x00, 0x13, // TPKT: length 19
        0x0e, // X.224: LI 14
        0xd0, // X.224: CC TPDU
        0x00, 0x00, // X.224: DST-REF
        0x12, 0x34, // X.224: SRC-REF
        0x00, // X.224: class 0
    ];
    frame.extend_from_slice(&neg);
    frame
}

// ---- TPKT (the hint's own fixtures are in hint_tests.rs) ----

/// What the TPKT hint says about a whole frame.
fn hint(frame: &[u8]) -> Result<FrameSize, CodecError> {
    TpktHint::ANY.frame_size(frame)
}

#[test]
fn nmap_probe_is_one_whole_frame() {
    assert_eq!(hint(&NMAP_PROBE), Ok(FrameSize::Whole(42)));
}

#[test]
fn tpkt_header_encodes_big_endian() {
    assert_eq!(tpkt::header(275), [0x03, 0x00, 0x01, 0x13]);
}

// ---- Connection Request (2.2.1.1) ----

#[test]
fn request_encodes_as_nmap_probe() {
    let request = ConnectionRequest {
        cookie: Some("nmap".into()),
        negotiation: Some((RequestFlags::empty(), SecurityProtocol::from_bits_retain(3))),
    };
    assert_eq!(request.encode(), NMAP_PROBE);
    assert_eq!(ConnectionRequest::decode(&NMAP_PROBE), Ok(request));
}

#[test]
fn windows_client_requests_ssl_hybrid_hybrid_ex() {
    let frame = ConnectionRequest::windows_client("x").encode();
    let tail: [u8; 8] = [
        0x01, // RDP_NEG_REQ: type
        0x00, // RDP_NEG_REQ: flags
        0x08, 0x00, // RDP_NEG_REQ: length 8
        0x0b, 0x00, 0x00, 0x00, // RDP_NEG_REQ: SSL | HYBRID | HYBRID_EX
    ];
    assert_eq!(frame[frame.len() - 8..], tail);
    assert_eq!(&frame[11..frame.len() - 8], b"Cookie: mstshash=x\r\n");
    assert_eq!(hint(&frame), Ok(FrameSize::Whole(frame.len())));
    assert_eq!(
        usize::from(frame[4]),
        frame.len() - 5,
        "LI counts the bytes after it"
    );
}

#[test]
fn request_without_cookie() {
    let expected = [
        0x03, 0x00, // TPKT: version 3, reserved
        0x00, 0x13, // TPKT: length 19
        0x0e, // X.224: LI 14 (6 fixed + 8 negotiation)
        0xe0, // X.224: CR TPDU
        0x00, 0x00, // X.224: DST-REF
        0x00, 0x00, // X.224: SRC-REF
        0x00, // X.224: class 0
        0x01, // RDP_NEG_REQ: type
        0x00, // RDP_NEG_REQ: flags
        0x08, 0x00, // RDP_NEG_REQ: length 8
        0x01, 0x00, 0x00, 0x00, // RDP_NEG_REQ: PROTOCOL_SSL
    ];
    let request = ConnectionRequest {
        cookie: None,
        negotiation: Some((RequestFlags::empty(), SecurityProtocol::SSL)),
    };
    assert_eq!(request.encode(), expected);
    assert_eq!(ConnectionRequest::decode(&expected), Ok(request));
}

#[test]
fn request_without_negotiation() {
    let mut expected = vec![
        0x03, 0x00, // TPKT: version 3, reserved
        0x00, 0x22, // TPKT: length 34
        0x1d, // X.224: LI 29 (6 fixed + 23 cookie)
        0xe0, // X.224: CR TPDU
        0x00, 0x00, // X.224: DST-REF
        0x00, 0x00, // X.224: SRC-REF
        0x00, // X.224: class 0
    ];
    expected.extend_from_slice(b"Cookie: mstshash=nmap\r\n"); // cookie line, no RDP_NEG_REQ
    let request = ConnectionRequest {
        cookie: Some("nmap".into()),
        negotiation: None,
    };
    assert_eq!(request.encode(), expected);
    assert_eq!(ConnectionRequest::decode(&expected), Ok(request));
}

#[test]
fn bare_request() {
    let expected = [
        0x03, 0x00, // TPKT: version 3, reserved
        0x00, 0x0b, // TPKT: length 11
        0x06, // X.224: LI 6
        0xe0, // X.224: CR TPDU
        0x00, 0x00, // X.224: DST-REF
        0x00, 0x00, // X.224: SRC-REF
        0x00, // X.224: class 0
    ];
    let request = ConnectionRequest {
        cookie: None,
        negotiation: None,
    };
    assert_eq!(request.encode(), expected);
    assert_eq!(ConnectionRequest::decode(&expected), Ok(request));
}

#[test]
fn request_keeps_unknown_flags_and_protocols() {
    let request = ConnectionRequest {
        cookie: Some("a".into()),
        negotiation: Some((
            RequestFlags::from_bits_retain(0x80),
            SecurityProtocol::from_bits_retain(0x20),
        )),
    };
    let frame = request.encode();
    assert_eq!(
        frame[frame.len() - 8..],
        [0x01, 0x80, 0x08, 0x00, 0x20, 0x00, 0x00, 0x00]
    );
    assert_eq!(ConnectionRequest::decode(&frame), Ok(request));
}

#[test]
fn long_cookie_is_cut_to_fit_the_li() {
    let request = ConnectionRequest {
        cookie: Some("z".repeat(1000)),
        negotiation: Some((RequestFlags::empty(), SecurityProtocol::SSL)),
    };
    let frame = request.encode();
    assert_eq!(frame[4], 254, "LI at its largest");
    assert_eq!(hint(&frame), Ok(FrameSize::Whole(frame.len())));
    let decoded = ConnectionRequest::decode(&frame).expect("decodes");
    assert_eq!(decoded.cookie.map(|c| c.len()), Some(221));
}

#[test]
fn request_decode_rejects_a_confirm() {
    assert_eq!(
        ConnectionRequest::decode(&SPEC_CONFIRM),
        Err(CodecError::UnexpectedTpdu(0xd0))
    );
}

// ---- Connection Confirm (2.2.1.2) ----

#[test]
fn spec_confirm_decodes() {
    let expected = ConnectionConfirm {
        src_ref: 0x1234,
        negotiation: Some(NegotiationResponse::Response {
            flags: ResponseFlags::empty(),
            protocol: SecurityProtocol::SSL,
        }),
    };
    assert_eq!(
        decode_server_answer(&SPEC_CONFIRM),
        Ok(ServerAnswer::Confirm(expected))
    );
    assert_eq!(expected.encode(), SPEC_CONFIRM);
}

#[test]
fn failure_confirms_for_every_code() {
    for code in [1u8, 2, 3, 4, 5, 6, 99] {
        let frame = confirm_with([
            0x03, // RDP_NEG_FAILURE: type TYPE_RDP_NEG_FAILURE
            0x00, // RDP_NEG_FAILURE: flags
            0x08, 0x00, // RDP_NEG_FAILURE: length 8
            code, 0x00, 0x00, 0x00, // RDP_NEG_FAILURE: failureCode
        ]);
        let confirm = ConnectionConfirm {
            src_ref: 0x1234,
            negotiation: Some(NegotiationResponse::Failure {
                code: FailureCode(u32::from(code)),
            }),
        };
        assert_eq!(
            decode_server_answer(&frame),
            Ok(ServerAnswer::Confirm(confirm)),
            "code {code}"
        );
        assert_eq!(confirm.encode(), frame, "code {code}");
    }
    assert_eq!(FailureCode::HYBRID_REQUIRED_BY_SERVER, FailureCode(5));
}

#[test]
fn pre_vista_confirm_has_no_negotiation() {
    let confirm = ConnectionConfirm {
        src_ref: 0x1234,
        negotiation: None,
    };
    assert_eq!(
        decode_server_answer(&PRE_VISTA_CONFIRM),
        Ok(ServerAnswer::Confirm(confirm))
    );
    assert_eq!(confirm.encode(), PRE_VISTA_CONFIRM);
}

#[test]
fn xrdp_data_tpdu() {
    assert_eq!(decode_server_answer(&XRDP_DATA), Ok(ServerAnswer::Data));
}

#[test]
fn disconnect_request() {
    let frame = [
        0x03, 0x00, // TPKT: version 3, reserved
        0x00, 0x0b, // TPKT: length 11
        0x06, // X.224: LI 6
        0x80, // X.224: DR TPDU
        0x00, 0x00, // X.224: DST-REF
        0x00, 0x00, // X.224: SRC-REF
        0x00, // X.224: reason
    ];
    assert_eq!(
        decode_server_answer(&frame),
        Ok(ServerAnswer::DisconnectRequest)
    );
}

#[test]
fn confirm_keeps_unknown_protocols_and_flags() {
    let frame = confirm_with([
        0x02, // RDP_NEG_RSP: type
        0x80, // RDP_NEG_RSP: flags, an unknown bit
        0x08, 0x00, // RDP_NEG_RSP: length 8
        0x20, 0x00, 0x00, 0x00, // RDP_NEG_RSP: selectedProtocol, an unknown bit
    ]);
    let Ok(ServerAnswer::Confirm(ConnectionConfirm {
        negotiation: Some(NegotiationResponse::Response { flags, protocol }),
        ..
    })) = decode_server_answer(&frame)
    else {
        panic!("not a response: {:?}", decode_server_answer(&frame));
    };
    assert_eq!(
        (flags, protocol),
        (
            ResponseFlags::from_bits_retain(0x80),
            SecurityProtocol::from_bits_retain(0x20)
        )
    );
    assert!(!protocol.starts_tls());
}

#[test]
fn xrdp_confirm_with_zero_src_ref_selecting_rdp() {
    let frame = [
        0x03, 0x00, // TPKT: version 3, reserved
        0x00, 0x13, // TPKT: length 19
        0x0e, // X.224: LI 14
        0xd0, // X.224: CC TPDU
        0x00, 0x00, // X.224: DST-REF
        0x00, 0x00, // X.224: SRC-REF 0 (xrdp)
        0x00, // X.224: class 0
        0x02, // RDP_NEG_RSP: type
        0x00, // RDP_NEG_RSP: flags
        0x08, 0x00, // RDP_NEG_RSP: length 8
        0x00, 0x00, 0x00, 0x00, // RDP_NEG_RSP: PROTOCOL_RDP
    ];
    let confirm = ConnectionConfirm {
        src_ref: 0,
        negotiation: Some(NegotiationResponse::Response {
            flags: ResponseFlags::empty(),
            protocol: SecurityProtocol::RDP,
        }),
    };
    assert_eq!(
        decode_server_answer(&frame),
        Ok(ServerAnswer::Confirm(confirm))
    );
}

// ---- Errors ----

#[test]
fn truncated_frame() {
    assert_eq!(
        decode_server_answer(&SPEC_CONFIRM[..15]),
        Err(CodecError::FrameTruncated {
            expected: 19,
            got: 15
        })
    );
    assert_eq!(
        decode_server_answer(&SPEC_CONFIRM[..2]),
        Err(CodecError::FrameTruncated {
            expected: 4,
            got: 2
        })
    );
    assert_eq!(
        decode_server_answer(&[]),
        Err(CodecError::FrameTruncated {
            expected: 4,
            got: 0
        })
    );
}

#[test]
fn not_tpkt_and_bad_tpkt_length() {
    assert_eq!(
        decode_server_answer(b"HTTP/1.1 400 Bad Request"),
        Err(CodecError::NotTpkt)
    );
    assert_eq!(
        decode_server_answer(&[0x03, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00]),
        Err(CodecError::BadTpktLength(2))
    );
}

#[test]
fn li_larger_than_the_frame() {
    let frame = [
        0x03, 0x00, // TPKT: version 3, reserved
        0x00, 0x0b, // TPKT: length 11
        0x0e, // X.224: LI 14, but only 6 bytes follow
        0xd0, // X.224: CC TPDU
        0x00, 0x00, // X.224: DST-REF
        0x12, 0x34, // X.224: SRC-REF
        0x00, // X.224: class 0
    ];
    assert_eq!(
        decode_server_answer(&frame),
        Err(CodecError::BadLengthIndicator {
            li: 14,
            frame_len: 11
        })
    );
}

#[test]
fn li_too_small_for_a_confirm() {
    let frame = [
        0x03, 0x00, // TPKT: version 3, reserved
        0x00, 0x0b, // TPKT: length 11
        0x05, // X.224: LI 5, less than the 6-byte fixed part of a CC
        0xd0, // X.224: CC TPDU
        0x00, 0x00, // X.224: DST-REF
        0x12, 0x34, // X.224: SRC-REF
        0x00, // X.224: class 0
    ];
    assert_eq!(
        decode_server_answer(&frame),
        Err(CodecError::BadLengthIndicator {
            li: 5,
            frame_len: 11
        })
    );
    let mut tiny = frame;
    tiny[4] = 0x01; // LI 1: not even a code
    assert_eq!(
        decode_server_answer(&tiny),
        Err(CodecError::BadLengthIndicator {
            li: 1,
            frame_len: 11
        })
    );
}

#[test]
fn three_bytes_of_negotiation_data() {
    let frame = [
        0x03, 0x00, // TPKT: version 3, reserved
        0x00, 0x0e, // TPKT: length 14
        0x09, // X.224: LI 9 (6 fixed + 3)
        0xd0, // X.224: CC TPDU
        0x00, 0x00, // X.224: DST-REF
        0x12, 0x34, // X.224: SRC-REF
        0x00, // X.224: class 0
        0x02, 0x00, 0x08, // RDP_NEG_RSP cut after 3 bytes
    ];
    assert_eq!(
        decode_server_answer(&frame),
        Err(CodecError::TruncatedNegotiation(3))
    );
}

#[test]
fn unknown_negotiation_type() {
    let frame = confirm_with([
        0x05, // type: none of RSP (2) / FAILURE (3)
        0x00, // flags
        0x08, 0x00, // length 8
        0x01, 0x00, 0x00, 0x00, // value
    ]);
    assert_eq!(
        decode_server_answer(&frame),
        Err(CodecError::UnknownNegotiationType(5))
    );
    // A request's type in a confirm is no better.
    let frame = confirm_with([0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00]);
    assert_eq!(
        decode_server_answer(&frame),
        Err(CodecError::UnknownNegotiationType(1))
    );
}

#[test]
fn negotiation_length_field_not_eight() {
    let frame = confirm_with([
        0x02, // RDP_NEG_RSP: type
        0x00, // RDP_NEG_RSP: flags
        0x09, 0x00, // RDP_NEG_RSP: length 9, must be 8
        0x01, 0x00, 0x00, 0x00, // RDP_NEG_RSP: selectedProtocol
    ]);
    assert_eq!(
        decode_server_answer(&frame),
        Err(CodecError::BadNegotiationLength(9))
    );
    let frame = confirm_with([0x03, 0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00]); // big-endian 8 reads as 0x0800
    assert_eq!(
        decode_server_answer(&frame),
        Err(CodecError::BadNegotiationLength(0x0800))
    );
}

#[test]
fn unexpected_tpdu_code() {
    // A Connection Request sent back, and a class-4 style ED TPDU (0x10).
    assert_eq!(
        decode_server_answer(&NMAP_PROBE),
        Err(CodecError::UnexpectedTpdu(0xe0))
    );
    let mut frame = PRE_VISTA_CONFIRM;
    frame[5] = 0x10;
    assert_eq!(
        decode_server_answer(&frame),
        Err(CodecError::UnexpectedTpdu(0x10))
    );
}

#[test]
fn error_messages_are_lowercase() {
    let errors = [
        CodecError::NotTpkt,
        CodecError::BadTpktLength(2),
        CodecError::FrameTruncated {
            expected: 19,
            got: 15,
        },
        CodecError::BadLengthIndicator {
            li: 14,
            frame_len: 11,
        },
        CodecError::UnexpectedTpdu(0xe0),
        CodecError::TruncatedNegotiation(3),
        CodecError::UnknownNegotiationType(5),
        CodecError::BadNegotiationLength(9),
    ];
    let texts = [
        "not a tpkt frame",
        "impossible tpkt length 2",
        "tpkt frame of 19 bytes cut at 15",
        "x.224 length indicator 14 does not fit a 11-byte frame",
        "unexpected x.224 tpdu code 0xe0",
        "negotiation data of 3 bytes, expected 8",
        "unknown negotiation type 0x05",
        "negotiation length field 9, expected 8",
    ];
    for (error, text) in errors.iter().zip(texts) {
        assert_eq!(error.to_string(), text, "{error:?}");
        assert_eq!(text, text.to_lowercase(), "{error:?}");
    }
}

// ---- Properties ----

fn negotiation_response() -> impl Strategy<Value = Option<NegotiationResponse>> {
    prop_oneof![
        Just(None),
        (any::<u8>(), any::<u32>()).prop_map(|(f, p)| Some(NegotiationResponse::Response {
            flags: ResponseFlags::from_bits_retain(f),
            protocol: SecurityProtocol::from_bits_retain(p)
        })),
        any::<u32>().prop_map(|c| Some(NegotiationResponse::Failure {
            code: FailureCode(c)
        })),
    ]
}

proptest! {
    #[test]
    fn no_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let framed = hint(&bytes);
        let answer = decode_server_answer(&bytes);
        if answer.is_ok() {
            prop_assert!(matches!(framed, Ok(FrameSize::Whole(n)) if n <= bytes.len()));
        }
        let _ = ConnectionRequest::decode(&bytes);
    }

    #[test]
    fn no_panic_behind_a_valid_tpkt_header(body in proptest::collection::vec(any::<u8>(), 3..300), fix_li in any::<bool>()) {
        let mut frame = tpkt::header((tpkt::HEADER_LEN + body.len()) as u16).to_vec();
        frame.extend_from_slice(&body);
        if fix_li {
            // An LI that matches the frame reaches the variable part.
            frame[4] = (body.len() - 1).min(255) as u8;
        }
        let _ = decode_server_answer(&frame);
        let _ = ConnectionRequest::decode(&frame);
    }

    #[test]
    fn confirm_round_trips(src_ref in any::<u16>(), negotiation in negotiation_response()) {
        let confirm = ConnectionConfirm { src_ref, negotiation };
        let frame = confirm.encode();
        prop_assert_eq!(hint(&frame), Ok(FrameSize::Whole(frame.len())));
        prop_assert_eq!(decode_server_answer(&frame), Ok(ServerAnswer::Confirm(confirm)));
    }

    #[test]
    fn request_round_trips(
        cookie in proptest::option::of("[A-Za-z0-9._-]{0,60}"),
        negotiation in proptest::option::of((any::<u8>(), any::<u32>())),
    ) {
        let request = ConnectionRequest { cookie, negotiation: negotiation.map(|(f, p)| (RequestFlags::from_bits_retain(f), SecurityProtocol::from_bits_retain(p))) };
        let frame = request.encode();
        prop_assert_eq!(hint(&frame), Ok(FrameSize::Whole(frame.len())));
        prop_assert_eq!(ConnectionRequest::decode(&frame), Ok(request));
    }
}
