//! The hooks against a scripted server on an in-memory duplex stream: what they send, how they
//! map each kind of answer, and that they read exactly one answer and send nothing after it.

use tokio::io::{duplex, AsyncReadExt, AsyncWriteExt, DuplexStream};

use super::*;
use rdpsweep_codec::{
    decode_connect_initial, encode_connect_refusal, encode_connect_response,
    encode_disconnect_provider_ultimatum, ClientRequest, DisconnectReason, EncryptionLevel,
    McsResult, NegotiateFlags, NtlmVersion, RdpVersion, ServerSettings, TsRequest,
};

/// The X.224 Disconnect Request TPDU (`03 00 00 0b 06 80 00 00 00 00 00`).
const X224_DISCONNECT: [u8; 11] = [
    0x03, 0x00, 0x00, 0x0b, // TPKT, length 11
    0x06, 0x80, // LI 6, DR
    0x00, 0x00, 0x00, 0x00, // DST-REF, SRC-REF
    0x00, // reason
];

/// Both ends of an in-memory connection, roomy enough for any answer here.
fn pipe() -> (DuplexStream, DuplexStream) {
    duplex(1 << 17)
}

/// A server that reads the Connect Initial, answers `reply` and closes.
async fn mcs_server(far: DuplexStream, reply: Vec<u8>) -> ClientRequest {
    let mut far = Framed::new(far);
    let frame = read_one(&mut far, "the connect initial", &TpktHint::ANY)
        .await
        .expect("a connect initial");
    let mut far = far.into_inner();
    let request = decode_connect_initial(&frame).expect("it decodes");
    far.write_all(&reply).await.expect("reply");
    request
}

async fn offer(method: EncryptionMethod, reply: Vec<u8>) -> (McsAttempt, ClientRequest) {
    let (near, far) = pipe();
    let server = tokio::spawn(mcs_server(far, reply));
    let attempt = standard_security(&mut Framed::new(near), method).await;
    (attempt, server.await.expect("server task"))
}

fn response(method: EncryptionMethod, level: EncryptionLevel) -> Vec<u8> {
    encode_connect_response(&ServerSettings::new(RdpVersion(0x0008_000c), method, level))
}

/// The Connect Response's values, as [`response`] sends them.
fn answered(method: EncryptionMethod, level: EncryptionLevel) -> McsAttempt {
    McsAttempt::Answered(ServerData {
        version: RdpVersion(0x0008_000c),
        encryption_method: method,
        encryption_level: level,
    })
}

#[tokio::test]
async fn each_method_is_offered_alone_and_the_answer_is_read_in_report_words() {
    for method in EncryptionMethod::ALL {
        let (attempt, request) = offer(method, response(method, EncryptionLevel::HIGH)).await;
        assert_eq!(request.encryption_methods, Some(method), "{method}");
        assert_eq!(
            request.server_selected_protocol,
            Some(proto::SecurityProtocol::RDP),
            "{method}"
        );
        assert_eq!(attempt, answered(method, EncryptionLevel::HIGH));
    }
}

#[tokio::test]
async fn level_none_and_unknown_values_are_kept_apart() {
    let (none, _) = offer(
        EncryptionMethod::BIT_128,
        response(EncryptionMethod::NONE, EncryptionLevel::NONE),
    )
    .await;
    assert_eq!(
        none,
        answered(EncryptionMethod::NONE, EncryptionLevel::NONE)
    );
    // A combination of bits is not one method; level 7 is none of the five: both kept.
    let combination = EncryptionMethod::BIT_40 | EncryptionMethod::BIT_128;
    let (odd, _) = offer(
        EncryptionMethod::BIT_40,
        response(combination, EncryptionLevel(7)),
    )
    .await;
    assert_eq!(odd, answered(combination, EncryptionLevel(7)));
    assert_ne!(odd, none);
}

