use proptest::prelude::*;

use super::*;

/// The random the tests hand to the hello builders (the caller's input).
const RANDOM: [u8; 32] = [
    0x66, 0x0a, 0xa1, 0xc0, // gmt_unix_time 2024-04-01T12:00:00Z
    0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
    0x5a, // 28 bytes
    0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
];

fn u24(b0: u8, b1: u8, b2: u8) -> usize {
    usize::from(b0) << 16 | usize::from(b1) << 8 | usize::from(b2)
}

/// Two fake DER certificates: the reader does not look inside them.
fn chain() -> Vec<Vec<u8>> {
    vec![
        vec![0x30, 0x82, 0x01, 0x00, 0xaa, 0xbb],
        (0..=255u8).cycle().take(3000).collect(),
    ]
}

fn record(kind: u8, version: u16, fragment: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&(fragment.len() as u16).to_be_bytes());
    out.extend_from_slice(fragment);
    out
}

/// A ServerHello body with the given extensions block (none when `None`).
fn server_hello_body(version: u16, cipher: u16, extensions: Option<&[u8]>) -> Vec<u8> {
    let mut body = version.to_be_bytes().to_vec();
    body.extend_from_slice(&[0x5a; 32]); // random
    body.push(0x00); // session id length
    body.extend_from_slice(&cipher.to_be_bytes());
    body.push(0x00); // compression
    if let Some(ext) = extensions {
        body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
        body.extend_from_slice(ext);
    }
    body
}

fn certificate_body(chain: &[Vec<u8>]) -> Vec<u8> {
    let list: Vec<u8> = chain
        .iter()
        .flat_map(|c| {
            let mut e = (c.len() as u32).to_be_bytes()[1..].to_vec();
            e.extend_from_slice(c);
            e
        })
        .collect();
    let mut body = (list.len() as u32).to_be_bytes()[1..].to_vec();
    body.extend_from_slice(&list);
    body
}

fn read_all(bytes: &[u8]) -> Progress {
    ServerFlightReader::new().push(bytes)
}

#[test]
fn client_hello_layout_byte_by_byte() {
    let hello = client_hello(TLS1_2, Some("host.example"), RANDOM);
    let at = std::cell::Cell::new(0);
    let take = |n: usize| {
        let field = hello[at.get()..at.get() + n].to_vec();
        at.set(at.get() + n);
        field
    };
    assert_eq!(take(1), [0x16], "record type: handshake");
    assert_eq!(
        take(2),
        [0x03, 0x01],
        "record version: TLS 1.0 for compatibility"
    );
    let record_len = u16::from_be_bytes(take(2).try_into().unwrap()) as usize;
    assert_eq!(
        record_len,
        hello.len() - 5,
        "record length: the rest of the buffer"
    );
    assert_eq!(take(1), [0x01], "handshake type: client_hello");
    let hs_len = u24(hello[6], hello[7], hello[8]);
    take(3);
    assert_eq!(hs_len, record_len - 4, "handshake length, 3 bytes");
    assert_eq!(take(2), [0x03, 0x03], "client_version = max_version");
    assert_eq!(take(32), RANDOM, "random: the caller's 32 bytes, as given");
    assert_eq!(take(1), [0x00], "session id: empty");
    let suites_len = u16::from_be_bytes(take(2).try_into().unwrap()) as usize;
    assert_eq!(suites_len, 2 * CIPHER_SUITES.len(), "cipher suites length");
    let suites: Vec<u16> = take(suites_len)
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    for legacy in [0x002f, 0x0035, 0x000a, 0x0005, 0xc013, 0xc02f, 0x0033] {
        assert!(
            suites.contains(&legacy),
            "suite {} offered",
            cipher_name(legacy)
        );
    }
    assert!(!suites.contains(&0x5600), "no TLS_FALLBACK_SCSV");
    assert_eq!(take(2), [0x01, 0x00], "compression: one method, null");
    let ext_len = u16::from_be_bytes(take(2).try_into().unwrap()) as usize;
    assert_eq!(
        ext_len,
        hello.len() - at.get(),
        "extensions length: to the end"
    );
    // server_name: type 0, length, list length, host_name (0), name length, name.
    let mut sni = vec![0x00, 0x00, 0x00, 0x11, 0x00, 0x0f, 0x00, 0x00, 0x0c];
    sni.extend_from_slice(b"host.example");
    assert_eq!(take(sni.len()), sni, "server_name");
    // supported_groups: type 10, length 8, list length 6, x25519, secp256r1, secp384r1.
    assert_eq!(
        take(12),
        [0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18],
        "supported_groups"
    );
    // ec_point_formats: type 11, length 2, list length 1, uncompressed.
    assert_eq!(
        take(6),
        [0x00, 0x0b, 0x00, 0x02, 0x01, 0x00],
        "ec_point_formats"
    );
    // signature_algorithms: type 13, length, list length, pairs.
    assert_eq!(take(2), [0x00, 0x0d], "signature_algorithms type");
    let sig_len = u16::from_be_bytes(take(2).try_into().unwrap()) as usize;
    let list_len = u16::from_be_bytes(take(2).try_into().unwrap()) as usize;
    assert_eq!(sig_len, list_len + 2, "signature_algorithms lengths");
    let algorithms = take(list_len);
    assert!(
        algorithms.chunks(2).any(|a| a == [0x02, 0x01]),
        "rsa_pkcs1_sha1 offered"
    );
    // renegotiation_info: type 0xff01, length 1, empty renegotiated_connection.
    assert_eq!(
        take(5),
        [0xff, 0x01, 0x00, 0x01, 0x00],
        "renegotiation_info"
    );
    assert_eq!(at.get(), hello.len(), "nothing after the extensions");
}

