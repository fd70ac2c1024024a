//! The words rdpsweep writes in its status columns, each with one `Display` (the report text)
//! and a matching `FromStr`, so that every report reads and writes the same vocabulary.

use std::fmt;
use std::str::FromStr;

/// Why a report word could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} value {value:?}")]
pub struct UnknownWord {
    kind: &'static str,
    value: String,
}

impl UnknownWord {
    pub(crate) fn new(kind: &'static str, value: &str) -> Self {
        UnknownWord {
            kind,
            value: value.to_string(),
        }
    }
}

/// Implements `Display`, `FromStr` and string serde for a plain enum from a word table.
macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal { $($(#[$vmeta:meta])* $variant:ident => $word:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
        }

        impl $name {
            /// The report word.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word,)+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::vocab::UnknownWord;
            fn from_str(s: &str) -> Result<Self, $crate::vocab::UnknownWord> {
                match s {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::vocab::UnknownWord::new($kind, s)),
                }
            }
        }

        $crate::vocab::string_serde!($name);
    };
}

pub(crate) use word_enum;

/// Serializes a type as its `Display` text and deserializes it with `FromStr`.
macro_rules! string_serde {
    ($name:ident) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as ::serde::Deserialize>::deserialize(d)?;
                text.parse()
                    .map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }
    };
}

pub(crate) use string_serde;

word_enum! {
    /// The TCP connect stage.
    TcpStatus, "tcp" {
        Open => "open",
        /// The host answered the SYN with a reset: nothing listens (a 0x204 for clients, not 0x904).
        Refused => "refused",
        Timeout => "timeout",
        /// No route to the host or network.
        Unreachable => "unreachable",
        /// Any other failure (the text is in `error`).
        Error => "error",
    }
}

word_enum! {
    /// The X.224 Connection Request / Confirm exchange.
    RdpStatus, "rdp" {
        /// A Connection Confirm arrived (with an RDP_NEG_RSP, or with no negotiation data).
        Negotiated => "negotiated",
        /// An RDP_NEG_FAILURE arrived.
        Failure => "failure",
        /// Accepted, then no complete Connection Confirm before the deadline.
        Timeout => "timeout",
        Closed => "closed",
        Reset => "reset",
        /// The server answered, but not with TPKT.
        NotRdp => "not-rdp",
        /// TPKT / X.224 framing that cannot be right.
        ProtocolError => "protocol-error",
    }
}

word_enum! {
    /// The TLS upgrade after a Confirm that selected TLS or CredSSP.
    TlsStatus, "tls" {
        Ok => "ok",
        /// The server completes a handshake only at TLS 1.0/1.1 or only with legacy suites.
        Legacy => "legacy",
        /// The server sent a TLS alert (named in `error`).
        Alert => "alert",
        Closed => "closed",
        Reset => "reset",
        Timeout => "timeout",
        ProtocolError => "protocol-error",
    }
}

word_enum! {
    /// A TLS protocol version rdpsweep asks for (the `--deep` range, `tls_min`, `tls_max`).
    TlsVersion, "tls version" {
        Tls10 => "TLSv1.0",
        Tls11 => "TLSv1.1",
        Tls12 => "TLSv1.2",
        Tls13 => "TLSv1.3",
    }
}

impl TlsVersion {
    /// The version's ProtocolVersion value (RFC 8446 4.1.2).
    pub fn wire(self) -> TlsWireVersion {
        TlsWireVersion(match self {
            TlsVersion::Tls10 => 0x0301,
            TlsVersion::Tls11 => 0x0302,
            TlsVersion::Tls12 => 0x0303,
            TlsVersion::Tls13 => 0x0304,
        })
    }
}

/// The TLS version a server answered with, as its ProtocolVersion value (RFC 8446 4.1.2):
/// `SSLv3`, `TLSv1.0` … `TLSv1.3`, or any other value kept by number and written as hex
/// (`0x7f1c`), as the legacy hello reader names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TlsWireVersion(pub u16);

impl TlsWireVersion {
    pub const SSL3_0: TlsWireVersion = TlsWireVersion(0x0300);

    /// The version, when it is one rdpsweep asks for.
    pub fn known(self) -> Option<TlsVersion> {
        TlsVersion::ALL.iter().copied().find(|v| v.wire() == self)
    }
}

