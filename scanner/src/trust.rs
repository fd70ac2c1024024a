//! Certificate trust, judged the way clients judge it, after the scanner's handshake (which
//! accepts every certificate so it can read it): the chain the server sent is verified by
//! rustls' WebPKI verifier against the public roots (`webpki-roots`, the Mozilla CA set) and
//! the enterprise CAs of `--ca-file`, at the scan's time; and the certificate's names are
//! checked against the name the client would connect to, when one is known.
//!
//! Why `webpki-roots` rather than the scanning machine's own store: the clients are other
//! machines (Windows, trusting Microsoft's root program and the CAs their GPO deploys), so the
//! scanner's own store is no better a guess, and in the slim Docker image it is empty.
//! `webpki-roots` is the same set on every machine; the CA that issues the fleet's Remote
//! Desktop certificates (an enterprise CA, the usual case) is given with `--ca-file`.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rdpsweep_reports::{CertTrust, Untrusted};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, RootCertStore};
use x509_parser::prelude::X509Certificate;

use crate::cert::Parsed;

/// The anchors clients trust.
#[derive(Clone)]
pub struct TrustStore {
    roots: Arc<RootCertStore>,
    /// The subject names of the anchors (DER contents of each `Name`), for [`may_reach`].
    anchor_subjects: Arc<HashSet<Vec<u8>>>,
    provider: Arc<CryptoProvider>,
    /// The enterprise CA files given, for the record.
    ca_files: Vec<PathBuf>,
}

impl fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrustStore")
            .field("anchors", &self.roots.len())
            .field("ca_files", &self.ca_files)
            .finish()
    }
}

/// What a client would make of a server's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustVerdict {
    /// `Ok` when the chain leads to an anchor, valid at the scan's time.
    pub chain: Result<(), Untrusted>,
    /// Whether the certificate is valid for the name the client connects to; `None` when no
    /// name is known (the target was an address).
    pub name_match: Option<bool>,
}

impl TrustVerdict {
    /// A chain refused for `why` before any name is checked.
    fn refused(why: Untrusted) -> TrustVerdict {
        TrustVerdict {
            chain: Err(why),
            name_match: None,
        }
    }

    /// The record's form of the verdict, for the name that was checked.
    pub fn record(&self, name: Option<&str>) -> CertTrust {
        CertTrust {
            untrusted: self.chain.err(),
            name: name.map(str::to_string),
            name_match: self.name_match,
        }
    }
}

impl TrustStore {
    /// The public roots alone.
    pub fn public() -> TrustStore {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        TrustStore {
            anchor_subjects: Arc::new(subjects(&roots)),
            roots: Arc::new(roots),
            provider: Arc::new(rustls::crypto::ring::default_provider()),
            ca_files: Vec::new(),
        }
    }

    /// The public roots and every certificate of the `ca_files` (PEM, any number each). An
    /// unreadable file or one without a certificate is an error naming it.
    pub fn load(ca_files: &[PathBuf]) -> Result<TrustStore, String> {
        let mut store = TrustStore::public();
        let roots = Arc::make_mut(&mut store.roots);
        for path in ca_files {
            add_pem(roots, path)?;
        }
        store.anchor_subjects = Arc::new(subjects(&store.roots));
        store.ca_files = ca_files.to_vec();
        Ok(store)
    }

    /// Judges the chain the server sent (leaf first), at `now`, for `name` when known.
    pub fn judge(&self, chain: &[Vec<u8>], name: Option<&str>, now: UnixTime) -> TrustVerdict {
        let parsed: Vec<Parsed<'_>> = chain.iter().map(|der| Parsed::of(der)).collect();
        let Some((leaf, rest)) = parsed.split_first() else {
            return TrustVerdict::refused(Untrusted::Invalid);
        };
        let rest: Vec<SentAfter<'_>> = rest
            .iter()
            .map(|sent| SentAfter {
                der: sent.der,
                issuer: sent.issuer(),
            })
            .collect();
        self.judge_leaf(leaf, &rest, name, now)
    }

