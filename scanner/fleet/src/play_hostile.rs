//! The hostile profile's answers ([`crate::hostile`]): a Connection Confirm in odd shapes,
//! hand-laid TLS flights delivered whole, cut or trickled, and endless noise.

use std::io;

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rdpsweep_codec::legacy_tls::{self as legacy, TLS1_2};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::play::{end, server_random};
use super::spec::{Delivery, Flight, Shape, Then};

/// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: a suite every TLS 1.2 client offers, so that a
/// client takes the hand-laid ServerHello and waits for what follows it.
const SERVER_HELLO_SUITE: u16 = 0xc02f;
/// Bytes of noise made and written at a time.
const NOISE_CHUNK: usize = 4096;

/// Writes a Connection Confirm (`answer`) as `shape` says.
pub async fn send_shaped(stream: &mut TcpStream, answer: &[u8], shape: Shape) -> io::Result<()> {
    match shape {
        Shape::ByteWrites => {
            stream.set_nodelay(true)?;
            for byte in answer {
                stream.write_all(std::slice::from_ref(byte)).await?;
            }
            Ok(())
        }
        Shape::Trailing(trailing) => stream.write_all(&[answer, trailing].concat()).await,
    }
}

/// Sends `flight` as `delivery` says, then ends as `then`.
pub async fn answer(
    mut stream: TcpStream,
    flight: Flight,
    delivery: Delivery,
    then: Then,
) -> io::Result<()> {
    let bytes = flight_bytes(flight);
    match delivery {
        Delivery::AtOnce => stream.write_all(&bytes).await?,
        Delivery::FirstBytes(n) => stream.write_all(bytes.get(..n).unwrap_or(&bytes)).await?,
        Delivery::Trickle(every) => {
            stream.set_nodelay(true)?;
            for (i, byte) in bytes.iter().enumerate() {
                if i > 0 {
                    tokio::time::sleep(every).await;
                }
                stream.write_all(std::slice::from_ref(byte)).await?;
            }
        }
    }
    end(stream, then).await
}

/// The bytes of `flight`.
fn flight_bytes(flight: Flight) -> Vec<u8> {
    // ServerHello, an empty Certificate list and ServerHelloDone, each in its own record.
    let empty_certificate =
        || legacy::server_flight(TLS1_2, SERVER_HELLO_SUITE, server_random(), &[]);
    match flight {
        Flight::Bytes(bytes) => bytes.to_vec(),
        Flight::ServerHello => {
            let mut flight = empty_certificate();
            flight.truncate(first_record_len(&flight));
            flight
        }
        Flight::EmptyCertificate => empty_certificate(),
    }
}

/// The length of the TLS record that starts `bytes` (header included), or all of `bytes`.
fn first_record_len(bytes: &[u8]) -> usize {
    match bytes {
        [_, _, _, high, low, ..] => {
            (5 + usize::from(u16::from_be_bytes([*high, *low]))).min(bytes.len())
        }
        _ => bytes.len(),
    }
}

/// Sends pseudo-random bytes from `seed` until the client goes away. Writes wait while the
/// client does not read, so a client that stops reading costs nothing.
pub async fn noise(mut stream: TcpStream, seed: u64) -> io::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut chunk = [0u8; NOISE_CHUNK];
    loop {
        rng.fill_bytes(&mut chunk);
        // Fails once the client has gone away.
        stream.write_all(&chunk).await?;
    }
}

/// The first `n` bytes of the noise of `seed`, as [`noise`] sends them.
#[cfg(test)]
pub(crate) fn noise_head(seed: u64, n: usize) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut head = vec![0u8; n];
    rng.fill_bytes(&mut head);
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_hello_is_the_first_record_of_the_empty_certificate_flight() {
        let hello = flight_bytes(Flight::ServerHello);
        let whole = flight_bytes(Flight::EmptyCertificate);
        // Handshake record, TLS 1.2, then a ServerHello message.
        assert_eq!(&hello[..3], &[22, 0x03, 0x03]);
        assert_eq!(hello[5], 2);
        assert_eq!(hello.len(), first_record_len(&hello));
        assert!(whole.len() > hello.len());
        // The empty Certificate: type 11, u24 length 3, u24 list length 0.
        let certificate = &whole[hello.len()..];
        assert_eq!(&certificate[5..12], &[11, 0, 0, 3, 0, 0, 0]);
    }

    #[test]
    fn noise_is_the_same_every_run_and_differs_by_seed() {
        assert_eq!(noise_head(7, 32), noise_head(7, 32));
        assert_ne!(noise_head(7, 32), noise_head(8, 32));
    }
}
