//! The real servers' configurations and their tests: xrdp 0.9.21, freerdp-shadow-cli 2.11 and
//! weston 10's RDP backend on loopback, ports 23601-23639 (outside the ephemeral range and the
//! e2e suite's 234xx ports).

use crate::certs::{Cert, Pki};
use crate::classify::{ClientRun, Got, Security};
use crate::client::{in_parallel, Client};
use crate::prereq::{require, Programs};
use crate::process::Display;
use crate::real::{localhost, run_and_compare, AlsoRun, Config};
use crate::servers;
use crate::util::TestDir;
use std::net::SocketAddr;
use std::path::PathBuf;

const COMPLETES: Got = Got::SetupCompleted;
const FAILS: Got = Got::FailedInSetup;

/// Debian's xrdp 0.9.21.1-1+deb12u3 (its changelog backports the 2026 CVE fixes, among them
/// CVE-2026-32105, "modify encrypted traffic in transit without detection") rejects the salted
/// MACs FreeRDP 2.11 sends by default under standard RDP security at crypt_level low, medium and
/// high: the server logs "MAC checksum error for non-FIPS PDU" and logs the user off (client exit
/// 131 at LICENSING, after the keys were made). A pairing of these two builds, invisible to a
/// scanner; FreeRDP's `/tune:FreeRDP_SaltedChecksum:false` makes the client send plain MACs.
const PLAIN_MACS: &[&str] = &["/tune:FreeRDP_SaltedChecksum:false"];

fn disconnected_at_licensing(run: &ClientRun) -> bool {
    run.exit == Some(131) && run.furthest == Some("LICENSING")
}

fn completes_over_tls(run: &ClientRun) -> bool {
    run.active && run.security == Some(Security::Tls)
}

/// xrdp: security layer negotiate / tls / rdp, certificates of every kind, TLS 1.0 only, and
/// standard security at every crypt_level. Each with the `[Globals]` settings it changes.
const XRDP: &[(Config, &[(&str, &str)])] = &[
    (
        Config {
            label: "xrdp-negotiate-self-signed",
            port: 23601,
            cert: Some(Cert::SelfSigned),
            expect: (COMPLETES, FAILS),
            sound_self_signed: true,
            ..Config::BASE
        },
        &[("security_layer", "negotiate")],
    ),
    (
        Config {
            label: "xrdp-tls-ca-issued",
            port: 23602,
            cert: Some(Cert::CaValid),
            ..Config::BASE
        },
        &[("security_layer", "tls")],
    ),
    (
        Config {
            label: "xrdp-tls-other-name",
            port: 23603,
            cert: Some(Cert::CaOtherName),
            expect: (COMPLETES, FAILS),
            ..Config::BASE
        },
        &[("security_layer", "tls")],
    ),
    (
        Config {
            label: "xrdp-tls-expired",
            port: 23604,
            cert: Some(Cert::CaExpired),
            expect: (COMPLETES, FAILS),
            ..Config::BASE
        },
        &[("security_layer", "tls")],
    ),
    (
        Config {
            label: "xrdp-tls-not-yet-valid",
            port: 23605,
            cert: Some(Cert::CaNotYetValid),
            expect: (COMPLETES, FAILS),
            ..Config::BASE
        },
        &[("security_layer", "tls")],
    ),
    (
        // TLS 1.0 only. The server needs OpenSSL security level 0 to do TLS 1.0 at all; the
        // client at its default level 1 refuses it (exit 143 in NEGO), and completes with
        // /tls-seclevel:0, which shows the failure is the version, not a broken server.
        Config {
            label: "xrdp-tls1.0-only",
            port: 23606,
            cert: Some(Cert::CaValid),
            expect: (FAILS, FAILS),
            also: &[AlsoRun {
                what: "with /tls-seclevel:0 the client completes over TLS 1.0",
                extra: &["/tls-seclevel:0"],
                holds: completes_over_tls,
            }],
            ..Config::BASE
        },
        &[
            ("security_layer", "tls"),
            ("ssl_protocols", "TLSv1"),
            ("tls_ciphers", "DEFAULT@SECLEVEL=0"),
        ],
    ),
    (
        Config {
            label: "xrdp-rdp-none",
            port: 23607,
            ..Config::BASE
        },
        &[("security_layer", "rdp"), ("crypt_level", "none")],
    ),
    (
        Config {
            label: "xrdp-rdp-low",
            port: 23608,
            client_extra: PLAIN_MACS,
            ..Config::BASE
        },
        &[("security_layer", "rdp"), ("crypt_level", "low")],
    ),
    (
        Config {
            label: "xrdp-rdp-medium",
            port: 23609,
            client_extra: PLAIN_MACS,
            ..Config::BASE
        },
        &[("security_layer", "rdp"), ("crypt_level", "medium")],
    ),
    (
        Config {
            label: "xrdp-rdp-high",
            port: 23610,
            client_extra: PLAIN_MACS,
            also: &[AlsoRun {
                what: "with FreeRDP's default salted MACs xrdp deb12u3 logs the client off at \
                       LICENSING (exit 131)",
                extra: &[],
                holds: disconnected_at_licensing,
            }],
            ..Config::BASE
        },
        &[("security_layer", "rdp"), ("crypt_level", "high")],
    ),
    (
        Config {
            label: "xrdp-rdp-fips",
            port: 23611,
            ..Config::BASE
        },
        &[("security_layer", "rdp"), ("crypt_level", "fips")],
    ),
];