#[tokio::test]
async fn every_kind_of_refusal_is_put_in_words() {
    let cases: [(Vec<u8>, &str); 5] = [
        (
            encode_connect_refusal(McsResult::RT_UNSPECIFIED_FAILURE),
            "mcs connect response with result rt-unspecified-failure (14)",
        ),
        (
            encode_disconnect_provider_ultimatum(DisconnectReason::RN_PROVIDER_INITIATED),
            "mcs disconnect provider ultimatum, reason rn-provider-initiated (1)",
        ),
        (
            X224_DISCONNECT.to_vec(),
            "x.224 disconnect request instead of a connect response",
        ),
        (
            Vec::new(),
            "closed before the mcs connect response (0 bytes received)",
        ),
        (
            response(EncryptionMethod::BIT_128, EncryptionLevel::HIGH)[..9].to_vec(),
            "closed before the mcs connect response (9 bytes received)",
        ),
    ];
    for (reply, words) in cases {
        let (attempt, _) = offer(EncryptionMethod::BIT_128, reply).await;
        assert_eq!(attempt, McsAttempt::Refused(words.to_string()));
    }
    let (http, _) = offer(EncryptionMethod::BIT_128, b"HTTP/1.1 400".to_vec()).await;
    assert_eq!(
        http,
        McsAttempt::Refused(
            "not rdp: answer starts 48 54 54 50 2f 31 2e 31 (\"HTTP/1.1\")".to_string()
        )
    );
    // A well-framed Data TPDU whose MCS PDU is not a Connect Response.
    let (garbage, _) = offer(
        EncryptionMethod::BIT_128,
        rdpsweep_codec::x224::encode_data(&[0x7f, 0x65, 0x00]),
    )
    .await;
    let McsAttempt::Refused(why) = garbage else {
        panic!("garbage accepted: {garbage:?}")
    };
    assert!(
        why.starts_with("undecodable mcs connect response: "),
        "{why}"
    );
}

#[tokio::test]
async fn exactly_one_frame_is_read() {
    let mut reply = response(
        EncryptionMethod::BIT_128,
        EncryptionLevel::CLIENT_COMPATIBLE,
    );
    reply.extend_from_slice(b"next");
    let (near, far) = pipe();
    let server = tokio::spawn(mcs_server(far, reply));
    let mut near = Framed::new(near);
    let attempt = standard_security(&mut near, EncryptionMethod::BIT_128).await;
    let mut near = near.into_inner();
    assert!(
        matches!(attempt, McsAttempt::Answered { .. }),
        "{attempt:?}"
    );
    let mut left = [0u8; 4];
    near.read_exact(&mut left)
        .await
        .expect("the bytes after the frame");
    server.await.expect("server task");
    assert_eq!(&left, b"next");
}

/// A CHALLENGE as a Windows Server 2022 member of domain FLEET sends it, stamped `timestamp`.
fn challenge(timestamp: Option<u64>) -> Challenge {
    Challenge {
        flags: NegotiateFlags::SCANNER | NegotiateFlags::TARGET_TYPE_DOMAIN,
        server_challenge: [1, 2, 3, 4, 5, 6, 7, 8],
        target_name: Some("FLEET".into()),
        nb_computer_name: Some("RDPSIM01".into()),
        nb_domain_name: Some("FLEET".into()),
        dns_computer_name: Some("rdpsim01.fleet.test".into()),
        dns_domain_name: Some("fleet.test".into()),
        dns_tree_name: Some("fleet.test".into()),
        timestamp,
        version: Some(NtlmVersion {
            major: 10,
            minor: 0,
            build: 20348,
            revision: 15,
        }),
    }
}

/// 2024-05-01T12:00:00Z as a FILETIME.
const ARRIVED: u64 = 133_590_384_000_000_000;
const SECOND: u64 = 10_000_000;

#[test]
fn identity_takes_names_version_and_clock_from_the_challenge() {
    assert_eq!(
        ntlm::filetime_rfc3339(ARRIVED).as_deref(),
        Some("2024-05-01T12:00:00Z")
    );
    let ahead = identity(&challenge(Some(ARRIVED + 600 * SECOND)), ARRIVED);
    assert_eq!(
        ahead,
        NtlmIdentity {
            computer: Some("RDPSIM01".into()),
            domain: Some("FLEET".into()),
            dns_computer: Some("rdpsim01.fleet.test".into()),
            dns_domain: Some("fleet.test".into()),
            dns_tree: Some("fleet.test".into()),
            os_version: Some("10.0.20348".into()),
            server_time: Some(time::macros::datetime!(2024-05-01 12:10:00 UTC)),
            clock_skew_s: Some(600),
        }
    );
    // Whole seconds, rounded to the nearest; behind is negative.
    let skew = |server: u64| identity(&challenge(Some(server)), ARRIVED).clock_skew_s;
    assert_eq!(skew(ARRIVED + 599 * SECOND + 6 * SECOND / 10), Some(600));
    assert_eq!(skew(ARRIVED + 600 * SECOND + 4 * SECOND / 10), Some(600));
    assert_eq!(skew(ARRIVED - 4 * SECOND / 10), Some(0));
    assert_eq!(skew(ARRIVED - 600 * SECOND), Some(-600));
    assert_eq!(skew(0), Some(-((ARRIVED / SECOND) as i64)));
    let untimed = identity(&challenge(None), ARRIVED);
    assert_eq!((untimed.server_time, untimed.clock_skew_s), (None, None));
    let bare = identity(&Challenge::default(), ARRIVED);
    assert_eq!(bare, NtlmIdentity::default());
}