#[test]
fn client_hello_has_no_supported_versions_and_no_sni_for_ip_literals() {
    for name in [
        Some("10.0.0.5"),
        Some("[2001:db8::1]"),
        Some("2001:db8::1"),
        None,
    ] {
        let hello = client_hello(TLS1_2, name, RANDOM);
        let ext_start = 5 + 4 + 2 + 32 + 1 + 2 + 2 * CIPHER_SUITES.len() + 2 + 2;
        let exts = extensions(&hello[ext_start..]).expect("well-formed extensions");
        let kinds: Vec<u16> = exts.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            kinds,
            [
                EXT_SUPPORTED_GROUPS,
                EXT_EC_POINT_FORMATS,
                EXT_SIGNATURE_ALGORITHMS,
                EXT_RENEGOTIATION_INFO
            ],
            "{name:?}"
        );
    }
}

#[test]
fn client_hello_below_tls12_has_no_signature_algorithms() {
    let hello = client_hello(TLS1_0, Some("old.example"), RANDOM);
    let ext_start = 5 + 4 + 2 + 32 + 1 + 2 + 2 * CIPHER_SUITES.len() + 2 + 2;
    let kinds: Vec<u16> = extensions(&hello[ext_start..])
        .unwrap()
        .iter()
        .map(|(k, _)| *k)
        .collect();
    assert_eq!(
        kinds,
        [
            EXT_SERVER_NAME,
            EXT_SUPPORTED_GROUPS,
            EXT_EC_POINT_FORMATS,
            EXT_RENEGOTIATION_INFO
        ]
    );
    assert_eq!(&hello[9..11], [0x03, 0x01], "client_version TLS 1.0");
}

#[test]
fn client_hello_round_trips_through_read_client_hello() {
    for version in [TLS1_0, TLS1_1, TLS1_2] {
        for name in [None, Some("rdp.example.org"), Some("192.0.2.7")] {
            assert_eq!(
                read_client_hello(&client_hello(version, name, RANDOM)),
                ClientHelloRead::Hello {
                    max_version: version
                }
            );
        }
    }
}