#[test]
fn xrdp_configurations_agree_with_the_client() {
    let Some(programs) = require("xrdp", &["xrdp", "xfreerdp", "Xvfb", "openssl"]) else {
        return;
    };
    let (dir, work, pki, display) = prepare(&programs);
    let ip = localhost();
    let _servers = in_parallel(4, XRDP, |(config, settings)| {
        let mut settings: Vec<(&str, String)> =
            settings.iter().map(|(k, v)| (*k, v.to_string())).collect();
        if let Some(cert) = config.cert {
            settings.push(("certificate", pki.cert(cert).display().to_string()));
            settings.push(("key_file", pki.key.display().to_string()));
        }
        servers::xrdp(
            programs.path("xrdp"),
            &work,
            config.label,
            SocketAddr::new(ip, config.port),
            &settings,
        )
    });
    let client = client(&programs, &display, &dir, &pki);
    let configs: Vec<&Config> = XRDP.iter().map(|(c, _)| c).collect();
    run_and_compare("xrdp", &configs, &client, &pki, &dir);
}

/// freerdp-shadow-cli: NLA required (a SAM file with the client's user), and TLS only.
const SHADOW: &[(Config, &str)] = &[
    (
        Config {
            label: "shadow-nla-ca-issued",
            port: 23621,
            cert: Some(Cert::CaValid),
            ..Config::BASE
        },
        "/sec:nla",
    ),
    (
        Config {
            label: "shadow-tls-self-signed",
            port: 23622,
            cert: Some(Cert::SelfSigned),
            expect: (COMPLETES, FAILS),
            sound_self_signed: true,
            ..Config::BASE
        },
        "/sec:tls",
    ),
];

#[test]
fn freerdp_shadow_configurations_agree_with_the_client() {
    let needs = [
        "freerdp-shadow-cli",
        "winpr-hash",
        "xfreerdp",
        "Xvfb",
        "openssl",
    ];
    let Some(programs) = require("freerdp-shadow", &needs) else {
        return;
    };
    let (dir, work, pki, display) = prepare(&programs);
    let sam = servers::sam_file(programs.path("winpr-hash"), &work);
    let ip = localhost();
    let _servers = in_parallel(2, SHADOW, |(config, sec)| {
        let mut args = vec![sec.to_string()];
        if *sec == "/sec:nla" {
            args.push(format!("/sam-file:{}", sam.display()));
        }
        let cert = config.cert.expect("shadow serves a certificate");
        servers::shadow(
            programs.path("freerdp-shadow-cli"),
            &work,
            &display.name,
            config.label,
            SocketAddr::new(ip, config.port),
            &pki.cert(cert),
            &pki.key,
            &args,
        )
    });
    let client = client(&programs, &display, &dir, &pki);
    let configs: Vec<&Config> = SHADOW.iter().map(|(c, _)| c).collect();
    run_and_compare("freerdp-shadow", &configs, &client, &pki, &dir);
}

/// weston's RDP backend: TLS with a CA-issued certificate, and standard security only (an RSA
/// key and no certificate: it answers SSL_NOT_ALLOWED_BY_SERVER and the client retries with
/// standard RDP security). FreeRDP-based servers switch RDP encryption off for a peer on
/// 127.0.0.1 (libfreerdp's listener marks it local), so the second runs unencrypted here.
const WESTON: &[Config] = &[
    Config {
        label: "weston-tls-ca-issued",
        port: 23631,
        cert: Some(Cert::CaValid),
        ..Config::BASE
    },
    Config {
        label: "weston-rdp-only",
        port: 23632,
        ..Config::BASE
    },
];

#[test]
fn weston_configurations_agree_with_the_client() {
    let Some(programs) = require("weston", &["weston", "xfreerdp", "Xvfb", "openssl"]) else {
        return;
    };
    let (dir, work, pki, display) = prepare(&programs);
    let ip = localhost();
    let _servers = in_parallel(2, WESTON, |config| {
        let key = pki.key.display();
        let args = match config.cert {
            Some(cert) => vec![
                format!("--rdp-tls-cert={}", pki.cert(cert).display()),
                format!("--rdp-tls-key={key}"),
            ],
            None => vec![format!("--rdp4-key={key}")],
        };
        servers::weston(
            programs.path("weston"),
            &work,
            config.label,
            SocketAddr::new(ip, config.port),
            &args,
        )
    });
    let client = client(&programs, &display, &dir, &pki);
    let configs: Vec<&Config> = WESTON.iter().collect();
    run_and_compare("weston", &configs, &client, &pki, &dir);
}

/// A test's directory, its servers' work directory, its certificates, and an X display.
fn prepare(programs: &Programs) -> (TestDir, PathBuf, Pki, Display) {
    let dir = TestDir::new();
    let work = dir.join("work");
    std::fs::create_dir_all(&work).expect("work directory");
    let pki = Pki::new(&dir.join("pki"), programs.path("openssl"));
    let display = Display::start(programs.path("Xvfb"), &work);
    (dir, work, pki, display)
}

fn client(programs: &Programs, display: &Display, dir: &TestDir, pki: &Pki) -> Client {
    Client::new(
        programs.path("xfreerdp"),
        &display.name,
        &dir.join("client"),
        Some(&pki.ca),
    )
}