    /// [`TrustStore::judge`] of a leaf parsed already by x509-parser and the certificates sent
    /// after it, as the probe keeps them (read once per scan, see [`crate::cert::SentCache`]).
    pub fn judge_leaf(
        &self,
        leaf: &Parsed<'_>,
        rest: &[SentAfter<'_>],
        name: Option<&str>,
        now: UnixTime,
    ) -> TrustVerdict {
        let Ok((cert, _)) = &leaf.cert else {
            return TrustVerdict::refused(Untrusted::Invalid);
        };
        if has_malformed_name(cert) {
            return TrustVerdict::refused(Untrusted::Unparsable);
        }
        let leaf_der = CertificateDer::from(leaf.der);
        let Ok(parsed) = ParsedCertificate::try_from(&leaf_der) else {
            return TrustVerdict::refused(Untrusted::Invalid);
        };
        let intermediates: Vec<CertificateDer<'_>> = rest
            .iter()
            .map(|sent| CertificateDer::from(sent.der))
            .collect();
        let no_anchor = plain_leaf(cert) && !may_reach(&self.anchor_subjects, cert, rest);
        let chain = match no_anchor {
            false => verify_server_cert_signed_by_trust_anchor(
                &parsed,
                &self.roots,
                &intermediates,
                now,
                self.provider.signature_verification_algorithms.all,
            )
            .map_err(|e| untrusted(&e, cert)),
            true => Err(unreachable_anchor(cert, now)),
        };
        let name_match = name.map(|name| names_host(&parsed, cert, name));
        TrustVerdict { chain, name_match }
    }
}

/// A certificate the server sent after its leaf: its DER, and the DER of its issuer's name
/// (`None` when it is not a readable certificate).
#[derive(Debug, Clone, Copy)]
pub struct SentAfter<'a> {
    pub der: &'a [u8],
    pub issuer: Option<&'a [u8]>,
}

/// True when the certificate names `host`: its subject alternative names (WebPKI's check), or,
/// when it has no DNS name there, its subject CN. WebPKI ignores the CN, yet Windows' own
/// self-signed Remote Desktop certificates name the host only there, and the clients (mstsc,
/// FreeRDP) accept it there: so does this check. A `*.` wildcard covers one leftmost label.
fn names_host(parsed: &ParsedCertificate<'_>, cert: &X509Certificate<'_>, host: &str) -> bool {
    if let Ok(name) = ServerName::try_from(host.to_string()) {
        if verify_server_name(parsed, &name).is_ok() {
            return true;
        }
    }
    use x509_parser::extensions::GeneralName;
    let san_dns = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .is_some_and(|san| {
            san.value
                .general_names
                .iter()
                .any(|n| matches!(n, GeneralName::DNSName(_)))
        });
    if san_dns {
        return false;
    }
    let cn = cert
        .subject()
        .iter_common_name()
        .last()
        .and_then(|cn| cn.as_str().ok());
    cn.is_some_and(|cn| dns_name_matches(cn, host))
}

/// Whether a certificate's DNS name `pattern` covers `host`, case-insensitively, a leading
/// `*.` standing for exactly one label.
fn dns_name_matches(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (
        pattern.trim_end_matches('.').to_ascii_lowercase(),
        host.trim_end_matches('.').to_ascii_lowercase(),
    );
    match pattern.strip_prefix("*.") {
        Some(rest) => host
            .split_once('.')
            .is_some_and(|(label, domain)| !label.is_empty() && domain == rest),
        None => pattern == host,
    }
}

/// Adds every certificate of one PEM file to `roots`.
fn add_pem(roots: &mut RootCertStore, path: &Path) -> Result<(), String> {
    let bad = |why: String| format!("--ca-file {}: {why}", path.display());
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| bad(format!("cannot read it: {e}")))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad(format!("not a PEM certificate file: {e}")))?;
    if certs.is_empty() {
        return Err(bad("holds no certificate".into()));
    }
    for cert in certs {
        roots
            .add(cert)
            .map_err(|e| bad(format!("a certificate is not a usable CA: {e}")))?;
    }
    Ok(())
}

/// The client's reason for refusing a chain.
fn untrusted(e: &rustls::Error, leaf: &X509Certificate<'_>) -> Untrusted {
    let rustls::Error::InvalidCertificate(e) = e else {
        return Untrusted::Invalid;
    };
    match e {
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => Untrusted::Expired,
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            Untrusted::NotYetValid
        }
        CertificateError::UnknownIssuer if issued_by_itself(leaf) => Untrusted::SelfSigned,
        CertificateError::UnknownIssuer => Untrusted::UnknownIssuer,
        CertificateError::BadSignature
        | CertificateError::UnsupportedSignatureAlgorithmContext { .. } => Untrusted::BadSignature,
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            Untrusted::NotForServers
        }
        // Refused for another reason before its issuer was looked for (a self-signed leaf
        // marked as a CA, as `openssl req -x509` makes them): a client still says self-signed.
        _ if issued_by_itself(leaf) => Untrusted::SelfSigned,
        _ => Untrusted::Invalid,
    }
}