impl From<TlsVersion> for TlsWireVersion {
    fn from(version: TlsVersion) -> Self {
        version.wire()
    }
}

impl fmt::Display for TlsWireVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.known() {
            Some(version) => f.write_str(version.as_str()),
            None if *self == Self::SSL3_0 => f.write_str("SSLv3"),
            None => write!(f, "{:#06x}", self.0),
        }
    }
}

impl FromStr for TlsWireVersion {
    type Err = UnknownWord;
    fn from_str(s: &str) -> Result<Self, UnknownWord> {
        if let Ok(version) = s.parse::<TlsVersion>() {
            return Ok(version.wire());
        }
        if s == "SSLv3" {
            return Ok(Self::SSL3_0);
        }
        // Only the form it is written in (`0x` and four lowercase hex digits), so that the text
        // reads back the same.
        s.strip_prefix("0x")
            .filter(|hex| hex.len() == 4 && !hex.bytes().any(|b| b.is_ascii_uppercase()))
            .and_then(|hex| u16::from_str_radix(hex, 16).ok())
            .map(TlsWireVersion)
            .filter(|v| v.to_string() == s)
            .ok_or_else(|| UnknownWord::new("tls version", s))
    }
}
string_serde!(TlsWireVersion);

/// A selectedProtocol value (MS-RDPBCGR 2.2.1.2.1). Unknown values keep their number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SelectedProtocol(pub u32);

impl SelectedProtocol {
    const NAMES: [(u32, &'static str); 6] = [
        (0x00, "rdp"),
        (0x01, "ssl"),
        (0x02, "hybrid"),
        (0x04, "rdstls"),
        (0x08, "hybrid_ex"),
        (0x10, "rdsaad"),
    ];
}

impl fmt::Display for SelectedProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Self::NAMES.iter().find(|(v, _)| *v == self.0) {
            Some((_, name)) => f.write_str(name),
            None => write!(f, "unknown({:#x})", self.0),
        }
    }
}

impl FromStr for SelectedProtocol {
    type Err = UnknownWord;
    fn from_str(s: &str) -> Result<Self, UnknownWord> {
        if let Some((v, _)) = Self::NAMES.iter().find(|(_, name)| *name == s) {
            return Ok(SelectedProtocol(*v));
        }
        parse_unknown(s, 16)
            .map(SelectedProtocol)
            .ok_or_else(|| UnknownWord {
                kind: "selected_protocol",
                value: s.to_string(),
            })
    }
}
string_serde!(SelectedProtocol);

/// A failureCode of an RDP_NEG_FAILURE (MS-RDPBCGR 2.2.1.2.2). Unknown codes keep their number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NegFailure(pub u32);

impl NegFailure {
    const NAMES: [(u32, &'static str); 6] = [
        (1, "ssl_required"),
        (2, "ssl_not_allowed"),
        (3, "ssl_cert_not_on_server"),
        (4, "inconsistent_flags"),
        (5, "hybrid_required"),
        (6, "ssl_with_user_auth_required"),
    ];
}

impl fmt::Display for NegFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Self::NAMES.iter().find(|(v, _)| *v == self.0) {
            Some((_, name)) => f.write_str(name),
            None => write!(f, "unknown({})", self.0),
        }
    }
}

impl FromStr for NegFailure {
    type Err = UnknownWord;
    fn from_str(s: &str) -> Result<Self, UnknownWord> {
        if let Some((v, _)) = Self::NAMES.iter().find(|(_, name)| *name == s) {
            return Ok(NegFailure(*v));
        }
        parse_unknown(s, 10)
            .map(NegFailure)
            .ok_or_else(|| UnknownWord {
                kind: "neg_failure",
                value: s.to_string(),
            })
    }
}
string_serde!(NegFailure);

/// The flags of an RDP_NEG_RSP (MS-RDPBCGR 2.2.1.2.1), written by name, `|`-separated.
/// Unknown bits are kept and written as hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NegFlags(pub u8);

