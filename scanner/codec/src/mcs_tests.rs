//! Fixtures for the Basic Settings Exchange (MS-RDPBCGR 2.2.1.3, 2.2.1.4): the specification's
//! 4.1.3 and 4.1.4 example PDUs, one line per field, plus refusals, disconnects, malformed
//! frames, round trips and the no-panic properties.

use proptest::prelude::*;

use super::gcc::*;
use super::hint::{FrameSize, PduHint, TpktHint};
use super::mcs::*;
use super::{CodecError, SecurityProtocol};

/// Joins hex lines ("03 00 ...") into bytes.
fn hex(lines: &[&str]) -> Vec<u8> {
    lines
        .iter()
        .flat_map(|l| l.split_whitespace())
        .map(|b| u8::from_str_radix(b, 16).expect("fixture hex"))
        .collect()
}

/// MS-RDPBCGR 4.1.3, the Client MCS Connect Initial PDU (416 bytes).
const SPEC_CONNECT_INITIAL: &[&str] = &[
    "03 00 01 a0",                                     // TPKT: version 3, length 416
    "02 f0 80",                                        // X.224 Data TPDU: LI 2, DT, EOT
    "7f 65 82 01 94", // MCS Connect-Initial [APPLICATION 101], length 404
    "04 01 01",       // callingDomainSelector OCTET STRING 0x01
    "04 01 01",       // calledDomainSelector OCTET STRING 0x01
    "01 01 ff",       // upwardFlag BOOLEAN TRUE
    "30 19 02 01 22 02 01 02 02 01 00 02 01 01 02 01", // targetParameters: 34, 2, 0, 1, 0, 1, 65535, 2
    "00 02 01 01 02 02 ff ff 02 01 02",                // (cont.)
    "30 19 02 01 01 02 01 01 02 01 01 02 01 01 02 01", // minimumParameters: 1, 1, 1, 1, 0, 1, 1056, 2
    "00 02 01 01 02 02 04 20 02 01 02",                // (cont.)
    "30 1c 02 02 ff ff 02 02 fc 17 02 02 ff ff 02 01", // maximumParameters: 65535, 64535, 65535, 1, 0, 1, 65535, 2
    "01 02 01 00 02 01 01 02 02 ff ff 02 01 02",       // (cont.)
    "04 82 01 33",                                     // userData OCTET STRING, length 307
    "00 05 00 14 7c 00 01", // GCC: T.124 object identifier {0 0 20 124 0 1}
    "81 2a",                // GCC: ConnectData::connectPDU length 298 (PER)
    "00 08 00 10 00 01 c0 00 44 75 63 61", // GCC: ConferenceCreateRequest, conferenceName "1", one userData set, key "Duca"
    "81 1c",                               // GCC: userData length 284 (PER)
    "01 c0 d8 00",                         // CS_CORE header: type 0xc001, length 216
    "04 00 08 00",                         // version 0x00080004
    "00 05",                               // desktopWidth 1280
    "00 04",                               // desktopHeight 1024
    "01 ca",                               // colorDepth 0xca01
    "03 aa",                               // SASSequence 0xaa03
    "09 04 00 00",                         // keyboardLayout 0x409
    "ce 0e 00 00",                         // clientBuild 3790
    "45 00 4c 00 54 00 4f 00 4e 00 53 00 2d 00 44 00", // clientName "ELTONS-DEV2"
    "45 00 56 00 32 00 00 00 00 00 00 00 00 00 00 00", // (cont.)
    "04 00 00 00",                         // keyboardType 4
    "00 00 00 00",                         // keyboardSubType 0
    "0c 00 00 00",                         // keyboardFunctionKey 12
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", // imeFileName (empty)
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", // (cont.)
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", // (cont.)
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", // (cont.)
    "01 ca",                               // postBeta2ColorDepth 0xca01
    "01 00",                               // clientProductId 1
    "00 00 00 00",                         // serialNumber 0
    "18 00",                               // highColorDepth 24
    "07 00",                               // supportedColorDepths 7
    "01 00",                               // earlyCapabilityFlags RNS_UD_CS_SUPPORT_ERRINFO_PDU
    "36 00 39 00 37 00 31 00 32 00 2d 00 37 00 38 00", // clientDigProductId "69712-783-0357974-42714"
    "33 00 2d 00 30 00 33 00 35 00 37 00 39 00 37 00", // (cont.)
    "34 00 2d 00 34 00 32 00 37 00 31 00 34 00 00 00", // (cont.)
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", // (cont.)
    "00",                                              // connectionType 0
    "00",                                              // pad1octet
    "00 00 00 00",                                     // serverSelectedProtocol PROTOCOL_RDP
    "04 c0 0c 00",                                     // CS_CLUSTER header: type 0xc004, length 12
    "0d 00 00 00",                                     // Flags 0x0d
    "00 00 00 00",                                     // RedirectedSessionID 0
    "02 c0 0c 00",                                     // CS_SECURITY header: type 0xc002, length 12
    "1b 00 00 00",                                     // encryptionMethods 40BIT|128BIT|56BIT|FIPS
    "00 00 00 00",                                     // extEncryptionMethods 0
    "03 c0 2c 00",                                     // CS_NET header: type 0xc003, length 44
    "03 00 00 00",                                     // channelCount 3
    "72 64 70 64 72 00 00 00",                         // "rdpdr"
    "00 00 80 80",                                     // options 0x80800000
    "63 6c 69 70 72 64 72 00",                         // "cliprdr"
    "00 00 a0 c0",                                     // options 0xc0a00000
    "72 64 70 73 6e 64 00 00",                         // "rdpsnd"
    "00 00 00 c0",                                     // options 0xc0000000
];

