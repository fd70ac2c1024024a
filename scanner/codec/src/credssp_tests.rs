//! CredSSP TSRequest fixtures (MS-CSSP 2.2.1), one DER field a line, the frame-length hint,
//! malformed input and the no-panic property.

use proptest::prelude::*;

use super::credssp::*;
use super::der::{DerError, DerProblem};
use super::ntlm;

/// The scanner's first TSRequest: version 6, one negoToken holding the 40-byte NEGOTIATE.
fn expected_negotiate_request() -> Vec<u8> {
    let mut out = vec![
        0x30, 0x37, // TSRequest SEQUENCE, 55 bytes
        0xa0, 0x03, 0x02, 0x01, 0x06, // version [0] INTEGER 6
        0xa1, 0x30, // negoTokens [1], 48 bytes
        0x30, 0x2e, // NegoData SEQUENCE OF, 46 bytes
        0x30, 0x2c, // SEQUENCE, 44 bytes
        0xa0, 0x2a, // negoToken [0], 42 bytes
        0x04, 0x28, // OCTET STRING, 40 bytes
    ];
    out.extend_from_slice(&ntlm::encode_negotiate());
    out
}

#[test]
fn negotiate_request_encodes_field_by_field() {
    let bytes = TsRequest::ntlm_negotiate().encode();
    assert_eq!(bytes, expected_negotiate_request());
    assert_eq!(frame_len(&bytes), TsFrameLen::Frame(57));
    let decoded = TsRequest::decode(&bytes).unwrap();
    assert_eq!(decoded.version, 6);
    assert_eq!(
        decoded.nego_token.as_deref(),
        Some(&ntlm::encode_negotiate()[..])
    );
    assert_eq!(decoded.error_code, None);
}

#[test]
fn server_challenge_round_trips_with_long_lengths() {
    let challenge = ntlm::Challenge {
        nb_computer_name: Some("RDS01".into()),
        dns_domain_name: Some("corp.example".repeat(12)),
        ..ntlm::Challenge::default()
    }
    .encode();
    assert!(challenge.len() > 255, "exercise the 0x82 length form");
    let request = TsRequest::with_token(6, challenge.clone());
    let bytes = request.encode();
    assert_eq!(&bytes[..2], &[0x30, 0x82]);
    assert_eq!(frame_len(&bytes), TsFrameLen::Frame(bytes.len()));
    let decoded = TsRequest::decode(&bytes).unwrap();
    assert_eq!(decoded, request);
    let c = ntlm::Challenge::decode(decoded.nego_token.as_deref().unwrap()).unwrap();
    assert_eq!(c.nb_computer_name.as_deref(), Some("RDS01"));
}

#[test]
fn error_code_is_read_as_ntstatus() {
    let negative = [
        0x30, 0x0d, // TSRequest SEQUENCE, 13 bytes
        0xa0, 0x03, 0x02, 0x01, 0x06, // version 6
        0xa4, 0x06, 0x02, 0x04, 0xc0, 0x00, 0x00, 0x6d, // errorCode STATUS_LOGON_FAILURE
    ];
    let r = TsRequest::decode(&negative).unwrap();
    assert_eq!(r.error_code, Some(0xc000_006d));
    assert_eq!(r.nego_token, None);
    let positive = [
        0x30, 0x0e, // TSRequest SEQUENCE, 14 bytes
        0xa0, 0x03, 0x02, 0x01, 0x03, // version 3
        0xa4, 0x07, 0x02, 0x05, 0x00, 0xc0, 0x00, 0x00, 0x6d, // errorCode, 5-byte positive
    ];
    assert_eq!(
        TsRequest::decode(&positive).unwrap().error_code,
        Some(0xc000_006d)
    );
    let encoded = TsRequest {
        version: 6,
        nego_token: None,
        error_code: Some(0xc000_006d),
    }
    .encode();
    assert_eq!(encoded, negative);
}

#[test]
fn unknown_fields_are_skipped() {
    let bytes = [
        0x30, 0x10, // TSRequest SEQUENCE, 16 bytes
        0xa0, 0x03, 0x02, 0x01, 0x02, // version 2
        0xa3, 0x02, 0x04, 0x00, // pubKeyAuth [3], empty
        0xa5, 0x04, 0x04, 0x02, 0xaa, 0xbb, // clientNonce [5]
        0x00, // one byte too many inside: trailing junk inside is a DER error
    ];
    assert!(matches!(
        TsRequest::decode(&bytes),
        Err(CredsspError::Der(_))
    ));
    let ok = [
        0x30, 0x0f, // TSRequest SEQUENCE, 15 bytes
        0xa0, 0x03, 0x02, 0x01, 0x02, // version 2
        0xa3, 0x02, 0x04, 0x00, // pubKeyAuth [3], empty
        0xa5, 0x04, 0x04, 0x02, 0xaa, 0xbb, // clientNonce [5]
    ];
    assert_eq!(
        TsRequest::decode(&ok).unwrap(),
        TsRequest {
            version: 2,
            nego_token: None,
            error_code: None
        }
    );
}