/// A server that reads one TSRequest, answers `reply`, then counts what else the client sends
/// until it goes away.
async fn credssp_server(far: DuplexStream, reply: Vec<u8>) -> (TsRequest, usize) {
    let mut far = Framed::new(far);
    let frame = read_one(&mut far, "the negotiate", &TsRequestHint::default())
        .await
        .expect("a tsrequest");
    let mut far = far.into_inner();
    let request = TsRequest::decode(&frame).expect("it decodes");
    far.write_all(&reply).await.expect("reply");
    // Half-close: the client sees the end after `reply`; what it still sends is counted.
    far.shutdown().await.expect("shutdown");
    let mut after = Vec::new();
    far.read_to_end(&mut after).await.expect("read to the end");
    (request, after.len())
}

async fn negotiate(reply: Vec<u8>) -> (NtlmStep, (TsRequest, usize)) {
    let (near, far) = pipe();
    let server = tokio::spawn(credssp_server(far, reply));
    let mut near = Framed::new(near);
    let step = ntlm_identity(&mut near).await;
    drop(near);
    (step, server.await.expect("server task"))
}

#[tokio::test]
async fn ntlm_sends_one_negotiate_and_nothing_after_the_challenge() {
    let now = ntlm::system_to_filetime(SystemTime::now());
    let reply = TsRequest::with_token(6, challenge(Some(now)).encode()).encode();
    let (step, (request, sent_after)) = negotiate(reply).await;
    // The NEGOTIATE carries no domain, no workstation, nothing of a user.
    assert_eq!(request.nego_token, Some(ntlm::encode_negotiate()));
    assert_eq!(request.error_code, None);
    assert_eq!(
        sent_after, 0,
        "no AUTHENTICATE, nothing after the CHALLENGE"
    );
    let NtlmStep::Identity(found, defects) = step else {
        panic!("no identity: {step:?}")
    };
    assert!(defects.is_empty(), "{defects:?}");
    assert_eq!(found.computer.as_deref(), Some("RDPSIM01"));
    assert_eq!(found.dns_computer.as_deref(), Some("rdpsim01.fleet.test"));
    assert_eq!(found.os_version.as_deref(), Some("10.0.20348"));
    assert_eq!(
        found.server_time.map(rdpsweep_reports::timestamp::rfc3339),
        ntlm::filetime_rfc3339(now)
    );
}

#[tokio::test]
async fn ntlm_failures_are_put_in_words() {
    let error = TsRequest {
        version: 6,
        nego_token: None,
        error_code: Some(0xc000_006d),
    };
    let cases: [(Vec<u8>, &str); 5] = [
        (
            error.encode(),
            "credssp error code 0xc000006d instead of an ntlm challenge",
        ),
        (
            TsRequest::default().encode(),
            "a credssp tsrequest without an ntlm challenge",
        ),
        (
            Vec::new(),
            "closed before the ntlm challenge (0 bytes received)",
        ),
        (
            // SEQUENCE of 65,536 bytes: refused from its header, before reading it.
            vec![0x30, 0x83, 0x01, 0x00, 0x00],
            "credssp tsrequest of 65541 bytes, over 65536 allowed",
        ),
        (
            // A TPKT header: told from its first byte, shown as it came.
            b"\x03\x00\x00\x09".to_vec(),
            "not credssp: answer starts 03 00 00 09 (\"....\")",
        ),
    ];
    for (reply, words) in cases {
        let (step, _) = negotiate(reply).await;
        assert_eq!(step, NtlmStep::Failed(words.to_string()));
    }
    // A TSRequest whose token is not a CHALLENGE (a NEGOTIATE sent back).
    let echo = TsRequest::with_token(6, ntlm::encode_negotiate()).encode();
    let (step, _) = negotiate(echo).await;
    assert_eq!(
        step,
        NtlmStep::Failed("unexpected ntlm message type 1".to_string())
    );
}

#[tokio::test]
async fn ntlm_keeps_the_identity_of_a_challenge_without_msvaveol_and_says_so() {
    let full = challenge(None).encode();
    let mut cut = full[..full.len() - 4].to_vec();
    cut[40] -= 4; // TargetInfoLen: the MsvAvEOL is gone
    cut[42] -= 4;
    let (step, _) = negotiate(TsRequest::with_token(6, cut).encode()).await;
    let NtlmStep::Identity(found, defects) = step else {
        panic!("no identity: {step:?}")
    };
    assert_eq!(found.computer.as_deref(), Some("RDPSIM01"));
    assert_eq!(found.dns_tree.as_deref(), Some("fleet.test"));
    assert_eq!(defects, ["ntlm target info without msvaveol"]);
}
