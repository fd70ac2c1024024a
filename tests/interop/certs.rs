//! The servers' certificates, made at test time in a temporary directory: a test CA and server
//! certificates that are valid, expired, not yet valid, issued for another name, or self-signed.
//!
//! The servers' key is RSA-2048 made by `openssl genpkey`: FreeRDP 2.11's servers (shadow,
//! weston) load RSA keys only, and rcgen on the `ring` backend cannot generate RSA keys (it signs
//! with them). rcgen makes every certificate, so validity windows are set directly.

use std::path::{Path, PathBuf};
use std::process::Command;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SerialNumber,
};
use time::{Duration, OffsetDateTime};

/// The name every server is reached by (`rdpsweep scan localhost`, `/cert:name:localhost`).
pub const NAME: &str = "localhost";
/// The name of the certificate issued for another host.
pub const OTHER_NAME: &str = "rdp.test";

/// A server certificate the suite can give a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cert {
    /// Self-signed for `localhost`, valid now: the shape of Windows' default certificate.
    SelfSigned,
    /// Issued by the test CA for `localhost`, valid now: trusted by a client that trusts the CA.
    CaValid,
    /// Issued by the test CA for `rdp.test`, valid now: the name does not match.
    CaOtherName,
    /// Issued by the test CA for `localhost`, expired 30 days ago.
    CaExpired,
    /// Issued by the test CA for `localhost`, valid only from 30 days on.
    CaNotYetValid,
}

impl Cert {
    const ALL: [Cert; 5] = [
        Cert::SelfSigned,
        Cert::CaValid,
        Cert::CaOtherName,
        Cert::CaExpired,
        Cert::CaNotYetValid,
    ];

    fn file_stem(self) -> &'static str {
        match self {
            Cert::SelfSigned => "self-signed",
            Cert::CaValid => "ca-valid",
            Cert::CaOtherName => "ca-other-name",
            Cert::CaExpired => "ca-expired",
            Cert::CaNotYetValid => "ca-not-yet-valid",
        }
    }

    /// The DNS name the certificate is for.
    pub fn name(self) -> &'static str {
        match self {
            Cert::CaOtherName => OTHER_NAME,
            _ => NAME,
        }
    }

    /// Valid from, until: days from now.
    fn validity_days(self) -> (i64, i64) {
        match self {
            Cert::CaExpired => (-400, -30),
            Cert::CaNotYetValid => (30, 400),
            _ => (-1, 365),
        }
    }
}

/// The test CA and one certificate of each kind, written as PEM files in a directory.
pub struct Pki {
    dir: PathBuf,
    /// The test CA's certificate: `--ca-file` of the scan, `SSL_CERT_FILE` of the strict client.
    pub ca: PathBuf,
    /// The servers' private key (PKCS#8 PEM), shared by every certificate.
    pub key: PathBuf,
}

impl Pki {
    pub fn new(dir: &Path, openssl: &Path) -> Pki {
        std::fs::create_dir_all(dir).expect("certificate directory");
        let key = dir.join("server.key");
        let status = Command::new(openssl)
            .args([
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
            ])
            .arg(&key)
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run openssl genpkey");
        assert!(status.success(), "openssl genpkey failed: {status}");
        let key_pem = std::fs::read_to_string(&key).expect("read the server key");
        let server_key = KeyPair::from_pem_and_sign_algo(&key_pem, &rcgen::PKCS_RSA_SHA256)
            .expect("load the RSA server key");

        let ca = test_ca();
        let ca_path = dir.join("ca.pem");
        std::fs::write(&ca_path, ca.pem()).expect("write ca.pem");
        for (serial, cert) in (1u64..).zip(Cert::ALL) {
            let params = leaf_params(cert, serial);
            let made = match cert {
                Cert::SelfSigned => params.self_signed(&server_key),
                _ => params.signed_by(&server_key, &ca),
            }
            .unwrap_or_else(|e| panic!("make the {cert:?} certificate: {e}"));
            let path = dir.join(format!("{}.pem", cert.file_stem()));
            std::fs::write(path, made.pem()).expect("write a certificate");
        }
        Pki {
            dir: dir.to_path_buf(),
            ca: ca_path,
            key,
        }
    }

    /// The PEM file of `cert`.
    pub fn cert(&self, cert: Cert) -> PathBuf {
        self.dir.join(format!("{}.pem", cert.file_stem()))
    }
}

fn test_ca() -> CertifiedIssuer<'static, KeyPair> {
    let now = OffsetDateTime::now_utc();
    let mut params = CertificateParams::default();
    params
        .distinguished_name
        .push(DnType::CommonName, "rdpsweep interop test CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(3650);
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("CA key");
    CertifiedIssuer::self_signed(params, key).expect("self-sign the test CA")
}

fn leaf_params(cert: Cert, serial: u64) -> CertificateParams {
    let now = OffsetDateTime::now_utc();
    let (from, until) = cert.validity_days();
    let mut params =
        CertificateParams::new(vec![cert.name().to_string()]).expect("a valid DNS name");
    params
        .distinguished_name
        .push(DnType::CommonName, cert.name());
    params.not_before = now + Duration::days(from);
    params.not_after = now + Duration::days(until);
    params.serial_number = Some(SerialNumber::from(serial));
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params
}