impl NegFlags {
    const NAMES: [(u8, &'static str); 5] = [
        (0x01, "extended_client_data"),
        (0x02, "dynvc_gfx"),
        (0x04, "negrsp_reserved"),
        (0x08, "restricted_admin"),
        (0x10, "redirected_auth"),
    ];
}

impl fmt::Display for NegFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        let mut rest = self.0;
        for (bit, name) in Self::NAMES {
            if self.0 & bit != 0 {
                if !first {
                    f.write_str("|")?;
                }
                f.write_str(name)?;
                first = false;
                rest &= !bit;
            }
        }
        if rest != 0 {
            if !first {
                f.write_str("|")?;
            }
            write!(f, "{rest:#04x}")?;
        }
        Ok(())
    }
}

impl FromStr for NegFlags {
    type Err = UnknownWord;
    fn from_str(s: &str) -> Result<Self, UnknownWord> {
        let mut bits = 0u8;
        for part in s.split('|').filter(|p| !p.is_empty()) {
            let bit = match Self::NAMES.iter().find(|(_, name)| *name == part) {
                Some((bit, _)) => *bit,
                None => part
                    .strip_prefix("0x")
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    .ok_or_else(|| UnknownWord {
                        kind: "neg_flags",
                        value: s.to_string(),
                    })?,
            };
            bits |= bit;
        }
        Ok(NegFlags(bits))
    }
}
string_serde!(NegFlags);

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for s in [
            "negotiated",
            "failure",
            "timeout",
            "closed",
            "reset",
            "not-rdp",
            "protocol-error",
        ] {
            assert_eq!(s.parse::<RdpStatus>().unwrap().to_string(), s);
        }
        for s in [
            "ok",
            "legacy",
            "alert",
            "closed",
            "reset",
            "timeout",
            "protocol-error",
        ] {
            assert_eq!(s.parse::<TlsStatus>().unwrap().to_string(), s);
        }
        assert!("maybe".parse::<TcpStatus>().is_err());
    }

    #[test]
    fn protocols_and_failures_keep_unknown_numbers() {
        assert_eq!(SelectedProtocol(0x08).to_string(), "hybrid_ex");
        assert_eq!(SelectedProtocol(0x20).to_string(), "unknown(0x20)");
        assert_eq!(
            "unknown(0x20)".parse::<SelectedProtocol>().unwrap(),
            SelectedProtocol(0x20)
        );
        assert_eq!(NegFailure(3).to_string(), "ssl_cert_not_on_server");
        assert_eq!(NegFailure(99).to_string(), "unknown(99)");
        assert_eq!("unknown(99)".parse::<NegFailure>().unwrap(), NegFailure(99));
    }

    #[test]
    fn tls_versions_are_named_as_the_legacy_reader_names_them_and_keep_unknown_values() {
        for (wire, text) in [
            (0x0300, "SSLv3"),
            (0x0301, "TLSv1.0"),
            (0x0302, "TLSv1.1"),
            (0x0303, "TLSv1.2"),
            (0x0304, "TLSv1.3"),
            (0x7f1c, "0x7f1c"),
            (0x0002, "0x0002"),
        ] {
            assert_eq!(TlsWireVersion(wire).to_string(), text);
            assert_eq!(text.parse::<TlsWireVersion>(), Ok(TlsWireVersion(wire)));
        }
        for bad in [
            "", "TLS1.2", "0x301", "0x7F1C", "0x0303", "0xzzzz", "tlsv1.2",
        ] {
            assert!(bad.parse::<TlsWireVersion>().is_err(), "{bad:?}");
        }
        assert_eq!(TlsWireVersion(0x0302).known(), Some(TlsVersion::Tls11));
        assert_eq!(TlsWireVersion::SSL3_0.known(), None);
        assert!(TlsWireVersion::SSL3_0 < TlsVersion::Tls10.wire());
        assert!(TlsVersion::Tls13.wire() < TlsWireVersion(0x7f1c));
    }

    #[test]
    fn flags_are_named_and_unknown_bits_kept() {
        assert_eq!(NegFlags(0).to_string(), "");
        assert_eq!(
            NegFlags(0x1f).to_string(),
            "extended_client_data|dynvc_gfx|negrsp_reserved|restricted_admin|redirected_auth"
        );
        assert_eq!(NegFlags(0x81).to_string(), "extended_client_data|0x80");
        for bits in [0u8, 0x01, 0x0b, 0x81, 0xff] {
            assert_eq!(
                NegFlags(bits).to_string().parse::<NegFlags>().unwrap(),
                NegFlags(bits)
            );
        }
    }
}