/// MS-RDPBCGR 4.1.4, the Server MCS Connect Response PDU (337 bytes).
const SPEC_CONNECT_RESPONSE: &[&str] = &[
    "03 00 01 51",                                     // TPKT: version 3, length 337
    "02 f0 80",                                        // X.224 Data TPDU: LI 2, DT, EOT
    "7f 66 82 01 45", // MCS Connect-Response [APPLICATION 102], length 325
    "0a 01 00",       // result ENUMERATED rt-successful
    "02 01 00",       // calledConnectId INTEGER 0
    "30 1a 02 01 22 02 01 03 02 01 00 02 01 01 02 01", // domainParameters: 34, 3, 0, 1, 0, 1, 65528, 2
    "00 02 01 01 02 03 00 ff f8 02 01 02",             // (cont.)
    "04 82 01 1f",                                     // userData OCTET STRING, length 287
    "00 05 00 14 7c 00 01",                            // GCC: T.124 object identifier
    "2a",                // GCC: ConnectData::connectPDU length (fixed 0x2a)
    "14",                // GCC: CHOICE conferenceCreateResponse
    "76 0a",             // GCC: nodeID 0x760a + 1001
    "01 01",             // GCC: tag INTEGER 1
    "00",                // GCC: result success
    "01",                // GCC: one userData set
    "c0 00",             // GCC: value present, h221NonStandard of 4 bytes
    "4d 63 44 6e",       // GCC: key "McDn"
    "81 08",             // GCC: userData length 264 (PER)
    "01 0c 0c 00",       // SC_CORE header: type 0x0c01, length 12
    "04 00 08 00",       // version 0x00080004
    "00 00 00 00",       // clientRequestedProtocols PROTOCOL_RDP
    "03 0c 10 00",       // SC_NET header: type 0x0c03, length 16
    "eb 03",             // MCSChannelId 1003
    "03 00",             // channelCount 3
    "ec 03 ed 03 ee 03", // channelIdArray 1004, 1005, 1006
    "00 00",             // Pad
    "02 0c ec 00",       // SC_SECURITY header: type 0x0c02, length 236
    "02 00 00 00",       // encryptionMethod 128BIT
    "02 00 00 00",       // encryptionLevel CLIENT_COMPATIBLE
    "20 00 00 00",       // serverRandomLen 32
    "b8 00 00 00",       // serverCertLen 184
    "10 11 77 20 30 61 0a 12 e4 34 a1 1e f2 c3 9f 31", // serverRandom
    "7d a4 5f 01 89 34 96 e0 ff 11 08 69 7f 1a c3 d2", // (cont.)
    "01 00 00 00 01 00 00 00 01 00 00 00 06 00 5c 00", // serverCertificate (proprietary, RSA1)
    "52 53 41 31 48 00 00 00 00 02 00 00 3f 00 00 00", // (cont.)
    "01 00 01 00 cb 81 fe ba 6d 61 c3 55 05 d5 5f 2e", // (cont.)
    "87 f8 71 94 d6 f1 a5 cb f1 5f 0c 3d f8 70 02 96", // (cont.)
    "c4 fb 9b c8 3c 2d 55 ae e8 ff 32 75 ea 68 79 e5", // (cont.)
    "a2 01 fd 31 a0 b1 1f 55 a6 1f c1 f6 d1 83 88 63", // (cont.)
    "26 56 12 bc 00 00 00 00 00 00 00 00 08 00 48 00", // (cont.)
    "e9 e1 d6 28 46 8b 4e f5 0a df fd ee 21 99 ac b4", // (cont.)
    "e1 8f 5f 81 57 82 ef 9d 96 52 63 27 18 29 db b3", // (cont.)
    "4a fd 9a da 42 ad b5 69 21 89 0e 1d c0 4c 1a a8", // (cont.)
    "aa 71 3e 0f 54 b9 9a e4 99 68 3f 6c d6 76 84 61", // (cont.)
    "00 00 00 00 00 00 00 00", // (cont.)
];

