//! The stages only deep hosts reach: standard RDP security (answer an MCS Connect Initial
//! with a Connect Response, or refuse the offer by closing) and CredSSP (answer an NTLM
//! NEGOTIATE with a CHALLENGE).

use std::io;
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::play::{close, hold, read_tpkt};
use super::policy::{NtlmIdentity, StandardSecurity};
use rdpsweep_codec::credssp;
use rdpsweep_codec::{
    self as proto, ntlm, Challenge, EncryptionMethod, FrameSize, NegotiateFlags, NtlmVersion,
    PduHint, ServerSettings, TsRequest, TsRequestHint,
};

/// Standard RDP security: reads the MCS Connect Initial and answers with a Connect Response
/// whose SC_CORE carries `security.version` and whose SC_SECURITY carries `security.level`
/// and the method [`StandardSecurity::answer`] picks from the client's offer; then holds.
///
/// **How an offer is refused:** when no method can be picked, the host sends nothing and
/// closes the connection (FIN), as MS-RDPBCGR 5.3.2.1 says a server does when it cannot select
/// an encryption method ("the network connection is closed"). The scanner reads that as a
/// refusal of the method offered. Bytes that are not a Connect Initial are closed on too.
pub async fn answer_mcs(mut stream: TcpStream, security: StandardSecurity) -> io::Result<()> {
    let Some(frame) = read_tpkt(&mut stream).await? else {
        return close(stream).await;
    };
    let Ok(request) = proto::decode_connect_initial(&frame) else {
        return close(stream).await;
    };
    // French-locale clients leave encryptionMethods 0 and use extEncryptionMethods (2.2.1.3.3).
    let offered = match request.encryption_methods {
        Some(methods) if !methods.is_empty() => methods,
        _ => request
            .ext_encryption_methods
            .unwrap_or(EncryptionMethod::NONE),
    };
    let Some(method) = security.answer(offered) else {
        return close(stream).await;
    };
    let response = proto::encode_connect_response(&ServerSettings::new(
        security.version,
        method,
        security.level,
    ));
    stream.write_all(&response).await?;
    hold(&mut stream).await
}

/// CredSSP: reads the client's TSRequest, and when it carries an NTLM NEGOTIATE answers with
/// a TSRequest carrying a CHALLENGE with `identity` in its TargetInfo and Version, and the
/// host's clock (the real one plus `clock_ahead_s`) as MsvAvTimestamp; then holds. Anything
/// else ends the connection without an answer. The host never asks for, nor reads,
/// credentials: the scanner stops at the CHALLENGE.
pub async fn answer_credssp<S: AsyncRead + AsyncWrite + Unpin>(
    tls: &mut S,
    identity: NtlmIdentity,
    clock_ahead_s: i64,
) -> io::Result<()> {
    let Some(frame) = read_tsrequest(tls).await? else {
        return Ok(());
    };
    let negotiate = TsRequest::decode(&frame)
        .ok()
        .and_then(|request| request.nego_token)
        .filter(|token| ntlm::decode_negotiate(token).is_ok());
    if negotiate.is_none() {
        return Ok(());
    }
    let clock = shifted(SystemTime::now(), clock_ahead_s);
    let challenge = challenge(identity, ntlm::system_to_filetime(clock));
    let answer = TsRequest::with_token(credssp::VERSION, challenge.encode()).encode();
    tls.write_all(&answer).await?;
    tls.flush().await?;
    hold(tls).await
}

/// `now` moved by `seconds`, either way.
fn shifted(now: SystemTime, seconds: i64) -> SystemTime {
    let by = Duration::from_secs(seconds.unsigned_abs());
    if seconds >= 0 {
        now + by
    } else {
        now - by
    }
}

/// The CHALLENGE a Windows Server 2022 domain member sends, for `identity` at `filetime`.
fn challenge(identity: NtlmIdentity, filetime: u64) -> Challenge {
    let (major, minor, build) = identity.version;
    Challenge {
        flags: NegotiateFlags::SCANNER | NegotiateFlags::TARGET_TYPE_DOMAIN,
        // Fixed: no one ever answers it (the scanner sends no AUTHENTICATE).
        server_challenge: *b"rdpsweep",
        target_name: Some(identity.domain.to_string()),
        nb_computer_name: Some(identity.computer.to_string()),
        nb_domain_name: Some(identity.domain.to_string()),
        dns_computer_name: Some(identity.dns_computer.to_string()),
        dns_domain_name: Some(identity.dns_domain.to_string()),
        dns_tree_name: Some(identity.dns_tree.to_string()),
        timestamp: Some(filetime),
        version: Some(NtlmVersion {
            major,
            minor,
            build,
            revision: NtlmVersion::SCANNER.revision,
        }),
    }
}

/// Reads exactly one TSRequest (at most [`credssp::MAX_TSREQUEST_LEN`] bytes). `None` when the
/// client goes away first or sends something else.
async fn read_tsrequest<S: AsyncRead + Unpin>(stream: &mut S) -> io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    let len = loop {
        match TsRequestHint::default().frame_size(&buf) {
            Ok(FrameSize::More(_)) => {}
            Ok(FrameSize::Whole(len)) => break len,
            Err(_) => return Ok(None),
        }
        if stream.read(&mut byte).await? == 0 {
            return Ok(None);
        }
        buf.push(byte[0]);
    };
    let start = buf.len();
    buf.resize(len.max(start), 0);
    match stream.read_exact(&mut buf[start..]).await {
        Ok(_) => Ok(Some(buf)),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(e),
    }
}
