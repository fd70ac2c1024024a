use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
};
use sha2::{Digest, Sha256};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;
use std::sync::Arc;

/// The record's text of a time, key or signature, as results.jsonl and hosts.csv write it.
fn text(value: impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .expect("serializes")
        .as_str()
        .expect("written as a string")
        .to_string()
}

/// A test-only RSA 2048 key (PKCS#8), made with
/// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`; rcgen on ring can sign with
/// an RSA key but cannot generate one.
const RSA_2048_KEY_PEM: &str = include_str!("testdata/rsa2048-key.pem");

/// Made with `openssl req -x509 -newkey rsa:1024 -sha1 -nodes -subj /CN=weak.test -days 9000
/// -outform DER` (rcgen cannot make SHA-1 or RSA 1024 certificates).
const WEAK_DER: &[u8] = include_bytes!("testdata/weak-rsa1024-sha1.der");
/// RSASSA-PSS certificates made with openssl from `rsa2048-key.pem`: one with default
/// parameters for the hash (SHA-1), one with SHA-256.
const PSS_SHA1_DER: &[u8] = include_bytes!("testdata/pss-sha1.der");
const PSS_SHA256_DER: &[u8] = include_bytes!("testdata/pss-sha256.der");

/// `openssl x509 -inform DER -noout -fingerprint -sha256` of [`WEAK_DER`].
const WEAK_SHA256: &str = "e8e92b9accc4c621f78bd07a4e704c4ab1facabf0ec8b13b8dcdb8401cbc709b";

const NOW: OffsetDateTime = datetime!(2026-11-21 12:00:00 UTC);

fn params(cn: &str, not_before: OffsetDateTime, not_after: OffsetDateTime) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.not_before = not_before;
    params.not_after = not_after;
    params
}

fn year_params(cn: &str) -> CertificateParams {
    params(
        cn,
        datetime!(2026-01-01 00:00:00 UTC),
        datetime!(2027-01-01 12:30:45 UTC),
    )
}

fn self_signed(params: &CertificateParams, key: &KeyPair) -> Vec<u8> {
    params.self_signed(key).expect("self-signed").der().to_vec()
}

fn ec_key() -> KeyPair {
    KeyPair::generate().expect("P-256 key")
}

fn summary(der: &[u8]) -> CertInfo {
    summarize(der, NOW).expect("readable certificate")
}

#[test]
fn summarises_a_self_signed_p256_certificate() {
    let der = self_signed(&year_params("rdp01.corp.example"), &ec_key());
    let expected = CertInfo {
        subject: "rdp01.corp.example".into(),
        issuer: "rdp01.corp.example".into(),
        self_signed: true,
        not_before: Some(datetime!(2026-01-01 00:00:00 UTC)),
        not_after: Some(datetime!(2027-01-01 12:30:45 UTC)),
        days_left: 41,
        key: CertKey::Ec(Some(EcCurve::P256)),
        signature: SignatureAlgorithm::EcdsaWithSha256,
        sha256: format!("{:x}", Sha256::digest(&der)),
    };
    let info = summary(&der);
    assert_eq!(info, expected);
    let json = serde_json::to_value(&info).expect("serializes");
    assert_eq!(json["not_before"], "2026-01-01T00:00:00Z");
    assert_eq!(json["not_after"], "2027-01-01T12:30:45Z");
    assert_eq!(
        (text(&info.key), text(&info.signature)),
        ("EC P-256".into(), "ecdsa-with-SHA256".into())
    );
}

