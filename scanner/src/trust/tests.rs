//! Trust judged on certificates made here: a test CA given with `--ca-file`, leaves it issues
//! (valid, expired, not yet valid, for another name), a self-signed one, and one from a CA
//! nobody trusts.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
    KeyUsagePurpose,
};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::FromDer;

use super::*;

struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
    pem: String,
}

fn ca(name: &str) -> Ca {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = OffsetDateTime::now_utc() - Duration::days(10);
    params.not_after = OffsetDateTime::now_utc() + Duration::days(3650);
    let issuer =
        CertifiedIssuer::self_signed(params, KeyPair::generate().expect("key")).expect("ca");
    let pem = issuer.pem();
    Ca { issuer, pem }
}

/// A leaf for `name`, valid from `from` to `to` days from now.
fn leaf_params(name: &str, from: i64, to: i64) -> CertificateParams {
    let mut params = CertificateParams::new(vec![name.to_string()]).expect("params");
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params.not_before = OffsetDateTime::now_utc() + Duration::days(from);
    params.not_after = OffsetDateTime::now_utc() + Duration::days(to);
    params
}

fn issued(ca: &Ca, name: &str, from: i64, to: i64) -> Vec<Vec<u8>> {
    let key = KeyPair::generate().expect("key");
    let cert = leaf_params(name, from, to)
        .signed_by(&key, &ca.issuer)
        .expect("leaf");
    vec![cert.der().to_vec()]
}

fn self_signed(name: &str) -> Vec<Vec<u8>> {
    let key = KeyPair::generate().expect("key");
    let cert = leaf_params(name, -1, 365).self_signed(&key).expect("cert");
    vec![cert.der().to_vec()]
}

fn store(cas: &[&Ca]) -> (TrustStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let files: Vec<PathBuf> = cas
        .iter()
        .enumerate()
        .map(|(i, ca)| {
            let path = dir.path().join(format!("ca{i}.pem"));
            std::fs::write(&path, &ca.pem).expect("write ca");
            path
        })
        .collect();
    (TrustStore::load(&files).expect("trust store"), dir)
}

fn judge(store: &TrustStore, chain: &[Vec<u8>], name: Option<&str>) -> TrustVerdict {
    store.judge(chain, name, UnixTime::now())
}

#[test]
fn a_leaf_of_a_ca_file_for_the_name_is_trusted() {
    let corp = ca("Corp Issuing CA");
    let (store, _dir) = store(&[&corp]);
    let good = issued(&corp, "rdp01.corp.test", -1, 90);
    assert_eq!(
        judge(&store, &good, Some("rdp01.corp.test")),
        TrustVerdict {
            chain: Ok(()),
            name_match: Some(true)
        }
    );
    // Another name: trusted chain, wrong name. No name known: no verdict on it.
    assert_eq!(
        judge(&store, &good, Some("rdp02.corp.test")).name_match,
        Some(false)
    );
    assert_eq!(judge(&store, &good, None).name_match, None);
}

#[test]
fn each_reason_a_client_refuses_a_chain_is_named() {
    let corp = ca("Corp Issuing CA");
    let rogue = ca("Rogue CA");
    let (store, _dir) = store(&[&corp]);
    let chain = |chain: &[Vec<u8>]| judge(&store, chain, None).chain;
    assert_eq!(
        chain(&issued(&corp, "a.test", -60, -1)),
        Err(Untrusted::Expired)
    );
    assert_eq!(
        chain(&issued(&corp, "a.test", 30, 60)),
        Err(Untrusted::NotYetValid)
    );
    assert_eq!(chain(&self_signed("a.test")), Err(Untrusted::SelfSigned));
    assert_eq!(
        chain(&issued(&rogue, "a.test", -1, 60)),
        Err(Untrusted::UnknownIssuer)
    );
    assert_eq!(chain(&[]), Err(Untrusted::Invalid));
    assert_eq!(
        chain(&[b"not a certificate".to_vec()]),
        Err(Untrusted::Invalid)
    );
    // Without the CA file, the corporate leaf is as unknown as the rogue one.
    let public_only = TrustStore::load(&[]).expect("public roots");
    assert_eq!(
        judge(&public_only, &issued(&corp, "a.test", -1, 60), None).chain,
        Err(Untrusted::UnknownIssuer)
    );
}

