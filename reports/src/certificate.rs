//! What rdpsweep records of an X.509 certificate: [`CertInfo`], its key ([`CertKey`]) and its
//! signature algorithm ([`SignatureAlgorithm`]).
//!
//! Key and signature are written as the words of the `cert_key` and `cert_signature` columns
//! (`RSA 2048`, `EC P-256`, `sha256WithRSAEncryption`, `RSASSA-PSS with SHA-256`), and an
//! algorithm rdpsweep has no name for by its object identifier ([`Oid`]). Reading them back
//! never fails: text that is no name is kept as the identifier it was written as, so every
//! record written loads and writes back the same.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::timestamp;
use crate::vocab::string_serde;

/// What rdpsweep records of one X.509 certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInfo {
    /// The subject CN, or the whole DN when there is no CN.
    pub subject: String,
    /// The issuer CN, or the whole DN when there is no CN.
    pub issuer: String,
    pub self_signed: bool,
    /// Absent only in a record whose text was not a time.
    #[serde(with = "timestamp::text")]
    pub not_before: Option<OffsetDateTime>,
    /// Absent only in a record whose text was not a time.
    #[serde(with = "timestamp::text")]
    pub not_after: Option<OffsetDateTime>,
    /// Whole days from the scan to `not_after`; negative once expired.
    pub days_left: i64,
    pub key: CertKey,
    pub signature: SignatureAlgorithm,
    /// SHA-256 of the DER encoding, lowercase hex.
    pub sha256: String,
}

/// An object identifier, as x509-parser writes it: dotted decimal (`1.2.840.10045.4.1`), or
/// its bytes in hex when an arc does not fit 64 bits. Names no algorithm rdpsweep knows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Oid(String);

impl Oid {
    pub fn new(text: impl Into<String>) -> Self {
        Oid(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A certificate's public key: its algorithm, and its size or curve.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CertKey {
    /// `RSA 2048`: the modulus' length in bits.
    Rsa { bits: u32 },
    /// `EC P-256`, `EC 1.3.132.0.10` (a curve by OID), or `EC` when the parameters name no
    /// curve.
    Ec(Option<EcCurve>),
    /// `Ed25519`.
    Ed25519,
    /// Any other key algorithm, by OID.
    Other(Oid),
}

/// The named curve of an EC key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EcCurve {
    P256,
    P384,
    P521,
    /// Any other curve, by OID.
    Other(Oid),
}

impl CertKey {
    /// The modulus size of an RSA key.
    pub fn rsa_bits(&self) -> Option<u32> {
        match self {
            CertKey::Rsa { bits } => Some(*bits),
            _ => None,
        }
    }
}

impl fmt::Display for EcCurve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EcCurve::P256 => f.write_str("P-256"),
            EcCurve::P384 => f.write_str("P-384"),
            EcCurve::P521 => f.write_str("P-521"),
            EcCurve::Other(oid) => oid.fmt(f),
        }
    }
}

impl FromStr for EcCurve {
    type Err = Infallible;
    fn from_str(s: &str) -> Result<Self, Infallible> {
        Ok(match s {
            "P-256" => EcCurve::P256,
            "P-384" => EcCurve::P384,
            "P-521" => EcCurve::P521,
            other => EcCurve::Other(Oid::new(other)),
        })
    }
}

impl fmt::Display for CertKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertKey::Rsa { bits } => write!(f, "RSA {bits}"),
            CertKey::Ec(None) => f.write_str("EC"),
            CertKey::Ec(Some(curve)) => write!(f, "EC {curve}"),
            CertKey::Ed25519 => f.write_str("Ed25519"),
            CertKey::Other(oid) => oid.fmt(f),
        }
    }
}

impl FromStr for CertKey {
    type Err = Infallible;
    fn from_str(s: &str) -> Result<Self, Infallible> {
        if s == "Ed25519" {
            return Ok(CertKey::Ed25519);
        }
        if s == "EC" {
            return Ok(CertKey::Ec(None));
        }
        if let Some(curve) = s.strip_prefix("EC ") {
            return Ok(CertKey::Ec(Some(curve.parse()?)));
        }
        // Only the digits `RSA N` is written with, so that the text reads back the same.
        let bits = s
            .strip_prefix("RSA ")
            .and_then(|n| n.parse::<u32>().ok().filter(|b| b.to_string() == n));
        Ok(match bits {
            Some(bits) => CertKey::Rsa { bits },
            None => CertKey::Other(Oid::new(s)),
        })
    }
}
string_serde!(CertKey);

/// A hash algorithm, as an RSASSA-PSS signature names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    /// Any other hash, by OID.
    Other(Oid),
}

impl HashAlgorithm {
    /// The hashes with a name, each read back from it.
    const NAMED: [HashAlgorithm; 6] = [
        HashAlgorithm::Md5,
        HashAlgorithm::Sha1,
        HashAlgorithm::Sha224,
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ];