#[test]
fn a_certificate_signed_by_a_separate_ca_is_not_self_signed() {
    let ca_key = ec_key();
    let mut ca_params = year_params("Example Issuing CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = Issuer::new(ca_params, ca_key);
    let leaf_key = ec_key();
    let der = year_params("rdp02.corp.example")
        .signed_by(&leaf_key, &ca)
        .expect("signed leaf")
        .der()
        .to_vec();
    let info = summary(&der);
    assert_eq!(info.subject, "rdp02.corp.example");
    assert_eq!(info.issuer, "Example Issuing CA");
    assert!(!info.self_signed);
}

/// Same DN on both sides, but the authority key id names another key.
#[test]
fn key_identifiers_decide_between_equal_names() {
    let mut leaf = year_params("twin.example");
    leaf.is_ca = IsCa::ExplicitNoCa; // makes rcgen write the subject key id
    leaf.use_authority_key_identifier_extension = true;

    let own_key = ec_key();
    assert!(summary(&self_signed(&leaf, &own_key)).self_signed);

    let impostor = Issuer::new(year_params("twin.example"), ec_key());
    let der = leaf
        .signed_by(&own_key, &impostor)
        .expect("signed")
        .der()
        .to_vec();
    let info = summary(&der);
    assert_eq!(info.subject, info.issuer);
    assert!(!info.self_signed);
}

#[test]
fn a_subject_without_cn_is_given_as_the_dn() {
    let mut params = year_params("unused");
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Example Org");
    params
        .distinguished_name
        .push(DnType::OrganizationalUnitName, "RDP Hosts");
    let info = summary(&self_signed(&params, &ec_key()));
    assert_eq!(info.subject, "O=Example Org, OU=RDP Hosts");
    assert_eq!(info.issuer, info.subject);
}

#[test]
fn days_left_is_negative_once_expired() {
    let start = NOW - Duration::days(400);
    let key = ec_key();
    let expired = |not_after| summary(&self_signed(&params("old.example", start, not_after), &key));
    assert_eq!(expired(NOW - Duration::hours(1)).days_left, -1);
    assert_eq!(expired(NOW - Duration::days(30)).days_left, -30);
    assert_eq!(expired(NOW + Duration::hours(36)).days_left, 1);
    assert_eq!(expired(NOW).days_left, 0);
}

#[test]
fn days_left_rounds_toward_negative_infinity() {
    let expiry = datetime!(2027-01-01 00:00:00 UTC);
    let cases = [
        (expiry - Duration::days(2), 2),
        (expiry - Duration::hours(1), 0),
        (expiry, 0),
        (expiry + Duration::milliseconds(500), -1),
        (expiry + Duration::days(1), -1),
        (expiry + Duration::days(1) + Duration::seconds(1), -2),
    ];
    for (now, days) in cases {
        assert_eq!(days_left(now, expiry), days, "now = {now}");
    }
}

#[test]
fn times_are_rfc3339_utc_to_the_second() {
    let from = datetime!(2026-11-22 01:05:28.75 +02:00);
    let der = self_signed(
        &params("frac.example", from, from + Duration::days(10)),
        &ec_key(),
    );
    let info = summary(&der);
    // X.509 times have whole seconds: what is read is what is written, in UTC.
    let json = serde_json::to_value(&info).expect("serializes");
    assert_eq!(json["not_before"], "2026-11-21T23:05:28Z");
    assert_eq!(info.not_before, Some(datetime!(2026-11-21 23:05:28 UTC)));
}

#[test]
fn summarises_an_rsa_2048_certificate() {
    let key = KeyPair::from_pem_and_sign_algo(RSA_2048_KEY_PEM, &rcgen::PKCS_RSA_SHA256)
        .expect("test RSA key");
    let info = summary(&self_signed(&year_params("rsa.example"), &key));
    assert_eq!(info.key, CertKey::Rsa { bits: 2048 });
    assert_eq!(info.signature, SignatureAlgorithm::Sha256WithRsa);
    assert_eq!(
        (text(&info.key), text(&info.signature)),
        ("RSA 2048".into(), "sha256WithRSAEncryption".into())
    );
}

#[test]
fn summarises_p384_and_ed25519_certificates() {
    let p384 = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).expect("P-384 key");
    let info = summary(&self_signed(&year_params("p384.example"), &p384));
    assert_eq!(
        (text(&info.key), text(&info.signature)),
        ("EC P-384".into(), "ecdsa-with-SHA384".into())
    );

    let ed = KeyPair::generate_for(&rcgen::PKCS_ED25519).expect("Ed25519 key");
    let info = summary(&self_signed(&year_params("ed.example"), &ed));
    assert_eq!(
        (text(&info.key), text(&info.signature)),
        ("Ed25519".into(), "Ed25519".into())
    );
    assert_eq!(
        (info.key, info.signature),
        (CertKey::Ed25519, SignatureAlgorithm::Ed25519)
    );
}