/// The client settings of the 4.1.3 example.
fn spec_client_settings() -> ClientSettings {
    ClientSettings {
        version: RdpVersion::RDP_5_PLUS,
        desktop_width: 1280,
        desktop_height: 1024,
        keyboard_layout: 0x409,
        client_build: 3790,
        client_name: "ELTONS-DEV2".into(),
        client_dig_product_id: "69712-783-0357974-42714".into(),
        server_selected_protocol: SecurityProtocol::RDP,
        encryption_methods: EncryptionMethod::from_bits_retain(0x1b),
        cluster: Some((0x0d, 0)),
        channels: vec![
            (*b"rdpdr\0\0\0", 0x8080_0000),
            (*b"cliprdr\0", 0xc0a0_0000),
            (*b"rdpsnd\0\0", 0xc000_0000),
        ],
    }
}

/// The server settings of the 4.1.4 example.
fn spec_server_settings() -> ServerSettings {
    let spec = hex(SPEC_CONNECT_RESPONSE);
    let cert = spec[spec.len() - 184..].to_vec();
    let mut random = [0u8; 32];
    random.copy_from_slice(&spec[spec.len() - 184 - 32..spec.len() - 184]);
    ServerSettings {
        version: RdpVersion::RDP_5_PLUS,
        client_requested_protocols: Some(SecurityProtocol::RDP),
        encryption_method: EncryptionMethod::BIT_128,
        encryption_level: EncryptionLevel::CLIENT_COMPATIBLE,
        random_and_certificate: Some((random, cert)),
        channel_ids: vec![1004, 1005, 1006],
    }
}

// ---- the specification's examples ----

#[test]
fn connect_initial_encodes_as_spec_example() {
    let spec = hex(SPEC_CONNECT_INITIAL);
    assert_eq!(spec.len(), 416);
    assert_eq!(encode_connect_initial(&spec_client_settings()), spec);
}

#[test]
fn spec_connect_initial_decodes_on_the_server_side() {
    let request = decode_connect_initial(&hex(SPEC_CONNECT_INITIAL)).unwrap();
    assert_eq!(
        request,
        ClientRequest {
            version: RdpVersion::RDP_5_PLUS,
            server_selected_protocol: Some(SecurityProtocol::RDP),
            encryption_methods: Some(EncryptionMethod::from_bits_retain(0x1b)),
            ext_encryption_methods: Some(EncryptionMethod::NONE),
        }
    );
}

