//! The few BER/DER pieces the MCS Connect PDUs (T.125, BER) and CredSSP TSRequest (MS-CSSP,
//! DER) need: definite-length tag-length-value reading and writing, with one- or two-byte tags.
//!
//! Writing always uses the shortest length form (DER); reading also accepts longer length forms
//! (BER), never the indefinite form, and never more than 3 length octets.

use std::fmt;

/// What is wrong with a TLV, and in which field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DerError {
    /// The field being read, named after the specification (`"TSRequest.version"`).
    pub field: &'static str,
    pub problem: DerProblem,
}

/// The kinds of malformed TLV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DerProblem {
    /// The input ends inside the TLV.
    Truncated,
    /// Another tag stands where this field's tag belongs (the first differing byte).
    UnexpectedTag(u8),
    /// The indefinite form (`0x80`) or more than 3 length octets.
    BadLength(u8),
    /// An INTEGER wider than this codec keeps.
    IntegerTooLong(usize),
}

impl fmt::Display for DerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field.to_ascii_lowercase();
        match self.problem {
            DerProblem::Truncated => write!(f, "{field}: truncated"),
            DerProblem::UnexpectedTag(t) => write!(f, "{field}: unexpected tag {t:#04x}"),
            DerProblem::BadLength(b) => write!(f, "{field}: unsupported length octet {b:#04x}"),
            DerProblem::IntegerTooLong(n) => write!(f, "{field}: integer of {n} bytes"),
        }
    }
}

impl std::error::Error for DerError {}

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

/// What the start of a buffer says about the length of the TLV it begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderLen {
    /// Too few bytes to know yet.
    Incomplete,
    /// Header bytes and content bytes.
    Known { header: usize, content: usize },
    /// Indefinite or over-long length form.
    Bad(u8),
}

/// Reads the length octets that start `buf` (just after the tag).
pub fn read_length(buf: &[u8]) -> HeaderLen {
    let Some(&first) = buf.first() else {
        return HeaderLen::Incomplete;
    };
    if first < 0x80 {
        return HeaderLen::Known {
            header: 1,
            content: usize::from(first),
        };
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 3 {
        return HeaderLen::Bad(first);
    }
    let Some(octets) = buf.get(1..1 + n) else {
        return HeaderLen::Incomplete;
    };
    let content = octets
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    HeaderLen::Known {
        header: 1 + n,
        content,
    }
}

/// A cursor over TLVs.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { rest: buf }
    }

    /// True when every byte was consumed.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The bytes not yet read.
    pub fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// The tag byte of the next TLV, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads a TLV whose tag is exactly `tag` (one or two bytes) and returns its content.
    pub fn read(&mut self, tag: &[u8], field: &'static str) -> Result<&'a [u8], DerError> {
        let err = |problem| DerError { field, problem };
        for (i, expected) in tag.iter().enumerate() {
            match self.rest.get(i) {
                None => return Err(err(DerProblem::Truncated)),
                Some(b) if b != expected => return Err(err(DerProblem::UnexpectedTag(*b))),
                Some(_) => {}
            }
        }
        self.read_after_tag(tag.len(), field)
    }

    /// Reads the next TLV whatever its (one-byte) tag: returns (tag, content).
    pub fn read_any(&mut self, field: &'static str) -> Result<(u8, &'a [u8]), DerError> {
        let tag = self.peek_tag().ok_or(DerError {
            field,
            problem: DerProblem::Truncated,
        })?;
        Ok((tag, self.read_after_tag(1, field)?))
    }

    fn read_after_tag(
        &mut self,
        tag_len: usize,
        field: &'static str,
    ) -> Result<&'a [u8], DerError> {
        let err = |problem| DerError { field, problem };
        let (header, content) = match read_length(&self.rest[tag_len..]) {
            HeaderLen::Incomplete => return Err(err(DerProblem::Truncated)),
            HeaderLen::Bad(b) => return Err(err(DerProblem::BadLength(b))),
            HeaderLen::Known { header, content } => (header, content),
        };
        let start = tag_len + header;
        let end = start
            .checked_add(content)
            .filter(|end| *end <= self.rest.len())
            .ok_or(err(DerProblem::Truncated))?;
        let value = &self.rest[start..end];
        self.rest = &self.rest[end..];
        Ok(value)
    }

    /// Reads an INTEGER (or ENUMERATED, by `tag`) of at most 8 content bytes as two's complement.
    pub fn read_int(&mut self, tag: u8, field: &'static str) -> Result<i64, DerError> {
        let content = self.read(&[tag], field)?;
        int_value(content, field)
    }
}

/// The value of INTEGER content bytes, two's complement, at most 8 bytes.
pub fn int_value(content: &[u8], field: &'static str) -> Result<i64, DerError> {
    if content.is_empty() {
        return Err(DerError {
            field,
            problem: DerProblem::Truncated,
        });
    }
    if content.len() > 8 {
        return Err(DerError {
            field,
            problem: DerProblem::IntegerTooLong(content.len()),
        });
    }
    let negative = content[0] & 0x80 != 0;
    let start: i64 = if negative { -1 } else { 0 };
    Ok(content
        .iter()
        .fold(start, |acc, b| (acc << 8) | i64::from(*b)))
}

/// Appends the shortest length octets for `len` (at most 3 octets: `len` < 16 MiB).
pub fn write_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0x81, len as u8]);
    } else if len <= 0xffff {
        out.push(0x82);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        let [_, a, b, c] = (len as u32).to_be_bytes();
        out.extend_from_slice(&[0x83, a, b, c]);
    }
}

/// Appends a TLV with a one- or two-byte `tag`.
pub fn write(out: &mut Vec<u8>, tag: &[u8], content: &[u8]) {
    out.extend_from_slice(tag);
    write_length(out, content.len());
    out.extend_from_slice(content);
}

/// Appends an INTEGER (or ENUMERATED by `tag`) holding `value` in the shortest two's complement.
pub fn write_int(out: &mut Vec<u8>, tag: u8, value: i64) {
    let bytes = value.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        let redundant = (b == 0x00 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0);
        if !redundant {
            break;
        }
        start += 1;
    }
    write(out, &[tag], &bytes[start..]);
}
