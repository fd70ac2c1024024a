//! The shape of a host specification: what a simulated host answers at each stage, its
//! certificate, and the row `rdpsweep scan` must report for it. The rows are in the profiles'
//! tables ([`crate::mixed`], [`crate::deep`], [`crate::healthy`], [`crate::hostile`]); `play`
//! and `certs` interpret them, the README's fleet tables and the end-to-end tests read them.
//!
//! Every stage is an enum matched exhaustively: a new kind of answer is a new variant, and
//! the compiler then points at each place that must say what it does.

use std::time::Duration;

use rdpsweep_codec::{FailureCode, ResponseFlags, SecurityProtocol};

use crate::policy::{NtlmIdentity, Policy, StandardSecurity};
use crate::Behaviour;

/// One simulated host: its key, name and description, what it answers, its certificate, and
/// what the scan reports. Its address slot is its index in its profile's table.
#[derive(Debug, Clone, Copy)]
pub struct HostSpec {
    pub behaviour: Behaviour,
    /// The kebab-case name of `--list`, the README and the demo.
    pub name: &'static str,
    /// One line saying what the host does.
    pub does: &'static str,
    pub answers: Answers,
    pub cert: Cert,
    pub expect: Expect,
}

/// What the host does at each stage of a connection.
#[derive(Debug, Clone, Copy)]
pub struct Answers {
    pub tcp: Tcp,
    /// How long the host waits after the Connection Request before answering it.
    pub delay: Duration,
    pub x224: X224,
    /// The TLS stage, reached when the X.224 answer selects SSL, HYBRID or HYBRID_EX.
    pub tls: Tls,
    /// What follows a completed TLS handshake.
    pub after_tls: AfterTls,
    /// The MCS answer, reached when the X.224 answer selects PROTOCOL_RDP; `None`: holds.
    pub standard_security: Option<StandardSecurity>,
}

impl Answers {
    /// Listens, answers at once, no TLS stage, holds after TLS, no standard security: the
    /// base a row overrides.
    pub const LISTEN: Answers = Answers {
        tcp: Tcp::Listen,
        delay: Duration::ZERO,
        x224: X224::Silence,
        tls: Tls::Never,
        after_tls: AfterTls::Hold,
        standard_security: None,
    };
}

/// Every RDP_NEG_RSP flag of MS-RDPBCGR 2.2.1.2.1 (0x1f), as a current Windows host sends.
pub const EVERY_RSP_FLAG: ResponseFlags = ResponseFlags::EXTENDED_CLIENT_DATA_SUPPORTED
    .union(ResponseFlags::DYNVC_GFX_PROTOCOL_SUPPORTED)
    .union(ResponseFlags::RDP_NEGRSP_RESERVED)
    .union(ResponseFlags::RESTRICTED_ADMIN_MODE_SUPPORTED)
    .union(ResponseFlags::REDIRECTED_AUTHENTICATION_MODE_SUPPORTED);

/// The TCP stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tcp {
    /// A listener is bound to the host's address.
    Listen,
    /// Nothing listens: the kernel refuses the connection.
    NoListener,
    /// A listener that resets every connection (RST) as soon as it accepts it, before reading
    /// anything, as an IPS or a broken service does.
    ResetAtAccept,
}

/// What the host answers a Connection Request with. A request that is not one is closed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum X224 {
    /// A Connection Confirm selecting `protocol` with these RDP_NEG_RSP flags; the TLS stage
    /// (or standard security, for PROTOCOL_RDP) follows.
    Select {
        protocol: SecurityProtocol,
        flags: ResponseFlags,
    },
    /// A Connection Confirm carrying RDP_NEG_FAILURE `code`, then closes.
    Refuse(FailureCode),
    /// The 11-byte Connection Confirm without negotiation data (pre-Vista): PROTOCOL_RDP.
    ConfirmWithoutNegotiation,
    /// A Connection Confirm chosen by a security-layer policy from what was requested.
    Policy(Policy),
    /// Nothing: holds the connection.
    Silence,
    /// Nothing: closes (FIN).
    Close,
    /// Nothing: resets the connection (RST).
    Reset,
    /// These bytes instead of a Connection Confirm, then `then`.
    Send { bytes: &'static [u8], then: Then },
    /// A Connection Confirm selecting `protocol` with `flags`, one byte every `every`, then
    /// holds.
    Trickle {
        protocol: SecurityProtocol,
        flags: ResponseFlags,
        every: Duration,
    },
    /// A TPKT header whose length field says `length`, then `tpdu_bytes` bytes: the TPDU of
    /// a Connection Confirm selecting HYBRID, cut there or padded with zeros up to there; then
    /// holds.
    LyingTpkt { length: u16, tpdu_bytes: usize },
    /// A Connection Confirm selecting `protocol` with `flags`, delivered as `shape` says; the
    /// TLS stage follows.
    Shaped {
        protocol: SecurityProtocol,
        flags: ResponseFlags,
        shape: Shape,
    },
    /// Endless pseudo-random bytes from `seed` (the same every run) instead of a Connection
    /// Confirm, until the client goes away.
    Noise { seed: u64 },
}

