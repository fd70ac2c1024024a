//! Every report word pinned, read back, and (with `serde`) serialised as itself: the words
//! are those `rdpsweep-reports` writes, so results.jsonl files of today still load.

use proptest::prelude::*;

use crate::{
    CodecError, EncryptionLevel, EncryptionMethod, FailureCode, RdpVersion, ResponseFlags,
    SecurityProtocol, TlsWireVersion,
};

/// `value` displays as `word` and `word` reads back as `value`.
fn pinned<T>(value: T, word: &str)
where
    T: std::fmt::Display + std::str::FromStr<Err = CodecError> + PartialEq + std::fmt::Debug,
{
    assert_eq!(value.to_string(), word, "{value:?}");
    assert_eq!(word.parse::<T>(), Ok(value), "{word:?}");
}

#[test]
fn selected_protocol_words() {
    let p = SecurityProtocol::from_bits_retain;
    pinned(SecurityProtocol::RDP, "rdp");
    pinned(SecurityProtocol::SSL, "ssl");
    pinned(SecurityProtocol::HYBRID, "hybrid");
    pinned(SecurityProtocol::RDSTLS, "rdstls");
    pinned(SecurityProtocol::HYBRID_EX, "hybrid_ex");
    pinned(SecurityProtocol::RDSAAD, "rdsaad");
    pinned(p(0x20), "unknown(0x20)");
    pinned(SecurityProtocol::WINDOWS_CLIENT, "unknown(0xb)");
    assert_eq!("unknown(20)".parse(), Ok(p(0x20)), "hex without its 0x");
    assert_eq!("unknown(0x1)".parse(), Ok(SecurityProtocol::SSL));
    assert_eq!(
        "maybe".parse::<SecurityProtocol>(),
        Err(CodecError::UnknownWord {
            kind: "selected_protocol",
            value: "maybe".into()
        })
    );
    assert_eq!(
        "maybe".parse::<SecurityProtocol>().unwrap_err().to_string(),
        "unknown selected_protocol value \"maybe\""
    );
}

#[test]
fn failure_code_words() {
    for (code, word) in [
        (FailureCode::SSL_REQUIRED_BY_SERVER, "ssl_required"),
        (FailureCode::SSL_NOT_ALLOWED_BY_SERVER, "ssl_not_allowed"),
        (
            FailureCode::SSL_CERT_NOT_ON_SERVER,
            "ssl_cert_not_on_server",
        ),
        (FailureCode::INCONSISTENT_FLAGS, "inconsistent_flags"),
        (FailureCode::HYBRID_REQUIRED_BY_SERVER, "hybrid_required"),
        (
            FailureCode::SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER,
            "ssl_with_user_auth_required",
        ),
        (FailureCode(99), "unknown(99)"),
        (FailureCode(0), "unknown(0)"),
    ] {
        pinned(code, word);
    }
    assert!("unknown(0x63)".parse::<FailureCode>().is_err(), "decimal");
    assert!("ssl".parse::<FailureCode>().is_err());
}

#[test]
fn response_flag_words() {
    let f = ResponseFlags::from_bits_retain;
    pinned(ResponseFlags::empty(), "");
    pinned(
        f(0x1f),
        "extended_client_data|dynvc_gfx|negrsp_reserved|restricted_admin|redirected_auth",
    );
    pinned(f(0x43), "extended_client_data|dynvc_gfx|0x40");
    pinned(f(0x81), "extended_client_data|0x80");
    pinned(f(0x20), "0x20");
    pinned(
        ResponseFlags::RESTRICTED_ADMIN_MODE_SUPPORTED,
        "restricted_admin",
    );
    assert_eq!("dynvc_gfx|extended_client_data".parse(), Ok(f(0x03)));
    for bad in ["bogus", "extended_client_data|x", "0x100"] {
        assert_eq!(
            bad.parse::<ResponseFlags>(),
            Err(CodecError::UnknownWord {
                kind: "neg_flags",
                value: bad.into()
            })
        );
    }
}

#[test]
fn encryption_method_words_weakest_first() {
    let words: Vec<String> = EncryptionMethod::ALL
        .iter()
        .map(|m| m.to_string())
        .collect();
    assert_eq!(words, ["40bit", "56bit", "128bit", "fips"]);
    let bits: Vec<u32> = EncryptionMethod::ALL.iter().map(|m| m.bits()).collect();
    assert_eq!(bits, [0x01, 0x08, 0x02, 0x10]);
    for method in EncryptionMethod::ALL {
        pinned(method, &method.to_string());
    }
    pinned(EncryptionMethod::NONE, "none");
    pinned(
        EncryptionMethod::from_bits_retain(0x1b),
        "40bit|56bit|128bit|fips",
    );
    pinned(EncryptionMethod::from_bits_retain(0x21), "40bit|0x20");
    for bad in ["", "64bit", "40-bit"] {
        assert_eq!(
            bad.parse::<EncryptionMethod>(),
            Err(CodecError::UnknownWord {
                kind: "encryption method",
                value: bad.into()
            })
        );
    }
}

#[test]
fn encryption_level_words() {
    pinned(EncryptionLevel::NONE, "none");
    pinned(EncryptionLevel::LOW, "low");
    pinned(EncryptionLevel::CLIENT_COMPATIBLE, "client-compatible");
    pinned(EncryptionLevel::HIGH, "high");
    pinned(EncryptionLevel::FIPS, "fips");
    pinned(EncryptionLevel(7), "unknown(7)");
    assert_eq!(
        "medium".parse::<EncryptionLevel>().unwrap_err().to_string(),
        "unknown encryption level value \"medium\""
    );
}

