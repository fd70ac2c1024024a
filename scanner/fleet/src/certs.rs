//! The fleet's certificates and rustls server configurations, made once when the fleet starts.
//!
//! ECDSA keys are generated on the spot; RSA keys come from `keys/` because rcgen on the `ring`
//! backend cannot generate RSA keys. The `weak-cert` certificate is a fixture (see `keys/README.md`).

use std::collections::HashMap;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SerialNumber,
};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::version::{TLS12, TLS13};
use rustls::{ServerConfig, SupportedProtocolVersion};
use time::{Duration, OffsetDateTime};

use super::{Behaviour, FleetError};

// Test-only RSA keys, public in this repository: never use them outside the loopback fleet.
const RSA_2048_A: &str = include_str!("keys/rsa2048-a.pem");
const RSA_2048_B: &str = include_str!("keys/rsa2048-b.pem");
const RSA_2048_C: &str = include_str!("keys/rsa2048-c.pem");
/// RSA-1024, sha1WithRSAEncryption, self-signed: made once with openssl because neither rcgen
/// nor ring can sign with SHA-1 or with a 1024-bit key.
const WEAK_CERT: &str = include_str!("keys/weak-cert.pem");

/// The subject CN of the CA that issues the `healthy-ssl` certificate.
pub const CA_COMMON_NAME: &str = "fleet-ca.fleet.test";
/// The subject CN of the `formula-subject` certificate, a spreadsheet formula.
pub const FORMULA_COMMON_NAME: &str = "=HYPERLINK(\"http://evil.test\",\"click\")";

const TLS12_AND_13: &[&SupportedProtocolVersion] = &[&TLS12, &TLS13];
const TLS13_ONLY: &[&SupportedProtocolVersion] = &[&TLS13];
const TLS12_ONLY: &[&SupportedProtocolVersion] = &[&TLS12];

/// What every host that needs a certificate serves, made for the behaviours in play only.
pub struct Certs {
    configs: HashMap<Behaviour, Arc<ServerConfig>>,
    tls10_chain: Vec<Vec<u8>>,
    /// The chains the deep profile's hosts present in their hand-built TLS 1.0/1.1 answers.
    legacy_chains: HashMap<Behaviour, Vec<Vec<u8>>>,
}