/// How a [`X224::Shaped`] Connection Confirm reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One byte per write, without pause (so, with Nagle off, one TCP segment per byte).
    ByteWrites,
    /// In one write with these bytes behind it, outside the TPKT frame: a client reads them
    /// as the start of the server's TLS answer.
    Trailing(&'static [u8]),
}

/// How a host ends after sending what it sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// Reads and discards until the client closes.
    Hold,
    /// Closes (FIN) and drains what the client still sends for a while.
    Close,
    /// Closes its sending side (FIN) and keeps reading until the client closes.
    HalfClose,
    /// Resets the connection (RST).
    Reset,
}

/// The TLS stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    /// Never reached: the host's X.224 answer selects no TLS protocol (holds if it were).
    Never,
    /// rustls, TLS versions `min` to `max` (wire values, 1.2 or 1.3), with the host's
    /// certificate; then [`AfterTls`].
    Rustls { min: u16, max: u16 },
    /// Reads the ClientHello record, then closes.
    CloseOnHello,
    /// Reads the ClientHello and never answers.
    Stall,
    /// Reads the ClientHello record, answers alert `description` (fatal), then closes.
    Alert(u8),
    /// Hand-built: answers any ClientHello offering TLS 1.0 or later with a `version`
    /// ServerHello (TLS_RSA_WITH_AES_128_CBC_SHA), the host's certificate and
    /// ServerHelloDone, then holds; alert 70 to a lower hello.
    Legacy { version: u16 },
    /// Speaks exactly TLS `min` to `max`: reads the ClientHello, answers 1.0/1.1 by hand (as
    /// `Legacy`), 1.2/1.3 with rustls (then [`AfterTls`]), alert 70 below `min`.
    Range { min: u16, max: u16 },
    /// Reads the ClientHello record, answers it with `flight` delivered as `delivery` says,
    /// then ends as `then`.
    Answer {
        flight: Flight,
        delivery: Delivery,
        then: Then,
    },
    /// Reads the ClientHello record, then sends endless pseudo-random bytes from `seed` (the
    /// same every run) until the client goes away.
    Noise { seed: u64 },
}

/// What a [`Tls::Answer`] host sends after the ClientHello.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flight {
    /// These bytes.
    Bytes(&'static [u8]),
    /// A TLS 1.2 ServerHello (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), alone: a client then
    /// waits for the Certificate.
    ServerHello,
    /// That ServerHello, a Certificate message with an empty list, and ServerHelloDone.
    EmptyCertificate,
}

/// How a [`Tls::Answer`] flight is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// All of it, in one write.
    AtOnce,
    /// Its first this many bytes only.
    FirstBytes(usize),
    /// One byte, then another every this long.
    Trickle(Duration),
}

/// What follows a completed rustls handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterTls {
    /// Reads and discards until the client closes.
    Hold,
    /// On a connection that selected HYBRID or HYBRID_EX, answers a TSRequest carrying an
    /// NTLM NEGOTIATE with a CHALLENGE as `identity`, its clock `clock_ahead_s` seconds
    /// ahead of the real one; holds otherwise.
    Ntlm {
        identity: NtlmIdentity,
        clock_ahead_s: i64,
    },
}

/// The certificate a host presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cert {
    /// None: the host never completes a TLS handshake.
    None,
    /// Made with rcgen when the fleet starts.
    Made {
        key: Key,
        /// notBefore and notAfter, in days from the fleet's start.
        valid_days: (i64, i64),
        subject: Subject,
        issuer: Issuer,
    },
    /// The sha1WithRSAEncryption fixture `keys/weak-cert.pem` (self-signed, CN
    /// `weak-cert.fleet.test`, key [`Key::Rsa2048B`], which signs the handshake).
    WeakFixture,
    /// A self-signed certificate made at start, for `NAME.fleet.test`, valid
    /// [`PADDED_VALID_DAYS`], carrying a private non-critical extension of `bytes` bytes.
    Padded { key: Key, bytes: usize },
}

/// notBefore and notAfter of a [`Cert::Padded`] certificate, in days from the fleet's start.
pub const PADDED_VALID_DAYS: (i64, i64) = (-30, 335);

/// A self-signed certificate made at start.
pub const fn self_signed(key: Key, from_days: i64, to_days: i64) -> Cert {
    Cert::Made {
        key,
        valid_days: (from_days, to_days),
        subject: Subject::HostName,
        issuer: Issuer::SelfSigned,
    }
}

/// The key of a certificate made at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// The fixed test-only RSA-2048 keys in `keys/` (rcgen on ring cannot generate RSA keys);
    /// signature sha256WithRSAEncryption.
    Rsa2048A,
    Rsa2048B,
    Rsa2048C,
    /// ECDSA P-256, generated at start; signature ecdsa-with-SHA256.
    EcdsaP256,
}