#[test]
fn a_ca_file_that_is_not_one_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "no certificate here\n").expect("write");
    let e = TrustStore::load(std::slice::from_ref(&empty)).expect_err("no certificate");
    assert!(
        e.contains("empty.pem") && e.contains("no certificate"),
        "{e}"
    );
    let missing = dir.path().join("missing.pem");
    let e = TrustStore::load(std::slice::from_ref(&missing)).expect_err("missing");
    assert!(
        e.contains("missing.pem") && e.contains("cannot read"),
        "{e}"
    );
}

#[test]
fn a_certificate_naming_the_host_only_in_its_cn_names_it() {
    // Windows' self-signed Remote Desktop certificates: CN = the host's DNS name, no SAN.
    let mut params = leaf_params("rdp01.corp.test", -1, 90);
    params.subject_alt_names.clear();
    let key = KeyPair::generate().expect("key");
    let chain = vec![params.self_signed(&key).expect("cert").der().to_vec()];
    let public = TrustStore::public();
    assert_eq!(
        judge(&public, &chain, Some("RDP01.corp.test")).name_match,
        Some(true)
    );
    assert_eq!(
        judge(&public, &chain, Some("rdp02.corp.test")).name_match,
        Some(false)
    );
    // With a DNS name in the SAN, the CN is not looked at (as WebPKI and browsers do).
    let other = issued(&ca("Corp CA"), "rdp03.corp.test", -1, 90);
    assert_eq!(
        judge(&public, &other, Some("rdp03.corp.test")).name_match,
        Some(true)
    );
}

#[test]
fn wildcards_cover_one_label() {
    assert!(dns_name_matches("*.corp.test", "rdp01.corp.test"));
    assert!(!dns_name_matches("*.corp.test", "a.rdp01.corp.test"));
    assert!(!dns_name_matches("*.corp.test", "corp.test"));
    assert!(dns_name_matches("RDP01.Corp.Test.", "rdp01.corp.test"));
}

#[test]
fn a_name_that_is_not_valid_text_makes_the_certificate_unparsable_for_clients() {
    let sound = self_signed("aaaa.test").remove(0);
    // The CN's UTF8String (tag 0x0c, length 9): its first two bytes made invalid UTF-8.
    let cn = [&[0x0c, 9][..], b"aaaa.test"].concat();
    let at = sound
        .windows(cn.len())
        .position(|w| w == cn.as_slice())
        .expect("the CN's UTF8String");
    let mut bad = sound.clone();
    bad[at + 2] = 0xff;
    bad[at + 3] = 0xfe;
    let store = TrustStore::public();
    assert_eq!(
        judge(&store, &[bad], Some("aaaa.test")).chain,
        Err(Untrusted::Unparsable)
    );
    assert_eq!(
        judge(&store, &[sound], None).chain,
        Err(Untrusted::SelfSigned)
    );
}

#[test]
fn a_chain_through_an_intermediate_of_a_trusted_ca_is_trusted_and_of_another_is_not() {
    let root = ca("Corp Root");
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, "Corp Issuing CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    params.not_before = OffsetDateTime::now_utc() - Duration::days(10);
    params.not_after = OffsetDateTime::now_utc() + Duration::days(3650);
    let issuing =
        CertifiedIssuer::signed_by(params, KeyPair::generate().expect("key"), &root.issuer)
            .expect("issuing ca");
    let key = KeyPair::generate().expect("key");
    let leaf = leaf_params("rdp.corp.test", -1, 365)
        .signed_by(&key, &issuing)
        .expect("leaf");
    let chain = vec![leaf.der().to_vec(), issuing.der().to_vec()];
    let (trusting, _files) = store(&[&root]);
    assert_eq!(
        judge(&trusting, &chain, Some("rdp.corp.test")).chain,
        Ok(())
    );
    // The intermediate sent, the root not trusted: the issuer is unknown.
    let (other, _files) = store(&[&ca("Someone Else")]);
    assert_eq!(
        judge(&other, &chain, None).chain,
        Err(Untrusted::UnknownIssuer)
    );
    // The root trusted, but the intermediate not sent: no path.
    assert_eq!(
        judge(&trusting, &chain[..1], None).chain,
        Err(Untrusted::UnknownIssuer)
    );
}

