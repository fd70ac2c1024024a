//! What an X.509 certificate says, summarised for the report (x509-parser does the parsing).
//!
//! [`summarize`] reads one DER certificate and never panics on garbage: anything that is not
//! exactly one well-formed certificate is a [`CertError`].

use rdpsweep_reports::timestamp::whole_second_utc;
use rdpsweep_reports::{
    CertInfo, CertKey, EcCurve, HashAlgorithm, Oid as OidText, SignatureAlgorithm,
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_parser::asn1_rs::{Any, Tag};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::oid_registry::{self as oids, Oid};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::RSAPublicKey;
use x509_parser::signature_algorithm::RsaSsaPssParams;
use x509_parser::x509::AlgorithmIdentifier;
use x509_parser::x509::{AttributeTypeAndValue, SubjectPublicKeyInfo, X509Name};

/// Why a certificate could not be read.
#[derive(Debug, thiserror::Error)]
#[error("unreadable certificate: {0}")]
pub struct CertError(pub String);

/// Summarises one DER certificate as seen at `now`: subject/issuer (CN, or the whole DN when
/// there is no CN), self-signed, validity (UTC, to the second), whole days left (negative
/// once expired), key (RSA and its size, EC and its curve, Ed25519), signature algorithm
/// (RSASSA-PSS with its hash), SHA-256 hex.
pub fn summarize(der: &[u8], now: OffsetDateTime) -> Result<CertInfo, CertError> {
    summarize_parsed(&Parsed::of(der), now)
}

/// A DER certificate as x509-parser reads it: parsed once, for the summary and the trust
/// judgement alike.
pub struct Parsed<'a> {
    pub der: &'a [u8],
    /// The certificate and how many bytes follow it, or why it is not one.
    pub cert: Result<(X509Certificate<'a>, usize), String>,
}

impl<'a> Parsed<'a> {
    pub fn of(der: &'a [u8]) -> Parsed<'a> {
        let cert = X509Certificate::from_der(der)
            .map(|(rest, cert)| (cert, rest.len()))
            .map_err(|e| e.to_string());
        Parsed { der, cert }
    }

    /// The DER of its issuer's name; `None` when it is not a readable certificate.
    pub fn issuer(&self) -> Option<&[u8]> {
        self.cert
            .as_ref()
            .ok()
            .map(|(cert, _)| cert.issuer().as_raw())
    }
}

/// [`summarize`] of a certificate parsed already.
pub fn summarize_parsed(parsed: &Parsed<'_>, now: OffsetDateTime) -> Result<CertInfo, CertError> {
    let cert = match &parsed.cert {
        Ok((cert, 0)) => cert,
        Ok((_, trailing)) => {
            return Err(CertError(format!(
                "{trailing} trailing bytes after the certificate"
            )))
        }
        Err(e) => return Err(CertError(format!("not a DER X.509 certificate ({e})"))),
    };
    let validity = cert.validity();
    let not_after = validity.not_after.to_datetime();
    Ok(CertInfo {
        subject: name(cert.subject()),
        issuer: name(cert.issuer()),
        self_signed: is_self_signed(cert),
        not_before: Some(whole_second_utc(validity.not_before.to_datetime())),
        not_after: Some(whole_second_utc(not_after)),
        days_left: days_left(now, not_after),
        key: key(cert.public_key())?,
        signature: signature(&cert.signature_algorithm),
        sha256: format!("{:x}", Sha256::digest(parsed.der)),
    })
}

/// The last (most specific) common name, or the whole DN when there is no readable CN.
fn name(dn: &X509Name<'_>) -> String {
    if let Some(cn) = dn.iter_common_name().last() {
        return attribute_text(cn);
    }
    // No CN: every attribute as `TYPE=value`, in order (x509-parser's own rendering gives an
    // error text for a value that is not valid text).
    let attributes: Vec<String> = dn
        .iter_attributes()
        .map(|attr| {
            let oid = attr.attr_type();
            let kind = x509_parser::objects::oid2abbrev(oid, x509_parser::objects::oid_registry())
                .map(str::to_string)
                .unwrap_or_else(|_| oid.to_id_string());
            format!("{kind}={}", attribute_text(attr))
        })
        .collect();
    attributes.join(", ")
}

/// An attribute's text, whatever the server put there: the string types as text, a BMPString
/// as UTF-16BE; bytes that are not valid text are kept visible as `\xNN` (an unpaired UTF-16
/// surrogate as `\u{NNNN}`), so a name is shown as sent rather than replaced by an error.
fn attribute_text(attr: &AttributeTypeAndValue<'_>) -> String {
    if let Ok(text) = attr.as_str() {
        return text.to_string();
    }
    let value = attr.attr_value();
    if value.tag() == Tag::BmpString && value.data.len() % 2 == 0 {
        let units = value
            .data
            .chunks_exact(2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
        return char::decode_utf16(units)
            .map(|unit| match unit {
                Ok(c) => c.to_string(),
                Err(e) => format!("\\u{{{:04x}}}", e.unpaired_surrogate()),
            })
            .collect();
    }
    escaped(value.data)
}

/// `bytes` as text, each byte that is not part of valid UTF-8 written `\xNN`.
fn escaped(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}

/// Issued by itself: the issuer DN is byte-for-byte the subject DN and, when both key
/// identifiers are present, the authority key id is the subject key id.
fn is_self_signed(cert: &X509Certificate<'_>) -> bool {
    if cert.subject().as_raw() != cert.issuer().as_raw() {
        return false;
    }
    match (subject_key_id(cert), authority_key_id(cert)) {
        (Some(subject), Some(authority)) => subject == authority,
        _ => true,
    }
}

fn subject_key_id<'a>(cert: &X509Certificate<'a>) -> Option<&'a [u8]> {
    cert.extensions()
        .iter()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0),
            _ => None,
        })
}