/// The subject CN of a certificate made at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// `NAME.fleet.test`, NAME being the host's name.
    HostName,
    /// This exact text.
    Literal(&'static str),
    /// These exact bytes as the CN's UTF8String, valid UTF-8 or not. rcgen takes only text, so
    /// the certificate is made with a placeholder CN of the same length whose bytes are then
    /// replaced in the DER: its signature no longer verifies.
    Bytes(&'static [u8]),
}

/// Who signs a certificate made at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issuer {
    SelfSigned,
    /// A fleet CA (ECDSA P-256, CN [`crate::CA_COMMON_NAME`]) made at start; the host
    /// presents leaf then CA.
    FleetCa,
    /// A chain of `certificates` certificates that no one trusts, all presented, leaf first:
    /// the leaf is signed by `chain-ca-1.fleet.test`, each CA `chain-ca-N` by `chain-ca-N+1`,
    /// and the last one signs itself (ECDSA P-256 CAs made at start).
    LongChain {
        certificates: usize,
    },
}

/// The subject CN of the `n`-th CA of an [`Issuer::LongChain`] (from 1, the leaf's issuer).
pub fn chain_ca_name(n: usize) -> String {
    format!("chain-ca-{n}.fleet.test")
}

/// The `hosts.csv` words `rdpsweep scan` reports for the host, with a 3 s stage timeout (the
/// demo's and the tests'). An empty word is an empty cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expect {
    pub tcp: &'static str,
    pub rdp: &'static str,
    pub selected_protocol: &'static str,
    pub neg_failure: &'static str,
    pub tls: &'static str,
    pub tls_version: &'static str,
    /// The cell as the CSV writes it (a formula gets a leading `'`).
    pub cert_subject: &'static str,
    pub cert_key: &'static str,
    pub cert_signature: &'static str,
    /// A fragment of the `error` cell; empty: the cell is empty.
    pub error: &'static str,
    /// The finding codes, in the order `findings` lists them.
    pub findings: &'static [&'static str],
    pub risk_level: &'static str,
    /// What a current client with default settings gets (`client_outcome`): `fails`,
    /// `warns`, `connects`; empty where TCP is not accepted.
    pub client_outcome: &'static str,
    /// The columns only `scan --deep` fills; `None`: the host is not scanned with `--deep`.
    pub deep: Option<ExpectDeep>,
}

impl Expect {
    /// An open port and nothing else: the base a row overrides.
    pub const OPEN: Expect = Expect {
        tcp: "open",
        rdp: "",
        selected_protocol: "",
        neg_failure: "",
        tls: "",
        tls_version: "",
        cert_subject: "",
        cert_key: "",
        cert_signature: "",
        error: "",
        findings: &[],
        risk_level: "none",
        client_outcome: "",
        deep: None,
    };
}

/// The `hosts.csv` words `rdpsweep scan --deep` adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpectDeep {
    pub protocols_accepted: &'static str,
    pub nla_required: &'static str,
    pub tls_versions: &'static str,
    pub rdp_encryption_level: &'static str,
    pub rdp_encryption_methods: &'static str,
    pub rdp_version: &'static str,
    /// The NTLM computer name, when the host's CHALLENGE is read.
    pub ntlm_computer: &'static str,
    /// The clock skew the scan measures (± a second or two), when the CHALLENGE is read.
    pub clock_skew_s: Option<i64>,
}

impl ExpectDeep {
    /// Every deep cell empty: the base a row overrides.
    pub const EMPTY: ExpectDeep = ExpectDeep {
        protocols_accepted: "",
        nla_required: "",
        tls_versions: "",
        rdp_encryption_level: "",
        rdp_encryption_methods: "",
        rdp_version: "",
        ntlm_computer: "",
        clock_skew_s: None,
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Profile;

    fn rows() -> impl Iterator<Item = &'static HostSpec> {
        Profile::ALL.into_iter().flat_map(|p| p.specs())
    }

    #[test]
    fn a_host_has_a_certificate_exactly_when_its_tls_stage_can_complete() {
        for spec in rows() {
            let completes = match spec.answers.tls {
                Tls::Rustls { .. } | Tls::Legacy { .. } | Tls::Range { .. } => true,
                Tls::Never
                | Tls::CloseOnHello
                | Tls::Stall
                | Tls::Alert(_)
                | Tls::Answer { .. }
                | Tls::Noise { .. } => false,
            };
            assert_eq!(completes, spec.cert != Cert::None, "{}", spec.name);
        }
    }

    #[test]
    fn a_host_that_selects_tls_has_a_tls_stage() {
        for spec in rows() {
            if let X224::Select { protocol, .. } | X224::Shaped { protocol, .. } = spec.answers.x224
            {
                let has_stage = spec.answers.tls != Tls::Never;
                assert_eq!(protocol.starts_tls(), has_stage, "{}", spec.name);
            }
        }
    }
}