#[test]
fn tls_parser_reads_our_client_hello() {
    let hello = client_hello(TLS1_2, Some("rdp.example.org"), RANDOM);
    let (rest, plain) = tls_parser::parse_tls_plaintext(&hello).expect("tls-parser accepts it");
    assert!(rest.is_empty());
    let [tls_parser::TlsMessage::Handshake(tls_parser::TlsMessageHandshake::ClientHello(ch))] =
        &plain.msg[..]
    else {
        panic!("not one client hello: {plain:?}");
    };
    assert_eq!(ch.version.0, TLS1_2);
    assert_eq!(ch.ciphers.len(), CIPHER_SUITES.len());
    let exts = tls_parser::parse_tls_client_hello_extensions(ch.ext.unwrap())
        .unwrap()
        .1;
    assert!(exts.iter().any(
        |e| matches!(e, tls_parser::TlsExtension::SNI(names) if names[0].1 == b"rdp.example.org")
    ));
}

#[test]
fn read_client_hello_incomplete_until_whole() {
    let hello = client_hello(TLS1_1, Some("a.example"), RANDOM);
    for cut in 0..hello.len() {
        assert_eq!(
            read_client_hello(&hello[..cut]),
            ClientHelloRead::Incomplete,
            "cut at {cut}"
        );
    }
    let mut with_more = hello.clone();
    with_more.extend_from_slice(&[0x16, 0x03]);
    assert_eq!(
        read_client_hello(&with_more),
        ClientHelloRead::Hello {
            max_version: TLS1_1
        }
    );
}

#[test]
fn read_client_hello_across_two_records() {
    let hello = client_hello(TLS1_2, None, RANDOM);
    let handshake = &hello[5..];
    let mut split = record(0x16, TLS1_0, &handshake[..7]);
    split.extend_from_slice(&record(0x16, TLS1_0, &handshake[7..]));
    assert_eq!(
        read_client_hello(&split[..split.len() - 1]),
        ClientHelloRead::Incomplete
    );
    assert_eq!(
        read_client_hello(&split),
        ClientHelloRead::Hello {
            max_version: TLS1_2
        }
    );
}

/// A ClientHello as a TLS 1.3 client sends it: client_version 1.2, supported_versions with
/// GREASE, 1.3 and 1.2.
fn modern_client_hello(versions: &[u16]) -> Vec<u8> {
    let mut list = vec![(versions.len() * 2) as u8];
    list.extend(versions.iter().flat_map(|v| v.to_be_bytes()));
    let mut exts = Vec::new();
    put_extension(&mut exts, EXT_SUPPORTED_VERSIONS, &list);
    let mut body = TLS1_2.to_be_bytes().to_vec();
    body.extend_from_slice(&[7; 32]);
    body.push(0);
    body.extend_from_slice(&[0x00, 0x02, 0x13, 0x01]); // one suite: TLS_AES_128_GCM_SHA256
    body.extend_from_slice(&[0x01, 0x00]);
    put_u16_prefixed(&mut body, &exts);
    handshake_record(TLS1_0, &handshake_message(HS_CLIENT_HELLO, &body))
}

#[test]
fn read_client_hello_takes_max_of_supported_versions() {
    let hello = modern_client_hello(&[0x3a3a, TLS1_3, TLS1_2]);
    assert_eq!(
        read_client_hello(&hello),
        ClientHelloRead::Hello {
            max_version: TLS1_3
        }
    );
    let hello = modern_client_hello(&[TLS1_1, TLS1_0]);
    assert_eq!(
        read_client_hello(&hello),
        ClientHelloRead::Hello {
            max_version: TLS1_1
        }
    );
}

#[test]
fn read_client_hello_rejects_other_things() {
    assert_eq!(
        read_client_hello(b"HTTP/1.1 400 Bad Request\r\n"),
        ClientHelloRead::NotHello
    );
    assert_eq!(
        read_client_hello(&[0x03, 0x00, 0x00, 0x13]),
        ClientHelloRead::NotHello,
        "tpkt"
    );
    assert_eq!(
        read_client_hello(&server_flight(TLS1_2, 0x002f, RANDOM, &chain())),
        ClientHelloRead::NotHello,
        "server hello"
    );
    assert_eq!(read_client_hello(&alert(40)), ClientHelloRead::NotHello);
    let mut bad = client_hello(TLS1_2, None, RANDOM);
    bad[9 + 2 + 32] = 5; // session id length 5: the cipher suites length then reads 0x2fc0
    assert_eq!(read_client_hello(&bad), ClientHelloRead::NotHello);
}

