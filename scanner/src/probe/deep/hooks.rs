//! The two deep steps that wait for codecs not in this build: standard RDP security (MCS
//! Connect Initial with GCC Conference Create Request, MS-RDPBCGR 2.2.1.3 / 2.2.1.4) and the
//! host identity (CredSSP TSRequest with an NTLM NEGOTIATE, MS-CSSP 2.2.1, MS-NLMP 2.2.1).
//!
//! Each is one function with one call site. Today both return `NotProbed` without sending a
//! byte, and the deep probe then opens no connection for them. The caller owns the stream and
//! wraps each call in one stage deadline (`timeout_at`), so a hook may read and write freely;
//! it must never panic on what the server sends, and must never send credentials.

use rdpsweep_reports::{EncryptionLevel, EncryptionMethod, NtlmIdentity, RdpVersion};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// What one standard-security attempt (one encryption method offered alone) learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum McsAttempt {
    /// Nothing was sent: the step cannot run in this build (the reason, for the notes).
    NotProbed(&'static str),
    /// The server answered the Connect Initial with a Connect Response.
    #[allow(dead_code)] // Made by `standard_security` once the MCS/GCC codec lands.
    Answered {
        /// SC_SECURITY encryptionMethod, when it names one method (`None` for 0: no
        /// encryption, or a value that is not one method).
        method: Option<EncryptionMethod>,
        /// SC_SECURITY encryptionLevel, when it is 0 to 4.
        level: Option<EncryptionLevel>,
        /// SC_CORE version.
        version: Option<RdpVersion>,
    },
    /// The server refused the offer or broke the exchange (closed, reset, an MCS disconnect,
    /// an undecodable answer), in words.
    Refused(String),
}

/// **Hook for the MCS/GCC codec.** On `stream`, whose Connection Confirm selected PROTOCOL_RDP,
/// send an MCS Connect Initial whose GCC Conference Create Request carries CS_CORE, CS_NET and
/// a CS_SECURITY offering only `method` (`method.bit()` in encryptionMethods); read one TPKT
/// frame (size it with `proto::frame_len`) and decode the Connect Response's SC_CORE version
/// and SC_SECURITY encryptionMethod / encryptionLevel into [`McsAttempt::Answered`]; anything
/// else is [`McsAttempt::Refused`]. Not implemented in this build.
pub(super) async fn standard_security(
    stream: &mut TcpStream,
    method: EncryptionMethod,
) -> McsAttempt {
    let _ = (stream, method);
    McsAttempt::NotProbed("the MCS/GCC codec is not in this build")
}

/// What the NTLM exchange learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum NtlmStep {
    /// Nothing was sent: the step cannot run in this build (the reason, for the notes).
    NotProbed(&'static str),
    /// The CHALLENGE's identity fields.
    #[allow(dead_code)] // Made by `ntlm_identity` once the CredSSP/NTLM codec lands.
    Identity(NtlmIdentity),
    /// No CHALLENGE came back (closed, an error TSRequest, undecodable), in words.
    #[allow(dead_code)] // Made by `ntlm_identity` once the CredSSP/NTLM codec lands.
    Failed(String),
}

/// **Hook for the CredSSP and NTLM codecs.** On `tls`, a completed TLS session over a
/// connection whose Confirm selected HYBRID or HYBRID_EX, send a TSRequest (MS-CSSP 2.2.1)
/// whose negoTokens carry an NTLM NEGOTIATE (MS-NLMP 2.2.1.1), read one TSRequest back and
/// decode the NTLM CHALLENGE (2.2.1.2) in it: the AV pairs MsvAvNbComputerName,
/// MsvAvNbDomainName, MsvAvDnsComputerName, MsvAvDnsDomainName, MsvAvDnsTreeName and
/// MsvAvTimestamp (as `server_time`, and `clock_skew_s` = server time minus the local clock,
/// in whole seconds), and the Version field as `major.minor.build`. The exchange stops at the
/// CHALLENGE: no AUTHENTICATE message, no credentials. Not implemented in this build.
pub(super) async fn ntlm_identity(tls: &mut TlsStream<TcpStream>) -> NtlmStep {
    let _ = tls;
    NtlmStep::NotProbed("the CredSSP/NTLM codec is not in this build")
}
