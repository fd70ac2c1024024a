//! The two deep steps that speak past the Connection Confirm, over the `proto` codecs:
//! standard RDP security (MCS Connect Initial with GCC Conference Create Request, MS-RDPBCGR
//! 2.2.1.3 / 2.2.1.4) and the host identity (CredSSP TSRequest with an NTLM NEGOTIATE,
//! MS-CSSP 2.2.1, MS-NLMP 2.2.1).
//!
//! Each is one function with one call site. The caller owns the stream and wraps each call in
//! one stage deadline (`timeout_at`), so a hook reads and writes freely, but only ever exactly
//! one answer (sized by the codec's frame length, never read to EOF). A hook never panics on
//! what the server sends, and never sends credentials: the NTLM exchange stops at the
//! CHALLENGE, and no AUTHENTICATE message exists in this code.
//!
//! The codec (`proto`) and the record (`rdpsweep_reports`) each have an `RdpVersion`, an
//! `EncryptionMethod` and an `EncryptionLevel`: the codec's keep any wire value, the record's
//! name the values reports know. They meet only here, in [`answered`] (wire → record) and
//! [`standard_security`] (record → wire, `method.bit()`).

use std::io;
use std::time::SystemTime;

use rdpsweep_reports::{EncryptionLevel, EncryptionMethod, NtlmIdentity, RdpVersion};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::probe::{is_reset, lowercase, preview};
use rdpsweep_codec::{
    self as proto, ntlm, Challenge, ClientSettings, CodecError, ConnectReply, FrameSize, PduHint,
    TpktHint, TsRequestHint,
};

/// What one standard-security attempt (one encryption method offered alone) learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum McsAttempt {
    /// The server answered the Connect Initial with a Connect Response.
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

/// On `stream`, whose Connection Confirm selected PROTOCOL_RDP, sends an MCS Connect Initial
/// whose GCC Conference Create Request carries CS_CORE, CS_SECURITY offering only `method`
/// (`method.bit()` in encryptionMethods) and CS_NET; reads one TPKT frame and decodes the
/// Connect Response's SC_CORE version and SC_SECURITY encryptionMethod / encryptionLevel into
/// [`McsAttempt::Answered`]. A refusal (a failing `result`, a Disconnect Provider Ultimatum,
/// an X.224 Disconnect, a close or a reset) or an undecodable answer is
/// [`McsAttempt::Refused`].
pub(super) async fn standard_security<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    method: EncryptionMethod,
) -> McsAttempt {
    let offer = ClientSettings::probe(
        proto::EncryptionMethod::from_bits_retain(method.bit()),
        proto::SecurityProtocol::RDP,
    );
    if let Err(e) = send(stream, &proto::encode_connect_initial(&offer)).await {
        return McsAttempt::Refused(format!("{} sending the mcs connect initial", io_words(&e)));
    }
    let frame = match read_one(stream, "the mcs connect response", tpkt_size).await {
        Ok(frame) => frame,
        Err(why) => return McsAttempt::Refused(why),
    };
    match proto::decode_connect_response(&frame) {
        Ok(ConnectReply::Accepted(data)) => answered(data),
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

/// The one mapping from the codec's server data to the record's words.
fn answered(data: proto::ServerData) -> McsAttempt {
    McsAttempt::Answered {
        method: EncryptionMethod::from_bit(data.encryption_method.bits()),
        level: EncryptionLevel::from_wire(data.encryption_level.0),
        version: Some(RdpVersion(data.version.0)),
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
pub(super) async fn ntlm_identity<S: AsyncRead + AsyncWrite + Unpin>(tls: &mut S) -> NtlmStep {
    let negotiate = proto::TsRequest::ntlm_negotiate().encode();
    if let Err(e) = send(tls, &negotiate).await {
        return NtlmStep::Failed(format!("{} sending the ntlm negotiate", io_words(&e)));
    }
    let frame = match read_one(tls, "the ntlm challenge", tsrequest_size).await {
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

/// Writes `bytes` and flushes them (a TLS stream sends nothing until flushed).
async fn send<S: AsyncWrite + Unpin>(stream: &mut S, bytes: &[u8]) -> io::Result<()> {
    stream.write_all(bytes).await?;
    stream.flush().await
}

/// How much of a message the bytes so far say there is.
enum Size {
    /// Not known yet: read at least this many more bytes.
    AtLeast(usize),
    /// The whole message is this many bytes.
    Whole(usize),
}

/// TPKT: the 4-byte header gives the length.
fn tpkt_size(buf: &[u8]) -> Result<Size, String> {
    match TpktHint::ANY.frame_size(buf) {
        Ok(FrameSize::More(n)) => Ok(Size::AtLeast(n)),
        Ok(FrameSize::Whole(len)) => Ok(Size::Whole(len)),
        Err(CodecError::NotTpkt) => Err(format!("not rdp: answer starts {}", preview(buf))),
        // An impossible TPKT length ("impossible tpkt length 2").
        Err(e) => Err(e.to_string()),
    }
}

/// A TSRequest: the DER SEQUENCE header gives the length, at most 64 KiB.
fn tsrequest_size(buf: &[u8]) -> Result<Size, String> {
    match TsRequestHint::default().frame_size(buf) {
        Ok(FrameSize::More(n)) => Ok(Size::AtLeast(n)),
        Ok(FrameSize::Whole(len)) => Ok(Size::Whole(len)),
        Err(CodecError::NotTsRequest(_)) => {
            Err(format!("not credssp: answer starts {}", preview(buf)))
        }
        Err(CodecError::BadDerLength { octet, .. }) => Err(format!(
            "credssp tsrequest with bad length octet {octet:#04x}"
        )),
        // "credssp tsrequest of 65541 bytes, over 65536 allowed".
        Err(e) => Err(e.to_string()),
    }
}

/// Reads exactly one message, asking `size` how long it is, so nothing after it is consumed.
/// `what` names the message in the words of a failure.
async fn read_one<S: AsyncRead + Unpin>(
    stream: &mut S,
    what: &str,
    size: fn(&[u8]) -> Result<Size, String>,
) -> Result<Vec<u8>, String> {
    let mut buf = Vec::with_capacity(512);
    loop {
        let need = match size(&buf)? {
            Size::Whole(len) if buf.len() >= len => return Ok(buf),
            Size::Whole(len) => len - buf.len(),
            Size::AtLeast(n) => n,
        };
        let start = buf.len();
        buf.resize(start + need, 0);
        match stream.read(&mut buf[start..]).await {
            Ok(0) => return Err(format!("closed before {what} ({start} bytes received)")),
            Ok(n) => buf.truncate(start + n),
            Err(e) => {
                return Err(format!(
                    "{} before {what} ({start} bytes received)",
                    io_words(&e)
                ))
            }
        }
    }
}

/// `reset`, or the error in lowercase words.
fn io_words(e: &io::Error) -> String {
    if is_reset(e) {
        "reset".to_string()
    } else {
        lowercase(e)
    }
}

#[cfg(test)]
#[path = "hooks_tests.rs"]
mod tests;