#[test]
fn server_flight_round_trips() {
    for version in [SSL3_0, TLS1_0, TLS1_1, TLS1_2] {
        for cipher in [0x002f, 0x000a, 0xc030] {
            let flight = server_flight(version, cipher, RANDOM, &chain());
            let expected = Progress::Hello(LegacyHello {
                version,
                cipher,
                chain: chain(),
            });
            assert_eq!(read_all(&flight), expected, "{version:#x} {cipher:#x}");
        }
    }
}

#[test]
fn server_flight_one_byte_at_a_time() {
    let flight = server_flight(TLS1_0, 0x0005, RANDOM, &chain());
    let mut reader = ServerFlightReader::new();
    let mut answers = Vec::new();
    for byte in &flight {
        answers.push(reader.push(std::slice::from_ref(byte)));
    }
    let first = answers
        .iter()
        .position(|p| *p != Progress::NeedMore)
        .expect("an answer");
    // The answer comes with the Certificate's last byte, before the ServerHelloDone record.
    assert_eq!(first, flight.len() - 10);
    assert_eq!(
        answers[first],
        Progress::Hello(LegacyHello {
            version: TLS1_0,
            cipher: 0x0005,
            chain: chain()
        })
    );
    assert!(
        answers[first..].iter().all(|p| *p == answers[first]),
        "the answer sticks"
    );
}

#[test]
fn certificate_spanning_two_records_and_messages_sharing_one() {
    let hello = handshake_message(
        HS_SERVER_HELLO,
        &server_hello_body(TLS1_1, 0x0035, Some(&[0xff, 0x01, 0x00, 0x01, 0x00])),
    );
    let certificate = handshake_message(HS_CERTIFICATE, &certificate_body(&chain()));
    // ServerHello and the first 100 bytes of the Certificate share a record; the rest follows.
    let mut first = hello.clone();
    first.extend_from_slice(&certificate[..100]);
    let mut flight = record(0x16, TLS1_1, &first);
    flight.extend_from_slice(&record(0x16, TLS1_1, &certificate[100..]));
    let mut reader = ServerFlightReader::new();
    let cut = 5 + first.len() + 5 + 10;
    assert_eq!(reader.push(&flight[..cut]), Progress::NeedMore);
    assert_eq!(
        reader.push(&flight[cut..]),
        Progress::Hello(LegacyHello {
            version: TLS1_1,
            cipher: 0x0035,
            chain: chain()
        })
    );
}

#[test]
fn version_comes_from_server_hello_not_record_header() {
    let mut flight = record(
        0x16,
        TLS1_0,
        &handshake_message(HS_SERVER_HELLO, &server_hello_body(TLS1_2, 0xc02f, None)),
    );
    flight.extend_from_slice(&record(
        0x16,
        TLS1_0,
        &handshake_message(HS_CERTIFICATE, &certificate_body(&chain())),
    ));
    assert_eq!(
        read_all(&flight),
        Progress::Hello(LegacyHello {
            version: TLS1_2,
            cipher: 0xc02f,
            chain: chain()
        })
    );
}

#[test]
fn alerts() {
    assert_eq!(read_all(&alert(80)), Progress::Alert(80));
    assert_eq!(alert(40), [0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 40]);
    // A warning unrecognized_name (112) before the flight does not end it.
    let mut flight = record(0x15, TLS1_2, &[0x01, 112]);
    flight.extend_from_slice(&server_flight(TLS1_2, 0x009c, RANDOM, &chain()));
    assert_eq!(
        read_all(&flight),
        Progress::Hello(LegacyHello {
            version: TLS1_2,
            cipher: 0x009c,
            chain: chain()
        })
    );
    // close_notify at warning level does.
    assert_eq!(
        read_all(&record(0x15, TLS1_2, &[0x01, 0x00])),
        Progress::Alert(0)
    );
    // An alert after the ServerHello.
    let mut flight = record(
        0x16,
        TLS1_2,
        &handshake_message(HS_SERVER_HELLO, &server_hello_body(TLS1_2, 0x2f, None)),
    );
    flight.extend_from_slice(&alert(70));
    assert_eq!(read_all(&flight), Progress::Alert(70));
    assert!(matches!(
        read_all(&record(0x15, TLS1_2, &[0x02])),
        Progress::Error(_)
    ));
}