fn authority_key_id<'a>(cert: &X509Certificate<'a>) -> Option<&'a [u8]> {
    cert.extensions()
        .iter()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(aki) => aki.key_identifier.as_ref(),
            _ => None,
        })
        .map(|id| id.0)
}

/// Whole days from `now` to `not_after`, rounded toward negative infinity (an expiry an hour
/// ago is -1, one in 36 hours is 1).
fn days_left(now: OffsetDateTime, not_after: OffsetDateTime) -> i64 {
    let gap = not_after - now;
    let floor_seconds = gap.whole_seconds() - i64::from(gap.subsec_nanoseconds() < 0);
    floor_seconds.div_euclid(86_400)
}

/// RSA (either OID) with its modulus size, EC with its curve, Ed25519, or the key algorithm's
/// OID.
fn key(spki: &SubjectPublicKeyInfo<'_>) -> Result<CertKey, CertError> {
    let algorithm = &spki.algorithm.algorithm;
    if *algorithm == oids::OID_PKCS1_RSAENCRYPTION || *algorithm == oids::OID_PKCS1_RSASSAPSS {
        let (_, rsa) = RSAPublicKey::from_der(&spki.subject_public_key.data)
            .map_err(|e| CertError(format!("malformed RSA public key ({e})")))?;
        let bits = u32::try_from(bit_length(rsa.modulus)).unwrap_or(u32::MAX);
        return Ok(CertKey::Rsa { bits });
    }
    if *algorithm == oids::OID_KEY_TYPE_EC_PUBLIC_KEY {
        return Ok(CertKey::Ec(ec_curve(spki.algorithm.parameters.as_ref())));
    }
    if *algorithm == oids::OID_SIG_ED25519 {
        return Ok(CertKey::Ed25519);
    }
    Ok(CertKey::Other(oid(algorithm)))
}

/// The bit length of a big-endian unsigned integer (leading zero bytes and bits not counted).
fn bit_length(be: &[u8]) -> usize {
    let Some(first) = be.iter().position(|&b| b != 0) else {
        return 0;
    };
    let leading_zeros = be[first].leading_zeros() as usize;
    (be.len() - first) * 8 - leading_zeros
}

/// P-256, P-384 or P-521 from the named curve, else the curve's OID; `None` when the
/// parameters name no curve.
fn ec_curve(parameters: Option<&Any<'_>>) -> Option<EcCurve> {
    let curve = parameters.and_then(|p| p.as_oid().ok())?;
    let named = [
        (oids::OID_EC_P256, EcCurve::P256),
        (oids::OID_NIST_EC_P384, EcCurve::P384),
        (oids::OID_NIST_EC_P521, EcCurve::P521),
    ];
    Some(match named.into_iter().find(|(known, _)| *known == curve) {
        Some((_, named)) => named,
        None => EcCurve::Other(oid(&curve)),
    })
}