#[test]
fn spec_connect_response_decodes() {
    let spec = hex(SPEC_CONNECT_RESPONSE);
    assert_eq!(spec.len(), 337);
    assert_eq!(
        decode_connect_response(&spec),
        Ok(ConnectReply::Accepted(ServerData {
            version: RdpVersion::RDP_5_PLUS,
            encryption_method: EncryptionMethod::BIT_128,
            encryption_level: EncryptionLevel::CLIENT_COMPATIBLE,
        }))
    );
}

#[test]
fn connect_response_encodes_as_spec_example() {
    assert_eq!(
        encode_connect_response(&spec_server_settings()),
        hex(SPEC_CONNECT_RESPONSE)
    );
}

// ---- what the scanner sends ----

#[test]
fn probe_offers_exactly_one_method_and_echoes_the_selection() {
    for method in EncryptionMethod::ALL {
        let frame = encode_connect_initial(&ClientSettings::probe(method, SecurityProtocol::RDP));
        let request = decode_connect_initial(&frame).unwrap();
        assert_eq!(request.encryption_methods, Some(method));
        assert_eq!(
            request.server_selected_protocol,
            Some(SecurityProtocol::RDP)
        );
        assert_eq!(
            TpktHint::ANY.frame_size(&frame),
            Ok(FrameSize::Whole(frame.len()))
        );
    }
    let frame = encode_connect_initial(&ClientSettings::probe(
        EncryptionMethod::FIPS,
        SecurityProtocol::SSL,
    ));
    assert_eq!(
        decode_connect_initial(&frame)
            .unwrap()
            .server_selected_protocol,
        Some(SecurityProtocol::SSL)
    );
}

#[test]
fn probe_sends_no_channels() {
    let blocks =
        ClientSettings::probe(EncryptionMethod::BIT_40, SecurityProtocol::RDP).encode_blocks();
    let net = [
        0x03, 0xc0, 0x08, 0x00, // CS_NET header: length 8
        0x00, 0x00, 0x00, 0x00, // channelCount 0
    ];
    assert_eq!(blocks[blocks.len() - 8..], net);
    let sec = [
        0x02, 0xc0, 0x0c, 0x00, // CS_SECURITY header: length 12
        0x01, 0x00, 0x00, 0x00, // encryptionMethods 40BIT
        0x00, 0x00, 0x00, 0x00, // extEncryptionMethods
    ];
    assert_eq!(blocks[blocks.len() - 20..blocks.len() - 8], sec);
}

#[test]
fn long_client_name_is_cut_to_fifteen_units() {
    let mut settings = ClientSettings::probe(EncryptionMethod::BIT_128, SecurityProtocol::RDP);
    settings.client_name = "a-very-long-client-name".into();
    let blocks = settings.encode_blocks();
    assert_eq!(
        u16::from_le_bytes([blocks[2], blocks[3]]),
        216,
        "core block keeps its size"
    );
    let name = &blocks[4 + 20..4 + 20 + 32]; // clientName follows 20 bytes of core data
    assert_eq!(&name[..4], &[b'a', 0, b'-', 0]);
    assert_eq!(&name[28..], &[b'i', 0, 0, 0], "15 units then a NUL");
}

// ---- server answers ----

#[test]
fn server_encoder_round_trips_through_client_decoder() {
    for (version, method, level) in [
        (0x0008_0001, 0x01, 1),
        (0x0008_0004, 0x02, 2),
        (0x0008_000c, 0x08, 3),
        (0x0008_0011, 0x10, 4),
        (0x0008_0005, 0x00, 0),
        (0x0009_0000, 0x40, 7), // unknown version, method bit and level are kept
    ] {
        let settings = ServerSettings::new(
            RdpVersion(version),
            EncryptionMethod::from_bits_retain(method),
            EncryptionLevel(level),
        );
        assert_eq!(
            decode_connect_response(&encode_connect_response(&settings)),
            Ok(ConnectReply::Accepted(ServerData {
                version: RdpVersion(version),
                encryption_method: EncryptionMethod::from_bits_retain(method),
                encryption_level: EncryptionLevel(level),
            }))
        );
    }
}