#[test]
fn not_tls_is_an_error_from_the_first_byte() {
    assert!(
        matches!(read_all(b"HTTP/1.1 400 Bad Request\r\n\r\n"), Progress::Error(e) if e.to_string().contains("not tls"))
    );
    assert!(matches!(read_all(b"H"), Progress::Error(_)));
    assert!(
        matches!(read_all(&[0x03, 0x00, 0x00, 0x13]), Progress::Error(_)),
        "a tpkt frame"
    );
    assert!(
        matches!(read_all(&[0x16, 0x02, 0x00]), Progress::Error(_)),
        "record version 2.0"
    );
    assert!(
        matches!(read_all(&[0x17, 0x03, 0x03, 0x00, 0x01, 0x00]), Progress::Error(e) if e.to_string().contains("record type 23"))
    );
}

#[test]
fn cut_flight_needs_more() {
    let flight = server_flight(TLS1_2, 0x002f, RANDOM, &chain());
    let cert_end = flight.len() - 9;
    for cut in [0, 1, 4, 5, 6, 20, 60, cert_end - 1] {
        assert_eq!(read_all(&flight[..cut]), Progress::NeedMore, "cut at {cut}");
    }
}

#[test]
fn tls13_selected_via_supported_versions_is_an_error() {
    let mut ext = Vec::new();
    put_extension(&mut ext, EXT_SUPPORTED_VERSIONS, &TLS1_3.to_be_bytes());
    let flight = record(
        0x16,
        TLS1_2,
        &handshake_message(
            HS_SERVER_HELLO,
            &server_hello_body(TLS1_2, 0x1301, Some(&ext)),
        ),
    );
    assert_eq!(
        read_all(&flight),
        Progress::Error(CodecError::SupportedVersionsSelected(TLS1_3))
    );
    // Selecting 1.2 through the extension is fine.
    let mut ext = Vec::new();
    put_extension(&mut ext, EXT_SUPPORTED_VERSIONS, &TLS1_2.to_be_bytes());
    let mut flight = record(
        0x16,
        TLS1_2,
        &handshake_message(
            HS_SERVER_HELLO,
            &server_hello_body(TLS1_2, 0xc02f, Some(&ext)),
        ),
    );
    flight.extend_from_slice(&record(
        0x16,
        TLS1_2,
        &handshake_message(HS_CERTIFICATE, &certificate_body(&chain())),
    ));
    assert!(matches!(read_all(&flight), Progress::Hello(h) if h.version == TLS1_2));
}

#[test]
fn malformed_flights_are_errors() {
    let hello_record =
        |body: &[u8]| record(0x16, TLS1_2, &handshake_message(HS_SERVER_HELLO, body));
    use CodecError::*;
    let cases: Vec<(&str, Vec<u8>, CodecError)> = vec![
        (
            "short server hello",
            hello_record(&[0x03, 0x03, 0x00]),
            MalformedServerHello,
        ),
        (
            "server hello version 0x0304",
            hello_record(&server_hello_body(TLS1_3, 0x2f, None)),
            ServerHelloVersion(TLS1_3),
        ),
        (
            "server hello version 0x0200",
            hello_record(&server_hello_body(0x0200, 0x2f, None)),
            ServerHelloVersion(0x0200),
        ),
        (
            "bad extensions length",
            hello_record(&server_hello_body(
                TLS1_2,
                0x2f,
                Some(&[0xff, 0x01, 0x00, 0x09, 0x00]),
            )),
            MalformedServerHello,
        ),
        (
            "trailing bytes",
            {
                let mut b = server_hello_body(TLS1_2, 0x2f, Some(&[]));
                b.push(0);
                hello_record(&b)
            },
            MalformedServerHello,
        ),
        (
            "certificate first",
            record(
                0x16,
                TLS1_2,
                &handshake_message(HS_CERTIFICATE, &certificate_body(&chain())),
            ),
            CertificateBeforeServerHello,
        ),
        (
            "client hello",
            client_hello(TLS1_2, None, RANDOM),
            UnexpectedHandshake(HS_CLIENT_HELLO),
        ),
        (
            "empty handshake record",
            record(0x16, TLS1_2, &[]),
            EmptyHandshakeRecord,
        ),
        (
            "hello done without certificate",
            {
                let mut f = hello_record(&server_hello_body(TLS1_2, 0x2f, None));
                f.extend_from_slice(&record(
                    0x16,
                    TLS1_2,
                    &handshake_message(HS_SERVER_HELLO_DONE, &[]),
                ));
                f
            },
            NoCertificate,
        ),
        (
            "two server hellos",
            {
                let mut f = hello_record(&server_hello_body(TLS1_2, 0x2f, None));
                f.extend_from_slice(&hello_record(&server_hello_body(TLS1_2, 0x2f, None)));
                f
            },
            SecondServerHello,
        ),
    ];
    for (name, flight, error) in cases {
        assert_eq!(read_all(&flight), Progress::Error(error), "{name}");
    }
}