/// What WebPKI itself says of `chain` (the judgement without the pre-check).
fn webpki_says(store: &TrustStore, chain: &[Vec<u8>]) -> Result<(), Untrusted> {
    let (_, leaf) = X509Certificate::from_der(&chain[0]).expect("leaf");
    let leaf_der = CertificateDer::from(chain[0].as_slice());
    let parsed = ParsedCertificate::try_from(&leaf_der).expect("webpki parses the leaf");
    let rest: Vec<CertificateDer<'_>> = chain[1..]
        .iter()
        .map(|der| CertificateDer::from(der.as_slice()))
        .collect();
    verify_server_cert_signed_by_trust_anchor(
        &parsed,
        &store.roots,
        &rest,
        UnixTime::now(),
        store.provider.signature_verification_algorithms.all,
    )
    .map_err(|e| untrusted(&e, &leaf))
}

#[test]
fn the_pre_check_never_changes_what_webpki_would_say() {
    let corp = ca("Corp Root");
    let rogue = ca("Rogue CA");
    let (store, _dir) = store(&[&corp]);
    let with = |name: &str, edit: &dyn Fn(&mut CertificateParams)| {
        let mut params = leaf_params(name, -1, 365);
        edit(&mut params);
        params
    };
    let client_only = |p: &mut CertificateParams| {
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    };
    let server = |p: &mut CertificateParams| {
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    };
    let a_ca = |p: &mut CertificateParams| {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    };
    let signed = |params: CertificateParams, by: &Ca| {
        let key = KeyPair::generate().expect("key");
        vec![params
            .signed_by(&key, &by.issuer)
            .expect("leaf")
            .der()
            .to_vec()]
    };
    let own = |params: CertificateParams| {
        let key = KeyPair::generate().expect("key");
        vec![params.self_signed(&key).expect("cert").der().to_vec()]
    };
    // A cross-signed intermediate sent after a self-signed one of the same name and key: only
    // the second leads to the trusted root.
    let r2_key = KeyPair::generate().expect("key");
    let r2_params = || {
        let mut p = CertificateParams::default();
        p.distinguished_name = DistinguishedName::new();
        p.distinguished_name.push(DnType::CommonName, "Corp R2");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        p.not_before = OffsetDateTime::now_utc() - Duration::days(10);
        p.not_after = OffsetDateTime::now_utc() + Duration::days(3650);
        p
    };
    let r2_self = r2_params().self_signed(&r2_key).expect("r2");
    let r2_cross = r2_params()
        .signed_by(&r2_key, &corp.issuer)
        .expect("r2 cross");
    let r2 = CertifiedIssuer::self_signed(r2_params(), r2_key).expect("r2 issuer");
    let leaf_key = KeyPair::generate().expect("key");
    let r2_leaf = leaf_params("rdp.corp.test", -1, 365)
        .signed_by(&leaf_key, &r2)
        .expect("leaf");
    let cross = vec![
        r2_leaf.der().to_vec(),
        r2_self.der().to_vec(),
        r2_cross.der().to_vec(),
    ];
    let cases: Vec<(&str, Vec<Vec<u8>>)> = vec![
        (
            "self-signed, client auth only",
            own(with("a.test", &client_only)),
        ),
        ("self-signed, server auth", own(with("a.test", &server))),
        ("self-signed CA", own(with("a.test", &a_ca))),
        (
            "rogue CA, client auth only",
            signed(with("a.test", &client_only), &rogue),
        ),
        ("rogue CA, a CA leaf", signed(with("a.test", &a_ca), &rogue)),
        ("rogue CA, plain", signed(with("a.test", &|_| {}), &rogue)),
        (
            "rogue CA, expired",
            signed(leaf_params("a.test", -60, -1), &rogue),
        ),
        (
            "trusted CA, client auth only",
            signed(with("a.test", &client_only), &corp),
        ),
        ("cross-signed behind a self-signed twin", cross),
    ];
    for (what, chain) in &cases {
        assert_eq!(
            judge(&store, chain, None).chain,
            webpki_says(&store, chain),
            "{what}"
        );
    }
    let verdicts: Vec<_> = cases
        .iter()
        .map(|(_, chain)| judge(&store, chain, None).chain)
        .collect();
    assert_eq!(verdicts[0], Err(Untrusted::NotForServers));
    assert_eq!(verdicts[3], Err(Untrusted::NotForServers));
    assert_eq!(
        verdicts[8],
        Ok(()),
        "the path through the cross-signed twin"
    );
}