#[test]
fn frame_len_hint() {
    assert_eq!(frame_len(&[]), TsFrameLen::NeedMore);
    assert_eq!(frame_len(&[0x30]), TsFrameLen::NeedMore);
    assert_eq!(frame_len(&[0x30, 0x82, 0x01]), TsFrameLen::NeedMore);
    assert_eq!(
        frame_len(&[0x30, 0x82, 0x01, 0x13]),
        TsFrameLen::Frame(4 + 0x113)
    );
    assert_eq!(frame_len(&[0x30, 0x81, 0x90]), TsFrameLen::Frame(3 + 0x90));
    assert_eq!(frame_len(&[0x30, 0x05]), TsFrameLen::Frame(7));
    assert_eq!(frame_len(&[0x30, 0x80]), TsFrameLen::BadLength(0x80));
    assert_eq!(
        frame_len(&[0x30, 0x85, 0, 0, 0, 0, 1]),
        TsFrameLen::BadLength(0x85)
    );
    assert_eq!(
        frame_len(&[0x30, 0x83, 0x01, 0x00, 0x00]),
        TsFrameLen::TooLong(5 + 0x1_0000)
    );
    assert_eq!(
        frame_len(&[0x30, 0x82, 0xff, 0xfb]),
        TsFrameLen::Frame(0xffff)
    );
    assert_eq!(
        frame_len(&[0x15, 0x03]),
        TsFrameLen::NotTsRequest(0x15),
        "a TLS alert"
    );
    assert_eq!(frame_len(b"HTTP"), TsFrameLen::NotTsRequest(b'H'));
}

#[test]
fn malformed_requests_are_classified() {
    assert_eq!(
        TsRequest::decode(&[0x30, 0x00]),
        Err(CredsspError::MissingVersion)
    );
    assert_eq!(
        TsRequest::decode(&[0x31, 0x00]),
        Err(CredsspError::Der(DerError {
            field: "tsrequest",
            problem: DerProblem::UnexpectedTag(0x31)
        }))
    );
    let cut = expected_negotiate_request();
    assert!(matches!(
        TsRequest::decode(&cut[..30]),
        Err(CredsspError::Der(DerError {
            problem: DerProblem::Truncated,
            ..
        }))
    ));
    let bad_token = [
        0x30, 0x0b, // TSRequest
        0xa0, 0x03, 0x02, 0x01, 0x06, // version 6
        0xa1, 0x04, 0x30, 0x02, 0x04,
        0x00, // NegoData item is an OCTET STRING, not a SEQUENCE
    ];
    assert_eq!(
        TsRequest::decode(&bad_token),
        Err(CredsspError::Der(DerError {
            field: "NegoData",
            problem: DerProblem::UnexpectedTag(0x04)
        }))
    );
    let big_version = [
        0x30, 0x0e, 0xa0, 0x0c, 0x02, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ];
    assert!(matches!(
        TsRequest::decode(&big_version),
        Err(CredsspError::Der(DerError {
            problem: DerProblem::IntegerTooLong(10),
            ..
        }))
    ));
    let text = CredsspError::Der(DerError {
        field: "NegoData",
        problem: DerProblem::Truncated,
    })
    .to_string();
    assert_eq!(text, text.to_lowercase());
}

proptest! {
    #[test]
    fn no_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = TsRequest::decode(&bytes);
        let _ = frame_len(&bytes);
    }

    #[test]
    fn no_panic_inside_a_sequence(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut bytes = Vec::new();
        super::der::write(&mut bytes, &[0x30], &body);
        prop_assert_eq!(frame_len(&bytes), TsFrameLen::Frame(bytes.len()));
        let _ = TsRequest::decode(&bytes);
    }

    #[test]
    fn round_trips(version in any::<u32>(), token in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..400)), code in proptest::option::of(any::<u32>())) {
        let request = TsRequest { version, nego_token: token, error_code: code };
        let bytes = request.encode();
        prop_assert_eq!(frame_len(&bytes), TsFrameLen::Frame(bytes.len()));
        prop_assert_eq!(TsRequest::decode(&bytes), Ok(request));
    }
}