/// A certificate's signature algorithm. RSASSA-PSS carries its hash in its parameters, so it
/// is recorded with it: a PSS signature over SHA-1 is as weak as `sha1WithRSAEncryption`.
/// Absent parameters or an absent hash mean SHA-1 (RFC 4055); unreadable ones, no hash.
fn signature(algorithm: &AlgorithmIdentifier<'_>) -> SignatureAlgorithm {
    if algorithm.algorithm != oids::OID_PKCS1_RSASSAPSS {
        return signature_by_oid(&algorithm.algorithm);
    }
    let hash = match &algorithm.parameters {
        None => Some(HashAlgorithm::Sha1),
        Some(params) => RsaSsaPssParams::try_from(params)
            .ok()
            .map(|p| hash(p.hash_algorithm_oid())),
    };
    SignatureAlgorithm::RsaPss(hash)
}

/// A hash algorithm by its OID.
fn hash(algorithm: &Oid<'_>) -> HashAlgorithm {
    let known = [
        (oids::OID_HASH_SHA1, HashAlgorithm::Sha1),
        (oids::OID_NIST_HASH_SHA256, HashAlgorithm::Sha256),
        (oids::OID_NIST_HASH_SHA384, HashAlgorithm::Sha384),
        (oids::OID_NIST_HASH_SHA512, HashAlgorithm::Sha512),
    ];
    // The OID registry has no constants for these two: matched by their dotted form.
    let by_id = [
        ("1.2.840.113549.2.5", HashAlgorithm::Md5), // RFC 1321, id-md5
        ("2.16.840.1.101.3.4.2.4", HashAlgorithm::Sha224), // RFC 4055, id-sha224
    ];
    if let Some((_, hash)) = known.into_iter().find(|(oid, _)| oid == algorithm) {
        return hash;
    }
    let id = algorithm.to_id_string();
    match by_id.into_iter().find(|(dotted, _)| *dotted == id) {
        Some((_, hash)) => hash,
        None => HashAlgorithm::Other(OidText::new(id)),
    }
}

/// A signature algorithm other than RSASSA-PSS by its OID: one rdpsweep names, or the OID.
fn signature_by_oid(algorithm: &Oid<'_>) -> SignatureAlgorithm {
    let known = [
        (
            oids::OID_PKCS1_MD5WITHRSAENC,
            SignatureAlgorithm::Md5WithRsa,
        ),
        (oids::OID_PKCS1_SHA1WITHRSA, SignatureAlgorithm::Sha1WithRsa),
        (
            oids::OID_PKCS1_SHA224WITHRSA,
            SignatureAlgorithm::Sha224WithRsa,
        ),
        (
            oids::OID_PKCS1_SHA256WITHRSA,
            SignatureAlgorithm::Sha256WithRsa,
        ),
        (
            oids::OID_PKCS1_SHA384WITHRSA,
            SignatureAlgorithm::Sha384WithRsa,
        ),
        (
            oids::OID_PKCS1_SHA512WITHRSA,
            SignatureAlgorithm::Sha512WithRsa,
        ),
        (
            oids::OID_SIG_ECDSA_WITH_SHA224,
            SignatureAlgorithm::EcdsaWithSha224,
        ),
        (
            oids::OID_SIG_ECDSA_WITH_SHA256,
            SignatureAlgorithm::EcdsaWithSha256,
        ),
        (
            oids::OID_SIG_ECDSA_WITH_SHA384,
            SignatureAlgorithm::EcdsaWithSha384,
        ),
        (
            oids::OID_SIG_ECDSA_WITH_SHA512,
            SignatureAlgorithm::EcdsaWithSha512,
        ),
        (oids::OID_SIG_ED25519, SignatureAlgorithm::Ed25519),
    ];
    match known.into_iter().find(|(oid, _)| oid == algorithm) {
        Some((_, named)) => named,
        None => SignatureAlgorithm::Other(oid(algorithm)),
    }
}

/// An OID as the record keeps it: x509-parser's dotted form.
fn oid(oid: &Oid<'_>) -> OidText {
    OidText::new(oid.to_id_string())
}

mod sent;
pub use sent::{Sent, SentCache, SENT_MAX, SENT_MAX_DER};

#[cfg(test)]
mod tests;
