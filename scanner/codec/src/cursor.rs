//! The one byte cursor every decoder of the crate reads through, and the byte writers every
//! encoder appends with.
//!
//! Bounds are checked here and nowhere else: a read past the end is
//! [`CodecError::Truncated`] naming the field being read, never a panic, and no decoder
//! indexes a slice itself.

use crate::CodecError;

/// A position in a byte slice; every read moves it forward or fails without moving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadCursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> ReadCursor<'a> {
    /// A cursor at the start of `buf`.
    pub const fn new(buf: &'a [u8]) -> Self {
        ReadCursor { buf, pos: 0 }
    }

    /// Bytes read so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes left to read.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// True when every byte was read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The bytes not read yet (the cursor does not move).
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// The next byte, if any (the cursor does not move).
    pub fn peek_u8(&self) -> Option<u8> {
        self.rest().first().copied()
    }

    /// The next `n` bytes, if there are that many (the cursor does not move).
    pub fn peek(&self, n: usize) -> Option<&'a [u8]> {
        self.rest().get(..n)
    }

    /// Reads `n` bytes of the field `what`.
    pub fn read_slice(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], CodecError> {
        let bytes = self.peek(n).ok_or(CodecError::Truncated { what })?;
        self.pos += n;
        Ok(bytes)
    }

    /// Reads the `N` bytes of the field `what`.
    pub fn read_array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], CodecError> {
        let bytes = self.peek(N).ok_or(CodecError::Truncated { what })?;
        let array = <[u8; N]>::try_from(bytes).map_err(|_| CodecError::Truncated { what })?;
        self.pos += N;
        Ok(array)
    }

    /// Skips `n` bytes of the field `what`.
    pub fn skip(&mut self, n: usize, what: &'static str) -> Result<(), CodecError> {
        self.read_slice(n, what).map(|_| ())
    }

    /// Reads every byte left.
    pub fn read_rest(&mut self) -> &'a [u8] {
        let rest = self.rest();
        self.pos += rest.len();
        rest
    }

    /// Reads `expected.len()` bytes that must equal `expected`. The first byte present that
    /// differs is [`CodecError::UnexpectedByte`]; input that ends before a difference shows is
    /// [`CodecError::Truncated`]. On either the cursor stays where it was.
    pub fn expect(&mut self, expected: &[u8], what: &'static str) -> Result<(), CodecError> {
        let rest = self.rest();
        for (at, want) in expected.iter().enumerate() {
            match rest.get(at) {
                None => return Err(CodecError::Truncated { what }),
                Some(&byte) if byte != *want => {
                    return Err(CodecError::UnexpectedByte { what, byte })
                }
                Some(_) => {}
            }
        }
        self.skip(expected.len(), what)
    }

    pub fn read_u8(&mut self, what: &'static str) -> Result<u8, CodecError> {
        self.read_array::<1>(what).map(|[b]| b)
    }

    pub fn read_u16_be(&mut self, what: &'static str) -> Result<u16, CodecError> {
        self.read_array(what).map(u16::from_be_bytes)
    }

    pub fn read_u16_le(&mut self, what: &'static str) -> Result<u16, CodecError> {
        self.read_array(what).map(u16::from_le_bytes)
    }

    /// A 3-byte big-endian length (TLS handshake and certificate lengths).
    pub fn read_u24_be(&mut self, what: &'static str) -> Result<u32, CodecError> {
        self.read_array(what)
            .map(|[a, b, c]| u32::from_be_bytes([0, a, b, c]))
    }

    pub fn read_u32_be(&mut self, what: &'static str) -> Result<u32, CodecError> {
        self.read_array(what).map(u32::from_be_bytes)
    }

    pub fn read_u32_le(&mut self, what: &'static str) -> Result<u32, CodecError> {
        self.read_array(what).map(u32::from_le_bytes)
    }

    pub fn read_u64_le(&mut self, what: &'static str) -> Result<u64, CodecError> {
        self.read_array(what).map(u64::from_le_bytes)
    }
}

/// Appends fixed-width integers in either byte order: what every encoder writes with.
pub trait WriteBytes {
    fn put_u8(&mut self, value: u8);
    fn put_slice(&mut self, bytes: &[u8]);
    fn put_u16_be(&mut self, value: u16);
    fn put_u16_le(&mut self, value: u16);
    /// The low 3 bytes of `value`, big-endian (TLS lengths).
    fn put_u24_be(&mut self, value: u32);
    fn put_u32_be(&mut self, value: u32);
    fn put_u32_le(&mut self, value: u32);
    fn put_u64_le(&mut self, value: u64);
}

impl WriteBytes for Vec<u8> {
    fn put_u8(&mut self, value: u8) {
        self.push(value);
    }

