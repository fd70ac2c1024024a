//! The words rdpsweep writes in its status columns, each with one `Display` (the report text)
//! and a matching `FromStr`, so that every report reads and writes the same vocabulary. The
//! wire values the record holds (selected protocol, failure code, flags, TLS and RDP versions,
//! standard security) are the codec's types, which write their own words.

use rdpsweep_codec::TlsWireVersion;

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

/// Implements `Display`, `FromStr`, string serde and the report cells' [`CellText`] for a
/// plain enum from a word table.
///
/// [`CellText`]: crate::columns::CellText
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

        impl $crate::columns::CellText for $name {
            fn put_to(&self, out: &mut String) {
                out.push_str(self.as_str());
            }
        }

        $crate::vocab::string_serde!($name, as_str);
    };
}

pub(crate) use word_enum;

/// Serializes a type as its `Display` text (or, given `as_str`, as the word that method
/// returns, without a trip through a formatter) and deserializes it with `FromStr`.
macro_rules! string_serde {
    ($name:ident) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        $crate::vocab::string_serde!(@deserialize $name);
    };
    ($name:ident, as_str) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        $crate::vocab::string_serde!(@deserialize $name);
    };
    (@deserialize $name:ident) => {
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
        match self {
            TlsVersion::Tls10 => TlsWireVersion::TLS1_0,
            TlsVersion::Tls11 => TlsWireVersion::TLS1_1,
            TlsVersion::Tls12 => TlsWireVersion::TLS1_2,
            TlsVersion::Tls13 => TlsWireVersion::TLS1_3,
        }
    }
}

impl From<TlsVersion> for TlsWireVersion {
    fn from(version: TlsVersion) -> Self {
        version.wire()
    }
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
    fn tls_versions_are_their_wire_values_and_write_the_same_word() {
        let wire: Vec<TlsWireVersion> = TlsVersion::ALL.iter().map(|v| v.wire()).collect();
        assert_eq!(
            wire,
            [
                TlsWireVersion(0x0301),
                TlsWireVersion(0x0302),
                TlsWireVersion(0x0303),
                TlsWireVersion(0x0304)
            ]
        );
        for version in TlsVersion::ALL {
            assert_eq!(version.wire().to_string(), version.to_string());
        }
        assert!(TlsWireVersion::SSL3_0 < TlsVersion::Tls10.wire());
        assert!(TlsVersion::Tls13.wire() < TlsWireVersion(0x7f1c));
    }
}