#[test]
fn summarises_the_weak_sha1_rsa_1024_fixture() {
    let expected = CertInfo {
        subject: "weak.test".into(),
        issuer: "weak.test".into(),
        self_signed: true,
        not_before: Some(datetime!(2026-11-21 23:19:40 UTC)),
        not_after: Some(datetime!(2051-07-13 23:19:40 UTC)),
        days_left: 9000,
        key: CertKey::Rsa { bits: 1024 },
        signature: SignatureAlgorithm::Sha1WithRsa,
        sha256: WEAK_SHA256.into(),
    };
    let now = datetime!(2026-11-21 23:19:40 UTC);
    let info = summarize(WEAK_DER, now).expect("fixture");
    assert_eq!(info, expected);
    assert_eq!(
        (text(&info.key), text(&info.signature)),
        ("RSA 1024".into(), "sha1WithRSAEncryption".into())
    );
    assert!(info.signature.is_weak());
}

#[test]
fn garbage_is_an_error() {
    assert!(summarize(b"junk", NOW).is_err());
    assert!(summarize(b"", NOW).is_err());
    assert!(summarize(&WEAK_DER[..WEAK_DER.len() - 1], NOW).is_err());
    let mut trailing = WEAK_DER.to_vec();
    trailing.push(0);
    let err = summarize(&trailing, NOW).expect_err("trailing byte");
    assert_eq!(
        err.to_string(),
        "unreadable certificate: 1 trailing bytes after the certificate"
    );
}

#[test]
fn damaged_certificates_never_panic() {
    for len in 0..WEAK_DER.len() {
        assert!(
            summarize(&WEAK_DER[..len], NOW).is_err(),
            "prefix of {len} bytes"
        );
    }
    for index in 0..WEAK_DER.len() {
        for bit in 0..8 {
            let mut damaged = WEAK_DER.to_vec();
            damaged[index] ^= 1 << bit;
            let _ = summarize(&damaged, NOW);
        }
    }
}

#[test]
fn bit_length_ignores_leading_zeros() {
    assert_eq!(bit_length(&[0x00, 0x80, 0x00]), 16);
    assert_eq!(bit_length(&[0x01, 0xff]), 9);
    assert_eq!(bit_length(&[0x00]), 0);
    assert_eq!(bit_length(&[]), 0);
}