    fn put_slice(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    fn put_u16_be(&mut self, value: u16) {
        self.extend_from_slice(&value.to_be_bytes());
    }

    fn put_u16_le(&mut self, value: u16) {
        self.extend_from_slice(&value.to_le_bytes());
    }

    fn put_u24_be(&mut self, value: u32) {
        let [_, a, b, c] = value.to_be_bytes();
        self.extend_from_slice(&[a, b, c]);
    }

    fn put_u32_be(&mut self, value: u32) {
        self.extend_from_slice(&value.to_be_bytes());
    }

    fn put_u32_le(&mut self, value: u32) {
        self.extend_from_slice(&value.to_le_bytes());
    }

    fn put_u64_le(&mut self, value: u64) {
        self.extend_from_slice(&value.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn reads_both_byte_orders_and_moves_forward() {
        let bytes = [
            0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x02, 0x03,
        ];
        let mut r = ReadCursor::new(&bytes);
        assert_eq!(r.read_u16_be("a"), Ok(0x1234));
        assert_eq!(r.position(), 2);
        let mut le = ReadCursor::new(&bytes);
        assert_eq!(le.read_u16_le("a"), Ok(0x3412));
        assert_eq!(r.read_u32_le("b"), Ok(0xbc9a_7856));
        assert_eq!(r.read_u24_be("c"), Ok(0x00de_f001));
        assert_eq!(r.remaining(), 2);
        assert_eq!(r.peek_u8(), Some(0x02));
        assert_eq!(r.peek(2), Some(&[0x02, 0x03][..]));
        assert_eq!(r.peek(3), None);
        assert_eq!(r.rest(), [0x02, 0x03]);
        assert_eq!(r.read_rest(), [0x02, 0x03]);
        assert!(r.is_empty());
        assert_eq!(r.peek_u8(), None);

        let mut be = ReadCursor::new(&bytes);
        assert_eq!(be.read_u32_be("d"), Ok(0x1234_5678));
        let mut wide = ReadCursor::new(&bytes);
        assert_eq!(wide.read_u64_le("e"), Ok(0xf0de_bc9a_7856_3412));
        assert_eq!(wide.read_array::<3>("f"), Ok([0x01, 0x02, 0x03]));
        assert_eq!(wide.read_u8("g"), Err(CodecError::Truncated { what: "g" }));
    }

    #[test]
    fn a_short_read_names_the_field_and_does_not_move() {
        let bytes = [0x01, 0x02, 0x03];
        let mut r = ReadCursor::new(&bytes);
        r.skip(1, "first").unwrap();
        let cut = CodecError::Truncated {
            what: "TS_UD_CS_CORE version",
        };
        assert_eq!(r.read_u32_le("TS_UD_CS_CORE version"), Err(cut.clone()));
        assert_eq!(r.read_slice(3, "TS_UD_CS_CORE version"), Err(cut.clone()));
        assert_eq!(
            r.skip(usize::MAX, "TS_UD_CS_CORE version"),
            Err(cut.clone())
        );
        assert_eq!(cut.to_string(), "ts_ud_cs_core version: truncated");
        assert_eq!(
            r.position(),
            1,
            "a failed read leaves the cursor where it was"
        );
        assert_eq!(r.read_u16_be("x"), Ok(0x0203));
    }

    #[test]
    fn expect_reports_the_first_differing_byte() {
        let mut r = ReadCursor::new(b"Duca");
        assert_eq!(
            r.expect(b"McDn", "gcc h221NonStandard key"),
            Err(CodecError::UnexpectedByte {
                what: "gcc h221NonStandard key",
                byte: b'D'
            })
        );
        assert_eq!(
            r.expect(b"Dux", "key"),
            Err(CodecError::UnexpectedByte {
                what: "key",
                byte: b'c'
            })
        );
        assert_eq!(
            r.expect(b"Ducat", "key"),
            Err(CodecError::Truncated { what: "key" })
        );
        assert_eq!(
            r.expect(b"McDonald", "key"),
            Err(CodecError::UnexpectedByte {
                what: "key",
                byte: b'D'
            }),
            "a difference among the bytes present is named even when input is short"
        );
        assert_eq!(r.position(), 0, "a mismatch leaves the cursor where it was");
        assert_eq!(r.expect(b"Duca", "key"), Ok(()));
        assert!(r.is_empty());
    }

    #[test]
    fn writers_append_in_the_named_byte_order() {
        let mut out = Vec::new();
        out.put_u8(0x01);
        out.put_u16_be(0x0203);
        out.put_u16_le(0x0504);
        out.put_u24_be(0xff06_0708);
        out.put_u32_be(0x090a_0b0c);
        out.put_u32_le(0x100f_0e0d);
        out.put_u64_le(0x1817_1615_1413_1211);
        out.put_slice(&[0x19]);
        assert_eq!(out, (0x01..=0x19).collect::<Vec<u8>>());
    }

    proptest! {
        #[test]
        fn never_panics_and_never_reads_past_the_end(
            bytes in proptest::collection::vec(any::<u8>(), 0..64),
            reads in proptest::collection::vec((0u8..9, 0usize..80), 0..24),
        ) {
            let mut r = ReadCursor::new(&bytes);
            for (kind, n) in reads {
                let before = r.position();
                let ok = match kind {
                    0 => r.read_u8("x").is_ok(),
                    1 => r.read_u16_be("x").is_ok(),
                    2 => r.read_u16_le("x").is_ok(),
                    3 => r.read_u24_be("x").is_ok(),
                    4 => r.read_u32_be("x").is_ok(),
                    5 => r.read_u32_le("x").is_ok(),
                    6 => r.read_u64_le("x").is_ok(),
                    7 => r.read_slice(n, "x").is_ok(),
                    _ => r.expect(&bytes[..n.min(bytes.len())], "x").is_ok(),
                };
                prop_assert!(r.position() <= bytes.len());
                prop_assert_eq!(r.position() + r.remaining(), bytes.len());
                if !ok {
                    prop_assert_eq!(r.position(), before);
                }
            }
        }
    }
}