    /// MD5 and SHA-1: collisions can be made.
    pub fn is_weak(&self) -> bool {
        matches!(self, HashAlgorithm::Md5 | HashAlgorithm::Sha1)
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HashAlgorithm::Md5 => "MD5",
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Sha224 => "SHA-224",
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha384 => "SHA-384",
            HashAlgorithm::Sha512 => "SHA-512",
            HashAlgorithm::Other(oid) => oid.as_str(),
        })
    }
}

impl FromStr for HashAlgorithm {
    type Err = Infallible;
    fn from_str(s: &str) -> Result<Self, Infallible> {
        Ok(named(&Self::NAMED, s).unwrap_or_else(|| HashAlgorithm::Other(Oid::new(s))))
    }
}

/// The value of `values` whose text is `s`.
fn named<T: fmt::Display + Clone>(values: &[T], s: &str) -> Option<T> {
    values.iter().find(|v| v.to_string() == s).cloned()
}

/// A certificate's signature algorithm, by the names of the OID registry (RFC 4055 and
/// RFC 8410 spellings for `RSASSA-PSS` and `Ed25519`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    Md5WithRsa,
    Sha1WithRsa,
    Sha224WithRsa,
    Sha256WithRsa,
    Sha384WithRsa,
    Sha512WithRsa,
    /// RSASSA-PSS with the hash of its parameters (`RSASSA-PSS with SHA-256`); `None` when
    /// the parameters could not be read (`RSASSA-PSS`).
    RsaPss(Option<HashAlgorithm>),
    EcdsaWithSha224,
    EcdsaWithSha256,
    EcdsaWithSha384,
    EcdsaWithSha512,
    Ed25519,
    /// Any other algorithm, by OID.
    Other(Oid),
}

/// Signature algorithms on MD2, MD4, MD5 or SHA-1 that rdpsweep writes by OID (it names
/// md5WithRSAEncryption and sha1WithRSAEncryption; their OIDs are listed for hand-made records).
const WEAK_SIGNATURE_OIDS: [&str; 7] = [
    "1.2.840.113549.1.1.2", // md2WithRSAEncryption
    "1.2.840.113549.1.1.3", // md4WithRSAEncryption
    "1.2.840.113549.1.1.4", // md5WithRSAEncryption
    "1.2.840.113549.1.1.5", // sha1WithRSAEncryption
    "1.3.14.3.2.29",        // sha1WithRSASignature (OIW)
    "1.2.840.10040.4.3",    // dsa-with-sha1
    "1.2.840.10045.4.1",    // ecdsa-with-SHA1
];

impl SignatureAlgorithm {
    /// The algorithms with a name of their own, each read back from it.
    const NAMED: [SignatureAlgorithm; 11] = [
        SignatureAlgorithm::Md5WithRsa,
        SignatureAlgorithm::Sha1WithRsa,
        SignatureAlgorithm::Sha224WithRsa,
        SignatureAlgorithm::Sha256WithRsa,
        SignatureAlgorithm::Sha384WithRsa,
        SignatureAlgorithm::Sha512WithRsa,
        SignatureAlgorithm::EcdsaWithSha224,
        SignatureAlgorithm::EcdsaWithSha256,
        SignatureAlgorithm::EcdsaWithSha384,
        SignatureAlgorithm::EcdsaWithSha512,
        SignatureAlgorithm::Ed25519,
    ];

    /// Signed over MD2, MD4, MD5 or SHA-1 (`CERT_WEAK_SIGNATURE`): by name, by the hash of an
    /// RSASSA-PSS signature, or by OID.
    pub fn is_weak(&self) -> bool {
        match self {
            SignatureAlgorithm::Md5WithRsa | SignatureAlgorithm::Sha1WithRsa => true,
            SignatureAlgorithm::RsaPss(hash) => hash.as_ref().is_some_and(HashAlgorithm::is_weak),
            SignatureAlgorithm::Other(oid) => WEAK_SIGNATURE_OIDS.contains(&oid.as_str().trim()),
            _ => false,
        }
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureAlgorithm::Md5WithRsa => "md5WithRSAEncryption",
            SignatureAlgorithm::Sha1WithRsa => "sha1WithRSAEncryption",
            SignatureAlgorithm::Sha224WithRsa => "sha224WithRSAEncryption",
            SignatureAlgorithm::Sha256WithRsa => "sha256WithRSAEncryption",
            SignatureAlgorithm::Sha384WithRsa => "sha384WithRSAEncryption",
            SignatureAlgorithm::Sha512WithRsa => "sha512WithRSAEncryption",
            SignatureAlgorithm::RsaPss(None) => "RSASSA-PSS",
            SignatureAlgorithm::RsaPss(Some(hash)) => return write!(f, "RSASSA-PSS with {hash}"),
            SignatureAlgorithm::EcdsaWithSha224 => "ecdsa-with-SHA224",
            SignatureAlgorithm::EcdsaWithSha256 => "ecdsa-with-SHA256",
            SignatureAlgorithm::EcdsaWithSha384 => "ecdsa-with-SHA384",
            SignatureAlgorithm::EcdsaWithSha512 => "ecdsa-with-SHA512",
            SignatureAlgorithm::Ed25519 => "Ed25519",
            SignatureAlgorithm::Other(oid) => oid.as_str(),
        })
    }
}

