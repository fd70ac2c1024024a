//! The key of each host specification: one variant per behaviour. What a behaviour is called,
//! what it does and what the scan reports for it live in its row of a profile's table
//! ([`crate::mixed`], [`crate::deep`], [`crate::healthy`], [`crate::hostile`]), never in a
//! `match` here.

use std::fmt;

use crate::spec::HostSpec;
use crate::Profile;

/// Declares [`Behaviour`] and [`Behaviour::ALL`] from one list, so a new variant cannot be left
/// out of `ALL` (and the test that every variant has exactly one table row sees it).
macro_rules! behaviours {
    ($($(#[$doc:meta])* $variant:ident,)+) => {
        /// One behaviour a simulated host plays: the key of its row in a profile's table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Behaviour {
            $($(#[$doc])* $variant,)+
        }

        impl Behaviour {
            /// Every behaviour, in declaration order.
            pub const ALL: &'static [Behaviour] = &[$(Behaviour::$variant,)+];
        }
    };
}

// The declaration order gives each certificate its serial number (0x1000 + the variant's
// index): add new variants at the end.
behaviours! {
    Healthy,
    HealthySsl,
    CertExpired,
    CertExpiring,
    CertNotYetValid,
    WeakCert,
    NegFailure1,
    NegFailure2,
    NegFailure3,
    NegFailure4,
    NegFailure5,
    NegFailure6,
    NegFailureUnknown,
    Silent,
    AcceptClose,
    Reset,
    TlsClose,
    TlsStall,
    TlsAlert,
    Tls10Only,
    PreVista,
    Http,
    Slow,
    Trickle,
    BadLength,
    OversizedLength,
    XrdpDisconnect,
    FormulaSubject,
    NoListener,
    HealthyEcdsa,
    PolicyRdpOnly,
    PolicyTlsOnly,
    PolicyNegotiate,
    PolicyNlaRequired,
    PolicyHybridEx,
    TlsRange10,
    TlsRange10To11,
    TlsRange10To12,
    TlsRange10To13,
    TlsRange11To12,
    TlsRange12,
    TlsRange12To13,
    TlsRange13,
    StdSecurityNone,
    StdSecurityLow,
    StdSecurityClientCompatible,
    StdSecurityHigh,
    StdSecurityFips,
    NtlmIdentity,
    ResetAtAccept,
    ConfirmByteWrites,
    ConfirmTrailing,
    NegTypeUnknown,
    TpktLength4,
    TpktLength65535,
    LiPastFrame,
    NoiseX224,
    ResetMidConfirm,
    FinMidConfirm,
    TrickleX224,
    HttpAfterConfirm,
    ServerHelloSilence,
    TlsRecord64k,
    TlsHandshake16m,
    AlertHandshakeFailure,
    AlertProtocolVersion,
    AlertUnrecognizedName,
    AlertUnassigned,
    NoiseTls,
    ResetMidServerHello,
    FinMidServerHello,
    TrickleTls,
    EmptyCertificate,
    Chain50,
    Cert200k,
    NameCrlf,
    NameFormula,
    NameScript,
    NameNul,
    NameInvalidUtf8,
}

impl Behaviour {
    /// This behaviour's row, from whichever profile's table holds it; `None` only for a
    /// variant no table lists (a test guards against that).
    pub fn spec(self) -> Option<&'static HostSpec> {
        Profile::ALL
            .iter()
            .flat_map(|profile| profile.specs())
            .find(|spec| spec.behaviour == self)
    }

    /// The kebab-case name used in tables, logs and `--list`.
    pub fn name(self) -> &'static str {
        self.spec().map_or("unlisted", |spec| spec.name)
    }

    /// One line saying what the host does, for the README and `--list`.
    pub fn describe(self) -> &'static str {
        self.spec().map_or("", |spec| spec.does)
    }

    /// A number distinct per behaviour (its declaration index): certificate serials use it.
    pub(crate) fn index(self) -> u64 {
        self as u64
    }
}

impl fmt::Display for Behaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_behaviour_has_exactly_one_row_and_a_unique_name() {
        for &b in Behaviour::ALL {
            let rows = Profile::ALL
                .iter()
                .flat_map(|p| p.specs())
                .filter(|s| s.behaviour == b)
                .count();
            assert_eq!(rows, 1, "{b:?} has {rows} table rows");
            assert!(!b.describe().is_empty(), "{b} has a description");
            let same_name = Behaviour::ALL.iter().filter(|o| o.name() == b.name());
            assert_eq!(same_name.count(), 1, "{b} is the only one of its name");
        }
    }
}