#[test]
fn none_level_security_block_is_twelve_bytes() {
    let settings = ServerSettings::new(
        RdpVersion::RDP_10_0,
        EncryptionMethod::NONE,
        EncryptionLevel::NONE,
    );
    let blocks = settings.encode_blocks();
    let sec = [
        0x02, 0x0c, 0x0c, 0x00, // SC_SECURITY header: length 12
        0x00, 0x00, 0x00, 0x00, // encryptionMethod NONE
        0x00, 0x00, 0x00, 0x00, // encryptionLevel NONE
    ];
    assert_eq!(blocks[blocks.len() - 12..], sec);
}

#[test]
fn scanner_ignores_server_random_and_certificate_lengths() {
    // A security block whose serverRandomLen and serverCertLen are nonsense: the scanner reads
    // method and level only.
    let mut frame = encode_connect_response(&ServerSettings::new(
        RdpVersion::RDP_5_PLUS,
        EncryptionMethod::BIT_56,
        EncryptionLevel::LOW,
    ));
    let garbage = [
        0xff, 0xff, 0xff, 0xff, // serverRandomLen
        0x00, 0x00, 0x00, 0x80, // serverCertLen
    ];
    let grow = garbage.len();
    frame.extend_from_slice(&garbage);
    bump_lengths(&mut frame, grow);
    assert_eq!(
        decode_connect_response(&frame),
        Ok(ConnectReply::Accepted(ServerData {
            version: RdpVersion::RDP_5_PLUS,
            encryption_method: EncryptionMethod::BIT_56,
            encryption_level: EncryptionLevel::LOW,
        }))
    );
}

/// Grows, by `n`, every length that encloses the last data block of a response built by
/// `encode_connect_response` with no random and no channels (all short forms but the TPKT).
fn bump_lengths(frame: &mut [u8], n: usize) {
    let n16 = n as u16;
    let tpkt = u16::from_be_bytes([frame[2], frame[3]]) + n16;
    frame[2..4].copy_from_slice(&tpkt.to_be_bytes());
    frame[9] += n as u8; // Connect-Response length (short form)
    let user_data = 9 + 1 + 3 + 3 + 28;
    frame[user_data + 1] += n as u8; // userData OCTET STRING length (short form)
    let gcc_len = user_data + 2 + 7 + 10 + 4; // OID, GCC header, "McDn"
    frame[gcc_len] += n as u8; // GCC userData length (PER, short form)
    let sec = frame.len() - n - 12;
    frame[sec + 2] += n as u8; // SC_SECURITY length
}

#[test]
fn refusal_is_classified() {
    let frame = [
        0x03, 0x00, 0x00, 0x0d, // TPKT: length 13
        0x02, 0xf0, 0x80, // X.224 Data TPDU
        0x7f, 0x66, 0x03, // MCS Connect-Response, length 3
        0x0a, 0x01, 0x0e, // result ENUMERATED rt-unspecified-failure
    ];
    assert_eq!(
        encode_connect_refusal(McsResult::RT_UNSPECIFIED_FAILURE),
        frame
    );
    assert_eq!(
        decode_connect_response(&frame),
        Ok(ConnectReply::Refused(McsResult::RT_UNSPECIFIED_FAILURE))
    );
    assert_eq!(
        decode_connect_response(&encode_connect_refusal(McsResult(200))),
        Ok(ConnectReply::Refused(McsResult(200))),
        "unknown results are kept"
    );
}

