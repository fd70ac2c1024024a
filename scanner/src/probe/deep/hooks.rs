//! The two deep steps that speak past the Connection Confirm, over the `proto` codecs:
//! standard RDP security (MCS Connect Initial with GCC Conference Create Request, MS-RDPBCGR
//! 2.2.1.3 / 2.2.1.4) and the host identity (CredSSP TSRequest with an NTLM NEGOTIATE,
//! MS-CSSP 2.2.1, MS-NLMP 2.2.1).
//!
//! Each is one function with one call site. The caller owns the connection and wraps each call
//! in one stage deadline (`timeout_at`), so a hook reads and writes freely, but hands on only
//! ever one answer (a [`Framed`] read sized by the codec's hint; bytes past it kept for the
//! next read, never read to EOF). A hook never panics on what the server sends, and never
//! sends credentials: the NTLM exchange stops at the CHALLENGE, and no AUTHENTICATE message
//! exists in this code.

use std::time::SystemTime;

use rdpsweep_codec::hint::{PduHint, TpktHint, TsRequestHint};
use rdpsweep_codec::{
    self as proto, ntlm, Challenge, ClientSettings, CodecError, ConnectReply, EncryptionMethod,
    ServerData,
};
use rdpsweep_reports::NtlmIdentity;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::probe::link::frame_fault;
use crate::wire::failure::io_words;
use crate::wire::{Framed, ReadError};

/// What one standard-security attempt (one encryption method offered alone) learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum McsAttempt {
    /// The server answered the Connect Initial with a Connect Response: its SC_CORE version
    /// and SC_SECURITY encryptionMethod / encryptionLevel, as sent.
    Answered(ServerData),
    /// The server refused the offer or broke the exchange (closed, reset, an MCS disconnect,
    /// an undecodable answer), in words.
    Refused(String),
}

/// On `stream`, whose Connection Confirm selected PROTOCOL_RDP, sends an MCS Connect Initial
/// whose GCC Conference Create Request carries CS_CORE, CS_SECURITY offering only `method`
/// (in encryptionMethods) and CS_NET; reads one TPKT frame and decodes the
/// Connect Response's SC_CORE version and SC_SECURITY encryptionMethod / encryptionLevel into
/// [`McsAttempt::Answered`]. A refusal (a failing `result`, a Disconnect Provider Ultimatum,
/// an X.224 Disconnect, a close or a reset) or an undecodable answer is
/// [`McsAttempt::Refused`].
pub(super) async fn standard_security<S: AsyncRead + AsyncWrite + Unpin>(
    framed: &mut Framed<S>,
    method: EncryptionMethod,
) -> McsAttempt {
    let offer = ClientSettings::probe(method, proto::SecurityProtocol::RDP);
    if let Err(e) = framed.send(&proto::encode_connect_initial(&offer)).await {
        return McsAttempt::Refused(format!("{} sending the mcs connect initial", io_words(&e)));
    }
    let frame = match read_one(framed, "the mcs connect response", &TpktHint::ANY).await {
        Ok(frame) => frame,
        Err(why) => return McsAttempt::Refused(why),
    };
    match proto::decode_connect_response(&frame) {
        Ok(ConnectReply::Accepted(data)) => McsAttempt::Answered(data),
        Ok(ConnectReply::Refused(result)) => {
            McsAttempt::Refused(format!("mcs connect response with result {result}"))
        }
        Ok(ConnectReply::DisconnectProviderUltimatum(reason)) => McsAttempt::Refused(format!(
            "mcs disconnect provider ultimatum, reason {reason}"
        )),
        Ok(ConnectReply::X224Disconnect) => {
            McsAttempt::Refused("x.224 disconnect request instead of a connect response".into())
        }
        Err(e) => McsAttempt::Refused(format!("undecodable mcs connect response: {e}")),
    }
}

/// What the NTLM exchange learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum NtlmStep {
    /// The CHALLENGE's identity fields, and what the decoder tolerated in it, in words
    /// (see `Challenge::decode_reporting`).
    Identity(NtlmIdentity, Vec<String>),
    /// No CHALLENGE came back (closed, an error TSRequest, undecodable), in words.
    Failed(String),
}