impl Certs {
    /// Makes the certificates and server configurations these behaviours need.
    pub fn generate(behaviours: &[Behaviour]) -> Result<Certs, FleetError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut configs = HashMap::new();
        let mut tls10_chain = Vec::new();
        let mut legacy_chains = HashMap::new();
        for &b in behaviours {
            let made = make(b, &provider)
                .map_err(|e| FleetError(format!("cannot make the {b} certificate: {e}")))?;
            match made {
                Made::Nothing => {}
                Made::Config(config) => {
                    configs.insert(b, config);
                }
                Made::Chain(chain) => tls10_chain = chain,
                Made::Range(config, chain) => {
                    if let Some(config) = config {
                        configs.insert(b, config);
                    }
                    legacy_chains.insert(b, chain);
                }
            }
        }
        Ok(Certs {
            configs,
            tls10_chain,
            legacy_chains,
        })
    }

    /// The rustls server configuration of a host that completes TLS.
    pub fn server_config(&self, behaviour: Behaviour) -> Option<Arc<ServerConfig>> {
        self.configs.get(&behaviour).cloned()
    }

    /// The DER chain (one RSA-2048 certificate) the `tls10-only` host presents.
    pub fn tls10_chain(&self) -> &[Vec<u8>] {
        &self.tls10_chain
    }

    /// The DER chain a deep-profile host presents in a hand-built TLS 1.0/1.1 answer.
    pub fn legacy_chain(&self, behaviour: Behaviour) -> &[Vec<u8>] {
        self.legacy_chains
            .get(&behaviour)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

enum Made {
    Nothing,
    Config(Arc<ServerConfig>),
    Chain(Vec<Vec<u8>>),
    /// A deep host: rustls for the TLS 1.2/1.3 part of its range (if any), and the chain of
    /// its hand-built TLS 1.0/1.1 answers.
    Range(Option<Arc<ServerConfig>>, Vec<Vec<u8>>),
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn make(b: Behaviour, provider: &Arc<CryptoProvider>) -> Result<Made, BoxError> {
    let cn = format!("{}.fleet.test", b.name());
    let config = |versions, chain, key| {
        server_config(provider, versions, chain, key).map(|c| Made::Config(Arc::new(c)))
    };
    match b {
        Behaviour::Healthy | Behaviour::Slow => {
            let (chain, key) = rsa_self_signed(RSA_2048_A, &cn, -30, 335, b)?;
            config(TLS12_AND_13, chain, key)
        }
        Behaviour::CertExpired => {
            let (chain, key) = rsa_self_signed(RSA_2048_B, &cn, -395, -30, b)?;
            config(TLS12_AND_13, chain, key)
        }
        Behaviour::CertExpiring => {
            let (chain, key) = rsa_self_signed(RSA_2048_B, &cn, -355, 10, b)?;
            config(TLS12_AND_13, chain, key)
        }
        Behaviour::CertNotYetValid => {
            let (chain, key) = rsa_self_signed(RSA_2048_B, &cn, 30, 395, b)?;
            config(TLS12_AND_13, chain, key)
        }
        Behaviour::FormulaSubject => {
            let (chain, key) = rsa_self_signed(RSA_2048_C, FORMULA_COMMON_NAME, -30, 335, b)?;
            config(TLS12_AND_13, chain, key)
        }
        Behaviour::HealthySsl => {
            let (chain, key) = ecdsa_issued_by_ca(&cn, b)?;
            config(TLS13_ONLY, chain, key)
        }
        Behaviour::HealthyEcdsa => {
            let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
            let cert = leaf_params(&cn, -30, 335, b).self_signed(&key)?;
            config(TLS13_ONLY, vec![cert.der().clone()], pkcs8(&key))
        }
        Behaviour::Tls10Only => {
            let (chain, _key) = rsa_self_signed(RSA_2048_C, &cn, -30, 335, b)?;
            Ok(Made::Chain(chain.into_iter().map(|c| c.to_vec()).collect()))
        }
        Behaviour::WeakCert => weak_cert_config(provider).map(|c| Made::Config(Arc::new(c))),
        _ => match b.tls_range() {
            Some((min, max)) => {
                let (chain, key) = rsa_self_signed(RSA_2048_C, &cn, -30, 335, b)?;
                let legacy = chain.iter().map(|c| c.to_vec()).collect();
                let versions: Vec<&'static SupportedProtocolVersion> = [
                    (rdpsweep_codec::legacy_tls::TLS1_2, &TLS12),
                    (rdpsweep_codec::legacy_tls::TLS1_3, &TLS13),
                ]
                .into_iter()
                .filter(|(wire, _)| (min..=max).contains(wire))
                .map(|(_, version)| version)
                .collect();
                let config = match versions.is_empty() {
                    true => None,
                    false => Some(Arc::new(server_config(provider, &versions, chain, key)?)),
                };
                Ok(Made::Range(config, legacy))
            }
            None => Ok(Made::Nothing),
        },
    }
}

/// Parameters of a server certificate with this CN, valid from `from_days` to `to_days` from now.
fn leaf_params(cn: &str, from_days: i64, to_days: i64, b: Behaviour) -> CertificateParams {
    let now = OffsetDateTime::now_utc();
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.not_before = now + Duration::days(from_days);
    params.not_after = now + Duration::days(to_days);
    // Distinct per behaviour, so no two fleet certificates share a serial.
    params.serial_number = Some(SerialNumber::from(0x1000 + b as u64));
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params
}

fn rsa_self_signed(
    key_pem: &str,
    cn: &str,
    from_days: i64,
    to_days: i64,
    b: Behaviour,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), BoxError> {
    let key = KeyPair::from_pem_and_sign_algo(key_pem, &rcgen::PKCS_RSA_SHA256)?;
    let cert = leaf_params(cn, from_days, to_days, b).self_signed(&key)?;
    Ok((vec![cert.der().clone()], pkcs8(&key)))
}

/// An ECDSA P-256 leaf valid now−1d..now+90d, issued by a fresh fleet CA; the chain is leaf, CA.
fn ecdsa_issued_by_ca(
    cn: &str,
    b: Behaviour,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), BoxError> {
    let now = OffsetDateTime::now_utc();
    let mut ca_params = CertificateParams::default();
    ca_params.distinguished_name = DistinguishedName::new();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, CA_COMMON_NAME);
    ca_params.not_before = now - Duration::days(30);
    ca_params.not_after = now + Duration::days(3650);
    ca_params.serial_number = Some(SerialNumber::from(0x0fffu64));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(
        ca_params,
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?,
    )?;

    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let leaf = leaf_params(cn, -1, 90, b).signed_by(&key, &ca)?;
    Ok((vec![leaf.der().clone(), ca.der().clone()], pkcs8(&key)))
}

/// The `weak-cert` host: the RSA-1024/SHA-1 fixture as the chain, while rustls signs the
/// handshake with an RSA-2048 key that does not match it. `CertifiedKey::new` does no
/// key-match check, and the scanner's verifier accepts any certificate and signature.
fn weak_cert_config(provider: &Arc<CryptoProvider>) -> Result<ServerConfig, BoxError> {
    let cert = CertificateDer::from_pem_slice(WEAK_CERT.as_bytes())?;
    let signer = KeyPair::from_pem_and_sign_algo(RSA_2048_C, &rcgen::PKCS_RSA_SHA256)?;
    let signing_key = provider.key_provider.load_private_key(pkcs8(&signer))?;
    let certified = CertifiedKey::new(vec![cert], signing_key);
    Ok(ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(TLS12_ONLY)?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(SingleCertAndKey::from(certified))))
}

fn server_config(
    provider: &Arc<CryptoProvider>,
    versions: &[&'static SupportedProtocolVersion],
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<ServerConfig, BoxError> {
    Ok(ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)?
        .with_no_client_auth()
        .with_single_cert(chain, key)?)
}

fn pkcs8(key: &KeyPair) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()))
}