impl FromStr for SignatureAlgorithm {
    type Err = Infallible;
    fn from_str(s: &str) -> Result<Self, Infallible> {
        if s == "RSASSA-PSS" {
            return Ok(SignatureAlgorithm::RsaPss(None));
        }
        if let Some(hash) = s.strip_prefix("RSASSA-PSS with ") {
            return Ok(SignatureAlgorithm::RsaPss(Some(hash.parse()?)));
        }
        Ok(named(&Self::NAMED, s).unwrap_or_else(|| SignatureAlgorithm::Other(Oid::new(s))))
    }
}
string_serde!(SignatureAlgorithm);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_written_as_today_and_read_back() {
        let cases = [
            (CertKey::Rsa { bits: 2048 }, "RSA 2048"),
            (CertKey::Rsa { bits: 0 }, "RSA 0"),
            (CertKey::Ec(Some(EcCurve::P256)), "EC P-256"),
            (CertKey::Ec(Some(EcCurve::P384)), "EC P-384"),
            (CertKey::Ec(Some(EcCurve::P521)), "EC P-521"),
            (
                CertKey::Ec(Some(EcCurve::Other(Oid::new("1.3.132.0.10")))),
                "EC 1.3.132.0.10",
            ),
            (CertKey::Ec(None), "EC"),
            (CertKey::Ed25519, "Ed25519"),
            (CertKey::Other(Oid::new("1.3.101.113")), "1.3.101.113"),
        ];
        for (key, text) in cases {
            assert_eq!(key.to_string(), text);
            assert_eq!(text.parse::<CertKey>(), Ok(key));
        }
    }

    #[test]
    fn key_text_that_is_no_name_is_kept_as_written() {
        for text in [
            "",
            "RSA",
            "RSA two",
            "RSA 02048",
            "RSA 99999999999",
            "DSA 1024",
        ] {
            let key: CertKey = text.parse().unwrap();
            assert_eq!(key, CertKey::Other(Oid::new(text)), "{text:?}");
            assert_eq!(key.to_string(), text);
            assert_eq!(key.rsa_bits(), None);
        }
        assert_eq!(CertKey::Rsa { bits: 1024 }.rsa_bits(), Some(1024));
        assert_eq!(CertKey::Ec(Some(EcCurve::P256)).rsa_bits(), None);
    }

    #[test]
    fn signatures_are_written_as_today_and_read_back() {
        let mut cases: Vec<(SignatureAlgorithm, String)> = [
            "md5WithRSAEncryption",
            "sha1WithRSAEncryption",
            "sha224WithRSAEncryption",
            "sha256WithRSAEncryption",
            "sha384WithRSAEncryption",
            "sha512WithRSAEncryption",
            "ecdsa-with-SHA224",
            "ecdsa-with-SHA256",
            "ecdsa-with-SHA384",
            "ecdsa-with-SHA512",
            "Ed25519",
        ]
        .iter()
        .zip(SignatureAlgorithm::NAMED)
        .map(|(name, alg)| (alg, name.to_string()))
        .collect();
        cases.extend([
            (SignatureAlgorithm::RsaPss(None), "RSASSA-PSS".into()),
            (
                SignatureAlgorithm::RsaPss(Some(HashAlgorithm::Sha256)),
                "RSASSA-PSS with SHA-256".into(),
            ),
            (
                SignatureAlgorithm::RsaPss(Some(HashAlgorithm::Md5)),
                "RSASSA-PSS with MD5".into(),
            ),
            (
                SignatureAlgorithm::RsaPss(Some(HashAlgorithm::Other(Oid::new("1.2.3.4")))),
                "RSASSA-PSS with 1.2.3.4".into(),
            ),
            (
                SignatureAlgorithm::Other(Oid::new("1.2.840.10045.4.1")),
                "1.2.840.10045.4.1".into(),
            ),
            (SignatureAlgorithm::Other(Oid::new("")), String::new()),
        ]);
        for (alg, text) in cases {
            assert_eq!(alg.to_string(), text);
            assert_eq!(text.parse::<SignatureAlgorithm>(), Ok(alg));
        }
    }

    #[test]
    fn serde_writes_the_column_words() {
        let key = serde_json::to_string(&CertKey::Ec(Some(EcCurve::P256))).unwrap();
        assert_eq!(key, "\"EC P-256\"");
        let alg: SignatureAlgorithm = serde_json::from_str("\"RSASSA-PSS with SHA-1\"").unwrap();
        assert_eq!(alg, SignatureAlgorithm::RsaPss(Some(HashAlgorithm::Sha1)));
        assert!(serde_json::from_str::<CertKey>("12").is_err());
    }
}