/// On `tls`, a completed TLS session over a connection whose Confirm selected HYBRID or
/// HYBRID_EX, sends a TSRequest (MS-CSSP 2.2.1) whose negoTokens carry an NTLM NEGOTIATE
/// (MS-NLMP 2.2.1.1), reads one TSRequest back and decodes the NTLM CHALLENGE (2.2.1.2) in
/// it into an [`NtlmIdentity`] (see [`identity`]). The exchange stops at the CHALLENGE: no
/// AUTHENTICATE message, no credentials.
pub(super) async fn ntlm_identity<S: AsyncRead + AsyncWrite + Unpin>(
    tls: &mut Framed<S>,
) -> NtlmStep {
    let negotiate = proto::TsRequest::ntlm_negotiate().encode();
    if let Err(e) = tls.send(&negotiate).await {
        return NtlmStep::Failed(format!("{} sending the ntlm negotiate", io_words(&e)));
    }
    let frame = match read_one(tls, "the ntlm challenge", &TsRequestHint::default()).await {
        Ok(frame) => frame,
        Err(why) => return NtlmStep::Failed(why),
    };
    let arrived = ntlm::system_to_filetime(SystemTime::now());
    match challenge_in(&frame) {
        Ok((challenge, defects)) => NtlmStep::Identity(
            identity(&challenge, arrived),
            defects.iter().map(ToString::to_string).collect(),
        ),
        Err(why) => NtlmStep::Failed(why),
    }
}

/// The CHALLENGE carried by one TSRequest, with the defects its decoder tolerated.
fn challenge_in(frame: &[u8]) -> Result<(Challenge, Vec<CodecError>), String> {
    let answer = proto::TsRequest::decode(frame).map_err(|e| e.to_string())?;
    match (answer.nego_token, answer.error_code) {
        (Some(token), _) => Challenge::decode_reporting(&token).map_err(|e| e.to_string()),
        (None, Some(code)) => Err(format!(
            "credssp error code {code:#010x} instead of an ntlm challenge"
        )),
        (None, None) => Err("a credssp tsrequest without an ntlm challenge".to_string()),
    }
}

/// The identity fields of `challenge`, which arrived at `arrived` (a FILETIME of the local
/// clock): the NetBIOS and DNS names, the Version as `major.minor.build`, MsvAvTimestamp to
/// the second, and `clock_skew_s`, the server's clock minus `arrived` rounded to whole seconds
/// (positive: the server is ahead).
pub(super) fn identity(challenge: &Challenge, arrived: u64) -> NtlmIdentity {
    const TICKS_PER_SECOND: i128 = 10_000_000;
    let skew = challenge.timestamp.map(|server| {
        let ticks = i128::from(server) - i128::from(arrived);
        let seconds = (ticks + TICKS_PER_SECOND / 2).div_euclid(TICKS_PER_SECOND);
        i64::try_from(seconds).unwrap_or(if seconds < 0 { i64::MIN } else { i64::MAX })
    });
    NtlmIdentity {
        computer: challenge.nb_computer_name.clone(),
        domain: challenge.nb_domain_name.clone(),
        dns_computer: challenge.dns_computer_name.clone(),
        dns_domain: challenge.dns_domain_name.clone(),
        dns_tree: challenge.dns_tree_name.clone(),
        os_version: challenge.version.map(|v| v.to_string()),
        server_time: challenge.timestamp.and_then(|filetime| {
            time::OffsetDateTime::from_unix_timestamp(ntlm::filetime_to_unix(filetime)).ok()
        }),
        clock_skew_s: skew,
    }
}

/// Reads exactly one message, sized by `hint`; `what` names it in the words of a failure.
async fn read_one<S: AsyncRead + AsyncWrite + Unpin>(
    framed: &mut Framed<S>,
    what: &str,
    hint: &impl PduHint,
) -> Result<Vec<u8>, String> {
    framed.read_pdu(hint).await.map_err(|e| match e {
        ReadError::Frame { error, .. } => frame_fault(&error, framed.bytes()).1,
        ReadError::Closed { received } => {
            format!("closed before {what} ({received} bytes received)")
        }
        ReadError::Io {
            error, received, ..
        } => format!(
            "{} before {what} ({received} bytes received)",
            io_words(&error)
        ),
    })
}

#[cfg(test)]
#[path = "hooks_tests.rs"]
mod tests;
