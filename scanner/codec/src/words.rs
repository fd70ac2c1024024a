//! The report words of the codec's values: each type `rdpsweep-reports` writes has one
//! `Display` (the word in results.jsonl, hosts.csv and the notes) and a `FromStr` that reads
//! it back, and with the `serde` feature is serialised as that word.
//!
//! The words are those the reports crate writes today, so files written before still load:
//! a selectedProtocol `hybrid_ex` or `unknown(0x20)`; a failureCode `ssl_required` or
//! `unknown(99)`; RDP_NEG_RSP flags `extended_client_data|dynvc_gfx|0x40`; encryption methods
//! `40bit|56bit|128bit|fips` (`none` for none); an encryption level `client-compatible` or
//! `unknown(7)`; an RDP version `5.0-8.1`, `10.7` or `unknown(0x00080012)`; a TLS version
//! `SSLv3`, `TLSv1.2` or `0x7f1c`.

use std::fmt;
use std::str::FromStr;

use crate::{
    CodecError, EncryptionLevel, EncryptionMethod, FailureCode, RdpVersion, ResponseFlags,
    SecurityProtocol, TlsWireVersion,
};

/// selectedProtocol words, by value.
const PROTOCOLS: [(u32, &str); 6] = [
    (0x00, "rdp"),
    (0x01, "ssl"),
    (0x02, "hybrid"),
    (0x04, "rdstls"),
    (0x08, "hybrid_ex"),
    (0x10, "rdsaad"),
];

/// failureCode words, by value.
const FAILURES: [(u32, &str); 6] = [
    (1, "ssl_required"),
    (2, "ssl_not_allowed"),
    (3, "ssl_cert_not_on_server"),
    (4, "inconsistent_flags"),
    (5, "hybrid_required"),
    (6, "ssl_with_user_auth_required"),
];

/// RDP_NEG_RSP flag words, in the order they are written.
const RESPONSE_FLAGS: [(u32, &str); 5] = [
    (0x01, "extended_client_data"),
    (0x02, "dynvc_gfx"),
    (0x04, "negrsp_reserved"),
    (0x08, "restricted_admin"),
    (0x10, "redirected_auth"),
];

/// Encryption method words, in the order they are written (weakest first, FIPS last).
const METHODS: [(u32, &str); 4] = [
    (0x01, "40bit"),
    (0x08, "56bit"),
    (0x02, "128bit"),
    (0x10, "fips"),
];

/// encryptionLevel words, by value.
const LEVELS: [(u32, &str); 5] = [
    (0, "none"),
    (1, "low"),
    (2, "client-compatible"),
    (3, "high"),
    (4, "fips"),
];

/// ProtocolVersion words, by value.
const TLS_VERSIONS: [(u32, &str); 5] = [
    (0x0300, "SSLv3"),
    (0x0301, "TLSv1.0"),
    (0x0302, "TLSv1.1"),
    (0x0303, "TLSv1.2"),
    (0x0304, "TLSv1.3"),
];

