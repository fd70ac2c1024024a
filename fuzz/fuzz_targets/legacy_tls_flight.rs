//! The legacy TLS server flight (RFC 5246 records and handshake messages up to the
//! Certificate): the server's clear-text answer to the hand-built ClientHello, fed to a
//! `legacy_tls::ServerFlightReader` in the pieces the network happens to deliver.
//!
//! Checks: nothing panics; the answer does not depend on how the bytes are cut (one piece,
//! 1-byte, 7-byte and input-driven pieces all give the same answer, and an answer once given
//! sticks); the reader never holds more than `MAX_FLIGHT_LEN`, and a server that streams the
//! input over and over is answered by the time that many bytes came; a ServerHello and
//! Certificate read re-encode (`server_flight`) to a flight read as the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdpsweep_codec::legacy_tls::{server_flight, Progress, ServerFlightReader, MAX_FLIGHT_LEN};

/// Pushes `pieces` in order and returns the answer; checks the bound and that answers stick.
fn feed<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> Progress {
    let mut reader = ServerFlightReader::new();
    let mut answer = Progress::NeedMore;
    for piece in pieces {
        let progress = reader.push(piece);
        assert!(
            reader.buffered() <= MAX_FLIGHT_LEN,
            "reader holds {}",
            reader.buffered()
        );
        if answer != Progress::NeedMore {
            assert_eq!(progress, answer, "an answer given changed");
        }
        answer = progress;
    }
    answer
}

/// Pieces whose sizes (1 to 16) are read off the input's own bytes.
fn input_driven(input: &[u8]) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let (mut at, mut sizes) = (0, input.iter().cycle());
    while at < input.len() {
        let size = usize::from(sizes.next().map_or(1, |b| b % 16 + 1)).min(input.len() - at);
        pieces.push(&input[at..at + size]);
        at += size;
    }
    pieces
}

fuzz_target!(|input: &[u8]| {
    let answer = feed([input]);
    assert_eq!(feed(input.chunks(1)), answer, "1-byte pieces");
    assert_eq!(feed(input.chunks(7)), answer, "7-byte pieces");
    assert_eq!(feed(input_driven(input)), answer, "input-driven pieces");

    match &answer {
        // A server repeating these bytes is answered once MAX_FLIGHT_LEN came, never later.
        Progress::NeedMore if !input.is_empty() => {
            let copies = MAX_FLIGHT_LEN / input.len() + 2;
            let last = feed(std::iter::repeat_n(input, copies));
            assert_ne!(
                last,
                Progress::NeedMore,
                "still reading after {copies} copies"
            );
        }
        Progress::Hello(hello) => {
            let flight = server_flight(hello.version, hello.cipher, [0x5a; 32], &hello.chain);
            assert_eq!(feed([flight.as_slice()]), answer, "round trip");
        }
        _ => {}
    }
});
