//! The rustls client configuration of a scanner, not of a client that trusts.
//!
//! The verifier accepts any certificate and any handshake signature: a Remote Desktop host
//! with an expired, self-signed, RSA-1024 or SHA-1 certificate must still be handshaken so that
//! its certificate can be reported. Nothing is sent over these connections but the handshake.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::Resumption;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme, SupportedProtocolVersion};

/// Accepts every certificate and every handshake signature, whatever the scheme.
#[derive(Debug)]
struct AcceptAnything;

/// Every scheme a server may sign with, old ones included, so that no handshake fails on it.
const ALL_SCHEMES: [SignatureScheme; 13] = [
    SignatureScheme::RSA_PKCS1_SHA1,
    SignatureScheme::ECDSA_SHA1_Legacy,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::ECDSA_NISTP256_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::ECDSA_NISTP384_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
    SignatureScheme::ECDSA_NISTP521_SHA512,
    SignatureScheme::RSA_PSS_SHA256,
    SignatureScheme::RSA_PSS_SHA384,
    SignatureScheme::RSA_PSS_SHA512,
    SignatureScheme::ED25519,
    SignatureScheme::ED448,
];

impl ServerCertVerifier for AcceptAnything {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        ALL_SCHEMES.to_vec()
    }
}

/// The client configuration every TLS probe uses: TLS 1.2 and 1.3 with the `ring` provider's
/// suites, the accept-anything verifier, and no session resumption (each probe must see a full
/// handshake, and a scanner has no business keeping tickets).
pub fn scanning_client_config() -> Arc<ClientConfig> {
    client_config(&[&rustls::version::TLS13, &rustls::version::TLS12])
}

/// The same configuration offering only `version` (`rustls::version::TLS12` or `TLS13`), for
/// the deep probe's TLS version range: a handshake that completes proves that exact version.
pub fn pinned_client_config(version: &'static SupportedProtocolVersion) -> Arc<ClientConfig> {
    client_config(&[version])
}

fn client_config(versions: &[&'static SupportedProtocolVersion]) -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        // The ring provider supports both TLS 1.2 and 1.3, the only versions rustls has.
        .expect("ring supports tls 1.2 and 1.3")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnything))
        .with_no_client_auth();
    config.resumption = Resumption::disabled();
    Arc::new(config)
}
