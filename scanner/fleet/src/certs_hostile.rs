//! The hostile profile's certificates: a chain of dozens that no one trusts, one padded to
//! hundreds of kilobytes, and a name of bytes that are not text.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, CustomExtension, DistinguishedName,
    DnType, IsCa, KeyPair, KeyUsagePurpose, SerialNumber,
};
use rustls::pki_types::CertificateDer;
use time::{Duration, OffsetDateTime};

use super::spec::chain_ca_name;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The padding extension's OID: under 1.3.6.1.4.1.32473, the enterprise number RFC 5612
/// reserves for documentation, so no software gives it a meaning.
const PADDING_OID: &[u64] = &[1, 3, 6, 1, 4, 1, 32473, 1];
/// DER tag of an OCTET STRING.
const OCTET_STRING: u8 = 0x04;
/// DER tag of a UTF8String.
const UTF8_STRING: u8 = 0x0c;

/// `leaf` signed into a chain of `certificates` certificates (leaf first): CA `n` (CN
/// [`chain_ca_name`]) signs the certificate before it, the last CA signs itself.
pub fn long_chain(
    leaf: CertificateParams,
    key: &KeyPair,
    certificates: usize,
) -> Result<Vec<CertificateDer<'static>>, BoxError> {
    let cas = certificates
        .checked_sub(1)
        .filter(|n| *n > 0)
        .ok_or("a chain needs a leaf and at least one ca")?;
    // From the top: the self-signed last CA, then each CA signed by the one above it.
    let mut issuer = CertifiedIssuer::self_signed(ca_params(cas)?, new_key()?)?;
    let mut above = vec![issuer.der().clone()];
    for n in (1..cas).rev() {
        issuer = CertifiedIssuer::signed_by(ca_params(n)?, new_key()?, &issuer)?;
        above.push(issuer.der().clone());
    }
    let mut chain = vec![leaf.signed_by(key, &issuer)?.der().clone()];
    chain.extend(above.into_iter().rev());
    Ok(chain)
}

/// The parameters of the `n`-th CA of a long chain.
fn ca_params(n: usize) -> Result<CertificateParams, BoxError> {
    let now = OffsetDateTime::now_utc();
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, chain_ca_name(n));
    params.not_before = now - Duration::days(30);
    params.not_after = now + Duration::days(3650);
    params.serial_number = Some(SerialNumber::from(0x2000 + u64::try_from(n)?));
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    Ok(params)
}

fn new_key() -> Result<KeyPair, rcgen::Error> {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
}

/// A private, non-critical extension whose value is an OCTET STRING of `bytes` zero bytes.
pub fn padding(bytes: usize) -> CustomExtension {
    // rcgen takes the extension's value as DER: the tag, the length in long form (0x80 | the
    // number of length octets, then the length big-endian), the contents.
    let length = bytes.to_be_bytes();
    let significant = &length[length.iter().take_while(|b| **b == 0).count()..];
    let mut value = vec![OCTET_STRING];
    if bytes < 0x80 {
        value.push(bytes as u8);
    } else {
        value.push(0x80 | significant.len() as u8);
        value.extend_from_slice(significant);
    }
    value.resize(value.len() + bytes, 0);
    CustomExtension::from_oid_content(PADDING_OID, value)
}

/// A CN of `len` characters that no certificate otherwise contains, to be replaced by
/// [`patch_name`].
pub fn placeholder(len: usize) -> String {
    "~".repeat(len)
}

/// `cert` with every UTF8String holding `placeholder` (the subject's CN, and the issuer's of a
/// self-signed certificate) holding `bytes` instead, which have the same length. The
/// signature then no longer matches, which no client of the fleet checks before the name.
pub fn patch_name(
    cert: &CertificateDer<'_>,
    placeholder: &str,
    bytes: &[u8],
) -> Result<CertificateDer<'static>, BoxError> {
    let len = u8::try_from(bytes.len())
        .ok()
        .filter(|len| *len < 0x80 && usize::from(*len) == placeholder.len())
        .ok_or("a patched name keeps its length, under 128 bytes")?;
    let find = [&[UTF8_STRING, len][..], placeholder.as_bytes()].concat();
    let replace = [&[UTF8_STRING, len][..], bytes].concat();
    let mut der = cert.to_vec();
    let mut patched = 0;
    let mut at = 0;
    while let Some(found) = der[at..].windows(find.len()).position(|w| w == find) {
        let start = at + found;
        der[start..start + find.len()].copy_from_slice(&replace);
        at = start + find.len();
        patched += 1;
    }
    if patched == 0 {
        return Err("the placeholder name is not in the certificate".into());
    }
    Ok(CertificateDer::from(der))
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::{FromDer, X509Certificate};

    fn self_signed(cn: &str) -> (CertificateDer<'static>, KeyPair) {
        let key = new_key().expect("key");
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, cn);
        let cert = params.self_signed(&key).expect("cert").der().clone();
        (cert, key)
    }

    #[test]
    fn a_long_chain_links_each_certificate_to_the_next() {
        let (_, key) = self_signed("leaf");
        let mut leaf = CertificateParams::default();
        leaf.distinguished_name.push(DnType::CommonName, "leaf");
        let chain = long_chain(leaf, &key, 5).expect("chain");
        assert_eq!(chain.len(), 5);
        let parsed: Vec<_> = chain
            .iter()
            .map(|der| X509Certificate::from_der(der).expect("parse").1)
            .collect();
        for pair in parsed.windows(2) {
            assert_eq!(pair[0].issuer(), pair[1].subject());
        }
        let last = parsed.last().expect("last");
        assert_eq!(last.issuer(), last.subject());
        assert_eq!(
            parsed[1].subject().to_string(),
            format!("CN={}", chain_ca_name(1))
        );
    }

    #[test]
    fn padding_makes_the_certificate_that_much_larger() {
        let key = new_key().expect("key");
        let mut params = CertificateParams::default();
        params.custom_extensions = vec![padding(200 * 1024)];
        let der = params.self_signed(&key).expect("cert").der().clone();
        assert!(
            (200 * 1024..201 * 1024).contains(&der.len()),
            "{}",
            der.len()
        );
        assert!(X509Certificate::from_der(&der).is_ok());
    }

    #[test]
    fn a_patched_name_holds_the_bytes_in_subject_and_issuer() {
        let bytes = b"bad\xff\xfe";
        let (cert, _) = self_signed(&placeholder(bytes.len()));
        let patched = patch_name(&cert, &placeholder(bytes.len()), bytes).expect("patch");
        assert_eq!(patched.len(), cert.len());
        let (_, parsed) = X509Certificate::from_der(&patched).expect("parse");
        for name in [parsed.subject(), parsed.issuer()] {
            let cn = name.iter_common_name().next().expect("cn");
            assert_eq!(cn.attr_value().data, bytes);
        }
    }
}
