//! The fleet's certificates and rustls server configurations, made once when the fleet starts.
//!
//! ECDSA keys are generated on the spot; RSA keys come from `keys/` because rcgen on the `ring`
//! backend cannot generate RSA keys. The `weak-cert` certificate is a fixture (see `keys/README.md`).

use std::collections::HashMap;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use rdpsweep_codec::legacy_tls::{TLS1_2, TLS1_3};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::version::{TLS12, TLS13};
use rustls::{ServerConfig, SupportedProtocolVersion};
use time::{Duration, OffsetDateTime};

use super::certs_hostile as hostile;
use super::spec::{Cert, HostSpec, Issuer, Key, Subject, Tls, PADDED_VALID_DAYS};
use super::{Behaviour, FleetError};

// Test-only RSA keys, public in this repository: never use them outside the loopback fleet.
const RSA_2048_A: &str = include_str!("keys/rsa2048-a.pem");
const RSA_2048_B: &str = include_str!("keys/rsa2048-b.pem");
const RSA_2048_C: &str = include_str!("keys/rsa2048-c.pem");
/// RSA-1024, sha1WithRSAEncryption, self-signed: made once with openssl because neither rcgen
/// nor ring can sign with SHA-1 or with a 1024-bit key.
const WEAK_CERT: &str = include_str!("keys/weak-cert.pem");

/// The subject CN of the CA that issues the certificates of [`Issuer::FleetCa`].
pub const CA_COMMON_NAME: &str = "fleet-ca.fleet.test";

/// What every host that needs a certificate serves, made for the rows in play only.
pub struct Certs {
    /// The rustls configurations of the hosts that complete TLS 1.2/1.3.
    configs: HashMap<Behaviour, Arc<ServerConfig>>,
    /// The DER chains of the hosts that answer TLS 1.0/1.1 by hand.
    chains: HashMap<Behaviour, Vec<Vec<u8>>>,
    /// The fleet CA's certificate (PEM), which every [`Issuer::FleetCa`] leaf chains to.
    ca_pem: String,
}