#[test]
fn disconnect_provider_ultimatum_is_classified() {
    let xrdp = [
        0x03, 0x00, 0x00, 0x09, // TPKT: length 9
        0x02, 0xf0, 0x80, // X.224 Data TPDU
        0x21, 0x80, // MCS DPU, reason rn-user-requested
    ];
    assert_eq!(
        decode_connect_response(&xrdp),
        Ok(ConnectReply::DisconnectProviderUltimatum(
            DisconnectReason::RN_USER_REQUESTED
        ))
    );
    assert_eq!(
        encode_disconnect_provider_ultimatum(DisconnectReason::RN_USER_REQUESTED),
        xrdp
    );
    for reason in 0..8 {
        let frame = encode_disconnect_provider_ultimatum(DisconnectReason(reason));
        assert_eq!(
            decode_connect_response(&frame),
            Ok(ConnectReply::DisconnectProviderUltimatum(DisconnectReason(
                reason
            )))
        );
    }
    let cut = [0x03, 0x00, 0x00, 0x08, 0x02, 0xf0, 0x80, 0x21];
    assert_eq!(
        decode_connect_response(&cut),
        Err(CodecError::TruncatedUltimatum)
    );
}

#[test]
fn x224_disconnect_is_classified() {
    let dr = [
        0x03, 0x00, 0x00, 0x0b, 0x06, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    assert_eq!(
        decode_connect_response(&dr),
        Ok(ConnectReply::X224Disconnect)
    );
}

#[test]
fn garbage_is_classified() {
    assert_eq!(
        decode_connect_response(b"HTTP/1.1 400"),
        Err(CodecError::NotTpkt)
    );
    let confirm = [
        0x03, 0x00, 0x00, 0x0b, 0x06, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00,
    ];
    assert_eq!(
        decode_connect_response(&confirm),
        Err(CodecError::UnexpectedTpdu(0xd0))
    );
    let attach_confirm = [
        0x03, 0x00, 0x00, 0x0b, 0x02, 0xf0, 0x80, 0x2e, 0x00, 0x00, 0x06,
    ];
    assert_eq!(
        decode_connect_response(&attach_confirm),
        Err(CodecError::UnexpectedMcsPdu(0x2e))
    );
    let empty = [0x03, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80];
    assert_eq!(
        decode_connect_response(&empty),
        Err(CodecError::EmptyMcsData)
    );
    let indefinite = [0x03, 0x00, 0x00, 0x0a, 0x02, 0xf0, 0x80, 0x7f, 0x66, 0x80];
    assert_eq!(
        decode_connect_response(&indefinite),
        Err(CodecError::BadDerLength {
            what: "mcs Connect-Response",
            octet: 0x80
        })
    );
}

#[test]
fn truncated_spec_response_is_an_error_at_every_cut() {
    let spec = hex(SPEC_CONNECT_RESPONSE);
    for cut in 7..spec.len() {
        let mut frame = spec[..cut].to_vec();
        frame[2..4].copy_from_slice(&(cut as u16).to_be_bytes());
        assert!(decode_connect_response(&frame).is_err(), "cut at {cut}");
    }
}

#[test]
fn missing_security_block_and_bad_block_length() {
    let mut settings = spec_server_settings();
    settings.random_and_certificate = None;
    let blocks = settings.encode_blocks();
    // Keep core and network only.
    let core_net = &blocks[..12 + 16];
    let frame = frame_with_server_blocks(core_net);
    assert_eq!(
        decode_connect_response(&frame),
        Err(CodecError::MissingBlock(SC_SECURITY))
    );
    let mut bad = blocks.clone();
    bad[2] = 0xff; // SC_CORE length 255: runs past the end
    assert_eq!(
        decode_connect_response(&frame_with_server_blocks(&bad)),
        Err(CodecError::BadBlockLength {
            block_type: SC_CORE,
            length: 0xff
        })
    );
    let short_core = [0x01, 0x0c, 0x06, 0x00, 0x04, 0x00];
    let mut blocks2 = short_core.to_vec();
    blocks2.extend_from_slice(&blocks[12..]);
    assert_eq!(
        decode_connect_response(&frame_with_server_blocks(&blocks2)),
        Err(CodecError::ShortBlock {
            block_type: SC_CORE,
            length: 6
        })
    );
}

#[test]
fn unknown_server_blocks_are_skipped() {
    let settings = ServerSettings::new(
        RdpVersion(0x0008_000c),
        EncryptionMethod::FIPS,
        EncryptionLevel::FIPS,
    );
    let mut blocks = vec![
        0x04, 0x0c, 0x06, 0x00, // SC_MCS_MSGCHANNEL header: length 6
        0xef, 0x03, // MCSChannelID 1007
    ];
    blocks.extend_from_slice(&settings.encode_blocks());
    assert_eq!(
        decode_connect_response(&frame_with_server_blocks(&blocks)),
        Ok(ConnectReply::Accepted(ServerData {
            version: RdpVersion(0x0008_000c),
            encryption_method: EncryptionMethod::FIPS,
            encryption_level: EncryptionLevel::FIPS,
        }))
    );
}

/// A successful Connect Response carrying exactly `blocks` as server data.
fn frame_with_server_blocks(blocks: &[u8]) -> Vec<u8> {
    let gcc = encode_conference_create_response(blocks);
    let mut body = vec![0x0a, 0x01, 0x00, 0x02, 0x01, 0x00];
    super::der::write(&mut body, &[0x30], &[0x02, 0x01, 0x00]);
    super::der::write(&mut body, &[0x04], &gcc);
    let mut mcs = Vec::new();
    super::der::write(&mut mcs, &[0x7f, 0x66], &body);
    super::x224::encode_data(&mcs)
}

#[test]
fn server_decoder_rejects_what_is_not_a_connect_initial() {
    let response = hex(SPEC_CONNECT_RESPONSE);
    assert!(matches!(
        decode_connect_initial(&response),
        Err(CodecError::UnexpectedTag {
            what: "mcs Connect-Initial",
            tag: 0x66
        })
    ));
    let dr = [
        0x03, 0x00, 0x00, 0x0b, 0x06, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    assert!(decode_connect_initial(&dr).is_err());
}

#[test]
fn version_names() {
    assert_eq!(RdpVersion(0x0008_0001).name(), Some("RDP 4.0"));
    assert_eq!(RdpVersion(0x0008_0004).name(), Some("RDP 5.0-8.1"));
    assert_eq!(RdpVersion(0x0008_0005).name(), Some("RDP 10.0"));
    assert_eq!(RdpVersion(0x0008_000c).name(), Some("RDP 10.7"));
    assert_eq!(RdpVersion(0x0008_000f).name(), Some("RDP 10.10"));
    assert_eq!(RdpVersion(0x0008_0011).name(), Some("RDP 10.12"));
    assert_eq!(RdpVersion(0x0008_0012).name(), None);
    assert_eq!(RdpVersion(0x0008_0012).ten_minor(), None);
    assert_eq!(RdpVersion(0x0008_000f).ten_minor(), Some(10));
    assert_eq!(EncryptionLevel(2).name(), Some("client-compatible"));
    assert_eq!(EncryptionLevel(9).name(), None);
    // The report words (all of them are pinned in words_tests.rs).
    assert_eq!(RdpVersion(0x0008_000c).to_string(), "10.7");
    assert_eq!(EncryptionMethod::BIT_128.to_string(), "128bit");
    assert_eq!(
        EncryptionMethod::from_bits_retain(0x1b).to_string(),
        "40bit|56bit|128bit|fips",
        "a combination is each method, weakest first"
    );
}

#[test]
fn result_and_reason_names_follow_t125() {
    assert_eq!(McsResult::RT_SUCCESSFUL.to_string(), "rt-successful (0)");
    assert_eq!(
        McsResult::RT_UNSPECIFIED_FAILURE.to_string(),
        "rt-unspecified-failure (14)"
    );
    assert_eq!(McsResult::RT_USER_REJECTED.name(), Some("rt-user-rejected"));
    assert_eq!(McsResult(16).to_string(), "unknown (16)");
    assert_eq!(McsResult(u32::MAX).name(), None);
    assert_eq!(
        DisconnectReason::RN_PROVIDER_INITIATED.to_string(),
        "rn-provider-initiated (1)"
    );
    assert_eq!(
        DisconnectReason::RN_CHANNEL_PURGED.name(),
        Some("rn-channel-purged")
    );
    assert_eq!(DisconnectReason(5).to_string(), "unknown (5)");
}

#[test]
fn error_messages_are_lowercase() {
    let errors = [
        (
            CodecError::UnexpectedMcsPdu(0x2e),
            "unexpected mcs pdu starting 0x2e",
        ),
        (
            CodecError::EmptyMcsData,
            "x.224 data tpdu without an mcs pdu",
        ),
        (
            CodecError::TruncatedUltimatum,
            "disconnect provider ultimatum truncated",
        ),
        (
            CodecError::MissingBlock(SC_SECURITY),
            "no data block 0x0c02",
        ),
        (
            CodecError::Truncated {
                what: "gcc userData",
            },
            "gcc userdata: truncated",
        ),
        (
            CodecError::UnexpectedByte {
                what: "gcc ConnectGCCPDU choice",
                byte: 0x00,
            },
            "gcc connectgccpdu choice: unexpected byte 0x00",
        ),
        (
            CodecError::BadBlockLength {
                block_type: SC_CORE,
                length: 0xff,
            },
            "data block 0x0c01 with impossible length 255",
        ),
        (
            CodecError::ShortBlock {
                block_type: SC_CORE,
                length: 6,
            },
            "data block 0x0c01 too short (6 bytes)",
        ),
        (
            CodecError::UnexpectedTag {
                what: "mcs Connect-Initial",
                tag: 0x66,
            },
            "mcs connect-initial: unexpected tag 0x66",
        ),
    ];
    for (e, text) in errors {
        assert_eq!(e.to_string(), text, "{e:?}");
        assert_eq!(text, text.to_lowercase(), "{text}");
    }
}

proptest! {
    #[test]
    fn no_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode_connect_response(&bytes);
        let _ = decode_connect_initial(&bytes);
    }

    #[test]
    fn no_panic_behind_valid_framing(body in proptest::collection::vec(any::<u8>(), 0..600), connect in any::<bool>()) {
        let mut mcs = if connect { vec![0x7f, 0x66] } else { vec![0x7f, 0x65] };
        mcs.extend_from_slice(&body);
        let frame = super::x224::encode_data(&mcs);
        let _ = decode_connect_response(&frame);
        let _ = decode_connect_initial(&frame);
    }

    #[test]
    fn mutated_spec_pdus_never_panic(at in 7usize..337, byte in any::<u8>()) {
        let mut response = hex(SPEC_CONNECT_RESPONSE);
        response[at] = byte;
        let _ = decode_connect_response(&response);
        let mut initial = hex(SPEC_CONNECT_INITIAL);
        initial[at] = byte;
        let _ = decode_connect_initial(&initial);
    }

    #[test]
    fn server_settings_round_trip(version in any::<u32>(), method in any::<u32>(), level in any::<u32>(), channels in proptest::collection::vec(any::<u16>(), 0..5)) {
        let mut settings = ServerSettings::new(RdpVersion(version), EncryptionMethod::from_bits_retain(method), EncryptionLevel(level));
        settings.channel_ids = channels;
        prop_assert_eq!(
            decode_connect_response(&encode_connect_response(&settings)),
            Ok(ConnectReply::Accepted(ServerData {
                version: RdpVersion(version),
                encryption_method: EncryptionMethod::from_bits_retain(method),
                encryption_level: EncryptionLevel(level),
            }))
        );
    }

    #[test]
    fn client_settings_round_trip(method in any::<u32>(), selected in any::<u32>(), name in "[A-Za-z0-9-]{0,20}") {
        let mut settings = ClientSettings::probe(
            EncryptionMethod::from_bits_retain(method),
            SecurityProtocol::from_bits_retain(selected),
        );
        settings.client_name = name;
        let request = decode_connect_initial(&encode_connect_initial(&settings)).unwrap();
        prop_assert_eq!(request.encryption_methods, Some(EncryptionMethod::from_bits_retain(method)));
        prop_assert_eq!(
            request.server_selected_protocol,
            Some(SecurityProtocol::from_bits_retain(selected))
        );
    }
}
