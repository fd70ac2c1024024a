//! What an X.509 certificate says, summarised for the report (x509-parser does the parsing).
//!
//! [`summarize`] reads one DER certificate and never panics on garbage: anything that is not
//! exactly one well-formed certificate is a [`CertError`].

use rdpsweep_reports::CertInfo;
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};
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
/// there is no CN), self-signed, validity in RFC 3339 UTC, whole days left (negative once
/// expired), key (`RSA 2048`, `EC P-256`, `Ed25519`), signature algorithm name
/// (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `sha1WithRSAEncryption`), SHA-256 hex.
pub fn summarize(der: &[u8], now: OffsetDateTime) -> Result<CertInfo, CertError> {
    let cert = parse(der)?;
    let validity = cert.validity();
    let not_after = validity.not_after.to_datetime();
    Ok(CertInfo {
        subject: name(cert.subject()),
        issuer: name(cert.issuer()),
        self_signed: is_self_signed(&cert),
        not_before: rfc3339(validity.not_before.to_datetime())?,
        not_after: rfc3339(not_after)?,
        days_left: days_left(now, not_after),
        key: key(cert.public_key())?,
        signature: signature(&cert.signature_algorithm),
        sha256: hex(&Sha256::digest(der)),
    })
}

/// Exactly one certificate, with nothing after it.
fn parse(der: &[u8]) -> Result<X509Certificate<'_>, CertError> {
    let (rest, cert) = X509Certificate::from_der(der)
        .map_err(|e| CertError(format!("not a DER X.509 certificate ({e})")))?;
    if !rest.is_empty() {
        return Err(CertError(format!(
            "{} trailing bytes after the certificate",
            rest.len()
        )));
    }
    Ok(cert)
}

/// The last (most specific) common name, or the whole DN when there is no readable CN.
fn name(dn: &X509Name<'_>) -> String {
    dn.iter_common_name()
        .filter_map(attribute_text)
        .last()
        .unwrap_or_else(|| dn.to_string())
}