impl Certs {
    /// Makes the certificates and server configurations these rows need.
    pub fn generate(specs: &[&'static HostSpec]) -> Result<Certs, FleetError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let ca = fleet_ca().map_err(|e| FleetError(format!("cannot make the fleet CA: {e}")))?;
        let mut configs = HashMap::new();
        let mut chains = HashMap::new();
        for spec in specs {
            let made = make(spec, &provider, &ca).map_err(|e| {
                FleetError(format!("cannot make the {} certificate: {e}", spec.name))
            })?;
            if let Some(config) = made.config {
                configs.insert(spec.behaviour, config);
            }
            if let Some(chain) = made.chain {
                chains.insert(spec.behaviour, chain);
            }
        }
        Ok(Certs {
            configs,
            chains,
            ca_pem: ca.pem(),
        })
    }

    /// The fleet CA's certificate, PEM: what `--ca-file` takes to trust the CA-issued hosts.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The rustls server configuration of a host that completes TLS 1.2/1.3.
    pub fn server_config(&self, behaviour: Behaviour) -> Option<Arc<ServerConfig>> {
        self.configs.get(&behaviour).cloned()
    }

    /// The DER chain a host presents in a hand-built TLS 1.0/1.1 answer.
    pub fn chain(&self, behaviour: Behaviour) -> &[Vec<u8>] {
        self.chains
            .get(&behaviour)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// What one host serves: a rustls configuration, a chain for hand-built answers, or both.
#[derive(Default)]
struct Made {
    config: Option<Arc<ServerConfig>>,
    chain: Option<Vec<Vec<u8>>>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The rustls versions a TLS stage completes, and whether it answers by hand too.
fn tls_needs(tls: Tls) -> (Vec<&'static SupportedProtocolVersion>, bool) {
    let rustls_range = |min: u16, max: u16| -> Vec<&'static SupportedProtocolVersion> {
        [(TLS1_2, &TLS12), (TLS1_3, &TLS13)]
            .into_iter()
            .filter(|(wire, _)| (min..=max).contains(wire))
            .map(|(_, version)| version)
            .collect()
    };
    match tls {
        Tls::Never
        | Tls::CloseOnHello
        | Tls::Stall
        | Tls::Alert(_)
        | Tls::Answer { .. }
        | Tls::Noise { .. } => (Vec::new(), false),
        Tls::Rustls { min, max } => (rustls_range(min, max), false),
        Tls::Legacy { .. } => (Vec::new(), true),
        Tls::Range { min, max } => (rustls_range(min, max), true),
    }
}

fn make(
    spec: &HostSpec,
    provider: &Arc<CryptoProvider>,
    ca: &CertifiedIssuer<'static, KeyPair>,
) -> Result<Made, BoxError> {
    let (versions, by_hand) = tls_needs(spec.answers.tls);
    if versions.is_empty() && !by_hand {
        return Ok(Made::default());
    }
    let (chain, key) = match spec.cert {
        Cert::None => return Err("the host speaks tls but has no certificate".into()),
        Cert::Made {
            key,
            valid_days: (from_days, to_days),
            subject,
            issuer,
        } => {
            let cn = match subject {
                Subject::HostName => format!("{}.fleet.test", spec.name),
                Subject::Literal(text) => text.to_string(),
                Subject::Bytes(bytes) => hostile::placeholder(bytes.len()),
            };
            let key = key_pair(key)?;
            let params = leaf_params(&cn, from_days, to_days, spec.behaviour);
            let mut chain = match issuer {
                Issuer::SelfSigned => vec![params.self_signed(&key)?.der().clone()],
                Issuer::FleetCa => {
                    // As an enterprise CA issues them: the name in the subject alternative
                    // names too (self-signed Windows certificates have it in the CN only).
                    let mut params = params;
                    params.subject_alt_names = vec![SanType::DnsName(cn.as_str().try_into()?)];
                    let leaf = params.signed_by(&key, ca)?;
                    vec![leaf.der().clone(), ca.der().clone()]
                }
                Issuer::LongChain { certificates } => {
                    hostile::long_chain(params, &key, certificates)?
                }
            };
            if let (Subject::Bytes(bytes), Some(leaf)) = (subject, chain.first_mut()) {
                *leaf = hostile::patch_name(leaf, &cn, bytes)?;
            }
            (chain, key)
        }
        Cert::Padded { key, bytes } => {
            let cn = format!("{}.fleet.test", spec.name);
            let key = key_pair(key)?;
            let (from_days, to_days) = PADDED_VALID_DAYS;
            let mut params = leaf_params(&cn, from_days, to_days, spec.behaviour);
            params.custom_extensions = vec![hostile::padding(bytes)];
            let cert = params.self_signed(&key)?.der().clone();
            // webpki reads no DER length over 65535, so rustls cannot check that a certificate
            // this large matches its key: it is served unchecked.
            let config = match versions.is_empty() {
                true => None,
                false => Some(unchecked_config(
                    provider,
                    &versions,
                    vec![cert.clone()],
                    pkcs8(&key),
                )?),
            };
            return Ok(Made {
                config: config.map(Arc::new),
                chain: by_hand.then(|| vec![cert.to_vec()]),
            });
        }
        Cert::WeakFixture => {
            let cert = CertificateDer::from_pem_slice(WEAK_CERT.as_bytes())?;
            let key = key_pair(Key::Rsa2048B)?;
            let config = match versions.is_empty() {
                true => None,
                false => Some(server_config(
                    provider,
                    &versions,
                    vec![cert.clone()],
                    pkcs8(&key),
                )?),
            };
            return Ok(Made {
                config: config.map(Arc::new),
                chain: by_hand.then(|| vec![cert.to_vec()]),
            });
        }
    };
    let config = match versions.is_empty() {
        true => None,
        false => Some(server_config(
            provider,
            &versions,
            chain.clone(),
            pkcs8(&key),
        )?),
    };
    Ok(Made {
        config: config.map(Arc::new),
        chain: by_hand.then(|| chain.into_iter().map(|c| c.to_vec()).collect()),
    })
}

/// The key pair of a certificate made at start: a fixed RSA key, or a fresh ECDSA one.
fn key_pair(key: Key) -> Result<KeyPair, rcgen::Error> {
    let rsa = |pem| KeyPair::from_pem_and_sign_algo(pem, &rcgen::PKCS_RSA_SHA256);
    match key {
        Key::Rsa2048A => rsa(RSA_2048_A),
        Key::Rsa2048B => rsa(RSA_2048_B),
        Key::Rsa2048C => rsa(RSA_2048_C),
        Key::EcdsaP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
    }
}

/// Parameters of a server certificate with this CN, valid from `from_days` to `to_days` from now.
pub(super) fn leaf_params(
    cn: &str,
    from_days: i64,
    to_days: i64,
    b: Behaviour,
) -> CertificateParams {
    let now = OffsetDateTime::now_utc();
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.not_before = now + Duration::days(from_days);
    params.not_after = now + Duration::days(to_days);
    // Distinct per behaviour, so no two fleet certificates share a serial.
    params.serial_number = Some(SerialNumber::from(0x1000 + b.index()));
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params
}

/// The fleet CA, made once when the fleet starts: ECDSA P-256, CN [`CA_COMMON_NAME`], valid
/// now−30d..now+3650d.
fn fleet_ca() -> Result<CertifiedIssuer<'static, KeyPair>, rcgen::Error> {
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
    CertifiedIssuer::self_signed(
        ca_params,
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?,
    )
}

/// A server configuration presenting `chain` and signing with `key`, without rustls'
/// check that they match (which parses the leaf).
fn unchecked_config(
    provider: &Arc<CryptoProvider>,
    versions: &[&'static SupportedProtocolVersion],
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<ServerConfig, BoxError> {
    let signing_key = provider.key_provider.load_private_key(key)?;
    let certified = CertifiedKey::new(chain, signing_key);
    Ok(ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)?
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
