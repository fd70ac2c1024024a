//! The few BER/DER pieces the MCS Connect PDUs (T.125, BER) and CredSSP TSRequest (MS-CSSP,
//! DER) need: definite-length tag-length-value reading and writing, with one- or two-byte tags.
//!
//! Writing always uses the shortest length form (DER); reading also accepts longer length forms
//! (BER), never the indefinite form, and never more than 3 length octets. Every field is named
//! by the caller (`"mcs Connect-Response.result"`), and errors name it.

use crate::cursor::{ReadCursor, WriteBytes};
use crate::CodecError;

/// Universal tags used here.
pub const TAG_BOOLEAN: u8 = 0x01;
pub const TAG_INTEGER: u8 = 0x02;
pub const TAG_OCTET_STRING: u8 = 0x04;
pub const TAG_ENUMERATED: u8 = 0x0a;
pub const TAG_SEQUENCE: u8 = 0x30;

/// The context-specific constructed tag `[n]` (explicit tagging), for n < 31.
pub const fn context(n: u8) -> u8 {
    0xa0 | n
}

/// How many length octets follow the first one, `first` (0 for the short form, 1 to 3 for the
/// long form); the indefinite form and longer forms are errors.
pub fn extra_length_octets(first: u8, what: &'static str) -> Result<usize, CodecError> {
    if first < 0x80 {
        return Ok(0);
    }
    match first & 0x7f {
        n @ 1..=3 => Ok(usize::from(n)),
        _ => Err(CodecError::BadDerLength { what, octet: first }),
    }
}

/// Reads the length octets at the cursor (just after the tag): the content length.
pub fn read_length(r: &mut ReadCursor<'_>, what: &'static str) -> Result<usize, CodecError> {
    let first = r.read_u8(what)?;
    let extra = extra_length_octets(first, what)?;
    if extra == 0 {
        return Ok(usize::from(first));
    }
    let octets = r.read_slice(extra, what)?;
    Ok(octets
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b)))
}

/// A cursor over TLVs.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    r: ReadCursor<'a>,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader {
            r: ReadCursor::new(buf),
        }
    }

    /// True when every byte was consumed.
    pub fn is_empty(&self) -> bool {
        self.r.is_empty()
    }

    /// The bytes not yet read.
    pub fn rest(&self) -> &'a [u8] {
        self.r.rest()
    }

    /// The tag byte of the next TLV, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.r.peek_u8()
    }

    /// Reads a TLV whose tag is exactly `tag` (one or two bytes) and returns its content.
    pub fn read(&mut self, tag: &[u8], what: &'static str) -> Result<&'a [u8], CodecError> {
        match self.r.expect(tag, what) {
            Err(CodecError::UnexpectedByte { what, byte }) => {
                Err(CodecError::UnexpectedTag { what, tag: byte })
            }
            other => other,
        }?;
        self.read_content(what)
    }

    /// Reads the next TLV whatever its (one-byte) tag: returns (tag, content).
    pub fn read_any(&mut self, what: &'static str) -> Result<(u8, &'a [u8]), CodecError> {
        let tag = self.r.read_u8(what)?;
        Ok((tag, self.read_content(what)?))
    }

    /// Reads an INTEGER (or ENUMERATED, by `tag`) of at most 8 content bytes as two's complement.
    pub fn read_int(&mut self, tag: u8, what: &'static str) -> Result<i64, CodecError> {
        let content = self.read(&[tag], what)?;
        int_value(content, what)
    }

    /// The length octets and content after a tag; the cursor moves only when all are there.
    fn read_content(&mut self, what: &'static str) -> Result<&'a [u8], CodecError> {
        let mut r = self.r;
        let len = read_length(&mut r, what)?;
        let content = r.read_slice(len, what)?;
        self.r = r;
        Ok(content)
    }
}

/// The value of INTEGER content bytes, two's complement, at most 8 bytes.
pub fn int_value(content: &[u8], what: &'static str) -> Result<i64, CodecError> {
    let Some(&first) = content.first() else {
        return Err(CodecError::Truncated { what });
    };
    if content.len() > 8 {
        return Err(CodecError::IntegerTooLong {
            what,
            len: content.len(),
        });
    }
    let start: i64 = if first & 0x80 != 0 { -1 } else { 0 };
    Ok(content
        .iter()
        .fold(start, |acc, b| (acc << 8) | i64::from(*b)))
}

/// Appends the shortest length octets for `len` (at most 3 octets: `len` < 16 MiB).
pub fn write_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.put_u8(len as u8);
    } else if len <= 0xff {
        out.put_slice(&[0x81, len as u8]);
    } else if len <= 0xffff {
        out.put_u8(0x82);
        out.put_u16_be(len as u16);
    } else {
        out.put_u8(0x83);
        out.put_u24_be(len as u32);
    }
}

/// Appends a TLV with a one- or two-byte `tag`.
pub fn write(out: &mut Vec<u8>, tag: &[u8], content: &[u8]) {
    out.put_slice(tag);
    write_length(out, content.len());
    out.put_slice(content);
}

/// Appends an INTEGER (or ENUMERATED by `tag`) holding `value` in the shortest two's complement.
pub fn write_int(out: &mut Vec<u8>, tag: u8, value: i64) {
    let bytes = value.to_be_bytes();
    // A leading octet that only repeats the sign of the next one is dropped (at most 7).
    let repeats_sign = |pair: &[u8]| match pair {
        [0x00, next] => next & 0x80 == 0,
        [0xff, next] => next & 0x80 != 0,
        _ => false,
    };
    let redundant = bytes
        .windows(2)
        .take_while(|pair| repeats_sign(pair))
        .count();
    write(out, &[tag], bytes.get(redundant..).unwrap_or(&bytes));
}