/// An algorithm identifier with no parameters.
fn algorithm(oid: Oid<'static>) -> AlgorithmIdentifier<'static> {
    AlgorithmIdentifier::new(oid, None)
}

#[test]
fn unknown_signature_algorithms_are_given_as_oids() {
    let oid = Oid::from(&[1, 2, 3, 4]).expect("oid");
    let unknown = signature(&algorithm(oid));
    assert_eq!(unknown, SignatureAlgorithm::Other(OidText::new("1.2.3.4")));
    assert_eq!(text(&unknown), "1.2.3.4");
    for (oid, name) in [
        (oids::OID_PKCS1_MD5WITHRSAENC, "md5WithRSAEncryption"),
        (oids::OID_PKCS1_SHA512WITHRSA, "sha512WithRSAEncryption"),
        (oids::OID_SIG_ECDSA_WITH_SHA224, "ecdsa-with-SHA224"),
    ] {
        assert_eq!(text(signature(&algorithm(oid))), name);
    }
    // RSASSA-PSS without parameters: SHA-1 (RFC 4055).
    assert_eq!(
        text(signature(&algorithm(oids::OID_PKCS1_RSASSAPSS))),
        "RSASSA-PSS with SHA-1"
    );
}

#[test]
fn hashes_are_named_by_oid_registry_constant_or_dotted_oid() {
    let oid = |arcs: &[u64]| Oid::from(arcs).expect("oid");
    assert_eq!(hash(&oids::OID_HASH_SHA1), HashAlgorithm::Sha1);
    assert_eq!(hash(&oid(&[1, 2, 840, 113549, 2, 5])), HashAlgorithm::Md5);
    assert_eq!(
        hash(&oid(&[2, 16, 840, 1, 101, 3, 4, 2, 4])),
        HashAlgorithm::Sha224
    );
    assert_eq!(
        hash(&oid(&[2, 16, 840, 1, 101, 3, 4, 2, 1])),
        HashAlgorithm::Sha256
    );
    assert_eq!(
        hash(&oid(&[1, 2, 3, 4])),
        HashAlgorithm::Other(OidText::new("1.2.3.4"))
    );
    let texts: Vec<String> = [
        HashAlgorithm::Sha1,
        HashAlgorithm::Md5,
        HashAlgorithm::Sha224,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(texts, ["SHA-1", "MD5", "SHA-224"]);
}

#[test]
fn rsassa_pss_signatures_are_named_with_their_hash() {
    let sha1 = summary(PSS_SHA1_DER);
    assert_eq!(text(&sha1.signature), "RSASSA-PSS with SHA-1");
    assert_eq!(
        sha1.signature,
        SignatureAlgorithm::RsaPss(Some(HashAlgorithm::Sha1))
    );
    assert!(sha1.signature.is_weak());
    assert_eq!(text(&sha1.key), "RSA 2048");
    let sha256 = summary(PSS_SHA256_DER);
    assert_eq!(text(&sha256.signature), "RSASSA-PSS with SHA-256");
    assert!(!sha256.signature.is_weak());
}

/// `der` with every occurrence of `from` replaced by `to` (same length): a damaged name that
/// the parser still reads (the signature is not checked when summarising).
fn patched(der: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut out = der.to_vec();
    let mut found = false;
    for at in 0..=out.len() - from.len() {
        if out[at..at + from.len()] == *from {
            out[at..at + to.len()].copy_from_slice(to);
            found = true;
        }
    }
    assert!(found, "the bytes to patch");
    out
}

#[test]
fn names_that_are_not_valid_text_show_the_bad_bytes_escaped() {
    // A UTF-8 CN with one byte that is not UTF-8, and an O (in a DN without CN) with a NUL.
    let der = self_signed(&year_params("badname.test"), &ec_key());
    let info = summary(&patched(&der, b"badname", b"bad\xffame"));
    assert_eq!(info.subject, "bad\\xffame.test");
    assert!(!info.subject.contains("X509Error"), "{}", info.subject);

    let mut params = year_params("unused");
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Example Org");
    let der = self_signed(&params, &ec_key());
    let info = summary(&patched(&der, b"Example", b"Ex\xc3\x28ple"));
    assert_eq!(info.subject, "O=Ex\\xc3(ple Org");
}

/// A CA certificate, as a server sends it after its leaf.
fn ca_certificate(cn: &str) -> Vec<u8> {
    let mut params = year_params(cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    self_signed(&params, &ec_key())
}

#[test]
fn a_sent_certificate_is_read_once_per_scan_and_its_days_left_follow_the_clock() {
    let der = ca_certificate("Example Issuing CA");
    let cache = SentCache::default();
    let first = cache.get(&der, NOW);
    assert!(Arc::ptr_eq(&first, &cache.get(&der, NOW)), "read once");
    assert_eq!(first.summary(NOW), Some(summary(&der)));
    let later = NOW + Duration::days(40) + Duration::hours(3);
    let read_later = summarize(&der, later).expect("readable");
    assert_eq!(cache.get(&der, later).summary(later), Some(read_later));
    let (_, cert) = X509Certificate::from_der(&der).expect("parses");
    assert_eq!(first.issuer.as_deref(), Some(cert.issuer().as_raw()));
}

#[test]
fn garbage_sent_after_a_leaf_has_no_summary_and_no_issuer() {
    let sent = Sent::of(b"not a certificate", NOW);
    assert_eq!(sent.summary(NOW), None);
    assert_eq!(sent.issuer, None);
    // Readable, but followed by bytes: an issuer to judge by, no summary (as a leaf would say).
    let mut trailing = ca_certificate("Trailing CA");
    trailing.extend_from_slice(b"xx");
    let sent = Sent::of(&trailing, NOW);
    assert_eq!(sent.summary(NOW), None);
    assert!(sent.issuer.is_some());
}

#[test]
fn the_cache_of_sent_certificates_stays_within_its_bounds() {
    let cache = SentCache::default();
    let read_each_time = |der: &[u8]| !Arc::ptr_eq(&cache.get(der, NOW), &cache.get(der, NOW));
    assert!(
        read_each_time(b"junk"),
        "bytes that are no certificate are not kept"
    );
    let mut large = ca_certificate("Large CA");
    large.resize(SENT_MAX_DER + 1, 0);
    assert!(
        read_each_time(&large),
        "nor a certificate over the size bound"
    );
    // One key signs them all: only the names differ.
    let key = ec_key();
    let ca = |i: usize| {
        let mut params = year_params(&format!("Issuing CA {i}"));
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        self_signed(&params, &key)
    };
    for i in 0..SENT_MAX {
        assert!(!read_each_time(&ca(i)), "{i} kept");
    }
    let one_too_many = ca(SENT_MAX);
    assert!(read_each_time(&one_too_many), "the cache is full");
    let sent = cache.get(&one_too_many, NOW);
    assert_eq!(
        sent.summary(NOW),
        Some(summary(&one_too_many)),
        "and still read right"
    );
}
