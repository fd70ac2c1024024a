//! CredSSP TSRequest fixtures (MS-CSSP 2.2.1), one DER field a line, malformed input and the
//! no-panic property (the length hint's own fixtures are in hint_tests.rs).

use proptest::prelude::*;

use super::credssp::*;
use super::hint::{FrameSize, PduHint, TsRequestHint};
use super::ntlm;
use super::CodecError;

/// What the TSRequest hint says about `bytes`.
fn hint(bytes: &[u8]) -> Result<FrameSize, CodecError> {
    TsRequestHint::default().frame_size(bytes)
}

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
    assert_eq!(hint(&bytes), Ok(FrameSize::Whole(57)));
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
    assert_eq!(hint(&bytes), Ok(FrameSize::Whole(bytes.len())));
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
    assert_eq!(
        TsRequest::decode(&bytes),
        Err(CodecError::Truncated {
            what: "credssp tsrequest field"
        })
    );
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
fn malformed_requests_are_classified() {
    assert_eq!(
        TsRequest::decode(&[0x30, 0x00]),
        Err(CodecError::MissingVersion)
    );
    assert_eq!(
        TsRequest::decode(&[0x31, 0x00]),
        Err(CodecError::UnexpectedTag {
            what: "credssp tsrequest",
            tag: 0x31
        })
    );
    let cut = expected_negotiate_request();
    assert!(matches!(
        TsRequest::decode(&cut[..30]),
        Err(CodecError::Truncated { .. })
    ));
    let bad_token = [
        0x30, 0x0b, // TSRequest
        0xa0, 0x03, 0x02, 0x01, 0x06, // version 6
        0xa1, 0x04, 0x30, 0x02, 0x04,
        0x00, // NegoData item is an OCTET STRING, not a SEQUENCE
    ];
    assert_eq!(
        TsRequest::decode(&bad_token),
        Err(CodecError::UnexpectedTag {
            what: "credssp NegoData",
            tag: 0x04
        })
    );
    let big_version = [
        0x30, 0x0e, 0xa0, 0x0c, 0x02, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ];
    assert!(matches!(
        TsRequest::decode(&big_version),
        Err(CodecError::IntegerTooLong { len: 10, .. })
    ));
    for (error, text) in [
        (
            CodecError::Truncated {
                what: "credssp NegoData",
            },
            "credssp negodata: truncated",
        ),
        (
            CodecError::UnexpectedTag {
                what: "credssp tsrequest",
                tag: 0x31,
            },
            "credssp tsrequest: unexpected tag 0x31",
        ),
        (
            CodecError::IntegerTooLong {
                what: "credssp version",
                len: 10,
            },
            "credssp version: integer of 10 bytes",
        ),
        (
            CodecError::MissingVersion,
            "credssp tsrequest without a version",
        ),
    ] {
        assert_eq!(error.to_string(), text);
    }
}

proptest! {
    #[test]
    fn no_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = TsRequest::decode(&bytes);
        let _ = hint(&bytes);
    }

    #[test]
    fn no_panic_inside_a_sequence(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut bytes = Vec::new();
        super::der::write(&mut bytes, &[0x30], &body);
        prop_assert_eq!(hint(&bytes), Ok(FrameSize::Whole(bytes.len())));
        let _ = TsRequest::decode(&bytes);
    }

    #[test]
    fn round_trips(version in any::<u32>(), token in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..400)), code in proptest::option::of(any::<u32>())) {
        let request = TsRequest { version, nego_token: token, error_code: code };
        let bytes = request.encode();
        prop_assert_eq!(hint(&bytes), Ok(FrameSize::Whole(bytes.len())));
        prop_assert_eq!(TsRequest::decode(&bytes), Ok(request));
    }
}