#[test]
fn malformed_certificate_lists_are_errors() {
    let good = certificate_body(&chain());
    let mut list_too_long = good.clone();
    list_too_long[2] = list_too_long[2].wrapping_add(1);
    let mut entry_too_long = good.clone();
    entry_too_long[5] = 0xff; // first certificate claims 255 bytes more than the list holds
    let mut trailing = good.clone();
    trailing.extend_from_slice(&[0x00, 0x00]);
    trailing[2] = trailing[2].wrapping_add(2);
    for (name, body) in [
        ("list length", list_too_long),
        ("entry length", entry_too_long),
        ("partial entry", trailing),
    ] {
        let mut flight = record(
            0x16,
            TLS1_2,
            &handshake_message(HS_SERVER_HELLO, &server_hello_body(TLS1_2, 0x2f, None)),
        );
        flight.extend_from_slice(&record(
            0x16,
            TLS1_2,
            &handshake_message(HS_CERTIFICATE, &body),
        ));
        assert_eq!(
            read_all(&flight),
            Progress::Error(CodecError::MalformedCertificate),
            "{name}"
        );
    }
}

#[test]
fn hostile_lengths_do_not_allocate() {
    // A record header claiming 65535 bytes is refused from its 5 bytes.
    assert_eq!(
        read_all(&[0x16, 0x03, 0x01, 0xff, 0xff]),
        Progress::Error(CodecError::RecordTooLong(65535))
    );
    // A handshake message claiming 16 MiB is refused from its header.
    let flight = record(0x16, TLS1_2, &[HS_SERVER_HELLO, 0xff, 0xff, 0xff]);
    assert!(
        matches!(read_all(&flight), Progress::Error(e) if e.to_string().contains("larger than 256 kib"))
    );
    // A message that fits the cap, streamed in 16 KiB records far past it in one push: the
    // reader holds at most the cap and then gives up.
    let mut flight = record(
        0x16,
        TLS1_2,
        &handshake_message(HS_SERVER_HELLO, &server_hello_body(TLS1_2, 0x2f, None)),
    );
    flight.extend_from_slice(&record(0x16, TLS1_2, &[HS_CERTIFICATE, 0x03, 0xff, 0xf0]));
    while flight.len() < 4 * MAX_FLIGHT_LEN {
        flight.extend_from_slice(&record(0x16, TLS1_2, &[0u8; 1 << 14]));
    }
    let mut reader = ServerFlightReader::new();
    assert_eq!(
        reader.push(&flight),
        Progress::Error(CodecError::FlightTooLarge)
    );
    assert!(reader.received <= MAX_FLIGHT_LEN);
    assert_eq!(
        reader.buf.capacity() + reader.handshake.capacity(),
        0,
        "buffers released"
    );
    // The same, pushed in small pieces.
    let mut reader = ServerFlightReader::new();
    let mut last = Progress::NeedMore;
    for piece in flight.chunks(1000) {
        last = reader.push(piece);
        assert!(reader.buf.len() + reader.handshake.len() <= MAX_FLIGHT_LEN);
        if last != Progress::NeedMore {
            break;
        }
    }
    assert_eq!(last, Progress::Error(CodecError::FlightTooLarge));
}