fn name_of(table: &[(u32, &'static str)], value: u32) -> Option<&'static str> {
    table
        .iter()
        .find(|(v, _)| *v == value)
        .map(|(_, name)| *name)
}

fn value_of(table: &[(u32, &str)], word: &str) -> Option<u32> {
    table
        .iter()
        .find(|(_, name)| *name == word)
        .map(|(v, _)| *v)
}

fn unknown_word(kind: &'static str, value: &str) -> CodecError {
    CodecError::UnknownWord {
        kind,
        value: value.to_string(),
    }
}

/// Reads the number out of `unknown(N)`, in the given radix (a `0x` prefix is allowed for hex).
fn parse_unknown(s: &str, radix: u32) -> Option<u32> {
    let inner = s.strip_prefix("unknown(")?.strip_suffix(')')?;
    let digits = if radix == 16 {
        inner.strip_prefix("0x").unwrap_or(inner)
    } else {
        inner
    };
    u32::from_str_radix(digits, radix).ok()
}

/// Writes the named bits of `bits` `|`-joined in table order, then any other bits as hex,
/// straight to `f` (every row's JSON, CSV and page write these words).
fn write_flags(
    f: &mut fmt::Formatter<'_>,
    table: &[(u32, &str)],
    bits: u32,
    hex: impl Fn(u32) -> String,
) -> fmt::Result {
    let mut rest = bits;
    let mut separator = "";
    for (bit, name) in table {
        if bits & bit != 0 {
            f.write_str(separator)?;
            f.write_str(name)?;
            separator = "|";
            rest &= !bit;
        }
    }
    if rest != 0 {
        f.write_str(separator)?;
        f.write_str(&hex(rest))?;
    }
    Ok(())
}

/// Reads `|`-joined flag words (and `0x..` hex for other bits) back into bits.
fn read_flags(table: &[(u32, &str)], s: &str, kind: &'static str) -> Result<u32, CodecError> {
    let mut bits = 0;
    for part in s.split('|').filter(|p| !p.is_empty()) {
        let bit = value_of(table, part)
            .or_else(|| {
                part.strip_prefix("0x")
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            })
            .ok_or_else(|| unknown_word(kind, s))?;
        bits |= bit;
    }
    Ok(bits)
}

impl fmt::Display for SecurityProtocol {
    /// The selectedProtocol word: `rdp` … `rdsaad`, else `unknown(0x20)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match name_of(&PROTOCOLS, self.bits()) {
            Some(name) => f.write_str(name),
            None => write!(f, "unknown({:#x})", self.bits()),
        }
    }
}

impl FromStr for SecurityProtocol {
    type Err = CodecError;
    fn from_str(s: &str) -> Result<Self, CodecError> {
        value_of(&PROTOCOLS, s)
            .or_else(|| parse_unknown(s, 16))
            .map(Self::from_bits_retain)
            .ok_or_else(|| unknown_word("selected_protocol", s))
    }
}

impl fmt::Display for FailureCode {
    /// `ssl_required` … `ssl_with_user_auth_required`, else `unknown(99)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match name_of(&FAILURES, self.0) {
            Some(name) => f.write_str(name),
            None => write!(f, "unknown({})", self.0),
        }
    }
}

impl FromStr for FailureCode {
    type Err = CodecError;
    fn from_str(s: &str) -> Result<Self, CodecError> {
        value_of(&FAILURES, s)
            .or_else(|| parse_unknown(s, 10))
            .map(FailureCode)
            .ok_or_else(|| unknown_word("neg_failure", s))
    }
}

impl fmt::Display for ResponseFlags {
    /// The set flags by name, `|`-separated, other bits as hex (`restricted_admin|0x80`);
    /// no flags is the empty string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_flags(f, &RESPONSE_FLAGS, u32::from(self.bits()), |rest| {
            format!("{rest:#04x}")
        })
    }
}

impl FromStr for ResponseFlags {
    type Err = CodecError;
    fn from_str(s: &str) -> Result<Self, CodecError> {
        const KIND: &str = "neg_flags";
        let bits = read_flags(&RESPONSE_FLAGS, s, KIND)?;
        u8::try_from(bits)
            .map(Self::from_bits_retain)
            .map_err(|_| unknown_word(KIND, s))
    }
}

impl fmt::Display for EncryptionMethod {
    /// `none`, or the methods `|`-separated weakest first (`40bit|128bit`), other bits as hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        write_flags(f, &METHODS, self.bits(), |rest| format!("{rest:#x}"))
    }
}

impl FromStr for EncryptionMethod {
    type Err = CodecError;
    fn from_str(s: &str) -> Result<Self, CodecError> {
        if s == "none" {
            return Ok(Self::NONE);
        }
        if s.is_empty() {
            return Err(unknown_word("encryption method", s));
        }
        read_flags(&METHODS, s, "encryption method").map(Self::from_bits_retain)
    }
}