/// True when a subject or issuer attribute is not valid text for its string type: a
/// UTF8String that is not UTF-8, a BMPString of an odd length or with an unpaired surrogate, a
/// UniversalString that is not whole UCS-4 characters. OpenSSL converts every name to UTF-8
/// while it parses a certificate (to compare names) and refuses the certificate when it cannot,
/// so OpenSSL-based clients (FreeRDP) fail the handshake on it, as the interop suite shows.
fn has_malformed_name(cert: &X509Certificate<'_>) -> bool {
    use x509_parser::der_parser::asn1_rs::Tag;
    let bad = |tag: Tag, data: &[u8]| match tag {
        Tag::Utf8String => std::str::from_utf8(data).is_err(),
        Tag::BmpString => {
            !data.len().is_multiple_of(2)
                || char::decode_utf16(
                    data.chunks_exact(2)
                        .map(|pair| u16::from_be_bytes([pair[0], pair[1]])),
                )
                .any(|c| c.is_err())
        }
        Tag::UniversalString => {
            !data.len().is_multiple_of(4)
                || data.chunks_exact(4).any(|quad| {
                    char::from_u32(u32::from_be_bytes([quad[0], quad[1], quad[2], quad[3]]))
                        .is_none()
                })
        }
        _ => false,
    };
    let malformed = [cert.subject(), cert.issuer()].into_iter().any(|name| {
        name.iter_attributes()
            .any(|attr| bad(attr.attr_value().tag(), attr.attr_value().data))
    });
    malformed
}

/// True when the leaf's issuer name is its subject name.
fn issued_by_itself(cert: &X509Certificate<'_>) -> bool {
    cert.subject().as_raw() == cert.issuer().as_raw()
}

/// The subject names of the store's anchors, as the DER contents of each `Name` (how
/// `TrustAnchor::subject` holds them).
fn subjects(roots: &RootCertStore) -> HashSet<Vec<u8>> {
    roots
        .roots
        .iter()
        .map(|a| a.subject.as_ref().to_vec())
        .collect()
}

/// Whether the chain can lead to an anchor by its names alone: the leaf's issuer, or the
/// issuer of any certificate sent with it, is the subject of an anchor. WebPKI
/// builds the path and checks every signature; this only spares it (and the signature check it
/// makes before it fails) on a chain no anchor can end, which is most of a fleet: self-signed
/// certificates, or an enterprise CA not given with `--ca-file`. A chain that may reach an
/// anchor is always verified.
fn may_reach(
    anchors: &HashSet<Vec<u8>>,
    leaf: &X509Certificate<'_>,
    rest: &[SentAfter<'_>],
) -> bool {
    // A path ends at an anchor only through a certificate whose issuer is the anchor's subject:
    // the leaf or any certificate sent with it (in whatever order, with whatever loops). One
    // this cannot read is left to WebPKI.
    let issued_by_anchor = |issuer: &[u8]| anchors.contains(name_contents(issuer));
    issued_by_anchor(leaf.issuer().as_raw())
        || rest.iter().any(|sent| match sent.issuer {
            Some(issuer) => issued_by_anchor(issuer),
            None => true,
        })
}

/// True when WebPKI would find nothing wrong with the leaf itself before it looks for an
/// issuer: its dates in order, not a CA, and for servers (no extended key usage, or
/// serverAuth). Only then may [`unreachable_anchor`] speak for WebPKI; otherwise WebPKI says
/// what is wrong (`invalid`, `not_for_servers`).
fn plain_leaf(cert: &X509Certificate<'_>) -> bool {
    let validity = cert.validity();
    let dates_in_order = validity.not_before.timestamp() <= validity.not_after.timestamp();
    let not_a_ca = matches!(cert.basic_constraints(), Ok(None))
        || matches!(cert.basic_constraints(), Ok(Some(bc)) if !bc.value.ca);
    let for_servers = match cert.extended_key_usage() {
        Ok(None) => true,
        Ok(Some(eku)) => eku.value.server_auth,
        Err(_) => false,
    };
    dates_in_order && not_a_ca && for_servers
}

/// The contents of a DER `Name` (a SEQUENCE): the bytes after its tag and length.
fn name_contents(der: &[u8]) -> &[u8] {
    use x509_parser::der_parser::asn1_rs::{FromDer as _, Header};
    match Header::from_der(der) {
        Ok((contents, _)) => contents,
        Err(_) => der,
    }
}

/// Why a client refuses a chain that no anchor can end, as WebPKI would say it: the leaf's
/// dates first (it checks them before it looks for an issuer), then self-signed or an unknown
/// issuer.
fn unreachable_anchor(cert: &X509Certificate<'_>, now: UnixTime) -> Untrusted {
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let validity = cert.validity();
    if now > validity.not_after.timestamp() {
        Untrusted::Expired
    } else if now < validity.not_before.timestamp() {
        Untrusted::NotYetValid
    } else if issued_by_itself(cert) {
        Untrusted::SelfSigned
    } else {
        Untrusted::UnknownIssuer
    }
}

#[cfg(test)]
mod tests;