#[test]
fn error_messages_keep_their_words() {
    use CodecError::*;
    for (error, text) in [
        (NotTls(0x48), "not tls: first byte 0x48"),
        (NotTlsVersion(0x02), "not tls: record version major 0x02"),
        (UnexpectedRecordType(23), "unexpected tls record type 23"),
        (RecordTooLong(65535), "tls record length 65535 too large"),
        (BadAlertRecord(1), "alert record of 1 bytes"),
        (EmptyHandshakeRecord, "empty handshake record"),
        (FlightTooLarge, "server flight larger than 256 kib"),
        (
            HandshakeTooLarge(16_777_215),
            "handshake message of 16777215 bytes, larger than 256 kib",
        ),
        (
            UnexpectedHandshake(1),
            "unexpected handshake message type 1",
        ),
        (SecondServerHello, "second server hello"),
        (
            CertificateBeforeServerHello,
            "certificate before server hello",
        ),
        (NoCertificate, "server sent no certificate"),
        (MalformedServerHello, "malformed server hello"),
        (
            ServerHelloVersion(TLS1_3),
            "server hello with version TLSv1.3",
        ),
        (
            ServerHelloVersion(0x0200),
            "server hello with version 0x0200",
        ),
        (
            SupportedVersionsSelected(TLS1_3),
            "server selected TLSv1.3 via supported_versions",
        ),
        (MalformedCertificate, "malformed certificate message"),
    ] {
        assert_eq!(error.to_string(), text, "{error:?}");
    }
}

#[test]
fn names() {
    assert_eq!(cipher_name(0x002f), "TLS_RSA_WITH_AES_128_CBC_SHA");
    assert_eq!(cipher_name(0xc030), "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    assert_eq!(cipher_name(0x0005), "TLS_RSA_WITH_RC4_128_SHA");
    assert_eq!(cipher_name(0xfefe), "0xfefe");
    let version = |v| TlsWireVersion(v).to_string();
    assert_eq!(version(0x0300), "SSLv3");
    assert_eq!(version(0x0301), "TLSv1.0");
    assert_eq!(version(0x0302), "TLSv1.1");
    assert_eq!(version(0x0303), "TLSv1.2");
    assert_eq!(version(0x0304), "TLSv1.3");
    assert_eq!(version(0x7f1c), "0x7f1c");
    assert_eq!(alert_name(40), "handshake_failure (40)");
    assert_eq!(alert_name(80), "internal_error (80)");
    assert_eq!(alert_name(70), "protocol_version (70)");
    assert_eq!(alert_name(200), "unknown (200)");
}

#[test]
fn every_offered_suite_has_an_iana_name() {
    for suite in CIPHER_SUITES {
        assert!(cipher_name(suite).starts_with("TLS_"), "{suite:#06x}");
    }
}

proptest! {
    #[test]
    fn reader_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048), step in 1usize..64) {
        let mut reader = ServerFlightReader::new();
        for piece in bytes.chunks(step) {
            reader.push(piece);
        }
        read_client_hello(&bytes);
    }

    #[test]
    fn reader_never_panics_behind_a_handshake_header(body in proptest::collection::vec(any::<u8>(), 0..1024), kind in prop_oneof![Just(21u8), Just(22u8)]) {
        // A valid record header around arbitrary content reaches the message parsers.
        let flight = record(kind, TLS1_2, &body);
        read_all(&flight);
        read_client_hello(&flight);
    }

    #[test]
    fn reader_never_panics_on_mutated_flights(index in any::<prop::sample::Index>(), value in any::<u8>(), step in 1usize..300) {
        let mut flight = server_flight(TLS1_2, 0xc02f, RANDOM, &chain());
        let i = index.index(flight.len());
        flight[i] = value;
        let mut reader = ServerFlightReader::new();
        for piece in flight.chunks(step) {
            reader.push(piece);
        }
        let mut hello = client_hello(TLS1_2, Some("x.example"), RANDOM);
        let j = index.index(hello.len());
        hello[j] = value;
        read_client_hello(&hello);
    }
}