/// A string attribute's text: the UTF-8-compatible string types, or a BMPString (UTF-16BE).
fn attribute_text(attr: &AttributeTypeAndValue<'_>) -> Option<String> {
    if let Ok(text) = attr.as_str() {
        return Some(text.to_string());
    }
    let value = attr.attr_value();
    if value.tag() != Tag::BmpString || value.data.len() % 2 != 0 {
        return None;
    }
    let units = value
        .data
        .chunks_exact(2)
        .map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
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

/// RFC 3339 in UTC with `Z`, to the whole second, e.g. `2026-11-21T23:05:28Z`.
fn rfc3339(at: OffsetDateTime) -> Result<String, CertError> {
    let utc = at.to_offset(UtcOffset::UTC);
    let whole = utc
        .replace_nanosecond(0)
        .map_err(|e| CertError(format!("bad time {utc}: {e}")))?;
    whole
        .format(&Rfc3339)
        .map_err(|e| CertError(format!("cannot format time {utc}: {e}")))
}

/// Whole days from `now` to `not_after`, rounded toward negative infinity (an expiry an hour
/// ago is -1, one in 36 hours is 1).
fn days_left(now: OffsetDateTime, not_after: OffsetDateTime) -> i64 {
    let gap = not_after - now;
    let floor_seconds = gap.whole_seconds() - i64::from(gap.subsec_nanoseconds() < 0);
    floor_seconds.div_euclid(86_400)
}

/// `RSA 2048`, `EC P-256`, `Ed25519`, or the key algorithm's OID.
fn key(spki: &SubjectPublicKeyInfo<'_>) -> Result<String, CertError> {
    let algorithm = &spki.algorithm.algorithm;
    if *algorithm == oids::OID_PKCS1_RSAENCRYPTION || *algorithm == oids::OID_PKCS1_RSASSAPSS {
        let (_, rsa) = RSAPublicKey::from_der(&spki.subject_public_key.data)
            .map_err(|e| CertError(format!("malformed RSA public key ({e})")))?;
        return Ok(format!("RSA {}", bit_length(rsa.modulus)));
    }
    if *algorithm == oids::OID_KEY_TYPE_EC_PUBLIC_KEY {
        return Ok(ec_key(spki.algorithm.parameters.as_ref()));
    }
    if *algorithm == oids::OID_SIG_ED25519 {
        return Ok("Ed25519".into());
    }
    Ok(algorithm.to_id_string())
}

/// The bit length of a big-endian unsigned integer (leading zero bytes and bits not counted).
fn bit_length(be: &[u8]) -> usize {
    let Some(first) = be.iter().position(|&b| b != 0) else {
        return 0;
    };
    let leading_zeros = be[first].leading_zeros() as usize;
    (be.len() - first) * 8 - leading_zeros
}

/// `EC P-256` / `EC P-384` / `EC P-521` from the named curve, else `EC` and the curve's OID.
fn ec_key(parameters: Option<&Any<'_>>) -> String {
    let Some(curve) = parameters.and_then(|p| p.as_oid().ok()) else {
        return "EC".into();
    };
    let named = [
        (oids::OID_EC_P256, "P-256"),
        (oids::OID_NIST_EC_P384, "P-384"),
        (oids::OID_NIST_EC_P521, "P-521"),
    ];
    match named.iter().find(|(oid, _)| *oid == curve) {
        Some((_, short)) => format!("EC {short}"),
        None => format!("EC {}", curve.to_id_string()),
    }
}

/// The name of a certificate's signature algorithm. RSASSA-PSS carries its hash in its
/// parameters, so it is named with it (`RSASSA-PSS with SHA-1`): a PSS signature over SHA-1 is
/// as weak as `sha1WithRSAEncryption`. Absent parameters or an absent hash mean SHA-1 (RFC 4055).
fn signature(algorithm: &AlgorithmIdentifier<'_>) -> String {
    let name = signature_name(&algorithm.algorithm);
    if algorithm.algorithm != oids::OID_PKCS1_RSASSAPSS {
        return name;
    }
    let hash = match &algorithm.parameters {
        None => Some(hash_name(&oids::OID_HASH_SHA1)),
        Some(params) => RsaSsaPssParams::try_from(params)
            .ok()
            .map(|p| hash_name(p.hash_algorithm_oid())),
    };
    match hash {
        Some(hash) => format!("{name} with {hash}"),
        None => name,
    }
}

/// The name of a hash algorithm, or its dotted OID.
fn hash_name(algorithm: &Oid<'_>) -> String {
    let names = [
        (oids::OID_HASH_SHA1, "SHA-1"),
        (oids::OID_NIST_HASH_SHA256, "SHA-256"),
        (oids::OID_NIST_HASH_SHA384, "SHA-384"),
        (oids::OID_NIST_HASH_SHA512, "SHA-512"),
    ];
    // The OID registry has no constants for these two: matched by their dotted form.
    let by_id = [
        ("1.2.840.113549.2.5", "MD5"),         // RFC 1321, id-md5
        ("2.16.840.1.101.3.4.2.4", "SHA-224"), // RFC 4055, id-sha224
    ];
    if let Some((_, name)) = names.iter().find(|(oid, _)| oid == algorithm) {
        return (*name).to_string();
    }
    let id = algorithm.to_id_string();
    match by_id.iter().find(|(dotted, _)| *dotted == id) {
        Some((_, name)) => (*name).to_string(),
        None => id,
    }
}

/// The conventional name of a signature algorithm, or its dotted OID.
///
/// The names mostly match the OID registry's short names; the registry's `rsassa-pss` and
/// `ed25519` are spelt `RSASSA-PSS` and `Ed25519` here, as in RFC 4055 and RFC 8410.
fn signature_name(algorithm: &Oid<'_>) -> String {
    let names = [
        (oids::OID_PKCS1_MD5WITHRSAENC, "md5WithRSAEncryption"),
        (oids::OID_PKCS1_SHA1WITHRSA, "sha1WithRSAEncryption"),
        (oids::OID_PKCS1_SHA224WITHRSA, "sha224WithRSAEncryption"),
        (oids::OID_PKCS1_SHA256WITHRSA, "sha256WithRSAEncryption"),
        (oids::OID_PKCS1_SHA384WITHRSA, "sha384WithRSAEncryption"),
        (oids::OID_PKCS1_SHA512WITHRSA, "sha512WithRSAEncryption"),
        (oids::OID_PKCS1_RSASSAPSS, "RSASSA-PSS"),
        (oids::OID_SIG_ECDSA_WITH_SHA224, "ecdsa-with-SHA224"),
        (oids::OID_SIG_ECDSA_WITH_SHA256, "ecdsa-with-SHA256"),
        (oids::OID_SIG_ECDSA_WITH_SHA384, "ecdsa-with-SHA384"),
        (oids::OID_SIG_ECDSA_WITH_SHA512, "ecdsa-with-SHA512"),
        (oids::OID_SIG_ED25519, "Ed25519"),
    ];
    match names.iter().find(|(oid, _)| oid == algorithm) {
        Some((_, name)) => (*name).to_string(),
        None => algorithm.to_id_string(),
    }
}

/// Lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