impl fmt::Display for EncryptionLevel {
    /// `none`, `low`, `client-compatible`, `high`, `fips`, else `unknown(7)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match name_of(&LEVELS, self.0) {
            Some(name) => f.write_str(name),
            None => write!(f, "unknown({})", self.0),
        }
    }
}

impl FromStr for EncryptionLevel {
    type Err = CodecError;
    fn from_str(s: &str) -> Result<Self, CodecError> {
        value_of(&LEVELS, s)
            .or_else(|| parse_unknown(s, 10))
            .map(EncryptionLevel)
            .ok_or_else(|| unknown_word("encryption level", s))
    }
}

impl fmt::Display for RdpVersion {
    /// The RDP version the value stands for (`4.0`, `5.0-8.1`, `10.0` … `10.12`), else
    /// `unknown(0x00080012)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (*self, self.ten_minor()) {
            (Self::RDP_4, _) => f.write_str("4.0"),
            (Self::RDP_5_PLUS, _) => f.write_str("5.0-8.1"),
            (_, Some(minor)) => write!(f, "10.{minor}"),
            (Self(value), None) => write!(f, "unknown({value:#010x})"),
        }
    }
}

impl FromStr for RdpVersion {
    type Err = CodecError;
    fn from_str(s: &str) -> Result<Self, CodecError> {
        let bad = || unknown_word("rdp version", s);
        match s {
            "4.0" => return Ok(Self::RDP_4),
            "5.0-8.1" => return Ok(Self::RDP_5_PLUS),
            _ => {}
        }
        if let Some(minor) = s.strip_prefix("10.") {
            let minor: u32 = minor.parse().map_err(|_| bad())?;
            let version = Self(Self::RDP_10_0.0.saturating_add(minor));
            return version.ten_minor().map(|_| version).ok_or_else(bad);
        }
        s.strip_prefix("unknown(0x")
            .and_then(|hex| hex.strip_suffix(')'))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .map(Self)
            .ok_or_else(bad)
    }
}

impl fmt::Display for TlsWireVersion {
    /// `SSLv3`, `TLSv1.0` … `TLSv1.3`, else `0x` and four hex digits (`0x7f1c`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match name_of(&TLS_VERSIONS, u32::from(self.0)) {
            Some(name) => f.write_str(name),
            None => write!(f, "{:#06x}", self.0),
        }
    }
}

impl FromStr for TlsWireVersion {
    type Err = CodecError;
    fn from_str(s: &str) -> Result<Self, CodecError> {
        if let Some(value) = value_of(&TLS_VERSIONS, s) {
            return u16::try_from(value)
                .map(Self)
                .map_err(|_| unknown_word("tls version", s));
        }
        // Only the form it is written in (`0x` and four lowercase hex digits, not a named
        // value), so that the text reads back the same.
        s.strip_prefix("0x")
            .filter(|hex| hex.len() == 4 && !hex.bytes().any(|b| b.is_ascii_uppercase()))
            .and_then(|hex| u16::from_str_radix(hex, 16).ok())
            .map(Self)
            .filter(|v| v.to_string() == s)
            .ok_or_else(|| unknown_word("tls version", s))
    }
}

/// Serialises a type as its `Display` word and deserialises it with `FromStr`.
#[cfg(feature = "serde")]
macro_rules! word_serde {
    ($($name:ty),+) => {$(
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(<D::Error as serde::de::Error>::custom)
            }
        }
    )+};
}

#[cfg(feature = "serde")]
word_serde!(
    SecurityProtocol,
    FailureCode,
    ResponseFlags,
    EncryptionMethod,
    EncryptionLevel,
    RdpVersion,
    TlsWireVersion
);

#[cfg(test)]
#[path = "words_tests.rs"]
mod tests;