#[test]
fn rdp_version_words() {
    for (value, text) in [
        (0x0008_0001, "4.0"),
        (0x0008_0004, "5.0-8.1"),
        (0x0008_0005, "10.0"),
        (0x0008_000c, "10.7"),
        (0x0008_0011, "10.12"),
        (0x0008_0012, "unknown(0x00080012)"),
        (0, "unknown(0x00000000)"),
    ] {
        pinned(RdpVersion(value), text);
    }
    for bad in ["10.13", "3.0", "unknown(zz)", "", "RDP 10.7"] {
        assert!(bad.parse::<RdpVersion>().is_err(), "{bad}");
    }
    assert_eq!(
        RdpVersion(0x0008_000c).name(),
        Some("RDP 10.7"),
        "the product name stays available"
    );
}

#[test]
fn encryption_levels_known_weakest_first() {
    let words: Vec<String> = EncryptionLevel::KNOWN
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert_eq!(words, ["none", "low", "client-compatible", "high", "fips"]);
    for level in EncryptionLevel::KNOWN {
        assert_eq!(level.name(), Some(level.to_string().as_str()));
    }
    assert_eq!(EncryptionLevel(5).name(), None);
    assert_eq!(EncryptionLevel(u32::MAX).name(), None);
}

#[test]
fn tls_version_words_as_the_legacy_reader_names_them() {
    for (wire, text) in [
        (0x0300, "SSLv3"),
        (0x0301, "TLSv1.0"),
        (0x0302, "TLSv1.1"),
        (0x0303, "TLSv1.2"),
        (0x0304, "TLSv1.3"),
        (0x7f1c, "0x7f1c"),
        (0x0002, "0x0002"),
    ] {
        pinned(TlsWireVersion(wire), text);
    }
    for bad in [
        "", "TLS1.2", "0x301", "0x7F1C", "0x0303", "0xzzzz", "tlsv1.2",
    ] {
        assert_eq!(
            bad.parse::<TlsWireVersion>(),
            Err(CodecError::UnknownWord {
                kind: "tls version",
                value: bad.into()
            }),
            "{bad:?}"
        );
    }
    assert!(TlsWireVersion::SSL3_0 < TlsWireVersion::TLS1_0);
    assert!(TlsWireVersion::TLS1_3 < TlsWireVersion(0x7f1c));
}

proptest! {
    #[test]
    fn every_value_round_trips(value in any::<u32>(), byte in any::<u8>(), word in any::<u16>()) {
        let p = SecurityProtocol::from_bits_retain(value);
        prop_assert_eq!(p.to_string().parse::<SecurityProtocol>(), Ok(p));
        prop_assert_eq!(FailureCode(value).to_string().parse(), Ok(FailureCode(value)));
        let f = ResponseFlags::from_bits_retain(byte);
        prop_assert_eq!(f.to_string().parse::<ResponseFlags>(), Ok(f));
        let m = EncryptionMethod::from_bits_retain(value);
        prop_assert_eq!(m.to_string().parse::<EncryptionMethod>(), Ok(m));
        prop_assert_eq!(EncryptionLevel(value).to_string().parse(), Ok(EncryptionLevel(value)));
        prop_assert_eq!(RdpVersion(value).to_string().parse(), Ok(RdpVersion(value)));
        let v = TlsWireVersion(word);
        prop_assert_eq!(v.to_string().parse::<TlsWireVersion>(), Ok(v));
    }

    #[test]
    fn parsing_never_panics(text in ".{0,40}") {
        let _ = text.parse::<SecurityProtocol>();
        let _ = text.parse::<FailureCode>();
        let _ = text.parse::<ResponseFlags>();
        let _ = text.parse::<EncryptionMethod>();
        let _ = text.parse::<EncryptionLevel>();
        let _ = text.parse::<RdpVersion>();
        let _ = text.parse::<TlsWireVersion>();
    }
}

#[cfg(feature = "serde")]
mod serde_words {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Record {
        selected: Option<SecurityProtocol>,
        neg_failure: Option<FailureCode>,
        neg_flags: ResponseFlags,
        methods: Vec<EncryptionMethod>,
        level: EncryptionLevel,
        version: RdpVersion,
        tls_version: Option<TlsWireVersion>,
    }

    #[test]
    fn serialised_as_the_word_and_read_back() {
        let record = Record {
            selected: Some(SecurityProtocol::HYBRID_EX),
            neg_failure: Some(FailureCode(99)),
            neg_flags: ResponseFlags::from_bits_retain(0x43),
            methods: vec![EncryptionMethod::BIT_40, EncryptionMethod::BIT_128],
            level: EncryptionLevel::CLIENT_COMPATIBLE,
            version: RdpVersion(0x0008_000c),
            tls_version: Some(TlsWireVersion::SSL3_0),
        };
        let json = serde_json::to_string(&record).unwrap();
        assert_eq!(
            json,
            r#"{"selected":"hybrid_ex","neg_failure":"unknown(99)","neg_flags":"extended_client_data|dynvc_gfx|0x40","methods":["40bit","128bit"],"level":"client-compatible","version":"10.7","tls_version":"SSLv3"}"#
        );
        assert_eq!(serde_json::from_str::<Record>(&json).unwrap(), record);
    }

    #[test]
    fn a_wrong_word_is_a_deserialisation_error() {
        let err = serde_json::from_str::<SecurityProtocol>(r#""tls""#).unwrap_err();
        assert!(
            err.to_string()
                .contains("unknown selected_protocol value \"tls\""),
            "{err}"
        );
        assert!(
            serde_json::from_str::<RdpVersion>("12").is_err(),
            "a number is no word"
        );
    }
}
